//! Key types. Secret material lives in zeroizing buffers and never prints.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::aws_lc::random_bytes;
use super::digest::blake2b_256;
use super::x25519::x25519_base;
use super::{CryptoError, KEY_LEN};

/// An X25519 public key. Public keys travel as 64 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey([u8; KEY_LEN]);

impl PublicKey {
    pub const fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        PublicKey(bytes)
    }

    /// Parses 64 hex characters (either case). `field` names the value in the error message.
    pub fn from_hex(hex_str: &str, field: &'static str) -> Result<Self, CryptoError> {
        decode_hex_32(hex_str, field).map(PublicKey)
    }

    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// 32 secret bytes, wiped on drop. Used for X25519 secret keys.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey([u8; KEY_LEN]);

/// A 32-byte symmetric key (XChaCha20-Poly1305 key, session key, key-share wrap key).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SymmetricKey([u8; KEY_LEN]);

macro_rules! secret_bytes {
    ($ty:ident, $name:literal) => {
        impl $ty {
            pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
                $ty(bytes)
            }

            /// Parses 64 hex characters; the input is never echoed in errors.
            pub fn from_hex(hex_str: &str, field: &'static str) -> Result<Self, CryptoError> {
                let mut bytes = decode_hex_32(hex_str, field)?;
                let key = $ty(bytes);
                bytes.zeroize();
                Ok(key)
            }

            /// [`Self::from_hex`] decoded straight into heap memory, for keys that are kept:
            /// moving the result moves a pointer, where moving the key itself would leave
            /// copies of it in stack frames that nothing wipes.
            pub(crate) fn boxed_from_hex(
                hex_str: &str,
                field: &'static str,
            ) -> Result<Box<Self>, CryptoError> {
                let mut key = Box::new($ty([0; KEY_LEN]));
                decode_hex_into(hex_str, field, &mut key.0)?;
                Ok(key)
            }

            pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
                &self.0
            }

            /// Lowercase hex of the secret, in a buffer that is wiped when dropped.
            pub fn to_hex(&self) -> Zeroizing<String> {
                // By reference: `hex::encode(self.0)` would copy the key into its argument.
                Zeroizing::new(hex::encode(&self.0))
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!($name, "([redacted])"))
            }
        }
    };
}

secret_bytes!(SecretKey, "SecretKey");
secret_bytes!(SymmetricKey, "SymmetricKey");

impl SymmetricKey {
    pub fn generate() -> Self {
        SymmetricKey(random_bytes())
    }
}

/// An X25519 key pair as produced by `crypto_kx_keypair` / `crypto_kx_seed_keypair`.
#[derive(Clone)]
pub struct KeyPair {
    pub public: PublicKey,
    pub secret: SecretKey,
}

impl KeyPair {
    /// A fresh random key pair (what `crypto_kx_keypair` does).
    pub fn generate() -> Self {
        KeyPair::from_secret(SecretKey(random_bytes()))
    }

    /// The deterministic key pair of a 32-byte seed, as `crypto_kx_seed_keypair`: the secret key
    /// is BLAKE2b-256(seed). Phase derives every environment key pair this way.
    pub fn from_seed(seed: &[u8; KEY_LEN]) -> Self {
        let secret = blake2b_256(seed, &[]).expect("an empty key is a valid BLAKE2b key");
        KeyPair::from_secret(SecretKey(secret))
    }

    /// The key pair of an existing secret key (public key = X25519(sk, basepoint)).
    pub fn from_secret(secret: SecretKey) -> Self {
        KeyPair {
            public: PublicKey(x25519_base(&secret.0)),
            secret,
        }
    }

    /// A key pair on the heap whose secret key `fill` writes in place. Long-lived keys are made
    /// this way: a key built on the stack and moved into place leaves a copy in every frame it
    /// passed through, and those copies are never wiped. On error the zeroed pair is dropped.
    pub(crate) fn boxed_with(
        fill: impl FnOnce(&mut [u8; KEY_LEN]) -> Result<(), CryptoError>,
    ) -> Result<Box<KeyPair>, CryptoError> {
        let mut pair = Box::new(KeyPair {
            public: PublicKey([0; KEY_LEN]),
            secret: SecretKey([0; KEY_LEN]),
        });
        fill(&mut pair.secret.0)?;
        pair.public = PublicKey(x25519_base(&pair.secret.0));
        Ok(pair)
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("public", &self.public)
            .field("secret", &self.secret)
            .finish()
    }
}

/// Decodes a 64-hex-character seed (e.g. an environment seed) into a wiped-on-drop buffer.
pub fn decode_seed_hex(
    hex_str: &str,
    field: &'static str,
) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
    let mut seed = decode_hex_32(hex_str, field)?;
    let out = Zeroizing::new(seed);
    seed.zeroize();
    Ok(out)
}

/// Decodes exactly 64 hex characters into 32 bytes.
pub(crate) fn decode_hex_32(
    hex_str: &str,
    field: &'static str,
) -> Result<[u8; KEY_LEN], CryptoError> {
    let mut out = [0u8; KEY_LEN];
    decode_hex_into(hex_str, field, &mut out)?;
    Ok(out)
}

/// Decodes exactly 64 hex characters into `out`, which is left zeroed on error.
pub(crate) fn decode_hex_into(
    hex_str: &str,
    field: &'static str,
    out: &mut [u8; KEY_LEN],
) -> Result<(), CryptoError> {
    if hex_str.len() != 2 * KEY_LEN || hex::decode_to_slice(hex_str, out).is_err() {
        out.zeroize();
        return Err(CryptoError::Encoding {
            field,
            expected: "64 hexadecimal characters",
        });
    }
    Ok(())
}
