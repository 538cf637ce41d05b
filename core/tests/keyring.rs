//! The key chain with synthetic accounts: what succeeds, and the typed errors of every way it
//! can break (wrong token, tampered share, mismatched identity key, malformed seed or salt).

use phasekit::crypto::{self, KeyPair, SymmetricKey, split_secret, wrap_key_share};
use phasekit::keyring::{AccountKey, EnvironmentKeys};
use phasekit::{ErrorCode, Token};
use zeroize::Zeroizing;

struct Account {
    keypair: KeyPair,
    token: Token,
    wrapped_key_share: String,
}

/// An account the way the Phase console mints one: split the private key, keep one share in
/// the token, wrap the other with the token's wrap key.
fn mint(prefix: &str) -> Account {
    let keypair = KeyPair::generate();
    let (keyshare0, keyshare1) = split_secret(&keypair.secret);
    let wrap_key = SymmetricKey::generate();
    let app_token = hex::encode(crypto::random_bytes::<32>());
    let token = Token::parse(&format!(
        "{prefix}:{app_token}:{}:{}:{}",
        keypair.public,
        keyshare0.to_hex().as_str(),
        wrap_key.to_hex().as_str()
    ))
    .unwrap();
    let wrapped_key_share = wrap_key_share(&keyshare1, &wrap_key);
    Account {
        keypair,
        token,
        wrapped_key_share,
    }
}

fn environment_for(account: &KeyPair) -> (String, String, String, String, String) {
    let seed = hex::encode(crypto::random_bytes::<32>());
    let salt = hex::encode(crypto::random_bytes::<32>());
    let env = KeyPair::from_seed(&hex::decode(&seed).unwrap().try_into().unwrap());
    let wrapped_seed = crypto::encrypt(&seed, &account.public).unwrap();
    let wrapped_salt = crypto::encrypt(&salt, &account.public).unwrap();
    (seed, salt, wrapped_seed, wrapped_salt, env.public.to_hex())
}

#[test]
fn a_minted_account_unwraps_its_environments() {
    for prefix in ["pss_service:v1", "pss_service:v2", "pss_user:v1"] {
        let account = mint(prefix);
        let key = AccountKey::reconstruct(&account.token, &account.wrapped_key_share).unwrap();
        assert_eq!(key.keypair().secret, account.keypair.secret);
        let (_, salt, wrapped_seed, wrapped_salt, identity_key) = environment_for(&account.keypair);
        let env = key
            .unwrap_environment(&wrapped_seed, &wrapped_salt, &identity_key)
            .unwrap();
        assert_eq!(env.public_key().to_hex(), identity_key);
        assert_eq!(env.salt_hex(), salt);
        let ciphertext = env.encrypt("s3cr3t").unwrap();
        assert_eq!(env.decrypt(&ciphertext).unwrap().as_str(), "s3cr3t");
        assert_eq!(
            env.key_digest("API_KEY"),
            crypto::key_digest("API_KEY", &salt).unwrap()
        );
    }
}

#[test]
fn another_tokens_key_share_is_rejected() {
    let mine = mint("pss_service:v2");
    let theirs = mint("pss_service:v2");
    let err = AccountKey::reconstruct(&mine.token, &theirs.wrapped_key_share).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidToken);
    assert!(err.message().contains("wrap key does not open"), "{err}");
}

#[test]
fn a_token_whose_key_part_was_mispasted_is_a_wrong_token() {
    // The server knows the token by its id part; a wrap key or key share changed while copying
    // is an authentication problem of the user's token, not tampered data.
    let account = mint("pss_service:v2");
    let exposed = account.token.expose().to_owned();
    let parts: Vec<&str> = exposed.split(':').collect();
    let mispasted = |index: usize| {
        let mut parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
        let flipped = if parts[index].as_bytes()[5] == b'0' {
            "1"
        } else {
            "0"
        };
        parts[index].replace_range(5..6, flipped);
        Token::parse(&parts.join(":")).unwrap()
    };
    let (share_index, wrap_key_index) = (parts.len() - 2, parts.len() - 1);
    for (index, says) in [
        (wrap_key_index, "wrap key does not open"),
        (
            share_index,
            "key share and the server's do not make its account key",
        ),
    ] {
        let err =
            AccountKey::reconstruct(&mispasted(index), &account.wrapped_key_share).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidToken, "{err}");
        assert_eq!(err.code().family(), phasekit::ErrorFamily::Authentication);
        assert!(err.message().contains(says), "{err}");
        assert!(err.message().contains("not copied whole"), "{err}");
        for part in &parts[2..] {
            assert!(
                !err.to_string().contains(part),
                "no part of the token in {err}"
            );
        }
    }
}

#[test]
fn shares_that_rebuild_another_key_are_rejected() {
    let account = mint("pss_user:v1");
    // Same shares, but the token names a different public key.
    let other = KeyPair::generate();
    let exposed = account.token.expose();
    let forged = exposed.replace(&account.keypair.public.to_hex(), &other.public.to_hex());
    let token = Token::parse(&forged).unwrap();
    let err = AccountKey::reconstruct(&token, &account.wrapped_key_share).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidToken);
    assert!(
        err.message()
            .contains("key share and the server's do not make its account key"),
        "{err}"
    );
}

#[test]
fn malformed_wrapped_shares_are_typed_errors() {
    let account = mint("pss_service:v2");
    let cases = [
        ("", ErrorCode::Protocol, "shorter than tag and nonce"),
        ("zz", ErrorCode::Protocol, "must be hexadecimal"),
        ("abc", ErrorCode::Protocol, "must be hexadecimal"),
        // Cut short, it no longer authenticates: indistinguishable from a wrong wrap key.
        (
            &account.wrapped_key_share[..200],
            ErrorCode::InvalidToken,
            "wrap key does not open",
        ),
    ];
    for (wrapped, code, reason) in cases {
        let err = AccountKey::reconstruct(&account.token, wrapped).unwrap_err();
        assert_eq!(err.code(), code, "{wrapped}: {err}");
        assert!(err.message().contains(reason), "{wrapped}: {err}");
    }
}

#[test]
fn environment_key_mismatches_are_typed_errors() {
    let account = mint("pss_service:v2");
    let key = AccountKey::reconstruct(&account.token, &account.wrapped_key_share).unwrap();
    let (seed, salt, wrapped_seed, wrapped_salt, identity_key) = environment_for(&account.keypair);

    let other_identity = KeyPair::generate().public.to_hex();
    let err = key
        .unwrap_environment(&wrapped_seed, &wrapped_salt, &other_identity)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::DecryptFailed);
    assert!(err.message().contains("identity key"), "{err}");

    let err = key
        .unwrap_environment(&wrapped_seed, &wrapped_salt, "not-hex")
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Protocol);

    // A seed wrapped to someone else.
    let stranger = KeyPair::generate();
    let foreign_seed = crypto::encrypt(&seed, &stranger.public).unwrap();
    let err = key
        .unwrap_environment(&foreign_seed, &wrapped_salt, &identity_key)
        .unwrap_err();
    assert!(
        err.message().starts_with("decrypting the environment seed"),
        "{err}"
    );

    let short_salt = Zeroizing::new(salt[..62].to_owned());
    let err = EnvironmentKeys::from_seed_and_salt(&seed, short_salt, None).unwrap_err();
    assert!(
        err.message()
            .contains("environment salt must be 64 hexadecimal characters"),
        "{err}"
    );
    let err = EnvironmentKeys::from_seed_and_salt("xyz", Zeroizing::new(salt), None).unwrap_err();
    assert!(
        err.message()
            .contains("environment seed must be 64 hexadecimal characters"),
        "{err}"
    );
}

#[test]
fn key_material_never_prints() {
    let account = mint("pss_service:v2");
    let key = AccountKey::reconstruct(&account.token, &account.wrapped_key_share).unwrap();
    let secret_hex = account.keypair.secret.to_hex();
    let (_, salt, wrapped_seed, wrapped_salt, identity_key) = environment_for(&account.keypair);
    let env = key
        .unwrap_environment(&wrapped_seed, &wrapped_salt, &identity_key)
        .unwrap();
    let env_secret = env.keypair().secret.to_hex();
    for shown in [
        format!("{key:?}"),
        format!("{env:?}"),
        format!("{:?}", account.keypair),
    ] {
        assert!(!shown.contains(&secret_hex[..16]), "{shown}");
        assert!(!shown.contains(&env_secret[..16]), "{shown}");
        assert!(!shown.contains(&salt[..16]), "{shown}");
    }
}
