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
