//! Dynamic secrets: listed on the E2E endpoint with `Dynamic`, leased with `Lease`, and managed
//! through the public API (generate, list, renew, revoke), with server-generated credentials.

mod common;

use common::{Lab, text};
use serde_json::{Value, json};

const SEED: &str = r#"{
  "apps": [{"name": "dyn", "environments": ["Development"],
            "dynamic_secrets": {"Development": [{"name": "aws-creds", "path": "/aws",
               "keys": ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"], "default_ttl": 3600, "max_ttl": 7200}]}}],
  "service_accounts": [{"name": "sa", "access": {"dyn": "*"}, "tokens": [{"name": "sa"}]}]
}"#;

#[test]
fn e2e_listing_with_a_lease_carries_encrypted_credentials() {
    let lab = Lab::start(SEED);
    let env = lab.env_id("dyn", "Development");
    let listing = |extra: &[(&str, &str)]| {
        let mut request = lab
            .get_as("/service/secrets/", "sa")
            .header("Environment", &env);
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        Lab::send(request)
    };
    assert_eq!(listing(&[]).1, json!([]));
    let (status, body) = listing(&[("Dynamic", "true")]);
    assert_eq!(status, 200);
    assert_eq!(body[0]["type"], "dynamic");
    assert_eq!(body[0]["lease"], Value::Null);
    assert_eq!(
        (body[0]["default_ttl"].as_str(), body[0]["max_ttl"].as_str()),
        (Some("01:00:00"), Some("02:00:00"))
    );

    let (status, body) = listing(&[("Dynamic", "true"), ("Lease", "true"), ("Lease-Ttl", "600")]);
    assert_eq!(status, 200);
    let lease = &body[0]["lease"];
    assert_eq!(lease["ttl"], "00:10:00");
    let keys = lab.environment_keys("sa", "dyn", "Development");
    let names: Vec<String> = lease["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            keys.decrypt(c["key"].as_str().unwrap())
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(names, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    for credential in lease["credentials"].as_array().unwrap() {
        assert_eq!(
            keys.decrypt(credential["value"].as_str().unwrap())
                .unwrap()
                .len(),
            40
        );
    }
    // A dynamic secret's key names count as taken at its path.
    let create = json!({"secrets": [{"key": keys.encrypt("AWS_ACCESS_KEY_ID").unwrap(), "value": "", "comment": "",
                                     "keyDigest": keys.key_digest("AWS_ACCESS_KEY_ID"), "path": "/aws"}]});
    let (status, _) = Lab::send(
        lab.http
            .post(lab.url("/service/secrets/"))
            .header("Authorization", lab.bearer("sa"))
            .header("Environment", &env)
            .json(&create),
    );
    assert_eq!(status, 409);
}

#[test]
fn leases_are_generated_renewed_and_revoked_through_the_public_api() {
    let lab = Lab::start(SEED);
    let app = lab.app_id("dyn");
    let auth = lab.bearer("sa");
    let (status, body) = Lab::send(
        lab.get(&format!(
            "/service/public/v1/secrets/dynamic/?app_id={app}&env=development&lease=true&ttl=60"
        ))
        .header("Authorization", &auth),
    );
    assert_eq!(status, 200);
    let secret_id = body[0]["id"].as_str().unwrap().to_owned();
    let lease = &body[0]["lease"];
    assert_eq!(lease["credentials"][0]["key"], "AWS_ACCESS_KEY_ID");
    assert_eq!(body[0]["keyMap"][1]["keyName"], "AWS_SECRET_ACCESS_KEY");
    let lease_id = lease["id"].as_str().unwrap().to_owned();

    let leases_url =
        format!("/service/public/v1/secrets/dynamic/leases/?app_id={app}&env=Development");
    let (status, leases) = Lab::send(
        lab.get(&format!("{leases_url}&secret_id={secret_id}"))
            .header("Authorization", &auth),
    );
    assert_eq!(
        (status, leases[0]["id"].as_str()),
        (200, Some(lease_id.as_str()))
    );

    let renew = |ttl: u64| {
        Lab::send(
            lab.http
                .put(lab.url(&leases_url))
                .header("Authorization", &auth)
                .json(&json!({"lease_id": lease_id, "ttl": ttl})),
        )
    };
    let (status, body) = renew(120);
    assert_eq!(status, 200);
    assert!(text(&body["message"]).starts_with("Lease renewed successfully. Updated expiry: "));
    assert_eq!(renew(99_999).0, 400);

    let revoke = || {
        Lab::send(
            lab.http
                .delete(lab.url(&leases_url))
                .header("Authorization", &auth)
                .json(&json!({"lease_id": lease_id})),
        )
    };
    assert_eq!(
        revoke(),
        (200, json!({"message": "Lease revoked successfully"}))
    );
    assert_eq!(
        revoke(),
        (200, json!({"message": "Lease was already revoked"}))
    );
    assert_eq!(renew(60).0, 400);

    let (status, body) = Lab::send(
        lab.get(&format!(
            "/v1/secrets/dynamic/?app_id={app}&env=Development&name=nope"
        ))
        .header("Authorization", &auth),
    );
    assert_eq!(
        (status, body),
        (404, json!({"error": "No dynamic secrets found"}))
    );
}
