//! Fault injection for tests: latency, 5xx bursts, 429 with `Retry-After`, a rate limit, and
//! dropped connections. Configured through the admin API; applies to requests whose path
//! (without `/service`) starts with `path_prefix` (all requests when unset).

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every matching request before it is answered.
    pub latency_ms: u64,
    /// The next N matching requests fail with `fail_status`.
    pub fail_next: u32,
    /// Status of injected failures (default 503).
    pub fail_status: Option<u16>,
    /// The next N matching requests get 429 with `Retry-After: retry_after`.
    pub throttle_next: u32,
    /// Seconds announced in `Retry-After` (default 1).
    pub retry_after: Option<u64>,
    /// The next N matching requests are read and then the connection is closed unanswered.
    pub drop_next: u32,
    /// At most `requests` matching requests per `per_seconds` window, like the real throttle.
    pub rate_limit: Option<RateLimit>,
    pub path_prefix: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub requests: u32,
    pub per_seconds: u64,
}

/// What to do with one request.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Serve,
    Drop,
    Fail(u16),
    Throttle(u64),
}

#[derive(Debug, Default)]
pub struct FaultState {
    pub config: Faults,
    window_start: Option<Instant>,
    window_count: u32,
}

impl FaultState {
    pub fn configure(&mut self, config: Faults) {
        *self = FaultState {
            config,
            window_start: None,
            window_count: 0,
        };
    }

    /// Decides the fate of a request and the latency to add before answering.
    pub fn judge(&mut self, path: &str) -> (Verdict, Duration) {
        let config = &mut self.config;
        if config
            .path_prefix
            .as_deref()
            .is_some_and(|prefix| !path.starts_with(prefix))
        {
            return (Verdict::Serve, Duration::ZERO);
        }
        let latency = Duration::from_millis(config.latency_ms);
        if config.drop_next > 0 {
            config.drop_next -= 1;
            return (Verdict::Drop, latency);
        }
        if config.fail_next > 0 {
            config.fail_next -= 1;
            return (Verdict::Fail(config.fail_status.unwrap_or(503)), latency);
        }
        let retry_after = config.retry_after.unwrap_or(1);
        if config.throttle_next > 0 {
            config.throttle_next -= 1;
            return (Verdict::Throttle(retry_after), latency);
        }
        if let Some(limit) = config.rate_limit {
            let now = Instant::now();
            let window = Duration::from_secs(limit.per_seconds.max(1));
            let start = *self.window_start.get_or_insert(now);
            if now.duration_since(start) >= window {
                self.window_start = Some(now);
                self.window_count = 0;
            }
            self.window_count += 1;
            if self.window_count > limit.requests {
                let left =
                    window.saturating_sub(now.duration_since(self.window_start.unwrap_or(now)));
                return (Verdict::Throttle(left.as_secs().max(1)), latency);
            }
        }
        (Verdict::Serve, latency)
    }
}
