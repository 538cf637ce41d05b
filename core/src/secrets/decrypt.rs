//! Wire record -> [`Secret`] (the per-secret steps of PROTOCOL §5.2 step 6), strict where the
//! official SDKs are lax: a field that fails to decrypt is an error naming the secret id.

use super::{Memo, Secret};
use crate::api::wire::SecretRecord;
use zeroize::Zeroizing;

use crate::SecretString;
use crate::error::{Error, ErrorCode, Result};
use crate::keyring::EnvironmentKeys;

/// The names a decrypted secret is reported under.
#[derive(Debug, Clone, Copy)]
pub struct DecryptContext<'a> {
    pub keys: &'a EnvironmentKeys,
    pub app: &'a str,
    pub env: &'a str,
    /// Plaintexts of ciphertexts seen before (none: decrypt everything).
    pub memo: Option<&'a Memo>,
}

impl DecryptContext<'_> {
    fn open(
        &self,
        ciphertext: &str,
    ) -> std::result::Result<Zeroizing<String>, crate::crypto::CryptoError> {
        let recipient = self.keys.public_key();
        if let Some(plain) = self.memo.and_then(|memo| memo.get(recipient, ciphertext)) {
            return Ok(plain);
        }
        let plain = self.keys.decrypt(ciphertext)?;
        if let Some(memo) = self.memo {
            memo.insert(recipient, ciphertext, &plain);
        }
        Ok(plain)
    }
}

/// Below this many records, decryption stays on the calling thread.
const PARALLEL_THRESHOLD: usize = 64;

/// Decrypts every record, in order; large environments are split across the available cores
/// (each field costs one X25519, so this is where a big `get` spends its time). The calling
/// thread decrypts the first part itself rather than waiting: one thread fewer to start per
/// `get`, and one malloc arena fewer holding its allocations afterwards.
pub fn decrypt_records(records: &[SecretRecord], cx: DecryptContext<'_>) -> Result<Vec<Secret>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let decrypt_part = |part: &[SecretRecord]| {
        part.iter()
            .map(|r| decrypt_record(r, cx))
            .collect::<Result<Vec<_>>>()
    };
    if records.len() < PARALLEL_THRESHOLD || threads == 1 {
        return decrypt_part(records);
    }
    let chunk = records.len().div_ceil(threads);
    let (first, rest) = records.split_at(chunk.min(records.len()));
    std::thread::scope(|scope| {
        let handles: Vec<_> = rest
            .chunks(chunk)
            .map(|part| scope.spawn(move || decrypt_part(part)))
            .collect();
        let mut out = Vec::with_capacity(records.len());
        out.extend(decrypt_part(first)?);
        for handle in handles {
            out.extend(handle.join().map_err(|_| {
                Error::new(ErrorCode::DecryptFailed, "a decryption thread failed")
            })??);
        }
        Ok(out)
    })
}

/// Decrypts key, effective value (the active personal override wins) and comment.
pub fn decrypt_record(record: &SecretRecord, cx: DecryptContext<'_>) -> Result<Secret> {
    if record.key.is_empty() {
        return Err(Error::new(
            ErrorCode::Protocol,
            format!("secret {} arrived without a key", record.id),
        ));
    }
    let field = |name: &str, ciphertext: &str| {
        cx.open(ciphertext).map_err(|e| {
            Error::from(e).context(format_args!(
                "decrypting the {name} of secret {}",
                record.id
            ))
        })
    };
    // Names and comments are not secret: their buffers move out instead of being copied.
    let key = std::mem::take(&mut *field("key", &record.key)?);
    let active_override = record.override_.as_ref().filter(|o| o.is_active);
    let value = match active_override {
        Some(personal) => field("personal override", &personal.value)?,
        None => field("value", &record.value)?,
    };
    let comment = match record.comment.as_deref() {
        None | Some("") => String::new(),
        Some(ciphertext) => std::mem::take(&mut *field("comment", ciphertext)?),
    };
    Ok(Secret {
        id: record.id.clone(),
        key,
        value: value.into(),
        comment,
        path: text_or(record.path.as_deref(), "/"),
        tags: record.tags.clone(),
        overridden: active_override.is_some(),
        secret_type: normalize_type(record.secret_type.as_deref()),
        lifecycle: text_or(record.lifecycle.as_deref(), "static"),
        app: cx.app.to_owned(),
        env: cx.env.to_owned(),
        version: record.version,
        created_at: record.created_at.clone(),
        updated_at: record.updated_at.clone(),
        is_dynamic: false,
        dynamic_group: None,
        lease_id: None,
        lease_expires_at: None,
    })
}

/// A dynamic secret becomes one [`Secret`] per credential name of its key map; the value is
/// the lease's credential of that name, or empty without a lease (as in the Go SDK).
pub fn decrypt_dynamic(record: &SecretRecord, cx: DecryptContext<'_>) -> Result<Vec<Secret>> {
    expand_dynamic(record, cx.app, cx.env, &|name, ciphertext| {
        cx.keys.decrypt(ciphertext).map_err(|e| {
            Error::from(e).context(format_args!(
                "decrypting the {name} of dynamic secret {}",
                record.id
            ))
        })
    })
}

/// [`decrypt_dynamic`] for the public API, whose key names and credentials are plaintext.
pub fn plaintext_dynamic(record: &SecretRecord, app: &str, env: &str) -> Result<Vec<Secret>> {
    expand_dynamic(record, app, env, &|_, text| {
        Ok(Zeroizing::new(text.to_owned()))
    })
}

type Open<'a> = dyn Fn(&str, &str) -> Result<Zeroizing<String>> + 'a;

fn expand_dynamic(
    record: &SecretRecord,
    app: &str,
    env: &str,
    open: &Open<'_>,
) -> Result<Vec<Secret>> {
    let mut credentials = Vec::new();
    if let Some(lease) = &record.lease {
        for credential in &lease.credentials {
            credentials.push((
                open("credential name", &credential.key)?,
                open("credential", &credential.value)?,
            ));
        }
    }
    let group = format!(
        "{} ({})",
        record.name.as_deref().unwrap_or("Dynamic secret"),
        record.provider.as_deref().unwrap_or("dynamic")
    );
    let mut out = Vec::with_capacity(record.key_map.len());
    for entry in &record.key_map {
        let key = open("key name", &entry.key_name)?;
        let value = credentials
            .iter()
            .find(|(name, _)| name.as_str() == key.as_str())
            .map(|(_, v)| v.to_string());
        out.push(Secret {
            id: record.id.clone(),
            key: key.to_string(),
            value: SecretString::new(value.unwrap_or_default()),
            comment: String::new(),
            path: record
                .path
                .clone()
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| "/".to_owned()),
            tags: Vec::new(),
            overridden: false,
            secret_type: "dynamic".to_owned(),
            lifecycle: "dynamic".to_owned(),
            app: app.to_owned(),
            env: env.to_owned(),
            version: None,
            created_at: record.created_at.clone(),
            updated_at: record.updated_at.clone(),
            is_dynamic: true,
            dynamic_group: Some(group.clone()),
            lease_id: record.lease.as_ref().map(|l| l.id.clone()),
            lease_expires_at: record.lease.as_ref().and_then(|l| l.expires_at.clone()),
        });
    }
    Ok(out)
}

/// An optional text field of a record, `default` when the server left it out or empty.
fn text_or(field: Option<&str>, default: &str) -> String {
    field
        .filter(|text| !text.is_empty())
        .unwrap_or(default)
        .to_owned()
}

/// Older servers report `static` (or nothing) for ordinary secrets.
fn normalize_type(secret_type: Option<&str>) -> String {
    match secret_type {
        None | Some("") | Some("static") => "secret".to_owned(),
        Some(other) => other.to_owned(),
    }
}
