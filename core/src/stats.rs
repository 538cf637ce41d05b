//! Counters of one client, for observability without values: what it asked the server, how
//! often it had to retry or was throttled, what its caches saved, and what decryption cost.
//! Cheap enough to be always on (relaxed atomic additions).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Default)]
pub struct Stats {
    requests: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
    failures: AtomicU64,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
    offline_served: AtomicU64,
    decrypt_nanos: AtomicU64,
}

pub use crate::records::StatsSnapshot;

fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

impl Stats {
    pub fn request(&self, attempt: u32) {
        add(&self.requests, 1);
        if attempt > 0 {
            add(&self.retries, 1);
        }
    }

    pub fn failure(&self, rate_limited: bool) {
        add(&self.failures, 1);
        if rate_limited {
            add(&self.rate_limited, 1);
        }
    }

    pub fn cache_hit(&self) {
        add(&self.cache_hits, 1);
    }

    pub fn cache_miss(&self) {
        add(&self.cache_misses, 1);
    }

    pub fn offline_served(&self) {
        add(&self.offline_served, 1);
    }

    pub fn decrypted(&self, took: Duration) {
        add(
            &self.decrypt_nanos,
            u64::try_from(took.as_nanos()).unwrap_or(u64::MAX),
        );
    }

    /// The counters, with `decrypted_fields` taken from the client's memo.
    pub fn snapshot(&self, decrypted_fields: u64) -> StatsSnapshot {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StatsSnapshot {
            requests: load(&self.requests),
            retries: load(&self.retries),
            rate_limited: load(&self.rate_limited),
            failures: load(&self.failures),
            cache_hits: load(&self.cache_hits),
            cache_misses: load(&self.cache_misses),
            offline_served: load(&self.offline_served),
            decrypted_fields,
            decrypt_time: Duration::from_nanos(load(&self.decrypt_nanos)),
        }
    }
}
