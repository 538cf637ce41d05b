//! The checks behind the fuzz targets, one module per target: each takes arbitrary bytes and
//! panics only when phasekit misbehaves (a panic of its own, an untyped or wrongly coded error,
//! a leak, a round trip that does not hold). The fuzz targets call them; the core's test
//! `fuzz_corpus` includes this file and replays the committed corpus through them, so that
//! `make test` exercises every target without an instrumented build.

mod token_parse_check {
    use phasekit::{ErrorCode, Token};

    /// `Token::parse` on arbitrary text: it must return a token or an `invalid_token` error, never
    /// panic, and never echo a key from the input in its error or its `Display`/`Debug` forms.
    pub fn token_parse(data: &[u8]) {
        // Lossy, so that inputs that are almost text still reach the parser.
        let input = String::from_utf8_lossy(data);
        match Token::parse(&input) {
            Ok(token) => {
                // What `expose` prints must parse back to the same token.
                let exposed = token.expose();
                let again = Token::parse(&exposed).expect("an exposed token parses");
                assert_eq!(again.expose().as_str(), exposed.as_str());
                assert_eq!(again.kind(), token.kind());
                // Debug shows the account public key, so a secret equal to it is out of scope.
                let shown = format!("{token} {token:?}");
                let public = token.account_public_key().to_hex();
                for secret in [token.keyshare0().to_hex(), token.wrap_key().to_hex()] {
                    assert!(*secret == public || !shown.contains(secret.as_str()));
                }
            }
            Err(err) => {
                assert_eq!(err.code(), ErrorCode::InvalidToken);
                // Key-sized hex fields are what a leaked secret would look like.
                for field in input.split(':') {
                    if field.len() >= 64 && field.bytes().all(|b| b.is_ascii_hexdigit()) {
                        assert!(!err.message().contains(field), "the error echoes a key");
                    }
                }
            }
        }
    }
}

mod ph_decrypt_check {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use phasekit::crypto::{self, CryptoError, KeyPair, PublicKey, SecretKey, SymmetricKey};
    use phasekit::{Error, ErrorCode};

    const RECIPIENT: &str = "ba7bd8fbe711f27e0d726b0ec94c8f3da6963f787abd6c77a2c9d0464b09a545";
    const EPHEMERAL_PUBLIC: &str =
        "a4e09292b651c278b9772c569f5fa9bb13d906b46ab68c9df9dc2b4409f8a209";
    const WRAP_KEY: &str = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

    fn check<T>(result: Result<T, CryptoError>) {
        if let Err(err) = result {
            assert_eq!(Error::from(err).code(), ErrorCode::DecryptFailed);
        }
    }

    /// `ph:v1` decryption with a fixed recipient key pair (the libsodium vectors' `asymmetric`
    /// recipient). The first byte picks how the rest is used, so that the AEAD and key-exchange
    /// paths are reached without the fuzzer having to discover the text format first:
    /// 0: the whole ciphertext string; 1: the base64 body after a fixed valid ephemeral key;
    /// 2: ephemeral key (32 bytes) and body; 3: a hex `wrapped_key_share` under a fixed wrap key.
    /// Every failure must be a `decrypt_failed` `phasekit::Error`.
    pub fn ph_decrypt(data: &[u8]) {
        let Some((&mode, rest)) = data.split_first() else {
            return;
        };
        let recipient = KeyPair::from_secret(SecretKey::from_hex(RECIPIENT, "recipient").unwrap());
        match mode % 4 {
            0 => check(crypto::decrypt(&String::from_utf8_lossy(rest), &recipient)),
            1 => {
                let text = format!("ph:v1:{EPHEMERAL_PUBLIC}:{}", STANDARD.encode(rest));
                check(crypto::decrypt(&text, &recipient));
            }
            2 => {
                let mut key = [0u8; 32];
                let n = rest.len().min(32);
                key[..n].copy_from_slice(&rest[..n]);
                let ephemeral = PublicKey::from_bytes(key).to_hex();
                let text = format!("ph:v1:{ephemeral}:{}", STANDARD.encode(&rest[n..]));
                check(crypto::decrypt(&text, &recipient));
            }
            _ => {
                let wrap_key = SymmetricKey::from_hex(WRAP_KEY, "wrap key").unwrap();
                check(crypto::unwrap_key_share(
                    &String::from_utf8_lossy(rest),
                    &wrap_key,
                ));
            }
        }
    }
}

mod wire_json_check {
    use phasekit::ErrorCode;
    use phasekit::api::decode_json;
    use phasekit::api::wire::{SecretRecord, TokensResponse};
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    fn check<T: Serialize + DeserializeOwned>(body: &[u8], what: &str) {
        match decode_json::<T>(body, what) {
            Ok(value) => {
                // What the core would write back (the local server, caches) must decode again.
                let encoded = serde_json::to_vec(&value).expect("wire models serialise");
                decode_json::<T>(&encoded, what).expect("a serialised model decodes");
            }
            Err(err) => assert_eq!(err.code(), ErrorCode::Protocol),
        }
    }

    /// `decode_json` of the `/secrets/tokens/` and `/secrets/` response models on arbitrary bodies:
    /// a `protocol` `phasekit::Error` or a value that survives a serialise/decode round trip.
    pub fn wire_json(body: &[u8]) {
        check::<TokensResponse>(body, "GET /secrets/tokens/");
        check::<Vec<SecretRecord>>(body, "GET /secrets/");
        // Error bodies go through their own decoder; any status, any body, never a panic.
        let _ = phasekit::api::error_from_response(403, None, body);
    }
}

mod references_check {
    use phasekit::ErrorCode;
    use phasekit::references::{find, normalize_path, parse};

    /// `${...}` reference finding and parsing on arbitrary text: ranges that slice the input on
    /// character boundaries, bodies that match them, parsed paths in normal form, and only
    /// `reference_unresolved` errors.
    pub fn references(data: &[u8]) {
        let value = String::from_utf8_lossy(data);
        let mut previous_end = 0;
        for (range, body) in find(&value) {
            assert!(range.start >= previous_end, "references overlap");
            previous_end = range.end;
            // Slicing panics off a character boundary, which is what this would catch.
            let whole = &value[range.clone()];
            assert_eq!(whole, format!("${{{body}}}"));
            match parse(body) {
                Ok(reference) => {
                    assert!(reference.path.starts_with('/'));
                    assert_eq!(normalize_path(&reference.path), reference.path);
                }
                Err(err) => assert_eq!(err.code(), ErrorCode::ReferenceUnresolved),
            }
        }
        let normal = normalize_path(&value);
        assert_eq!(normalize_path(&normal), normal);
    }
}

pub use self::{
    ph_decrypt_check::ph_decrypt, references_check::references, token_parse_check::token_parse,
    wire_json_check::wire_json,
};
