//! Cloud identity login: trade a workload's AWS IAM or Azure Entra ID identity for a short-lived
//! Phase service-account token, so that no long-lived Phase token has to be stored with the
//! workload.
//!
//! The service account must have server-side key management enabled and an external identity
//! attached in the Phase console. Then:
//!
//! - **AWS IAM** ([`AwsIam`]): the client signs an STS `GetCallerIdentity` request with its AWS
//!   credentials (SigV4) without sending it; Phase replays it to STS, learns the caller's ARN and
//!   checks it against the identity's trusted principals.
//! - **Azure Entra ID** ([`AzureEntra`]): the client presents an Entra ID access token (a JWT);
//!   Phase verifies it against the tenant's keys and checks its `oid` claim.
//!
//! Either way the answer is a `pss_service:v2` token with a TTL ([`Login`]), from which a
//! [`Client`] is built as from any other token.
//!
//! ```no_run
//! # async fn demo() -> phasekit::Result<()> {
//! use phasekit::identity::{AwsIam, LoginOptions, Provider};
//!
//! let options = LoginOptions::new(
//!     "4f6c9d4e-2b1a-4c8e-9a51-0d3b7f0e6a21",
//!     Provider::AwsIam(AwsIam::default()),
//! )
//! .host("https://phase.example.com")
//! .ttl(900);
//! let login = phasekit::identity::login(&options).await?;
//! let client = login.client()?;
//! # Ok(()) }
//! ```
//!
//! Not supported: AWS credentials from the container (ECS, EKS Pod Identity) or instance (IMDS)
//! metadata endpoints, SSO, `credential_process` and `role_arn` profiles; Azure managed identity
//! (IMDS), the Azure CLI and client secrets. Those can still be used: resolve the credentials or
//! the JWT with the cloud's own SDK and pass them in ([`AwsCredentials`], [`AzureEntra::jwt`],
//! [`JwtProvider`]).

mod aws;
mod aws_credentials;
mod aws_files;
mod azure;
mod exchange;
mod sigv4;

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use zeroize::Zeroizing;

pub use aws::AwsIam;
pub use aws_credentials::AwsCredentials;
pub use azure::{AzureEntra, JwtFuture, JwtProvider};

use crate::client::{Client, ClientOptions, DEFAULT_HOST, seconds};
use crate::error::{Error, ErrorCode, Result};
use crate::secret_string::SecretString;
use crate::transport::normalize_host;

/// The identity provider a login goes through.
#[derive(Clone, Debug)]
pub enum Provider {
    AwsIam(AwsIam),
    AzureEntra(AzureEntra),
}

/// Everything a login needs, as plain values (the shape bindings receive from their host
/// language). The HTTP settings mirror [`ClientOptions`] and carry over to the client that
/// [`Login::client`] builds.
#[derive(Clone, Debug)]
pub struct LoginOptions {
    /// The service account's id (a UUID, shown in the Phase console).
    pub service_account_id: String,
    pub provider: Provider,
    /// The Phase host; `None`: `PHASE_HOST`, else Phase Cloud.
    pub host: Option<String>,
    /// Seconds the token should live; `None`: the identity's default. The server refuses more
    /// than the identity's maximum.
    pub ttl: Option<i64>,
    /// Seconds for the whole login request (default 30).
    pub timeout: Option<f64>,
    /// Seconds to establish a connection (default 10).
    pub connect_timeout: Option<f64>,
    /// `Some(false)` turns TLS verification off (with a warning).
    pub verify_ssl: Option<bool>,
    /// A PEM file of extra certificate authorities to trust.
    pub ca_bundle: Option<String>,
    /// Names the binding in the user agent, e.g. `python/3.12`.
    pub user_agent_suffix: Option<String>,
}

impl LoginOptions {
    /// A login that reaches the server the way `client` will (host, timeouts, TLS, user agent),
    /// for bindings that take one set of client settings for both.
    pub fn for_client(
        service_account_id: impl Into<String>,
        provider: Provider,
        ttl: Option<i64>,
        client: &ClientOptions,
    ) -> Self {
        LoginOptions {
            host: client.host.clone(),
            ttl,
            timeout: client.timeout,
            connect_timeout: client.connect_timeout,
            verify_ssl: client.verify_ssl,
            ca_bundle: client.ca_bundle.clone(),
            user_agent_suffix: client.user_agent_suffix.clone(),
            ..LoginOptions::new(service_account_id, provider)
        }
    }

    pub fn new(service_account_id: impl Into<String>, provider: Provider) -> Self {
        LoginOptions {
            service_account_id: service_account_id.into(),
            provider,
            host: None,
            ttl: None,
            timeout: None,
            connect_timeout: None,
            verify_ssl: None,
            ca_bundle: None,
            user_agent_suffix: None,
        }
    }

    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    pub fn ttl(mut self, seconds: i64) -> Self {
        self.ttl = Some(seconds);
        self
    }

    /// The host the login goes to: the option, else `PHASE_HOST`, else Phase Cloud; without
    /// a trailing slash or `/service`.
    fn resolved_host(&self) -> Result<String> {
        let from_env = std::env::var("PHASE_HOST")
            .ok()
            .filter(|h| !h.trim().is_empty());
        let host = self
            .host
            .clone()
            .or(from_env)
            .unwrap_or_else(|| DEFAULT_HOST.to_owned());
        normalize_host(&host)
    }

    /// Checks the login's own settings (the service account id, the TTL, the HTTP settings);
    /// [`login`] does before it sends anything.
    pub fn validate(&self) -> Result<()> {
        if !crate::api::is_uuid(self.service_account_id.trim()) {
            return Err(invalid(
                "`service_account_id` must be the service account's UUID (shown in the Phase console)",
            ));
        }
        if let Some(ttl) = self.ttl {
            if ttl <= 0 {
                return Err(invalid("`ttl` must be a positive number of seconds"));
            }
        }
        for (name, value) in [
            ("timeout", self.timeout),
            ("connect_timeout", self.connect_timeout),
        ] {
            if let Some(value) = value {
                seconds(name, value)?;
            }
        }
        Ok(())
    }

    /// The HTTP settings, which carry over to the client of the minted token.
    fn http_settings(&self) -> HttpSettings {
        HttpSettings {
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            verify_ssl: self.verify_ssl,
            ca_bundle: self.ca_bundle.clone(),
            user_agent_suffix: self.user_agent_suffix.clone(),
        }
    }
}

/// What a [`Login`] keeps of its options: not the credentials, which it no longer needs.
#[derive(Clone, Debug)]
struct HttpSettings {
    timeout: Option<f64>,
    connect_timeout: Option<f64>,
    verify_ssl: Option<bool>,
    ca_bundle: Option<String>,
    user_agent_suffix: Option<String>,
}

/// A successful login: the service-account token and how long it lives. `Debug` never shows
/// the token.
#[derive(Clone)]
pub struct Login {
    /// The full `pss_service:v2:…` token.
    pub token: SecretString,
    /// `ServiceAccount`.
    pub token_type: String,
    /// Seconds the token lives, as granted by the server.
    pub ttl: u64,
    /// The longest TTL the identity allows.
    pub max_ttl: u64,
    /// When the token expires, by this machine's clock (the TTL counted from the answer).
    pub expires_at: SystemTime,
    /// The Phase host that minted the token (normalised).
    pub host: String,
    http: HttpSettings,
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("token", &self.token)
            .field("token_type", &self.token_type)
            .field("ttl", &self.ttl)
            .field("max_ttl", &self.max_ttl)
            .field("expires_at", &self.expires_at)
            .field("host", &self.host)
            .finish()
    }
}

impl Login {
    /// A client with `settings`, its token and host this login's (the host that minted the
    /// token is the one that accepts it, also when it came from `PHASE_HOST` or the default).
    pub fn client_with(&self, settings: ClientOptions) -> Result<Client> {
        ClientOptions {
            token: Some(self.token.expose().to_owned()),
            host: Some(self.host.clone()),
            ..settings
        }
        .build()
    }

    /// The settings of a client for this token: the login's host and HTTP settings.
    pub fn client_options(&self) -> ClientOptions {
        ClientOptions {
            token: Some(self.token.expose().to_owned()),
            host: Some(self.host.clone()),
            timeout: self.http.timeout,
            connect_timeout: self.http.connect_timeout,
            verify_ssl: self.http.verify_ssl,
            ca_bundle: self.http.ca_bundle.clone(),
            user_agent_suffix: self.http.user_agent_suffix.clone(),
            ..ClientOptions::default()
        }
    }

    /// A client that uses this token (equivalent to
    /// `Client::builder().token(token).host(host)` with the login's HTTP settings).
    pub fn client(&self) -> Result<Client> {
        self.client_options().build()
    }
}

/// What every provider's login needs besides its own settings: the HTTP client, the host, the
/// service account (its id normalised) and the TTL asked for.
pub(crate) struct LoginRequest<'a> {
    pub http: &'a exchange::Http,
    pub host: &'a str,
    pub account_id: &'a str,
    pub ttl: Option<i64>,
}

/// Logs in with a cloud identity and returns the minted service-account token.
pub async fn login(options: &LoginOptions) -> Result<Login> {
    options.validate()?;
    let host = options.resolved_host()?;
    let http = exchange::Http::new(options)?;
    let account_id = options.service_account_id.trim().to_ascii_lowercase();
    let request = LoginRequest {
        http: &http,
        host: &host,
        account_id: &account_id,
        ttl: options.ttl,
    };
    let (answer, received_at) = match &options.provider {
        Provider::AwsIam(aws) => aws.login(&request).await?,
        Provider::AzureEntra(azure) => azure.login(&request).await?,
    };
    // A TTL past the end of time is a broken answer, not a reason to panic.
    let expires_at = received_at
        .checked_add(Duration::from_secs(answer.ttl))
        .ok_or_else(|| Error::new(ErrorCode::Protocol, "the server granted an impossible TTL"))?;
    Ok(Login {
        expires_at,
        token: answer.token,
        token_type: answer.token_type,
        ttl: answer.ttl,
        max_ttl: answer.max_ttl,
        host,
        http: options.http_settings(),
    })
}

/// [`login`], then a client for the token.
pub async fn login_client(options: &LoginOptions) -> Result<Client> {
    login(options).await?.client()
}

/// [`login`], then a client for the token with `settings` (their token and host are the
/// login's). The settings are checked first: a bad one fails before a token is minted.
pub async fn login_client_with(options: &LoginOptions, settings: ClientOptions) -> Result<Client> {
    settings.validate()?;
    options.validate()?;
    login(options).await?.client_with(settings)
}

/// [`login`] on the process-wide runtime of the blocking client, for callers without one.
pub fn login_blocking(options: &LoginOptions) -> Result<Login> {
    crate::client::runtime()?.block_on(login(options))
}

/// Reads an environment variable; an empty or blank value counts as unset (as in the AWS and
/// Azure SDKs). Resolution takes it as a parameter so that tests need not touch the process's
/// environment.
pub(crate) type Env = dyn Fn(&str) -> Option<String> + Send + Sync;

pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// `{"type": "service", "id": …}`: only service accounts can log in with an identity.
#[derive(Serialize)]
pub(crate) struct AccountRef<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
}

impl<'a> AccountRef<'a> {
    pub(crate) fn service(id: &'a str) -> Self {
        AccountRef {
            kind: "service",
            id,
        }
    }
}

#[derive(Serialize)]
pub(crate) struct TokenRequest {
    pub ttl: i64,
}

/// JSON in a buffer that is wiped when dropped. The size is measured first: serializing into a
/// growing buffer would leave copies (with the session token or the JWT) in every buffer it
/// outgrew.
pub(crate) fn to_json(value: &impl Serialize) -> Result<Zeroizing<Vec<u8>>> {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let failed = |_| Error::new(ErrorCode::Protocol, "cannot encode the login request");
    let mut counter = Counter(0);
    serde_json::to_writer(&mut counter, value).map_err(failed)?;
    let mut out = Zeroizing::new(Vec::with_capacity(counter.0));
    serde_json::to_writer(&mut *out, value).map_err(failed)?;
    Ok(out)
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidInput, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> LoginOptions {
        LoginOptions::new(
            "4F6C9D4E-2B1A-4C8E-9A51-0D3B7F0E6A21",
            Provider::AwsIam(AwsIam::default()),
        )
        .host("https://phase.example.com/service/")
    }

    #[test]
    fn validates_the_account_id_and_the_ttl() {
        assert!(options().validate().is_ok());
        for bad in ["", "not-a-uuid", "4f6c9d4e2b1a4c8e9a510d3b7f0e6a21"] {
            let mut o = options();
            o.service_account_id = bad.into();
            assert_eq!(o.validate().unwrap_err().code(), ErrorCode::InvalidInput);
        }
        for bad in [0, -5] {
            let error = options().ttl(bad).validate().unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidInput);
            assert!(error.message().contains("ttl"), "{error}");
        }
        let mut o = options();
        o.timeout = Some(f64::NAN);
        assert_eq!(o.validate().unwrap_err().code(), ErrorCode::InvalidInput);
    }

    #[test]
    fn the_host_loses_its_service_suffix() {
        assert_eq!(
            options().resolved_host().unwrap(),
            "https://phase.example.com"
        );
        for bad in ["phase.example.com", "ftp://x", "https://x/?a=b"] {
            assert!(normalize_host(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_hides_the_token() {
        let login = Login {
            token: SecretString::new("pss_service:v2:very-secret"),
            token_type: "ServiceAccount".into(),
            ttl: 60,
            max_ttl: 3600,
            expires_at: SystemTime::UNIX_EPOCH,
            host: "https://phase.example.com".into(),
            http: options().http_settings(),
        };
        let shown = format!("{login:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        let client_options = format!("{:?}", login.client_options());
        assert!(!client_options.contains("very-secret"), "{client_options}");

        let with_secrets = LoginOptions::new(
            "4f6c9d4e-2b1a-4c8e-9a51-0d3b7f0e6a21",
            Provider::AwsIam(AwsIam::with_credentials(AwsCredentials::new(
                "AKIAEXAMPLE",
                "aws-secret-key",
                Some("aws-session".into()),
            ))),
        );
        let azure = LoginOptions::new(
            "4f6c9d4e-2b1a-4c8e-9a51-0d3b7f0e6a21",
            Provider::AzureEntra(AzureEntra::with_jwt("a.b.jwt-signature")),
        );
        let shown = format!("{with_secrets:?} {azure:?}");
        for secret in ["aws-secret-key", "aws-session", "jwt-signature"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}

#[cfg(test)]
mod send_tests {
    /// Bindings run logins on any thread of the core's runtime: the future must be `Send`.
    #[test]
    fn a_login_can_move_between_threads() {
        fn assert_send<T: Send>(_: &T) {}
        let options = super::LoginOptions::new(
            "00000000-0000-4000-8000-000000000000",
            super::Provider::AzureEntra(super::AzureEntra::with_jwt("a.b.c")),
        );
        let future = super::login(&options);
        assert_send(&future);
    }
}
