//! Keyed BLAKE2b-256: the "key digest" blind index of secret names (PROTOCOL §3.7).

use zeroize::Zeroizing;

use super::{CryptoError, sodium};
use libsodium_sys as ffi;

/// Longest key BLAKE2b accepts.
const MAX_KEY_LEN: usize = 64;

/// BLAKE2b with a 32-byte output (`crypto_generichash`), keyed when `key` is not empty.
pub fn blake2b_256(message: &[u8], key: &[u8]) -> Result<[u8; 32], CryptoError> {
    let mut out = [0u8; 32];
    blake2b_256_into(message, key, &mut out)?;
    Ok(out)
}

/// [`blake2b_256`] written into `out`, so that a secret result (a key derived from a seed) can
/// be written where it is kept instead of being returned through the stack.
pub(crate) fn blake2b_256_into(
    message: &[u8],
    key: &[u8],
    out: &mut [u8; 32],
) -> Result<(), CryptoError> {
    if key.len() > MAX_KEY_LEN {
        return Err(CryptoError::Encoding {
            field: "BLAKE2b key",
            expected: "at most 64 bytes",
        });
    }
    sodium::init();
    let key_ptr = if key.is_empty() {
        std::ptr::null()
    } else {
        key.as_ptr()
    };
    // SAFETY: out is 32 bytes (within libsodium's 16..=64 output range); key length <= 64.
    let rc = unsafe {
        ffi::crypto_generichash(
            out.as_mut_ptr(),
            out.len(),
            message.as_ptr(),
            message.len() as _,
            key_ptr,
            key.len(),
        )
    };
    debug_assert_eq!(rc, 0);
    Ok(())
}

/// Unkeyed BLAKE2b with a 64-byte output: the hash of `crypto_kx` session keys.
pub(crate) fn blake2b_512(message: &[u8]) -> Zeroizing<[u8; 64]> {
    sodium::init();
    let mut out = Zeroizing::new([0u8; 64]);
    // SAFETY: out is 64 bytes, libsodium's maximum output length; no key is passed.
    let rc = unsafe {
        ffi::crypto_generichash(
            out.as_mut_ptr(),
            out.len(),
            message.as_ptr(),
            message.len() as _,
            std::ptr::null(),
            0,
        )
    };
    debug_assert_eq!(rc, 0);
    out
}

/// The digest Phase stores next to each secret: hex(BLAKE2b-256(name)) keyed with the ASCII
/// characters of the environment's hex salt (64 bytes of text, not the 32 bytes they encode).
pub fn key_digest(key_name: &str, salt_hex: &str) -> Result<String, CryptoError> {
    blake2b_256(key_name.as_bytes(), salt_hex.as_bytes()).map(hex::encode)
}
