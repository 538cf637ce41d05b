//! BLAKE2b: keyed BLAKE2b-256, the "key digest" blind index of secret names (PROTOCOL §3.7) and
//! the `crypto_kx` seed hash; unkeyed BLAKE2b-512, the `crypto_kx` session hash.
//!
//! RustCrypto's `blake2` (pure Rust, no C build): the keyed form is BLAKE2b with the key as the
//! first, zero-padded block, which is what libsodium's keyed `crypto_generichash` computes
//! (`tests/vectors/`); on these short inputs it measured as fast as libsodium (0-5% faster).
//! AWS-LC has only unkeyed BLAKE2b-256, so it cannot stand in here.

use blake2::digest::consts::U32;
use blake2::digest::{Digest, FixedOutput, KeyInit, Update};
use blake2::{Blake2b, Blake2b512, Blake2bMac};
use zeroize::Zeroizing;

use super::CryptoError;

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
    // The `zeroize` feature wipes both states (the key block included) when they are dropped.
    if key.is_empty() {
        // WHY not Blake2bMac with an empty key: it still hashes a zero key block, whereas
        // libsodium (and the protocol) treat an empty key as no key at all.
        Digest::finalize_into(Blake2b::<U32>::new_with_prefix(message), out.into());
    } else {
        let mut mac = <Blake2bMac<U32> as KeyInit>::new_from_slice(key)
            .expect("1..=64-byte keys are valid BLAKE2b keys");
        Update::update(&mut mac, message);
        FixedOutput::finalize_into(mac, out.into());
    }
    Ok(())
}

/// Unkeyed BLAKE2b with a 64-byte output: the hash of `crypto_kx` session keys.
pub(crate) fn blake2b_512(message: &[u8]) -> Zeroizing<[u8; 64]> {
    let mut out = Zeroizing::new([0u8; 64]);
    Digest::finalize_into(Blake2b512::new_with_prefix(message), (&mut *out).into());
    out
}

/// The digest Phase stores next to each secret: hex(BLAKE2b-256(name)) keyed with the ASCII
/// characters of the environment's hex salt (64 bytes of text, not the 32 bytes they encode).
pub fn key_digest(key_name: &str, salt_hex: &str) -> Result<String, CryptoError> {
    blake2b_256(key_name.as_bytes(), salt_hex.as_bytes()).map(hex::encode)
}
