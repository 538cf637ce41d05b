//! Writes (`NewSecret`, `SecretChanges`) and the answers that carry no secret value: apps,
//! environments, counters, a watch's changes.

/// A secret to create; `path` defaults to `/`, `secret_type` to `secret`.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewSecret {
    pub key: String,
    pub value: String,
    #[uniffi(default)]
    pub comment: Option<String>,
    #[uniffi(default)]
    pub tags: Vec<String>,
    #[uniffi(default)]
    pub path: Option<String>,
    /// `secret`, `sealed` or `config`.
    #[uniffi(default)]
    pub secret_type: Option<String>,
    /// A personal override (personal access tokens only).
    #[uniffi(default)]
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
#[derive(Debug, Default, Clone, uniffi::Record)]
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
    pub secret_type: Option<String>,
    /// Sets the caller's personal override (personal access tokens only).
    #[uniffi(default)]
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

/// A client's counters (no names, no values). A C struct too (`PhasekitStats`), which
/// `phasekit_stats` returns.
#[repr(C)]
#[derive(Debug, Default, Clone, PartialEq, uniffi::Record)]
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
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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

/// An environment the token can read.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
