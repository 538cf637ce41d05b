package phasekit

// LiveObjects is how many handles and strings the Rust library handed out that were not freed
// yet (tests check it returns to zero).
func LiveObjects() int64 {
	return liveObjects()
}

// EmitLogs passes the library's pending log records to the current logger now (tests flush
// what earlier tests left before capturing their own).
func EmitLogs() {
	emitLogs()
}
