//! The `phasekit._phasekit` extension module: a thin translation of the core client.

mod cli;
mod client;
mod errors;
mod login;
mod logs;
mod options;
mod runtime;
mod types;
mod watch;

use pyo3::prelude::*;

#[pymodule]
fn _phasekit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    logs::install();
    runtime::wait_for_tasks_at_exit(m.py())?;
    // After the hook above, so that it runs before it (atexit runs the last registered first).
    watch::close_all_at_exit(m.py())?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::AsyncClient>()?;
    m.add_class::<types::PySecret>()?;
    m.add_class::<types::App>()?;
    m.add_class::<types::Environment>()?;
    m.add_class::<types::PyGetResult>()?;
    m.add_class::<types::Stats>()?;
    m.add_class::<types::Change>()?;
    m.add_class::<watch::Watch>()?;
    login::register(m)?;
    m.add_function(wrap_pyfunction!(cli::main, m)?)?;
    errors::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
