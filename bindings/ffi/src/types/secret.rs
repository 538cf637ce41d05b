//! A decrypted secret and the result of a `get`, as Swift receives them (the C API reads the
//! core's secrets in place, see `c::secrets`).

/// A decrypted secret. Its `Display` and `Debug` forms never show the value.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
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
    pub secret_type: String,
    /// `static` or `rotating`.
    pub lifecycle: String,
    pub app: String,
    pub env: String,
    /// Counted by the server from 1.
    pub version: Option<i64>,
    /// When the secret was created and last changed (ISO 8601, as the server writes them).
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
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
            created_at: secret.created_at,
            updated_at: secret.updated_at,
            is_dynamic: secret.is_dynamic,
            dynamic_group: secret.dynamic_group,
            lease_id: secret.lease_id,
            lease_expires_at: secret.lease_expires_at,
        }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
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
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
