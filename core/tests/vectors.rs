//! The shared crypto vectors (`tests/vectors/crypto.json`, generated with libsodium by
//! `tests/vectors/generate.py`): every primitive must reproduce them byte for byte.

use phasekit::crypto::{
    self, CryptoError, KeyPair, PublicKey, SecretKey, SymmetricKey, blake2b_256,
    client_session_keys, decrypt_raw, encrypt_deterministic, encrypt_raw_with_nonce, key_digest,
    server_session_keys, unwrap_key_share, wrap_key_share_with_nonce, x25519, xor_shares,
};
use phasekit::keyring::EnvironmentKeys;
use serde_json::Value;
use zeroize::Zeroizing;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/crypto.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("crypto.json")).expect("valid JSON")
}

fn section<'a>(v: &'a Value, name: &str) -> &'a [Value] {
    let items = v[name]
        .as_array()
        .unwrap_or_else(|| panic!("section {name}"));
    assert!(!items.is_empty(), "section {name} is empty");
    items
}

fn text<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("field {field} in {v}"))
}

fn bytes32(v: &Value, field: &str) -> [u8; 32] {
    hex::decode(text(v, field)).unwrap().try_into().unwrap()
}

fn nonce(v: &Value) -> [u8; 24] {
    hex::decode(text(v, "nonce")).unwrap().try_into().unwrap()
}

fn keypair(v: &Value, secret: &str) -> KeyPair {
    KeyPair::from_secret(SecretKey::from_bytes(bytes32(v, secret)))
}

#[test]
fn seed_keypairs() {
    for case in section(&vectors(), "seed_keypairs") {
        let pair = KeyPair::from_seed(&bytes32(case, "seed"));
        assert_eq!(pair.public.to_hex(), text(case, "public_key"));
        assert_eq!(pair.secret.to_hex().as_str(), text(case, "private_key"));
    }
}

#[test]
fn scalarmult_base() {
    for case in section(&vectors(), "scalarmult_base") {
        assert_eq!(
            keypair(case, "secret_key").public.to_hex(),
            text(case, "public_key")
        );
    }
}

#[test]
fn x25519_shared_secrets() {
    for case in section(&vectors(), "x25519") {
        let shared = x25519(&bytes32(case, "scalar"), &bytes32(case, "point")).unwrap();
        assert_eq!(hex::encode(*shared), text(case, "shared"));
    }
}

#[test]
fn low_order_points_are_rejected() {
    let v = vectors();
    let points = v["low_order_points"].as_array().unwrap();
    assert!(points.len() >= 5);
    let own = KeyPair::generate();
    for point in points {
        let point = PublicKey::from_hex(point.as_str().unwrap(), "point").unwrap();
        assert_eq!(
            x25519(own.secret.as_bytes(), point.as_bytes()).unwrap_err(),
            CryptoError::KeyExchange
        );
        assert_eq!(
            client_session_keys(&own, &point).unwrap_err(),
            CryptoError::KeyExchange
        );
        assert_eq!(
            server_session_keys(&own, &point).unwrap_err(),
            CryptoError::KeyExchange
        );
        assert!(crypto::encrypt("x", &point).is_err());
    }
}

#[test]
fn session_keys() {
    for case in section(&vectors(), "session_keys") {
        let client = keypair(case, "client_private_key");
        let server = keypair(case, "server_private_key");
        assert_eq!(client.public.to_hex(), text(case, "client_public_key"));
        assert_eq!(server.public.to_hex(), text(case, "server_public_key"));
        let c = client_session_keys(&client, &server.public).unwrap();
        let s = server_session_keys(&server, &client.public).unwrap();
        assert_eq!(c.rx.to_hex().as_str(), text(case, "client_rx"));
        assert_eq!(c.tx.to_hex().as_str(), text(case, "client_tx"));
        assert_eq!(s.rx.to_hex().as_str(), text(case, "server_rx"));
        assert_eq!(s.tx.to_hex().as_str(), text(case, "server_tx"));
        assert_eq!(c.tx, s.rx);
    }
}

#[test]
fn blake2b_digests() {
    for case in section(&vectors(), "blake2b_digests") {
        let digest = blake2b_256(
            text(case, "input").as_bytes(),
            text(case, "salt").as_bytes(),
        )
        .unwrap();
        assert_eq!(hex::encode(digest), text(case, "digest"), "{case}");
    }
}

#[test]
fn key_digests_use_the_hex_text_of_the_salt_as_key() {
    for case in section(&vectors(), "key_digests") {
        assert_eq!(
            key_digest(text(case, "key"), text(case, "salt")).unwrap(),
            text(case, "digest"),
            "{case}"
        );
    }
}

#[test]
fn encrypt_raw_appends_the_nonce() {
    for case in section(&vectors(), "encrypt_raw") {
        let key = SymmetricKey::from_bytes(bytes32(case, "key"));
        let plaintext = text(case, "plaintext");
        let blob = encrypt_raw_with_nonce(plaintext.as_bytes(), &key, &nonce(case));
        assert_eq!(hex::encode(&blob), text(case, "blob"));
        assert_eq!(
            decrypt_raw(&blob, &key).unwrap().as_slice(),
            plaintext.as_bytes()
        );
    }
}

#[test]
fn ph_v1_encryption_is_byte_exact_and_decrypts() {
    for case in section(&vectors(), "asymmetric") {
        let recipient = keypair(case, "recipient_private_key");
        assert_eq!(
            recipient.public.to_hex(),
            text(case, "recipient_public_key")
        );
        let ephemeral = keypair(case, "ephemeral_private_key");
        assert_eq!(
            ephemeral.public.to_hex(),
            text(case, "ephemeral_public_key")
        );
        let plaintext = text(case, "plaintext");
        let ciphertext =
            encrypt_deterministic(plaintext, &recipient.public, &ephemeral, &nonce(case)).unwrap();
        assert_eq!(ciphertext, text(case, "ciphertext"));
        assert_eq!(
            crypto::decrypt(&ciphertext, &recipient).unwrap().as_str(),
            plaintext
        );
        // A fresh random encryption decrypts too, and differs from the deterministic one.
        let random = crypto::encrypt(plaintext, &recipient.public).unwrap();
        assert_ne!(random, ciphertext);
        assert_eq!(
            crypto::decrypt(&random, &recipient).unwrap().as_str(),
            plaintext
        );
    }
}

#[test]
fn key_shares_unwrap_and_recombine() {
    for case in section(&vectors(), "key_shares") {
        let wrap_key = SymmetricKey::from_bytes(bytes32(case, "wrap_key"));
        let keyshare1 = SecretKey::from_bytes(bytes32(case, "keyshare1"));
        let wrapped = text(case, "wrapped_key_share");
        assert_eq!(wrapped.len(), 208);
        assert_eq!(
            wrap_key_share_with_nonce(&keyshare1, &wrap_key, &nonce(case)),
            wrapped
        );
        assert_eq!(unwrap_key_share(wrapped, &wrap_key).unwrap(), keyshare1);
        if case["account_private_key"].is_null() {
            continue;
        }
        let combined = xor_shares(&bytes32(case, "keyshare0"), keyshare1.as_bytes()).unwrap();
        assert_eq!(hex::encode(&*combined), text(case, "account_private_key"));
        let account = keypair(case, "account_private_key");
        assert_eq!(account.public.to_hex(), text(case, "account_public_key"));
    }
}

#[test]
fn xor_reconstruct() {
    for case in section(&vectors(), "xor_reconstruct") {
        let shares = case["shares"].as_array().unwrap();
        let a = hex::decode(shares[0].as_str().unwrap()).unwrap();
        let b = hex::decode(shares[1].as_str().unwrap()).unwrap();
        assert_eq!(
            hex::encode(&*xor_shares(&a, &b).unwrap()),
            text(case, "expected")
        );
    }
    assert_eq!(
        xor_shares(&[1; 32], &[1; 31]).unwrap_err(),
        CryptoError::ShareLength(32, 31)
    );
}

#[test]
fn environment_keys_unwrap_from_the_account_key() {
    for case in section(&vectors(), "environment_keys") {
        let account = keypair(case, "account_private_key");
        assert_eq!(account.public.to_hex(), text(case, "account_public_key"));
        let seed = crypto::decrypt(text(case, "wrapped_seed"), &account).unwrap();
        let salt = crypto::decrypt(text(case, "wrapped_salt"), &account).unwrap();
        assert_eq!(seed.as_str(), text(case, "seed"));
        assert_eq!(salt.as_str(), text(case, "salt"));
        let expected_pk = PublicKey::from_hex(text(case, "environment_public_key"), "pk").unwrap();
        let env = EnvironmentKeys::from_seed_and_salt(
            &seed,
            Zeroizing::new(salt.to_string()),
            Some(&expected_pk),
        )
        .unwrap();
        assert_eq!(
            env.keypair().secret.to_hex().as_str(),
            text(case, "environment_private_key")
        );
        // Deterministic wrapping reproduces the vector's ciphertexts.
        for (field, plaintext) in [("seed", text(case, "seed")), ("salt", text(case, "salt"))] {
            let ephemeral = keypair(case, &format!("wrapped_{field}_ephemeral_private_key"));
            let nonce: [u8; 24] = hex::decode(text(case, &format!("wrapped_{field}_nonce")))
                .unwrap()
                .try_into()
                .unwrap();
            let wrapped =
                encrypt_deterministic(plaintext, &account.public, &ephemeral, &nonce).unwrap();
            assert_eq!(wrapped, text(case, &format!("wrapped_{field}")));
        }
    }
}

#[test]
fn invalid_ciphertexts_fail_with_the_expected_reason() {
    let v = vectors();
    let cases = section(&v, "invalid_ciphertexts");
    let mut reasons = std::collections::BTreeSet::new();
    for case in cases {
        let recipient = KeyPair {
            public: PublicKey::from_hex(text(case, "recipient_public_key"), "pk").unwrap(),
            secret: SecretKey::from_bytes(bytes32(case, "recipient_private_key")),
        };
        let err =
            crypto::decrypt(text(case, "ciphertext"), &recipient).expect_err(text(case, "name"));
        assert_eq!(
            err.reason(),
            text(case, "reason"),
            "{}: {err}",
            text(case, "name")
        );
        // Converted to the public error type it is always `decrypt_failed`.
        assert_eq!(
            phasekit::Error::from(err).code(),
            phasekit::ErrorCode::DecryptFailed
        );
        reasons.insert(text(case, "reason").to_owned());
    }
    assert_eq!(
        reasons.into_iter().collect::<Vec<_>>(),
        ["authentication", "format", "key_exchange"]
    );
}
