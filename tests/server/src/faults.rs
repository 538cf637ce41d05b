//! Fault injection for tests: latency, 5xx bursts, 429 with `Retry-After`, a rate limit,
//! dropped connections and corrupted answers. Configured through the admin API as one rule or a
//! list of them; a request is judged by the first rule whose path matches (`path`: exactly,
//! `path_prefix`: as a prefix, without `/service`; a rule with neither matches everything).

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// The next N matching requests are served untouched before the faults below apply (to
    /// fail the second of two requests to the same path, e.g. a folder fetched for a reference).
    pub pass_next: u32,
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
    /// The next N matching requests are served, and their successful answer is corrupted.
    pub corrupt_next: u32,
    /// How answers are corrupted (default `truncate`).
    pub corruption: Option<Corruption>,
    /// Size of the body `huge` sends (default 8 MiB).
    pub huge_bytes: Option<u64>,
    /// At most `requests` matching requests per `per_seconds` window, like the real throttle.
    pub rate_limit: Option<RateLimit>,
    /// Only requests to exactly this path (e.g. `/secrets/`, which as a prefix would also
    /// match `/secrets/tokens/`).
    pub path: Option<String>,
    pub path_prefix: Option<String>,
}

/// What a corrupted answer looks like. Each is something a broken proxy, a truncated transfer or
/// a hostile server could send with status 200.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Corruption {
    /// The first half of the JSON body.
    Truncate,
    /// An HTML page instead of JSON.
    NotJson,
    /// JSON of the other shape: an object where a list belongs, a list where an object does.
    WrongShape,
    /// Every `ph:v1:` ciphertext in the body with one character of its ciphertext changed.
    Tamper,
    /// A valid but enormous JSON list (`[` and `huge_bytes` of spaces and `]`), so that only a
    /// client with a size limit notices.
    Huge,
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
    Corrupt { corruption: Corruption, size: u64 },
}

const DEFAULT_HUGE_BYTES: u64 = 8 << 20;

/// Shorthands for the rules tests write most, e.g. `Faults::fail(2, 503).at_path("/secrets/")`.
impl Faults {
    /// The next `count` matching requests fail with `status`.
    pub fn fail(count: u32, status: u16) -> Faults {
        Faults {
            fail_next: count,
            fail_status: Some(status),
            ..Faults::default()
        }
    }

    /// Every matching request waits `latency_ms` before it is answered.
    pub fn slow(latency_ms: u64) -> Faults {
        Faults {
            latency_ms,
            ..Faults::default()
        }
    }

    /// The same rule, for requests to exactly `path` only.
    pub fn at_path(self, path: &str) -> Faults {
        Faults {
            path: Some(path.to_owned()),
            ..self
        }
    }

    /// The same rule, for requests whose path starts with `prefix` only.
    pub fn under(self, prefix: &str) -> Faults {
        Faults {
            path_prefix: Some(prefix.to_owned()),
            ..self
        }
    }
}

/// One rule and its rate-limit window.
#[derive(Debug, Default)]
struct Rule {
    config: Faults,
    window_start: Option<Instant>,
    window_count: u32,
}

#[derive(Debug, Default)]
pub struct FaultState {
    rules: Vec<Rule>,
}

impl FaultState {
    pub fn configure(&mut self, rules: Vec<Faults>) {
        self.rules = rules
            .into_iter()
            .map(|config| Rule {
                config,
                ..Rule::default()
            })
            .collect();
    }

    /// The rules as configured (one object when there is one rule, as it was set).
    pub fn config(&self) -> serde_json::Value {
        match self.rules.as_slice() {
            [] => serde_json::json!(Faults::default()),
            [only] => serde_json::json!(only.config),
            many => serde_json::json!(many.iter().map(|r| &r.config).collect::<Vec<_>>()),
        }
    }

    /// Decides the fate of a request and the latency to add before answering.
    pub fn judge(&mut self, path: &str) -> (Verdict, Duration) {
        match self.rules.iter_mut().find(|rule| rule.matches(path)) {
            Some(rule) => rule.judge(),
            None => (Verdict::Serve, Duration::ZERO),
        }
    }
}

impl Rule {
    fn matches(&self, path: &str) -> bool {
        let config = &self.config;
        config.path.as_deref().is_none_or(|exact| path == exact)
            && config
                .path_prefix
                .as_deref()
                .is_none_or(|prefix| path.starts_with(prefix))
    }

    fn judge(&mut self) -> (Verdict, Duration) {
        let config = &mut self.config;
        if config.pass_next > 0 {
            config.pass_next -= 1;
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
        if config.corrupt_next > 0 {
            config.corrupt_next -= 1;
            let corruption = config.corruption.unwrap_or(Corruption::Truncate);
            let size = config.huge_bytes.unwrap_or(DEFAULT_HUGE_BYTES);
            return (Verdict::Corrupt { corruption, size }, latency);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_matching_rule_decides() {
        let mut state = FaultState::default();
        state.configure(vec![
            Faults {
                path: Some("/secrets/".into()),
                latency_ms: 20,
                ..Faults::default()
            },
            Faults {
                path_prefix: Some("/secrets/tokens/".into()),
                fail_next: 1,
                ..Faults::default()
            },
        ]);
        assert_eq!(
            state.judge("/secrets/"),
            (Verdict::Serve, Duration::from_millis(20))
        );
        assert_eq!(
            state.judge("/secrets/tokens/"),
            (Verdict::Fail(503), Duration::ZERO)
        );
        assert_eq!(
            state.judge("/secrets/tokens/"),
            (Verdict::Serve, Duration::ZERO)
        );
        assert_eq!(state.judge("/apps/"), (Verdict::Serve, Duration::ZERO));
    }

    #[test]
    fn corruption_defaults_to_truncation() {
        let mut state = FaultState::default();
        state.configure(vec![Faults {
            corrupt_next: 1,
            ..Faults::default()
        }]);
        assert_eq!(
            state.judge("/secrets/").0,
            Verdict::Corrupt {
                corruption: Corruption::Truncate,
                size: DEFAULT_HUGE_BYTES
            }
        );
        assert_eq!(state.judge("/secrets/").0, Verdict::Serve);
    }
}
