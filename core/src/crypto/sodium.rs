//! The only place that calls into libsodium: thin safe wrappers that check every return code.

use std::sync::Once;

use libsodium_sys as ffi;

static INIT: Once = Once::new();

/// Initialises libsodium once per process. `sodium_init` picks the fastest implementation of
/// each primitive for this CPU (e.g. the AVX X25519 code), so it must run before any use.
pub(crate) fn init() {
    INIT.call_once(|| {
        // SAFETY: sodium_init is thread-safe and idempotent; a negative result means the
        // library cannot work at all (no entropy source), which no caller can recover from.
        let rc = unsafe { ffi::sodium_init() };
        assert!(rc >= 0, "libsodium failed to initialise");
    });
}

/// Fills a fresh array with bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    init();
    let mut out = [0u8; N];
    // SAFETY: out is a valid writable buffer of N bytes.
    unsafe { ffi::randombytes_buf(out.as_mut_ptr().cast(), N) };
    out
}
