//! Cancellation handles, and the one shape of every blocking call: run on the core's runtime
//! until done or cancelled, no panic escaping, the answer or the error written for the host.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};

use phasekit::Error;
use tokio::sync::Notify;

use super::error::PhasekitError;
use super::memory::{given_back, handed_out, invalid};
use super::{PHASEKIT_CANCELLED, PHASEKIT_ERROR, PHASEKIT_OK};
use crate::types::panic_error;

/// The cancellation handle of one call at a time (opaque).
pub struct PhasekitCall {
    cancelled: AtomicBool,
    wake: Notify,
}

impl PhasekitCall {
    async fn cancelled(&self) {
        loop {
            if self.cancelled.load(Ordering::SeqCst) {
                return;
            }
            // `notify_one` stores a permit when nobody waits yet: no wake-up is lost.
            self.wake.notified().await;
        }
    }
}

/// A new cancellation handle for one call.
#[unsafe(no_mangle)]
pub extern "C" fn phasekit_call_new() -> *mut PhasekitCall {
    handed_out(Box::into_raw(Box::new(PhasekitCall {
        cancelled: AtomicBool::new(false),
        wake: Notify::new(),
    })))
}

/// Cancels the call that uses `call` (now or when it starts). May be called from any thread,
/// any number of times; NULL is ignored.
///
/// # Safety
/// `call` is NULL or a live handle from `phasekit_call_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_call_cancel(call: *const PhasekitCall) {
    // SAFETY: the caller's contract.
    if let Some(call) = unsafe { call.as_ref() } {
        call.cancelled.store(true, Ordering::SeqCst);
        call.wake.notify_one();
    }
}

/// Frees a cancellation handle. NULL is ignored.
///
/// # Safety
/// `call` is NULL or came from `phasekit_call_new`, is freed once, and no call or cancel is
/// using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_call_free(call: *mut PhasekitCall) {
    // SAFETY: the caller's contract.
    unsafe { given_back(call) };
}

/// Blocks the calling thread on the core's runtime until `work` is done, or `call` (if any) is
/// cancelled (`Ok(None)`; `work` is dropped, which stops it).
pub(crate) fn block_on<T>(
    call: Option<&PhasekitCall>,
    work: impl Future<Output = Result<T, Error>>,
) -> Result<Option<T>, Error> {
    let runtime = phasekit::client::runtime()?;
    runtime.block_on(async {
        match call {
            None => work.await.map(Some),
            Some(call) => tokio::select! {
                biased;
                () = call.cancelled() => Ok(None),
                answer = work => answer.map(Some),
            },
        }
    })
}

/// `f` with a panic turned into an error.
pub(crate) fn guarded<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| Err(panic_error(&*panic)))
}

/// The status of a call whose outcome is `outcome` (`None`: cancelled): the answer goes to
/// `deliver`, an error to `*error` (when not NULL).
///
/// # Safety
/// `error` is NULL or valid for a write.
pub(crate) unsafe fn finish<T>(
    outcome: Result<Option<T>, Error>,
    error: *mut PhasekitError,
    deliver: impl FnOnce(T),
) -> i32 {
    match outcome {
        Ok(Some(answer)) => {
            deliver(answer);
            PHASEKIT_OK
        }
        Ok(None) => PHASEKIT_CANCELLED,
        Err(err) => {
            // SAFETY: the caller's contract.
            unsafe { PhasekitError::put(error, &err) };
            PHASEKIT_ERROR
        }
    }
}

/// Runs one operation: `start` reads the arguments and makes the core's future, which runs
/// until done or cancelled through `call`; `answer` turns its result into the host's struct,
/// written to `*out`.
///
/// # Safety
/// `call` is NULL or a live handle; `out` is valid for a write (checked not NULL); `error` is
/// NULL or valid for a write.
pub(crate) unsafe fn run<F, T, O>(
    call: *const super::PhasekitCall,
    out: *mut O,
    error: *mut PhasekitError,
    start: impl FnOnce() -> Result<F, Error>,
    answer: impl FnOnce(T) -> O,
) -> i32
where
    F: Future<Output = Result<T, Error>>,
{
    let outcome = guarded(|| {
        if out.is_null() {
            return Err(invalid("no place for the answer"));
        }
        // SAFETY: the caller's contract.
        let call = unsafe { call.as_ref() };
        Ok(block_on(call, start()?)?.map(answer))
    });
    // SAFETY: the caller's contract; `out` was checked.
    unsafe { finish(outcome, error, |made| out.write(made)) }
}

/// [`run`] for an operation without an answer.
///
/// # Safety
/// As for [`run`], without `out`.
pub(crate) unsafe fn run_unit<F>(
    call: *const super::PhasekitCall,
    error: *mut PhasekitError,
    start: impl FnOnce() -> Result<F, Error>,
) -> i32
where
    F: Future<Output = Result<(), Error>>,
{
    let outcome = guarded(|| {
        // SAFETY: the caller's contract.
        let call = unsafe { call.as_ref() };
        block_on(call, start()?)
    });
    // SAFETY: the caller's contract.
    unsafe { finish(outcome, error, |()| ()) }
}
