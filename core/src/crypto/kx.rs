//! libsodium's `crypto_kx` session keys, computed as libsodium defines them:
//! q = X25519(own_sk, peer_pk); h = BLAKE2b-512(q || client_pk || server_pk);
//! client (rx, tx) = (h[0..32], h[32..64]); server (rx, tx) = (h[32..64], h[0..32]).

use zeroize::Zeroizing;

use super::CryptoError;
use super::KEY_LEN;
use super::digest::blake2b_512;
use super::keys::{KeyPair, PublicKey, SymmetricKey};
use super::x25519::x25519;

/// The two directional keys of a session: a client's `tx` is the server's `rx`.
#[derive(Debug)]
pub struct SessionKeys {
    pub rx: SymmetricKey,
    pub tx: SymmetricKey,
}

/// Session keys of the client side (`crypto_kx_client_session_keys`).
pub fn client_session_keys(
    client: &KeyPair,
    server_pk: &PublicKey,
) -> Result<SessionKeys, CryptoError> {
    let h = session_hash(client, server_pk, &client.public, server_pk)?;
    Ok(SessionKeys {
        rx: half(&h, 0),
        tx: half(&h, 1),
    })
}

/// Session keys of the server side (`crypto_kx_server_session_keys`).
pub fn server_session_keys(
    server: &KeyPair,
    client_pk: &PublicKey,
) -> Result<SessionKeys, CryptoError> {
    let h = session_hash(server, client_pk, client_pk, &server.public)?;
    Ok(SessionKeys {
        rx: half(&h, 1),
        tx: half(&h, 0),
    })
}

fn session_hash(
    own: &KeyPair,
    peer: &PublicKey,
    client_pk: &PublicKey,
    server_pk: &PublicKey,
) -> Result<Zeroizing<[u8; 2 * KEY_LEN]>, CryptoError> {
    let q = x25519(own.secret.as_bytes(), peer.as_bytes())?;
    let mut input = Zeroizing::new([0u8; 3 * KEY_LEN]);
    input[..KEY_LEN].copy_from_slice(&*q);
    input[KEY_LEN..2 * KEY_LEN].copy_from_slice(client_pk.as_bytes());
    input[2 * KEY_LEN..].copy_from_slice(server_pk.as_bytes());
    Ok(blake2b_512(&*input))
}

fn half(h: &[u8; 2 * KEY_LEN], index: usize) -> SymmetricKey {
    let mut bytes = [0u8; KEY_LEN];
    bytes.copy_from_slice(&h[index * KEY_LEN..(index + 1) * KEY_LEN]);
    let key = SymmetricKey::from_bytes(bytes);
    zeroize::Zeroize::zeroize(&mut bytes);
    key
}
