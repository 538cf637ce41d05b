//! Properties of the crypto layer on arbitrary inputs: `ph:v1` and raw AEAD round trips
//! (empty and large texts included), tampering and wrong keys are authentication failures,
//! and the XOR key shares recombine.

use phasekit::crypto::{
    self, CryptoError, KeyPair, PhCiphertext, SecretKey, SymmetricKey, decrypt_raw, encrypt_raw,
    split_secret, unwrap_key_share, wrap_key_share, xor_shares,
};
use proptest::prelude::*;
use proptest::sample::Index;

fn keypair() -> impl Strategy<Value = KeyPair> {
    any::<[u8; 32]>().prop_map(|bytes| KeyPair::from_secret(SecretKey::from_bytes(bytes)))
}

/// Mostly short text, sometimes empty, sometimes hundreds of kilobytes (repeats keep
/// generation cheap while the crypto sees the full length).
fn plaintext() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => any::<String>(),
        1 => Just(String::new()),
        1 => (any::<String>(), 1usize..4096).prop_map(|(text, times)| text.repeat(times)),
    ]
}

proptest! {
    #[test]
    fn ph_v1_round_trips(text in plaintext(), recipient in keypair()) {
        let ciphertext = crypto::encrypt(&text, &recipient.public).unwrap();
        prop_assert!(ciphertext.starts_with("ph:v1:"));
        let parsed = PhCiphertext::parse(&ciphertext).unwrap();
        prop_assert_eq!(parsed.blob.len(), text.len() + crypto::TAG_LEN + crypto::NONCE_LEN);
        let decrypted = crypto::decrypt(&ciphertext, &recipient).unwrap();
        prop_assert_eq!(decrypted.as_str(), text.as_str());
    }

    #[test]
    fn deterministic_encryption_names_its_ephemeral_key(
        text in any::<String>(),
        recipient in keypair(),
        ephemeral in keypair(),
        nonce in any::<[u8; 24]>(),
    ) {
        let ciphertext =
            crypto::encrypt_deterministic(&text, &recipient.public, &ephemeral, &nonce).unwrap();
        let parsed = PhCiphertext::parse(&ciphertext).unwrap();
        prop_assert_eq!(parsed.ephemeral_public_key, ephemeral.public);
        prop_assert_eq!(&parsed.blob[parsed.blob.len() - 24..], &nonce[..]);
        let decrypted = crypto::decrypt(&ciphertext, &recipient).unwrap();
        prop_assert_eq!(decrypted.as_str(), text.as_str());
    }

    #[test]
    fn another_recipient_cannot_decrypt(
        text in any::<String>(),
        recipient in keypair(),
        other in keypair(),
    ) {
        prop_assume!(other.public != recipient.public);
        let ciphertext = crypto::encrypt(&text, &recipient.public).unwrap();
        prop_assert_eq!(
            crypto::decrypt(&ciphertext, &other).unwrap_err(),
            CryptoError::Authentication
        );
    }

    #[test]
    fn any_flipped_bit_is_an_authentication_failure(
        text in any::<String>(),
        recipient in keypair(),
        at in any::<Index>(),
        bit in 0u8..8,
    ) {
        let ciphertext = crypto::encrypt(&text, &recipient.public).unwrap();
        let mut parsed = PhCiphertext::parse(&ciphertext).unwrap();
        let i = at.index(parsed.blob.len());
        parsed.blob[i] ^= 1 << bit;
        let keys = crypto::server_session_keys(&recipient, &parsed.ephemeral_public_key).unwrap();
        prop_assert_eq!(decrypt_raw(&parsed.blob, &keys.rx).unwrap_err(), CryptoError::Authentication);
    }

    #[test]
    fn raw_aead_round_trips_bytes(data in proptest::collection::vec(any::<u8>(), 0..2048), key in any::<[u8; 32]>()) {
        let key = SymmetricKey::from_bytes(key);
        let blob = encrypt_raw(&data, &key);
        prop_assert_eq!(&decrypt_raw(&blob, &key).unwrap()[..], &data[..]);
    }

    #[test]
    fn xor_shares_undo_each_other(pair in (0usize..256).prop_flat_map(|n| (
        proptest::collection::vec(any::<u8>(), n),
        proptest::collection::vec(any::<u8>(), n),
    ))) {
        let (a, b) = pair;
        let combined = xor_shares(&a, &b).unwrap();
        prop_assert_eq!(&xor_shares(&combined, &b).unwrap()[..], &a[..]);
        prop_assert_eq!(&xor_shares(&b, &a).unwrap()[..], &combined[..]);
    }

    #[test]
    fn xor_shares_of_different_lengths_are_refused(
        a in proptest::collection::vec(any::<u8>(), 0..64),
        b in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        prop_assume!(a.len() != b.len());
        prop_assert_eq!(xor_shares(&a, &b).unwrap_err(), CryptoError::ShareLength(a.len(), b.len()));
    }

    #[test]
    fn split_shares_recombine_and_wrap(secret in any::<[u8; 32]>(), wrap in any::<[u8; 32]>()) {
        let secret = SecretKey::from_bytes(secret);
        let (share0, share1) = split_secret(&secret);
        let joined = xor_shares(share0.as_bytes(), share1.as_bytes()).unwrap();
        prop_assert_eq!(&joined[..], &secret.as_bytes()[..]);
        let wrap_key = SymmetricKey::from_bytes(wrap);
        let unwrapped = unwrap_key_share(&wrap_key_share(&share1, &wrap_key), &wrap_key).unwrap();
        prop_assert_eq!(unwrapped, share1);
    }
}
