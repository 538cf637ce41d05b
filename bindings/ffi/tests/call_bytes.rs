//! `phasekit_client_call_bytes` answers as `phasekit_client_call` does, as bytes without a NUL,
//! and every byte answer goes back through `phasekit_bytes_free`. No server is contacted: the
//! methods used here need none (the packed answers are tested through Go against the local
//! server, and by `packed`'s unit tests). One test, so that the count of live objects is this
//! test's alone.

use std::ffi::{CStr, CString, c_char};

use phasekit_ffi::c_api::{
    PHASEKIT_CANCELLED, PHASEKIT_ERROR, PHASEKIT_OK, PhasekitCall, PhasekitClient,
    phasekit_bytes_free, phasekit_call_cancel, phasekit_call_free, phasekit_call_new,
    phasekit_client_call, phasekit_client_call_bytes, phasekit_client_free, phasekit_client_new,
    phasekit_live_objects, phasekit_string_free,
};

/// A syntactically valid service-account token; no server is contacted.
fn token() -> String {
    format!("pss_service:v2:{}", vec!["cd".repeat(32); 4].join(":"))
}

/// The status and answer of `phasekit_client_call_bytes` (copied, then freed), after checking
/// that `phasekit_client_call` answers the same as a C string.
fn call(
    client: *const PhasekitClient,
    call: *const PhasekitCall,
    method: &str,
) -> (i32, Option<Vec<u8>>) {
    let method = CString::new(method).unwrap();
    let (mut out, mut len) = (std::ptr::NonNull::<u8>::dangling().as_ptr(), usize::MAX);
    let mut text: *mut c_char = std::ptr::null_mut();
    // SAFETY: a live client, NULL or a live call handle, NUL-terminated strings, places for
    // every output.
    let (status, text_status) = unsafe {
        let args = c"{}".as_ptr();
        (
            phasekit_client_call_bytes(client, call, method.as_ptr(), args, &mut out, &mut len),
            phasekit_client_call(client, call, method.as_ptr(), args, &mut text),
        )
    };
    assert_eq!(status, text_status);
    if out.is_null() {
        assert!(len == 0 && text.is_null());
        return (status, None);
    }
    // SAFETY: `len` bytes and a NUL-terminated string from the library, each freed once.
    let bytes = unsafe {
        let bytes = std::slice::from_raw_parts(out, len).to_vec();
        assert_eq!(bytes, CStr::from_ptr(text).to_bytes());
        phasekit_bytes_free(out, len);
        phasekit_string_free(text);
        bytes
    };
    (status, Some(bytes))
}

#[test]
fn byte_answers_match_the_json_entry_and_are_all_freed() {
    let live_before = phasekit_live_objects();
    let request = serde_json::json!({"token": token(), "options": {"host": "http://127.0.0.1:9"}});
    let request = CString::new(request.to_string()).unwrap();
    // SAFETY: a valid request string; no error place needed.
    let client = unsafe { phasekit_client_new(request.as_ptr(), std::ptr::null_mut()) };
    assert!(!client.is_null());
    let no_call = std::ptr::null();

    // Answers without secrets are the JSON of `phasekit_client_call`, without the NUL.
    for method in ["host", "stats", "refresh"] {
        assert_eq!(call(client, no_call, method).0, PHASEKIT_OK, "{method}");
    }
    let (_, host) = call(client, no_call, "host");
    assert_eq!(host.unwrap(), br#""http://127.0.0.1:9""#);

    // So are errors.
    let (status, error) = call(client, no_call, "no_such_method");
    assert_eq!(status, PHASEKIT_ERROR);
    let error: serde_json::Value = serde_json::from_slice(&error.unwrap()).unwrap();
    assert_eq!(error["code"], "invalid_input", "{error}");

    // A cancelled call hands out nothing.
    let handle = phasekit_call_new();
    // SAFETY: a live handle.
    unsafe { phasekit_call_cancel(handle) };
    assert_eq!(call(client, handle, "get"), (PHASEKIT_CANCELLED, None));

    // Without a place for the answer, the library frees it itself.
    // SAFETY: a live client; a NULL call handle, arguments and outputs are allowed.
    let status = unsafe {
        let (method, none) = (c"host".as_ptr(), std::ptr::null_mut());
        phasekit_client_call_bytes(client, no_call, method, std::ptr::null(), none, none.cast())
    };
    assert_eq!(status, PHASEKIT_OK);
    // SAFETY: NULL is ignored.
    unsafe { phasekit_bytes_free(std::ptr::null_mut(), 0) };

    // SAFETY: handles from above, freed once, no call running.
    unsafe {
        phasekit_call_free(handle);
        phasekit_client_free(client);
    }
    assert_eq!(phasekit_live_objects(), live_before);
}
