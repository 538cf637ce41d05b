//! The key chain from a token to an environment's keys (PROTOCOL §3.4–3.5):
//! token + `wrapped_key_share` -> account key pair -> wrapped seed and salt -> environment keys.

use zeroize::Zeroizing;

use crate::crypto::{
    self, CryptoError, KEY_LEN, KeyPair, PublicKey, blake2b_256_into, decode_hex_into,
    unwrap_key_share_into,
};
use crate::error::{Error, ErrorCode, Result};
use crate::token::Token;

/// The account's X25519 key pair, rebuilt from the token's share and the server's share.
#[derive(Debug, Clone)]
pub struct AccountKey {
    // Built in place on the heap (`KeyPair::boxed_with`): moves of the key pair leave copies.
    keypair: Box<KeyPair>,
}

impl AccountKey {
    /// Unwraps the server's share with the token's wrap key and XORs it with the token's share.
    /// The result must be the private key of the token's public key: anything else means the
    /// token and the server's answer do not belong together.
    pub fn reconstruct(token: &Token, wrapped_key_share: &str) -> Result<Self> {
        // The server's share is unwrapped into the key's own memory and the token's share is
        // XORed into it there, so neither share nor the key is ever held anywhere else.
        let keypair = KeyPair::boxed_with(|secret| {
            unwrap_key_share_into(wrapped_key_share, token.wrap_key(), secret)?;
            for (byte, share) in secret.iter_mut().zip(token.keyshare0().as_bytes()) {
                *byte ^= share;
            }
            Ok(())
        })
        .map_err(|e| match e {
            // The server accepted the token's id part, so its key part is what is wrong: a
            // token cut short or changed while copying, or the key part of another token.
            CryptoError::Authentication => {
                wrong_key_part("its wrap key does not open the server's key share")
            }
            other => Error::new(ErrorCode::Protocol, other.to_string())
                .context("reading the server's key share (/secrets/tokens/)"),
        })?;
        if &keypair.public != token.account_public_key() {
            return Err(wrong_key_part(
                "its key share and the server's do not make its account key",
            ));
        }
        Ok(AccountKey { keypair })
    }

    pub fn keypair(&self) -> &KeyPair {
        &self.keypair
    }

    /// Decrypts an environment's wrapped seed and salt (both `ph:v1` to the account key) and
    /// derives its key pair, which must equal the published `identity_key`.
    pub fn unwrap_environment(
        &self,
        wrapped_seed: &str,
        wrapped_salt: &str,
        identity_key: &str,
    ) -> Result<EnvironmentKeys> {
        let seed_hex = crypto::decrypt(wrapped_seed, &self.keypair)
            .map_err(|e| Error::from(e).context("decrypting the environment seed"))?;
        let salt_hex = crypto::decrypt(wrapped_salt, &self.keypair)
            .map_err(|e| Error::from(e).context("decrypting the environment salt"))?;
        let identity_key = PublicKey::from_hex(identity_key, "identity_key")
            .map_err(|e| Error::new(ErrorCode::Protocol, e.to_string()))?;
        EnvironmentKeys::from_seed_and_salt(&seed_hex, salt_hex, Some(&identity_key))
    }
}

/// A token whose id the server knows but whose key parts do not fit its account. No part of
/// the token or of either share is in the message.
fn wrong_key_part(what_failed: &str) -> Error {
    Error::new(
        ErrorCode::InvalidToken,
        format!(
            "the server knows this token, but {what_failed}: the token is wrong or was not \
             copied whole (copy the entire token again)"
        ),
    )
}

/// An environment's key pair (every secret field is encrypted to its public key) and its salt
/// (the key of the secret-name digests).
#[derive(Debug, Clone)]
pub struct EnvironmentKeys {
    // Built in place on the heap, like the account key.
    keypair: Box<KeyPair>,
    salt_hex: Zeroizing<String>,
}

impl EnvironmentKeys {
    /// Builds the keys from the 64-hex-character seed and salt. With `expected_public_key`, the
    /// derived public key is checked against it.
    pub fn from_seed_and_salt(
        seed_hex: &str,
        salt_hex: Zeroizing<String>,
        expected_public_key: Option<&PublicKey>,
    ) -> Result<Self> {
        // `KeyPair::from_seed`, with the seed decoded into a buffer that stays where it is
        // (and is wiped there) and the secret key hashed straight into the boxed pair.
        let keypair = KeyPair::boxed_with(|secret| {
            let mut seed = Zeroizing::new([0u8; KEY_LEN]);
            decode_hex_into(seed_hex, "the environment seed", &mut seed)?;
            blake2b_256_into(&*seed, &[], secret)
        })?;
        if salt_hex.len() != 64 || !salt_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(CryptoError::Encoding {
                field: "the environment salt",
                expected: "64 hexadecimal characters",
            }
            .into());
        }
        if let Some(expected) = expected_public_key {
            if &keypair.public != expected {
                return Err(Error::new(
                    ErrorCode::DecryptFailed,
                    "the environment seed does not derive the environment's published identity key",
                ));
            }
        }
        Ok(EnvironmentKeys { keypair, salt_hex })
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.keypair.public
    }

    pub fn keypair(&self) -> &KeyPair {
        &self.keypair
    }

    /// The salt as the 64 hex characters that key the digests.
    pub fn salt_hex(&self) -> &str {
        &self.salt_hex
    }

    /// The blind index of a secret name in this environment (the `KeyDigest` header).
    pub fn key_digest(&self, key_name: &str) -> String {
        // The salt is validated as 64 ASCII characters, within BLAKE2b's key limit.
        crypto::key_digest(key_name, &self.salt_hex)
            .expect("a validated salt is a valid BLAKE2b key")
    }

    /// Decrypts a secret field encrypted to this environment.
    pub fn decrypt(&self, ciphertext: &str) -> std::result::Result<Zeroizing<String>, CryptoError> {
        crypto::decrypt(ciphertext, &self.keypair)
    }

    /// Encrypts a secret field to this environment.
    pub fn encrypt(&self, plaintext: &str) -> std::result::Result<String, CryptoError> {
        crypto::encrypt(plaintext, &self.keypair.public)
    }
}
