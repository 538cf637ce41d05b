//! Core futures on the core's runtime, whatever executor awaits them, aborted when dropped.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use phasekit::ErrorCode;

use super::PhaseError;
use crate::types;

/// A core task on the process-wide runtime, aborted when its awaiting future is dropped.
struct Task<T>(tokio::task::JoinHandle<T>);

impl<T> Future for Task<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs a core future on the core's runtime, whatever executor awaits the result.
pub(super) async fn run<T: Send + 'static>(
    work: impl Future<Output = phasekit::Result<T>> + Send + 'static,
) -> Result<T, PhaseError> {
    let runtime = phasekit::client::runtime()?;
    match Task(runtime.spawn(work)).await {
        Ok(answer) => answer.map_err(PhaseError::from),
        Err(failure) if failure.is_panic() => {
            Err(types::panic_error(&*failure.into_panic()).into())
        }
        Err(_) => Err(phasekit::Error::new(ErrorCode::Network, "the call was cancelled").into()),
    }
}
