//! HTTP: one connection pool per client, rustls with the platform's roots (plus an optional CA
//! bundle), timeouts, a user agent without user or host names, and the mapping of every failure
//! to the error taxonomy. Requests carry the token only in the `Authorization` header.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use zeroize::Zeroizing;

use crate::api::error_from_response;
use crate::error::{Error, ErrorCode, Result};

/// How the client reaches the server.
#[derive(Debug, Clone)]
pub struct TransportConfig {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub verify_tls: bool,
    /// PEM bundle of extra trusted certificate authorities.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Appended to the user agent, e.g. `python/3.11`.
    pub user_agent_suffix: Option<String>,
    pub retry: RetryPolicy,
    /// Log requests at `info` instead of `debug` (`PHASE_DEBUG`).
    pub debug: bool,
    /// Bodies above this size are refused (a broken or hostile server must not exhaust memory).
    pub max_response_bytes: u64,
}

/// 64 MiB: about a hundred times the body of 5,000 secrets.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 << 20;

/// Retries of idempotent requests on connection errors, timeouts, 429, 502, 503 and 504:
/// exponential backoff with jitter, `Retry-After` honoured up to a cap, all within a deadline
/// for the whole call. Writes are retried only when the request never left (connect errors).
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` waited for; a longer one fails the call at once.
    pub max_retry_after: Duration,
    /// Budget of one call, retries and waits included.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            deadline: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (0-based): the server's `Retry-After` when given,
    /// else `base * 2^attempt` capped, with "equal jitter" (between half and all of it).
    fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if let Some(wait) = retry_after {
            return (wait <= self.max_retry_after).then_some(wait);
        }
        let backoff = self
            .base_delay
            .saturating_mul(1 << attempt.min(16))
            .min(self.max_delay);
        let fraction =
            f64::from(u32::from_le_bytes(crate::crypto::random_bytes())) / f64::from(u32::MAX);
        Some(backoff.mul_f64(0.5 + fraction / 2.0))
    }
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            verify_tls: true,
            extra_ca_pem: None,
            user_agent_suffix: None,
            retry: RetryPolicy::default(),
            debug: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// An HTTP client bound to one host and one token.
#[derive(Debug, Clone)]
pub struct Transport {
    pool: Arc<Mutex<Pool>>,
    stats: Arc<crate::stats::Stats>,
    config: TransportConfig,
    base: String,
    authorization: HeaderValue,
}

#[derive(Debug)]
struct Pool {
    /// The process the pool was made in.
    pid: u32,
    http: reqwest::Client,
}

fn build_http(config: &TransportConfig) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(config.connect_timeout)
        .timeout(config.timeout)
        .user_agent(user_agent(config.user_agent_suffix.as_deref()))
        .pool_idle_timeout(Duration::from_secs(90));
    builder = if config.verify_tls {
        builder
            .tls_backend_preconfigured(crate::tls::client_config(config.extra_ca_pem.as_deref())?)
    } else {
        builder.tls_danger_accept_invalid_certs(true)
    };
    builder
        .build()
        .map_err(|e| Error::new(ErrorCode::Tls, format!("cannot set up HTTPS: {e}")))
}

/// Whether a failed request may have reached the server (then a write must not be repeated).
enum Sent {
    No,
    Maybe,
}

/// One request to the Phase API, relative to `{host}/service`.
#[derive(Debug)]
pub struct ApiRequest<'a> {
    pub method: reqwest::Method,
    pub path: &'a str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<serde_json::Value>,
    /// A GET that changes something on the server (creating a lease): once it may have been
    /// received it is not repeated, like a write.
    pub creates: bool,
}

impl<'a> ApiRequest<'a> {
    pub fn get(path: &'a str) -> Self {
        ApiRequest {
            method: reqwest::Method::GET,
            path,
            headers: Vec::new(),
            body: None,
            creates: false,
        }
    }

    /// A request with a JSON body (POST, PUT or DELETE on the E2E endpoint).
    pub fn write(method: reqwest::Method, path: &'a str, body: serde_json::Value) -> Self {
        ApiRequest {
            method,
            path,
            headers: Vec::new(),
            body: Some(body),
            creates: false,
        }
    }

    /// Marks a GET that creates something (see [`ApiRequest::creates`]).
    pub fn creating(mut self) -> Self {
        self.creates = true;
        self
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

pub fn user_agent(suffix: Option<&str>) -> String {
    let base = format!(
        "phasekit/{} ({} {})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    match suffix {
        Some(suffix) => format!("{base} {suffix}"),
        None => base,
    }
}

impl Transport {
    pub fn new(
        host: &str,
        authorization: Zeroizing<String>,
        config: &TransportConfig,
        stats: Arc<crate::stats::Stats>,
    ) -> Result<Self> {
        let base = normalize_host(host)?;
        if !config.verify_tls {
            tracing::warn!(host = %base, "TLS certificate verification is disabled for this client");
        }
        let http = build_http(config)?;
        let mut authorization = HeaderValue::from_str(&authorization).map_err(|_| {
            Error::new(
                ErrorCode::InvalidToken,
                "the token cannot be sent in an HTTP header",
            )
        })?;
        authorization.set_sensitive(true);
        Ok(Transport {
            pool: Arc::new(Mutex::new(Pool {
                pid: std::process::id(),
                http,
            })),
            stats,
            config: config.clone(),
            base,
            authorization,
        })
    }

    /// The connection pool of this process. After a `fork`, the child gets a new pool: the
    /// parent's connections belong to a runtime that does not exist in the child.
    fn http(&self) -> Result<reqwest::Client> {
        let mut pool = self
            .pool
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let pid = std::process::id();
        if pool.pid != pid {
            *pool = Pool {
                pid,
                http: build_http(&self.config)?,
            };
        }
        Ok(pool.http.clone())
    }

    /// The budget of one call, retries and waits included.
    pub fn deadline(&self) -> Duration {
        self.config.retry.deadline
    }

    /// Whether every request is logged at `info` level (`debug` / `PHASE_DEBUG`).
    pub fn logs_requests(&self) -> bool {
        self.config.debug
    }

    /// The host as used in URLs, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends a request, retrying what the policy allows, and returns the body of a 2xx
    /// answer; anything else is an error.
    pub async fn send(&self, request: ApiRequest<'_>) -> Result<bytes::Bytes> {
        let started = Instant::now();
        let idempotent = request.method == reqwest::Method::GET && !request.creates;
        let mut attempt = 0;
        loop {
            let sent_at = Instant::now();
            // An attempt never outlives the deadline, even when `timeout` is longer.
            let remaining = self.config.retry.deadline.saturating_sub(started.elapsed());
            let (outcome, out_of_time) =
                match tokio::time::timeout(remaining, self.send_once(&request)).await {
                    Ok(outcome) => (outcome, false),
                    Err(_) => {
                        let message = format!(
                            "{}: no answer within the {:?} deadline",
                            request.path, self.config.retry.deadline
                        );
                        let err = Error::new(ErrorCode::Timeout, message);
                        (Err((err, Sent::Maybe)), true)
                    }
                };
            self.log(&request, &outcome, sent_at.elapsed(), attempt);
            self.stats.request(attempt);
            let (err, sent) = match outcome {
                Ok(body) => return Ok(body),
                Err(failure) => failure,
            };
            self.stats.failure(err.code() == ErrorCode::RateLimited);
            let repeatable = idempotent || matches!(sent, Sent::No);
            // An attempt cut off by the deadline already says so: no retry, no second mention.
            if out_of_time
                || !err.retryable()
                || !repeatable
                || attempt >= self.config.retry.max_retries
            {
                return Err(err);
            }
            let Some(delay) = self.config.retry.delay(attempt, err.retry_after()) else {
                return Err(err);
            };
            if started.elapsed() + delay >= self.config.retry.deadline {
                return Err(err.context(format_args!(
                    "gave up within the {:?} deadline",
                    self.config.retry.deadline
                )));
            }
            tracing::debug!(path = request.path, attempt, ?delay, code = %err.code(), "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One line per request: what was asked and how it ended, never headers or bodies.
    fn log(
        &self,
        request: &ApiRequest<'_>,
        outcome: &std::result::Result<bytes::Bytes, (Error, Sent)>,
        took: Duration,
        attempt: u32,
    ) {
        let method = request.method.as_str();
        let outcome = match outcome {
            Ok(body) => format!("ok, {} bytes", body.len()),
            Err((err, _)) => err.code().to_string(),
        };
        // tracing fixes an event's level where it is written, so the two levels are two events
        // of the same fields.
        macro_rules! log_request {
            ($level:ident) => {
                tracing::$level!(
                    method,
                    path = request.path,
                    attempt,
                    ?took,
                    outcome,
                    "phase request"
                )
            };
        }
        if self.config.debug {
            log_request!(info);
        } else {
            log_request!(debug);
        }
    }

    async fn send_once(
        &self,
        request: &ApiRequest<'_>,
    ) -> std::result::Result<bytes::Bytes, (Error, Sent)> {
        let url = format!("{}/service{}", self.base, request.path);
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, self.authorization.clone());
        for (name, value) in &request.headers {
            let value = HeaderValue::from_str(value).map_err(|_| {
                let message = format!("the {name} header value is not valid");
                (Error::new(ErrorCode::InvalidInput, message), Sent::No)
            })?;
            headers.insert(HeaderName::from_static(name), value);
        }
        let http = self.http().map_err(|e| (e, Sent::No))?;
        let mut builder = http.request(request.method.clone(), &url).headers(headers);
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        let response = builder.send().await.map_err(|e| {
            // A connect error means the request never left: even a write may be retried.
            let sent = if e.is_connect() {
                Sent::No
            } else {
                Sent::Maybe
            };
            (transport_error(&e, request.path), sent)
        })?;
        let status = response.status().as_u16();
        let retry_after = retry_after(&response);
        let body = read_body(response, self.config.max_response_bytes, request.path)
            .await
            .map_err(|e| (e, Sent::Maybe))?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let err = error_from_response(status, retry_after.as_deref(), &body)
            .context(format_args!("{} {}", request.method, request.path));
        Err((err, Sent::Maybe))
    }
}

/// The whole body, refused as soon as it is known to exceed `limit` bytes (from its
/// `Content-Length`, or while it streams in).
async fn read_body(
    mut response: reqwest::Response,
    limit: u64,
    path: &str,
) -> Result<bytes::Bytes> {
    let too_large = || {
        Error::new(
            ErrorCode::Protocol,
            format!("{path}: the response is larger than the {limit}-byte limit"),
        )
    };
    let announced = response.content_length();
    if announced.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    let capacity = announced.map_or(0, |n| usize::try_from(n).unwrap_or(0));
    let mut body = bytes::BytesMut::with_capacity(capacity);
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(&e, path))?
    {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Validates the host: an absolute http(s) URL, without `/service` (it is added per request).
pub(crate) fn normalize_host(host: &str) -> Result<String> {
    let trimmed = host.trim().trim_end_matches('/');
    let trimmed = trimmed.strip_suffix("/service").unwrap_or(trimmed);
    let parsed = reqwest::Url::parse(trimmed).map_err(|_| {
        Error::new(
            ErrorCode::InvalidInput,
            "the host must be an absolute URL such as https://console.phase.dev",
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            "the host must be an http:// or https:// URL with a host name",
        ));
    }
    // Credentials in the host would show wherever the host does (logs, `repr`, errors).
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            "the host must not contain a user name or password",
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            "the host must not carry a query or fragment",
        ));
    }
    Ok(trimmed.to_owned())
}

/// The `Retry-After` header of an answer, as the server wrote it.
pub(crate) fn retry_after(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A failure to get an answer, named after `label` (the request's path, or a login's name).
/// Shared by the API requests and the logins, so that both classify timeouts, TLS and
/// malformed bodies alike.
pub(crate) fn transport_error(err: &reqwest::Error, label: &str) -> Error {
    let code = if err.is_timeout() {
        ErrorCode::Timeout
    } else if is_tls(err) {
        ErrorCode::Tls
    } else if err.is_decode() || err.is_body() {
        ErrorCode::Protocol
    } else {
        ErrorCode::Network
    };
    // reqwest's messages name the URL (host and path) but never headers or bodies.
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    if code == ErrorCode::Tls && message.contains("InvalidContentType") {
        message.push_str(" (the server did not answer in TLS: is the host an http:// address?)");
    }
    Error::new(code, format!("{label}: {message}"))
}

/// Whether a TLS failure is behind the error: a rustls error anywhere in the chain, also inside
/// the I/O errors the connector wraps it in (whose `source()` skips the wrapped error). That
/// includes `https://` to a port that speaks plain HTTP, whose answer rustls reads as a corrupt
/// record.
fn is_tls(err: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        if wraps_rustls_error(inner) {
            return true;
        }
        let text = inner.to_string().to_ascii_lowercase();
        if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
            return true;
        }
        source = inner.source();
    }
    false
}

fn wraps_rustls_error(mut error: &(dyn std::error::Error + 'static)) -> bool {
    loop {
        if error.is::<rustls::Error>() {
            return true;
        }
        match error
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            Some(wrapped) => error = wrapped,
            None => return false,
        }
    }
}
