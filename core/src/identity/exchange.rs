//! The HTTP side of a login: one POST to Phase's identity endpoint (or, for workload identity,
//! one to Entra ID's token endpoint), with the TLS configuration every client uses, and the
//! mapping of failures to the error taxonomy.
//!
//! Bodies are never logged; error messages built from an answer are scrubbed of every secret
//! the request carried, in case a server echoes one back.

use std::time::{Duration, SystemTime};

use serde::Deserialize;
use zeroize::Zeroizing;

use super::LoginOptions;
use crate::api::error_from_response;
use crate::error::{Error, ErrorCode, Result};
use crate::secret_string::SecretString;
use crate::token::{Token, TokenKind};
use crate::transport::{retry_after, transport_error};

/// Answers are small JSON documents; anything larger is not a login answer.
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// A login mints a token on every request, so only a request that never left (a connection
/// failure) is sent again.
const CONNECT_RETRIES: u32 = 2;

/// Phase's answer to a successful login.
pub(crate) struct Answer {
    pub token: SecretString,
    pub token_type: String,
    pub ttl: u64,
    pub max_ttl: u64,
}

#[derive(Deserialize)]
struct Envelope {
    authentication: Authentication,
}

#[derive(Deserialize)]
struct Authentication {
    #[serde(rename = "tokenType")]
    token_type: String,
    token: String,
    /// `ServiceAccount <bearer>`: the bearer part is secret too, so it is only wiped.
    #[serde(rename = "bearerToken", default)]
    bearer_token: Option<String>,
    #[serde(rename = "TTL")]
    ttl: u64,
    #[serde(rename = "maxTTL")]
    max_ttl: u64,
}

/// An HTTP client for the login requests, with the settings of [`LoginOptions`].
pub(crate) struct Http {
    client: reqwest::Client,
}

impl Http {
    pub fn new(options: &LoginOptions) -> Result<Self> {
        let seconds = |value: Option<f64>, name: &str, default: u64| match value {
            Some(value) => super::seconds(name, value),
            None => Ok(Duration::from_secs(default)),
        };
        let mut builder = reqwest::Client::builder()
            .connect_timeout(seconds(options.connect_timeout, "connect_timeout", 10)?)
            .timeout(seconds(options.timeout, "timeout", 30)?)
            .user_agent(crate::transport::user_agent(
                options.user_agent_suffix.as_deref(),
            ))
            // A redirect would resend the signed request or the JWT to another place.
            .redirect(reqwest::redirect::Policy::none());
        builder = if options.verify_ssl == Some(false) {
            tracing::warn!("TLS certificate verification is disabled for this login");
            builder.tls_danger_accept_invalid_certs(true)
        } else {
            let extra = match &options.ca_bundle {
                Some(path) => Some(std::fs::read(path).map_err(|e| {
                    Error::new(
                        ErrorCode::InvalidInput,
                        format!("cannot read the CA bundle {path}: {e}"),
                    )
                })?),
                None => None,
            };
            builder.tls_backend_preconfigured(crate::tls::client_config(extra.as_deref())?)
        };
        let client = builder
            .build()
            .map_err(|e| Error::new(ErrorCode::Tls, format!("cannot set up HTTPS: {e}")))?;
        Ok(Http { client })
    }

    /// POSTs the JSON `body()` (rebuilt for every attempt, so that a retried AWS request is
    /// signed again) to `{host}/service{path}` and reads the minted token.
    pub async fn login(
        &self,
        host: &str,
        path: &str,
        what: &str,
        secrets: &[&str],
        body: impl Fn() -> Result<Zeroizing<Vec<u8>>>,
    ) -> Result<(Answer, SystemTime)> {
        let url = format!("{host}/service{path}");
        let (status, retry_after, answer) = self
            .post(&url, path, "application/json", body)
            .await
            .map_err(|e| e.context(what))?;
        let received_at = SystemTime::now();
        if !(200..300).contains(&status) {
            return Err(
                phase_error(status, retry_after.as_deref(), &answer, secrets).context(what),
            );
        }
        tracing::debug!(path, status, "identity login answered");
        parse_answer(&answer)
            .map(|answer| (answer, received_at))
            .map_err(|e| e.context(what))
    }

    /// POSTs a form and returns the status and the body, whatever the status.
    pub async fn post_form(
        &self,
        url: &str,
        label: &str,
        body: Zeroizing<Vec<u8>>,
    ) -> Result<(u16, Zeroizing<Vec<u8>>)> {
        let (status, _, answer) = self
            .post(url, label, "application/x-www-form-urlencoded", || {
                Ok(body.clone())
            })
            .await?;
        Ok((status, answer))
    }

    async fn post(
        &self,
        url: &str,
        label: &str,
        content_type: &str,
        body: impl Fn() -> Result<Zeroizing<Vec<u8>>>,
    ) -> Result<(u16, Option<String>, Zeroizing<Vec<u8>>)> {
        let mut attempt = 0;
        loop {
            let payload = body()?;
            let sent = self
                .client
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .header(reqwest::header::ACCEPT, "application/json")
                .body(payload.to_vec())
                .send()
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(e) if e.is_connect() && attempt < CONNECT_RETRIES => {
                    attempt += 1;
                    let delay = Duration::from_millis(200 << attempt);
                    tracing::debug!(label, attempt, ?delay, "login connection failed, retrying");
                    tokio::time::sleep(delay).await;
                    continue;
                }
                Err(e) => return Err(transport_error(&e, label)),
            };
            let status = response.status().as_u16();
            let retry_after = retry_after(&response);
            let answer = read_body(response, label).await?;
            return Ok((status, retry_after, answer));
        }
    }
}

async fn read_body(mut response: reqwest::Response, label: &str) -> Result<Zeroizing<Vec<u8>>> {
    let mut body = Zeroizing::new(Vec::new());
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(&e, label))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(Error::new(
                ErrorCode::Protocol,
                format!("{label}: the answer is larger than {MAX_ANSWER_BYTES} bytes"),
            ));
        }
        // Grow by hand: a reallocation would leave a copy of the token in freed memory.
        if body.len() + chunk.len() > body.capacity() {
            let mut grown = Zeroizing::new(Vec::with_capacity(
                (body.len() + chunk.len()).max(2 * body.capacity()),
            ));
            grown.extend_from_slice(&body);
            body = grown;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn parse_answer(body: &[u8]) -> Result<Answer> {
    // serde's messages can quote values from the input: never pass them on.
    let envelope: Envelope = serde_json::from_slice(body).map_err(|_| {
        Error::new(
            ErrorCode::Protocol,
            "the answer is not {\"authentication\": {\"tokenType\", \"token\", \"TTL\", \"maxTTL\"}}",
        )
    })?;
    let auth = envelope.authentication;
    drop(auth.bearer_token.map(Zeroizing::new));
    let token = SecretString::new(auth.token);
    match Token::parse(token.expose()) {
        Ok(parsed) if parsed.kind() == TokenKind::ServiceAccount => {}
        Ok(_) => {
            return Err(Error::new(
                ErrorCode::Protocol,
                "the server minted a token that is not a service-account token",
            ));
        }
        Err(e) => {
            return Err(Error::new(
                ErrorCode::Protocol,
                format!("the server minted a malformed token ({})", e.message()),
            ));
        }
    }
    Ok(Answer {
        token,
        token_type: auth.token_type,
        ttl: auth.ttl,
        max_ttl: auth.max_ttl,
    })
}

/// The error of a refused login. The core's mapping applies, with two refinements for these
/// endpoints: a 404 with a Phase error body means the account or its identity does not exist (an
/// authentication failure, not a missing endpoint), and the details the server adds to some
/// errors (the STS endpoint it expected, the status STS answered) are kept.
fn phase_error(status: u16, retry_after: Option<&str>, body: &[u8], secrets: &[&str]) -> Error {
    let base = error_from_response(status, retry_after, body);
    let details: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let has_message = details
        .as_ref()
        .and_then(|d| d.get("error"))
        .is_some_and(serde_json::Value::is_string);
    let code = if status == 404 && has_message {
        ErrorCode::Unauthorized
    } else {
        base.code()
    };
    let mut message = base.message().to_owned();
    if let Some(details) = &details {
        let text = |key: &str| details.get(key).and_then(serde_json::Value::as_str);
        if let (Some(expected), Some(received)) =
            (text("expectedEndpoint"), text("receivedEndpoint"))
        {
            message.push_str(&format!(
                " (the identity expects {}, the request was signed for {}: set the AWS region or sts_endpoint to match)",
                short(expected),
                short(received)
            ));
        }
        if let Some(sts_status) = details.get("status").and_then(serde_json::Value::as_u64) {
            message.push_str(&format!(" (AWS STS answered HTTP {sts_status})"));
        }
    }
    Error::new(code, redact(&message, secrets))
        .with_status(status)
        .with_retry_after(base.retry_after())
        .with_retryable(base.retryable())
}

/// A server-provided detail, kept printable and short.
fn short(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// Replaces every occurrence of a secret (at least 4 characters, so that nothing is hidden by
/// accident) with `[redacted]`.
pub(crate) fn redact(message: &str, secrets: &[&str]) -> String {
    let mut out = message.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        if out.contains(secret) {
            out = out.replace(secret, "[redacted]");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "pss_service:v2:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";

    #[test]
    fn reads_the_authentication_answer() {
        let body = serde_json::json!({"authentication": {
            "tokenType": "ServiceAccount", "token": TOKEN,
            "bearerToken": "ServiceAccount aaaa", "TTL": 900, "maxTTL": 3600}});
        let answer = parse_answer(body.to_string().as_bytes()).unwrap();
        assert_eq!((answer.ttl, answer.max_ttl), (900, 3600));
        assert_eq!(answer.token.expose(), TOKEN);
    }

    #[test]
    fn a_malformed_answer_never_quotes_the_token() {
        for body in [
            serde_json::json!({"authentication": TOKEN}),
            serde_json::json!({"authentication": {"tokenType": "ServiceAccount", "token": TOKEN, "TTL": "x", "maxTTL": 1}}),
            serde_json::json!({"authentication": {"tokenType": "ServiceAccount", "token": TOKEN.replace("v2", "v1"), "TTL": 1, "maxTTL": 1}}),
        ] {
            let error = parse_answer(body.to_string().as_bytes()).err().unwrap();
            assert_eq!(error.code(), ErrorCode::Protocol);
            assert!(!error.to_string().contains("aaaa"), "{error}");
        }
    }

    #[test]
    fn refusals_keep_their_details_and_lose_secrets() {
        let body = br#"{"error": "STS endpoint mismatch. Please sign the request for the configured STS endpoint.", "expectedEndpoint": "https://sts.amazonaws.com", "receivedEndpoint": "https://sts.eu-west-1.amazonaws.com"}"#;
        let error = phase_error(400, None, body, &[]);
        assert_eq!(error.code(), ErrorCode::InvalidInput);
        assert!(
            error
                .message()
                .contains("expects https://sts.amazonaws.com"),
            "{error}"
        );

        let body = br#"{"error": "AWS STS validation failed", "status": 403}"#;
        let error = phase_error(401, None, body, &[]);
        assert_eq!(error.code(), ErrorCode::Unauthorized);
        assert!(error.message().contains("HTTP 403"), "{error}");

        let error = phase_error(404, None, br#"{"error": "Service account not found"}"#, &[]);
        assert_eq!(error.code(), ErrorCode::Unauthorized);
        let error = phase_error(404, None, b"<html>Not Found</html>", &[]);
        assert_eq!(error.code(), ErrorCode::Protocol);

        let error = phase_error(
            403,
            None,
            br#"{"error": "bad key s3cr3t-key"}"#,
            &["s3cr3t-key"],
        );
        assert_eq!(error.message(), "bad key [redacted]");
    }
}
