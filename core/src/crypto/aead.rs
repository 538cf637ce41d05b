//! XChaCha20-Poly1305-IETF with Phase's "raw" framing: `ciphertext || tag || nonce`
//! (the nonce is appended at the end, PROTOCOL §3.2). No associated data.
//!
//! The AEAD is AWS-LC's `EVP_aead_xchacha20_poly1305`: the same construction as libsodium's
//! `crypto_aead_xchacha20poly1305_ietf_*` (HChaCha20 subkey, then IETF ChaCha20-Poly1305), byte
//! for byte (`tests/vectors/`). AWS-LC is linked anyway, so it costs no build, and its assembly
//! ChaCha20-Poly1305 opened 16- to 1,024-byte fields in about 0.75x libsodium's time here, where
//! RustCrypto's `chacha20poly1305` 0.11 took 2-4x, enough to make a whole secret's decryption
//! about 3.5% slower (X25519 is the rest).

use std::mem::MaybeUninit;

use aws_lc_sys as ffi;
use zeroize::Zeroizing;

use super::CryptoError;
use super::KEY_LEN;
use super::aws_lc::{self, random_bytes};
use super::keys::SymmetricKey;

/// Nonce length of XChaCha20-Poly1305.
pub const NONCE_LEN: usize = 24;
/// Length of the Poly1305 authentication tag.
pub const TAG_LEN: usize = 16;

/// Runs `f` with an AEAD context keyed with `key`, then wipes the context. A closure because the
/// context holds a copy of the key, so it is set up in place and never moved (a move would leave
/// an unwiped copy behind), and `EVP_AEAD_CTX_cleanup` alone does not wipe it for this AEAD.
fn with_context<R>(key: &SymmetricKey, f: impl FnOnce(*const ffi::EVP_AEAD_CTX) -> R) -> R {
    aws_lc::init();
    let mut ctx = MaybeUninit::<ffi::EVP_AEAD_CTX>::zeroed();
    // SAFETY: ctx is writable and zeroed (the state EVP_AEAD_CTX_zero leaves); the key is
    // KEY_LEN bytes, the only size this AEAD takes.
    let ok = unsafe {
        ffi::EVP_AEAD_CTX_init(
            ctx.as_mut_ptr(),
            ffi::EVP_aead_xchacha20_poly1305(),
            key.as_bytes().as_ptr(),
            KEY_LEN,
            TAG_LEN,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(ok, 1, "XChaCha20-Poly1305 takes any 32-byte key");
    let result = f(ctx.as_ptr());
    // SAFETY: ctx was initialised above; once cleaned up it is plain bytes, wiped in full.
    unsafe {
        ffi::EVP_AEAD_CTX_cleanup(ctx.as_mut_ptr());
        ffi::OPENSSL_cleanse(ctx.as_mut_ptr().cast(), size_of::<ffi::EVP_AEAD_CTX>());
    }
    result
}

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
    let sealed_len = plaintext.len() + TAG_LEN;
    let mut out = vec![0u8; sealed_len + NONCE_LEN];
    let mut written = 0usize;
    // SAFETY: out has room for plaintext + tag (max_out_len = sealed_len; the nonce is written
    // after); the nonce is NONCE_LEN bytes; no associated data is passed.
    let ok = with_context(key, |ctx| unsafe {
        ffi::EVP_AEAD_CTX_seal(
            ctx,
            out.as_mut_ptr(),
            &mut written,
            sealed_len,
            nonce.as_ptr(),
            NONCE_LEN,
            plaintext.as_ptr(),
            plaintext.len(),
            std::ptr::null(),
            0,
        )
    });
    // Not a debug assertion: on failure AWS-LC zeroes the output, which must never be sent.
    assert!(
        ok == 1 && written == sealed_len,
        "XChaCha20-Poly1305 encryption cannot fail for in-range lengths"
    );
    out[sealed_len..].copy_from_slice(nonce);
    out
}

/// Decrypts `ciphertext || tag || nonce`. The plaintext is returned in a wiped-on-drop buffer.
pub fn decrypt_raw(blob: &[u8], key: &SymmetricKey) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if blob.len() < TAG_LEN + NONCE_LEN {
        return Err(CryptoError::Format(
            "encrypted data is shorter than tag and nonce (40 bytes)",
        ));
    }
    let (sealed, nonce) = blob.split_at(blob.len() - NONCE_LEN);
    let mut out = Zeroizing::new(vec![0u8; sealed.len() - TAG_LEN]);
    let mut written = 0usize;
    // SAFETY: out holds sealed.len() - TAG_LEN bytes, exactly the plaintext length; the nonce is
    // NONCE_LEN bytes by construction; no associated data is passed.
    let ok = with_context(key, |ctx| unsafe {
        ffi::EVP_AEAD_CTX_open(
            ctx,
            out.as_mut_ptr(),
            &mut written,
            out.len(),
            nonce.as_ptr(),
            NONCE_LEN,
            sealed.as_ptr(),
            sealed.len(),
            std::ptr::null(),
            0,
        )
    });
    if ok != 1 {
        // AWS-LC has zeroed `out` and queued an error on this thread; drop it, so that nothing
        // else that reads the queue (rustls through aws-lc-rs) sees a stale entry.
        // SAFETY: no preconditions.
        unsafe { ffi::ERR_clear_error() };
        return Err(CryptoError::Authentication);
    }
    debug_assert_eq!(written, out.len());
    Ok(out)
}
