//! Broken answers from a server that says 200: truncated, not JSON, of the wrong shape, with
//! tampered ciphertexts, or enormous. Each is a typed error naming the endpoint, never a panic,
//! an empty result passed off as complete, or unbounded memory. Also: a call's deadline holds
//! however slow the server is, even when the per-request timeout is longer.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

mod common;

use common::no_retries;
use phasekit::{AppRef, BlockingClient, Client, ErrorCode, GetOptions, RetryPolicy};
use phasekit_server::faults::{Corruption, Faults};
use phasekit_server::{BackgroundServer, Seed, World};

const SEED: &str = r#"{
  "apps": [{"name": "app", "environments": ["Development"],
            "secrets": {"Development": [{"key": "K", "value": "v", "comment": "c"}]}}],
  "service_accounts": [{"name": "sa", "access": {"app": "*"}, "tokens": [{"name": "sa"}]}]
}"#;

fn start(
    configure: impl FnOnce(phasekit::ClientBuilder) -> phasekit::ClientBuilder,
) -> (BackgroundServer, BlockingClient) {
    let (world, tokens) = World::from_seed(&Seed::from_json(SEED).unwrap()).unwrap();
    let server = BackgroundServer::start(world).unwrap();
    let builder = Client::builder()
        .token(&tokens["sa"].token)
        .host(server.url());
    (server, configure(builder).build().unwrap().into())
}

/// A client whose requests may take 30 s each but whose calls have only `deadline`, against a
/// server that answers every request after `latency_ms`.
fn slow_server_and_short_deadline(
    latency_ms: u64,
    deadline: Duration,
) -> (BackgroundServer, BlockingClient) {
    let (server, client) = start(|b| {
        b.timeout(Duration::from_secs(30))
            .retry_policy(RetryPolicy {
                deadline,
                ..RetryPolicy::default()
            })
    });
    server.set_faults(Faults::slow(latency_ms));
    (server, client)
}

fn options() -> GetOptions {
    GetOptions::new(AppRef::name("app"), "Development")
}

fn corrupt(path: &str, corruption: Corruption) -> Faults {
    Faults {
        corrupt_next: 1,
        corruption: Some(corruption),
        huge_bytes: Some(2 << 20),
        path: Some(path.into()),
        ..Faults::default()
    }
}

#[test]
fn every_corruption_of_either_endpoint_is_a_typed_error() {
    let cases = [
        (Corruption::Truncate, ErrorCode::Protocol),
        (Corruption::NotJson, ErrorCode::Protocol),
        (Corruption::WrongShape, ErrorCode::Protocol),
        (Corruption::Tamper, ErrorCode::DecryptFailed),
    ];
    for path in ["/secrets/tokens/", "/secrets/"] {
        for (corruption, code) in cases {
            let (server, client) = start(|b| b);
            server.set_faults(corrupt(path, corruption));
            let err = client.get(&options()).unwrap_err();
            assert_eq!(err.code(), code, "{corruption:?} of {path}: {err}");
            // The next call, with an intact answer, works: nothing was cached from the bad one.
            assert_eq!(client.get(&options()).unwrap()[0].value.expose(), "v");
        }
    }
}

#[test]
fn a_body_over_the_limit_is_refused_instead_of_read() {
    let (server, client) = start(|b| b.max_response_bytes(1 << 20));
    client.get(&options()).unwrap();
    // The huge body is a valid empty list: without the limit the get would return nothing.
    server.set_faults(corrupt("/secrets/", Corruption::Huge));
    let err = client.get(&options()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Protocol);
    assert!(
        err.message().contains("larger than the 1048576-byte limit"),
        "{err}"
    );
    assert!(err.message().contains("/secrets/"), "{err}");
}

#[test]
fn a_streamed_body_over_the_limit_is_cut_off() {
    // A raw server that streams chunks (no Content-Length) forever: only the running count can
    // stop it.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request);
        let _ = socket.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        let chunk = format!("{:x}\r\n{}\r\n", 65536, " ".repeat(65536));
        while socket.write_all(chunk.as_bytes()).is_ok() {}
    });
    let token = phasekit_server::World::from_seed(&Seed::from_json(SEED).unwrap())
        .unwrap()
        .1["sa"]
        .token
        .clone();
    let client: BlockingClient = Client::builder()
        .token(token)
        .host(url)
        .max_response_bytes(256 << 10)
        .build()
        .unwrap()
        .into();
    let err = client.apps().unwrap_err();
    assert_eq!(err.code(), ErrorCode::Protocol, "{err}");
    assert!(
        err.message().contains("larger than the 262144-byte limit"),
        "{err}"
    );
}

#[test]
fn the_deadline_bounds_a_call_whose_requests_are_slow() {
    // Each request may take 30 s, but the call has 1 s: the deadline wins.
    let (_server, client) = slow_server_and_short_deadline(600, Duration::from_secs(1));
    // Cold: two requests of 600 ms each, so the call exceeds 1 s although each request alone
    // would not.
    let started = Instant::now();
    let err = client.get(&options()).unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.code(), ErrorCode::Timeout, "{err}");
    assert!(err.message().contains("deadline"), "{err}");
    assert!(
        took >= Duration::from_millis(950) && took < Duration::from_millis(1500),
        "{took:?}"
    );
}

#[test]
fn a_reference_whose_folder_cannot_be_fetched_fails_the_call() {
    const REFERENCES: &str = r#"{
      "apps": [{"name": "app", "environments": ["Development"],
                "secrets": {"Development": [
                  {"key": "URL", "value": "postgres://${/db/HOST}"},
                  {"key": "HOST", "value": "db.internal", "path": "/db"}]}}],
      "service_accounts": [{"name": "sa", "access": {"app": "*"}, "tokens": [{"name": "sa"}]}]
    }"#;
    let (world, tokens) = World::from_seed(&Seed::from_json(REFERENCES).unwrap()).unwrap();
    let server = BackgroundServer::start(world).unwrap();
    let client: BlockingClient = Client::builder()
        .token(&tokens["sa"].token)
        .host(server.url())
        .retry_policy(no_retries())
        .build()
        .unwrap()
        .into();
    let root = GetOptions::new(AppRef::name("app"), "Development").path("/");
    let resolved = client.get(&root).unwrap();
    assert_eq!(resolved[0].value.expose(), "postgres://db.internal");
    // The root listing is answered; the referenced folder's listing fails, in turn with a
    // 503, a dropped connection and a tampered answer. Strict or not, the call fails with that
    // error: references must not come back unresolved as if the folder were empty.
    let faults = [
        (Faults::fail(1, 503), ErrorCode::Server),
        (
            Faults {
                drop_next: 1,
                ..Faults::default()
            },
            ErrorCode::Network,
        ),
        (
            Faults {
                corrupt_next: 1,
                corruption: Some(Corruption::Tamper),
                ..Faults::default()
            },
            ErrorCode::DecryptFailed,
        ),
    ];
    for (fault, code) in faults {
        for strict in [false, true] {
            client.get(&root).unwrap();
            server.set_faults(Faults {
                pass_next: 1,
                path: Some("/secrets/".into()),
                ..fault.clone()
            });
            let err = client
                .get(&root.clone().strict_references(strict))
                .unwrap_err();
            assert_eq!(err.code(), code, "{err}");
            assert!(err.message().contains("reference"), "{err}");
            server.set_faults(Faults::default());
        }
    }
}

#[test]
fn a_request_cut_off_by_the_deadline_says_so_once() {
    let (_server, client) = slow_server_and_short_deadline(2000, Duration::from_millis(500));
    let err = client.get(&options()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Timeout, "{err}");
    assert_eq!(err.message().matches("deadline").count(), 1, "{err}");
    assert_eq!(
        err.to_string(),
        "timeout: /secrets/tokens/: no answer within the 500ms deadline"
    );
}
