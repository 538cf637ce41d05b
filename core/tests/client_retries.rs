//! Retries through the local server's fault injection: idempotent reads recover from 5xx
//! bursts, 429 with Retry-After and dropped connections; writes are never repeated once sent;
//! nothing waits past the call's deadline.

use std::time::{Duration, Instant};

mod common;

use common::one_secret_seed;
use phasekit::{AppRef, BlockingClient, Client, ErrorCode, GetOptions, NewSecret, RetryPolicy};
use phasekit_server::faults::Faults;
use phasekit_server::{BackgroundServer, Seed, World};

fn start(policy: RetryPolicy, timeout: Duration) -> (BackgroundServer, BlockingClient) {
    let (world, tokens) =
        World::from_seed(&Seed::from_json(&one_secret_seed("v")).unwrap()).unwrap();
    let server = BackgroundServer::start(world).unwrap();
    let client = Client::builder()
        .token(&tokens["sa"].token)
        .host(server.url())
        .retry_policy(policy)
        .timeout(timeout)
        .build()
        .unwrap()
        .into();
    (server, client)
}

fn fast() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

fn options() -> GetOptions {
    GetOptions::new(AppRef::name("app"), "Development")
}

fn count(server: &BackgroundServer, endpoint: &str) -> u64 {
    server.request_counts().get(endpoint).copied().unwrap_or(0)
}

fn secrets_only(faults: Faults) -> Faults {
    faults.under("/secrets/")
}

#[test]
fn gateway_errors_and_dropped_connections_are_retried() {
    let (server, client) = start(fast(), Duration::from_secs(5));
    client.get(&options()).unwrap();
    for faults in [
        Faults::fail(2, 503),
        Faults::fail(1, 502),
        Faults::fail(1, 504),
        Faults {
            drop_next: 2,
            ..Faults::default()
        },
    ] {
        let expected_extra = u64::from(faults.fail_next + faults.drop_next);
        server.reset_request_counts();
        server.set_faults(secrets_only(faults));
        assert_eq!(client.get(&options()).unwrap()[0].value.expose(), "v");
        assert_eq!(count(&server, "GET /secrets/"), 1 + expected_extra);
    }
}

#[test]
fn rate_limits_are_waited_out_as_the_server_asks() {
    let (server, client) = start(fast(), Duration::from_secs(5));
    client.get(&options()).unwrap();
    server.set_faults(secrets_only(Faults {
        throttle_next: 1,
        retry_after: Some(1),
        ..Faults::default()
    }));
    let started = Instant::now();
    client.get(&options()).unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );

    // A Retry-After beyond the cap fails at once, carrying the server's figure.
    server.set_faults(secrets_only(Faults {
        throttle_next: 1,
        retry_after: Some(120),
        ..Faults::default()
    }));
    let started = Instant::now();
    let err = client.get(&options()).unwrap_err();
    assert_eq!(
        (err.code(), err.status(), err.retry_after()),
        (
            ErrorCode::RateLimited,
            Some(429),
            Some(Duration::from_secs(120))
        )
    );
    assert!(err.retryable());
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn retries_stop_at_the_limit_and_internal_errors_are_not_retried() {
    let (server, client) = start(fast(), Duration::from_secs(5));
    client.get(&options()).unwrap();
    server.reset_request_counts();
    server.set_faults(secrets_only(Faults::fail(10, 503)));
    let err = client.get(&options()).unwrap_err();
    assert_eq!((err.code(), err.status()), (ErrorCode::Server, Some(503)));
    assert_eq!(
        count(&server, "GET /secrets/"),
        4,
        "one try and three retries"
    );

    server.reset_request_counts();
    server.set_faults(secrets_only(Faults::fail(1, 500)));
    let err = client.get(&options()).unwrap_err();
    assert_eq!((err.code(), err.retryable()), (ErrorCode::Server, false));
    assert_eq!(count(&server, "GET /secrets/"), 1);
}

#[test]
fn writes_are_not_repeated_once_sent() {
    let (server, client) = start(fast(), Duration::from_secs(5));
    client.get(&options()).unwrap();
    // The digest-free create goes straight to POST, which fails once and is not retried:
    // neither a 503 (a proxy may answer it after the server wrote) nor a connection dropped
    // after the request was read.
    let dropped = Faults {
        drop_next: 1,
        ..Faults::default()
    };
    let (app, new) = (AppRef::name("app"), [NewSecret::new("NEW", "1")]);
    for (faults, code) in [
        (Faults::fail(1, 503), ErrorCode::Server),
        (dropped, ErrorCode::Network),
    ] {
        server.set_faults(secrets_only(faults));
        server.reset_request_counts();
        let err = client.create(&app, "Development", &new).unwrap_err();
        assert_eq!(err.code(), code, "{err}");
        assert_eq!(count(&server, "POST /secrets/"), 1);
    }
}

#[test]
fn slow_answers_time_out_and_nothing_waits_past_the_deadline() {
    let policy = RetryPolicy {
        deadline: Duration::from_millis(1500),
        ..fast()
    };
    let (server, client) = start(policy, Duration::from_millis(300));
    client.get(&options()).unwrap();
    server.set_faults(secrets_only(Faults::slow(2000)));
    let started = Instant::now();
    let err = client.get(&options()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Timeout, "{err}");
    assert!(err.retryable());
    assert!(
        started.elapsed() < Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );
}
