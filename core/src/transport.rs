//! HTTP: one connection pool per client, rustls with the platform's roots (plus an optional CA
//! bundle), timeouts, a user agent without user or host names, and the mapping of every failure
//! to the error taxonomy. Requests carry the token only in the `Authorization` header.

use std::time::Duration;

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
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            verify_tls: true,
            extra_ca_pem: None,
            user_agent_suffix: None,
        }
    }
}

/// An HTTP client bound to one host and one token.
#[derive(Debug, Clone)]
pub struct Transport {
    http: reqwest::Client,
    base: String,
    authorization: HeaderValue,
}

/// One request to the Phase API, relative to `{host}/service`.
#[derive(Debug)]
pub struct ApiRequest<'a> {
    pub method: reqwest::Method,
    pub path: &'a str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<serde_json::Value>,
}

impl<'a> ApiRequest<'a> {
    pub fn get(path: &'a str) -> Self {
        ApiRequest {
            method: reqwest::Method::GET,
            path,
            headers: Vec::new(),
            body: None,
        }
    }

    /// A request with a JSON body (POST, PUT or DELETE on the E2E endpoint).
    pub fn write(method: reqwest::Method, path: &'a str, body: serde_json::Value) -> Self {
        ApiRequest {
            method,
            path,
            headers: Vec::new(),
            body: Some(body),
        }
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
    ) -> Result<Self> {
        let base = normalize_host(host)?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(user_agent(config.user_agent_suffix.as_deref()))
            .pool_idle_timeout(Duration::from_secs(90));
        if !config.verify_tls {
            tracing::warn!(host = %base, "TLS certificate verification is disabled for this client");
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if let Some(pem) = &config.extra_ca_pem {
            let certificates = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                Error::new(
                    ErrorCode::Tls,
                    format!("the CA bundle is not valid PEM: {e}"),
                )
            })?;
            builder = builder.tls_certs_merge(certificates);
        }
        let http = builder
            .build()
            .map_err(|e| Error::new(ErrorCode::Tls, format!("cannot set up HTTPS: {e}")))?;
        let mut authorization = HeaderValue::from_str(&authorization).map_err(|_| {
            Error::new(
                ErrorCode::InvalidToken,
                "the token cannot be sent in an HTTP header",
            )
        })?;
        authorization.set_sensitive(true);
        Ok(Transport {
            http,
            base,
            authorization,
        })
    }

    /// The host as used in URLs, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends a request and returns the body of a 2xx answer; anything else is an error.
    pub async fn send(&self, request: ApiRequest<'_>) -> Result<bytes::Bytes> {
        let url = format!("{}/service{}", self.base, request.path);
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, self.authorization.clone());
        for (name, value) in &request.headers {
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::new(
                    ErrorCode::InvalidInput,
                    format!("the {name} header value is not valid"),
                )
            })?;
            headers.insert(HeaderName::from_static(name), value);
        }
        let mut builder = self
            .http
            .request(request.method.clone(), &url)
            .headers(headers);
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        let response = builder
            .send()
            .await
            .map_err(|e| transport_error(&e, request.path))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(&e, request.path))?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        Err(error_from_response(status, retry_after.as_deref(), &body)
            .context(format_args!("{} {}", request.method, request.path)))
    }
}

/// Validates the host: an absolute http(s) URL, without `/service` (it is added per request).
fn normalize_host(host: &str) -> Result<String> {
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
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            "the host must not carry a query or fragment",
        ));
    }
    Ok(trimmed.to_owned())
}

fn transport_error(err: &reqwest::Error, path: &str) -> Error {
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
    Error::new(code, format!("{path}: {message}"))
}

fn is_tls(err: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        let text = inner.to_string().to_ascii_lowercase();
        if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
            return true;
        }
        source = inner.source();
    }
    false
}
