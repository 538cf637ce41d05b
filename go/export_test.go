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

// NativeErrorTables are the library's error codes and families ([name, parent, codes...]).
func NativeErrorTables() ([]Code, [][]string) {
	return nativeErrorTables()
}

// Families are the generated family sentinels, in the core's order.
func Families() []error {
	return families
}
