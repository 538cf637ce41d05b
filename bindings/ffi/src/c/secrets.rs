//! The secrets of an answer, read by the host in place: each field of the core's `Secret` as a
//! field of a C struct (named, not by position), pointing into the core's values.

use super::memory::{PhasekitOwned, PhasekitStr, PhasekitStrs, items, own};

/// `PhasekitSecrets.source`: fetched from the server by this call.
pub const PHASEKIT_SOURCE_NETWORK: u8 = 0;
/// `PhasekitSecrets.source`: the in-memory cache, within its TTL.
pub const PHASEKIT_SOURCE_MEMORY: u8 = 1;
/// `PhasekitSecrets.source`: the in-memory cache past its TTL (the server unreachable).
pub const PHASEKIT_SOURCE_STALE: u8 = 2;
/// `PhasekitSecrets.source`: the offline cache.
pub const PHASEKIT_SOURCE_OFFLINE: u8 = 3;

/// A decrypted secret. Optional texts are absent (NULL `ptr`) when the server sent none.
#[repr(C)]
pub struct PhasekitSecret {
    pub id: PhasekitStr,
    pub key: PhasekitStr,
    /// The plaintext: the caller's active personal override, else the shared value.
    pub value: PhasekitStr,
    pub comment: PhasekitStr,
    /// The folder, `/` for the root.
    pub path: PhasekitStr,
    pub tags: PhasekitStrs,
    pub overridden: bool,
    /// `secret`, `sealed` or `config`.
    pub secret_type: PhasekitStr,
    /// `static` or `rotating`.
    pub lifecycle: PhasekitStr,
    pub app: PhasekitStr,
    pub env: PhasekitStr,
    /// Whether `version` was sent; versions count from 1.
    pub has_version: bool,
    pub version: i64,
    /// ISO 8601, as the server writes them.
    pub created_at: PhasekitStr,
    pub updated_at: PhasekitStr,
    pub is_dynamic: bool,
    pub dynamic_group: PhasekitStr,
    pub lease_id: PhasekitStr,
    pub lease_expires_at: PhasekitStr,
}

/// The secrets of `get`, `get_result`, `get_secret` (one) and `lease_generate`, with where they
/// came from (`PHASEKIT_SOURCE_*`; `network` for all but `get_result`). Free with
/// `phasekit_owned_free(owner)`, which wipes the values.
#[repr(C)]
pub struct PhasekitSecrets {
    pub items: *const PhasekitSecret,
    pub len: usize,
    pub source: u8,
    pub owner: *mut PhasekitOwned,
}

impl PhasekitSecrets {
    /// Views of `secrets`, which the answer keeps until it is freed.
    pub(crate) fn of(secrets: Vec<phasekit::Secret>, source: phasekit::Source) -> Self {
        let tags: Vec<Vec<PhasekitStr>> = secrets
            .iter()
            .map(|s| s.tags.iter().map(|t| PhasekitStr::of(t)).collect())
            .collect();
        let views: Vec<PhasekitSecret> = secrets.iter().zip(&tags).map(view).collect();
        PhasekitSecrets {
            items: items(&views),
            len: views.len(),
            source: source_code(source),
            // The views point into `secrets` and `tags`, whose buffers do not move with them.
            owner: own((secrets, tags, views)),
        }
    }
}

fn source_code(source: phasekit::Source) -> u8 {
    // Exhaustive on purpose: a new source in the core must be named here, not guessed.
    match source {
        phasekit::Source::Network => PHASEKIT_SOURCE_NETWORK,
        phasekit::Source::Memory => PHASEKIT_SOURCE_MEMORY,
        phasekit::Source::Stale => PHASEKIT_SOURCE_STALE,
        phasekit::Source::Offline => PHASEKIT_SOURCE_OFFLINE,
    }
}

fn view((secret, tags): (&phasekit::Secret, &Vec<PhasekitStr>)) -> PhasekitSecret {
    PhasekitSecret {
        id: PhasekitStr::of(&secret.id),
        key: PhasekitStr::of(&secret.key),
        value: PhasekitStr::of(secret.value.expose()),
        comment: PhasekitStr::of(&secret.comment),
        path: PhasekitStr::of(&secret.path),
        tags: PhasekitStrs::of(tags),
        overridden: secret.overridden,
        secret_type: PhasekitStr::of(&secret.secret_type),
        lifecycle: PhasekitStr::of(&secret.lifecycle),
        app: PhasekitStr::of(&secret.app),
        env: PhasekitStr::of(&secret.env),
        has_version: secret.version.is_some(),
        version: secret.version.unwrap_or(0),
        created_at: PhasekitStr::of_optional(secret.created_at.as_deref()),
        updated_at: PhasekitStr::of_optional(secret.updated_at.as_deref()),
        is_dynamic: secret.is_dynamic,
        dynamic_group: PhasekitStr::of_optional(secret.dynamic_group.as_deref()),
        lease_id: PhasekitStr::of_optional(secret.lease_id.as_deref()),
        lease_expires_at: PhasekitStr::of_optional(secret.lease_expires_at.as_deref()),
    }
}

/// The answer of `phasekit_get`: the secrets and where they came from.
pub(crate) fn with_source(found: phasekit::GetResult) -> PhasekitSecrets {
    PhasekitSecrets::of(found.secrets, found.source)
}

/// The answer of `phasekit_get_secret`: a list of one.
pub(crate) fn one_secret(found: phasekit::Secret) -> PhasekitSecrets {
    PhasekitSecrets::of(vec![found], phasekit::Source::Network)
}

/// Secrets this call fetched from the server (`phasekit_lease_generate`).
pub(crate) fn fetched(found: Vec<phasekit::Secret>) -> PhasekitSecrets {
    PhasekitSecrets::of(found, phasekit::Source::Network)
}
