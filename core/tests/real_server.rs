//! Proof against a real Phase server: the recorded `/service/secrets/tokens/` and
//! `/service/secrets/` responses of Phase Console v2.73.2 (`tests/fixtures/phase-console/`),
//! decoded with the recorded tokens, must reproduce exactly what the official Python SDK
//! decrypted from the same state (`expected.json`) — record by record through the core's
//! decryption, and through the whole client talking to a server that replays the recording.

mod recorded;

use std::collections::{BTreeMap, BTreeSet};

use phasekit::api::wire::{SecretRecord, TokensResponse};
use phasekit::api::{decode_json, error_from_response};
use phasekit::keyring::{AccountKey, EnvironmentKeys};
use phasekit::secrets::{DecryptContext, decrypt_record};
use phasekit::{AppRef, BlockingClient, Client, ErrorCode, GetOptions, Secret, Token};
use recorded::{Recording, Replay, in_folder};
use serde_json::{Value, json};

/// The `/tokens/` exchange recorded for each token of `expected.json`.
fn tokens_exchange_of(token_name: &str) -> &'static str {
    match token_name {
        "pss_service_v2" => "sa_tokens",
        "pss_user" => "user_tokens",
        "pss_service_v1" => "legacy_tokens",
        other => panic!("no /tokens/ exchange recorded for {other}"),
    }
}

const TOKENS_EXCHANGES: [(&str, &str); 3] = [
    ("pss_service_v2", "sa_tokens"),
    ("pss_user", "user_tokens"),
    ("pss_service_v1", "legacy_tokens"),
];

/// The lab app's Development keys and environment id, unwrapped with the recorded token
/// `token_name`, and that token.
fn lab_development_keys(rec: &Recording, token_name: &str) -> (Token, EnvironmentKeys, String) {
    let token = token(rec, token_name);
    let (keys, env_id) = environment_keys(rec, &token, token_name, "lab-app", "Development");
    (token, keys, env_id)
}

/// How the lab app's Development secrets are decrypted, with that environment's `keys`.
fn lab_development(keys: &EnvironmentKeys) -> DecryptContext<'_> {
    DecryptContext {
        keys,
        app: "lab-app",
        env: "Development",
        memo: None,
    }
}

fn token(rec: &Recording, name: &str) -> Token {
    Token::parse(rec.token_text(name)).expect("recorded token parses")
}

fn body_bytes(exchange: &Value) -> Vec<u8> {
    serde_json::to_vec(&exchange["response"]["body"]).unwrap()
}

fn session_of(rec: &Recording, token_name: &str) -> TokensResponse {
    let exchange = rec.exchange(tokens_exchange_of(token_name));
    decode_json(&body_bytes(exchange), "/tokens/").expect("tokens response decodes")
}

fn environment_keys(
    rec: &Recording,
    token: &Token,
    token_name: &str,
    app: &str,
    env: &str,
) -> (EnvironmentKeys, String) {
    let session = session_of(rec, token_name);
    let account =
        AccountKey::reconstruct(token, &session.wrapped_key_share).expect("account key rebuilds");
    let entry = session
        .apps
        .iter()
        .find(|a| a.name == app)
        .expect("app in session")
        .environment_keys
        .iter()
        .find(|k| k.environment.name == env)
        .expect("environment in session");
    let keys = account
        .unwrap_environment(
            &entry.wrapped_seed,
            &entry.wrapped_salt,
            &entry.identity_key,
        )
        .expect("environment keys unwrap and match identity_key");
    (keys, entry.environment.id.clone())
}

/// Every recorded 200 listing of `/service/secrets/` for an environment, the token's own
/// recordings first: they carry its personal overrides. Ciphertexts of shared values are the
/// same bytes for every account of the environment.
fn recorded_records(rec: &Recording, token: &Token, env_id: &str) -> Vec<SecretRecord> {
    let auth = token.authorization_header();
    let mut listings: Vec<&Value> = rec
        .all()
        .filter(|e| {
            e["request"]["method"] == "GET"
                && e["request"]["path"] == "/service/secrets/"
                && e["request"]["headers"]["Environment"] == env_id
                && e["response"]["status"] == 200
        })
        .collect();
    listings.sort_by_key(|e| e["request"]["headers"]["Authorization"] != auth.as_str());
    let mut seen = BTreeSet::new();
    let mut records = Vec::new();
    for listing in listings {
        let batch: Vec<SecretRecord> =
            decode_json(&body_bytes(listing), "/secrets/").expect("listing decodes");
        records.extend(batch.into_iter().filter(|r| seen.insert(r.id.clone())));
    }
    records
}

fn as_expected_json(secret: &Secret) -> Value {
    json!({
        "key": secret.key,
        "value": secret.value.expose(),
        "path": secret.path,
        "tags": secret.tags,
        "comment": secret.comment,
        "overridden": secret.overridden,
    })
}

fn sorted_rows(mut secrets: Vec<Secret>) -> Value {
    secrets.sort_by(|a, b| (&a.path, &a.key).cmp(&(&b.path, &b.key)));
    Value::Array(secrets.iter().map(as_expected_json).collect())
}

fn replay_client(rec: &Recording, replay: &Replay, token_name: &str) -> BlockingClient {
    Client::builder()
        .token(rec.token_text(token_name))
        .host(&replay.url)
        .build()
        .expect("client for the replay")
        .into()
}

#[test]
fn recorded_requests_carry_the_bearer_header_phasekit_builds() {
    let rec = Recording::load();
    for (token_name, exchange) in TOKENS_EXCHANGES {
        let recorded = &rec.exchange(exchange)["request"]["headers"]["Authorization"];
        assert_eq!(
            recorded.as_str().unwrap(),
            token(&rec, token_name).authorization_header().as_str(),
            "{token_name}"
        );
    }
}

#[test]
fn every_recorded_environment_key_rebuilds_from_its_token() {
    // Share unwrap, XOR, seed and salt decryption: the environment key pair derived from the
    // seed must have the identity key the server lists, for every app the token can see
    // (lab-big included, whose secrets were not recorded).
    let rec = Recording::load();
    let mut rebuilt = 0;
    for (token_name, _) in TOKENS_EXCHANGES {
        let token = token(&rec, token_name);
        let session = session_of(&rec, token_name);
        let account = AccountKey::reconstruct(&token, &session.wrapped_key_share)
            .expect("account key rebuilds");
        for app in &session.apps {
            for entry in &app.environment_keys {
                account
                    .unwrap_environment(
                        &entry.wrapped_seed,
                        &entry.wrapped_salt,
                        &entry.identity_key,
                    )
                    .unwrap_or_else(|e| {
                        panic!("{token_name}/{}/{}: {e}", app.name, entry.environment.name)
                    });
                rebuilt += 1;
            }
        }
    }
    // 7 environments for the service account and the user (3 + 3 + lab-big's one), 3 for the
    // legacy token (its app only).
    assert_eq!(rebuilt, 17);
}

#[test]
fn decrypting_every_recorded_listing_reproduces_the_official_sdk_output() {
    let rec = Recording::load();
    let combos = rec.combinations();
    assert_eq!(
        combos.len(),
        12,
        "expected.json covers 12 token/app/environment combinations"
    );
    let env_ids: BTreeMap<String, (String, String)> = combos
        .iter()
        .map(|(token_name, app, env)| {
            let (_, env_id) =
                environment_keys(&rec, &token(&rec, token_name), token_name, app, env);
            (env_id, (app.clone(), env.clone()))
        })
        .collect();

    let mut proved = BTreeSet::new();
    let mut listings = 0;
    for exchange in rec.all() {
        let request = &exchange["request"];
        if request["path"] != "/service/secrets/" || exchange["response"]["status"] != 200 {
            continue;
        }
        let auth = request["headers"]["Authorization"].as_str().unwrap();
        let (token_name, _) = TOKENS_EXCHANGES
            .iter()
            .find(|(name, _)| token(&rec, name).authorization_header().as_str() == auth)
            .expect("a listing of a known token");
        let env_id = request["headers"]["Environment"].as_str().unwrap();
        let (app, env) = &env_ids[env_id];
        let combo = format!("{token_name}/{app}/{env}");
        let (keys, _) = environment_keys(&rec, &token(&rec, token_name), token_name, app, env);
        let records: Vec<SecretRecord> =
            decode_json(&body_bytes(exchange), "/secrets/").expect("listing decodes");
        let cx = DecryptContext {
            keys: &keys,
            app,
            env,
            memo: None,
        };
        let secrets: Vec<Secret> = records
            .iter()
            .map(|record| {
                let secret = decrypt_record(record, cx).expect("every recorded secret decrypts");
                // The salt chain is right only if our digest of the name is the stored one.
                assert_eq!(
                    Some(keys.key_digest(&secret.key)),
                    record.key_digest,
                    "{combo}: digest of {}",
                    secret.key
                );
                assert_eq!(
                    (secret.app.as_str(), secret.env.as_str()),
                    (app.as_str(), env.as_str())
                );
                secret
            })
            .collect();
        let expected = &rec.expected["raw"][&combo];
        let folder = request["headers"]["Path"].as_str();
        let want = match folder {
            Some(folder) => Value::Array(in_folder(expected.as_array().unwrap(), folder)),
            None => expected.clone(),
        };
        let name = exchange["name"].as_str().unwrap();
        assert_eq!(sorted_rows(secrets), want, "{name} ({combo})");
        assert!(
            want.as_array().is_some_and(|rows| !rows.is_empty()),
            "{name}"
        );
        listings += 1;
        if folder.is_none() {
            proved.insert(combo);
        }
    }
    println!(
        "real server: proved {} of {} token/app/environment combinations from {listings} recorded listings",
        proved.len(),
        combos.len()
    );
    assert_eq!(proved.len(), 12, "proved only {proved:?}");
}

#[test]
fn the_client_reproduces_every_combination_from_the_replayed_recording() {
    // The whole client (session, selection, key chain, listing, decryption, references)
    // against the real server's bytes.
    let rec = Recording::load();
    let replay = Replay::start(&rec.exchanges);
    let mut proved = 0;
    for (token_name, app, env) in rec.combinations() {
        let combo = format!("{token_name}/{app}/{env}");
        let client = replay_client(&rec, &replay, &token_name);
        let options = GetOptions::new(AppRef::name(&app), &env);
        let raw = client
            .get(&GetOptions {
                raw: true,
                ..options.clone()
            })
            .unwrap_or_else(|e| panic!("{combo}: {e}"));
        assert_eq!(sorted_rows(raw), rec.expected["raw"][&combo], "{combo}");

        let resolved = client
            .get(&GetOptions {
                strict_references: true,
                ..options
            })
            .unwrap_or_else(|e| panic!("{combo}: {e}"));
        let resolved: BTreeMap<String, String> = resolved
            .iter()
            .map(|s| (format!("{}{}", s.path, s.key), s.value.expose().to_owned()))
            .collect();
        assert!(
            resolved.values().all(|v| !v.contains("${")),
            "{combo}: every reference resolves"
        );
        if let Some(want) = rec.expected["resolved_values"][&combo].as_object() {
            for (key, value) in want {
                assert_eq!(resolved[&format!("/{key}")], *value, "{combo}: {key}");
            }
        }
        proved += 1;
    }
    assert_eq!(replay.unmatched(), vec![], "requests outside the recording");
    println!("replayed real server: the client proved {proved} of 12 combinations");
    assert_eq!(proved, 12);
}

#[test]
fn versions_and_times_come_through_as_the_server_wrote_them() {
    let rec = Recording::load();
    let replay = Replay::start(&rec.exchanges);
    let secrets = replay_client(&rec, &replay, "pss_service_v2")
        .get(&GetOptions {
            raw: true,
            ..GetOptions::new(AppRef::name("lab-app"), "Development")
        })
        .unwrap();
    let records = rec.exchange("sa_secrets_dev_all")["response"]["body"]
        .as_array()
        .unwrap();
    assert_eq!(secrets.len(), records.len());
    for secret in &secrets {
        let record = records
            .iter()
            .find(|r| r["id"] == secret.id.as_str())
            .unwrap();
        assert_eq!(secret.version, record["version"].as_i64(), "{}", secret.key);
        assert_eq!(secret.created_at.as_deref(), record["created_at"].as_str());
        assert_eq!(secret.updated_at.as_deref(), record["updated_at"].as_str());
        assert!(secret.version.is_some_and(|v| v >= 1));
    }
}

#[test]
fn folder_listings_are_the_whole_listing_filtered() {
    // The replay answers a folder request that was not recorded from the environment's whole
    // listing; the listings recorded both ways show that this is what the server does.
    let rec = Recording::load();
    for (whole, folder, path) in [
        ("sa_secrets_dev_all", "sa_secrets_dev_root", "/"),
        ("sa_secrets_dev_all", "sa_secrets_dev_db", "/db"),
        ("user_secrets_dev_all", "user_secrets_dev_root", "/"),
    ] {
        let records = rec.exchange(whole)["response"]["body"].as_array().unwrap();
        assert_eq!(
            Value::Array(in_folder(records, path)),
            rec.exchange(folder)["response"]["body"],
            "{folder}"
        );
    }
}

#[test]
fn environment_types_are_passed_on_as_the_server_writes_them() {
    let rec = Recording::load();
    let replay = Replay::start(&rec.exchanges);
    let client = replay_client(&rec, &replay, "pss_service_v2");
    let types: Vec<(String, String)> = client
        .environments(&AppRef::name("lab-app"))
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.env_type))
        .collect();
    let types: BTreeMap<String, String> = types.into_iter().collect();
    assert_eq!(
        types,
        BTreeMap::from([
            ("Development".into(), "DEV".into()),
            ("Staging".into(), "STAGING".into()),
            ("Production".into(), "PROD".into()),
        ])
    );
}

#[test]
fn the_order_of_apps_and_environments_does_not_matter() {
    // The server lists apps and environments in no fixed order: reversed, every combination
    // still selects and decrypts the same secrets.
    let mut rec = Recording::load();
    for (_, exchange) in TOKENS_EXCHANGES {
        let apps = rec.exchange_mut(exchange)["response"]["body"]["apps"]
            .as_array_mut()
            .unwrap();
        apps.reverse();
        for app in apps {
            app["environment_keys"].as_array_mut().unwrap().reverse();
        }
    }
    let replay = Replay::start(&rec.exchanges);
    for (token_name, app, env) in rec.combinations() {
        let combo = format!("{token_name}/{app}/{env}");
        let secrets = replay_client(&rec, &replay, &token_name)
            .get(&GetOptions {
                raw: true,
                ..GetOptions::new(AppRef::name(&app), &env)
            })
            .unwrap_or_else(|e| panic!("{combo}: {e}"));
        assert_eq!(sorted_rows(secrets), rec.expected["raw"][&combo], "{combo}");
    }
    assert_eq!(replay.unmatched(), vec![]);
}

#[test]
fn an_app_without_recorded_secrets_is_listed_and_selection_stays_exact() {
    let rec = Recording::load();
    let replay = Replay::start(&rec.exchanges);
    let client = replay_client(&rec, &replay, "pss_service_v2");
    let apps: Vec<String> = client.apps().unwrap().into_iter().map(|a| a.name).collect();
    assert_eq!(
        apps.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        BTreeSet::from(["lab-app", "lab-app-e2ee", "lab-big"])
    );
    let big = client.environments(&AppRef::name("lab-big")).unwrap();
    assert_eq!(big.len(), 1);
    assert_eq!(big[0].name, "Production");
    // An exact name wins over the longer lab-app-e2ee; a bare "lab" fits two names equally.
    let secrets = client
        .get(&GetOptions::new(AppRef::name("LAB-APP"), "Staging"))
        .unwrap();
    assert!(secrets.iter().all(|s| s.app == "lab-app"));
    let error = client
        .get(&GetOptions::new(AppRef::name("lab"), "Production"))
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::Ambiguous, "{error}");
    assert!(
        error.message().contains("lab-app") && error.message().contains("lab-big"),
        "{error}"
    );
    assert_eq!(replay.unmatched(), vec![]);
}

#[test]
fn legacy_tokens_see_e2e_and_read_the_same_secrets() {
    // A legacy service token reports "E2E" for the SSE app; encryption mode changes nothing
    // in how secrets are fetched and decrypted.
    let rec = Recording::load();
    let replay = Replay::start(&rec.exchanges);
    let encryption_of = |token_name: &str| {
        replay_client(&rec, &replay, token_name)
            .apps()
            .unwrap()
            .into_iter()
            .find(|a| a.name == "lab-app")
            .unwrap()
            .encryption
    };
    assert_eq!(encryption_of("pss_service_v1"), "E2E");
    assert_eq!(encryption_of("pss_service_v2"), "SSE");
    let read = |token_name: &str| {
        sorted_rows(
            replay_client(&rec, &replay, token_name)
                .get(&GetOptions::new(AppRef::name("lab-app"), "Production"))
                .unwrap(),
        )
    };
    assert_eq!(read("pss_service_v1"), read("pss_service_v2"));
    assert_eq!(replay.unmatched(), vec![]);
}

#[test]
fn a_tokens_request_without_credentials_is_a_server_error_the_client_never_causes() {
    let rec = Recording::load();
    let exchange = rec.exchange("err_tokens_no_auth");
    assert!(
        exchange["request"]["headers"]
            .get("Authorization")
            .is_none()
    );
    let error = error_from_response(500, None, &body_bytes(exchange));
    assert_eq!(error.code(), ErrorCode::Server);
    assert!(!error.retryable(), "a 500 is not repeated");
    // Every request the client makes carries the bearer header.
    let replay = Replay::start(&rec.exchanges);
    replay_client(&rec, &replay, "pss_service_v2")
        .get(&GetOptions::new(AppRef::name("lab-app"), "Development"))
        .unwrap();
    let asked = replay.asked();
    assert!(asked.len() >= 2);
    assert!(
        asked
            .iter()
            .all(|a| a.headers.contains_key("authorization"))
    );
}

#[test]
fn the_personal_override_of_a_personal_access_token_wins() {
    let rec = Recording::load();
    let (_, keys, _) = lab_development_keys(&rec, "pss_user");
    let listing: Vec<SecretRecord> = decode_json(
        &body_bytes(rec.exchange("user_secrets_dev_root")),
        "/secrets/",
    )
    .unwrap();
    let cx = lab_development(&keys);
    let port = listing
        .iter()
        .map(|r| decrypt_record(r, cx).unwrap())
        .find(|s| s.key == "DB_PORT")
        .expect("DB_PORT");
    assert!(port.overridden);
    assert_eq!(port.value.expose(), "15432");
}

#[test]
fn camel_case_listings_decode_like_snake_case_ones() {
    let rec = Recording::load();
    let (_, keys, _) = lab_development_keys(&rec, "pss_service_v2");
    let cx = lab_development(&keys);
    let decode = |name: &str| -> Vec<Value> {
        let records: Vec<SecretRecord> =
            decode_json(&body_bytes(rec.exchange(name)), name).unwrap();
        assert!(
            records.iter().all(|r| r.key_digest.is_some()),
            "{name}: keyDigest/key_digest read"
        );
        records
            .iter()
            .map(|r| as_expected_json(&decrypt_record(r, cx).unwrap()))
            .collect()
    };
    assert_eq!(decode("sa_secrets_dev_camel"), decode("sa_secrets_dev_db"));
}

#[test]
fn server_side_plaintext_agrees_with_local_decryption() {
    // The public REST API of the SSE app returns plaintext decrypted by the server; for secrets
    // without references it must equal what phasekit decrypts from the E2E listing.
    let rec = Recording::load();
    let (token, keys, env_id) = lab_development_keys(&rec, "pss_service_v2");
    let cx = lab_development(&keys);
    let local: BTreeMap<String, Secret> = recorded_records(&rec, &token, &env_id)
        .iter()
        .map(|r| decrypt_record(r, cx).unwrap())
        .map(|s| (s.id.clone(), s))
        .collect();
    let rest = rec.exchange("sa_rest_v1_secrets_dev")["response"]["body"]
        .as_array()
        .unwrap();
    assert_eq!(rest.len(), local.len());
    let mut compared = 0;
    for item in rest {
        let secret = &local[item["id"].as_str().unwrap()];
        assert_eq!(item["key"], secret.key.as_str());
        assert_eq!(item["comment"], secret.comment.as_str());
        if !secret.value.expose().contains("${") {
            assert_eq!(item["value"], secret.value.expose(), "{}", secret.key);
            compared += 1;
        }
    }
    assert!(compared >= 8, "most values carry no reference");
    // The server resolved the references the way phasekit's client does.
    let resolved = &rec.expected["resolved_values"]["pss_service_v2/lab-app/Development"];
    for (key, value) in resolved.as_object().unwrap() {
        let item = rest.iter().find(|i| i["key"] == key.as_str()).unwrap();
        assert_eq!(&item["value"], value, "{key}");
    }
}

#[test]
fn recorded_error_responses_map_to_the_error_taxonomy() {
    let rec = Recording::load();
    let expected_codes = BTreeMap::from([
        ("err_tokens_unknown_token", ErrorCode::Unauthorized),
        ("err_secrets_unknown_token", ErrorCode::Unauthorized),
        ("err_secrets_unknown_env", ErrorCode::EnvNotFound),
        ("err_secrets_no_auth", ErrorCode::Unauthorized),
        ("err_tokens_no_auth", ErrorCode::Server),
        ("err_secrets_bad_type", ErrorCode::Unauthorized),
        ("err_create_bad_ciphertext", ErrorCode::InvalidInput),
        ("err_create_duplicate", ErrorCode::Conflict),
        ("err_secrets_method_patch", ErrorCode::Protocol),
        ("sa_rest_v1_secrets_e2ee", ErrorCode::InvalidInput),
        ("sa_rest_v1_no_slash", ErrorCode::Protocol),
    ]);
    let mut seen = BTreeSet::new();
    for exchange in rec.all() {
        let status = exchange["response"]["status"].as_u64().unwrap() as u16;
        if status < 400 {
            continue;
        }
        let name = exchange["name"].as_str().unwrap();
        let body = match &exchange["response"]["body"] {
            Value::String(html) => html.as_bytes().to_vec(),
            json => serde_json::to_vec(json).unwrap(),
        };
        let err = error_from_response(status, None, &body);
        let want = expected_codes
            .get(name)
            .unwrap_or_else(|| panic!("no expected code for {name}"));
        assert_eq!(err.code(), *want, "{name}: {err}");
        assert_eq!(err.status(), Some(status));
        assert!(!err.retryable(), "{name}");
        if let Some(server_message) = exchange["response"]["body"]["error"].as_str() {
            assert!(
                err.message().contains(server_message),
                "{name}: the server's reason is kept"
            );
        }
        seen.insert(name);
    }
    assert_eq!(
        seen,
        expected_codes.keys().copied().collect::<BTreeSet<_>>()
    );
}
