//! References through the client against the local server: every case the Go SDK's tests pin
//! down, plus phasekit's rules: secrets in memory are never fetched again, every other
//! (app, environment, path) once per get, cycles are errors, strict mode fails on unresolved.

mod common;

use common::Local;
use phasekit::{AppRef, BlockingClient, ErrorCode, GetOptions, Secret};
use phasekit_server::BackgroundServer;

const SEED: &str = r#"{
  "apps": [
    {"name": "my-app", "environments": ["Development", "Staging"],
     "secrets": {
       "Development": [
         {"key": "KEY", "value": "value1"},
         {"key": "STRIPE_KEY", "value": "stripe_value", "path": "/backend/payments"},
         {"key": "COMBINED", "value": "A=${KEY};B=${staging.DEBUG};C=${/backend/payments/STRIPE_KEY}"},
         {"key": "TWICE", "value": "A=${KEY};B=${KEY}"},
         {"key": "RAILWAY", "value": "Railway: ${{RAILWAY_TOKEN}}"},
         {"key": "CROSS", "value": "DB=${other_app::dev.POSTGRESQL_URL}"},
         {"key": "NESTED_CROSS", "value": "${db::prod.CONN}"},
         {"key": "HOST", "value": "my-app-host"},
         {"key": "MISSING", "value": "value=${staging.NOPE}"},
         {"key": "NO_ENV", "value": "${other_app::POSTGRESQL_DB}"},
         {"key": "CYCLE_A", "value": "${CYCLE_B}"},
         {"key": "CYCLE_B", "value": "${CYCLE_C}"},
         {"key": "CYCLE_C", "value": "${CYCLE_A}"},
         {"key": "BACKEND_KEY", "value": "from-backend", "path": "/backend"}
       ],
       "Staging": [{"key": "DEBUG", "value": "staging_debug_value"}]
     }},
    {"name": "other_app", "environments": ["dev"],
     "secrets": {"dev": [
       {"key": "POSTGRESQL_URL", "value": "postgresql://${/creds/POSTGRESQL_USER}:${/creds/POSTGRESQL_PASSWORD}@${POSTGRESQL_HOST}/${POSTGRESQL_DB}"},
       {"key": "POSTGRESQL_USER", "value": "wrong_user"},
       {"key": "POSTGRESQL_USER", "value": "pg_user", "path": "/creds"},
       {"key": "POSTGRESQL_PASSWORD", "value": "pg_password", "path": "/creds"},
       {"key": "POSTGRESQL_HOST", "value": "localhost"},
       {"key": "POSTGRESQL_DB", "value": "db"}
     ]}},
    {"name": "db", "environments": ["prod"],
     "secrets": {"prod": [{"key": "CONN", "value": "x@${HOST}"}, {"key": "HOST", "value": "db-host"}]}}
  ],
  "service_accounts": [{"name": "sa", "access": {"my-app": "*", "other_app": "*", "db": "*"}, "tokens": [{"name": "sa"}]}]
}"#;

fn start() -> (BackgroundServer, BlockingClient) {
    let local = Local::start(SEED);
    let client = local.client("sa");
    (local.server, client)
}

fn dev() -> GetOptions {
    GetOptions::new(AppRef::name("my-app"), "Development")
}

fn value(secrets: &[Secret], key: &str) -> String {
    secrets
        .iter()
        .find(|s| s.key == key)
        .unwrap_or_else(|| panic!("{key}"))
        .value
        .expose()
        .to_owned()
}

fn secret_requests(server: &BackgroundServer) -> u64 {
    server
        .request_counts()
        .get("GET /secrets/")
        .copied()
        .unwrap_or(0)
}

#[test]
fn a_cycle_anywhere_in_the_result_fails_the_get() {
    let (_server, client) = start();
    let err = client.get(&dev()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ReferenceCycle);
    // Without the cycle members, everything resolves.
    let fine = client
        .get(&dev().keys([
            "COMBINED",
            "TWICE",
            "RAILWAY",
            "CROSS",
            "NESTED_CROSS",
            "MISSING",
            "NO_ENV",
        ]))
        .unwrap();
    assert_eq!(fine.len(), 7);
}

#[test]
fn go_sdk_cases_resolve_identically() {
    let (_server, client) = start();
    let get = |key: &str| value(&client.get(&dev().keys([key])).unwrap(), key);
    assert_eq!(
        get("COMBINED"),
        "A=value1;B=staging_debug_value;C=stripe_value"
    );
    assert_eq!(get("TWICE"), "A=value1;B=value1");
    assert_eq!(get("RAILWAY"), "Railway: ${{RAILWAY_TOKEN}}");
    // Recursive cross-app: /creds references use the /creds folder although / has the same name.
    assert_eq!(
        get("CROSS"),
        "DB=postgresql://pg_user:pg_password@localhost/db"
    );
    // A bare reference inside a cross-app value resolves in the referenced app.
    assert_eq!(get("NESTED_CROSS"), "x@db-host");
    // Unresolvable references are kept as written.
    assert_eq!(get("MISSING"), "value=${staging.NOPE}");
    assert_eq!(get("NO_ENV"), "${other_app::POSTGRESQL_DB}");
}

#[test]
fn strict_mode_fails_on_what_default_mode_keeps() {
    let (_server, client) = start();
    let strict = |key: &str| {
        client
            .get(&dev().keys([key]).strict_references(true))
            .unwrap_err()
    };
    let err = strict("MISSING");
    assert_eq!(err.code(), ErrorCode::ReferenceUnresolved);
    assert!(
        err.message()
            .contains("${staging.NOPE} could not be resolved"),
        "{err}"
    );
    let err = strict("NO_ENV");
    assert!(
        err.message()
            .contains("cross-app references must specify an environment"),
        "{err}"
    );
}

#[test]
fn cycles_are_errors_naming_the_reference() {
    let (_server, client) = start();
    let err = client.get(&dev().keys(["CYCLE_A"])).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ReferenceCycle);
    assert!(
        err.message()
            .contains("circular reference detected: ${CYCLE_"),
        "{err}"
    );
    // Raw mode returns the stored values untouched.
    let raw = client.get(&dev().keys(["CYCLE_A"]).raw(true)).unwrap();
    assert_eq!(value(&raw, "CYCLE_A"), "${CYCLE_B}");
}

#[test]
fn memory_serves_local_references_and_other_folders_are_fetched_once() {
    let (server, client) = start();
    // The get fetches "/" (several keys: no digest), so KEY and HOST are in memory although
    // the keys filter drops them; /backend/payments, Staging's root, other_app's / and /creds,
    // and db's / are each fetched once.
    let options = dev()
        .path("/")
        .keys(["COMBINED", "TWICE", "CROSS", "NESTED_CROSS"]);
    let before = secret_requests(&server);
    let got = client.get(&options).unwrap();
    assert_eq!(
        value(&got, "CROSS"),
        "DB=postgresql://pg_user:pg_password@localhost/db"
    );
    // 1 for the get itself (keys filter: no digest with several keys) + 5 folders.
    assert_eq!(secret_requests(&server) - before, 1 + 5);

    // A folder without references costs its one request.
    let before = secret_requests(&server);
    let backend = GetOptions::new(AppRef::name("my-app"), "Development").path("/backend");
    assert_eq!(
        value(&client.get(&backend).unwrap(), "BACKEND_KEY"),
        "from-backend"
    );
    assert_eq!(secret_requests(&server) - before, 1);
}

#[test]
fn reference_paths_are_normalized_like_the_api_path() {
    let (_server, client) = start();
    let seedless = client.get(&dev().path("/backend/")).unwrap();
    assert_eq!(value(&seedless, "BACKEND_KEY"), "from-backend");
}
