//! Writes through the E2E endpoint with the real validation rules, the personal-override and
//! permission rules, and malformed requests that must get errors, never a crash.

mod common;

use common::Lab;
use phasekit::api::wire::SecretRecord;
use phasekit::keyring::EnvironmentKeys;
use serde_json::{Value, json};

fn keys(lab: &Lab, token_name: &str, app: &str, env: &str) -> EnvironmentKeys {
    lab.environment_keys(token_name, app, env)
}

fn call(lab: &Lab, method: reqwest::Method, token: &str, env: &str, body: &Value) -> (u16, Value) {
    Lab::send(
        lab.http
            .request(method, lab.url("/service/secrets/"))
            .header("Authorization", lab.bearer(token))
            .header("Environment", env)
            .json(body),
    )
}

fn list(lab: &Lab, token: &str, env: &str, headers: &[(&str, &str)]) -> Vec<SecretRecord> {
    let mut request = lab
        .get_as("/service/secrets/", token)
        .header("Environment", env);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let (status, body) = Lab::send(request);
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

#[test]
fn create_update_and_delete_follow_the_real_rules() {
    let lab = Lab::recorded_state();
    let env = lab.env_id("lab-app", "Staging");
    let k = keys(&lab, "pss_service_v2", "lab-app", "Staging");
    let item = |key: &str, value: &str, path: &str| {
        json!({"key": k.encrypt(key).unwrap(), "value": k.encrypt(value).unwrap(), "comment": "",
               "keyDigest": k.key_digest(key), "path": path, "tags": ["new-tag"]})
    };
    let post = |body: &Value| call(&lab, reqwest::Method::POST, "pss_service_v2", &env, body);
    assert_eq!(
        post(&json!({"secrets": [item("NEW", "1", "//svc//")]})),
        (200, Value::Null)
    );
    let created = list(&lab, "pss_service_v2", &env, &[("Path", "/svc")]);
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].tags, ["new-tag"]);
    assert_eq!(k.decrypt(&created[0].value).unwrap().as_str(), "1");
    assert_eq!(
        created[0].key_digest.as_deref(),
        Some(k.key_digest("NEW").as_str())
    );

    // Duplicates: against stored secrets, and inside one batch.
    let duplicate = json!({"error": "Duplicate secret found"});
    assert_eq!(
        post(&json!({"secrets": [item("NEW", "2", "/svc")]})),
        (409, duplicate.clone())
    );
    assert_eq!(
        post(&json!({"secrets": [item("X", "1", "/"), item("X", "2", "/")]})),
        (409, duplicate)
    );
    // The same name at another path is fine.
    assert_eq!(post(&json!({"secrets": [item("NEW", "3", "/")]})).0, 200);
    // Required keys missing: the real server fails with a 500.
    assert_eq!(
        post(&json!({"secrets": [{"key": k.encrypt("Y").unwrap()}]})),
        (500, json!({"error": "Internal server error."}))
    );
    assert_eq!(post(&json!({"secrets": [item("Z", "1", "/") ]})).0, 200);
    let bad = json!({"secrets": [{"key": "ph:v1:abc:def", "value": "", "comment": "", "keyDigest": "00"}]});
    assert_eq!(
        post(&bad),
        (400, json!({"error": "Invalid ciphertext format"}))
    );

    // PUT replaces the tag set (absent = none), bumps the version, moves paths.
    let id = created[0].id.clone();
    let put = json!({"secrets": [{"id": id, "value": k.encrypt("2").unwrap(), "path": "/moved"}]});
    assert_eq!(
        call(&lab, reqwest::Method::PUT, "pss_service_v2", &env, &put),
        (200, Value::Null)
    );
    let moved = list(&lab, "pss_service_v2", &env, &[("Path", "/moved")]);
    assert_eq!((moved[0].tags.len(), moved[0].version), (0, Some(2)));
    assert_eq!(k.decrypt(&moved[0].value).unwrap().as_str(), "2");

    let delete = json!({"secrets": [id]});
    assert_eq!(
        call(
            &lab,
            reqwest::Method::DELETE,
            "pss_service_v2",
            &env,
            &delete
        ),
        (200, Value::Null)
    );
    assert!(list(&lab, "pss_service_v2", &env, &[("Path", "/moved")]).is_empty());
    let digest = k.key_digest("DB_HOST");
    assert_eq!(
        list(
            &lab,
            "pss_service_v2",
            &env,
            &[("KeyDigest", digest.as_str())]
        )
        .len(),
        1
    );
    assert_eq!(
        list(&lab, "pss_service_v2", &env, &[("Tags", "new-tag")]).len(),
        2
    );
}

#[test]
fn personal_overrides_are_per_user_and_only_for_personal_access_tokens() {
    let lab = Lab::recorded_state();
    let env = lab.env_id("lab-app", "Production");
    let k = keys(&lab, "pss_user", "lab-app", "Production");
    let records = list(&lab, "pss_user", &env, &[]);
    let port = records
        .iter()
        .find(|r| k.decrypt(&r.key).unwrap().as_str() == "DB_PORT")
        .unwrap();
    assert!(port.override_.is_none());
    let put = json!({"secrets": [{"id": port.id, "override": {"value": k.encrypt("7777").unwrap(), "isActive": true}}]});
    assert_eq!(
        call(&lab, reqwest::Method::PUT, "pss_user", &env, &put).0,
        200
    );
    let mine = list(&lab, "pss_user", &env, &[]);
    let over = mine
        .iter()
        .find(|r| r.id == port.id)
        .unwrap()
        .override_
        .as_ref()
        .unwrap();
    assert!(over.is_active);
    assert_eq!(k.decrypt(&over.value).unwrap().as_str(), "7777");
    // Service accounts never see overrides; camelCase responses name the flag isActive.
    assert!(
        list(&lab, "pss_service_v2", &env, &[])
            .iter()
            .all(|r| r.override_.is_none())
    );
    let (_, camel) = Lab::send(
        lab.get_as("/service/secrets/", "pss_user")
            .header("Environment", &env)
            .header("X-Use-Camel-Case", "true"),
    );
    let camel_item = camel
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == port.id.as_str())
        .unwrap();
    assert_eq!(camel_item["override"]["isActive"], true);
    assert!(camel_item.get("keyDigest").is_some());
}

#[test]
fn read_only_roles_and_scoped_tokens_get_the_real_refusals() {
    let lab = Lab::start(
        r#"{"apps": [{"name": "a"}, {"name": "b"}],
            "service_accounts": [{"name": "ro", "role": "read_only", "access": {"a": "*"}, "tokens": [{"name": "ro"}]}],
            "users": [{"name": "u", "access": {"a": ["Development"]}, "tokens": [{"name": "u"}]}],
            "service_tokens": [{"name": "legacy", "app": "a", "environments": ["Staging"]}]}"#,
    );
    let dev = lab.env_id("a", "Development");
    let body = json!({"secrets": []});
    assert_eq!(
        call(&lab, reqwest::Method::POST, "ro", &dev, &body),
        (
            403,
            json!({"error": "You don't have permission to create secrets in this environment."})
        )
    );
    assert_eq!(
        call(&lab, reqwest::Method::GET, "ro", &dev, &Value::Null).0,
        200
    );
    let prod = lab.env_id("a", "Production");
    assert_eq!(
        call(&lab, reqwest::Method::GET, "u", &prod, &Value::Null),
        (403, json!({"error": "User cannot access this environment"}))
    );
    assert_eq!(
        call(&lab, reqwest::Method::GET, "legacy", &dev, &Value::Null),
        (
            401,
            json!({"error": "Service token cannot access this environment"})
        )
    );
    let other_app = lab.env_id("b", "Development");
    assert_eq!(
        call(&lab, reqwest::Method::GET, "ro", &other_app, &Value::Null),
        (
            401,
            json!({"error": "Service account cannot access this environment"})
        )
    );
}

#[test]
fn malformed_requests_get_errors_and_the_server_keeps_serving() {
    let lab = Lab::recorded_state();
    let env = lab.env_id("lab-app", "Development");
    let bodies: [&[u8]; 8] = [
        b"",
        b"not json",
        b"[]",
        b"{\"secrets\": 5}",
        b"{\"secrets\": [5, null, \"x\"]}",
        b"{\"secrets\": [{\"id\": 5}]}",
        b"{\"secrets\": [{\"key\": 1, \"value\": [], \"comment\": {}, \"keyDigest\": null}]}",
        &[0xff, 0xfe, 0x00],
    ];
    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        for body in bodies {
            let response = lab
                .http
                .request(method.clone(), lab.url("/service/secrets/"))
                .header("Authorization", lab.bearer("pss_service_v2"))
                .header("Environment", &env)
                .body(body.to_vec())
                .send()
                .unwrap();
            let status = response.status().as_u16();
            assert!(
                matches!(status, 200 | 400 | 404 | 500),
                "{method} {body:?}: {status}"
            );
            if status != 200 {
                assert!(response.json::<Value>().unwrap()["error"].is_string());
            }
        }
    }
    let odd_headers = [
        ("Authorization", "Bearer"),
        ("Authorization", "Bearer  ServiceAccount x"),
        ("Environment", "../../etc"),
    ];
    for (name, value) in odd_headers {
        let (status, _) = Lab::send(lab.get("/service/secrets/").header(name, value));
        assert_eq!(status, 401, "{name}: {value}");
    }
    let (status, _) = Lab::send(
        lab.get_as("/service/secrets/", "pss_service_v2")
            .header("Lease-Ttl", "x")
            .header("Environment", &env)
            .header("Dynamic", "true"),
    );
    assert_eq!(status, 400);
    assert_eq!(Lab::send(lab.get("/service/health/")).0, 200);
}
