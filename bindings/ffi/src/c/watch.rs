//! Watches: polling in the background on the core's runtime; the host waits for each change
//! with the blocking `phasekit_watch_next` on a thread of its own (cancelled like any call).

use super::PHASEKIT_END;
use super::call::{PhasekitCall, block_on, finish, guarded};
use super::client::PhasekitClient;
use super::error::PhasekitError;
use super::memory::{
    PhasekitOwned, PhasekitStr, PhasekitStrs, given_back, handed_out, invalid, own,
};
use super::read::{PhasekitGetOptions, PhasekitTarget};
use crate::types::WatchOptions;

/// A running watch of one scope (opaque): polling goes on in the background until it is freed.
/// `phasekit_watch_next` may be called from one thread at a time.
pub struct PhasekitWatch {
    watch: std::sync::Mutex<phasekit::Watch>,
}

/// How often a watch polls, in seconds (0: the defaults, 30 and 300): `interval` between polls
/// (each jittered), `max_backoff` the longest wait while the server cannot be reached.
#[repr(C)]
pub struct PhasekitWatchOptions {
    pub interval: f64,
    pub max_backoff: f64,
}

/// What changed between two polls: keys (prefixed with their folder outside the root), each
/// list sorted; never values. Free with `phasekit_owned_free(owner)`.
#[repr(C)]
pub struct PhasekitChange {
    pub added: PhasekitStrs,
    pub changed: PhasekitStrs,
    pub removed: PhasekitStrs,
    pub owner: *mut PhasekitOwned,
}

fn change_answer(change: phasekit::Change) -> PhasekitChange {
    let views = |keys: &[String]| keys.iter().map(|k| PhasekitStr::of(k)).collect::<Vec<_>>();
    let lists = [
        views(&change.added),
        views(&change.changed),
        views(&change.removed),
    ];
    PhasekitChange {
        added: PhasekitStrs::of(&lists[0]),
        changed: PhasekitStrs::of(&lists[1]),
        removed: PhasekitStrs::of(&lists[2]),
        owner: own((change, lists)),
    }
}

/// Starts watching the secrets that `target` and `options` (NULL: the defaults) select; the
/// first poll starts at once and sets the baseline.
///
/// Returns NULL on failure, with the error in `*error`.
///
/// # Safety
/// `client` is a live client (the watch does not need it afterwards); the structs are NULL or
/// valid during the call; `error` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_watch_new(
    client: *const PhasekitClient,
    target: *const PhasekitTarget,
    options: *const PhasekitGetOptions,
    watch: *const PhasekitWatchOptions,
    error: *mut PhasekitError,
) -> *mut PhasekitWatch {
    let made = guarded(|| {
        // SAFETY: the caller's contract.
        let (client, options, every) = unsafe {
            let (app, env) = PhasekitTarget::read(target)?;
            (
                PhasekitClient::get(client)?,
                PhasekitGetOptions::read(options, app, env)?,
                watch.as_ref(),
            )
        };
        let given = |seconds: f64| (seconds != 0.0).then_some(seconds);
        let policy = WatchOptions {
            interval: every.and_then(|w| given(w.interval)),
            max_backoff: every.and_then(|w| given(w.max_backoff)),
        }
        .policy()?;
        let runtime = phasekit::client::runtime()?;
        // The core spawns the polling task on the runtime it is called in.
        let _entered = runtime.enter();
        client.watch(options, policy).map(Some)
    });
    let mut handle = std::ptr::null_mut();
    // SAFETY: the caller's contract.
    unsafe {
        finish(made, error, |watch| {
            handle = handed_out(Box::into_raw(Box::new(PhasekitWatch {
                watch: std::sync::Mutex::new(watch),
            })));
        })
    };
    handle
}

/// Waits for the next item of a watch: `PHASEKIT_OK` with a change in `*out`;
/// `PHASEKIT_ERROR` with `*error` (a transient one, after which polling goes on, or the last
/// item); `PHASEKIT_END` once the watch has ended; `PHASEKIT_CANCELLED` when `call` (may be
/// NULL) is cancelled, which leaves the watch running.
///
/// # Safety
/// `watch` is a live watch, not freed during the call; `call` is NULL or a live handle; `out`
/// is valid for a write; `error` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_watch_next(
    watch: *const PhasekitWatch,
    call: *const PhasekitCall,
    out: *mut PhasekitChange,
    error: *mut PhasekitError,
) -> i32 {
    let outcome = guarded(|| {
        // SAFETY: the caller's contract.
        let (watch, call) = unsafe { (watch.as_ref(), call.as_ref()) };
        let watch = watch.ok_or_else(|| invalid("no watch"))?;
        if out.is_null() {
            return Err(invalid("no place for the answer"));
        }
        // A poisoned lock only means an earlier call panicked; the watch itself is intact.
        let mut watch = watch
            .watch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        block_on(call, async { Ok(watch.next().await) })
    });
    let item = match outcome {
        Ok(Some(None)) => return PHASEKIT_END,
        // A change, or an error the watch met (the host tells it from a failed call by status).
        Ok(Some(Some(item))) => item.map(Some),
        Ok(None) => Ok(None),
        Err(err) => Err(err),
    };
    // SAFETY: the caller's contract; `out` was checked when there is a change.
    unsafe { finish(item, error, |change| out.write(change_answer(change))) }
}

/// Stops a watch's polling (at once: a request in flight is abandoned; dropping the core's
/// watch aborts its polling task) and frees it. NULL is ignored.
///
/// # Safety
/// `watch` is NULL or a live watch, freed once, and no call is using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_watch_free(watch: *mut PhasekitWatch) {
    // SAFETY: the caller's contract.
    unsafe { given_back(watch) };
}
