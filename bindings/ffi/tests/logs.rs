//! The core's diagnostics reach the host languages: `phasekit_logs_drain` (Go) and `drain_logs`
//! (uniffi/Swift) hand out what the first client's creation started collecting. One test, so
//! that no other test of this binary drains the process-wide queue in between.

use std::ffi::{CStr, CString, c_char};

use phasekit_ffi::c_api::{
    phasekit_client_free, phasekit_client_new, phasekit_logs_drain, phasekit_string_free,
};

/// A syntactically valid service-account token; no server is contacted.
fn token() -> String {
    format!("pss_service:v2:{}", vec!["ab".repeat(32); 4].join(":"))
}

fn drained() -> serde_json::Value {
    let text = phasekit_logs_drain();
    assert!(!text.is_null());
    // SAFETY: a NUL-terminated string from the library, freed once below.
    let json = serde_json::from_slice(unsafe { CStr::from_ptr(text) }.to_bytes()).unwrap();
    // SAFETY: as above.
    unsafe { phasekit_string_free(text) };
    json
}

#[test]
fn client_warnings_are_drained_once_through_both_faces() {
    // Before any client nothing is collected, and draining is still a valid (empty) array.
    assert_eq!(drained(), serde_json::json!([]));

    let request = serde_json::json!({
        "token": token(),
        "options": {"host": "https://127.0.0.1:9", "verify_ssl": false},
    });
    let request = CString::new(request.to_string()).unwrap();
    let mut error: *mut c_char = std::ptr::null_mut();
    // SAFETY: a valid request string and a place for the error.
    let client = unsafe { phasekit_client_new(request.as_ptr(), &mut error) };
    assert!(!client.is_null() && error.is_null());
    // SAFETY: the client from above, freed once, no call running.
    unsafe { phasekit_client_free(client) };

    let records = drained();
    let warnings: Vec<_> = records
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == "warn" && r["target"] == "phasekit::transport")
        .collect();
    assert_eq!(warnings.len(), 1, "{records}");
    let message = warnings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("TLS certificate verification is disabled"),
        "{message}"
    );
    assert!(
        !message.contains(&"ab".repeat(32)),
        "a token part: {message}"
    );
    // Drained means gone.
    assert_eq!(drained(), serde_json::json!([]));

    // The uniffi face drains the same queue.
    let client = phasekit_ffi::uniffi_api::PhaseClient::new(
        token(),
        Some(
            serde_json::from_value(
                serde_json::json!({"verify_ssl": false, "host": "https://127.0.0.1:9"}),
            )
            .unwrap(),
        ),
    );
    assert!(client.is_ok());
    let records = phasekit_ffi::uniffi_api::drain_logs();
    assert!(
        records.iter().any(|r| r.level == "warn"
            && r.message
                .contains("TLS certificate verification is disabled")),
        "{records:?}"
    );
    assert!(phasekit_ffi::uniffi_api::drain_logs().is_empty());
}
