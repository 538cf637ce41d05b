//! The account private key is split in two XOR shares (PROTOCOL §3.4): `keyshare0` travels in
//! the token, `keyshare1` lives on the server encrypted ("wrapped") with the token's wrap key.

use zeroize::Zeroizing;

use super::CryptoError;
use super::KEY_LEN;
use super::aead::{NONCE_LEN, decrypt_raw, encrypt_raw, encrypt_raw_with_nonce};
use super::aws_lc::random_bytes;
use super::keys::{SecretKey, SymmetricKey, decode_hex_into};

/// XORs two shares of equal length. Unequal lengths are an error, never a silent truncation.
pub fn xor_shares(a: &[u8], b: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if a.len() != b.len() {
        return Err(CryptoError::ShareLength(a.len(), b.len()));
    }
    Ok(Zeroizing::new(
        a.iter().zip(b).map(|(x, y)| x ^ y).collect(),
    ))
}

/// Splits a 32-byte secret into a random share and `secret XOR random` (Console's `splitSecret`).
pub fn split_secret(secret: &SecretKey) -> (SecretKey, SecretKey) {
    let random = SecretKey::from_bytes(random_bytes());
    let mut other = [0u8; KEY_LEN];
    for (i, byte) in other.iter_mut().enumerate() {
        *byte = secret.as_bytes()[i] ^ random.as_bytes()[i];
    }
    let other_share = SecretKey::from_bytes(other);
    zeroize::Zeroize::zeroize(&mut other);
    (random, other_share)
}

/// Decrypts the server-held `wrapped_key_share` (hex of `ciphertext || tag || nonce`) whose
/// plaintext is the 64 ASCII hex characters of the share, and returns the share's 32 bytes.
pub fn unwrap_key_share(
    wrapped_hex: &str,
    wrap_key: &SymmetricKey,
) -> Result<SecretKey, CryptoError> {
    let mut share = [0u8; KEY_LEN];
    unwrap_key_share_into(wrapped_hex, wrap_key, &mut share)?;
    let key = SecretKey::from_bytes(share);
    zeroize::Zeroize::zeroize(&mut share);
    Ok(key)
}

/// [`unwrap_key_share`] written into `out`, where the caller combines it with the other share:
/// the share never travels through the stack by value.
pub(crate) fn unwrap_key_share_into(
    wrapped_hex: &str,
    wrap_key: &SymmetricKey,
    out: &mut [u8; KEY_LEN],
) -> Result<(), CryptoError> {
    let blob = hex::decode(wrapped_hex).map_err(|_| CryptoError::Encoding {
        field: "wrapped_key_share",
        expected: "hexadecimal",
    })?;
    let share_hex = decrypt_raw(&blob, wrap_key)?;
    let share_text = std::str::from_utf8(&share_hex).map_err(|_| CryptoError::Utf8)?;
    decode_hex_into(share_text, "the unwrapped key share", out)
}

/// Wraps a share the way the Console does (the hex text of the share, encrypted, as hex).
pub fn wrap_key_share(share: &SecretKey, wrap_key: &SymmetricKey) -> String {
    hex::encode(encrypt_raw(share.to_hex().as_bytes(), wrap_key))
}

/// [`wrap_key_share`] with a given nonce, for deterministic test vectors only.
pub fn wrap_key_share_with_nonce(
    share: &SecretKey,
    wrap_key: &SymmetricKey,
    nonce: &[u8; NONCE_LEN],
) -> String {
    hex::encode(encrypt_raw_with_nonce(
        share.to_hex().as_bytes(),
        wrap_key,
        nonce,
    ))
}
