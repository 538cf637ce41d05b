//! The `phasekit._phasekit` extension module: a thin translation of the core client.

mod client;
mod errors;
mod logs;
mod options;
mod runtime;
mod types;

use pyo3::prelude::*;

#[pymodule]
fn _phasekit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    logs::install();
    runtime::wait_for_tasks_at_exit(m.py())?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::AsyncClient>()?;
    m.add_class::<types::PySecret>()?;
    m.add_class::<types::PyApp>()?;
    m.add_class::<types::PyEnvironment>()?;
    errors::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
