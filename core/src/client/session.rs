//! The session: `/service/secrets/tokens/` fetched once and kept for a configurable time, the
//! account key rebuilt once, and each environment's keys derived once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::api::decode_json;
use crate::api::wire::TokensResponse;
use crate::error::Result;
use crate::keyring::{AccountKey, EnvironmentKeys};
use crate::token::Token;

#[derive(Debug)]
pub struct Session {
    pub data: TokensResponse,
    pub account: AccountKey,
    fetched_at: Instant,
    environments: std::sync::Mutex<HashMap<String, Arc<EnvironmentKeys>>>,
}

impl Session {
    /// The session of an answer of `GET /secrets/tokens/`.
    pub fn from_body(body: &[u8], token: &Token) -> Result<Session> {
        let data: TokensResponse = decode_json(body, "GET /secrets/tokens/")?;
        let account = AccountKey::reconstruct(token, &data.wrapped_key_share)
            .map_err(|e| e.context("GET /secrets/tokens/"))?;
        Ok(Session {
            data,
            account,
            fetched_at: Instant::now(),
            environments: Default::default(),
        })
    }

    pub fn is_fresh(&self, ttl: Duration) -> bool {
        self.fetched_at.elapsed() < ttl
    }

    /// The keys of an environment of this session, derived on first use.
    pub fn environment_keys(&self, env_id: &str) -> Result<Arc<EnvironmentKeys>> {
        if let Some(keys) = self
            .environments
            .lock()
            .expect("environment key cache")
            .get(env_id)
        {
            return Ok(keys.clone());
        }
        let entry = self
            .data
            .apps
            .iter()
            .flat_map(|a| &a.environment_keys)
            .find(|k| k.environment.id == env_id)
            .ok_or_else(|| {
                crate::Error::new(
                    crate::ErrorCode::EnvNotFound,
                    format!("environment {env_id} is not in this session"),
                )
            })?;
        let keys = Arc::new(
            self.account
                .unwrap_environment(
                    &entry.wrapped_seed,
                    &entry.wrapped_salt,
                    &entry.identity_key,
                )
                .map_err(|e| e.context("GET /secrets/tokens/"))?,
        );
        self.environments
            .lock()
            .expect("environment key cache")
            .insert(env_id.to_owned(), keys.clone());
        Ok(keys)
    }
}
