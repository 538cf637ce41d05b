//! XChaCha20-Poly1305-IETF with Phase's "raw" framing: `ciphertext || tag || nonce`
//! (the nonce is appended at the end, PROTOCOL §3.2). No associated data.

use zeroize::Zeroizing;

use super::CryptoError;
use super::keys::SymmetricKey;
use super::sodium::{self, random_bytes};
use libsodium_sys as ffi;

/// Nonce length of XChaCha20-Poly1305.
pub const NONCE_LEN: usize = 24;
/// Length of the Poly1305 authentication tag.
pub const TAG_LEN: usize = 16;

/// Encrypts with a fresh random nonce.
pub fn encrypt_raw(plaintext: &[u8], key: &SymmetricKey) -> Vec<u8> {
    encrypt_raw_with_nonce(plaintext, key, &random_bytes())
}

/// Encrypts with a caller-chosen nonce. Only deterministic test vectors need this: a nonce must
/// never be used twice with one key.
pub fn encrypt_raw_with_nonce(
    plaintext: &[u8],
    key: &SymmetricKey,
    nonce: &[u8; NONCE_LEN],
) -> Vec<u8> {
    sodium::init();
    let mut out = vec![0u8; plaintext.len() + TAG_LEN + NONCE_LEN];
    let mut written: libc_ulonglong = 0;
    // SAFETY: out has room for plaintext + tag (+ the nonce written after); nonce and key have
    // the sizes libsodium expects; no associated data is passed.
    let rc = unsafe {
        ffi::crypto_aead_xchacha20poly1305_ietf_encrypt(
            out.as_mut_ptr(),
            &mut written,
            plaintext.as_ptr(),
            plaintext.len() as libc_ulonglong,
            std::ptr::null(),
            0,
            std::ptr::null(),
            nonce.as_ptr(),
            key.as_bytes().as_ptr(),
        )
    };
    debug_assert_eq!(
        rc, 0,
        "XChaCha20-Poly1305 encryption cannot fail for in-range lengths"
    );
    debug_assert_eq!(written as usize, plaintext.len() + TAG_LEN);
    out[plaintext.len() + TAG_LEN..].copy_from_slice(nonce);
    out
}

/// Decrypts `ciphertext || tag || nonce`. The plaintext is returned in a wiped-on-drop buffer.
pub fn decrypt_raw(blob: &[u8], key: &SymmetricKey) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if blob.len() < TAG_LEN + NONCE_LEN {
        return Err(CryptoError::Format(
            "encrypted data is shorter than tag and nonce (40 bytes)",
        ));
    }
    sodium::init();
    let (sealed, nonce) = blob.split_at(blob.len() - NONCE_LEN);
    let mut out = Zeroizing::new(vec![0u8; sealed.len() - TAG_LEN]);
    let mut written: libc_ulonglong = 0;
    // SAFETY: out holds sealed.len() - TAG_LEN bytes, exactly the maximum plaintext length;
    // nonce is NONCE_LEN bytes by construction; the key is 32 bytes.
    let rc = unsafe {
        ffi::crypto_aead_xchacha20poly1305_ietf_decrypt(
            out.as_mut_ptr(),
            &mut written,
            std::ptr::null_mut(),
            sealed.as_ptr(),
            sealed.len() as libc_ulonglong,
            std::ptr::null(),
            0,
            nonce.as_ptr(),
            key.as_bytes().as_ptr(),
        )
    };
    if rc != 0 {
        return Err(CryptoError::Authentication);
    }
    debug_assert_eq!(written as usize, out.len());
    Ok(out)
}

#[allow(non_camel_case_types)]
type libc_ulonglong = std::os::raw::c_ulonglong;
