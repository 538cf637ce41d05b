//! `watch`: polls one scope (app, environment, optional folder) and reports which secrets were
//! added, changed or removed when they rotate. Polling is what the Phase API offers; this makes
//! it cheap and polite: jittered intervals so that many watchers do not poll in step,
//! exponential backoff while the server cannot be reached, and only changed secrets decrypted
//! (the client's memo). Values are compared through a keyed hash, so the watcher does not keep
//! a second copy of them.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Client;
use super::get::GetOptions;
use super::sources::{Provenance, is_unreachable};
use crate::error::{Error, ErrorCode, Result};
use crate::secrets::Secret;

/// How often a watch polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchPolicy {
    /// Time between polls (each jittered by ±10%).
    pub interval: Duration,
    /// The longest wait between polls while the server cannot be reached.
    pub max_backoff: Duration,
}

impl WatchPolicy {
    /// The policy from numbers of seconds as a host language gives them, each absent one the
    /// default's; each must be positive and finite (named `` `interval` `` and
    /// `` `max_backoff` `` in the error, spelt by each binding its way).
    pub fn from_seconds(interval: Option<f64>, max_backoff: Option<f64>) -> Result<Self> {
        let defaults = WatchPolicy::default();
        let or_default = |name, value: Option<f64>, default| {
            value.map_or(Ok(default), |value| super::options::seconds(name, value))
        };
        Ok(WatchPolicy {
            interval: or_default("interval", interval, defaults.interval)?,
            max_backoff: or_default("max_backoff", max_backoff, defaults.max_backoff)?,
        })
    }
}

impl Default for WatchPolicy {
    fn default() -> Self {
        WatchPolicy {
            interval: Duration::from_secs(30),
            max_backoff: Duration::from_secs(300),
        }
    }
}

pub use crate::records::Change;

/// A running watch. Changes arrive through [`Watch::next`]; dropping the watch (or
/// [`Watch::close`]) stops its polling.
#[derive(Debug)]
pub struct Watch {
    changes: mpsc::Receiver<Result<Change>>,
    task: JoinHandle<()>,
}

impl Watch {
    /// The next change, or an error the watch met. Transient failures (network, timeouts, 5xx,
    /// 429) are reported and polling goes on with backoff; any other error is the last item.
    /// `None` once the watch has ended.
    pub async fn next(&mut self) -> Option<Result<Change>> {
        self.changes.recv().await
    }

    pub fn close(&mut self) {
        self.task.abort();
        self.changes.close();
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A fingerprint per secret: BLAKE2b of its value, keyed with a key of this watch only.
type Fingerprints = BTreeMap<String, [u8; 32]>;

fn name_of(secret: &Secret) -> String {
    if secret.path.is_empty() || secret.path == "/" {
        secret.key.clone()
    } else {
        format!("{}/{}", secret.path.trim_end_matches('/'), secret.key)
    }
}

fn fingerprints(secrets: &[Secret], key: &[u8; 32]) -> Fingerprints {
    secrets
        .iter()
        .map(|s| {
            let digest =
                crate::crypto::blake2b_256(s.value.expose().as_bytes(), key).unwrap_or_default();
            (name_of(s), digest)
        })
        .collect()
}

/// The difference between two polls, each list sorted.
pub fn diff(before: &Fingerprints, after: &Fingerprints) -> Change {
    let mut change = Change::default();
    for (name, print) in after {
        match before.get(name) {
            None => change.added.push(name.clone()),
            Some(old) if old != print => change.changed.push(name.clone()),
            Some(_) => {}
        }
    }
    change.removed = before
        .keys()
        .filter(|name| !after.contains_key(*name))
        .cloned()
        .collect();
    change
}

/// The wait before the next poll: the interval, doubled per consecutive failure up to the cap,
/// then jittered by ±10%.
fn next_wait(policy: &WatchPolicy, failures: u32) -> Duration {
    let base = if failures == 0 {
        policy.interval
    } else {
        policy
            .interval
            .saturating_mul(1 << failures.min(16))
            .min(policy.max_backoff.max(policy.interval))
    };
    let fraction =
        f64::from(u32::from_le_bytes(crate::crypto::random_bytes())) / f64::from(u32::MAX);
    base.mul_f64(0.9 + 0.2 * fraction)
}

impl Client {
    /// Watches the secrets `options` select (dynamic secrets excluded). The first poll happens
    /// at once and sets the baseline (an error there is reported like any other); later polls
    /// report what changed. Must be called within the core's runtime (the bindings do).
    pub fn watch(&self, options: GetOptions, policy: WatchPolicy) -> Result<Watch> {
        if options.dynamic || options.lease {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "dynamic secrets cannot be watched (each read may create a lease)",
            ));
        }
        if policy.interval.is_zero() {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "the watch interval must be positive",
            ));
        }
        let (sender, changes) = mpsc::channel(16);
        let client = self.clone();
        let task = tokio::spawn(async move { client.poll(options, policy, sender).await });
        Ok(Watch { changes, task })
    }

    async fn poll(
        self,
        options: GetOptions,
        policy: WatchPolicy,
        sender: mpsc::Sender<Result<Change>>,
    ) {
        let key: [u8; 32] = crate::crypto::random_bytes();
        let mut known: Option<Fingerprints> = None;
        let mut failures = 0u32;
        loop {
            // Straight to the server: the in-memory cache would hide rotations for its TTL.
            let outcome = self.get_uncached(&options, &Provenance::default()).await;
            let item = match outcome {
                Ok(secrets) => {
                    failures = 0;
                    let now = fingerprints(&secrets, &key);
                    let change = known.as_ref().map(|before| diff(before, &now));
                    known = Some(now);
                    change.filter(|c| !c.is_empty()).map(Ok)
                }
                Err(err) => {
                    let transient = is_unreachable(&err);
                    failures += 1;
                    if !transient {
                        let _ = sender.send(Err(err)).await;
                        return;
                    }
                    Some(Err(err))
                }
            };
            if let Some(item) = item {
                if sender.send(item).await.is_err() {
                    return; // Nobody listens any more.
                }
            }
            tokio::select! {
                () = tokio::time::sleep(next_wait(&policy, failures)) => {}
                () = sender.closed() => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prints(pairs: &[(&str, u8)]) -> Fingerprints {
        pairs
            .iter()
            .map(|(name, byte)| ((*name).to_owned(), [*byte; 32]))
            .collect()
    }

    #[test]
    fn diff_names_added_changed_and_removed() {
        let before = prints(&[("A", 1), ("B", 2), ("/db/C", 3)]);
        let after = prints(&[("A", 1), ("B", 9), ("D", 4)]);
        assert_eq!(
            diff(&before, &after),
            Change {
                added: vec!["D".into()],
                changed: vec!["B".into()],
                removed: vec!["/db/C".into()],
            }
        );
        assert!(diff(&after, &after).is_empty());
    }

    #[test]
    fn backoff_doubles_to_the_cap_with_jitter() {
        let policy = WatchPolicy {
            interval: Duration::from_secs(1),
            max_backoff: Duration::from_secs(5),
        };
        for _ in 0..100 {
            let first = next_wait(&policy, 0);
            assert!(first >= Duration::from_millis(900) && first <= Duration::from_millis(1100));
            let third = next_wait(&policy, 2);
            assert!(third >= Duration::from_millis(3600) && third <= Duration::from_millis(4400));
            let capped = next_wait(&policy, 10);
            assert!(capped <= Duration::from_millis(5500));
        }
    }
}
