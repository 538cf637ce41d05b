//! The core's diagnostics reach the host languages: `phasekit_logs_drain` (Go) and `drain_logs`
//! (uniffi/Swift) hand out what the first client's creation started collecting. One test, so
//! that no other test of this binary drains the process-wide queue in between.

use phasekit_ffi::c::{
    PhasekitStr, phasekit_client_free, phasekit_client_new, phasekit_logs_drain,
    phasekit_owned_free,
};

/// A syntactically valid service-account token; no server is contacted.
fn token() -> String {
    format!("pss_service:v2:{}", vec!["ab".repeat(32); 4].join(":"))
}

fn text(s: &PhasekitStr) -> String {
    // SAFETY: a text of an answer that is not freed yet.
    let bytes = unsafe { std::slice::from_raw_parts(s.ptr, s.len) };
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The drained records as `(level, target, message)`.
fn drained() -> Vec<(String, String, String)> {
    let logs = phasekit_logs_drain();
    let records = if logs.len == 0 {
        Vec::new()
    } else {
        // SAFETY: `len` records of an answer that is not freed yet.
        unsafe { std::slice::from_raw_parts(logs.items, logs.len) }
            .iter()
            .map(|r| (text(&r.level), text(&r.target), text(&r.message)))
            .collect()
    };
    // SAFETY: the answer's owner, freed once.
    unsafe { phasekit_owned_free(logs.owner) };
    records
}

fn str_of(text: &str) -> PhasekitStr {
    PhasekitStr {
        ptr: text.as_ptr(),
        len: text.len(),
    }
}

#[test]
fn client_warnings_are_drained_once_through_both_faces() {
    // Before any client nothing is collected, and draining is still a valid (empty) array.
    assert_eq!(drained(), []);

    let (secret, settings) = (
        token(),
        r#"{"host": "https://127.0.0.1:9", "verify_ssl": false}"#,
    );
    // SAFETY: texts valid during the call; no place for an error (none is expected).
    let client = unsafe {
        phasekit_client_new(
            str_of(&secret),
            str_of(settings),
            PhasekitStr::ABSENT,
            std::ptr::null_mut(),
        )
    };
    assert!(!client.is_null());
    // SAFETY: the client from above, freed once, no call running.
    unsafe { phasekit_client_free(client) };

    let records = drained();
    let warnings: Vec<_> = records
        .iter()
        .filter(|(level, target, _)| level == "warn" && target == "phasekit::transport")
        .collect();
    assert_eq!(warnings.len(), 1, "{records:?}");
    let message = &warnings[0].2;
    assert!(
        message.contains("TLS certificate verification is disabled"),
        "{message}"
    );
    assert!(
        !message.contains(&"ab".repeat(32)),
        "a token part: {message}"
    );
    // Drained means gone.
    assert_eq!(drained(), []);

    // The uniffi face drains the same queue.
    let client = phasekit_ffi::swift::PhaseClient::new(
        token(),
        Some(
            serde_json::from_value(
                serde_json::json!({"verify_ssl": false, "host": "https://127.0.0.1:9"}),
            )
            .unwrap(),
        ),
    );
    assert!(client.is_ok());
    let records = phasekit_ffi::swift::drain_logs();
    assert!(
        records.iter().any(|r| r.level == "warn"
            && r.message
                .contains("TLS certificate verification is disabled")),
        "{records:?}"
    );
    assert!(phasekit_ffi::swift::drain_logs().is_empty());
}
