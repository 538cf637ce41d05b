//! Token parsing (PROTOCOL §2.1): the three real kinds, every malformed shape, and redaction.

use phasekit::{ErrorCode, Token, TokenKind};

const APP_TOKEN: &str = "4c23543cd23a9f6bdebf167323d468ef5f195682670f59dcfb265b07e11f2c63";
const ACCOUNT_PK: &str = "53f338d83fa438992f3b9d6647786e319b0526b5bda1ee1800361ecf579d6619";
const KEYSHARE0: &str = "2b3bdb62a84106e057f6e5c8921e6d029076847b39e8ff44fc5ab61b60f69c29";
const WRAP_KEY: &str = "a4831112e8aaadb04a91983a30f3d1efd1200fea4b4e796e3fa3ed0c954bf9e2";

fn token_string(prefix: &str) -> String {
    format!("{prefix}:{APP_TOKEN}:{ACCOUNT_PK}:{KEYSHARE0}:{WRAP_KEY}")
}

#[test]
fn parses_the_three_kinds_and_builds_their_bearer_headers() {
    for (prefix, kind, scheme) in [
        ("pss_service:v1", TokenKind::Service, "Service"),
        (
            "pss_service:v2",
            TokenKind::ServiceAccount,
            "ServiceAccount",
        ),
        ("pss_user:v1", TokenKind::User, "User"),
    ] {
        let token = Token::parse(&token_string(prefix)).unwrap();
        assert_eq!(token.kind(), kind);
        assert_eq!(
            token.authorization_header().as_str(),
            format!("Bearer {scheme} {APP_TOKEN}")
        );
        assert_eq!(token.rest_token().as_str(), format!("{scheme} {APP_TOKEN}"));
        assert_eq!(token.account_public_key().to_hex(), ACCOUNT_PK);
        assert_eq!(token.keyshare0().to_hex().as_str(), KEYSHARE0);
        assert_eq!(token.wrap_key().to_hex().as_str(), WRAP_KEY);
        assert_eq!(token.expose().as_str(), token_string(prefix));
    }
}

#[test]
fn surrounding_whitespace_is_ignored_and_the_bearer_keeps_its_case() {
    let upper = APP_TOKEN.to_ascii_uppercase();
    let text = format!("  pss_service:v2:{upper}:{ACCOUNT_PK}:{KEYSHARE0}:{WRAP_KEY}\n");
    let token: Token = text.parse().unwrap();
    // The server compares the bearer string exactly, so it is sent as written.
    assert_eq!(
        token.authorization_header().as_str(),
        format!("Bearer ServiceAccount {upper}")
    );
}

#[test]
fn malformed_tokens_are_invalid_token_errors_that_never_echo_the_input() {
    let hex63 = &APP_TOKEN[..63];
    let not_hex = format!("{}zz", &APP_TOKEN[..62]);
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "empty"),
        ("   ".into(), "empty"),
        (APP_TOKEN.into(), "starts with pss_service: or pss_user:"),
        (
            token_string("pss_env:v1"),
            "starts with pss_service: or pss_user:",
        ),
        (
            token_string("PSS_SERVICE:v2"),
            "starts with pss_service: or pss_user:",
        ),
        (
            token_string("pss_service:v3"),
            "pss_service:v3 is not a known token version",
        ),
        (
            token_string("pss_user:v2"),
            "pss_user:v2 is not a known token version",
        ),
        (token_string("pss_service:2"), "must be a version"),
        ("pss_service".into(), "must be a version"),
        (
            format!("pss_service:v2:{APP_TOKEN}:{ACCOUNT_PK}:{KEYSHARE0}"),
            "expected 6 ':'-separated fields, found 5",
        ),
        (
            format!("{}:{WRAP_KEY}", token_string("pss_user:v1")),
            "found 7",
        ),
        (
            format!("pss_service:v2:{hex63}:{ACCOUNT_PK}:{KEYSHARE0}:{WRAP_KEY}"),
            "bearer token (field 3)",
        ),
        (
            format!("pss_service:v2:{APP_TOKEN}:{not_hex}:{KEYSHARE0}:{WRAP_KEY}"),
            "account public key (field 4)",
        ),
        (
            format!("pss_service:v2:{APP_TOKEN}:{ACCOUNT_PK}::{WRAP_KEY}"),
            "key share (field 5)",
        ),
        (
            format!("pss_service:v2:{APP_TOKEN}:{ACCOUNT_PK}:{KEYSHARE0}:{WRAP_KEY}0"),
            "wrap key (field 6)",
        ),
    ];
    for (input, reason) in cases {
        let err = Token::parse(&input).expect_err(&input);
        assert_eq!(err.code(), ErrorCode::InvalidToken, "{input}");
        assert!(err.message().contains(reason), "{input}: {err}");
        for secret_part in [
            APP_TOKEN,
            KEYSHARE0,
            WRAP_KEY,
            &APP_TOKEN[..16],
            &KEYSHARE0[..16],
            &WRAP_KEY[..16],
        ] {
            assert!(!err.to_string().contains(secret_part), "{err}");
            assert!(!format!("{err:?}").contains(secret_part), "{err:?}");
        }
    }
}

#[test]
fn debug_and_display_never_show_secret_parts() {
    let token = Token::parse(&token_string("pss_service:v2")).unwrap();
    let shown = [
        format!("{token}"),
        format!("{token:?}"),
        format!("{token:#?}"),
    ];
    for text in &shown {
        for secret_part in [APP_TOKEN, KEYSHARE0, WRAP_KEY] {
            assert!(!text.contains(secret_part), "{text}");
            assert!(!text.contains(&secret_part[..8]), "{text}");
        }
        assert!(text.contains("redacted"), "{text}");
    }
    assert_eq!(shown[0], "pss_service:v2:[redacted]");
    // The public key is not secret and helps tell tokens apart.
    assert!(shown[1].contains(ACCOUNT_PK));
    let bearer = token.authorization_header();
    assert!(!format!("{:?}", token.keyshare0()).contains(&KEYSHARE0[..8]));
    assert!(!format!("{:?}", token.wrap_key()).contains(&WRAP_KEY[..8]));
    assert!(bearer.starts_with("Bearer ServiceAccount "));
}
