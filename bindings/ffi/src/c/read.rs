//! The reads: secrets (`get`, `get_result`, `get_secret`, `lease_generate`), `export`, and the
//! apps and environments the token can read.

use std::future::Future;

use phasekit::{AppRef, Error, ExportFormat};

use super::call::{PhasekitCall, run};
use super::client::PhasekitClient;
use super::error::PhasekitError;
use super::memory::{
    PhasekitOwned, PhasekitStr, PhasekitStrs, PhasekitText, items, own, text_answer,
};
use super::secrets::{PhasekitSecrets, fetched, one_secret, with_source};
use crate::types::{self, GetOptions};

/// Names an environment: the app by name (`app`) or id (`app_id`, which wins), and the
/// environment by name or id (`env`). Absent texts are not given.
#[repr(C)]
pub struct PhasekitTarget {
    pub app: PhasekitStr,
    pub app_id: PhasekitStr,
    pub env: PhasekitStr,
}

impl PhasekitTarget {
    /// The app and environment of `target`.
    ///
    /// # Safety
    /// `target` is NULL or valid during the call.
    pub(crate) unsafe fn read(target: *const PhasekitTarget) -> Result<(AppRef, String), Error> {
        // SAFETY: the caller's contract.
        let app = unsafe { Self::app(target) }?;
        // SAFETY: the caller's contract.
        let env = unsafe { target.as_ref() }
            .map(|t| &t.env)
            .unwrap_or(&PhasekitStr::ABSENT);
        // SAFETY: the caller's contract.
        Ok((app, unsafe { env.required("env") }?))
    }

    /// The app of `target` (its `env` unused).
    ///
    /// # Safety
    /// As for [`PhasekitTarget::read`].
    pub(crate) unsafe fn app(target: *const PhasekitTarget) -> Result<AppRef, Error> {
        // SAFETY: the caller's contract.
        let Some(target) = (unsafe { target.as_ref() }) else {
            return types::app_ref(None, None);
        };
        // SAFETY: the caller's contract.
        unsafe { types::app_ref(target.app.read("app")?, target.app_id.read("app_id")?) }
    }
}

/// What `get` selects: `path` (absent: every folder), `keys` (none: all), `tag`, values `raw`
/// (references left as written), `strict` references, `dynamic` secrets, a `lease` for each
/// (implies `dynamic`) of `lease_ttl` seconds (0: the secret's default).
#[repr(C)]
pub struct PhasekitGetOptions {
    pub path: PhasekitStr,
    pub keys: PhasekitStrs,
    pub tag: PhasekitStr,
    pub raw: bool,
    pub strict: bool,
    pub dynamic: bool,
    pub lease: bool,
    pub lease_ttl: u64,
}

impl PhasekitGetOptions {
    /// The core's options for `app` and `env` (NULL `options`: the defaults).
    ///
    /// # Safety
    /// `options` is NULL or valid during the call.
    pub(crate) unsafe fn read(
        options: *const PhasekitGetOptions,
        app: AppRef,
        env: String,
    ) -> Result<phasekit::GetOptions, Error> {
        // SAFETY: the caller's contract.
        let Some(o) = (unsafe { options.as_ref() }) else {
            return Ok(GetOptions::default().core(app, env));
        };
        // SAFETY: the caller's contract.
        let (path, keys, tag) = unsafe {
            (
                o.path.read("path")?,
                o.keys.read("keys")?,
                o.tag.read("tag")?,
            )
        };
        let options = GetOptions {
            path,
            keys: (!keys.is_empty()).then_some(keys),
            tag,
            raw: o.raw,
            strict: o.strict,
            dynamic: o.dynamic,
            lease: o.lease,
            lease_ttl: (o.lease_ttl > 0).then_some(o.lease_ttl),
        };
        Ok(options.core(app, env))
    }
}

/// [`run`] for an operation on one environment: `start` gets the client and the target's app
/// and environment, read first.
///
/// # Safety
/// As for [`run`]; `client` is NULL or a live client, not freed during the call; `target` is
/// NULL or valid during the call.
pub(crate) unsafe fn run_in<'a, F, T, O>(
    client: *const PhasekitClient,
    call: *const PhasekitCall,
    target: *const PhasekitTarget,
    out: *mut O,
    error: *mut PhasekitError,
    answer: impl FnOnce(T) -> O,
    start: impl FnOnce(&'a phasekit::Client, AppRef, String) -> Result<F, Error>,
) -> i32
where
    F: Future<Output = Result<T, Error>>,
{
    // SAFETY: the caller's contract.
    unsafe {
        run(
            call,
            out,
            error,
            || {
                let client = PhasekitClient::get(client)?;
                let (app, env) = PhasekitTarget::read(target)?;
                start(client, app, env)
            },
            answer,
        )
    }
}

/// Fetches and decrypts the secrets `options` (NULL: the defaults) selects in `target`, and says
/// where they came from (`out.source`). Blocks until done or `call` (may be NULL) is cancelled:
/// `PHASEKIT_OK` with the secrets in `*out`, `PHASEKIT_ERROR` with `*error`, or
/// `PHASEKIT_CANCELLED`.
///
/// # Safety
/// `client` is a live client, not freed during the call; `call` is NULL or a live handle;
/// `target` and `options` are NULL or valid during the call; `out` is valid for a write;
/// `error` is NULL or valid for a write. The same for every call below.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_get(
    client: *const PhasekitClient,
    call: *const PhasekitCall,
    target: *const PhasekitTarget,
    options: *const PhasekitGetOptions,
    out: *mut PhasekitSecrets,
    error: *mut PhasekitError,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe {
        run_in(
            client,
            call,
            target,
            out,
            error,
            with_source,
            |client, app, env| {
                let options = PhasekitGetOptions::read(options, app, env)?;
                Ok(async move { client.get_result(&options).await })
            },
        )
    }
}

/// One secret by `key` at `path` (absent: the root), as a list of one.
///
/// # Safety
/// As for `phasekit_get`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_get_secret(
    client: *const PhasekitClient,
    call: *const PhasekitCall,
    target: *const PhasekitTarget,
    key: PhasekitStr,
    path: PhasekitStr,
    out: *mut PhasekitSecrets,
    error: *mut PhasekitError,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe {
        run_in(
            client,
            call,
            target,
            out,
            error,
            one_secret,
            |client, app, env| {
                let key = key.required("key")?;
                let path = path.read("path")?.unwrap_or_else(|| "/".to_owned());
                Ok(async move { client.get_secret(app, &env, &key, Some(&path)).await })
            },
        )
    }
}

/// Creates a lease of the dynamic secret `secret_id` for `ttl` seconds (0: its default); its
/// credentials, each with `lease_id` set.
///
/// # Safety
/// As for `phasekit_get`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_lease_generate(
    client: *const PhasekitClient,
    call: *const PhasekitCall,
    target: *const PhasekitTarget,
    secret_id: PhasekitStr,
    ttl: u64,
    out: *mut PhasekitSecrets,
    error: *mut PhasekitError,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe {
        run_in(
            client,
            call,
            target,
            out,
            error,
            fetched,
            |client, app, env| {
                let id = secret_id.required("secret_id")?;
                let ttl = (ttl > 0).then_some(ttl);
                Ok(async move { client.lease_generate(&app, &env, &id, ttl).await })
            },
        )
    }
}

/// The secrets of `target` at `path` (absent: every folder) as `format` text (`dotenv`,
/// `json` or `yaml`; absent: `dotenv`).
///
/// # Safety
/// As for `phasekit_get`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_export(
    client: *const PhasekitClient,
    call: *const PhasekitCall,
    target: *const PhasekitTarget,
    format: PhasekitStr,
    path: PhasekitStr,
    out: *mut PhasekitText,
    error: *mut PhasekitError,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe {
        run_in(
            client,
            call,
            target,
            out,
            error,
            text_answer,
            |client, app, env| {
                let format = format.read("format")?;
                let format: ExportFormat = format.as_deref().unwrap_or("dotenv").parse()?;
                let mut options = phasekit::GetOptions::new(app, env);
                options.path = path.read("path")?;
                Ok(async move { client.export(&options, format).await })
            },
        )
    }
}

/// An environment the token can read.
#[repr(C)]
pub struct PhasekitEnvironment {
    pub id: PhasekitStr,
    pub name: PhasekitStr,
    pub env_type: PhasekitStr,
}

/// An app the token can read (`encryption`: `E2E` or `SSE`), with its environments.
#[repr(C)]
pub struct PhasekitApp {
    pub id: PhasekitStr,
    pub name: PhasekitStr,
    pub encryption: PhasekitStr,
    pub environments: *const PhasekitEnvironment,
    pub environments_len: usize,
}

/// The answer of `phasekit_apps` (free with `phasekit_owned_free(owner)`).
#[repr(C)]
pub struct PhasekitApps {
    pub items: *const PhasekitApp,
    pub len: usize,
    pub owner: *mut PhasekitOwned,
}

/// The answer of `phasekit_environments` (free with `phasekit_owned_free(owner)`).
#[repr(C)]
pub struct PhasekitEnvironments {
    pub items: *const PhasekitEnvironment,
    pub len: usize,
    pub owner: *mut PhasekitOwned,
}

fn environment(env: &phasekit::EnvironmentInfo) -> PhasekitEnvironment {
    PhasekitEnvironment {
        id: PhasekitStr::of(&env.id),
        name: PhasekitStr::of(&env.name),
        env_type: PhasekitStr::of(&env.env_type),
    }
}

fn environments_answer(envs: Vec<phasekit::EnvironmentInfo>) -> PhasekitEnvironments {
    let views: Vec<PhasekitEnvironment> = envs.iter().map(environment).collect();
    PhasekitEnvironments {
        items: items(&views),
        len: views.len(),
        owner: own((envs, views)),
    }
}

fn apps_answer(apps: Vec<phasekit::AppInfo>) -> PhasekitApps {
    let envs: Vec<Vec<PhasekitEnvironment>> = apps
        .iter()
        .map(|app| app.environments.iter().map(environment).collect())
        .collect();
    let views: Vec<PhasekitApp> = apps
        .iter()
        .zip(&envs)
        .map(|(app, envs)| PhasekitApp {
            id: PhasekitStr::of(&app.id),
            name: PhasekitStr::of(&app.name),
            encryption: PhasekitStr::of(&app.encryption),
            environments: items(envs),
            environments_len: envs.len(),
        })
        .collect();
    PhasekitApps {
        items: items(&views),
        len: views.len(),
        owner: own((apps, envs, views)),
    }
}

/// The apps and environments the token can read.
///
/// # Safety
/// As for `phasekit_get`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_apps(
    client: *const PhasekitClient,
    call: *const PhasekitCall,
    out: *mut PhasekitApps,
    error: *mut PhasekitError,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe {
        run(
            call,
            out,
            error,
            || {
                let client = PhasekitClient::get(client)?;
                Ok(async move { client.apps().await })
            },
            apps_answer,
        )
    }
}

/// The environments of the app `target` names (its `env` unused).
///
/// # Safety
/// As for `phasekit_get`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_environments(
    client: *const PhasekitClient,
    call: *const PhasekitCall,
    target: *const PhasekitTarget,
    out: *mut PhasekitEnvironments,
    error: *mut PhasekitError,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe {
        run(
            call,
            out,
            error,
            || {
                let client = PhasekitClient::get(client)?;
                let app = PhasekitTarget::app(target)?;
                Ok(async move { client.environments(&app).await })
            },
            environments_answer,
        )
    }
}
