//! `Watcher`: a running watch that Swift iterates (Sources/Phasekit/WatchSequence.swift).

use std::sync::Arc;

use super::PhaseError;
use super::task::run;
use crate::types::Change;

/// Set once by `Watcher::close`; wakes a `next` that is waiting.
#[derive(Default)]
struct Closed {
    flag: std::sync::atomic::AtomicBool,
    wake: tokio::sync::Notify,
}

impl Closed {
    fn is_set(&self) -> bool {
        self.flag.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn set(&self) {
        self.flag.store(true, std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    async fn wait(&self) {
        loop {
            let notified = self.wake.notified();
            // Checked after registering for the wake-up, so that a `set` in between is seen.
            if self.is_set() {
                return;
            }
            notified.await;
        }
    }
}

/// A running watch (`PhaseClient.watch`). Swift iterates it with `for try await change in
/// watcher.changes` (Sources/Phasekit/WatchSequence.swift) or calls `next()` until `nil`.
#[derive(uniffi::Object)]
pub struct Watcher {
    /// `None` once closed: dropping the core's watch stops its polling.
    watch: Arc<tokio::sync::Mutex<Option<phasekit::Watch>>>,
    closed: Arc<Closed>,
}

#[uniffi::export]
impl Watcher {
    /// The next change; throws the errors the watch meets (transient ones, after which polling
    /// goes on, and a last one after which it ends); `nil` once the watch has ended or is
    /// closed.
    pub async fn next(&self) -> Result<Option<Change>, PhaseError> {
        let (watch, closed) = (self.watch.clone(), self.closed.clone());
        run(async move {
            let item = tokio::select! {
                biased;
                () = closed.wait() => None,
                item = async {
                    match watch.lock().await.as_mut() {
                        Some(watch) => watch.next().await,
                        None => None,
                    }
                } => item,
            };
            if closed.is_set() {
                // `close` could not take the watch while this call held it.
                watch.lock().await.take();
                return Ok(None);
            }
            item.transpose().map(|change| change.map(Change::from))
        })
        .await
    }

    /// Stops polling at once; a pending and every later `next()` return `nil`. Idempotent.
    pub fn close(&self) {
        self.closed.set();
        // A `next` in progress holds the lock; it drops the watch itself when it sees `closed`.
        if let Ok(mut watch) = self.watch.try_lock() {
            watch.take();
        }
    }
}

impl Watcher {
    pub(super) fn new(watch: phasekit::Watch) -> Arc<Self> {
        Arc::new(Watcher {
            watch: Arc::new(tokio::sync::Mutex::new(Some(watch))),
            closed: Arc::new(Closed::default()),
        })
    }
}
