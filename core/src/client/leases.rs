//! Dynamic-secret leases through the public API (`/service/public/v1/secrets/dynamic/…`), as the
//! Go SDK and the CLI do; these endpoints need an app with server-side encryption.

use serde::Deserialize;
use serde_json::json;

use super::Client;
use super::select::{AppRef, select_app, select_environment};
use super::sources::Provenance;
use crate::api::decode_json;
use crate::api::wire::SecretRecord;
use crate::error::{Error, ErrorCode, Result};
use crate::percent;
use crate::secrets::{Secret, plaintext_dynamic};
use crate::transport::ApiRequest;

/// The server's answer to a renew or revoke.
#[derive(Debug, Clone, Deserialize)]
pub struct LeaseMessage {
    pub message: String,
}

/// One lease of a dynamic secret, as the server lists it (its credentials left out).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Lease {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// The dynamic secret's id.
    #[serde(default, alias = "secret")]
    pub secret_id: String,
    /// `active`, `expired` or `revoked`.
    #[serde(default)]
    pub status: String,
    /// The time to live as the server writes it (e.g. `01:00:00`).
    #[serde(default)]
    pub ttl: Option<String>,
    #[serde(default, alias = "createdAt")]
    pub created_at: Option<String>,
    #[serde(default, alias = "renewedAt")]
    pub renewed_at: Option<String>,
    #[serde(default, alias = "expiresAt")]
    pub expires_at: Option<String>,
    #[serde(default, alias = "revokedAt")]
    pub revoked_at: Option<String>,
}

impl Client {
    /// `app_id=…&env=…` of the public API for a selected app and environment.
    async fn public_context(&self, app: &AppRef, env: &str) -> Result<(String, String, String)> {
        let session = self.session(&Provenance::default()).await?;
        let app = select_app(&session.data.apps, app)?;
        let env = select_environment(app, env)?;
        let query = format!(
            "app_id={}&env={}",
            percent::encode(&app.id),
            percent::encode(&env.environment.name)
        );
        Ok((query, app.name.clone(), env.environment.name.clone()))
    }

    /// Creates a lease of a dynamic secret and returns its credentials, one [`Secret`] each,
    /// with `lease_id` set.
    pub async fn lease_generate(
        &self,
        app: &AppRef,
        env: &str,
        secret_id: &str,
        ttl: Option<u64>,
    ) -> Result<Vec<Secret>> {
        self.bounded(async {
            let (query, app_name, env_name) = self.public_context(app, env).await?;
            let mut path = format!(
                "/public/v1/secrets/dynamic/?{query}&id={}&lease=true",
                percent::encode(secret_id)
            );
            if let Some(ttl) = ttl {
                path.push_str(&format!("&ttl={ttl}"));
            }
            let body = self.send(ApiRequest::get(&path).creating()).await?;
            let records: Vec<SecretRecord> = decode_json(&body, "GET /public/v1/secrets/dynamic/")?;
            let mut out = Vec::new();
            for record in &records {
                out.extend(plaintext_dynamic(record, &app_name, &env_name)?);
            }
            Ok(out)
        })
        .await
    }

    /// The caller's leases of one dynamic secret, newest first.
    pub async fn lease_list(&self, app: &AppRef, env: &str, secret_id: &str) -> Result<Vec<Lease>> {
        self.bounded(async {
            let (query, _, _) = self.public_context(app, env).await?;
            let path = format!(
                "/public/v1/secrets/dynamic/leases/?{query}&secret_id={}",
                percent::encode(secret_id)
            );
            let body = self.send(ApiRequest::get(&path)).await?;
            decode_json(&body, "GET /public/v1/secrets/dynamic/leases/")
        })
        .await
    }

    /// Extends a lease to `ttl` seconds from now (at least 1).
    pub async fn lease_renew(
        &self,
        app: &AppRef,
        env: &str,
        lease_id: &str,
        ttl: u64,
    ) -> Result<LeaseMessage> {
        if ttl == 0 {
            // Checked before any request: a renewal to now would end the lease.
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "`ttl` must be a positive number of seconds",
            ));
        }
        let body = json!({"lease_id": lease_id, "ttl": ttl});
        self.lease_request(reqwest::Method::PUT, app, env, body)
            .await
    }

    /// Revokes a lease (the provider's credentials are withdrawn).
    pub async fn lease_revoke(
        &self,
        app: &AppRef,
        env: &str,
        lease_id: &str,
    ) -> Result<LeaseMessage> {
        let body = json!({"lease_id": lease_id});
        self.lease_request(reqwest::Method::DELETE, app, env, body)
            .await
    }

    /// A write to the leases endpoint of `app`'s `env` (PUT renews, DELETE revokes).
    async fn lease_request(
        &self,
        method: reqwest::Method,
        app: &AppRef,
        env: &str,
        body: serde_json::Value,
    ) -> Result<LeaseMessage> {
        self.bounded(async {
            let (query, _, _) = self.public_context(app, env).await?;
            let path = format!("/public/v1/secrets/dynamic/leases/?{query}");
            let what = format!("{method} /public/v1/secrets/dynamic/leases/");
            let answer = self
                .inner
                .transport
                .send(ApiRequest::write(method, &path, body))
                .await?;
            decode_json(&answer, &what)
        })
        .await
    }
}
