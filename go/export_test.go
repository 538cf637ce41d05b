package phasekit

// LiveObjects is how many handles and strings the Rust library handed out that were not freed
// yet (tests check it returns to zero).
func LiveObjects() int64 {
	return liveObjects()
}
