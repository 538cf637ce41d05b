//! Wire models of the E2E endpoints (PROTOCOL §4.3–4.4). Responses are snake_case by default and
//! camelCase with `X-Use-Camel-Case: true`; the aliases accept both. Unknown fields are ignored
//! so that newer servers keep working.

use serde::{Deserialize, Deserializer, Serialize};

/// `GET /service/secrets/tokens/`: the session bootstrap ("user data").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokensResponse {
    /// Hex of the second key share, encrypted with the token's wrap key.
    pub wrapped_key_share: String,
    /// Present for personal access tokens (the organisation member id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Present for service account tokens (the service account id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offline_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Organisation>,
    #[serde(default)]
    pub apps: Vec<AppKeys>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Organisation {
    pub id: String,
    pub name: String,
}

/// An app the account can read, with one entry per accessible environment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppKeys {
    pub id: String,
    pub name: String,
    /// `"E2E"` or `"SSE"` (legacy service tokens always see `"E2E"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<String>,
    #[serde(default)]
    pub environment_keys: Vec<EnvironmentKey>,
}

/// The environment's seed and salt, wrapped (`ph:v1`) to the account's public key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnvironmentKey {
    pub id: String,
    pub environment: Environment,
    #[serde(default)]
    pub paths: Option<String>,
    /// The environment's X25519 public key (hex).
    pub identity_key: String,
    pub wrapped_seed: String,
    pub wrapped_salt: String,
    #[serde(default, alias = "createdAt")]
    pub created_at: Option<String>,
    #[serde(default, alias = "updatedAt")]
    pub updated_at: Option<String>,
    #[serde(default, alias = "deletedAt")]
    pub deleted_at: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default, alias = "serviceAccount")]
    pub service_account: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Environment {
    pub id: String,
    pub name: String,
    /// `dev`, `staging`, `prod` or `custom` (some servers send upper case; treat as opaque).
    #[serde(default, alias = "envType")]
    pub env_type: Option<String>,
    #[serde(default)]
    pub index: Option<i64>,
    #[serde(default, alias = "createdAt")]
    pub created_at: Option<String>,
    #[serde(default, alias = "updatedAt")]
    pub updated_at: Option<String>,
}

/// One entry of `GET /service/secrets/`: a static secret, whose text fields are `ph:v1`
/// ciphertexts encrypted to the environment's public key (except an empty `comment`), or,
/// with `type: "dynamic"`, a dynamic secret (`name`, `provider`, `key_map`, `lease`). One type
/// for both keeps decoding a single pass over large listings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SecretRecord {
    pub id: String,
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The caller's personal override (only personal access tokens receive one).
    #[serde(default, rename = "override")]
    pub override_: Option<OverrideRecord>,
    /// `secret`, `sealed` or `config` (older servers: `static`).
    #[serde(default, rename = "type")]
    pub secret_type: Option<String>,
    /// `static` or `rotating`.
    #[serde(default)]
    pub lifecycle: Option<String>,
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default)]
    pub folder: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default, alias = "keyDigest")]
    pub key_digest: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default, alias = "createdAt")]
    pub created_at: Option<String>,
    #[serde(default, alias = "updatedAt")]
    pub updated_at: Option<String>,
    /// Dynamic secrets only (no `flatten`: it would buffer every record while decoding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, alias = "keyMap", skip_serializing_if = "Vec::is_empty")]
    pub key_map: Vec<KeyMapEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<LeaseRecord>,
}

impl SecretRecord {
    pub fn is_dynamic(&self) -> bool {
        self.secret_type.as_deref() == Some("dynamic")
    }
}

/// A credential name of a dynamic secret (`key_name` is a ciphertext on the E2E endpoint).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyMapEntry {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(alias = "keyName")]
    pub key_name: String,
    #[serde(default, alias = "keyDigest")]
    pub key_digest: Option<String>,
}

/// A lease of a dynamic secret with its generated credentials.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LeaseRecord {
    pub id: String,
    /// A duration string such as `01:00:00` (treated as opaque).
    #[serde(default)]
    pub ttl: Option<serde_json::Value>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, alias = "expiresAt")]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub credentials: Vec<Credential>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credential {
    pub key: String,
    pub value: String,
}

/// A personal override of a secret's value.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OverrideRecord {
    #[serde(default)]
    pub id: Option<String>,
    pub value: String,
    /// Some servers send the flag as the string `"true"`; both forms are accepted.
    #[serde(default, alias = "isActive", deserialize_with = "bool_or_string")]
    pub is_active: bool,
    #[serde(default, alias = "createdAt")]
    pub created_at: Option<String>,
    #[serde(default, alias = "updatedAt")]
    pub updated_at: Option<String>,
}

/// The body of every error response: `{"error": "<message>"}` (extra fields are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

fn bool_or_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    Ok(match Flag::deserialize(deserializer)? {
        Flag::Bool(flag) => flag,
        Flag::Text(text) => text.eq_ignore_ascii_case("true"),
    })
}
