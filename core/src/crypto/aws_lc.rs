//! AWS-LC set-up and randomness. AWS-LC is in every build already (rustls links it through
//! aws-lc-rs, and the core takes X25519 and XChaCha20-Poly1305 from it), so using it here costs
//! no extra C build: the reason the core no longer links libsodium.

use std::sync::Once;

static INIT: Once = Once::new();

/// Initialises AWS-LC once per process, before any of its primitives runs. With AWS-LC's static
/// initialiser this does nothing; builds without one need it to detect the CPU features (e.g.
/// ADX/BMI2, AVX2) that select the fastest X25519 and ChaCha20-Poly1305 code.
pub(crate) fn init() {
    // SAFETY: CRYPTO_library_init is idempotent and thread-safe.
    INIT.call_once(|| unsafe { aws_lc_sys::CRYPTO_library_init() });
}

/// Fills a fresh array with bytes from AWS-LC's CSPRNG (`RAND_bytes`: a DRBG seeded from the
/// operating system, reseeded after a fork). Measured faster than a `getrandom` system call per
/// nonce, and it adds no dependency.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    init();
    let mut out = [0u8; N];
    // SAFETY: out is a valid writable buffer of N bytes. RAND_bytes always returns 1: it aborts
    // the process rather than return without entropy, so there is no failure to handle.
    unsafe { aws_lc_sys::RAND_bytes(out.as_mut_ptr(), N) };
    out
}
