//! `watch`: changes reported when secrets rotate, transient failures reported while polling
//! goes on, a refusal ending the watch, and no polling once the watch is dropped.

use std::time::Duration;

use phasekit::{AppRef, Change, GetOptions, NewSecret, SecretUpdate, Watch, WatchPolicy};
use phasekit_server::faults::Faults;

mod common;
use common::{Local, no_retries};

const SEED: &str = r#"{
  "apps": [{"name": "shop", "environments": ["Development"],
            "secrets": {"Development": [
              {"key": "A", "value": "1"},
              {"key": "B", "value": "2"},
              {"key": "C", "value": "3", "path": "/db"}]}}],
  "service_accounts": [{"name": "sa", "access": {"shop": "*"}, "tokens": [{"name": "sa"}]}]
}"#;

fn dev() -> GetOptions {
    GetOptions::new(AppRef::name("shop"), "Development")
}

fn fast() -> WatchPolicy {
    WatchPolicy {
        interval: Duration::from_millis(100),
        max_backoff: Duration::from_millis(400),
    }
}

/// The async client of the token `sa`; a watch is async only.
fn async_client(local: &Local) -> phasekit::Client {
    local.client("sa").async_client().clone()
}

/// Runs a test's async body on the core's runtime, which the clients' work runs on.
fn on_runtime<F: std::future::Future>(body: F) -> F::Output {
    phasekit::client::runtime().unwrap().block_on(body)
}

/// A watch of `dev()` whose first poll, the baseline changes are measured against, is done.
async fn watch_from_baseline(client: &phasekit::Client) -> Watch {
    let watch = client.watch(dev(), fast()).unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    watch
}

async fn next(watch: &mut Watch) -> phasekit::Result<Change> {
    tokio::time::timeout(Duration::from_secs(10), watch.next())
        .await
        .expect("a change within 10 s")
        .expect("the watch is running")
}

#[test]
fn rotations_are_reported_as_added_changed_and_removed_keys() {
    let local = Local::start(SEED);
    let writer = async_client(&local);
    let client = async_client(&local);
    on_runtime(async {
        let mut watch = watch_from_baseline(&client).await;
        let app = AppRef::name("shop");
        writer
            .update(
                &app,
                "Development",
                &SecretUpdate {
                    value: Some("11".into()),
                    ..SecretUpdate::new("A")
                },
            )
            .await
            .unwrap();
        assert_eq!(
            next(&mut watch).await.unwrap(),
            Change {
                changed: vec!["A".into()],
                ..Change::default()
            }
        );
        writer
            .create(&app, "Development", &[NewSecret::new("D", "4")])
            .await
            .unwrap();
        writer
            .delete(&app, "Development", &["C".to_owned()], Some("/db"))
            .await
            .unwrap();
        // The two writes may land in one poll or two.
        let mut seen = Change::default();
        while seen.added.is_empty() || seen.removed.is_empty() {
            let change = next(&mut watch).await.unwrap();
            assert!(change.changed.is_empty(), "{change:?}");
            seen.added.extend(change.added);
            seen.removed.extend(change.removed);
        }
        assert_eq!(seen.added, ["D"]);
        assert_eq!(seen.removed, ["/db/C"]);
    });
}

#[test]
fn transient_failures_are_reported_and_polling_goes_on() {
    let local = Local::start(SEED);
    let writer = async_client(&local);
    // No retries inside a poll: every failed poll is reported.
    let client = local
        .client_with("sa", phasekit::Client::builder().retry_policy(no_retries()))
        .async_client()
        .clone();
    on_runtime(async {
        let mut watch = watch_from_baseline(&client).await;
        local
            .server
            .set_faults(Faults::fail(2, 503).at_path("/secrets/"));
        for _ in 0..2 {
            let err = next(&mut watch).await.unwrap_err();
            assert_eq!(err.code(), phasekit::ErrorCode::Server, "{err}");
        }
        writer
            .create(
                &AppRef::name("shop"),
                "Development",
                &[NewSecret::new("E", "5")],
            )
            .await
            .unwrap();
        let change = next(&mut watch).await.unwrap();
        assert_eq!(change.added, ["E"]);
    });
}

#[test]
fn a_refusal_ends_the_watch_and_a_dropped_watch_stops_polling() {
    let local = Local::start(SEED);
    let client = async_client(&local);
    on_runtime(async {
        let mut watch = watch_from_baseline(&client).await;
        local
            .server
            .set_faults(Faults::fail(1, 403).at_path("/secrets/"));
        let err = next(&mut watch).await.unwrap_err();
        assert!(!err.retryable(), "{err}");
        assert!(watch.next().await.is_none(), "the watch ended");

        let watch = watch_from_baseline(&client).await;
        drop(watch);
        tokio::time::sleep(Duration::from_millis(50)).await;
        local.server.reset_request_counts();
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(local.server.request_counts().is_empty());
    });
}

#[test]
fn dynamic_scopes_and_zero_intervals_are_refused() {
    let local = Local::start(SEED);
    let client = async_client(&local);
    on_runtime(async {
        let err = client
            .watch(dev().dynamic(false, None), fast())
            .unwrap_err();
        assert_eq!(err.code(), phasekit::ErrorCode::InvalidInput);
        let zero = WatchPolicy {
            interval: Duration::ZERO,
            ..fast()
        };
        let err = client.watch(dev(), zero).unwrap_err();
        assert_eq!(err.code(), phasekit::ErrorCode::InvalidInput);
    });
}
