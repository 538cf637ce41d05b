//! Every network call: a Promise settled from the core's process-wide runtime, so the event
//! loop never waits. Values and errors are converted on the JavaScript thread.

use std::future::Future;

use napi::bindgen_prelude::{Env, Object, Result, ToNapiValue};

use crate::errors;

/// Runs `work` on the core's runtime and settles the returned Promise with `convert(value)` or
/// with the `PhaseError` of the core error. A `work` that could not even be prepared (a bad
/// argument) rejects the Promise rather than throwing, as JavaScript callers expect of an
/// async function. A panic in `work` (a phasekit bug) rejects with a plain `Error` instead of
/// leaving the Promise pending.
pub fn spawn<'env, T, V, W, C>(env: &'env Env, work: Result<W>, convert: C) -> Result<Object<'env>>
where
    T: Send + 'static,
    V: ToNapiValue + 'static,
    W: Future<Output = phasekit::Result<T>> + Send + 'static,
    C: FnOnce(T) -> V + Send + 'static,
{
    spawn_then(env, work, move |_, value| Ok(convert(value)))
}

/// [`spawn`], finishing with a step on the JavaScript thread that may touch JavaScript state
/// (e.g. `process.env`) and may fail.
pub fn spawn_then<'env, T, V, W, F>(
    env: &'env Env,
    work: Result<W>,
    finish: F,
) -> Result<Object<'env>>
where
    T: Send + 'static,
    V: ToNapiValue + 'static,
    W: Future<Output = phasekit::Result<T>> + Send + 'static,
    F: FnOnce(&Env, T) -> Result<V> + Send + 'static,
{
    let (deferred, promise) = env.create_deferred()?;
    let runtime = phasekit::client::runtime().map_err(|error| errors::to_js(env, &error));
    match runtime.and_then(|runtime| work.map(|work| (runtime, work))) {
        Err(failure) => deferred.reject(failure),
        Ok((runtime, work)) => {
            let task = runtime.spawn(work);
            runtime.spawn(async move {
                let outcome = task.await;
                deferred.resolve(move |env| match outcome {
                    Ok(Ok(value)) => finish(&env, value),
                    Ok(Err(error)) => Err(errors::to_js(&env, &error)),
                    Err(_) => Err(napi::Error::from_reason(
                        "phasekit internal error: the operation panicked",
                    )),
                });
            });
        }
    }
    Ok(promise)
}
