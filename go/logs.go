package phasekit

import (
	"context"
	"log/slog"
	"sync/atomic"
)

// The Rust core logs through its own facility into a bounded, process-wide queue; this package
// drains that queue after every call (and after New and FromEnv) and re-emits each record
// through log/slog on the calling goroutine, so that records reach whatever handler the program
// configured without Rust ever calling into Go.

// logger is what SetLogger set; nil means slog.Default() at the time of emitting.
var logger atomic.Pointer[slog.Logger]

// SetLogger sets where the library's diagnostics go: warnings (e.g. "TLS certificate
// verification is disabled for this client" for WithVerifySSL(false)) and, for clients made
// WithDebug(true) or with PHASE_DEBUG set, one Info record per HTTP request (method, path,
// attempt, duration, outcome; never headers, bodies, secret values or tokens). Each record has
// the attribute "target", the Rust module that logged it. nil (the default) means
// slog.Default(), looked up at each record so that slog.SetDefault applies.
//
// Records are collected process-wide and emitted when a call returns, so with many goroutines a
// record may surface on a goroutine other than the one whose call caused it.
func SetLogger(l *slog.Logger) {
	logger.Store(l)
}

func currentLogger() *slog.Logger {
	if l := logger.Load(); l != nil {
		return l
	}
	return slog.Default()
}

type logRecord struct {
	Level, Target, Message string
}

func slogLevel(level string) slog.Level {
	switch level {
	case "error":
		return slog.LevelError
	case "warn":
		return slog.LevelWarn
	case "info":
		return slog.LevelInfo
	default:
		// A level newer than this package: better too loud than lost.
		return slog.LevelWarn
	}
}

// emitLogs passes the records collected so far to the logger.
func emitLogs() {
	records := drainNativeLogs()
	if len(records) == 0 {
		return
	}
	l := currentLogger()
	for _, r := range records {
		// context.Background, not the call's context: a record may belong to another
		// goroutine's call, and a handler must not attribute it to this one's trace.
		l.LogAttrs(context.Background(), slogLevel(r.Level), r.Message, slog.String("target", r.Target))
	}
}
