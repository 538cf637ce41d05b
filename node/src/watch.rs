//! `client.watch(options, callback)`: the core's watch (polling, backoff, diffing) with its
//! changes and errors handed to a JavaScript callback.
//!
//! The callback is a threadsafe function: a task on the core's runtime waits for the next item
//! and queues it, and Node calls the callback on the JavaScript thread of the realm that created
//! the watch (the main thread or a worker), so the event loop never waits. Like a timer, an open
//! watch keeps the event loop alive (`unref()` lets the process exit anyway).
//!
//! Ending it: `close()` aborts the threadsafe function, which discards items already queued
//! (so that the callback is never called after `close()` returns), and stops the task, whose
//! core watch stops polling when dropped. After a final error the task releases the threadsafe
//! function once that error has been delivered. Node finalizes the threadsafe function in every
//! case, also when a worker's realm is torn down with the watch still open; its finalizer stops
//! the task, so no polling outlives the realm it reports to.

use std::sync::{Arc, Mutex, MutexGuard};

use napi::Status;
use napi::bindgen_prelude::{
    Either, Env, FnArgs, FromNapiValue, Function, JsValue, Object, Result, This, Unknown, ValueType,
};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

use crate::arguments::parse;
use crate::client::Client;
use crate::errors;
use crate::options::WatchOptions;
use crate::types::Change;

/// One item of the core's watch: a change, or an error (transient, or the last item).
type Event = phasekit::Result<phasekit::Change>;

/// `callback(error, change)`: `(null, change)` or `(error, undefined)`.
type CallbackArgs = FnArgs<(Option<Unknown<'static>>, Either<Change, ()>)>;

type Callback = ThreadsafeFunction<Event, Unknown<'static>, CallbackArgs, Status, false>;

/// What the handle, the forwarding task and the threadsafe function's finalizer share.
#[derive(Default)]
struct Shared {
    /// The way to the JavaScript callback; taken by whoever ends the watch first.
    callback: Mutex<Option<Callback>>,
    /// Aborts the forwarding task (set once the task runs).
    stop: Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

/// A poisoned lock only means that another thread panicked while holding it; the `Option`s
/// inside are still meaningful.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn stop_task(&self) {
        let stop = lock(&self.stop).take();
        if let Some(stop) = stop {
            stop();
        }
    }
}

/// Lives in the threadsafe function's conversion closure, which Node drops when it finalizes
/// the threadsafe function: then nobody can receive changes any more, so the polling stops.
struct StopOnFinalize(Arc<Shared>);

impl Drop for StopOnFinalize {
    fn drop(&mut self) {
        self.0.stop_task();
    }
}

/// The callback's arguments, made on the JavaScript thread.
fn arguments(env: &Env, event: Event) -> Result<CallbackArgs> {
    Ok(match event {
        Ok(change) => FnArgs::from((None, Either::A(Change::from(change)))),
        Err(error) => FnArgs::from((Some(errors::create(env, &error)?), Either::B(()))),
    })
}

/// A running watch, returned by `client.watch()`. `close()` stops it.
#[napi]
pub struct Watch {
    shared: Arc<Shared>,
}

#[napi]
impl Watch {
    /// Stops polling; the callback is not called again, even with changes already found.
    /// Idempotent. Lets the event loop exit.
    #[napi]
    pub fn close(&self) {
        let callback = lock(&self.shared.callback).take();
        if let Some(callback) = callback {
            // Abort rather than release: a release would still deliver what is queued.
            #[allow(deprecated)]
            let _ = callback.abort();
        }
        self.shared.stop_task();
    }

    /// Lets the process exit while this watch is open (like `timeout.unref()`).
    #[napi(ts_return_type = "this")]
    pub fn unref<'env>(&self, env: &Env, this: This<'env>) -> Result<Object<'env>> {
        if let Some(callback) = lock(&self.shared.callback).as_mut() {
            #[allow(deprecated)]
            callback.unref(env)?;
        }
        Ok(this.object)
    }

    /// Keeps the process alive while this watch is open again (the default).
    #[napi(js_name = "ref", ts_return_type = "this")]
    pub fn refer<'env>(&self, env: &Env, this: This<'env>) -> Result<Object<'env>> {
        if let Some(callback) = lock(&self.shared.callback).as_mut() {
            #[allow(deprecated)]
            callback.refer(env)?;
        }
        Ok(this.object)
    }
}

#[napi]
impl Client {
    /// Polls the secrets `options` select and calls `callback(null, { added, changed,
    /// removed })` when they change (the first poll sets the baseline), or `callback(error)`:
    /// transient failures (network, timeouts, 5xx, 429) are reported and polling goes on with
    /// backoff; any other error (e.g. access revoked) is the last call. An open watch keeps
    /// the event loop alive until `close()`.
    #[napi(
        ts_args_type = "options: WatchOptions, callback: (...call: [error: PhaseError, change: undefined] | [error: null, change: WatchChange]) => void",
        ts_return_type = "Watch"
    )]
    pub fn watch(&self, env: &Env, options: Unknown, callback: Unknown) -> Result<Watch> {
        let (options, policy) =
            parse::<WatchOptions>(env, options, "watch options")?.into_core(env)?;
        if callback.get_type()? != ValueType::Function {
            return Err(errors::invalid(env, "watch: callback must be a function"));
        }
        // SAFETY: `callback` is a live function handle of this call's scope in `env`.
        let callback =
            unsafe { Function::<CallbackArgs>::from_napi_value(env.raw(), callback.raw()) }?;
        let runtime = phasekit::client::runtime().map_err(|error| errors::to_js(env, &error))?;
        let mut watch = {
            // The core's watch spawns its polling task on the runtime it is called in.
            let _entered = runtime.enter();
            self.inner.watch(options, policy)
        }
        .map_err(|error| errors::to_js(env, &error))?;

        let shared = Arc::new(Shared::default());
        let on_finalize = StopOnFinalize(shared.clone());
        let threadsafe = callback
            .build_threadsafe_function::<Event>()
            .callee_handled::<false>()
            .build_callback(move |call| {
                let _owned_until_finalized = &on_finalize;
                arguments(&call.env, call.value)
            })?;
        *lock(&shared.callback) = Some(threadsafe);

        let forwarding = shared.clone();
        let task = runtime.spawn(async move {
            while let Some(item) = watch.next().await {
                let queued = match lock(&forwarding.callback).as_ref() {
                    Some(callback) => {
                        callback.call(item, ThreadsafeFunctionCallMode::NonBlocking) == Status::Ok
                    }
                    None => false,
                };
                if !queued {
                    // Closed, or the realm is gone: dropping `watch` stops the polling.
                    return;
                }
            }
            // The watch ended after its final error: release the callback once that error
            // has been delivered, which lets the event loop exit.
            let callback = lock(&forwarding.callback).take();
            drop(callback);
        });
        *lock(&shared.stop) = Some(Box::new(move || task.abort()));
        Ok(Watch { shared })
    }
}
