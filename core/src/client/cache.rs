//! The in-memory cache of `get` results, opt-in with a [`CachePolicy`]: within the TTL a read
//! is answered from memory; past a jittered point before the TTL it is still answered from
//! memory while one background task refreshes it, so that steady readers never wait for the
//! network; concurrent readers of an expired entry wait for one fetch (single flight); and if
//! that fetch fails because the server cannot be reached, the expired entry is served for a
//! while longer (stale-if-error), flagged as such. A refresh only decrypts what changed: the
//! client's memo holds the plaintexts of unchanged ciphertexts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::get::GetOptions;
use super::sources::{Provenance, Source, is_unreachable};
use super::{Client, GetResult};
use crate::error::Result;
use crate::secrets::Secret;

/// How `get` results are cached in memory.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CachePolicy {
    /// How long a result is served without asking the server.
    pub ttl: Duration,
    /// How long past the TTL a result may still be served while the server cannot be reached.
    pub stale_if_error: Duration,
    /// The fraction of the TTL after which a read starts a background refresh (jittered by
    /// up to a tenth of the TTL, so that many clients do not refresh in step).
    pub refresh_ahead: f64,
}

impl Default for CachePolicy {
    fn default() -> Self {
        CachePolicy {
            ttl: Duration::from_secs(60),
            stale_if_error: Duration::from_secs(300),
            refresh_ahead: 0.75,
        }
    }
}

/// The cached results of one client, one slot per distinct set of `get` options.
#[derive(Debug, Default)]
pub(crate) struct ResultCache {
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

#[derive(Debug, Default)]
struct Slot {
    entry: RwLock<Option<Entry>>,
    /// Held by whoever is fetching for this slot: the single flight.
    fetching: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Debug, Clone)]
struct Entry {
    secrets: Vec<Secret>,
    fetched_at: Instant,
    refresh_after: Duration,
}

impl ResultCache {
    fn slot(&self, key: String) -> Arc<Slot> {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        slots.entry(key).or_default().clone()
    }

    /// Forgets every result (after a write through this client, or `refresh`).
    pub fn clear(&self) {
        self.slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }
}

impl Slot {
    fn read(&self) -> Option<Entry> {
        self.entry
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn store(&self, secrets: Vec<Secret>, policy: &CachePolicy) {
        let ahead = policy.ttl.mul_f64(policy.refresh_ahead.clamp(0.0, 1.0));
        let jitter = policy.ttl.mul_f64(0.1 * random_fraction());
        let entry = Entry {
            secrets,
            fetched_at: Instant::now(),
            refresh_after: (ahead + jitter).min(policy.ttl),
        };
        *self
            .entry
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(entry);
    }
}

fn random_fraction() -> f64 {
    f64::from(u32::from_le_bytes(crate::crypto::random_bytes())) / f64::from(u32::MAX)
}

/// The options that make results differ, as a map key. Dynamic secrets are never cached
/// (each read may create a lease).
fn cache_key(options: &GetOptions) -> Option<String> {
    if options.dynamic || options.lease {
        return None;
    }
    let mut keys = options.keys.clone();
    keys.sort();
    Some(format!(
        "{:?}\u{0}{}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{}{}",
        options.app,
        options.env,
        options.path,
        keys,
        options.tag,
        options.raw,
        options.strict_references
    ))
}

impl Client {
    /// `get` through the in-memory cache, when the client has one and the options allow.
    pub(super) async fn get_cached(&self, options: &GetOptions) -> Option<Result<GetResult>> {
        let policy = self.inner.cache_policy?;
        let key = cache_key(options)?;
        let slot = self.inner.cache.slot(key);
        Some(self.read_slot(&slot, options, &policy).await)
    }

    async fn read_slot(
        &self,
        slot: &Arc<Slot>,
        options: &GetOptions,
        policy: &CachePolicy,
    ) -> Result<GetResult> {
        if let Some(entry) = slot.read() {
            let age = entry.fetched_at.elapsed();
            if age < policy.ttl {
                self.inner.stats.cache_hit();
                if age >= entry.refresh_after {
                    self.refresh_in_background(slot, options, policy);
                }
                return Ok(GetResult {
                    secrets: entry.secrets,
                    source: Source::Memory,
                });
            }
        }
        let _flight = slot.fetching.lock().await;
        // Someone else's fetch may have finished while this reader waited.
        if let Some(entry) = slot.read().filter(|e| e.fetched_at.elapsed() < policy.ttl) {
            self.inner.stats.cache_hit();
            return Ok(GetResult {
                secrets: entry.secrets,
                source: Source::Memory,
            });
        }
        self.inner.stats.cache_miss();
        let provenance = Provenance::default();
        match self.get_uncached(options, &provenance).await {
            Ok(secrets) => {
                let source = provenance.source();
                // What the offline cache stood in with is not kept: the next read tries again.
                if source == Source::Network {
                    slot.store(secrets.clone(), policy);
                }
                Ok(GetResult { secrets, source })
            }
            Err(err) if is_unreachable(&err) => match slot.read() {
                Some(entry) if entry.fetched_at.elapsed() < policy.ttl + policy.stale_if_error => {
                    tracing::warn!(
                        code = %err.code(),
                        age = ?entry.fetched_at.elapsed(),
                        "the server cannot be reached; serving an expired cached result"
                    );
                    Ok(GetResult {
                        secrets: entry.secrets,
                        source: Source::Stale,
                    })
                }
                _ => Err(err),
            },
            Err(err) => Err(err),
        }
    }

    /// Starts one background refresh of `slot` unless one is running.
    fn refresh_in_background(&self, slot: &Arc<Slot>, options: &GetOptions, policy: &CachePolicy) {
        let Ok(flight) = slot.fetching.clone().try_lock_owned() else {
            return;
        };
        let (client, slot, options, policy) =
            (self.clone(), slot.clone(), options.clone(), *policy);
        tokio::spawn(async move {
            let _flight = flight;
            let provenance = Provenance::default();
            match client.get_uncached(&options, &provenance).await {
                Ok(secrets) if provenance.source() == Source::Network => {
                    slot.store(secrets, &policy);
                }
                Ok(_) => {}
                // The entry stays; a read past the TTL will try again (and may serve it stale).
                Err(err) => tracing::warn!(code = %err.code(), "background refresh failed"),
            }
        });
    }
}
