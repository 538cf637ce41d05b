//! Error responses -> [`Error`] (PROTOCOL §4.6). The status decides the family; the server's
//! `{"error": "..."}` message refines it where the same status covers several causes (401 is
//! used both for bad tokens and for unknown environments).

use std::time::{Duration, SystemTime};

use super::wire::ErrorBody;
use crate::error::{Error, ErrorCode};

/// Longest server message kept in an error (a misbehaving server could send anything).
const MAX_SERVER_MESSAGE: usize = 300;

/// Builds the error for a non-2xx response. `retry_after` is the raw `Retry-After` header.
pub fn error_from_response(status: u16, retry_after: Option<&str>, body: &[u8]) -> Error {
    let server_message = serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .map(|b| sanitize(&b.error));
    let said = |fallback: &str| match &server_message {
        Some(message) => message.clone(),
        None => fallback.to_owned(),
    };
    let lower = server_message
        .as_deref()
        .unwrap_or_default()
        .to_ascii_lowercase();

    let (code, message) = match status {
        429 => (ErrorCode::RateLimited, said("rate limited by the server")),
        400 => (ErrorCode::InvalidInput, said("the server rejected the request as invalid")),
        401 | 403 if lower.contains("environment not found") => (ErrorCode::EnvNotFound, said("")),
        401 | 403 if lower.contains("cannot access") || lower.contains("permission") => {
            (ErrorCode::Forbidden, said(""))
        }
        403 if lower.contains("unsupported http method") => (ErrorCode::Protocol, said("")),
        401 => (ErrorCode::Unauthorized, said("the server rejected the token")),
        403 if lower.contains("token") || server_message.is_none() => {
            (ErrorCode::Unauthorized, said("the server rejected the token"))
        }
        403 => (ErrorCode::Forbidden, said("")),
        404 => match &server_message {
            None => (
                ErrorCode::Protocol,
                "the server has no such endpoint (HTTP 404 without a Phase error body): check the host".to_owned(),
            ),
            // "Environment 'x' not found in App y" names both: the subject comes first.
            Some(_) if lower.starts_with("environment") => (ErrorCode::EnvNotFound, said("")),
            Some(_) if lower.starts_with("app") => (ErrorCode::AppNotFound, said("")),
            Some(_) if lower.contains("secret") || lower.contains("lease") => (ErrorCode::SecretNotFound, said("")),
            Some(_) => (ErrorCode::Protocol, said("")),
        },
        409 => (ErrorCode::Conflict, said("a secret with this key already exists at this path")),
        500..=599 => (ErrorCode::Server, said("the server failed")),
        _ => (ErrorCode::Protocol, said("unexpected response status")),
    };

    let retry_after = if matches!(status, 429 | 503) {
        retry_after.and_then(parse_retry_after)
    } else {
        None
    };
    // 502/503/504 are gateways and overloaded servers: the same request may well succeed later.
    let retryable = code.is_transient() || matches!(status, 502..=504);
    Error::new(code, message)
        .with_status(status)
        .with_retry_after(retry_after)
        .with_retryable(retryable)
}

/// Parses `Retry-After`: delay seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Keeps a server message printable and short.
fn sanitize(message: &str) -> String {
    let mut clean: String = message
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_SERVER_MESSAGE)
        .collect();
    if message.chars().count() > MAX_SERVER_MESSAGE {
        clean.push('…');
    }
    clean
}
