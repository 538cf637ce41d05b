//! The offline cache: answers stored as ciphertext with private file modes, served when the
//! server cannot be reached (flagged in the result) and in offline mode without any network;
//! never in place of an answer that refuses access.

use std::path::{Path, PathBuf};

use phasekit::{
    AppRef, BlockingClient, Client, ErrorCode, GetOptions, NewSecret, OfflineMode, Secret, Source,
};
use phasekit_server::faults::Faults;

mod common;
use common::Local;

const SEED: &str = r#"{
  "apps": [{"name": "shop", "environments": ["Development", "Production"],
            "secrets": {"Development": [
              {"key": "DB_PASSWORD", "value": "offline-canary-value-1", "comment": "primary"},
              {"key": "API_KEY", "value": "offline-canary-value-2", "path": "/api"},
              {"key": "DB_URL", "value": "postgres://${DB_PASSWORD}@db"}]}}],
  "service_accounts": [{"name": "sa", "access": {"shop": "*"}, "tokens": [{"name": "sa"}]}]
}"#;

/// A fresh offline cache directory for one test, removed when the test ends, failed or not.
struct CacheDir(PathBuf);

impl CacheDir {
    fn new(name: &str) -> CacheDir {
        let dir = std::env::temp_dir().join(format!(
            "phasekit-test-offline-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        CacheDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for CacheDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn dev() -> GetOptions {
    GetOptions::new(AppRef::name("shop"), "Development")
}

fn client(local: &Local, dir: &Path, mode: OfflineMode) -> BlockingClient {
    local.client_with("sa", Client::builder().offline_cache(dir, mode))
}

/// A server, and a cache directory holding the answers a client stored while it fetched
/// `dev()` from it; and what it fetched.
fn fetched_online(name: &str) -> (Local, CacheDir, Vec<Secret>) {
    let local = Local::start(SEED);
    let dir = CacheDir::new(name);
    let fresh = client(&local, dir.path(), OfflineMode::Fallback)
        .get(&dev())
        .unwrap();
    (local, dir, fresh)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn values(result: &[Secret]) -> Vec<(String, String)> {
    let mut pairs: Vec<_> = result
        .iter()
        .map(|s| (s.key.clone(), s.value.expose().to_owned()))
        .collect();
    pairs.sort();
    pairs
}

#[test]
fn answers_are_stored_as_ciphertext_in_private_files() {
    let local = Local::start(SEED);
    let dir = CacheDir::new("stored");
    let result = client(&local, dir.path(), OfflineMode::Fallback)
        .get_result(&dev())
        .unwrap();
    assert_eq!(result.source, Source::Network);
    let stored = files(dir.path());
    // The session and one listing of every folder.
    assert_eq!(stored.len(), 2, "{stored:?}");
    for file in &stored {
        let text = std::fs::read_to_string(file).unwrap();
        // Values, keys and comments are end-to-end encrypted (app and environment names are
        // not: the server sends those in clear).
        for plain in ["offline-canary-value", "DB_PASSWORD", "primary"] {
            assert!(!text.contains(plain), "{plain} in {}", file.display());
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
    }
}

#[test]
fn an_unreachable_server_is_replaced_by_the_cache_and_the_result_says_so() {
    let (local, dir, fresh) = fetched_online("fallback");
    // A new client (no session in memory) while every request fails.
    let cold = client(&local, dir.path(), OfflineMode::Fallback);
    local.server.set_faults(Faults::fail(100, 503));
    let result = cold.get_result(&dev()).unwrap();
    assert_eq!(result.source, Source::Offline);
    assert_eq!(values(&result.secrets), values(&fresh));
    // References still resolve from the cached listing.
    let url = result.secrets.iter().find(|s| s.key == "DB_URL").unwrap();
    assert_eq!(url.value.expose(), "postgres://offline-canary-value-1@db");
    assert!(cold.stats().offline_served >= 2);
    // Once the server answers again, so does the network.
    local.server.set_faults(Faults::default());
    assert_eq!(cold.get_result(&dev()).unwrap().source, Source::Network);
}

#[test]
fn a_refusal_is_never_papered_over_with_the_cache() {
    let (local, dir, _) = fetched_online("refusal");
    local.server.set_faults(Faults::fail(100, 403));
    let err = client(&local, dir.path(), OfflineMode::Fallback)
        .get(&dev())
        .unwrap_err();
    assert_ne!(err.code(), ErrorCode::OfflineUnavailable, "{err}");
    assert!(!err.retryable(), "{err}");
}

#[test]
fn offline_mode_needs_no_server_and_refuses_writes() {
    let (local, dir, fresh) = fetched_online("only");
    let host = local.server.url();
    let token = local.tokens["sa"].clone();
    local.server.server.shutdown();

    let offline: BlockingClient = Client::builder()
        .token(token)
        .host(host)
        .offline_cache(dir.path(), OfflineMode::Only)
        .build()
        .unwrap()
        .into();
    let result = offline.get_result(&dev()).unwrap();
    assert_eq!(result.source, Source::Offline);
    assert_eq!(values(&result.secrets), values(&fresh));
    // One key: served from the whole listing (no digest lookup offline).
    let one = offline.get(&dev().keys(["API_KEY"])).unwrap();
    assert_eq!(
        values(&one),
        [("API_KEY".into(), "offline-canary-value-2".into())]
    );
    assert_eq!(offline.stats().requests, 0);

    let err = offline
        .create(
            &AppRef::name("shop"),
            "Development",
            &[NewSecret::new("NEW", "1")],
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::OfflineUnavailable, "{err}");
    assert!(err.message().contains("offline mode"), "{err}");
    // A scope never fetched online is not in the cache.
    let err = offline
        .get(&GetOptions::new(AppRef::name("shop"), "Production"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::OfflineUnavailable, "{err}");
}

#[test]
fn offline_mode_without_a_directory_is_refused() {
    let local = Local::start(SEED);
    for builder in [
        Client::builder().offline_cache("", OfflineMode::Only),
        Client::builder().offline_settings(None, Some(true)),
    ] {
        let err = builder
            .token(&local.tokens["sa"])
            .host(local.server.url())
            .build()
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
        assert!(err.message().contains("offline cache directory"), "{err}");
    }
}

#[test]
fn plain_value_settings_choose_the_mode() {
    let local = Local::start(SEED);
    let dir = CacheDir::new("settings");
    let online = local.client_with(
        "sa",
        Client::builder().offline_settings(Some(dir.path().to_string_lossy().into_owned()), None),
    );
    online.get(&dev()).unwrap();
    let offline = local.client_with(
        "sa",
        Client::builder()
            .offline_settings(Some(dir.path().to_string_lossy().into_owned()), Some(true)),
    );
    assert_eq!(offline.get_result(&dev()).unwrap().source, Source::Offline);
    assert_eq!(offline.stats().requests, 0);
}

#[test]
fn a_young_stored_answer_is_served_at_once_and_refreshed_in_the_background() {
    let local = Local::start(SEED);
    let dir = CacheDir::new("max-age");
    let api = || dev().path("/api");
    // A first process stores the session and the folder's listing.
    client(&local, dir.path(), OfflineMode::Fallback)
        .get(&api())
        .unwrap();
    local.server.set_faults(Faults::slow(800));
    local.server.reset_request_counts();

    // A new process with `offline_max_age` answers from them without waiting for the server.
    let young = |max_age: std::time::Duration| {
        local.client_with(
            "sa",
            Client::builder()
                .offline_cache(dir.path(), OfflineMode::Fallback)
                .offline_max_age(max_age),
        )
    };
    let fresh_enough = young(std::time::Duration::from_secs(60));
    let started = std::time::Instant::now();
    let result = fresh_enough.get_result(&api()).unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(result.source, Source::Offline);
    assert_eq!(result.secrets[0].value.expose(), "offline-canary-value-2");
    // One refresh runs in the background: the server is asked once, for both answers.
    let counts = || {
        let counts = local.server.request_counts();
        let count = |e: &str| counts.get(e).copied().unwrap_or(0);
        (count("GET /secrets/tokens/"), count("GET /secrets/"))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while counts() != (1, 1) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(counts(), (1, 1));
    // After it, the client has the session: its next read goes to the server as usual.
    std::thread::sleep(std::time::Duration::from_millis(900));
    assert_eq!(
        fresh_enough.get_result(&api()).unwrap().source,
        Source::Network
    );

    // A stored answer older than max_age, and dynamic reads, take the usual way.
    let too_old = young(std::time::Duration::from_millis(1));
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert_eq!(too_old.get_result(&api()).unwrap().source, Source::Network);
    let error = Client::builder()
        .token(&local.tokens["sa"])
        .host(local.server.url())
        .offline_max_age(std::time::Duration::from_secs(60))
        .build()
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidInput);
    assert!(
        error.message().contains("offline cache directory"),
        "{error}"
    );
}
