//! The server must answer like the real Phase backend. Every exchange recorded from Phase
//! Console v2.73.2 (`tests/fixtures/phase-console/exchanges.json`) is replayed against a server
//! seeded with the same state (`lab_seed.json`), with the recorded tokens and ids mapped to
//! ours. Status codes, error bodies and HTML pages must be identical; JSON bodies must have the
//! same field names, in the same order, with the same types.

mod common;

use common::Lab;
use phasekit::api::decode_json;
use phasekit::api::wire::{SecretRecord, TokensResponse};
use phasekit::keyring::AccountKey;
use phasekit::secrets::{DecryptContext, decrypt_record};
use reqwest::Method;
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../fixtures/phase-console/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Compares the shape of `ours` with `recorded`: same JSON types (a null on either side is a
/// nullable field holding or lacking a value), same object keys in the same order, and every
/// array element shaped like the recorded first element.
fn assert_same_shape(recorded: &Value, ours: &Value, at: &str) {
    match (recorded, ours) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(r), Value::Object(o)) => {
            let (rk, ok): (Vec<&String>, Vec<&String>) = (r.keys().collect(), o.keys().collect());
            assert_eq!(rk, ok, "field names at {at}");
            for (key, value) in r {
                assert_same_shape(value, &o[key], &format!("{at}.{key}"));
            }
        }
        (Value::Array(r), Value::Array(o)) => {
            if let Some(first) = r.first() {
                assert!(
                    !o.is_empty(),
                    "{at}: recorded a non-empty array, got an empty one"
                );
                for (i, item) in o.iter().enumerate() {
                    assert_same_shape(first, item, &format!("{at}[{i}]"));
                }
            }
        }
        (r, o) => assert_eq!(kind(r), kind(o), "type at {at}: recorded {r}, ours {o}"),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

struct Mapper<'a> {
    lab: &'a Lab,
    fixture: &'a Value,
}

impl Mapper<'_> {
    /// Recorded token strings -> our tokens of the same kind (same names in the seed).
    fn map_text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (name, recorded) in self.fixture["tokens"].as_object().unwrap() {
            let Ok(recorded) = recorded.as_str().unwrap().parse::<phasekit::Token>() else {
                continue;
            };
            if let Some(ours) = self.lab.tokens.get(name) {
                let ours: phasekit::Token = ours.parse().unwrap();
                let (r, o) = (recorded.rest_token(), ours.rest_token());
                let (r_secret, o_secret) =
                    (r.split(' ').nth(1).unwrap(), o.split(' ').nth(1).unwrap());
                out = out.replace(r_secret, o_secret);
            }
        }
        for (app_key, app_name) in [("app", "lab-app"), ("e2ee_app", "lab-app-e2ee")] {
            out = out.replace(
                self.fixture[app_key]["id"].as_str().unwrap(),
                &self.lab.app_id(app_name),
            );
        }
        let env_sets = [
            (&self.fixture["environments"], "lab-app"),
            (&self.fixture["e2ee_app"]["environments"], "lab-app-e2ee"),
        ];
        for (envs, app) in env_sets {
            for (env_name, id) in envs.as_object().unwrap() {
                out = out.replace(id.as_str().unwrap(), &self.lab.env_id(app, env_name));
            }
        }
        out
    }
}

#[test]
fn every_recorded_exchange_gets_the_real_servers_answer() {
    let fixture = fixture("exchanges.json");
    let lab = Lab::recorded_state();
    let mapper = Mapper {
        lab: &lab,
        fixture: &fixture,
    };
    let mut replayed = 0;
    for exchange in fixture["exchanges"].as_array().unwrap() {
        let name = exchange["name"].as_str().unwrap();
        let request = &exchange["request"];
        let method = Method::from_bytes(request["method"].as_str().unwrap().as_bytes()).unwrap();
        let mut builder = lab.http.request(
            method,
            lab.url(&mapper.map_text(request["path"].as_str().unwrap())),
        );
        for (header, value) in request["headers"].as_object().unwrap() {
            builder = builder.header(header.as_str(), mapper.map_text(value.as_str().unwrap()));
        }
        let body = match name {
            "err_create_duplicate" => Some(duplicate_of_db_host(&lab)),
            _ => (!request["body"].is_null()).then(|| request["body"].clone()),
        };
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        let response = builder.send().unwrap();
        let status = response.status().as_u16();
        let header = |n: &str| {
            response
                .headers()
                .get(n)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let (content_type, authenticate) = (header("content-type"), header("www-authenticate"));
        let text = response.text().unwrap();
        let recorded = &exchange["response"];
        assert_eq!(
            status,
            recorded["status"].as_u64().unwrap() as u16,
            "{name}: status ({text})"
        );
        assert_eq!(
            authenticate.as_deref(),
            recorded["headers"]["WWW-Authenticate"].as_str(),
            "{name}: WWW-Authenticate"
        );
        match &recorded["body"] {
            Value::String(page) => assert_eq!(&text, page, "{name}: HTML page"),
            body if body.get("error").is_some() => {
                assert_eq!(
                    serde_json::from_str::<Value>(&text).unwrap(),
                    *body,
                    "{name}: error body"
                )
            }
            body => {
                assert_eq!(content_type.as_deref(), Some("application/json"), "{name}");
                assert_same_shape(body, &serde_json::from_str(&text).unwrap(), name);
            }
        }
        replayed += 1;
    }
    assert_eq!(replayed, fixture["exchanges"].as_array().unwrap().len());
}

#[test]
fn environment_types_are_the_ones_the_real_server_lists() {
    // Field shapes alone would accept any string: the values of `env_type` must be the
    // recording's too (Phase's web app writes DEV, STAGING, PROD).
    let fixture = fixture("exchanges.json");
    let lab = Lab::recorded_state();
    let recorded = fixture["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "sa_tokens")
        .unwrap();
    let types = |body: &Value| -> Vec<(String, String)> {
        let mut types: Vec<(String, String)> = body["apps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|app| app["name"] != "lab-big")
            .flat_map(|app| app["environment_keys"].as_array().unwrap())
            .map(|key| {
                let env = &key["environment"];
                (env["name"].to_string(), env["env_type"].to_string())
            })
            .collect();
        types.sort();
        types
    };
    let (status, ours) = Lab::send(lab.get_as("/service/secrets/tokens/", "pss_service_v2"));
    assert_eq!(status, 200);
    assert_eq!(types(&ours), types(&recorded["response"]["body"]));
    assert_eq!(types(&ours).len(), 6);
}

/// A create request for DB_HOST at `/`, which the seed already holds: encrypted and digested
/// with our environment's keys, so that only the duplicate rule can reject it.
fn duplicate_of_db_host(lab: &Lab) -> Value {
    let keys = lab.environment_keys("pss_service_v2", "lab-app", "Development");
    json!({"secrets": [{
        "key": keys.encrypt("DB_HOST").unwrap(),
        "value": keys.encrypt("x").unwrap(),
        "comment": "",
        "keyDigest": keys.key_digest("DB_HOST"),
        "path": "/",
    }]})
}

#[test]
fn decrypting_this_servers_answers_gives_what_the_official_sdk_read_from_the_real_one() {
    // The seed holds the plaintext behind the recording; phasekit's core decrypting this
    // server's responses must reproduce the official Python SDK's output from the real server,
    // for all 12 token/app/environment combinations.
    let expected = fixture("expected.json");
    let lab = Lab::recorded_state();
    for (combo, want) in expected["raw"].as_object().unwrap() {
        let [token_name, app, env]: [&str; 3] =
            combo.split('/').collect::<Vec<_>>().try_into().unwrap();
        let token = lab.token(token_name);
        let (status, session) = Lab::send(lab.get_as("/service/secrets/tokens/", token_name));
        assert_eq!(status, 200, "{combo}");
        let session: TokensResponse =
            decode_json(&serde_json::to_vec(&session).unwrap(), "tokens").unwrap();
        let account = AccountKey::reconstruct(&token, &session.wrapped_key_share).unwrap();
        let entry = session
            .apps
            .iter()
            .find(|a| a.name == app)
            .and_then(|a| {
                a.environment_keys
                    .iter()
                    .find(|k| k.environment.name == env)
            })
            .unwrap_or_else(|| panic!("{combo}: environment in session"));
        let keys = account
            .unwrap_environment(
                &entry.wrapped_seed,
                &entry.wrapped_salt,
                &entry.identity_key,
            )
            .unwrap();
        let (status, listing) = Lab::send(
            lab.get_as("/service/secrets/", token_name)
                .header("Environment", &entry.environment.id),
        );
        assert_eq!(status, 200, "{combo}");
        let records: Vec<SecretRecord> = serde_json::from_value(listing).unwrap();
        let cx = DecryptContext {
            keys: &keys,
            app,
            env,
            memo: None,
        };
        let mut secrets: Vec<_> = records
            .iter()
            .map(|r| decrypt_record(r, cx).unwrap())
            .collect();
        secrets.sort_by(|a, b| (&a.path, &a.key).cmp(&(&b.path, &b.key)));
        for (secret, record) in secrets.iter().zip(&records) {
            let _ = record;
            assert_eq!(
                Some(keys.key_digest(&secret.key)),
                records
                    .iter()
                    .find(|r| r.id == secret.id)
                    .unwrap()
                    .key_digest
            );
        }
        let got: Vec<Value> = secrets
            .iter()
            .map(|s| {
                json!({"key": s.key, "value": s.value.expose(), "path": s.path, "tags": s.tags,
                       "comment": s.comment, "overridden": s.overridden})
            })
            .collect();
        assert_eq!(&Value::Array(got), want, "{combo}");
    }
}

#[test]
fn server_side_references_resolve_like_the_real_public_api() {
    let expected = fixture("expected.json");
    let lab = Lab::recorded_state();
    let path = format!(
        "/service/public/v1/secrets/?app_id={}&env=development",
        lab.app_id("lab-app")
    );
    let (status, body) = Lab::send(lab.get_as(&path, "pss_service_v2"));
    assert_eq!(status, 200);
    let resolved = &expected["resolved_values"]["pss_service_v2/lab-app/Development"];
    for (key, value) in resolved.as_object().unwrap() {
        let item = body
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key.as_str())
            .unwrap();
        assert_eq!(&item["value"], value, "{key}");
    }
    // The end-to-end app refuses the public API, whatever the route prefix.
    for prefix in ["/v1", "/service/public/v1", "/public/v1"] {
        let path = format!(
            "{prefix}/secrets/?app_id={}&env=Development",
            lab.app_id("lab-app-e2ee")
        );
        let (status, body) = Lab::send(lab.get_as(&path, "pss_service_v2"));
        assert_eq!(
            (status, body),
            (400, json!({"error": "SSE is not enabled for this App"})),
            "{prefix}"
        );
    }
}
