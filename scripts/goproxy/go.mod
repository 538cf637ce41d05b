module github.com/phasekit/phasekit/scripts/goproxy

go 1.26.0

require golang.org/x/mod v0.43.0
