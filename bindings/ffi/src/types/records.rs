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

phasekit::result_record!(Change => phasekit::host_record { #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)] });
phasekit::result_record!(Environment => phasekit::host_record { #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)] });
phasekit::result_record!(App => phasekit::host_record { #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)] });

// Written out rather than made by `phasekit::host_stats!`: cbindgen reads the C struct from this
// file and does not expand macros.
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
