//! The core's diagnostics (`tracing`) made visible in Node, which has no logging module of its
//! own: lines on stderr, like Node's own warnings. Warnings (e.g. TLS verification turned off)
//! always; each request's method, path, status and time once a client asks for `debug`
//! (or `PHASE_DEBUG`). Never headers, bodies or values: the core logs none.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing::Level;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::prelude::*;

static REQUESTS: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();

/// Installs the stderr logger once per process; `requests` turns request lines on for good.
pub fn enable(requests: bool) {
    if requests {
        REQUESTS.store(true, Ordering::Relaxed);
    }
    INSTALL.call_once(|| {
        // Evaluated for every event (not cached per call site), so `REQUESTS` can change later.
        let visible = filter_fn(|metadata| {
            metadata.target().starts_with("phasekit")
                && (*metadata.level() <= Level::WARN
                    || (*metadata.level() <= Level::INFO && REQUESTS.load(Ordering::Relaxed)))
        });
        let lines = tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .with_filter(visible);
        // Another subscriber of this library already installed (cannot happen from Node,
        // where this addon is the only user): keep it.
        let _ = tracing_subscriber::registry().with(lines).try_init();
    });
}
