//! Running core futures from Python: blocking calls release the GIL around the core's
//! process-wide runtime; asyncio calls return awaitables driven by that same runtime, which is
//! rebuilt after `os.fork()` (pyo3-async-runtimes' own runtime could not be).

use std::future::Future;
use std::pin::Pin;

use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, Runtime};

use crate::errors::to_py;

/// Runs a future to completion with the GIL released.
pub fn block_on<T: Send>(
    py: Python<'_>,
    future: impl Future<Output = PyResult<T>> + Send,
) -> PyResult<T> {
    let runtime = phasekit::client::runtime().map_err(to_py)?;
    py.detach(|| runtime.block_on(future))
}

/// Wraps a future as an asyncio awaitable of the running event loop.
pub fn awaitable<'py, T>(
    py: Python<'py>,
    future: impl Future<Output = PyResult<T>> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    pyo3_async_runtimes::generic::future_into_py::<CoreRuntime, _, T>(py, future)
}

/// The core's runtime, as pyo3-async-runtimes sees it.
pub struct CoreRuntime;

tokio::task_local! {
    static TASK_LOCALS: std::cell::OnceCell<TaskLocals>;
}

/// Spawn failures (no runtime could be started) surface as a failed join.
#[derive(Debug)]
pub struct SpawnError;

impl pyo3_async_runtimes::generic::JoinError for SpawnError {
    fn is_panic(&self) -> bool {
        false
    }

    fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        Box::new("the phasekit runtime could not run the task")
    }
}

impl Runtime for CoreRuntime {
    type JoinError = SpawnError;
    type JoinHandle = Pin<Box<dyn Future<Output = Result<(), SpawnError>> + Send>>;

    fn spawn<F>(future: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        match phasekit::client::runtime() {
            Ok(runtime) => {
                let handle = runtime.spawn(future);
                Box::pin(async move { handle.await.map_err(|_| SpawnError) })
            }
            Err(_) => Box::pin(async { Err(SpawnError) }),
        }
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        match phasekit::client::runtime() {
            Ok(runtime) => {
                let handle = runtime.spawn_blocking(f);
                Box::pin(async move { handle.await.map_err(|_| SpawnError) })
            }
            Err(_) => Box::pin(async { Err(SpawnError) }),
        }
    }
}

impl ContextExt for CoreRuntime {
    fn scope<F, R>(locals: TaskLocals, future: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = std::cell::OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, future))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS
            .try_with(|cell| cell.get().cloned())
            .unwrap_or_default()
    }
}
