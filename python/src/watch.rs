//! `client.watch(...)`: the core's watch (polling, backoff, diffing) with its items handed to
//! Python callbacks. Each watch has a daemon thread of its own, started through `threading`,
//! that waits for the core's next item with the GIL released and calls `on_change(Change)` or
//! `on_error(PhaseError)` with it held; the same for `Client` and `AsyncClient`, so that no
//! callback ever runs on the core's runtime threads (see `crate::logs` for why) or blocks an
//! event loop.
//!
//! The thread, not the `Watch` object, keeps a watch running: a watch that nobody holds on to
//! goes on until `close()` (or the end of the process), as a thread would. `close()` may be
//! called from any thread, a callback included: it never waits for a callback to return, only
//! for the polling to stop, and no callback starts after it returned. An `atexit` hook closes
//! every open watch so that their threads leave Python before the interpreter finalizes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use phasekit::{GetOptions, WatchPolicy};
use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyTuple};
use tokio::runtime::Runtime;
use tokio::sync::Notify;

use crate::errors::{invalid, to_py};
use crate::runtime::{InFlight, at_exit};
use crate::types::Change;

/// The logger of what a watch reports on its own: errors nobody handles, failed callbacks.
const LOGGER: &str = "phasekit.watch";

/// The longest `close()` waits for the watch's thread to let go of the core's watch. The thread
/// lets go as soon as it is woken, so this only bounds the unexpected.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// What the `Watch` object and its thread share.
struct Shared {
    /// Set by `close()` or when the watch ended; read with the GIL held before each callback.
    closed: AtomicBool,
    /// Wakes the thread out of its wait for the next item.
    wake: Notify,
    /// The core's watch; dropping it stops the polling. Held by the thread only while it waits
    /// for an item, never during a callback, so that `close()` can take it at once.
    watch: tokio::sync::Mutex<Option<phasekit::Watch>>,
    /// The process that started the watch: after `fork` the thread and the polling task are
    /// the parent's, and the child must not wait for them.
    pid: u32,
}

/// What the thread got from the core.
enum Step {
    Item(phasekit::Result<phasekit::Change>),
    /// The core's watch is over (after its final error) or was taken by `close()`.
    Ended,
    Woken,
}

impl Shared {
    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    async fn next(&self) -> Step {
        let mut slot = self.watch.lock().await;
        let Some(watch) = slot.as_mut() else {
            return Step::Ended;
        };
        // Both are cancel-safe: an item not taken now is taken next time.
        tokio::select! {
            item = watch.next() => item.map_or(Step::Ended, Step::Item),
            () = self.wake.notified() => Step::Woken,
        }
    }

    /// Stops the watch: no callback starts after this returns, and the polling is stopped.
    fn close(&self, py: Python<'_>) {
        if self.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        // A permit is kept when the thread is not waiting yet, so the wake-up cannot be missed.
        self.wake.notify_one();
        if self.pid != std::process::id() {
            return;
        }
        // Stop polling now, not when the thread gets round to it: it may be in a callback of
        // a long-running user function. The GIL is released so that the thread can get out
        // of its wait, which needs no GIL, whatever it is doing.
        py.detach(|| {
            let give_up = Instant::now() + CLOSE_WAIT;
            loop {
                if let Ok(mut slot) = self.watch.try_lock() {
                    drop(slot.take());
                    return;
                }
                if Instant::now() >= give_up {
                    return;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        });
    }

    /// The thread is done: the watch counts as closed and its polling stops.
    fn finish(&self) {
        self.closed.store(true, Ordering::SeqCst);
        if let Ok(mut slot) = self.watch.try_lock() {
            drop(slot.take());
        }
    }
}

/// Watches that may still run, for the exit hook.
static LIVE: Mutex<Vec<Weak<Shared>>> = Mutex::new(Vec::new());

fn register(shared: &Arc<Shared>) {
    let mut live = LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    live.retain(|w| w.upgrade().is_some_and(|s| !s.is_closed()));
    live.push(Arc::downgrade(shared));
}

/// Registers the `atexit` hook that closes every open watch. `atexit` runs its hooks last
/// registered first, so with this registered after `runtime::wait_for_tasks_at_exit`, the
/// watches are closed first and that hook then waits (briefly) for their threads to leave
/// Python, as it does for the runtime's tasks.
pub fn close_all_at_exit(py: Python<'_>) -> PyResult<()> {
    at_exit(py, c"_phasekit_close_watches", |py| {
        let open: Vec<Arc<Shared>> = LIVE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .drain(..)
            .filter_map(|w| w.upgrade())
            .collect();
        for shared in open {
            shared.close(py);
        }
    })
}

/// What the thread needs: the shared state, the callbacks and the runtime to wait on.
struct Runner {
    shared: Arc<Shared>,
    on_change: Py<PyAny>,
    on_error: Option<Py<PyAny>>,
    runtime: Arc<Runtime>,
}

impl Runner {
    /// The thread's whole life.
    fn run(&self, py: Python<'_>) {
        // Counted like the runtime's tasks, so that an exiting interpreter waits (briefly) for
        // this thread to leave Python.
        let _in_flight = InFlight::enter();
        while !self.shared.is_closed() {
            let step = py.detach(|| self.runtime.block_on(self.shared.next()));
            // The polling's request records, and the core's warnings, in this thread.
            crate::logs::emit(py);
            match step {
                Step::Woken => {}
                Step::Ended => break,
                // `close()` sets the flag with the GIL held, and it is read here with the GIL
                // held right before the call: a callback never starts after `close()` returned.
                Step::Item(_) if self.shared.is_closed() => break,
                Step::Item(item) => self.deliver(py, item),
            }
        }
        self.shared.finish();
    }

    fn deliver(&self, py: Python<'_>, item: phasekit::Result<phasekit::Change>) {
        let called = match item {
            Ok(change) => Py::new(py, Change::from(change))
                .and_then(|change| self.on_change.call1(py, (change,))),
            Err(err) => match &self.on_error {
                Some(on_error) => on_error.call1(py, (to_py(err).value(py),)),
                None => log(
                    py,
                    "warning",
                    format!("the watch could not poll: {err}"),
                    None,
                ),
            },
        };
        if let Err(failure) = called {
            // A failing callback must not end the watch (it may fail for one change only),
            // nor go unnoticed: it is logged with its traceback.
            let logged = log(
                py,
                "error",
                "a watch callback raised an exception; the watch goes on".to_owned(),
                Some(failure.value(py).as_any()),
            );
            if let Err(broken) = logged {
                failure.write_unraisable(py, None);
                broken.write_unraisable(py, None);
            }
        }
    }
}

/// Logs `message` on the `phasekit.watch` logger at `level` ("warning", "error"), with an
/// exception's traceback when given. Returns what the logger returned, to fit `deliver`.
fn log(
    py: Python<'_>,
    level: &str,
    message: String,
    exception: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let logger = py.import("logging")?.call_method1("getLogger", (LOGGER,))?;
    let kwargs = PyDict::new(py);
    if let Some(exception) = exception {
        kwargs.set_item("exc_info", exception)?;
    }
    // "%s" keeps a `%` in the message from being taken as a format directive.
    logger
        .call_method(level, ("%s", message), Some(&kwargs))
        .map(Bound::unbind)
}

/// A running watch (`client.watch(...)`): `close()` stops it; usable as a context manager.
#[pyclass(frozen, module = "phasekit", name = "Watch")]
pub struct Watch {
    shared: Arc<Shared>,
    env: String,
    path: Option<String>,
}

impl Watch {
    /// Starts the core's watch and the thread that hands its items to the callbacks.
    pub fn start(
        py: Python<'_>,
        client: &phasekit::Client,
        options: GetOptions,
        policy: WatchPolicy,
        on_change: Py<PyAny>,
        on_error: Option<Py<PyAny>>,
    ) -> PyResult<Watch> {
        if !on_change.bind(py).is_callable() {
            return Err(invalid("on_change must be callable"));
        }
        if on_error.as_ref().is_some_and(|f| !f.bind(py).is_callable()) {
            return Err(invalid("on_error must be callable or None"));
        }
        let (env, path) = (options.env.clone(), options.path.clone());
        let runtime = phasekit::client::runtime().map_err(to_py)?;
        let watch = {
            // The core's watch spawns its polling task on the runtime it is called in.
            let _entered = runtime.enter();
            client.watch(options, policy).map_err(to_py)?
        };
        let shared = Arc::new(Shared {
            closed: AtomicBool::new(false),
            wake: Notify::new(),
            watch: tokio::sync::Mutex::new(Some(watch)),
            pid: std::process::id(),
        });
        let runner = Runner {
            shared: shared.clone(),
            on_change,
            on_error,
            runtime,
        };
        let target = PyCFunction::new_closure(
            py,
            Some(c"_phasekit_watch"),
            None,
            move |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| runner.run(args.py()),
        )?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("target", target)?;
        kwargs.set_item("name", format!("phasekit-watch {env}"))?;
        // A daemon: an open watch must not keep the process from exiting.
        kwargs.set_item("daemon", true)?;
        let started = py
            .import("threading")?
            .getattr("Thread")?
            .call((), Some(&kwargs))
            .and_then(|thread| thread.call_method0("start"));
        if let Err(failure) = started {
            shared.close(py);
            return Err(failure);
        }
        register(&shared);
        Ok(Watch { shared, env, path })
    }
}

#[pymethods]
impl Watch {
    /// Stops polling; no callback starts after this returns. Idempotent, and safe to call
    /// from a callback.
    fn close(&self, py: Python<'_>) {
        self.shared.close(py);
    }

    /// True once `close()` was called or the watch ended after an error that polling again
    /// cannot fix (e.g. access revoked).
    #[getter]
    fn closed(&self) -> bool {
        self.shared.is_closed()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Closes the watch; never suppresses the exception of the `with` block.
    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) {
        self.close(py);
    }

    fn __repr__(&self) -> String {
        let path = match &self.path {
            Some(path) => format!("{path:?}"),
            None => "None".to_owned(),
        };
        let closed = if self.closed() { "True" } else { "False" };
        format!("Watch(env={:?}, path={path}, closed={closed})", self.env)
    }
}
