//! Fault injection and the admin API, as tests of other crates and languages use them.

mod common;

use std::time::{Duration, Instant};

use common::{Lab, text};
use serde_json::{Value, json};

fn put_faults(lab: &Lab, faults: Value) {
    let (status, _) = Lab::send(lab.http.put(lab.url("/_admin/faults")).json(&faults));
    assert_eq!(status, 200);
}

fn tokens_request(lab: &Lab) -> reqwest::blocking::RequestBuilder {
    lab.get_as("/service/secrets/tokens/", "pss_service_v2")
}

#[test]
fn failures_throttles_and_drops_apply_to_the_next_requests_only() {
    let lab = Lab::recorded_state();
    put_faults(&lab, json!({"fail_next": 2, "fail_status": 502}));
    assert_eq!(Lab::send(tokens_request(&lab)).0, 502);
    assert_eq!(Lab::send(tokens_request(&lab)).0, 502);
    assert_eq!(Lab::send(tokens_request(&lab)).0, 200);

    put_faults(&lab, json!({"throttle_next": 1, "retry_after": 7}));
    let response = tokens_request(&lab).send().unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    assert_eq!(
        response.json::<Value>().unwrap(),
        json!({"error": "Request was throttled. Expected available in 7 seconds."})
    );

    put_faults(&lab, json!({"drop_next": 1}));
    let dropped = tokens_request(&lab).send();
    assert!(dropped.is_err(), "the connection closes without a response");
    assert_eq!(Lab::send(tokens_request(&lab)).0, 200);
}

#[test]
fn latency_is_added_and_faults_can_target_a_path() {
    let lab = Lab::recorded_state();
    put_faults(
        &lab,
        json!({"latency_ms": 300, "path_prefix": "/secrets/tokens/"}),
    );
    let started = Instant::now();
    assert_eq!(Lab::send(tokens_request(&lab)).0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(Lab::send(lab.get("/service/health/")).0, 200);
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "other paths are not delayed"
    );
    let (status, _) = Lab::send(lab.http.delete(lab.url("/_admin/faults")));
    assert_eq!(status, 200);
}

#[test]
fn the_rate_limit_answers_429_with_retry_after_once_exhausted() {
    let lab = Lab::recorded_state();
    put_faults(
        &lab,
        json!({"rate_limit": {"requests": 3, "per_seconds": 60}}),
    );
    let statuses: Vec<u16> = (0..5).map(|_| Lab::send(tokens_request(&lab)).0).collect();
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    let response = tokens_request(&lab).send().unwrap();
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after));
}

#[test]
fn requests_are_counted_per_endpoint_without_the_service_prefix() {
    let lab = Lab::recorded_state();
    Lab::send(tokens_request(&lab));
    Lab::send(lab.get_as("/secrets/tokens/", "pss_service_v2"));
    Lab::send(lab.get("/service/health/"));
    let (_, counts) = Lab::send(lab.get("/_admin/requests"));
    assert_eq!(counts["total"], 3);
    assert_eq!(counts["by_endpoint"]["GET /secrets/tokens/"], 2);
    assert_eq!(lab.server.request_counts()["GET /health/"], 1);
    Lab::send(lab.http.delete(lab.url("/_admin/requests")));
    assert_eq!(Lab::send(lab.get("/_admin/requests")).1["total"], 0);
}

#[test]
fn tokens_can_be_minted_revoked_and_access_changed() {
    let lab = Lab::recorded_state();
    let (status, minted) = Lab::send(
        lab.http
            .post(lab.url("/_admin/tokens"))
            .json(&json!({"account": "lab-sa", "name": "second"})),
    );
    assert_eq!(status, 200);
    let token = minted["token"].as_str().unwrap();
    assert!(token.starts_with("pss_service:v2:"));
    let bearer = token
        .parse::<phasekit::Token>()
        .unwrap()
        .authorization_header()
        .to_string();
    let read = |bearer: &str| {
        Lab::send(
            lab.get("/service/secrets/tokens/")
                .header("Authorization", bearer),
        )
    };
    assert_eq!(read(&bearer).0, 200);

    let (status, _) = Lab::send(
        lab.http
            .delete(lab.url("/_admin/tokens"))
            .json(&json!({"name": "second"})),
    );
    assert_eq!(status, 200);
    assert_eq!(
        read(&bearer),
        (403, json!({"error": "Token expired or deleted"}))
    );

    let env = lab.env_id("lab-app", "Staging");
    let list = || {
        Lab::send(
            lab.get_as("/service/secrets/", "pss_service_v2")
                .header("Environment", &env),
        )
    };
    assert_eq!(list().0, 200);
    let revoke =
        json!({"account": "lab-sa", "app": "lab-app", "environment": "Staging", "revoke": true});
    assert_eq!(
        Lab::send(lab.http.post(lab.url("/_admin/access")).json(&revoke)).0,
        200
    );
    assert_eq!(
        list(),
        (
            401,
            json!({"error": "Service account cannot access this environment"})
        )
    );
}

#[test]
fn expired_tokens_are_rejected_like_deleted_ones() {
    let lab = Lab::start(
        r#"{"apps": [{"name": "a"}],
            "service_accounts": [{"name": "sa", "access": {"a": "*"}, "tokens": [{"name": "old", "expires_in": -1}]}]}"#,
    );
    std::thread::sleep(Duration::from_millis(5));
    let (status, body) = Lab::send(lab.get_as("/service/secrets/tokens/", "old"));
    assert_eq!(
        (status, body),
        (403, json!({"error": "Token expired or deleted"}))
    );
    let env = lab.env_id("a", "Development");
    let (status, body) = Lab::send(
        lab.get_as("/service/secrets/", "old")
            .header("Environment", env),
    );
    assert_eq!(
        (status, body),
        (401, json!({"error": "Token expired or deleted"}))
    );
}

#[test]
fn the_world_can_be_replaced_from_a_seed() {
    let lab = Lab::recorded_state();
    let seed = json!({"apps": [{"name": "fresh", "environments": ["Dev"]}],
                      "service_accounts": [{"name": "s", "access": {"fresh": "*"}, "tokens": [{"name": "t"}]}]});
    let (status, body) = Lab::send(lab.http.put(lab.url("/_admin/world")).json(&seed));
    assert_eq!(status, 200);
    assert!(text(&body["tokens"]["t"]).starts_with("pss_service:v2:"));
    assert_eq!(body["state"]["apps"][0]["name"], "fresh");
    let (status, body) = Lab::send(lab.http.put(lab.url("/_admin/world")).body("{\"apps\": 1}"));
    assert_eq!(status, 400);
    assert!(text(&body["error"]).contains("invalid seed file"));
}
