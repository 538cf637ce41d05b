//! The uniffi face (Swift): `PhaseClient` with async throwing methods, records for options and
//! results, `PhaseError`, one case per error code, a `Watcher` object per watch, and the cloud
//! identity logins as free functions returning a `PhaseClient`. Futures run on the core's
//! process-wide runtime; dropping one (a cancelled Swift task) aborts the core's work.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use phasekit::ErrorCode;

use crate::types::{
    self, App, AwsLogin, AzureLogin, Change, ClientOptions, Environment, ErrorInfo, GetOptions,
    GetResult, LogRecord, NewSecret, Secret, SecretChanges, Stats, WatchOptions,
};

macro_rules! phase_error {
    ($($(#[$doc:meta])* $variant:ident => $code:ident,)*) => {
        /// Every failure of a phasekit call: one case per stable error code, each with the
        /// message (never a secret value), the HTTP status if any, how many seconds the server
        /// asked to wait (`retry_after`), and whether trying again later may succeed.
        #[derive(Debug, Clone, PartialEq, uniffi::Error)]
        pub enum PhaseError {
            $(
                $(#[$doc])*
                $variant {
                    message: String,
                    status: Option<u16>,
                    retry_after: Option<f64>,
                    retryable: bool,
                },
            )*
        }

        impl PhaseError {
            fn of(info: ErrorInfo, code: ErrorCode) -> Self {
                let ErrorInfo { message, status, retry_after, retryable, .. } = info;
                match code {
                    $(ErrorCode::$code => PhaseError::$variant { message, status, retry_after, retryable },)*
                    // A code newer than this binding: keep it in the message.
                    other => PhaseError::Protocol {
                        message: format!("{other}: {message}"),
                        status,
                        retry_after,
                        retryable,
                    },
                }
            }

            fn parts(&self) -> (ErrorCode, &str, Option<u16>, Option<f64>, bool) {
                match self {
                    $(PhaseError::$variant { message, status, retry_after, retryable } => {
                        (ErrorCode::$code, message, *status, *retry_after, *retryable)
                    })*
                }
            }
        }
    };
}

phase_error! {
    /// The token string is not a valid Phase token.
    InvalidToken => InvalidToken,
    /// The server rejected the credentials (unknown, expired or deleted token).
    Unauthorized => Unauthorized,
    /// The credentials lack the permission.
    Forbidden => Forbidden,
    AppNotFound => AppNotFound,
    EnvNotFound => EnvNotFound,
    SecretNotFound => SecretNotFound,
    /// A name matches several apps or environments equally well.
    Ambiguous => Ambiguous,
    /// A secret with the same key already exists at that path.
    Conflict => Conflict,
    InvalidInput => InvalidInput,
    /// HTTP 429; `retry_after` says when to come back.
    RateLimited => RateLimited,
    Network => Network,
    Timeout => Timeout,
    Tls => Tls,
    /// HTTP 5xx.
    Server => Server,
    /// The server's answer does not have the expected shape.
    Protocol => Protocol,
    DecryptFailed => DecryptFailed,
    ReferenceUnresolved => ReferenceUnresolved,
    ReferenceCycle => ReferenceCycle,
    OfflineUnavailable => OfflineUnavailable,
}

impl From<phasekit::Error> for PhaseError {
    fn from(err: phasekit::Error) -> Self {
        PhaseError::of(ErrorInfo::named(&err, phasekit::Naming::Camel), err.code())
    }
}

impl std::fmt::Display for PhaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (code, message, status, _, _) = self.parts();
        write!(f, "{code}: {message}")?;
        if let Some(status) = status {
            write!(f, " (HTTP {status})")?;
        }
        Ok(())
    }
}

impl std::error::Error for PhaseError {}

#[uniffi::export]
impl PhaseError {
    /// The stable code, e.g. `rate_limited`.
    pub fn code(&self) -> String {
        self.parts().0.as_str().to_owned()
    }

    pub fn message(&self) -> String {
        self.parts().1.to_owned()
    }

    /// The HTTP status of the response that caused the error, if any.
    pub fn status(&self) -> Option<u16> {
        self.parts().2
    }

    /// Seconds the server asked to wait before retrying.
    pub fn retry_after(&self) -> Option<f64> {
        self.parts().3
    }

    /// Whether the same call may succeed later.
    pub fn retryable(&self) -> bool {
        self.parts().4
    }
}

/// Every stable error code, in a fixed order.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect()
}

/// Takes the diagnostics the core logged since the last drain, oldest first: warnings always
/// (e.g. TLS verification turned off), one `info` record per request for clients created with
/// `debug`. Records are process-wide; Swift forwards them to `os.Logger` after its calls.
#[uniffi::export]
pub fn drain_logs() -> Vec<LogRecord> {
    types::drain_logs()
}

/// A core task on the process-wide runtime, aborted when its awaiting future is dropped.
struct Task<T>(tokio::task::JoinHandle<T>);

impl<T> Future for Task<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs a core future on the core's runtime, whatever executor awaits the result.
async fn run<T: Send + 'static>(
    work: impl Future<Output = phasekit::Result<T>> + Send + 'static,
) -> Result<T, PhaseError> {
    let runtime = phasekit::client::runtime()?;
    match Task(runtime.spawn(work)).await {
        Ok(answer) => answer.map_err(PhaseError::from),
        Err(failure) if failure.is_panic() => {
            Err(types::panic_error(&*failure.into_panic()).into())
        }
        Err(_) => Err(phasekit::Error::new(ErrorCode::Network, "the call was cancelled").into()),
    }
}

/// A Phase client. Thread-safe; every network method is async and throws `PhaseError`.
#[derive(uniffi::Object)]
pub struct PhaseClient {
    client: phasekit::Client,
}

fn app_ref(app: Option<String>, app_id: Option<String>) -> Result<phasekit::AppRef, PhaseError> {
    Ok(types::app_ref(app, app_id)?)
}

#[uniffi::export]
impl PhaseClient {
    /// A client with `token`; options not given come from the environment, else defaults.
    #[uniffi::constructor(default(options = None))]
    pub fn new(token: String, options: Option<ClientOptions>) -> Result<Arc<Self>, PhaseError> {
        PhaseClient::build(Some(token), options)
    }

    /// A client from `PHASE_SERVICE_TOKEN`, `PHASE_HOST`, `PHASE_VERIFY_SSL`, `PHASE_DEBUG`.
    #[uniffi::constructor(default(options = None))]
    pub fn from_env(options: Option<ClientOptions>) -> Result<Arc<Self>, PhaseError> {
        PhaseClient::build(None, options)
    }

    pub fn host(&self) -> String {
        self.client.host().to_owned()
    }

    /// The secrets of one environment, references resolved unless `options.raw`.
    #[uniffi::method(default(app = None, env = "Development", app_id = None, options = None))]
    pub async fn get(
        &self,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
        options: Option<GetOptions>,
    ) -> Result<Vec<Secret>, PhaseError> {
        let options = options.unwrap_or_default().core(app_ref(app, app_id)?, env);
        let client = self.client.clone();
        run(async move { client.get(&options).await.map(types::secrets) }).await
    }

    /// [`PhaseClient::get`], saying where the secrets came from: `network`, `memory` (the
    /// in-memory cache of `cache_ttl`), `stale` (that cache past its TTL, the server being
    /// unreachable) or `offline` (the offline cache).
    #[uniffi::method(default(app = None, env = "Development", app_id = None, options = None))]
    pub async fn get_result(
        &self,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
        options: Option<GetOptions>,
    ) -> Result<GetResult, PhaseError> {
        let options = options.unwrap_or_default().core(app_ref(app, app_id)?, env);
        let client = self.client.clone();
        run(async move { client.get_result(&options).await.map(GetResult::from) }).await
    }

    /// This client's counters: requests, retries, 429s, failures, cache hits and misses,
    /// answers served offline, fields decrypted and the time that took.
    pub fn stats(&self) -> Stats {
        self.client.stats().into()
    }

    /// Starts polling the secrets `options` selects (dynamic secrets excluded) every
    /// `watch.interval` seconds; `Watcher.next()` reports what was added, changed or removed.
    /// The first poll sets the baseline.
    #[uniffi::method(default(app = None, env = "Development", app_id = None, options = None, watch = None))]
    pub fn watch(
        &self,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
        options: Option<GetOptions>,
        watch: Option<WatchOptions>,
    ) -> Result<Arc<Watcher>, PhaseError> {
        let options = options.unwrap_or_default().core(app_ref(app, app_id)?, env);
        let policy = watch.unwrap_or_default().policy()?;
        let runtime = phasekit::client::runtime()?;
        // The core spawns the polling task on the runtime it is called in.
        let watch = {
            let _entered = runtime.enter();
            self.client.watch(options, policy)?
        };
        Ok(Arc::new(Watcher {
            watch: Arc::new(tokio::sync::Mutex::new(Some(watch))),
            closed: Arc::new(Closed::default()),
        }))
    }

    /// One secret by key (at `path`, the root by default).
    #[uniffi::method(default(app = None, env = "Development", app_id = None, path = "/"))]
    pub async fn get_secret(
        &self,
        key: String,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
        path: String,
    ) -> Result<Secret, PhaseError> {
        let app = app_ref(app, app_id)?;
        let client = self.client.clone();
        run(async move {
            let found = client.get_secret(app, &env, &key, Some(&path)).await?;
            Ok(Secret::from(found))
        })
        .await
    }

    #[uniffi::method(default(app = None, env = "Development", app_id = None))]
    pub async fn create(
        &self,
        secrets: Vec<NewSecret>,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
    ) -> Result<(), PhaseError> {
        let app = app_ref(app, app_id)?;
        let secrets: Vec<phasekit::NewSecret> = secrets.into_iter().map(Into::into).collect();
        let client = self.client.clone();
        run(async move { client.create(&app, &env, &secrets).await }).await
    }

    /// Changes only what `changes` gives.
    #[uniffi::method(default(app = None, env = "Development", app_id = None))]
    pub async fn update(
        &self,
        key: String,
        changes: SecretChanges,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
    ) -> Result<(), PhaseError> {
        let app = app_ref(app, app_id)?;
        let update = changes.core(key);
        let client = self.client.clone();
        run(async move { client.update(&app, &env, &update).await }).await
    }

    /// Deletes secrets by key; returns the keys that were not found.
    #[uniffi::method(default(app = None, env = "Development", app_id = None, path = None))]
    pub async fn delete(
        &self,
        keys: Vec<String>,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
        path: Option<String>,
    ) -> Result<Vec<String>, PhaseError> {
        let app = app_ref(app, app_id)?;
        let client = self.client.clone();
        run(async move { client.delete(&app, &env, &keys, path.as_deref()).await }).await
    }

    /// The apps and environments this token can read.
    pub async fn apps(&self) -> Result<Vec<App>, PhaseError> {
        let client = self.client.clone();
        run(async move { Ok(client.apps().await?.into_iter().map(App::from).collect()) }).await
    }

    #[uniffi::method(default(app = None, app_id = None))]
    pub async fn environments(
        &self,
        app: Option<String>,
        app_id: Option<String>,
    ) -> Result<Vec<Environment>, PhaseError> {
        let app = app_ref(app, app_id)?;
        let client = self.client.clone();
        run(async move {
            let envs = client.environments(&app).await?;
            Ok(envs.into_iter().map(Environment::from).collect())
        })
        .await
    }

    /// The secrets as `dotenv`, `json` or `yaml` text.
    #[uniffi::method(default(app = None, env = "Development", format = "dotenv", app_id = None, path = None))]
    pub async fn export(
        &self,
        app: Option<String>,
        env: String,
        format: String,
        app_id: Option<String>,
        path: Option<String>,
    ) -> Result<String, PhaseError> {
        let format: phasekit::ExportFormat = format.parse()?;
        let mut options = phasekit::GetOptions::new(app_ref(app, app_id)?, env);
        options.path = path;
        let client = self.client.clone();
        run(async move { Ok(client.export(&options, format).await?.to_string()) }).await
    }

    /// Creates a lease of a dynamic secret; its credentials, each with `lease_id` set.
    #[uniffi::method(default(app = None, env = "Development", app_id = None, ttl = None))]
    pub async fn lease_generate(
        &self,
        secret_id: String,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
        ttl: Option<u64>,
    ) -> Result<Vec<Secret>, PhaseError> {
        let app = app_ref(app, app_id)?;
        let client = self.client.clone();
        run(async move {
            let found = client.lease_generate(&app, &env, &secret_id, ttl).await?;
            Ok(types::secrets(found))
        })
        .await
    }

    /// Extends a lease to `ttl` seconds from now; the server's message.
    #[uniffi::method(default(app = None, env = "Development", app_id = None))]
    pub async fn lease_renew(
        &self,
        lease_id: String,
        ttl: u64,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
    ) -> Result<String, PhaseError> {
        let app = app_ref(app, app_id)?;
        let client = self.client.clone();
        run(async move {
            let answer = client.lease_renew(&app, &env, &lease_id, ttl).await?;
            Ok(answer.message)
        })
        .await
    }

    /// Revokes a lease; the server's message.
    #[uniffi::method(default(app = None, env = "Development", app_id = None))]
    pub async fn lease_revoke(
        &self,
        lease_id: String,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
    ) -> Result<String, PhaseError> {
        let app = app_ref(app, app_id)?;
        let client = self.client.clone();
        run(async move { Ok(client.lease_revoke(&app, &env, &lease_id).await?.message) }).await
    }

    /// Drops the cached session and keys: the next call fetches them again.
    pub async fn refresh(&self) -> Result<(), PhaseError> {
        let client = self.client.clone();
        run(async move {
            client.refresh().await;
            Ok(())
        })
        .await
    }

    /// Drops the cached session and keys (the client stays usable).
    pub async fn close(&self) -> Result<(), PhaseError> {
        self.refresh().await
    }
}

/// Set once by `Watcher::close`; wakes a `next` that is waiting.
#[derive(Default)]
struct Closed {
    flag: std::sync::atomic::AtomicBool,
    wake: tokio::sync::Notify,
}

impl Closed {
    fn is_set(&self) -> bool {
        self.flag.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn set(&self) {
        self.flag.store(true, std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    async fn wait(&self) {
        loop {
            let notified = self.wake.notified();
            // Checked after registering for the wake-up, so that a `set` in between is seen.
            if self.is_set() {
                return;
            }
            notified.await;
        }
    }
}

/// A running watch (`PhaseClient.watch`). Swift iterates it with `for try await change in
/// watcher.changes` (Sources/Phasekit/WatchSequence.swift) or calls `next()` until `nil`.
#[derive(uniffi::Object)]
pub struct Watcher {
    /// `None` once closed: dropping the core's watch stops its polling.
    watch: Arc<tokio::sync::Mutex<Option<phasekit::Watch>>>,
    closed: Arc<Closed>,
}

#[uniffi::export]
impl Watcher {
    /// The next change; throws the errors the watch meets (transient ones, after which polling
    /// goes on, and a last one after which it ends); `nil` once the watch has ended or is
    /// closed.
    pub async fn next(&self) -> Result<Option<Change>, PhaseError> {
        let (watch, closed) = (self.watch.clone(), self.closed.clone());
        run(async move {
            let item = tokio::select! {
                biased;
                () = closed.wait() => None,
                item = async {
                    match watch.lock().await.as_mut() {
                        Some(watch) => watch.next().await,
                        None => None,
                    }
                } => item,
            };
            if closed.is_set() {
                // `close` could not take the watch while this call held it.
                watch.lock().await.take();
                return Ok(None);
            }
            item.transpose().map(|change| change.map(Change::from))
        })
        .await
    }

    /// Stops polling at once; a pending and every later `next()` return `nil`. Idempotent.
    pub fn close(&self) {
        self.closed.set();
        // A `next` in progress holds the lock; it drops the watch itself when it sees `closed`.
        if let Ok(mut watch) = self.watch.try_lock() {
            watch.take();
        }
    }
}

/// Logs in with an AWS IAM identity (a SigV4-signed STS `GetCallerIdentity`, signed here and
/// checked by Phase) and returns a client for the minted service-account token. Credentials and
/// region not given come from the standard AWS sources (`AWS_ACCESS_KEY_ID`, ...,
/// `~/.aws/credentials`, `AWS_REGION`); the host and HTTP settings from `options`.
#[uniffi::export(default(
    access_key_id = None,
    secret_access_key = None,
    session_token = None,
    region = None,
    ttl = None,
    options = None
))]
pub async fn login_aws_iam(
    service_account_id: String,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    region: Option<String>,
    ttl: Option<i64>,
    options: Option<ClientOptions>,
) -> Result<Arc<PhaseClient>, PhaseError> {
    let provider = AwsLogin {
        access_key_id,
        secret_access_key,
        session_token,
        region,
        profile: None,
    }
    .provider();
    login(service_account_id, provider, ttl, options).await
}

/// Logs in with an Azure Entra ID identity and returns a client for the minted
/// service-account token. `jwt`: an Entra ID access token for `resource` (default
/// `https://management.azure.com/`); without it, workload identity from the environment
/// (`AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`).
#[uniffi::export(default(jwt = None, resource = None, ttl = None, options = None))]
pub async fn login_azure(
    service_account_id: String,
    jwt: Option<String>,
    resource: Option<String>,
    ttl: Option<i64>,
    options: Option<ClientOptions>,
) -> Result<Arc<PhaseClient>, PhaseError> {
    let provider = AzureLogin { jwt, resource }.provider();
    login(service_account_id, provider, ttl, options).await
}

async fn login(
    service_account_id: String,
    provider: phasekit::identity::Provider,
    ttl: Option<i64>,
    options: Option<ClientOptions>,
) -> Result<Arc<PhaseClient>, PhaseError> {
    let options = options.unwrap_or_default();
    let client = run(types::login(
        service_account_id,
        provider,
        ttl,
        options,
        "uniffi".to_owned(),
    ))
    .await?;
    Ok(Arc::new(PhaseClient { client }))
}

impl PhaseClient {
    fn build(
        token: Option<String>,
        options: Option<ClientOptions>,
    ) -> Result<Arc<Self>, PhaseError> {
        let client = options
            .unwrap_or_default()
            .build(token, "uniffi".to_owned())?;
        Ok(Arc::new(PhaseClient { client }))
    }
}
