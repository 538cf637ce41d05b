//! The C API without a server: typed errors (code, message in Go's spelling, status), a call
//! cancelled before it starts, the calls that need no request, and every handle and answer
//! given back. One test, so that the count of live objects is this test's alone.

use phasekit_ffi::c::{
    PHASEKIT_CANCELLED, PHASEKIT_ERROR, PHASEKIT_OK, PhasekitError, PhasekitSecrets, PhasekitStr,
    PhasekitTarget, phasekit_call_cancel, phasekit_call_free, phasekit_call_new,
    phasekit_client_free, phasekit_client_new, phasekit_error_codes, phasekit_error_families,
    phasekit_get, phasekit_host, phasekit_live_objects, phasekit_owned_free, phasekit_stats,
};

/// A syntactically valid service-account token; no server is contacted.
fn token() -> String {
    format!("pss_service:v2:{}", vec!["cd".repeat(32); 4].join(":"))
}

fn str_of(text: &str) -> PhasekitStr {
    PhasekitStr {
        ptr: text.as_ptr(),
        len: text.len(),
    }
}

fn text(s: &PhasekitStr) -> String {
    if s.ptr.is_null() {
        return "<absent>".to_owned();
    }
    // SAFETY: a text of an answer that is not freed yet.
    String::from_utf8(unsafe { std::slice::from_raw_parts(s.ptr, s.len) }.to_vec()).unwrap()
}

fn no_error() -> PhasekitError {
    PhasekitError {
        code: PhasekitStr::ABSENT,
        message: PhasekitStr::ABSENT,
        status: 0,
        retry_after: 0.0,
        retryable: false,
        owner: std::ptr::null_mut(),
    }
}

#[test]
fn typed_calls_report_typed_errors_and_give_everything_back() {
    let before = phasekit_live_objects();
    let secret = token();

    // A setting the core refuses: a typed error naming it as Go does, no client.
    let mut error = no_error();
    // SAFETY: texts valid during the call, a place for the error.
    let client = unsafe {
        phasekit_client_new(
            str_of(&secret),
            str_of(r#"{"max_retries": 1.5}"#),
            PhasekitStr::ABSENT,
            &mut error,
        )
    };
    assert!(client.is_null());
    assert_eq!(text(&error.code), "invalid_input");
    let message = text(&error.message);
    assert!(
        message.contains("MaxRetries") && !message.contains('`'),
        "{message}"
    );
    assert!(
        !message.contains(&"cd".repeat(32)),
        "a token part: {message}"
    );
    assert_eq!((error.status, error.retryable), (0, false));
    assert!(error.retry_after < 0.0, "no Retry-After");
    // SAFETY: the error's owner, freed once.
    unsafe { phasekit_owned_free(error.owner) };

    // SAFETY: as above.
    let client = unsafe {
        phasekit_client_new(
            str_of(&secret),
            str_of(r#"{"host": "http://127.0.0.1:9", "max_retries": 0}"#),
            str_of("test"),
            std::ptr::null_mut(),
        )
    };
    assert!(!client.is_null());
    // SAFETY: a live client.
    let host = unsafe { phasekit_host(client) };
    assert_eq!(text(&host.text), "http://127.0.0.1:9");
    // SAFETY: the answer's owner, freed once.
    unsafe { phasekit_owned_free(host.owner) };
    // SAFETY: a live client.
    assert_eq!(unsafe { phasekit_stats(client) }.requests, 0);

    // A call cancelled before it starts sends nothing and writes nothing.
    let call = phasekit_call_new();
    let target = PhasekitTarget {
        app: str_of("app"),
        app_id: PhasekitStr::ABSENT,
        env: str_of("Development"),
    };
    let mut out = PhasekitSecrets {
        items: std::ptr::null(),
        len: 0,
        source: 0,
        owner: std::ptr::null_mut(),
    };
    let mut error = no_error();
    // SAFETY: live handles, valid structs and places for the answer and the error.
    let status = unsafe {
        phasekit_call_cancel(call);
        phasekit_get(
            client,
            call,
            &target,
            std::ptr::null(),
            &mut out,
            &mut error,
        )
    };
    assert_eq!(status, PHASEKIT_CANCELLED);
    assert!(out.owner.is_null() && error.owner.is_null());

    // Without a target's environment: invalid input before any request.
    let no_env = PhasekitTarget {
        env: PhasekitStr::ABSENT,
        ..target
    };
    // SAFETY: as above, without a call handle.
    let status = unsafe {
        phasekit_get(
            client,
            std::ptr::null(),
            &no_env,
            std::ptr::null(),
            &mut out,
            &mut error,
        )
    };
    assert_eq!(status, PHASEKIT_ERROR);
    assert_eq!(text(&error.code), "invalid_input");
    // SAFETY: the error's owner, freed once; then the handles, once each.
    unsafe {
        phasekit_owned_free(error.owner);
        phasekit_call_free(call);
        phasekit_client_free(client);
    }
    assert_eq!(
        unsafe { phasekit_stats(std::ptr::null()) }.requests,
        0,
        "NULL reads as no client"
    );

    // The core's tables.
    let codes = phasekit_error_codes();
    assert_eq!(codes.items.len, phasekit::ErrorCode::ALL.len());
    let families = phasekit_error_families();
    assert_eq!(families.len, phasekit::ErrorFamily::ALL.len());
    // SAFETY: the answers' owners, freed once.
    unsafe {
        phasekit_owned_free(codes.owner);
        phasekit_owned_free(families.owner);
    }
    assert_eq!(phasekit_live_objects(), before, "everything was given back");
    assert_eq!(PHASEKIT_OK, 0);
}
