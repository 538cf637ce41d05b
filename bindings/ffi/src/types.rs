//! The values both faces exchange with their host language, each declared once: uniffi records
//! for Swift, and the same structs (de)serialized as the JSON the C API carries for Go. They
//! only translate to and from the core's types.

use std::time::Duration;

use phasekit::identity::Provider;
use phasekit::{AppRef, ErrorCode};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// `app` (a name) or `app_id`; the id wins.
pub fn app_ref(app: Option<String>, app_id: Option<String>) -> phasekit::Result<AppRef> {
    AppRef::from_parts(app, app_id)
}

macro_rules! ffi_client_options {
    ({} $( $(#[doc = $doc:literal])* $name:ident : $ty:ty => $kind:ident ),* $(,)?) => {
        /// Client settings (a record in Swift; Go sends the same names as JSON), declared once
        /// by the core's `client_settings!`. `None` means the environment's value (`PHASE_HOST`,
        /// ...), else the default.
        #[derive(Debug, Default, Clone, Deserialize, uniffi::Record)]
        #[serde(default, deny_unknown_fields)]
        pub struct ClientOptions {
            $( $(#[doc = $doc])* #[uniffi(default)] pub $name: $ty, )*
        }

        impl ClientOptions {
            /// The core's options: these settings, the token and the binding's name.
            fn core(self, token: Option<String>, binding: String) -> phasekit::ClientOptions {
                phasekit::ClientOptions {
                    token,
                    $( $name: self.$name, )*
                    user_agent_suffix: Some(binding),
                }
            }
        }
    };
}

phasekit::client_settings!(ffi_client_options);

impl ClientOptions {
    /// A core client; `token: None` reads `PHASE_SERVICE_TOKEN`.
    pub fn build(
        self,
        token: Option<String>,
        binding: String,
    ) -> phasekit::Result<phasekit::Client> {
        // Collection starts before the first client is built, so that what building logs (the
        // warning of `verify_ssl: false`) is already kept for the host's logger. Installing the
        // collector at load time instead would claim the process's global `tracing` subscriber
        // from programs that never create a client.
        phasekit::logs::collect();
        self.core(token, binding).build()
    }
}

/// What `get` selects. `path: None` means every folder; `lease` implies `dynamic`.
#[derive(Debug, Default, Clone, Deserialize, uniffi::Record)]
#[serde(default, deny_unknown_fields)]
pub struct GetOptions {
    #[uniffi(default)]
    pub path: Option<String>,
    /// Only these keys (all when `None`).
    #[uniffi(default)]
    pub keys: Option<Vec<String>>,
    #[uniffi(default)]
    pub tag: Option<String>,
    /// Values as stored, `${...}` references left as written.
    #[uniffi(default)]
    pub raw: bool,
    /// An unresolvable reference is an error instead of being kept as written.
    #[uniffi(default)]
    pub strict: bool,
    /// Include dynamic secrets.
    #[uniffi(default)]
    pub dynamic: bool,
    /// Create a lease for each dynamic secret and return its credentials.
    #[uniffi(default)]
    pub lease: bool,
    /// Lease time to live in seconds.
    #[uniffi(default)]
    pub lease_ttl: Option<u64>,
}

impl GetOptions {
    pub fn core(self, app: AppRef, env: String) -> phasekit::GetOptions {
        let mut options = phasekit::GetOptions::new(app, env)
            .raw(self.raw)
            .strict_references(self.strict);
        options.path = self.path;
        options.keys = self.keys.unwrap_or_default();
        options.tag = self.tag;
        if self.dynamic || self.lease {
            options = options.dynamic(self.lease, self.lease_ttl);
        }
        options
    }
}

/// A secret to create; `path` defaults to `/`, `secret_type` to `secret`.
#[derive(Debug, Clone, Deserialize, uniffi::Record)]
#[serde(deny_unknown_fields)]
pub struct NewSecret {
    pub key: String,
    pub value: String,
    #[uniffi(default)]
    #[serde(default)]
    pub comment: Option<String>,
    #[uniffi(default)]
    #[serde(default)]
    pub tags: Vec<String>,
    #[uniffi(default)]
    #[serde(default)]
    pub path: Option<String>,
    /// `secret`, `sealed` or `config`.
    #[uniffi(default)]
    #[serde(default, rename = "type")]
    pub secret_type: Option<String>,
    /// A personal override (personal access tokens only).
    #[uniffi(default)]
    #[serde(default, rename = "override")]
    pub override_value: Option<String>,
}

impl From<NewSecret> for phasekit::NewSecret {
    fn from(secret: NewSecret) -> Self {
        phasekit::NewSecret {
            key: secret.key,
            value: secret.value,
            comment: secret.comment,
            tags: secret.tags,
            path: secret.path,
            secret_type: secret.secret_type,
            override_value: secret.override_value,
        }
    }
}

/// Changes to one secret: only what is given changes (`value: Some("")` sets an empty value,
/// `tags: None` keeps the tags).
#[derive(Debug, Default, Clone, Deserialize, uniffi::Record)]
#[serde(default, deny_unknown_fields)]
pub struct SecretChanges {
    /// Where the secret is (any folder when `None`).
    #[uniffi(default)]
    pub path: Option<String>,
    #[uniffi(default)]
    pub value: Option<String>,
    #[uniffi(default)]
    pub comment: Option<String>,
    #[uniffi(default)]
    pub tags: Option<Vec<String>>,
    /// Moves the secret to another folder.
    #[uniffi(default)]
    pub new_path: Option<String>,
    #[uniffi(default)]
    #[serde(rename = "type")]
    pub secret_type: Option<String>,
    /// Sets the caller's personal override (personal access tokens only).
    #[uniffi(default)]
    #[serde(rename = "override")]
    pub override_value: Option<String>,
    /// Flips the caller's personal override on or off.
    #[uniffi(default)]
    pub toggle_override: bool,
}

impl SecretChanges {
    pub fn core(self, key: String) -> phasekit::SecretUpdate {
        phasekit::SecretUpdate {
            key,
            path: self.path,
            value: self.value,
            comment: self.comment,
            tags: self.tags,
            new_path: self.new_path,
            secret_type: self.secret_type,
            override_value: self.override_value,
            toggle_override: self.toggle_override,
        }
    }
}

/// A decrypted secret. Its `Display` and `Debug` forms never show the value.
#[derive(Clone, PartialEq, Eq, Serialize, uniffi::Record)]
#[uniffi::export(Display, Debug)]
pub struct Secret {
    pub id: String,
    pub key: String,
    /// The plaintext (the caller's active personal override, if any).
    pub value: String,
    pub comment: String,
    pub path: String,
    pub tags: Vec<String>,
    pub overridden: bool,
    /// `secret`, `sealed` or `config`.
    #[serde(rename = "type")]
    pub secret_type: String,
    /// `static` or `rotating`.
    pub lifecycle: String,
    pub app: String,
    pub env: String,
    pub version: Option<i64>,
    pub is_dynamic: bool,
    pub dynamic_group: Option<String>,
    pub lease_id: Option<String>,
    pub lease_expires_at: Option<String>,
}

impl From<phasekit::Secret> for Secret {
    fn from(secret: phasekit::Secret) -> Self {
        Secret {
            value: secret.value.expose().to_owned(),
            id: secret.id,
            key: secret.key,
            comment: secret.comment,
            path: secret.path,
            tags: secret.tags,
            overridden: secret.overridden,
            secret_type: secret.secret_type,
            lifecycle: secret.lifecycle,
            app: secret.app,
            env: secret.env,
            version: secret.version,
            is_dynamic: secret.is_dynamic,
            dynamic_group: secret.dynamic_group,
            lease_id: secret.lease_id,
            lease_expires_at: secret.lease_expires_at,
        }
    }
}

impl Zeroize for Secret {
    fn zeroize(&mut self) {
        self.value.zeroize();
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Secret(key={:?}, path={:?}, app={:?}, env={:?}, value=<redacted>)",
            self.key, self.path, self.app, self.env
        )
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

pub fn secrets(found: Vec<phasekit::Secret>) -> Vec<Secret> {
    found.into_iter().map(Secret::from).collect()
}

/// Where the secrets of a result came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, uniffi::Enum)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Fetched from the server by this call.
    Network,
    /// The in-memory cache, within its TTL.
    Memory,
    /// The in-memory cache past its TTL, because the server could not be reached.
    Stale,
    /// The offline cache on disk (offline mode, or the server could not be reached).
    Offline,
}

impl From<phasekit::Source> for Source {
    fn from(source: phasekit::Source) -> Self {
        // Exhaustive on purpose: a new source in the core must be named here, not guessed.
        match source {
            phasekit::Source::Network => Source::Network,
            phasekit::Source::Memory => Source::Memory,
            phasekit::Source::Stale => Source::Stale,
            phasekit::Source::Offline => Source::Offline,
        }
    }
}

/// The secrets of a `get` and where they came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct GetResult {
    pub secrets: Vec<Secret>,
    pub source: Source,
}

impl From<phasekit::GetResult> for GetResult {
    fn from(result: phasekit::GetResult) -> Self {
        GetResult {
            secrets: secrets(result.secrets),
            source: result.source.into(),
        }
    }
}

impl Zeroize for GetResult {
    fn zeroize(&mut self) {
        self.secrets.iter_mut().for_each(Zeroize::zeroize);
    }
}

/// A client's counters (no names, no values).
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct Stats {
    /// HTTP requests sent (each attempt counts).
    pub requests: u64,
    /// Attempts that were retries of a failed one.
    pub retries: u64,
    /// Answers with status 429.
    pub rate_limited: u64,
    /// Attempts that failed (any error, before retries).
    pub failures: u64,
    /// Reads answered by the in-memory cache.
    pub cache_hits: u64,
    /// Reads the in-memory cache had to fetch for.
    pub cache_misses: u64,
    /// Answers served from the offline cache.
    pub offline_served: u64,
    /// Fields decrypted (a field seen before costs nothing).
    pub decrypted_fields: u64,
    /// Seconds spent decrypting.
    pub decrypt_time: f64,
}

impl From<phasekit::StatsSnapshot> for Stats {
    fn from(stats: phasekit::StatsSnapshot) -> Self {
        Stats {
            requests: stats.requests,
            retries: stats.retries,
            rate_limited: stats.rate_limited,
            failures: stats.failures,
            cache_hits: stats.cache_hits,
            cache_misses: stats.cache_misses,
            offline_served: stats.offline_served,
            decrypted_fields: stats.decrypted_fields,
            decrypt_time: stats.decrypt_time.as_secs_f64(),
        }
    }
}

/// What changed between two polls of a watch: keys, prefixed with their folder outside the
/// root (`/db/PASSWORD`), each list sorted. Never values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct Change {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

impl From<phasekit::Change> for Change {
    fn from(change: phasekit::Change) -> Self {
        Change {
            added: change.added,
            changed: change.changed,
            removed: change.removed,
        }
    }
}

/// How often a watch polls; absent fields take the core's defaults (30 s, 300 s).
#[derive(Debug, Default, Clone, Deserialize, uniffi::Record)]
#[serde(default, deny_unknown_fields)]
pub struct WatchOptions {
    /// Seconds between polls (each jittered by ±10%).
    #[uniffi(default)]
    pub interval: Option<f64>,
    /// The longest wait in seconds between polls while the server cannot be reached (the
    /// interval doubles after each failure up to this).
    #[uniffi(default)]
    pub max_backoff: Option<f64>,
}

impl WatchOptions {
    pub fn policy(&self) -> phasekit::Result<phasekit::WatchPolicy> {
        let defaults = phasekit::WatchPolicy::default();
        Ok(phasekit::WatchPolicy {
            interval: optional_seconds("interval", self.interval)?.unwrap_or(defaults.interval),
            max_backoff: optional_seconds("max_backoff", self.max_backoff)?
                .unwrap_or(defaults.max_backoff),
        })
    }
}

/// A host's number of seconds as a duration: positive and finite, or an error naming the field.
fn optional_seconds(name: &str, value: Option<f64>) -> phasekit::Result<Option<Duration>> {
    value
        .map(|seconds| match Duration::try_from_secs_f64(seconds) {
            Ok(duration) if !duration.is_zero() => Ok(duration),
            _ => Err(phasekit::Error::new(
                ErrorCode::InvalidInput,
                format!("{name} must be a positive number of seconds"),
            )),
        })
        .transpose()
}

/// AWS IAM login settings as plain values; absent ones come from the standard AWS sources
/// (`AWS_ACCESS_KEY_ID`, ..., the shared files, `AWS_REGION`).
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AwsLogin {
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
}

impl AwsLogin {
    pub fn provider(self) -> Provider {
        let mut iam = phasekit::identity::AwsIam::default();
        if self.access_key_id.is_some() || self.secret_access_key.is_some() {
            // Half a key pair is passed on as it is, for the core to refuse by name.
            iam.credentials = Some(phasekit::identity::AwsCredentials::new(
                self.access_key_id.unwrap_or_default(),
                self.secret_access_key.unwrap_or_default(),
                self.session_token,
            ));
        }
        iam.region = self.region;
        iam.profile = self.profile;
        Provider::AwsIam(iam)
    }
}

/// Azure Entra ID login settings as plain values; without `jwt`, workload identity from the
/// environment (`AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`).
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AzureLogin {
    pub jwt: Option<String>,
    pub resource: Option<String>,
}

impl AzureLogin {
    pub fn provider(self) -> Provider {
        Provider::AzureEntra(phasekit::identity::AzureEntra {
            jwt: self.jwt.map(phasekit::SecretString::new),
            resource: self.resource,
            ..phasekit::identity::AzureEntra::default()
        })
    }
}

/// Logs in with a cloud identity and returns a client for the minted token, which never leaves
/// Rust. `options` are the client's settings; the host and the HTTP settings also apply to the
/// login request itself.
pub async fn login(
    service_account_id: String,
    provider: Provider,
    ttl: Option<i64>,
    options: ClientOptions,
    binding: String,
) -> phasekit::Result<phasekit::Client> {
    // Before the login, so that its warnings (e.g. `verify_ssl: false`) reach the host.
    phasekit::logs::collect();
    let client = options.core(None, binding);
    let login_options =
        phasekit::identity::LoginOptions::for_client(service_account_id, provider, ttl, &client);
    phasekit::identity::login(&login_options)
        .await?
        .client_with(client)
}

/// An environment the token can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct Environment {
    pub id: String,
    pub name: String,
    pub env_type: String,
}

impl From<phasekit::EnvironmentInfo> for Environment {
    fn from(env: phasekit::EnvironmentInfo) -> Self {
        Environment {
            id: env.id,
            name: env.name,
            env_type: env.env_type,
        }
    }
}

/// An app the token can read, with its environments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct App {
    pub id: String,
    pub name: String,
    /// `E2E` or `SSE`.
    pub encryption: String,
    pub environments: Vec<Environment>,
}

impl From<phasekit::AppInfo> for App {
    fn from(app: phasekit::AppInfo) -> Self {
        App {
            id: app.id,
            name: app.name,
            encryption: app.encryption,
            environments: app.environments.into_iter().map(Into::into).collect(),
        }
    }
}

/// The fields every error carries in every language.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub message: String,
    pub status: Option<u16>,
    /// Seconds.
    pub retry_after: Option<f64>,
    pub retryable: bool,
}

impl ErrorInfo {
    /// The error with the names in its message spelled as the host language spells them.
    pub fn named(err: &phasekit::Error, naming: phasekit::Naming) -> Self {
        ErrorInfo {
            code: err.code().as_str(),
            message: naming.render(err.message()),
            status: err.status(),
            retry_after: err.retry_after().map(|d| d.as_secs_f64()),
            retryable: err.retryable(),
        }
    }
}

/// One diagnostic of the core, for the host language to re-emit through its own logging (Go's
/// `log/slog`, Swift's `os.Logger`): a warning (e.g. TLS verification turned off) or, for a
/// client with `debug`, one line per request (method, path, outcome). Never a header, a body, a
/// secret value or a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct LogRecord {
    /// `error`, `warn` or `info`.
    pub level: String,
    /// The module that logged it, e.g. `phasekit::transport`.
    pub target: String,
    /// The message followed by its fields, e.g. `phase request method=GET path=/secrets/ ...`.
    pub message: String,
}

impl From<phasekit::logs::LogRecord> for LogRecord {
    fn from(record: phasekit::logs::LogRecord) -> Self {
        LogRecord {
            level: record.level.as_str().to_owned(),
            target: record.target,
            message: record.message,
        }
    }
}

/// Every record collected since the last drain, oldest first (empty before the first client).
pub fn drain_logs() -> Vec<LogRecord> {
    phasekit::logs::drain()
        .into_iter()
        .map(LogRecord::from)
        .collect()
}

/// A panic in the library, reported as an error instead of unwinding into the caller.
pub fn panic_error(payload: &(dyn std::any::Any + Send)) -> phasekit::Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    phasekit::Error::new(
        ErrorCode::Protocol,
        format!("internal error in phasekit (please report): {what}"),
    )
}
