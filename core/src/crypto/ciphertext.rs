//! The `ph:v1:<ephemeral public key hex>:<base64(ciphertext || tag || nonce)>` format
//! (PROTOCOL §3.3): every secret field, wrapped seed and wrapped salt travels this way.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use super::CryptoError;
use super::aead::{NONCE_LEN, decrypt_raw, encrypt_raw, encrypt_raw_with_nonce};
use super::keys::{KeyPair, PublicKey};
use super::kx::{client_session_keys, server_session_keys};

const PREFIX: &str = "ph";
const VERSION: &str = "v1";

/// A parsed `ph:v1` ciphertext: the sender's ephemeral public key and the AEAD blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhCiphertext {
    pub ephemeral_public_key: PublicKey,
    pub blob: Vec<u8>,
}

impl PhCiphertext {
    /// Checks the structure strictly: exactly four `:`-separated segments, `ph`, `v1` (the only
    /// version that exists), 64 hex characters, padded standard base64 of at least 40 bytes.
    pub fn parse(ciphertext: &str) -> Result<Self, CryptoError> {
        let mut segments = ciphertext.split(':');
        let (Some(prefix), Some(version), Some(key_hex), Some(body), None) = (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) else {
            return Err(CryptoError::Format(
                "expected 4 ':'-separated segments (ph:v1:<key>:<data>)",
            ));
        };
        if prefix != PREFIX {
            return Err(CryptoError::Format("expected the prefix 'ph'"));
        }
        if version != VERSION {
            return Err(CryptoError::Format("unsupported version (only v1 exists)"));
        }
        let ephemeral_public_key = PublicKey::from_hex(key_hex, "the ephemeral public key")?;
        let blob = STANDARD.decode(body).map_err(|_| CryptoError::Encoding {
            field: "the encrypted data",
            expected: "padded standard base64",
        })?;
        Ok(PhCiphertext {
            ephemeral_public_key,
            blob,
        })
    }

    fn render(ephemeral: &PublicKey, blob: &[u8]) -> String {
        let mut out = String::with_capacity(6 + 64 + 1 + blob.len().div_ceil(3) * 4);
        out.push_str("ph:v1:");
        out.push_str(&ephemeral.to_hex());
        out.push(':');
        STANDARD.encode_string(blob, &mut out);
        out
    }
}

/// Encrypts text to a recipient public key with a fresh ephemeral key pair and nonce.
pub fn encrypt(plaintext: &str, recipient: &PublicKey) -> Result<String, CryptoError> {
    let ephemeral = KeyPair::generate();
    let keys = client_session_keys(&ephemeral, recipient)?;
    Ok(PhCiphertext::render(
        &ephemeral.public,
        &encrypt_raw(plaintext.as_bytes(), &keys.tx),
    ))
}

/// Encrypts with a given ephemeral key pair and nonce, for byte-exact test vectors only:
/// reusing either in real use breaks confidentiality.
pub fn encrypt_deterministic(
    plaintext: &str,
    recipient: &PublicKey,
    ephemeral: &KeyPair,
    nonce: &[u8; NONCE_LEN],
) -> Result<String, CryptoError> {
    let keys = client_session_keys(ephemeral, recipient)?;
    Ok(PhCiphertext::render(
        &ephemeral.public,
        &encrypt_raw_with_nonce(plaintext.as_bytes(), &keys.tx, nonce),
    ))
}

/// Decrypts a `ph:v1` string with the recipient's key pair. The recipient's public key is an
/// input of the session-key hash, so it must be the right one, not just the secret key.
pub fn decrypt(ciphertext: &str, recipient: &KeyPair) -> Result<Zeroizing<String>, CryptoError> {
    let parsed = PhCiphertext::parse(ciphertext)?;
    let keys = server_session_keys(recipient, &parsed.ephemeral_public_key)?;
    let mut plaintext = decrypt_raw(&parsed.blob, &keys.rx)?;
    // Move the bytes out of their wiping buffer without a copy; wipe them if they are not text.
    match String::from_utf8(std::mem::take(&mut *plaintext)) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(not_text) => {
            zeroize::Zeroize::zeroize(&mut not_text.into_bytes());
            Err(CryptoError::Utf8)
        }
    }
}
