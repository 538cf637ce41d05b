//! Phase tokens (PROTOCOL §2.1): `<prefix>:v<N>:<app_token>:<account_pk>:<keyshare0>:<wrap_key>`.
//!
//! Parsing is strict: only `pss_service:v1` (a legacy app service token), `pss_service:v2` (a
//! service account token) and `pss_user:v1` (a personal access token) exist. Errors say which
//! part is wrong and never repeat any part of the input.

use std::fmt;
use std::str::FromStr;

use zeroize::Zeroizing;

use crate::crypto::{PublicKey, SecretKey, SymmetricKey};
use crate::error::{Error, ErrorCode, Result};

/// Who a token authenticates, which is also the scheme word of the `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `pss_service:v1`: a legacy service token scoped to one app.
    Service,
    /// `pss_service:v2`: a token of a service account (an organisation-level principal).
    ServiceAccount,
    /// `pss_user:v1`: a user's personal access token; it sees the user's personal overrides.
    User,
}

impl TokenKind {
    /// The type word the server expects after `Bearer` (case-sensitive on the server).
    pub const fn bearer_type(self) -> &'static str {
        match self {
            TokenKind::Service => "Service",
            TokenKind::ServiceAccount => "ServiceAccount",
            TokenKind::User => "User",
        }
    }

    const fn prefix_and_version(self) -> &'static str {
        match self {
            TokenKind::Service => "pss_service:v1",
            TokenKind::ServiceAccount => "pss_service:v2",
            TokenKind::User => "pss_user:v1",
        }
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.bearer_type())
    }
}

/// A parsed token. `Debug` and `Display` show only its kind and its public key.
#[derive(Clone)]
pub struct Token {
    kind: TokenKind,
    app_token: Zeroizing<String>,
    account_public_key: PublicKey,
    // Boxed so that moving a `Token` moves pointers, not keys: a moved-from copy is never wiped.
    keyshare0: Box<SecretKey>,
    wrap_key: Box<SymmetricKey>,
}

/// The names of the six fields, used in error messages instead of their values.
const FIELD_NAMES: [&str; 6] = [
    "prefix",
    "version",
    "bearer token",
    "account public key",
    "key share",
    "wrap key",
];

impl Token {
    /// Parses a token string. Surrounding whitespace (a trailing newline from a file or an
    /// environment variable) is ignored.
    pub fn parse(input: &str) -> Result<Self> {
        let input = input.trim();
        if input.is_empty() {
            return Err(invalid("the token is empty"));
        }
        let fields: Vec<&str> = input.split(':').collect();
        let kind = match (fields[0], fields.get(1).copied()) {
            ("pss_service", Some("v1")) => TokenKind::Service,
            ("pss_service", Some("v2")) => TokenKind::ServiceAccount,
            ("pss_user", Some("v1")) => TokenKind::User,
            ("pss_service" | "pss_user", Some(version)) if is_version(version) => {
                return Err(invalid(format!(
                    "{}:{version} is not a known token version (expected pss_service:v1, pss_service:v2 or pss_user:v1)",
                    fields[0]
                )));
            }
            ("pss_service" | "pss_user", _) => {
                return Err(invalid("the second field must be a version such as v1"));
            }
            _ => {
                return Err(invalid(
                    "a Phase token starts with pss_service: or pss_user: (find it in the Phase console)",
                ));
            }
        };
        if fields.len() != FIELD_NAMES.len() {
            return Err(invalid(format!(
                "expected {} ':'-separated fields, found {}",
                FIELD_NAMES.len(),
                fields.len()
            )));
        }
        for (index, value) in fields.iter().enumerate().skip(2) {
            if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid(format!(
                    "the {} (field {}) must be 64 hexadecimal characters",
                    FIELD_NAMES[index],
                    index + 1
                )));
            }
        }
        // The hex checks above make these conversions infallible; map errors anyway.
        let account_public_key =
            PublicKey::from_hex(fields[3], "account public key").map_err(Error::from)?;
        let keyshare0 = SecretKey::boxed_from_hex(fields[4], "key share").map_err(Error::from)?;
        let wrap_key = SymmetricKey::boxed_from_hex(fields[5], "wrap key").map_err(Error::from)?;
        Ok(Token {
            kind,
            // Sent exactly as written: the server compares the bearer string byte for byte.
            app_token: Zeroizing::new(fields[2].to_owned()),
            account_public_key,
            keyshare0,
            wrap_key,
        })
    }

    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    /// The account's X25519 public key (field 4), which the key shares must reconstruct.
    pub fn account_public_key(&self) -> &PublicKey {
        &self.account_public_key
    }

    /// The first XOR share of the account's private key.
    pub fn keyshare0(&self) -> &SecretKey {
        &self.keyshare0
    }

    /// The key that decrypts the server-held second share.
    pub fn wrap_key(&self) -> &SymmetricKey {
        &self.wrap_key
    }

    /// The value of the `Authorization` header: `Bearer <Type> <app_token>`.
    pub fn authorization_header(&self) -> Zeroizing<String> {
        join_exact(
            &["Bearer", self.kind.bearer_type(), self.app_token.as_str()],
            " ",
        )
    }

    /// The "REST API token" the Phase console shows for this token: `<Type> <app_token>`.
    pub fn rest_token(&self) -> Zeroizing<String> {
        join_exact(&[self.kind.bearer_type(), self.app_token.as_str()], " ")
    }

    /// The full token string again, e.g. to hand it to another process.
    pub fn expose(&self) -> Zeroizing<String> {
        join_exact(
            &[
                self.kind.prefix_and_version(),
                self.app_token.as_str(),
                &self.account_public_key.to_hex(),
                self.keyshare0.to_hex().as_str(),
                self.wrap_key.to_hex().as_str(),
            ],
            ":",
        )
    }
}

/// `parts` joined by `separator` in a wiped-on-drop buffer allocated at its final size: text
/// that grows (as `format!` does) is reallocated, and the buffers left behind are freed unwiped.
fn join_exact(parts: &[&str], separator: &str) -> Zeroizing<String> {
    let len = parts.iter().map(|part| part.len()).sum::<usize>()
        + separator.len() * parts.len().saturating_sub(1);
    let mut out = Zeroizing::new(String::with_capacity(len));
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        out.push_str(part);
    }
    out
}

impl FromStr for Token {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Token::parse(s)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("kind", &self.kind)
            .field("account_public_key", &self.account_public_key)
            .field("secret", &"[redacted]")
            .finish()
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:[redacted]", self.kind.prefix_and_version())
    }
}

fn is_version(field: &str) -> bool {
    field.len() <= 4
        && field.starts_with('v')
        && field.len() > 1
        && field[1..].bytes().all(|b| b.is_ascii_digit())
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(
        ErrorCode::InvalidToken,
        format!("invalid Phase token: {}", message.into()),
    )
}
