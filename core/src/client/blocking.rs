//! The blocking face: the same client driven by one process-wide tokio runtime. The runtime is
//! rebuilt lazily in a child process after `fork` (the parent's worker threads do not exist
//! there).

use std::sync::{Arc, Mutex};

use tokio::runtime::Runtime;

use super::{
    AppInfo, Client, EnvironmentInfo, GetOptions, Lease, LeaseMessage, NewSecret, SecretUpdate,
    select::AppRef,
};
use crate::error::{Error, ErrorCode, Result};
use crate::secrets::Secret;

static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

/// The process's runtime, created on first use and again after a fork.
pub fn runtime() -> Result<Arc<Runtime>> {
    let pid = std::process::id();
    let mut slot = RUNTIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((owner, runtime)) = slot.as_ref() {
        if *owner == pid {
            return Ok(runtime.clone());
        }
    }
    if let Some((_, inherited)) = slot.take() {
        // The parent's runtime has no threads in this process; dropping it could block.
        std::mem::forget(inherited);
    }
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("phasekit")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorCode::Network,
                    format!("cannot start the I/O runtime: {e}"),
                )
            })?,
    );
    *slot = Some((pid, runtime.clone()));
    Ok(runtime)
}

/// A blocking client over [`Client`].
#[derive(Debug, Clone)]
pub struct BlockingClient {
    client: Client,
}

impl From<Client> for BlockingClient {
    fn from(client: Client) -> Self {
        BlockingClient { client }
    }
}

impl BlockingClient {
    pub fn get(&self, options: &GetOptions) -> Result<Vec<Secret>> {
        runtime()?.block_on(self.client.get(options))
    }

    pub fn get_result(&self, options: &GetOptions) -> Result<super::GetResult> {
        runtime()?.block_on(self.client.get_result(options))
    }

    pub fn stats(&self) -> crate::StatsSnapshot {
        self.client.stats()
    }

    pub fn export(
        &self,
        options: &GetOptions,
        format: crate::ExportFormat,
    ) -> Result<zeroize::Zeroizing<String>> {
        runtime()?.block_on(self.client.export(options, format))
    }

    pub fn environment_variables(
        &self,
        options: &GetOptions,
    ) -> Result<Vec<(String, crate::SecretString)>> {
        runtime()?.block_on(self.client.environment_variables(options))
    }

    pub fn get_secret(
        &self,
        app: AppRef,
        env: &str,
        key: &str,
        path: Option<&str>,
    ) -> Result<Secret> {
        runtime()?.block_on(self.client.get_secret(app, env, key, path))
    }

    pub fn create(&self, app: &AppRef, env: &str, secrets: &[NewSecret]) -> Result<()> {
        runtime()?.block_on(self.client.create(app, env, secrets))
    }

    pub fn update(&self, app: &AppRef, env: &str, update: &SecretUpdate) -> Result<()> {
        runtime()?.block_on(self.client.update(app, env, update))
    }

    /// Returns the keys that were not found.
    pub fn delete(
        &self,
        app: &AppRef,
        env: &str,
        keys: &[String],
        path: Option<&str>,
    ) -> Result<Vec<String>> {
        runtime()?.block_on(self.client.delete(app, env, keys, path))
    }

    pub fn lease_generate(
        &self,
        app: &AppRef,
        env: &str,
        secret_id: &str,
        ttl: Option<u64>,
    ) -> Result<Vec<Secret>> {
        runtime()?.block_on(self.client.lease_generate(app, env, secret_id, ttl))
    }

    pub fn lease_list(&self, app: &AppRef, env: &str, secret_id: &str) -> Result<Vec<Lease>> {
        runtime()?.block_on(self.client.lease_list(app, env, secret_id))
    }

    pub fn lease_renew(
        &self,
        app: &AppRef,
        env: &str,
        lease_id: &str,
        ttl: u64,
    ) -> Result<LeaseMessage> {
        runtime()?.block_on(self.client.lease_renew(app, env, lease_id, ttl))
    }

    pub fn lease_revoke(&self, app: &AppRef, env: &str, lease_id: &str) -> Result<LeaseMessage> {
        runtime()?.block_on(self.client.lease_revoke(app, env, lease_id))
    }

    pub fn environments(&self, app: &AppRef) -> Result<Vec<EnvironmentInfo>> {
        runtime()?.block_on(self.client.environments(app))
    }

    pub fn apps(&self) -> Result<Vec<AppInfo>> {
        runtime()?.block_on(self.client.apps())
    }

    pub fn refresh(&self) -> Result<()> {
        runtime()?.block_on(self.client.refresh());
        Ok(())
    }

    pub fn async_client(&self) -> &Client {
        &self.client
    }
}
