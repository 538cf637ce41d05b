//! Error responses beyond the recorded ones, and response decoding that never quotes a value.

use std::time::{Duration, SystemTime};

use phasekit::ErrorCode;
use phasekit::api::wire::{SecretRecord, TokensResponse};
use phasekit::api::{decode_json, error_from_response, parse_retry_after};

#[test]
fn rate_limits_carry_retry_after_in_seconds_or_as_a_date() {
    let body = br#"{"error": "Request was throttled. Expected available in 7 seconds."}"#;
    let err = error_from_response(429, Some("7"), body);
    assert_eq!(err.code(), ErrorCode::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert!(err.retryable());
    assert!(err.message().contains("throttled"));

    let in_a_minute = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(60));
    let wait = parse_retry_after(&in_a_minute).unwrap();
    assert!(
        wait > Duration::from_secs(55) && wait <= Duration::from_secs(60),
        "{wait:?}"
    );
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
        Some(Duration::ZERO)
    );
    assert_eq!(parse_retry_after("soon"), None);
    assert_eq!(error_from_response(429, None, b"").retry_after(), None);
}

#[test]
fn gateway_failures_are_retryable_server_errors_even_with_html_bodies() {
    for status in [502, 503, 504] {
        let err = error_from_response(status, None, b"<html><body>Bad Gateway</body></html>");
        assert_eq!(err.code(), ErrorCode::Server);
        assert!(err.retryable(), "{status}");
        assert!(!err.message().contains("<html>"));
    }
    let err = error_from_response(500, None, br#"{"error": "Internal server error."}"#);
    assert_eq!(err.code(), ErrorCode::Server);
    assert!(!err.retryable());
}

#[test]
fn access_and_lookup_failures_map_by_the_servers_reason() {
    let cases = [
        (
            401,
            "Service account cannot access this environment",
            ErrorCode::Forbidden,
        ),
        (
            401,
            "Service token cannot access this environment",
            ErrorCode::Forbidden,
        ),
        (
            403,
            "User cannot access this environment",
            ErrorCode::Forbidden,
        ),
        (
            403,
            "You don't have permission to read secrets in this environment.",
            ErrorCode::Forbidden,
        ),
        (
            403,
            "Access denied: a network access policy restricts access from your IP address.",
            ErrorCode::Forbidden,
        ),
        (403, "Invalid token type", ErrorCode::Unauthorized),
        (401, "Token expired or deleted", ErrorCode::Unauthorized),
        (404, "App with ID 123 not found", ErrorCode::AppNotFound),
        (
            404,
            "Environment 'prod' not found in App 123",
            ErrorCode::EnvNotFound,
        ),
        (404, "Secret not found: 123", ErrorCode::SecretNotFound),
        (404, "No dynamic secrets found", ErrorCode::SecretNotFound),
        (
            400,
            "lease_ttl must be a valid integer (seconds)",
            ErrorCode::InvalidInput,
        ),
        (418, "I'm a teapot", ErrorCode::Protocol),
    ];
    for (status, reason, code) in cases {
        let body = serde_json::to_vec(&serde_json::json!({ "error": reason })).unwrap();
        let err = error_from_response(status, None, &body);
        assert_eq!(err.code(), code, "{status} {reason}");
        assert!(err.message().contains(reason));
        assert_eq!(
            err.to_string(),
            format!("{}: {reason} (HTTP {status})", code.as_str())
        );
    }
}

#[test]
fn server_messages_are_kept_short_and_printable() {
    let long = format!("{{\"error\": \"{}\\u0007\\n{}\"}}", "a".repeat(400), "b");
    let err = error_from_response(400, None, long.as_bytes());
    assert!(err.message().chars().count() <= 301);
    assert!(!err.message().chars().any(char::is_control));
}

#[test]
fn decoding_errors_name_fields_but_never_quote_values() {
    let value = "hunter2-very-secret";
    let wrong_type =
        format!(r#"[{{"id": "1", "key": "ph:v1:x", "value": "ph:v1:y", "tags": "{value}"}}]"#);
    let err = decode_json::<Vec<SecretRecord>>(wrong_type.as_bytes(), "/secrets/").unwrap_err();
    assert_eq!(err.code(), ErrorCode::Protocol);
    assert!(!err.to_string().contains(value), "{err}");
    assert!(err.message().contains("/secrets/"));

    let missing = br#"{"apps": []}"#;
    let err = decode_json::<TokensResponse>(missing, "/tokens/").unwrap_err();
    assert!(
        err.message().contains("missing field 'wrapped_key_share'"),
        "{err}"
    );

    for bad in [&b"<html>"[..], b"", b"[{\"id\": "] {
        let err = decode_json::<Vec<SecretRecord>>(bad, "/secrets/").unwrap_err();
        assert_eq!(err.code(), ErrorCode::Protocol);
    }
}

#[test]
fn override_flags_are_read_as_booleans_or_strings() {
    let listing = br#"[
        {"id": "a", "key": "k", "value": "v", "override": {"value": "o", "is_active": true}},
        {"id": "b", "key": "k", "value": "v", "override": {"value": "o", "isActive": "true"}},
        {"id": "c", "key": "k", "value": "v", "override": {"value": "o", "is_active": "False"}},
        {"id": "d", "key": "k", "value": "v", "override": null}
    ]"#;
    let records: Vec<SecretRecord> = decode_json(listing, "/secrets/").unwrap();
    let flags: Vec<Option<bool>> = records
        .iter()
        .map(|r| r.override_.as_ref().map(|o| o.is_active))
        .collect();
    assert_eq!(flags, [Some(true), Some(true), Some(false), None]);
}
