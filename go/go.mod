module github.com/phasekit/phasekit/go

go 1.24
