//! create, update and delete through the E2E endpoint (PROTOCOL §4.4, §5.3), correct where the
//! official SDKs are not: an update changes only what it is given (an empty value is a value),
//! keeps comments and tags unless told otherwise, and finds the secret by its key digest
//! instead of downloading the environment.

use serde_json::{Map, Value, json};

use super::Client;
use super::select::AppRef;
use super::session::Session;
use super::sources::Provenance;
use crate::api::decode_json;
use crate::api::wire::SecretRecord;
use crate::error::{Error, ErrorCode, Result};
use crate::keyring::EnvironmentKeys;
use crate::token::TokenKind;
use crate::transport::ApiRequest;

/// A secret to create. `path` defaults to `/`.
#[derive(Debug, Clone, Default)]
pub struct NewSecret {
    pub key: String,
    pub value: String,
    pub comment: Option<String>,
    pub tags: Vec<String>,
    pub path: Option<String>,
    /// `secret` (default), `sealed` or `config`.
    pub secret_type: Option<String>,
    /// A personal override of the value (personal access tokens only), created active.
    pub override_value: Option<String>,
}

impl NewSecret {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        NewSecret {
            key: key.into(),
            value: value.into(),
            ..Default::default()
        }
    }
}

/// Changes to one secret, found by `key` (at `path`, or in any folder when `None`).
#[derive(Debug, Clone, Default)]
pub struct SecretUpdate {
    pub key: String,
    pub path: Option<String>,
    /// A new value; `Some("")` sets an empty value.
    pub value: Option<String>,
    pub comment: Option<String>,
    /// Replaces the tag set; `None` keeps the current tags.
    pub tags: Option<Vec<String>>,
    /// Moves the secret to another folder.
    pub new_path: Option<String>,
    pub secret_type: Option<String>,
    /// Sets the caller's personal override value (personal access tokens only).
    pub override_value: Option<String>,
    /// Flips the caller's existing personal override on or off.
    pub toggle_override: bool,
}

impl SecretUpdate {
    pub fn new(key: impl Into<String>) -> Self {
        SecretUpdate {
            key: key.into(),
            ..Default::default()
        }
    }
}

fn check_type(secret_type: &Option<String>) -> Result<()> {
    match secret_type.as_deref() {
        None | Some("secret" | "sealed" | "config") => Ok(()),
        Some(other) => Err(Error::new(
            ErrorCode::InvalidInput,
            format!("unknown secret type {other:?} (secret, sealed or config)"),
        )),
    }
}

fn check_key(key: &str) -> Result<()> {
    if key.trim().is_empty() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            "a secret key must not be empty",
        ));
    }
    Ok(())
}

fn encrypt(keys: &EnvironmentKeys, text: &str) -> Result<String> {
    Ok(keys.encrypt(text)?)
}

impl Client {
    /// One write to the E2E endpoint `/secrets/` of an environment: POST creates, PUT updates,
    /// DELETE deletes the `secrets` given.
    async fn write_secrets(
        &self,
        method: reqwest::Method,
        env_id: &str,
        secrets: Value,
    ) -> Result<()> {
        let body = json!({ "secrets": secrets });
        let request = ApiRequest::write(method, "/secrets/", body).header("environment", env_id);
        self.send(request).await?;
        Ok(())
    }

    fn require_personal_token(&self, what: &str) -> Result<()> {
        if self.inner.token.kind() != TokenKind::User {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!(
                    "{what} needs a personal access token (pss_user); service tokens have no personal overrides"
                ),
            ));
        }
        Ok(())
    }

    async fn environment(
        &self,
        app: &AppRef,
        env: &str,
    ) -> Result<(
        std::sync::Arc<Session>,
        String,
        std::sync::Arc<EnvironmentKeys>,
    )> {
        let session = self.session(&Provenance::default()).await?;
        let app_keys = super::select::select_app(&session.data.apps, app)?;
        let env_id = super::select::select_environment(app_keys, env)?
            .environment
            .id
            .clone();
        let keys = session.environment_keys(&env_id)?;
        Ok((session, env_id, keys))
    }

    /// Creates secrets in one request. Keys are stored exactly as given (not upper-cased), and
    /// their digests are computed over exactly what is encrypted.
    pub async fn create(&self, app: &AppRef, env: &str, secrets: &[NewSecret]) -> Result<()> {
        self.bounded(async {
            if secrets.is_empty() {
                return Ok(());
            }
            if secrets.iter().any(|s| s.override_value.is_some()) {
                self.require_personal_token("a personal override")?;
            }
            let (_, env_id, keys) = self.environment(app, env).await?;
            let mut items = Vec::with_capacity(secrets.len());
            for secret in secrets {
                check_key(&secret.key)?;
                check_type(&secret.secret_type)?;
                let mut item = Map::new();
                item.insert("key".into(), json!(encrypt(&keys, &secret.key)?));
                item.insert("value".into(), json!(encrypt(&keys, &secret.value)?));
                let comment = match secret.comment.as_deref() {
                    None | Some("") => String::new(),
                    Some(comment) => encrypt(&keys, comment)?,
                };
                item.insert("comment".into(), json!(comment));
                item.insert("keyDigest".into(), json!(keys.key_digest(&secret.key)));
                item.insert("path".into(), json!(secret.path.as_deref().unwrap_or("/")));
                item.insert("tags".into(), json!(secret.tags));
                if let Some(secret_type) = &secret.secret_type {
                    item.insert("type".into(), json!(secret_type));
                }
                if let Some(value) = &secret.override_value {
                    item.insert(
                        "override".into(),
                        json!({"value": encrypt(&keys, value)?, "isActive": true}),
                    );
                }
                items.push(Value::Object(item));
            }
            self.write_secrets(reqwest::Method::POST, &env_id, json!(items))
                .await
        })
        .await
    }

    /// Updates one secret. Only the fields given change.
    pub async fn update(&self, app: &AppRef, env: &str, update: &SecretUpdate) -> Result<()> {
        self.bounded(async {
            check_key(&update.key)?;
            check_type(&update.secret_type)?;
            if update.override_value.is_some() || update.toggle_override {
                self.require_personal_token("a personal override")?;
            }
            let (_, env_id, keys) = self.environment(app, env).await?;
            let record = self
                .find_one(&env_id, &keys, &update.key, update.path.as_deref())
                .await?;
            let mut item = Map::new();
            item.insert("id".into(), json!(record.id));
            if let Some(value) = &update.value {
                item.insert("value".into(), json!(encrypt(&keys, value)?));
            }
            if let Some(comment) = &update.comment {
                let comment = if comment.is_empty() {
                    String::new()
                } else {
                    encrypt(&keys, comment)?
                };
                item.insert("comment".into(), json!(comment));
            }
            // The endpoint replaces the tag set with what it is sent, so unchanged tags are echoed.
            item.insert(
                "tags".into(),
                json!(update.tags.as_ref().unwrap_or(&record.tags)),
            );
            if let Some(path) = &update.new_path {
                item.insert("path".into(), json!(path));
            }
            if let Some(secret_type) = &update.secret_type {
                item.insert("type".into(), json!(secret_type));
            }
            let existing = record.override_.as_ref();
            if let Some(value) = &update.override_value {
                let active = existing.is_none_or(|o| o.is_active) != update.toggle_override;
                item.insert(
                    "override".into(),
                    json!({"value": encrypt(&keys, value)?, "isActive": active}),
                );
            } else if update.toggle_override {
                let existing = existing.ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidInput,
                        format!(
                            "{} has no personal override to toggle; set one first",
                            update.key
                        ),
                    )
                })?;
                item.insert(
                    "override".into(),
                    json!({"value": existing.value, "isActive": !existing.is_active}),
                );
            }
            self.write_secrets(reqwest::Method::PUT, &env_id, json!([Value::Object(item)]))
                .await
        })
        .await
    }

    /// Deletes secrets by key (at `path`, or in any folder when `None`) and returns the keys
    /// that were not found. A key present in several folders without a `path` is ambiguous.
    pub async fn delete(
        &self,
        app: &AppRef,
        env: &str,
        keys_to_delete: &[String],
        path: Option<&str>,
    ) -> Result<Vec<String>> {
        self.bounded(async {
            if keys_to_delete.is_empty() {
                return Ok(Vec::new());
            }
            let (_, env_id, keys) = self.environment(app, env).await?;
            let mut ids = Vec::new();
            let mut not_found = Vec::new();
            for key in keys_to_delete {
                match self.find_one(&env_id, &keys, key, path).await {
                    Ok(record) => ids.push(record.id),
                    Err(err) if err.code() == ErrorCode::SecretNotFound => {
                        not_found.push(key.clone())
                    }
                    Err(err) => return Err(err),
                }
            }
            if !ids.is_empty() {
                self.write_secrets(reqwest::Method::DELETE, &env_id, json!(ids))
                    .await?;
            }
            Ok(not_found)
        })
        .await
    }

    /// The one record of `key` (by digest), at `path` or in exactly one folder.
    async fn find_one(
        &self,
        env_id: &str,
        keys: &EnvironmentKeys,
        key: &str,
        path: Option<&str>,
    ) -> Result<SecretRecord> {
        let mut request = ApiRequest::get("/secrets/")
            .header("environment", env_id)
            .header("keydigest", keys.key_digest(key));
        if let Some(path) = path {
            request = request.header("path", path);
        }
        let body = self.send(request).await?;
        let mut records: Vec<SecretRecord> = decode_json(&body, "GET /secrets/")?;
        // A digest match is confirmed by decrypting the name (digests are not secret-bound).
        records.retain(|r| keys.decrypt(&r.key).is_ok_and(|name| name.as_str() == key));
        match records.len() {
            0 => Err(Error::new(
                ErrorCode::SecretNotFound,
                format!(
                    "no secret {key:?}{}",
                    path.map(|p| format!(" at path {p}")).unwrap_or_default()
                ),
            )),
            1 => Ok(records.remove(0)),
            _ => {
                let paths: Vec<String> = records
                    .iter()
                    .map(|r| r.path.clone().unwrap_or_else(|| "/".into()))
                    .collect();
                Err(Error::new(
                    ErrorCode::Ambiguous,
                    format!(
                        "{key:?} exists in several folders ({}): give a path",
                        paths.join(", ")
                    ),
                ))
            }
        }
    }
}
