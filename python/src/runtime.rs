//! Running core futures from Python: blocking calls release the GIL around the core's
//! process-wide runtime (in the main thread, taking it back now and then for Python's signal
//! handlers); asyncio calls return awaitables driven by that same runtime, which is rebuilt after
//! `os.fork()` (pyo3-async-runtimes' own runtime could not be), and cancelling one drops its
//! future (as pyo3-async-runtimes does for any awaitable). At exit, the interpreter waits briefly
//! for the runtime's threads to be done with Python (`InFlight`).

use std::ffi::CStr;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyCFunction, PyDict, PyTuple};
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, Runtime};

use crate::errors::to_py;

/// How long a blocking call waits with the GIL released before it looks for a signal: Python
/// runs signal handlers (`KeyboardInterrupt` for Ctrl-C) only when a thread holding the GIL
/// checks, and a call that never checked would answer Ctrl-C only once its deadline passed.
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// Runs a future to completion with the GIL released, then passes what the core logged meanwhile
/// on to `logging` (in this thread, which holds the GIL again). In the main thread, a signal
/// handler that raises (Ctrl-C) ends the call with its exception; the future is dropped, which
/// cancels its request.
pub fn block_on<T: Send>(
    py: Python<'_>,
    future: impl Future<Output = PyResult<T>> + Send,
) -> PyResult<T> {
    let runtime = phasekit::client::runtime().map_err(to_py)?;
    let look_for_signals = runs_signal_handlers(py);
    let result = py.detach(|| {
        // Each wait's timer needs the runtime's context, and so may dropping an interrupted
        // future; declared first, the guard outlives the future.
        let _entered = runtime.enter();
        let mut future = std::pin::pin!(future);
        if look_for_signals {
            loop {
                let waited = runtime.block_on(tokio::time::timeout(SIGNAL_CHECK, future.as_mut()));
                if let Ok(done) = waited {
                    return done;
                }
                // Not attachable: the interpreter is finalizing, and no handler will run again.
                match Python::try_attach(|py| py.check_signals()) {
                    Some(checked) => checked?,
                    None => break,
                }
            }
        }
        runtime.block_on(future)
    });
    crate::logs::emit(py);
    result
}

/// Whether Python runs signal handlers in this thread: only in its main thread. Elsewhere a
/// blocking call would take the GIL back for nothing, and could try while the interpreter
/// finalizes (a daemon thread still waiting as the program ends), which fails (pyo3 panics).
fn runs_signal_handlers(py: Python<'_>) -> bool {
    static MAIN_THREAD: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    static GET_IDENT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let compare = || -> PyResult<bool> {
        // `main_thread()`, not an ident kept from import time: after `os.fork()` in another
        // thread, that thread is the child's main thread.
        let main = MAIN_THREAD
            .import(py, "threading", "main_thread")?
            .call0()?
            .getattr("ident")?;
        let current = GET_IDENT.import(py, "threading", "get_ident")?.call0()?;
        main.eq(current)
    };
    // Failing to tell, the call waits as it would in any other thread.
    compare().unwrap_or(false)
}

/// Wraps a future as an asyncio awaitable of the running event loop; what the core logs while it
/// runs is passed on to `logging` in the loop's thread once it is done.
pub fn awaitable<'py, T>(
    py: Python<'py>,
    future: impl Future<Output = PyResult<T>> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let awaitable = pyo3_async_runtimes::generic::future_into_py::<CoreRuntime, _, T>(py, future)?;
    crate::logs::emit_when_done(&awaitable)?;
    Ok(awaitable)
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
                let in_flight = InFlight::enter();
                let handle = runtime.spawn(async move {
                    let _in_flight = in_flight;
                    future.await
                });
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
                let in_flight = InFlight::enter();
                let handle = runtime.spawn_blocking(move || {
                    let _in_flight = in_flight;
                    f()
                });
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

/// The longest an exiting interpreter waits for the runtime's tasks to leave Python.
const EXIT_WAIT: Duration = Duration::from_secs(1);

/// Tasks and blocking closures that pyo3-async-runtimes runs on the core's runtime for
/// awaitables, counted while they may still take the GIL: each ends by taking it to hand its
/// result to the event loop. Should that happen while the interpreter finalizes (the awaiting
/// code has already resumed and the program is exiting), the process aborts in
/// `PyGILState_Release`. Watch threads (`crate::watch`) are counted too: once closed, they
/// take the GIL a last time on their way out. An `atexit` hook therefore waits, with the GIL
/// released, until none is left. The count is kept with the process id in one atomic
/// (pid << 32 | count) so that a forked child, whose runtime starts empty, does not wait for
/// its parent's tasks; no lock, so that none can be inherited held across `fork`.
static IN_FLIGHT: AtomicU64 = AtomicU64::new(0);

pub(crate) struct InFlight;

impl InFlight {
    pub(crate) fn enter() -> InFlight {
        update_in_flight(|count| count.saturating_add(1));
        InFlight
    }

    /// Tasks of this process that may still take the GIL.
    fn pending() -> u32 {
        let packed = IN_FLIGHT.load(Ordering::Acquire);
        if (packed >> 32) as u32 == std::process::id() {
            packed as u32
        } else {
            0
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        update_in_flight(|count| count.saturating_sub(1));
    }
}

/// Applies `change` to this process's count (a count left by another process is zero here).
fn update_in_flight(change: impl Fn(u32) -> u32) {
    let pid = std::process::id();
    let _ = IN_FLIGHT.fetch_update(Ordering::AcqRel, Ordering::Acquire, |packed| {
        let count = if (packed >> 32) as u32 == pid {
            packed as u32
        } else {
            0
        };
        Some((u64::from(pid) << 32) | u64::from(change(count)))
    });
}

/// Registers the `atexit` hook that lets the runtime's tasks leave Python before the
/// interpreter finalizes (`atexit` hooks run before finalization starts). The wait is bounded:
/// a task still waiting on the network at exit does not hold the process up for long.
pub fn wait_for_tasks_at_exit(py: Python<'_>) -> PyResult<()> {
    at_exit(py, c"_phasekit_wait_for_tasks", |py| {
        py.detach(|| {
            let give_up = Instant::now() + EXIT_WAIT;
            while InFlight::pending() > 0 && Instant::now() < give_up {
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    })
}

/// Registers `hook` with `atexit` as a function named `name`.
pub(crate) fn at_exit(
    py: Python<'_>,
    name: &'static CStr,
    hook: impl Fn(Python<'_>) + Send + Sync + 'static,
) -> PyResult<()> {
    let hook = PyCFunction::new_closure(
        py,
        Some(name),
        None,
        move |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| hook(args.py()),
    )?;
    py.import("atexit")?.call_method1("register", (hook,))?;
    Ok(())
}
