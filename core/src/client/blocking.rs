//! The blocking face: the same client driven by one process-wide tokio runtime. The runtime is
//! rebuilt lazily in a child process after `fork` (the parent's worker threads do not exist
//! there).

use std::sync::{Arc, Mutex};

use tokio::runtime::Runtime;
use zeroize::Zeroizing;

use super::{
    AppInfo, Client, EnvironmentInfo, GetOptions, Lease, LeaseMessage, NewSecret, SecretUpdate,
    select::AppRef,
};
use crate::error::{Error, ErrorCode, Result};
use crate::secret_string::SecretString;
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

/// Blocking twins of [`Client`]'s async methods: the same name and parameters, the call run to
/// completion on the process's runtime.
macro_rules! blocking_twins {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)+) => {$(
        $(#[$doc])*
        pub fn $name(&self, $($arg: $ty),*) -> Result<$out> {
            runtime()?.block_on(self.client.$name($($arg),*))
        }
    )+};
}

impl BlockingClient {
    blocking_twins! {
        fn get(options: &GetOptions) -> Vec<Secret>;
        fn get_result(options: &GetOptions) -> super::GetResult;
        fn export(options: &GetOptions, format: crate::ExportFormat) -> Zeroizing<String>;
        fn environment_variables(options: &GetOptions) -> Vec<(String, SecretString)>;
        fn get_secret(app: AppRef, env: &str, key: &str, path: Option<&str>) -> Secret;
        fn create(app: &AppRef, env: &str, secrets: &[NewSecret]) -> ();
        fn update(app: &AppRef, env: &str, update: &SecretUpdate) -> ();
        /// Returns the keys that were not found.
        fn delete(app: &AppRef, env: &str, keys: &[String], path: Option<&str>) -> Vec<String>;
        fn lease_generate(app: &AppRef, env: &str, secret_id: &str, ttl: Option<u64>)
            -> Vec<Secret>;
        fn lease_list(app: &AppRef, env: &str, secret_id: &str) -> Vec<Lease>;
        fn lease_renew(app: &AppRef, env: &str, lease_id: &str, ttl: u64) -> LeaseMessage;
        fn lease_revoke(app: &AppRef, env: &str, lease_id: &str) -> LeaseMessage;
        fn environments(app: &AppRef) -> Vec<EnvironmentInfo>;
        fn apps() -> Vec<AppInfo>;
    }

    pub fn stats(&self) -> crate::StatsSnapshot {
        self.client.stats()
    }

    pub fn refresh(&self) -> Result<()> {
        runtime()?.block_on(self.client.refresh());
        Ok(())
    }

    pub fn async_client(&self) -> &Client {
        &self.client
    }
}
