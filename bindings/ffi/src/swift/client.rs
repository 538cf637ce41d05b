//! `PhaseClient`: every operation of the core as an async throwing method.

use std::sync::Arc;

use super::PhaseError;
use super::task::run;
use super::watch::Watcher;
use crate::types::{
    self, App, ClientOptions, Environment, GetOptions, GetResult, NewSecret, Secret, SecretChanges,
    Stats, WatchOptions,
};

/// A Phase client. Thread-safe; every network method is async and throws `PhaseError`.
#[derive(uniffi::Object)]
pub struct PhaseClient {
    pub(super) client: phasekit::Client,
}

fn app_ref(app: Option<String>, app_id: Option<String>) -> Result<phasekit::AppRef, PhaseError> {
    Ok(types::app_ref(app, app_id)?)
}

#[uniffi::export]
impl PhaseClient {
    /// A client with `token`; options not given come from the environment, else defaults.
    #[uniffi::constructor(default(options = None))]
    pub fn new(token: String, options: Option<ClientOptions>) -> Result<Arc<Self>, PhaseError> {
        PhaseClient::build(Some(token), options)
    }

    /// A client from `PHASE_SERVICE_TOKEN`, `PHASE_HOST`, `PHASE_VERIFY_SSL`, `PHASE_DEBUG`.
    #[uniffi::constructor(default(options = None))]
    pub fn from_env(options: Option<ClientOptions>) -> Result<Arc<Self>, PhaseError> {
        PhaseClient::build(None, options)
    }

    pub fn host(&self) -> String {
        self.client.host().to_owned()
    }

    /// The secrets of one environment, references resolved unless `options.raw`.
    #[uniffi::method(default(app = None, env = "Development", app_id = None, options = None))]
    pub async fn get(
        &self,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
        options: Option<GetOptions>,
    ) -> Result<Vec<Secret>, PhaseError> {
        let options = options.unwrap_or_default().core(app_ref(app, app_id)?, env);
        let client = self.client.clone();
        run(async move { client.get(&options).await.map(types::secrets) }).await
    }

    /// [`PhaseClient::get`], saying where the secrets came from: `network`, `memory` (the
    /// in-memory cache of `cache_ttl`), `stale` (that cache past its TTL, the server being
    /// unreachable) or `offline` (the offline cache).
    #[uniffi::method(default(app = None, env = "Development", app_id = None, options = None))]
    pub async fn get_result(
        &self,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
        options: Option<GetOptions>,
    ) -> Result<GetResult, PhaseError> {
        let options = options.unwrap_or_default().core(app_ref(app, app_id)?, env);
        let client = self.client.clone();
        run(async move { client.get_result(&options).await.map(GetResult::from) }).await
    }

    /// This client's counters: requests, retries, 429s, failures, cache hits and misses,
    /// answers served offline, fields decrypted and the time that took.
    pub fn stats(&self) -> Stats {
        self.client.stats().into()
    }

    /// Starts polling the secrets `options` selects (dynamic secrets excluded) every
    /// `watch.interval` seconds; `Watcher.next()` reports what was added, changed or removed.
    /// The first poll sets the baseline.
    #[uniffi::method(default(app = None, env = "Development", app_id = None, options = None, watch = None))]
    pub fn watch(
        &self,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
        options: Option<GetOptions>,
        watch: Option<WatchOptions>,
    ) -> Result<Arc<Watcher>, PhaseError> {
        let options = options.unwrap_or_default().core(app_ref(app, app_id)?, env);
        let policy = watch.unwrap_or_default().policy()?;
        let runtime = phasekit::client::runtime()?;
        // The core spawns the polling task on the runtime it is called in.
        let watch = {
            let _entered = runtime.enter();
            self.client.watch(options, policy)?
        };
        Ok(Watcher::new(watch))
    }

    /// One secret by key (at `path`, the root by default).
    #[uniffi::method(default(app = None, env = "Development", app_id = None, path = "/"))]
    pub async fn get_secret(
        &self,
        key: String,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
        path: String,
    ) -> Result<Secret, PhaseError> {
        let app = app_ref(app, app_id)?;
        let client = self.client.clone();
        run(async move {
            let found = client.get_secret(app, &env, &key, Some(&path)).await?;
            Ok(Secret::from(found))
        })
        .await
    }

    #[uniffi::method(default(app = None, env = "Development", app_id = None))]
    pub async fn create(
        &self,
        secrets: Vec<NewSecret>,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
    ) -> Result<(), PhaseError> {
        let app = app_ref(app, app_id)?;
        let secrets: Vec<phasekit::NewSecret> = secrets.into_iter().map(Into::into).collect();
        let client = self.client.clone();
        run(async move { client.create(&app, &env, &secrets).await }).await
    }

    /// Changes only what `changes` gives.
    #[uniffi::method(default(app = None, env = "Development", app_id = None))]
    pub async fn update(
        &self,
        key: String,
        changes: SecretChanges,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
    ) -> Result<(), PhaseError> {
        let app = app_ref(app, app_id)?;
        let update = changes.core(key);
        let client = self.client.clone();
        run(async move { client.update(&app, &env, &update).await }).await
    }

    /// Deletes secrets by key; returns the keys that were not found.
    #[uniffi::method(default(app = None, env = "Development", app_id = None, path = None))]
    pub async fn delete(
        &self,
        keys: Vec<String>,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
        path: Option<String>,
    ) -> Result<Vec<String>, PhaseError> {
        let app = app_ref(app, app_id)?;
        let client = self.client.clone();
        run(async move { client.delete(&app, &env, &keys, path.as_deref()).await }).await
    }

    /// The apps and environments this token can read.
    pub async fn apps(&self) -> Result<Vec<App>, PhaseError> {
        let client = self.client.clone();
        run(async move { Ok(client.apps().await?.into_iter().map(App::from).collect()) }).await
    }

    #[uniffi::method(default(app = None, app_id = None))]
    pub async fn environments(
        &self,
        app: Option<String>,
        app_id: Option<String>,
    ) -> Result<Vec<Environment>, PhaseError> {
        let app = app_ref(app, app_id)?;
        let client = self.client.clone();
        run(async move {
            let envs = client.environments(&app).await?;
            Ok(envs.into_iter().map(Environment::from).collect())
        })
        .await
    }

    /// The secrets as `dotenv`, `json` or `yaml` text.
    #[uniffi::method(default(app = None, env = "Development", format = "dotenv", app_id = None, path = None))]
    pub async fn export(
        &self,
        app: Option<String>,
        env: String,
        format: String,
        app_id: Option<String>,
        path: Option<String>,
    ) -> Result<String, PhaseError> {
        let format: phasekit::ExportFormat = format.parse()?;
        let mut options = phasekit::GetOptions::new(app_ref(app, app_id)?, env);
        options.path = path;
        let client = self.client.clone();
        run(async move { Ok(client.export(&options, format).await?.to_string()) }).await
    }

    /// Creates a lease of a dynamic secret; its credentials, each with `lease_id` set.
    #[uniffi::method(default(app = None, env = "Development", app_id = None, ttl = None))]
    pub async fn lease_generate(
        &self,
        secret_id: String,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
        ttl: Option<u64>,
    ) -> Result<Vec<Secret>, PhaseError> {
        let app = app_ref(app, app_id)?;
        let client = self.client.clone();
        run(async move {
            let found = client.lease_generate(&app, &env, &secret_id, ttl).await?;
            Ok(types::secrets(found))
        })
        .await
    }

    /// Extends a lease to `ttl` seconds from now; the server's message.
    #[uniffi::method(default(app = None, env = "Development", app_id = None))]
    pub async fn lease_renew(
        &self,
        lease_id: String,
        ttl: u64,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
    ) -> Result<String, PhaseError> {
        let app = app_ref(app, app_id)?;
        let client = self.client.clone();
        run(async move {
            let answer = client.lease_renew(&app, &env, &lease_id, ttl).await?;
            Ok(answer.message)
        })
        .await
    }

    /// Revokes a lease; the server's message.
    #[uniffi::method(default(app = None, env = "Development", app_id = None))]
    pub async fn lease_revoke(
        &self,
        lease_id: String,
        app: Option<String>,
        env: String,
        app_id: Option<String>,
    ) -> Result<String, PhaseError> {
        let app = app_ref(app, app_id)?;
        let client = self.client.clone();
        run(async move { Ok(client.lease_revoke(&app, &env, &lease_id).await?.message) }).await
    }

    /// Drops the cached session and keys: the next call fetches them again.
    pub async fn refresh(&self) -> Result<(), PhaseError> {
        let client = self.client.clone();
        run(async move {
            client.refresh().await;
            Ok(())
        })
        .await
    }

    /// Drops the cached session and keys (the client stays usable).
    pub async fn close(&self) -> Result<(), PhaseError> {
        self.refresh().await
    }
}

impl PhaseClient {
    fn build(
        token: Option<String>,
        options: Option<ClientOptions>,
    ) -> Result<Arc<Self>, PhaseError> {
        let client = options
            .unwrap_or_default()
            .build(token, "uniffi".to_owned())?;
        Ok(Arc::new(PhaseClient { client }))
    }
}
