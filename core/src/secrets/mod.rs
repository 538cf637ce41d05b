//! Secrets as users see them, and their decryption from the wire records.

mod decrypt;
mod memo;

pub use decrypt::{
    DecryptContext, decrypt_dynamic, decrypt_record, decrypt_records, plaintext_dynamic,
};
pub use memo::Memo;

use crate::secret_string::SecretString;

/// A decrypted secret. `value` is redacted in `Debug` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub id: String,
    pub key: String,
    /// The effective value: the caller's active personal override, else the shared value.
    pub value: SecretString,
    /// `""` when the secret has no comment.
    pub comment: String,
    /// The folder, `/` for the root.
    pub path: String,
    pub tags: Vec<String>,
    /// True when `value` comes from the caller's active personal override.
    pub overridden: bool,
    /// `secret`, `sealed` or `config`.
    pub secret_type: String,
    /// `static` or `rotating`.
    pub lifecycle: String,
    pub app: String,
    pub env: String,
    /// The secret's version, counted by the server from 1 (a personal override does not
    /// change it).
    pub version: Option<i64>,
    /// When the secret was created and last changed, as the server writes them (ISO 8601,
    /// e.g. `2026-12-04T21:39:47.521868Z`).
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub is_dynamic: bool,
    /// For dynamic secrets, the group they belong to, e.g. `db-creds (aws)`.
    pub dynamic_group: Option<String>,
    /// For dynamic secrets fetched with a lease: its id (to renew or revoke it) and expiry.
    pub lease_id: Option<String>,
    pub lease_expires_at: Option<String>,
}

#[cfg(test)]
impl Secret {
    /// A secret of the root folder with only a key and a value, for unit tests.
    pub(crate) fn for_test(key: &str, value: &str) -> Secret {
        Secret {
            id: String::new(),
            key: key.into(),
            value: SecretString::new(value),
            comment: String::new(),
            path: "/".into(),
            tags: vec![],
            overridden: false,
            secret_type: "secret".into(),
            lifecycle: "static".into(),
            app: String::new(),
            env: String::new(),
            version: None,
            created_at: None,
            updated_at: None,
            is_dynamic: false,
            dynamic_group: None,
            lease_id: None,
            lease_expires_at: None,
        }
    }
}
