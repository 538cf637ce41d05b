//! The `phasekit` console script of the Python package (`[project.scripts]`): the command line
//! of the phasekit-cli crate, run in this process with the GIL released.

use pyo3::prelude::*;

/// Runs `phasekit` with `sys.argv` and returns its exit code (the console script exits with it).
#[pyfunction]
pub fn main(py: Python<'_>) -> PyResult<i32> {
    let argv: Vec<std::ffi::OsString> = py.import("sys")?.getattr("argv")?.extract()?;
    // Python's own handlers would turn a signal meant for `run`'s child into a
    // KeyboardInterrupt once the call returns: the command line handles these itself.
    let signal = py.import("signal")?;
    let default = signal.getattr("SIG_DFL")?;
    for name in [
        "SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2",
    ] {
        signal.call_method1("signal", (signal.getattr(name)?, &default))?;
    }
    let mut args = vec![std::ffi::OsString::from("phasekit")];
    args.extend(argv.into_iter().skip(1));
    Ok(py.detach(|| phasekit_cli::main(args)))
}
