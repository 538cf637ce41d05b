//! Wire record -> [`Secret`] (the per-secret steps of PROTOCOL §5.2 step 6), strict where the
//! official SDKs are lax: a field that fails to decrypt is an error naming the secret id.

use super::Secret;
use crate::api::wire::SecretRecord;
use crate::error::{Error, Result};
use crate::keyring::EnvironmentKeys;

/// The names a decrypted secret is reported under.
#[derive(Debug, Clone, Copy)]
pub struct DecryptContext<'a> {
    pub keys: &'a EnvironmentKeys,
    pub app: &'a str,
    pub env: &'a str,
}

/// Decrypts key, effective value (the active personal override wins) and comment.
pub fn decrypt_record(record: &SecretRecord, cx: DecryptContext<'_>) -> Result<Secret> {
    let field = |name: &str, ciphertext: &str| {
        cx.keys.decrypt(ciphertext).map_err(|e| {
            Error::from(e).context(format_args!(
                "decrypting the {name} of secret {}",
                record.id
            ))
        })
    };
    let key = field("key", &record.key)?;
    let active_override = record.override_.as_ref().filter(|o| o.is_active);
    let value = match active_override {
        Some(personal) => field("personal override", &personal.value)?,
        None => field("value", &record.value)?,
    };
    let comment = match record.comment.as_deref() {
        None | Some("") => String::new(),
        Some(ciphertext) => field("comment", ciphertext)?.to_string(),
    };
    Ok(Secret {
        id: record.id.clone(),
        key: key.to_string(),
        value: value.into(),
        comment,
        path: record
            .path
            .clone()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "/".to_owned()),
        tags: record.tags.clone(),
        overridden: active_override.is_some(),
        secret_type: normalize_type(record.secret_type.as_deref()),
        lifecycle: record
            .lifecycle
            .clone()
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| "static".to_owned()),
        app: cx.app.to_owned(),
        env: cx.env.to_owned(),
        version: record.version,
        is_dynamic: false,
        dynamic_group: None,
    })
}

/// Older servers report `static` (or nothing) for ordinary secrets.
fn normalize_type(secret_type: Option<&str>) -> String {
    match secret_type {
        None | Some("") | Some("static") => "secret".to_owned(),
        Some(other) => other.to_owned(),
    }
}
