//! Client settings as plain values: the shape in which every binding receives them from its host
//! language (numbers of seconds, a CA bundle path). Validation lives here, once, so that the
//! bindings only translate.

use std::fmt;
use std::time::Duration;

use super::{CachePolicy, Client, ClientBuilder, RetryPolicy};
use crate::error::{Error, ErrorCode, Result};

/// Every setting a binding's `Client` constructor accepts. `None` means "the environment's value,
/// else the default" (see [`ClientBuilder::from_env`]).
#[derive(Clone, Default)]
pub struct ClientOptions {
    pub token: Option<String>,
    pub host: Option<String>,
    /// Seconds for a whole request (default 30).
    pub timeout: Option<f64>,
    /// Seconds to establish a connection (default 10).
    pub connect_timeout: Option<f64>,
    /// `Some(false)` turns TLS verification off (with a warning); `Some(true)` keeps it on even
    /// when `PHASE_VERIFY_SSL=false`.
    pub verify_ssl: Option<bool>,
    /// A PEM file of extra certificate authorities to trust.
    pub ca_bundle: Option<String>,
    /// Seconds the session data and derived keys are reused (default 300).
    pub session_ttl: Option<f64>,
    /// Retries of idempotent calls after transient failures (default 3).
    pub max_retries: Option<u32>,
    /// Seconds one call may take, retries and waits included (default 60).
    pub deadline: Option<f64>,
    /// The largest response body accepted, in bytes (default 64 MiB).
    pub max_response_bytes: Option<u64>,
    /// Seconds `get` results are served from memory (no in-memory cache when `None`).
    pub cache_ttl: Option<f64>,
    /// Seconds past the TTL a cached result may stand in while the server cannot be reached
    /// (default 300; only with `cache_ttl`).
    pub cache_stale_if_error: Option<f64>,
    /// A directory for the offline cache (`PHASE_OFFLINE_CACHE_DIR`).
    pub offline_cache_dir: Option<String>,
    /// `Some(true)`: serve everything from the offline cache, no network (`PHASE_OFFLINE`).
    pub offline: Option<bool>,
    pub debug: Option<bool>,
    /// Names the binding in the user agent, e.g. `node/20.11.0`.
    pub user_agent_suffix: Option<String>,
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("host", &self.host)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("verify_ssl", &self.verify_ssl)
            .field("ca_bundle", &self.ca_bundle)
            .field("session_ttl", &self.session_ttl)
            .field("max_retries", &self.max_retries)
            .field("deadline", &self.deadline)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("cache_ttl", &self.cache_ttl)
            .field("cache_stale_if_error", &self.cache_stale_if_error)
            .field("offline_cache_dir", &self.offline_cache_dir)
            .field("offline", &self.offline)
            .field("debug", &self.debug)
            .finish()
    }
}

impl ClientOptions {
    /// The environment (`PHASE_SERVICE_TOKEN`, `PHASE_HOST`, ...) overlaid with these options.
    pub fn builder(self) -> Result<ClientBuilder> {
        let mut builder = Client::builder();
        if let Some(suffix) = self.user_agent_suffix {
            builder = builder.user_agent_suffix(suffix);
        }
        if let Some(token) = self.token {
            builder = builder.token(token);
        }
        if let Some(host) = self.host {
            builder = builder.host(host);
        }
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(seconds("timeout", timeout)?);
        }
        if let Some(timeout) = self.connect_timeout {
            builder = builder.connect_timeout(seconds("connect_timeout", timeout)?);
        }
        // Given either way, it wins over PHASE_VERIFY_SSL: code that asks for verification
        // gets it.
        match self.verify_ssl {
            Some(false) => builder = builder.danger_disable_tls_verification(),
            Some(true) => builder = builder.verify_tls(),
            None => {}
        }
        if let Some(path) = self.ca_bundle {
            let pem = std::fs::read(&path).map_err(|e| {
                Error::new(
                    ErrorCode::InvalidInput,
                    format!("cannot read the CA bundle {path}: {e}"),
                )
            })?;
            builder = builder.ca_bundle_pem(pem);
        }
        if let Some(ttl) = self.session_ttl {
            builder = builder.session_ttl(seconds("session_ttl", ttl)?);
        }
        if self.max_retries.is_some() || self.deadline.is_some() {
            let defaults = RetryPolicy::default();
            builder = builder.retry_policy(RetryPolicy {
                max_retries: self.max_retries.unwrap_or(defaults.max_retries),
                deadline: match self.deadline {
                    Some(deadline) => seconds("deadline", deadline)?,
                    None => defaults.deadline,
                },
                ..defaults
            });
        }
        if let Some(limit) = self.max_response_bytes {
            if limit == 0 {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "max_response_bytes must be a positive number of bytes",
                ));
            }
            builder = builder.max_response_bytes(limit);
        }
        match (self.cache_ttl, self.cache_stale_if_error) {
            (Some(ttl), stale) => {
                let defaults = CachePolicy::default();
                builder = builder.cache(CachePolicy {
                    ttl: seconds("cache_ttl", ttl)?,
                    stale_if_error: match stale {
                        Some(stale) => seconds("cache_stale_if_error", stale)?,
                        None => defaults.stale_if_error,
                    },
                    ..defaults
                });
            }
            (None, Some(_)) => {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "cache_stale_if_error needs cache_ttl",
                ));
            }
            (None, None) => {}
        }
        builder = builder.offline_settings(self.offline_cache_dir, self.offline);
        if let Some(debug) = self.debug {
            builder = builder.debug(debug);
        }
        Ok(builder)
    }

    pub fn build(self) -> Result<Client> {
        self.builder()?.build()
    }
}

/// A positive, finite number of seconds.
fn seconds(name: &str, value: f64) -> Result<Duration> {
    match Duration::try_from_secs_f64(value) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        _ => Err(Error::new(
            ErrorCode::InvalidInput,
            format!("{name} must be a positive number of seconds"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_positive_or_non_finite_seconds() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let options = ClientOptions {
                timeout: Some(bad),
                ..ClientOptions::default()
            };
            let error = options.builder().unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidInput);
            assert!(error.message().contains("timeout"), "{error}");
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let options = ClientOptions {
            token: Some("pss_service:v2:secret-part".into()),
            ..ClientOptions::default()
        };
        let shown = format!("{options:?}");
        assert!(!shown.contains("secret-part"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn unreadable_ca_bundle_is_invalid_input() {
        let options = ClientOptions {
            ca_bundle: Some("/nonexistent/ca.pem".into()),
            ..ClientOptions::default()
        };
        assert_eq!(
            options.builder().unwrap_err().code(),
            ErrorCode::InvalidInput
        );
    }

    #[test]
    fn stale_if_error_needs_a_ttl() {
        let options = ClientOptions {
            cache_stale_if_error: Some(5.0),
            ..ClientOptions::default()
        };
        let error = options.builder().unwrap_err();
        assert!(error.message().contains("cache_ttl"), "{error}");
    }
}
