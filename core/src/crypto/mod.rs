//! libsodium-compatible cryptography of the Phase protocol (PROTOCOL §3).
//!
//! The Phase console and the Python and Node SDKs use libsodium; the core does not link it.
//! X25519, XChaCha20-Poly1305 and randomness are AWS-LC's, which rustls links anyway (its X25519
//! the fastest measured here, `make bench-x25519`; its AEAD faster than libsodium's), and
//! BLAKE2b is RustCrypto's pure-Rust `blake2`: no C library is built for the core alone. The
//! libsodium constructions on top (`crypto_kx` key pairs and session keys, keyed
//! `crypto_generichash`) are composed as libsodium defines them and checked byte for byte
//! against libsodium's output (`tests/vectors/`).
//! This module knows nothing of HTTP or JSON.

/// The length of every key the protocol uses: X25519 keys, symmetric keys, key shares.
pub const KEY_LEN: usize = 32;

mod aead;
mod aws_lc;
mod ciphertext;
mod digest;
mod error;
mod keys;
mod keyshare;
mod kx;
mod x25519;

pub use aead::{NONCE_LEN, TAG_LEN, decrypt_raw, encrypt_raw, encrypt_raw_with_nonce};
pub use aws_lc::random_bytes;
pub use ciphertext::{PhCiphertext, decrypt, encrypt, encrypt_deterministic};
pub use digest::{blake2b_256, key_digest};
pub use error::CryptoError;
pub use keys::{KeyPair, PublicKey, SecretKey, SymmetricKey, decode_seed_hex};
pub use keyshare::{
    split_secret, unwrap_key_share, wrap_key_share, wrap_key_share_with_nonce, xor_shares,
};
pub use kx::{SessionKeys, client_session_keys, server_session_keys};
pub use x25519::{x25519, x25519_base};

// Write-in-place variants for keys that are kept (see `KeyPair::boxed_with`).
pub(crate) use digest::blake2b_256_into;
pub(crate) use keys::decode_hex_into;
pub(crate) use keyshare::unwrap_key_share_into;
