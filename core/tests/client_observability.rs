//! Observability without values: per-client counters (requests, retries, 429s, cache hits,
//! decryption) and the log lines bindings pass on, which name no secret and no token part.

use std::time::Duration;

use phasekit::{AppRef, CachePolicy, Client, GetOptions, RetryPolicy};
use phasekit_server::faults::Faults;

mod common;
use common::Local;

const SEED: &str = r#"{
  "apps": [{"name": "shop", "environments": ["Development"],
            "secrets": {"Development": [
              {"key": "OBSERVED_KEY", "value": "observability-canary", "comment": "note-canary"}]}}],
  "service_accounts": [{"name": "sa", "access": {"shop": "*"}, "tokens": [{"name": "sa"}]}]
}"#;

fn dev() -> GetOptions {
    GetOptions::new(AppRef::name("shop"), "Development")
}

#[test]
fn counters_follow_requests_retries_throttling_caching_and_decryption() {
    let local = Local::start(SEED);
    let client = local.client_with(
        "sa",
        Client::builder()
            .retry_policy(RetryPolicy {
                base_delay: Duration::from_millis(5),
                ..RetryPolicy::default()
            })
            .cache(CachePolicy::default()),
    );
    client.get(&dev()).unwrap();
    let cold = client.stats();
    assert_eq!((cold.requests, cold.retries, cold.failures), (2, 0, 0));
    assert_eq!((cold.cache_hits, cold.cache_misses), (0, 1));
    // Key, value and comment.
    assert_eq!(cold.decrypted_fields, 3);
    client.get(&dev()).unwrap();
    assert_eq!(client.stats().cache_hits, 1);
    assert_eq!(client.stats().requests, 2);

    let plain = local.client_with(
        "sa",
        Client::builder().retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(5),
            ..RetryPolicy::default()
        }),
    );
    local.server.set_faults(Faults {
        throttle_next: 1,
        fail_next: 1,
        retry_after: Some(0),
        ..Faults::default()
    });
    plain.get(&dev()).unwrap();
    let stats = plain.stats();
    assert_eq!(stats.requests, 4, "{stats:?}");
    assert_eq!(
        (stats.retries, stats.failures, stats.rate_limited),
        (2, 2, 1)
    );
}

#[test]
fn log_lines_carry_counts_and_never_values_or_token_parts() {
    phasekit::logs::collect();
    let local = Local::start(SEED);
    let token = local.tokens["sa"].clone();
    let client = local.client_with("sa", Client::builder().debug(true));
    client.get(&dev()).unwrap();
    let records = phasekit::logs::drain();
    let lines: Vec<String> = records
        .iter()
        .map(|r| format!("{} {} {}", r.level.as_str(), r.target, r.message))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("phase request") && l.contains("/secrets/tokens/")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("phase get")
            && l.contains("secrets=1")
            && l.contains("source=network")),
        "{lines:#?}"
    );
    let token_parts: Vec<&str> = token.split(':').skip(2).collect();
    for line in &lines {
        for canary in ["observability-canary", "note-canary", "OBSERVED_KEY"] {
            assert!(!line.contains(canary), "{line}");
        }
        for part in &token_parts {
            assert!(!line.contains(part), "a token part in {line}");
        }
    }
}
