//! The core's diagnostics, passed on to Python's `logging`. The core collects its `tracing`
//! events into a queue (`phasekit::logs`); this module drains that queue on a thread that holds
//! the GIL: after a blocking call returns, when an awaitable completes (a done callback, so in
//! its event loop's thread) and after a client is built. Never on the core's runtime threads:
//! waiting for the GIL there could deadlock with a Python thread that waits for the runtime.

use phasekit::logs::{LogLevel, LogRecord};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyCFunction, PyDict, PyTuple};

/// Starts collecting the core's events (idempotent; once per process in the core).
pub fn install() {
    phasekit::logs::collect();
}

/// Emits every collected record through `logging`. When nothing was logged, which is the common
/// case, this is one uncontended lock and an emptiness check.
pub fn emit(py: Python<'_>) {
    let records = phasekit::logs::drain();
    if records.is_empty() {
        return;
    }
    if let Err(failure) = emit_records(py, records) {
        // A broken logging setup must not turn a successful call into a failed one.
        failure.write_unraisable(py, None);
    }
}

fn emit_records(py: Python<'_>, records: Vec<LogRecord>) -> PyResult<()> {
    let get_logger = py.import("logging")?.getattr("getLogger")?;
    for record in records {
        let logger = get_logger.call1((logger_name(&record.target),))?;
        // "%s" keeps a `%` in the message from being taken as a format directive.
        logger.call_method1("log", (python_level(record.level), "%s", record.message))?;
    }
    Ok(())
}

/// Arranges for the records of an asyncio call to be emitted once its future is done. Done
/// callbacks run in the event loop's thread, and this one is registered before the awaiting
/// task's, so the records appear before the caller's code resumes.
pub fn emit_when_done(future: &Bound<'_, PyAny>) -> PyResult<()> {
    static CALLBACK: PyOnceLock<Py<PyCFunction>> = PyOnceLock::new();
    let py = future.py();
    let callback = CALLBACK.get_or_try_init(py, || {
        PyCFunction::new_closure(
            py,
            Some(c"_emit_phasekit_logs"),
            None,
            |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| emit(args.py()),
        )
        .map(Bound::unbind)
    })?;
    future.call_method1("add_done_callback", (callback.bind(py),))?;
    Ok(())
}

/// `phasekit::transport` -> `phasekit.transport`: children of the `phasekit` logger, so that
/// configuring that one logger configures all of them.
fn logger_name(target: &str) -> String {
    let dotted = target.replace("::", ".");
    if dotted == "phasekit" || dotted.starts_with("phasekit.") {
        dotted
    } else {
        format!("phasekit.{dotted}")
    }
}

/// The `logging` module's numeric levels.
fn python_level(level: LogLevel) -> u8 {
    match level {
        LogLevel::Error => 40,
        LogLevel::Warn => 30,
        LogLevel::Info => 20,
    }
}
