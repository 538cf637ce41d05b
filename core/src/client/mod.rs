//! The client: one token, one host, one connection pool, one cached session.

mod blocking;
mod get;
mod leases;
mod options;
mod resolve;
mod select;
mod session;
mod write;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

pub use blocking::{BlockingClient, runtime};
pub use get::GetOptions;
pub use leases::LeaseMessage;
pub use options::ClientOptions;
pub use select::AppRef;
pub use write::{NewSecret, SecretUpdate};

use crate::error::{Error, ErrorCode, Result};
use crate::secrets::Memo;
use crate::token::Token;
pub use crate::transport::RetryPolicy;
use crate::transport::{Transport, TransportConfig};
use session::Session;

/// Phase Cloud.
pub const DEFAULT_HOST: &str = "https://console.phase.dev";

/// Builds a [`Client`]. Defaults: Phase Cloud, 10 s connect and 30 s total timeouts, TLS
/// verification on, session data kept for 5 minutes.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    token: Option<String>,
    host: String,
    transport: TransportConfig,
    session_ttl: Duration,
    memo_capacity: usize,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            token: None,
            host: DEFAULT_HOST.to_owned(),
            transport: TransportConfig::default(),
            session_ttl: Duration::from_secs(300),
            memo_capacity: 50_000,
        }
    }
}

impl ClientBuilder {
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// A self-hosted Phase, e.g. `https://phase.example.com` (without `/service`).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.transport.timeout = timeout;
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.transport.connect_timeout = timeout;
        self
    }

    /// Turns TLS certificate verification off. Only for local test servers; logs a warning.
    pub fn danger_disable_tls_verification(mut self) -> Self {
        self.transport.verify_tls = false;
        self
    }

    /// Trusts the certificate authorities of a PEM bundle in addition to the system's.
    pub fn ca_bundle_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.transport.extra_ca_pem = Some(pem.into());
        self
    }

    /// Retries, backoff and the deadline of each call (see [`RetryPolicy`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.transport.retry = policy;
        self
    }

    /// How long the session data (`/secrets/tokens/`) and derived keys are reused.
    pub fn session_ttl(mut self, ttl: Duration) -> Self {
        self.session_ttl = ttl;
        self
    }

    /// Logs every request (method, path, status, time; never headers or bodies) at `info`
    /// level through `tracing` instead of `debug`. Also set by `PHASE_DEBUG=true`.
    pub fn debug(mut self, debug: bool) -> Self {
        self.transport.debug = debug;
        self
    }

    /// How many decrypted fields are remembered so that unchanged secrets are not decrypted
    /// again (0 turns this off).
    pub fn memo_capacity(mut self, entries: usize) -> Self {
        self.memo_capacity = entries;
        self
    }

    /// Names the binding in the user agent, e.g. `python/3.11`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.transport.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Reads `PHASE_SERVICE_TOKEN`, `PHASE_HOST`, `PHASE_VERIFY_SSL` (`false` disables
    /// verification, with a warning) and `PHASE_DEBUG` into the builder.
    pub fn from_env(mut self) -> Self {
        if let Ok(token) = std::env::var("PHASE_SERVICE_TOKEN") {
            self.token = Some(token);
        }
        if let Ok(host) = std::env::var("PHASE_HOST") {
            if !host.trim().is_empty() {
                self.host = host;
            }
        }
        if std::env::var("PHASE_VERIFY_SSL").is_ok_and(|v| v.trim().eq_ignore_ascii_case("false")) {
            self.transport.verify_tls = false;
        }
        if std::env::var("PHASE_DEBUG")
            .is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
        {
            self.transport.debug = true;
        }
        self
    }

    pub fn build(self) -> Result<Client> {
        let token_text = self.token.ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidToken,
                "no token given (set PHASE_SERVICE_TOKEN or pass one)",
            )
        })?;
        let token = Token::parse(&token_text)?;
        let transport = Transport::new(&self.host, token.authorization_header(), &self.transport)?;
        Ok(Client {
            inner: Arc::new(Inner {
                token,
                transport,
                session_ttl: self.session_ttl,
                session: Mutex::new(None),
                memo: Memo::new(self.memo_capacity),
            }),
        })
    }
}

/// An asynchronous Phase client. Cheap to clone; clones share the session and the pool.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    token: Token,
    transport: Transport,
    session_ttl: Duration,
    session: Mutex<Option<Arc<Session>>>,
    memo: Memo,
}

/// An app the token can read, with its environments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppInfo {
    pub id: String,
    pub name: String,
    /// `E2E` or `SSE`.
    pub encryption: String,
    pub environments: Vec<EnvironmentInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentInfo {
    pub id: String,
    pub name: String,
    pub env_type: String,
}

impl Client {
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for Phase Cloud (or `PHASE_HOST`) with the given token.
    pub fn new(token: impl Into<String>) -> Result<Client> {
        ClientBuilder::default().from_env().token(token).build()
    }

    /// A client configured entirely from `PHASE_SERVICE_TOKEN`, `PHASE_HOST`, `PHASE_VERIFY_SSL`.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::default().from_env().build()
    }

    pub fn host(&self) -> &str {
        self.inner.transport.base()
    }

    /// Whether this client logs every request at `info` level (`debug(true)` or `PHASE_DEBUG`),
    /// so that a binding can make such logs visible.
    pub fn logs_requests(&self) -> bool {
        self.inner.transport.logs_requests()
    }

    /// How many decrypted fields are remembered (see [`ClientBuilder::memo_capacity`]).
    pub fn remembered_plaintexts(&self) -> usize {
        self.inner.memo.len()
    }

    /// Drops the cached session and keys: the next call fetches them again.
    pub async fn refresh(&self) {
        *self.inner.session.lock().await = None;
    }

    /// The cached session, fetched when missing or older than the session TTL.
    async fn session(&self) -> Result<Arc<Session>> {
        let mut slot = self.inner.session.lock().await;
        if let Some(session) = slot.as_ref().filter(|s| s.is_fresh(self.inner.session_ttl)) {
            return Ok(session.clone());
        }
        let session = Arc::new(Session::fetch(&self.inner.transport, &self.inner.token).await?);
        *slot = Some(session.clone());
        Ok(session)
    }

    /// The environments of one app that this token can read.
    pub async fn environments(&self, app: &AppRef) -> Result<Vec<EnvironmentInfo>> {
        let session = self.session().await?;
        let app = select::select_app(&session.data.apps, app)?;
        let id = app.id.clone();
        Ok(self
            .apps()
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .map(|a| a.environments)
            .unwrap_or_default())
    }

    /// The apps and environments this token can read.
    pub async fn apps(&self) -> Result<Vec<AppInfo>> {
        let session = self.session().await?;
        Ok(session
            .data
            .apps
            .iter()
            .map(|app| AppInfo {
                id: app.id.clone(),
                name: app.name.clone(),
                encryption: app.encryption.clone().unwrap_or_else(|| "E2E".to_owned()),
                environments: app
                    .environment_keys
                    .iter()
                    .map(|k| EnvironmentInfo {
                        id: k.environment.id.clone(),
                        name: k.environment.name.clone(),
                        env_type: k.environment.env_type.clone().unwrap_or_default(),
                    })
                    .collect(),
            })
            .collect())
    }
}
