//! The in-memory cache of results: no request within the TTL, one fetch for many concurrent
//! readers, a background refresh before expiry, stale results while the server cannot be
//! reached, only changed secrets decrypted on refresh, and writes that clear it.

use std::time::Duration;

use phasekit::{
    AppRef, BlockingClient, CachePolicy, Client, ErrorCode, GetOptions, NewSecret, SecretUpdate,
    Source,
};
use phasekit_server::faults::Faults;

mod common;
use common::{Local, no_retries};

const SEED: &str = r#"{
  "apps": [{"name": "shop", "environments": ["Development"],
            "secrets": {"Development": [
              {"key": "A", "value": "1", "comment": "first"},
              {"key": "B", "value": "2"},
              {"key": "C", "value": "3"},
              {"key": "D", "value": "4"},
              {"key": "E", "value": "5"}]}}],
  "service_accounts": [{"name": "sa", "access": {"shop": "*"}, "tokens": [{"name": "sa"}]}]
}"#;

fn dev() -> GetOptions {
    GetOptions::new(AppRef::name("shop"), "Development")
}

fn policy(ttl_ms: u64) -> CachePolicy {
    CachePolicy {
        ttl: Duration::from_millis(ttl_ms),
        stale_if_error: Duration::from_secs(2),
        refresh_ahead: 0.75,
    }
}

fn listings(local: &Local) -> u64 {
    local
        .server
        .request_counts()
        .get("GET /secrets/")
        .copied()
        .unwrap_or(0)
}

fn cached(local: &Local, policy: CachePolicy) -> BlockingClient {
    local.client_with("sa", Client::builder().cache(policy))
}

/// Changes a secret's value through another client, behind the cached one's back.
fn rotate(local: &Local, key: &str, value: &str) {
    let update = SecretUpdate {
        value: Some(value.into()),
        ..SecretUpdate::new(key)
    };
    local
        .client("sa")
        .update(&AppRef::name("shop"), "Development", &update)
        .unwrap();
}

fn value_of(client: &BlockingClient, key: &str) -> String {
    let secrets = client.get(&dev()).unwrap();
    secrets
        .iter()
        .find(|s| s.key == key)
        .map(|s| s.value.expose().to_owned())
        .unwrap()
}

#[test]
fn reads_within_the_ttl_make_no_request() {
    let local = Local::start(SEED);
    let client = cached(&local, policy(60_000));
    assert_eq!(client.get_result(&dev()).unwrap().source, Source::Network);
    for _ in 0..10 {
        let result = client.get_result(&dev()).unwrap();
        assert_eq!(result.source, Source::Memory);
        assert_eq!(result.secrets.len(), 5);
    }
    assert_eq!(listings(&local), 1);
    let stats = client.stats();
    assert_eq!((stats.cache_hits, stats.cache_misses), (10, 1));
    // Different options are a different entry.
    client.get(&dev().keys(["A", "B"])).unwrap();
    assert_eq!(listings(&local), 2);
}

#[test]
fn many_concurrent_readers_cause_one_fetch() {
    let local = Local::start(SEED);
    let client = cached(&local, policy(60_000));
    local
        .server
        .set_faults(Faults::slow(300).at_path("/secrets/"));
    let runtime = phasekit::client::runtime().unwrap();
    let async_client = client.async_client().clone();
    let results = runtime.block_on(async {
        let reads = (0..32).map(|_| {
            let client = async_client.clone();
            tokio::spawn(async move { client.get(&dev()).await })
        });
        futures_join(reads.collect()).await
    });
    assert!(
        results
            .iter()
            .all(|r| r.as_ref().is_ok_and(|s| s.len() == 5))
    );
    assert_eq!(listings(&local), 1);
}

async fn futures_join<T>(handles: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

#[test]
fn a_read_near_expiry_is_answered_at_once_and_refreshed_in_the_background() {
    let local = Local::start(SEED);
    let client = cached(
        &local,
        CachePolicy {
            refresh_ahead: 0.5,
            ..policy(3_000)
        },
    );
    assert_eq!(value_of(&client, "B"), "2");
    let started = std::time::Instant::now();
    rotate(&local, "B", "22");
    let before = listings(&local);
    // Past the refresh point (50–60% of the TTL), well before expiry: the old value, at once...
    std::thread::sleep(Duration::from_millis(2_000).saturating_sub(started.elapsed()));
    let result = client.get_result(&dev()).unwrap();
    assert_eq!(result.source, Source::Memory);
    // ...and a refresh that brings the new one without any reader waiting for it.
    let mut value = String::new();
    for _ in 0..20 {
        let result = client.get_result(&dev()).unwrap();
        assert_eq!(result.source, Source::Memory);
        let b = result.secrets.iter().find(|s| s.key == "B").unwrap();
        value = b.value.expose().to_owned();
        if value == "22" {
            break;
        }
        std::thread::sleep(Duration::from_millis(40));
    }
    assert_eq!(value, "22");
    assert_eq!(listings(&local), before + 1);
}

#[test]
fn an_unreachable_server_is_bridged_with_the_stale_result_for_a_while() {
    let local = Local::start(SEED);
    // No retries, so that the failures are quick and the windows below exact.
    let client = local.client_with(
        "sa",
        Client::builder()
            .retry_policy(no_retries())
            .cache(CachePolicy {
                ttl: Duration::from_millis(200),
                stale_if_error: Duration::from_millis(800),
                refresh_ahead: 1.0,
            }),
    );
    client.get(&dev()).unwrap();
    local
        .server
        .set_faults(Faults::fail(1_000, 503).at_path("/secrets/"));
    std::thread::sleep(Duration::from_millis(300));
    let result = client.get_result(&dev()).unwrap();
    assert_eq!(result.source, Source::Stale);
    assert_eq!(result.secrets.len(), 5);
    // Beyond the stale window the failure is the answer.
    std::thread::sleep(Duration::from_millis(800));
    let err = client.get(&dev()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Server, "{err}");
}

#[test]
fn a_refresh_decrypts_only_what_changed() {
    let local = Local::start(SEED);
    let client = cached(&local, policy(100));
    client.get(&dev()).unwrap();
    let first = client.stats().decrypted_fields;
    // Five keys, five values, one comment.
    assert_eq!(first, 11);
    rotate(&local, "C", "33");
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(value_of(&client, "C"), "33");
    // The new value (and, re-encrypted by the update, the key): nothing else.
    let more = client.stats().decrypted_fields - first;
    assert!((1..=2).contains(&more), "decrypted {more} fields");
}

#[test]
fn a_write_through_the_client_clears_its_cache() {
    let local = Local::start(SEED);
    let client = cached(&local, policy(60_000));
    client.get(&dev()).unwrap();
    client
        .create(
            &AppRef::name("shop"),
            "Development",
            &[NewSecret::new("F", "6")],
        )
        .unwrap();
    assert_eq!(value_of(&client, "F"), "6");
}

#[test]
fn dynamic_reads_are_never_cached() {
    let local = Local::start(SEED);
    let client = cached(&local, policy(60_000));
    client.get(&dev().dynamic(false, None)).unwrap();
    client.get(&dev().dynamic(false, None)).unwrap();
    assert_eq!(listings(&local), 2);
}
