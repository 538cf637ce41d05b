//! `Client`: the core client behind a JavaScript class. Every network method returns a Promise
//! (see `promise.rs`); options arrive as one object per call (see `options.rs`).

use napi::bindgen_prelude::{Env, Object, Result, Unknown, ValueType};
use napi_derive::napi;

use crate::arguments::{optional_whole_number, parse, whole_number};
use crate::errors;
use crate::options::{
    AppOptions, ClientSettings, CreateOptions, DeleteOptions, ExportOptions, GetOptions,
    GetSecretOptions, LeaseGenerateOptions, LeaseRenewOptions, LeaseRevokeOptions, NamesApp,
    UpdateOptions,
};
use crate::promise::spawn;
use crate::types::{App, Environment, GetResult, OneSecret, Secrets, Stats};

/// A Phase client: one token, one host, one connection pool and one cached session. Safe to
/// share across any number of concurrent calls.
#[napi]
pub struct Client {
    pub(crate) inner: phasekit::Client,
}

/// Names this binding and the Node version in the user agent, e.g. `node/20.11.0`.
pub(crate) fn user_agent_suffix(env: &Env) -> String {
    env.get_node_version()
        .map(|v| format!("node/{}.{}.{}", v.major, v.minor, v.patch))
        .unwrap_or_else(|_| "node".to_owned())
}

fn build(env: &Env, settings: ClientSettings) -> Result<Client> {
    let inner = settings
        .into_core(env)?
        .build()
        .map_err(|error| errors::to_js(env, &error))?;
    crate::logging::enable(inner.logs_requests());
    Ok(Client { inner })
}

#[napi]
impl Client {
    /// A client from the given options, each falling back to the environment
    /// (`PHASE_SERVICE_TOKEN`, `PHASE_HOST`, ...) and then to the default.
    #[napi(constructor, ts_args_type = "options?: ClientOptions")]
    pub fn new(env: Env, options: Option<Unknown>) -> Result<Self> {
        let given = options.filter(|o| !matches!(o.get_type(), Ok(ValueType::Undefined)));
        let settings = match given {
            Some(options) => parse(&env, options, "client options")?,
            None => ClientSettings::default(),
        };
        build(&env, settings)
    }

    /// A client from `PHASE_SERVICE_TOKEN`, `PHASE_HOST`, `PHASE_VERIFY_SSL` and `PHASE_DEBUG`.
    #[napi(factory)]
    pub fn from_env(env: Env) -> Result<Self> {
        build(&env, ClientSettings::default())
    }

    /// The host this client talks to.
    #[napi(getter)]
    pub fn host(&self) -> &str {
        self.inner.host()
    }

    /// The secrets of an environment, decrypted, references resolved.
    #[napi(
        ts_args_type = "options: GetOptions",
        ts_return_type = "Promise<Secret[]>"
    )]
    pub fn get<'env>(&self, env: &'env Env, options: Unknown) -> Result<Object<'env>> {
        let client = self.inner.clone();
        let work = parse::<GetOptions>(env, options, "get options")
            .and_then(|options| options.into_core(env))
            .map(|options| async move { client.get(&options).await });
        spawn(env, work, Secrets)
    }

    /// `get`, saying where the secrets came from: `network`, `memory` (the in-memory cache),
    /// `stale` (memory past its TTL, the server unreachable) or `offline` (the offline cache).
    #[napi(
        ts_args_type = "options: GetOptions",
        ts_return_type = "Promise<GetResult>"
    )]
    pub fn get_result<'env>(&self, env: &'env Env, options: Unknown) -> Result<Object<'env>> {
        let client = self.inner.clone();
        let work = parse::<GetOptions>(env, options, "getResult options")
            .and_then(|options| options.into_core(env))
            .map(|options| async move { client.get_result(&options).await });
        spawn(env, work, GetResult::from)
    }

    /// This client's counters: requests, retries, 429s, failures, cache hits and misses,
    /// answers served offline, fields decrypted and the time decryption took. Synchronous.
    #[napi(ts_return_type = "ClientStats")]
    pub fn stats(&self) -> Stats {
        self.inner.stats().into()
    }

    /// One secret by key (one request; the server matches the key's digest).
    #[napi(
        ts_args_type = "options: GetSecretOptions",
        ts_return_type = "Promise<Secret>"
    )]
    pub fn get_secret<'env>(&self, env: &'env Env, options: Unknown) -> Result<Object<'env>> {
        let client = self.inner.clone();
        let work =
            parse::<GetSecretOptions>(env, options, "getSecret options").and_then(|mut options| {
                let app = options.take_app(env)?;
                Ok(async move {
                    let path = options.path.as_deref().unwrap_or("/");
                    client
                        .get_secret(app, &options.env, &options.key, Some(path))
                        .await
                })
            });
        spawn(env, work, OneSecret)
    }

    /// Creates secrets (encrypted here, before they leave the process).
    #[napi(
        ts_args_type = "options: CreateOptions",
        ts_return_type = "Promise<void>"
    )]
    pub fn create<'env>(&self, env: &'env Env, options: Unknown) -> Result<Object<'env>> {
        let client = self.inner.clone();
        let work =
            parse::<CreateOptions>(env, options, "create options").and_then(|mut options| {
                let app = options.take_app(env)?;
                let new: Vec<phasekit::NewSecret> =
                    options.secrets.into_iter().map(Into::into).collect();
                Ok(async move { client.create(&app, &options.env, &new).await })
            });
        spawn(env, work, |()| ())
    }

    /// Changes one secret: only the fields given.
    #[napi(
        ts_args_type = "options: UpdateOptions",
        ts_return_type = "Promise<void>"
    )]
    pub fn update<'env>(&self, env: &'env Env, options: Unknown) -> Result<Object<'env>> {
        let client = self.inner.clone();
        let work =
            parse::<UpdateOptions>(env, options, "update options")
                .and_then(|options| options.into_core(env))
                .map(|(app, env_name, update)| async move {
                    client.update(&app, &env_name, &update).await
                });
        spawn(env, work, |()| ())
    }

    /// Deletes secrets by key; resolves to the keys that were not found.
    #[napi(
        ts_args_type = "options: DeleteOptions",
        ts_return_type = "Promise<string[]>"
    )]
    pub fn delete<'env>(&self, env: &'env Env, options: Unknown) -> Result<Object<'env>> {
        let client = self.inner.clone();
        let work =
            parse::<DeleteOptions>(env, options, "delete options").and_then(|mut options| {
                let app = options.take_app(env)?;
                Ok(async move {
                    let path = options.path.as_deref();
                    client.delete(&app, &options.env, &options.keys, path).await
                })
            });
        spawn(env, work, |missing| missing)
    }

    /// The apps this token can read, with their environments.
    #[napi(ts_return_type = "Promise<App[]>")]
    pub fn apps<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let client = self.inner.clone();
        let work = Ok(async move { client.apps().await });
        spawn(env, work, |apps| {
            apps.into_iter().map(App::from).collect::<Vec<_>>()
        })
    }

    /// The environments of an app this token can read.
    #[napi(
        ts_args_type = "options: AppOptions",
        ts_return_type = "Promise<Environment[]>"
    )]
    pub fn environments<'env>(&self, env: &'env Env, options: Unknown) -> Result<Object<'env>> {
        let client = self.inner.clone();
        let work = parse::<AppOptions>(env, options, "environments options")
            .and_then(|mut options| options.take_app(env))
            .map(|app| async move { client.environments(&app).await });
        spawn(env, work, |envs| {
            envs.into_iter().map(Environment::from).collect::<Vec<_>>()
        })
    }

    /// The secrets of an environment as `dotenv` (default), `json` or `yaml` text.
    #[napi(
        ts_args_type = "options: ExportOptions",
        ts_return_type = "Promise<string>"
    )]
    pub fn export<'env>(&self, env: &'env Env, options: Unknown) -> Result<Object<'env>> {
        let client = self.inner.clone();
        let work = parse::<ExportOptions>(env, options, "export options")
            .and_then(|options| options.into_core(env))
            .map(|(options, format)| async move { client.export(&options, format).await });
        spawn(env, work, |text| text.to_string())
    }

    /// Generates a lease of a dynamic secret; resolves to its credentials.
    #[napi(
        ts_args_type = "options: LeaseGenerateOptions",
        ts_return_type = "Promise<Secret[]>"
    )]
    pub fn lease_generate<'env>(&self, env: &'env Env, options: Unknown) -> Result<Object<'env>> {
        let client = self.inner.clone();
        let work = parse::<LeaseGenerateOptions>(env, options, "leaseGenerate options").and_then(
            |mut options| {
                let app = options.take_app(env)?;
                let ttl = optional_whole_number(env, "ttl", options.ttl)?.map(u64::from);
                Ok(async move {
                    let (env, id) = (&options.env, &options.secret_id);
                    client.lease_generate(&app, env, id, ttl).await
                })
            },
        );
        spawn(env, work, Secrets)
    }

    /// Extends a lease; resolves to the server's message.
    #[napi(
        ts_args_type = "options: LeaseRenewOptions",
        ts_return_type = "Promise<string>"
    )]
    pub fn lease_renew<'env>(&self, env: &'env Env, options: Unknown) -> Result<Object<'env>> {
        let client = self.inner.clone();
        let work = parse::<LeaseRenewOptions>(env, options, "leaseRenew options").and_then(
            |mut options| {
                let app = options.take_app(env)?;
                let ttl = whole_number(env, "ttl", options.ttl)?;
                Ok(async move {
                    let (env, id) = (&options.env, &options.lease_id);
                    client.lease_renew(&app, env, id, ttl.into()).await
                })
            },
        );
        spawn(env, work, |renewed| renewed.message)
    }

    /// Revokes a lease; resolves to the server's message.
    #[napi(
        ts_args_type = "options: LeaseRevokeOptions",
        ts_return_type = "Promise<string>"
    )]
    pub fn lease_revoke<'env>(&self, env: &'env Env, options: Unknown) -> Result<Object<'env>> {
        let client = self.inner.clone();
        let work = parse::<LeaseRevokeOptions>(env, options, "leaseRevoke options").and_then(
            |mut options| {
                let app = options.take_app(env)?;
                Ok(async move {
                    let (env, id) = (&options.env, &options.lease_id);
                    client.lease_revoke(&app, env, id).await
                })
            },
        );
        spawn(env, work, |revoked| revoked.message)
    }

    /// Drops the cached session and keys: the next call fetches them again.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn refresh<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let client = self.inner.clone();
        let work = Ok(async move {
            client.refresh().await;
            Ok(())
        });
        spawn(env, work, |()| ())
    }

    /// Drops the cached session and keys (the client stays usable).
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        self.refresh(env)
    }

    /// `Client(host=...)`: never the token.
    #[napi]
    #[allow(clippy::inherent_to_string)]
    pub fn to_string(&self) -> String {
        format!("Client(host={:?})", self.inner.host())
    }
}
