//! One error type with stable codes, shared by every binding (README "Error codes"): each
//! binding raises its own error type per [`ErrorFamily`], carrying the [`ErrorCode`].

use std::fmt;
use std::time::Duration;

use crate::crypto::CryptoError;

/// Stable, machine-readable error codes. Their string forms never change between releases and
/// are the same in Python, Node, Go and Swift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The token string is not a valid Phase token.
    InvalidToken,
    /// The server rejected the credentials (unknown, expired or deleted token).
    Unauthorized,
    /// The credentials are valid but lack the permission (role, environment access, IP policy).
    Forbidden,
    AppNotFound,
    EnvNotFound,
    SecretNotFound,
    /// A name matches several apps or environments equally well.
    Ambiguous,
    /// A secret with the same key already exists at that path (HTTP 409).
    Conflict,
    InvalidInput,
    /// HTTP 429; `retry_after` says when to come back.
    RateLimited,
    /// DNS, connect or reset errors before a response arrived.
    Network,
    Timeout,
    Tls,
    /// HTTP 5xx.
    Server,
    /// The server's answer does not have the expected shape.
    Protocol,
    DecryptFailed,
    ReferenceUnresolved,
    ReferenceCycle,
    OfflineUnavailable,
}

impl ErrorCode {
    /// Every code, in a stable order (the registry each binding exposes).
    pub const ALL: [ErrorCode; 19] = [
        ErrorCode::InvalidToken,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::AppNotFound,
        ErrorCode::EnvNotFound,
        ErrorCode::SecretNotFound,
        ErrorCode::Ambiguous,
        ErrorCode::Conflict,
        ErrorCode::InvalidInput,
        ErrorCode::RateLimited,
        ErrorCode::Network,
        ErrorCode::Timeout,
        ErrorCode::Tls,
        ErrorCode::Server,
        ErrorCode::Protocol,
        ErrorCode::DecryptFailed,
        ErrorCode::ReferenceUnresolved,
        ErrorCode::ReferenceCycle,
        ErrorCode::OfflineUnavailable,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::AppNotFound => "app_not_found",
            ErrorCode::EnvNotFound => "env_not_found",
            ErrorCode::SecretNotFound => "secret_not_found",
            ErrorCode::Ambiguous => "ambiguous",
            ErrorCode::Conflict => "conflict",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Network => "network",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Tls => "tls",
            ErrorCode::Server => "server",
            ErrorCode::Protocol => "protocol",
            ErrorCode::DecryptFailed => "decrypt_failed",
            ErrorCode::ReferenceUnresolved => "reference_unresolved",
            ErrorCode::ReferenceCycle => "reference_cycle",
            ErrorCode::OfflineUnavailable => "offline_unavailable",
        }
    }

    /// The family whose native error type a binding raises for this code.
    pub const fn family(self) -> ErrorFamily {
        match self {
            ErrorCode::InvalidToken | ErrorCode::Unauthorized => ErrorFamily::Authentication,
            ErrorCode::Forbidden => ErrorFamily::PermissionDenied,
            ErrorCode::AppNotFound | ErrorCode::EnvNotFound | ErrorCode::SecretNotFound => {
                ErrorFamily::NotFound
            }
            ErrorCode::Ambiguous => ErrorFamily::Ambiguous,
            ErrorCode::Conflict => ErrorFamily::Conflict,
            ErrorCode::InvalidInput => ErrorFamily::InvalidInput,
            ErrorCode::RateLimited => ErrorFamily::RateLimit,
            ErrorCode::Network => ErrorFamily::Network,
            ErrorCode::Timeout => ErrorFamily::RequestTimeout,
            ErrorCode::Tls => ErrorFamily::Tls,
            ErrorCode::Server => ErrorFamily::Server,
            ErrorCode::Protocol => ErrorFamily::Protocol,
            ErrorCode::DecryptFailed => ErrorFamily::Decryption,
            ErrorCode::ReferenceUnresolved | ErrorCode::ReferenceCycle => ErrorFamily::Reference,
            ErrorCode::OfflineUnavailable => ErrorFamily::Offline,
        }
    }

    /// Whether the same request may succeed if tried again later (transient failures).
    pub const fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorCode::RateLimited | ErrorCode::Network | ErrorCode::Timeout
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The families that every binding turns into native error types (`NotFoundError`, ...), so
/// that a program can catch a kind of failure without listing codes. The same in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorFamily {
    Authentication,
    PermissionDenied,
    NotFound,
    Ambiguous,
    Conflict,
    InvalidInput,
    RateLimit,
    Network,
    RequestTimeout,
    Tls,
    Server,
    Protocol,
    Decryption,
    Reference,
    Offline,
}

impl ErrorFamily {
    /// Every family, parents before their children.
    pub const ALL: [ErrorFamily; 15] = [
        ErrorFamily::Authentication,
        ErrorFamily::PermissionDenied,
        ErrorFamily::NotFound,
        ErrorFamily::Ambiguous,
        ErrorFamily::Conflict,
        ErrorFamily::InvalidInput,
        ErrorFamily::RateLimit,
        ErrorFamily::Network,
        ErrorFamily::RequestTimeout,
        ErrorFamily::Tls,
        ErrorFamily::Server,
        ErrorFamily::Protocol,
        ErrorFamily::Decryption,
        ErrorFamily::Reference,
        ErrorFamily::Offline,
    ];

    /// The name of the family's error class, e.g. `NotFoundError`.
    pub const fn class_name(self) -> &'static str {
        match self {
            ErrorFamily::Authentication => "AuthenticationError",
            ErrorFamily::PermissionDenied => "PermissionDeniedError",
            ErrorFamily::NotFound => "NotFoundError",
            ErrorFamily::Ambiguous => "AmbiguousError",
            ErrorFamily::Conflict => "ConflictError",
            ErrorFamily::InvalidInput => "InvalidInputError",
            ErrorFamily::RateLimit => "RateLimitError",
            ErrorFamily::Network => "NetworkError",
            ErrorFamily::RequestTimeout => "RequestTimeoutError",
            ErrorFamily::Tls => "TlsError",
            ErrorFamily::Server => "ServerError",
            ErrorFamily::Protocol => "ProtocolError",
            ErrorFamily::Decryption => "DecryptionError",
            ErrorFamily::Reference => "SecretReferenceError",
            ErrorFamily::Offline => "OfflineError",
        }
    }

    /// What the family means, for the documentation of each binding's class.
    pub const fn description(self) -> &'static str {
        match self {
            ErrorFamily::Authentication => {
                "The token is malformed, wrong, unknown, expired or revoked (`invalid_token`, `unauthorized`)."
            }
            ErrorFamily::PermissionDenied => {
                "The token may not do this: role, environment access (`forbidden`)."
            }
            ErrorFamily::NotFound => {
                "The app, environment or secret does not exist for this token (`app_not_found`, `env_not_found`, `secret_not_found`)."
            }
            ErrorFamily::Ambiguous => "A name matches several apps or environments equally well.",
            ErrorFamily::Conflict => "A secret with this key already exists at this path.",
            ErrorFamily::InvalidInput => "An argument or request was rejected as invalid.",
            ErrorFamily::RateLimit => {
                "The server throttled the request; the error's retry-after says when to come back."
            }
            ErrorFamily::Network => {
                "The server could not be reached or the connection failed (`network`; timeouts and TLS failures too)."
            }
            ErrorFamily::RequestTimeout => "No answer within the timeout or the call's deadline.",
            ErrorFamily::Tls => "The TLS handshake or certificate verification failed.",
            ErrorFamily::Server => "The server failed (HTTP 5xx).",
            ErrorFamily::Protocol => "The server's answer does not have the expected shape.",
            ErrorFamily::Decryption => {
                "A ciphertext does not open with this token's keys: altered, or encrypted to another key."
            }
            ErrorFamily::Reference => {
                "A `${...}` reference cannot be resolved, or references form a cycle."
            }
            ErrorFamily::Offline => "Offline mode has no stored answer for this, or cannot write.",
        }
    }

    /// The codes of this family, in [`ErrorCode::ALL`]'s order.
    pub fn codes(self) -> impl Iterator<Item = ErrorCode> {
        ErrorCode::ALL
            .into_iter()
            .filter(move |code| code.family() == self)
    }

    /// Timeouts and TLS failures are network failures too; the others stand alone.
    pub const fn parent(self) -> Option<ErrorFamily> {
        match self {
            ErrorFamily::RequestTimeout | ErrorFamily::Tls => Some(ErrorFamily::Network),
            _ => None,
        }
    }
}

/// The error of every phasekit operation. The message never contains a secret value, a key or
/// a token's secret parts.
#[derive(Debug)]
pub struct Error {
    code: ErrorCode,
    message: String,
    status: Option<u16>,
    retry_after: Option<Duration>,
    retryable: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            status: None,
            retry_after: None,
            retryable: code.is_transient(),
            source: None,
        }
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }

    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }

    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Prefixes the message with what was being done, e.g. "decrypting secret 8662aa9b…".
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the response that caused the error, if any.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// How long the server asked to wait before retrying (HTTP `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Whether retrying the same call later may succeed.
    pub fn retryable(&self) -> bool {
        self.retryable
    }
}

/// How a binding spells the settings and parameters that messages name as `` `snake_name` ``:
/// `max_retries` for Python and Rust, `maxRetries` for Node and Swift, `MaxRetries` for Go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    Snake,
    Camel,
    /// Go's exported names, with its initialisms (`AppID`, `LeaseTTL`, `VerifySSL`).
    Pascal,
}

impl Naming {
    /// `name` (snake_case) in this spelling.
    pub fn spell(self, name: &str) -> String {
        let mut out = String::with_capacity(name.len());
        for (index, word) in name.split('_').enumerate() {
            match self {
                Naming::Snake => {
                    if index > 0 {
                        out.push('_');
                    }
                    out.push_str(word);
                }
                Naming::Camel if index == 0 => out.push_str(word),
                Naming::Pascal if GO_INITIALISMS.contains(&word) => {
                    out.push_str(&word.to_ascii_uppercase())
                }
                Naming::Camel | Naming::Pascal => {
                    let mut chars = word.chars();
                    if let Some(first) = chars.next() {
                        out.extend(first.to_uppercase());
                        out.push_str(chars.as_str());
                    }
                }
            }
        }
        out
    }
}

const GO_INITIALISMS: [&str; 9] = ["id", "ttl", "ssl", "tls", "ca", "url", "json", "aws", "jwt"];

impl Error {
    /// The message with every `` `snake_name` `` written as the binding spells it (without the
    /// backquotes), so that a binding's users read their own names.
    pub fn with_naming(mut self, naming: Naming) -> Self {
        self.message = naming.render(&self.message);
        self
    }
}

impl Naming {
    /// `message` with every `` `snake_name` `` spelled this way, without the backquotes.
    pub fn render(self, message: &str) -> String {
        render_names(message, self)
    }
}

fn render_names(message: &str, naming: Naming) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find('`') {
        let after = &rest[start + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with('`') {
            out.push_str(&rest[..start]);
            out.push_str(&naming.spell(&after[..name_len]));
            rest = &after[name_len + 1..];
        } else {
            out.push_str(&rest[..=start]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<CryptoError> for Error {
    fn from(err: CryptoError) -> Self {
        Error::new(ErrorCode::DecryptFailed, err.to_string()).with_source(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_messages_are_spelled_as_each_binding_spells_them() {
        let error = Error::new(
            ErrorCode::InvalidInput,
            "`cache_stale_if_error` needs `cache_ttl`; `app_id` or `session_ttl`, not `Foo` or ``",
        );
        let spelled = |naming| error_message(&error, naming);
        assert_eq!(
            spelled(Naming::Snake),
            "cache_stale_if_error needs cache_ttl; app_id or session_ttl, not `Foo` or ``"
        );
        assert_eq!(
            spelled(Naming::Camel),
            "cacheStaleIfError needs cacheTtl; appId or sessionTtl, not `Foo` or ``"
        );
        assert_eq!(
            spelled(Naming::Pascal),
            "CacheStaleIfError needs CacheTTL; AppID or SessionTTL, not `Foo` or ``"
        );
    }

    fn error_message(error: &Error, naming: Naming) -> String {
        Error::new(error.code(), error.message())
            .with_naming(naming)
            .message()
            .to_owned()
    }

    #[test]
    fn every_family_is_listed_after_its_parent_and_used_by_a_code() {
        for (index, family) in ErrorFamily::ALL.iter().enumerate() {
            if let Some(parent) = family.parent() {
                let parent_index = ErrorFamily::ALL.iter().position(|f| *f == parent);
                assert!(parent_index < Some(index), "{family:?} before its parent");
            }
            assert!(
                ErrorCode::ALL.iter().any(|c| c.family() == *family),
                "{family:?} has no code"
            );
        }
    }
}
