module github.com/phasekit/phasekit/bench/drivers/go

go 1.24

require github.com/phasekit/phasekit/go v0.0.0

// The binding of this checkout. bench/build.sh release builds from a copy of this directory
// and of ../../../go with the release library, in the same relative layout under target/.
replace github.com/phasekit/phasekit/go => ../../../go
