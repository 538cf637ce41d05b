//! The client: one token, one host, one connection pool, one cached session.

mod blocking;
mod cache;
mod get;
mod leases;
mod options;
mod recent;
mod resolve;
mod select;
mod session;
mod sources;
mod watch;
mod write;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

pub use blocking::{BlockingClient, runtime};
pub use cache::CachePolicy;
pub use get::{GetOptions, GetResult};
pub use leases::{Lease, LeaseMessage};
pub(crate) use options::seconds;
pub use options::{ClientOptions, Setting, SettingValue};
pub use select::AppRef;
pub use sources::Source;
pub use watch::{Change, Watch, WatchPolicy};
pub use write::{NewSecret, SecretUpdate};

use crate::error::{Error, ErrorCode, Result};
use crate::offline::{OfflineCache, OfflineMode};
pub use crate::records::{AppInfo, EnvironmentInfo};
use crate::secret_string::SecretString;
use crate::secrets::Memo;
use crate::stats::{Stats, StatsSnapshot};
use crate::token::Token;
pub use crate::transport::RetryPolicy;
use crate::transport::{ApiRequest, Transport, TransportConfig};
use session::Session;
use sources::Provenance;

/// Phase Cloud.
pub const DEFAULT_HOST: &str = "https://console.phase.dev";

/// Builds a [`Client`]. Defaults: Phase Cloud, 10 s connect and 30 s total timeouts, TLS
/// verification on, session data kept for 5 minutes. [`Client::builder`] starts from the
/// environment's settings; `ClientBuilder::default()` from these defaults alone, for programs
/// that must not be steered by `PHASE_*` variables.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    // A `SecretString`: wiped when the builder is dropped or built, and redacted in `Debug`.
    token: Option<SecretString>,
    host: String,
    transport: TransportConfig,
    session_ttl: Duration,
    memo_capacity: usize,
    offline: Option<(PathBuf, OfflineMode)>,
    cache: Option<CachePolicy>,
    offline_max_age: Option<Duration>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            token: None,
            host: DEFAULT_HOST.to_owned(),
            transport: TransportConfig::default(),
            session_ttl: Duration::from_secs(300),
            memo_capacity: 50_000,
            offline: None,
            cache: None,
            offline_max_age: None,
        }
    }
}

impl ClientBuilder {
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(SecretString::new(token));
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

    /// Turns TLS certificate verification (back) on, e.g. over `PHASE_VERIFY_SSL=false`.
    pub fn verify_tls(mut self) -> Self {
        self.transport.verify_tls = true;
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

    /// The largest response body accepted (default 64 MiB); a larger one fails the call with
    /// a `protocol` error instead of growing memory without bound.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.transport.max_response_bytes = limit;
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

    /// Caches `get` results in memory (see [`CachePolicy`]): reads within the TTL make no
    /// request, concurrent readers share one fetch, and an unreachable server is bridged
    /// with the last result for a while.
    pub fn cache(mut self, policy: CachePolicy) -> Self {
        self.cache = Some(policy);
        self
    }

    /// Keeps the server's answers (ciphertext only) in `dir` and serves them in `mode`: always
    /// ([`OfflineMode::Only`], no network) or when the server cannot be reached
    /// ([`OfflineMode::Fallback`]). Also set by `PHASE_OFFLINE_CACHE_DIR`, and `PHASE_OFFLINE=1`
    /// for offline mode.
    pub fn offline_cache(mut self, dir: impl Into<PathBuf>, mode: OfflineMode) -> Self {
        self.offline = Some((dir.into(), mode));
        self
    }

    /// Serves a stored answer of the offline cache younger than `max_age` at once on a cold
    /// read, and asks the server again in the background (see `recent.rs`). Needs the offline
    /// cache.
    pub fn offline_max_age(mut self, max_age: Duration) -> Self {
        self.offline_max_age = Some(max_age);
        self
    }

    /// The offline settings as plain values over what the environment said: a directory
    /// (fallback mode) and/or `offline` (offline mode, which needs a directory from somewhere).
    pub fn offline_settings(mut self, dir: Option<String>, offline: Option<bool>) -> Self {
        let from_env = self.offline.take();
        let only = offline.unwrap_or_else(|| {
            from_env
                .as_ref()
                .is_some_and(|(_, mode)| *mode == OfflineMode::Only)
        });
        let mode = if only {
            OfflineMode::Only
        } else {
            OfflineMode::Fallback
        };
        self.offline = match dir.map(PathBuf::from).or(from_env.map(|(dir, _)| dir)) {
            Some(dir) => Some((dir, mode)),
            // Refused in `build`, with a message saying what is missing.
            None if only => Some((PathBuf::new(), OfflineMode::Only)),
            None => None,
        };
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
            self.token = Some(SecretString::new(token));
        }
        if let Ok(host) = std::env::var("PHASE_HOST") {
            if !host.trim().is_empty() {
                self.host = host;
            }
        }
        if std::env::var("PHASE_VERIFY_SSL").is_ok_and(|v| v.trim().eq_ignore_ascii_case("false")) {
            self.transport.verify_tls = false;
        }
        if let Ok(dir) = std::env::var("PHASE_OFFLINE_CACHE_DIR") {
            if !dir.trim().is_empty() {
                self.offline = Some((dir.into(), OfflineMode::Fallback));
            }
        }
        if env_flag("PHASE_OFFLINE") {
            self.offline = Some(match self.offline.take() {
                Some((dir, _)) => (dir, OfflineMode::Only),
                // Refused in `build`, with a message saying what is missing.
                None => (PathBuf::new(), OfflineMode::Only),
            });
        }
        if env_flag("PHASE_DEBUG") {
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
        let token = Token::parse(token_text.expose())?;
        let stats = Arc::new(Stats::default());
        let transport = Transport::new(
            &self.host,
            token.authorization_header(),
            &self.transport,
            stats.clone(),
        )?;
        let offline = match self.offline {
            Some((dir, _)) if dir.as_os_str().is_empty() => {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "offline mode needs an offline cache directory (PHASE_OFFLINE_CACHE_DIR)",
                ));
            }
            Some((dir, mode)) => Some(OfflineCache::new(
                dir,
                &token.account_public_key().to_hex(),
                mode,
            )),
            None => None,
        };
        if self.offline_max_age.is_some() && offline.is_none() {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "`offline_max_age` needs an offline cache directory (`offline_cache_dir` or PHASE_OFFLINE_CACHE_DIR)",
            ));
        }
        Ok(Client {
            inner: Arc::new(Inner {
                token,
                transport,
                session_ttl: self.session_ttl,
                session: Mutex::new(None),
                memo: Memo::new(self.memo_capacity),
                stats,
                offline,
                cache_policy: self.cache,
                offline_max_age: self.offline_max_age,
                refreshing_offline: Default::default(),
                cache: Default::default(),
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
    stats: Arc<Stats>,
    offline: Option<OfflineCache>,
    cache_policy: Option<CachePolicy>,
    offline_max_age: Option<Duration>,
    /// Whether a background refresh of a young offline answer is under way (one at a time).
    refreshing_offline: std::sync::atomic::AtomicBool,
    cache: cache::ResultCache,
}

/// `1`, `true` or `yes` (any case) in the environment variable `name`.
fn env_flag(name: &str) -> bool {
    std::env::var(name)
        .is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
}

impl Client {
    /// A builder that starts from the environment, like every binding's constructor:
    /// `PHASE_SERVICE_TOKEN`, `PHASE_HOST`, `PHASE_VERIFY_SSL`, `PHASE_DEBUG`,
    /// `PHASE_OFFLINE_CACHE_DIR` and `PHASE_OFFLINE` (see [`ClientBuilder::from_env`]); what is
    /// set on the builder wins. `ClientBuilder::default()` ignores the environment.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default().from_env()
    }

    /// A client for Phase Cloud (or `PHASE_HOST`) with the given token.
    pub fn new(token: impl Into<String>) -> Result<Client> {
        Client::builder().token(token).build()
    }

    /// A client configured entirely from the environment (`PHASE_SERVICE_TOKEN`, `PHASE_HOST`,
    /// ...).
    pub fn from_env() -> Result<Client> {
        Client::builder().build()
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

    /// Runs one call within the retry policy's deadline, so that no call outlives it, however
    /// many requests, retries and waits it makes. A call that could not decrypt drops the
    /// session: its wrapped keys may be what was damaged, and keeping it would fail every call
    /// until the session expires.
    async fn bounded<T>(&self, call: impl Future<Output = Result<T>>) -> Result<T> {
        let deadline = self.inner.transport.deadline();
        let result = tokio::time::timeout(deadline, call)
            .await
            .unwrap_or_else(|_| {
                Err(Error::new(
                    ErrorCode::Timeout,
                    format!("the call did not finish within its {deadline:?} deadline"),
                ))
            });
        if result
            .as_ref()
            .is_err_and(|e| e.code() == ErrorCode::DecryptFailed)
        {
            self.refresh().await;
        }
        result
    }

    /// Drops the cached session and keys: the next call fetches them again.
    pub async fn refresh(&self) {
        *self.inner.session.lock().await = None;
        self.inner.cache.clear();
    }

    /// Whether this client serves everything from its offline cache.
    fn is_offline(&self) -> bool {
        self.inner
            .offline
            .as_ref()
            .is_some_and(|cache| cache.mode() == OfflineMode::Only)
    }

    /// The counters of this client (requests, retries, 429s, cache hits, decryption).
    pub fn stats(&self) -> StatsSnapshot {
        self.inner.stats.snapshot(self.inner.memo.misses())
    }

    /// The cached session, fetched when missing or older than the session TTL. A session the
    /// offline cache stood in with is not kept: the next call tries the server again.
    async fn session(&self, provenance: &Provenance) -> Result<Arc<Session>> {
        let mut slot = self.inner.session.lock().await;
        if let Some(session) = slot.as_ref().filter(|s| s.is_fresh(self.inner.session_ttl)) {
            return Ok(session.clone());
        }
        let own = Provenance::default();
        let body = self
            .send_cached(
                ApiRequest::get("/secrets/tokens/"),
                OfflineCache::session_file,
                &own,
            )
            .await?;
        let session = Arc::new(Session::from_body(&body, &self.inner.token)?);
        provenance.note(own.source());
        // In offline mode the stored session is the only one there will be: keep it rather than
        // read and unwrap it again on every call.
        if own.source() == Source::Network || self.is_offline() {
            *slot = Some(session.clone());
        }
        Ok(session)
    }

    /// The environments of one app that this token can read.
    pub async fn environments(&self, app: &AppRef) -> Result<Vec<EnvironmentInfo>> {
        self.bounded(async {
            let session = self.session(&Provenance::default()).await?;
            let app = select::select_app(&session.data.apps, app)?;
            let id = app.id.clone();
            Ok(self
                .apps()
                .await?
                .into_iter()
                .find(|a| a.id == id)
                .map(|a| a.environments)
                .unwrap_or_default())
        })
        .await
    }

    /// The apps and environments this token can read.
    pub async fn apps(&self) -> Result<Vec<AppInfo>> {
        self.bounded(async {
            let session = self.session(&Provenance::default()).await?;
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
        })
        .await
    }
}
