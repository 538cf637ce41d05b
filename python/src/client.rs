//! `Client` (blocking, GIL released during I/O and decryption) and `AsyncClient` (asyncio).
//! Both translate arguments, call the same core client, and translate results and errors.

use phasekit::{ClientOptions, ExportFormat, GetOptions, SecretUpdate, WatchPolicy};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::to_py;
use crate::options::{app_ref, client_options, new_secret};
use crate::runtime::{awaitable, block_on};
use crate::types::{App, Environment, GetResultValue, PySecret, Stats, secrets};
use crate::watch::Watch;

/// `python/3.11`: names the binding in the user agent.
pub fn user_agent_suffix(py: Python<'_>) -> String {
    let version = py.version_info();
    format!("python/{}.{}", version.major, version.minor)
}

/// A core client from the constructor's settings, naming the Python version in the user agent.
/// Building may log (the warning that TLS verification is off), so the records are passed on to
/// `logging` here, in the constructor's thread.
pub fn build(py: Python<'_>, options: ClientOptions) -> PyResult<phasekit::Client> {
    let built = ClientOptions {
        user_agent_suffix: Some(user_agent_suffix(py)),
        ..options
    }
    .build();
    crate::logs::emit(py);
    built.map_err(to_py)
}

#[allow(clippy::too_many_arguments)]
fn get_options(
    app: Option<String>,
    app_id: Option<String>,
    env: &str,
    path: Option<String>,
    keys: Option<Vec<String>>,
    tag: Option<String>,
    raw: bool,
    strict: bool,
    dynamic: bool,
    lease: bool,
    lease_ttl: Option<u64>,
) -> PyResult<GetOptions> {
    let mut options = GetOptions::new(app_ref(app, app_id)?, env)
        .raw(raw)
        .strict_references(strict);
    options.path = path;
    options.keys = keys.unwrap_or_default();
    options.tag = tag;
    if dynamic || lease {
        options = options.dynamic(lease, lease_ttl);
    }
    Ok(options)
}

#[allow(clippy::too_many_arguments)]
fn update_of(
    key: String,
    path: Option<String>,
    value: Option<String>,
    comment: Option<String>,
    tags: Option<Vec<String>>,
    new_path: Option<String>,
    secret_type: Option<String>,
    override_value: Option<String>,
    toggle_override: bool,
) -> SecretUpdate {
    SecretUpdate {
        key,
        path,
        value,
        comment,
        tags,
        new_path,
        secret_type,
        override_value,
        toggle_override,
    }
}

fn new_secrets(items: &Bound<'_, PyList>) -> PyResult<Vec<phasekit::NewSecret>> {
    items.iter().map(|item| new_secret(&item)).collect()
}

fn export_format(format: &str) -> PyResult<ExportFormat> {
    format.parse().map_err(to_py)
}

/// Sets `os.environ[key] = value` for each variable not yet set (or each, with `replace`);
/// returns the keys set.
fn set_environment(
    py: Python<'_>,
    variables: Vec<(String, phasekit::SecretString)>,
    replace: bool,
) -> PyResult<Vec<String>> {
    let environ = py.import("os")?.getattr("environ")?;
    let mut set = Vec::new();
    for (key, value) in variables {
        if replace || !environ.contains(&key)? {
            environ.set_item(&key, value.expose())?;
            set.push(key);
        }
    }
    Ok(set)
}

/// A blocking Phase client. Thread-safe; the GIL is released while it waits or decrypts.
#[pyclass(frozen, module = "phasekit", name = "Client")]
pub struct Client {
    pub(crate) inner: phasekit::Client,
}

/// An asyncio Phase client: every network method returns an awaitable.
#[pyclass(frozen, module = "phasekit", name = "AsyncClient")]
pub struct AsyncClient {
    pub(crate) inner: phasekit::Client,
}

macro_rules! client_common {
    ($ty:ident) => {
        #[pymethods]
        impl $ty {
            /// `Client(token, host, **settings)`: the settings are the core's (`_settings.pyi`).
            #[new]
            #[pyo3(signature = (token=None, host=None, **settings))]
            fn new(
                py: Python<'_>,
                token: Option<String>,
                host: Option<String>,
                settings: Option<&Bound<'_, PyDict>>,
            ) -> PyResult<Self> {
                let options = client_options(token, host, settings)?;
                Ok($ty { inner: build(py, options)? })
            }

            /// A client from PHASE_SERVICE_TOKEN, PHASE_HOST, PHASE_VERIFY_SSL and PHASE_DEBUG.
            #[staticmethod]
            fn from_env(py: Python<'_>) -> PyResult<Self> {
                Ok($ty { inner: build(py, ClientOptions::default())? })
            }

            #[getter]
            fn host(&self) -> &str {
                self.inner.host()
            }

            fn __repr__(&self) -> String {
                format!("{}(host={:?})", stringify!($ty), self.inner.host())
            }

            /// The client's counters (requests, retries, caches, decryption). Not a network
            /// call, so a plain method on both classes.
            fn stats(&self) -> Stats {
                self.inner.stats().into()
            }

            /// Polls one scope and calls `on_change(Change)` on a thread of the watch's own
            /// when secrets are added, changed or removed (see `crate::watch`).
            #[pyo3(signature = (app=None, env="Development", path=None, *, app_id=None, keys=None, tag=None, interval=30.0, max_backoff=300.0, on_change, on_error=None))]
            #[allow(clippy::too_many_arguments)]
            fn watch(
                &self,
                py: Python<'_>,
                app: Option<String>,
                env: &str,
                path: Option<String>,
                app_id: Option<String>,
                keys: Option<Vec<String>>,
                tag: Option<String>,
                interval: f64,
                max_backoff: f64,
                on_change: Py<PyAny>,
                on_error: Option<Py<PyAny>>,
            ) -> PyResult<Watch> {
                let options = get_options(app, app_id, env, path, keys, tag, false, false, false, false, None)?;
                let policy = WatchPolicy::from_seconds(Some(interval), Some(max_backoff)).map_err(to_py)?;
                Watch::start(py, &self.inner, options, policy, on_change, on_error)
            }
        }
    };
}

client_common!(Client);
client_common!(AsyncClient);

/// The result type of a method: the value itself for `Client`, an awaitable for `AsyncClient`.
macro_rules! ret {
    (blocking, $t:ty) => { $t };
    (asyncio, $t:ty) => { Py<PyAny> };
}

/// Runs a core future the way the class does: blocking with the GIL released, or as an
/// awaitable of the running event loop.
macro_rules! run {
    (blocking, $py:expr, $future:expr) => {
        block_on($py, $future)
    };
    (asyncio, $py:expr, $future:expr) => {
        awaitable($py, $future).map(Bound::unbind)
    };
}

/// The operations, written once for both classes.
macro_rules! operations {
    ($ty:ident, $mode:ident) => {
        #[pymethods]
        impl $ty {
            /// Drops the cached session and keys: the next call fetches them again.
            fn refresh(&self, py: Python<'_>) -> PyResult<ret!($mode, Option<()>)> {
                let client = self.inner.clone();
                run!($mode, py, async move {
                    client.refresh().await;
                    Ok(None::<()>)
                })
            }

            /// Drops the cached session and keys.
            fn close(&self, py: Python<'_>) -> PyResult<ret!($mode, Option<()>)> {
                self.refresh(py)
            }

            #[pyo3(signature = (app=None, env="Development", *, app_id=None, path=None, keys=None, tag=None, raw=false, strict=false, dynamic=false, lease=false, lease_ttl=None))]
            #[allow(clippy::too_many_arguments)]
            fn get(
                &self,
                py: Python<'_>,
                app: Option<String>,
                env: &str,
                app_id: Option<String>,
                path: Option<String>,
                keys: Option<Vec<String>>,
                tag: Option<String>,
                raw: bool,
                strict: bool,
                dynamic: bool,
                lease: bool,
                lease_ttl: Option<u64>,
            ) -> PyResult<ret!($mode, Vec<PySecret>)> {
                let options = get_options(app, app_id, env, path, keys, tag, raw, strict, dynamic, lease, lease_ttl)?;
                let client = self.inner.clone();
                run!($mode, py, async move { client.get(&options).await.map(secrets).map_err(to_py) })
            }

            /// `get`, with where the secrets came from: `network`, `memory` (the in-memory cache),
            /// `stale` (the cache past its TTL, the server unreachable) or `offline`.
            #[pyo3(signature = (app=None, env="Development", *, app_id=None, path=None, keys=None, tag=None, raw=false, strict=false, dynamic=false, lease=false, lease_ttl=None))]
            #[allow(clippy::too_many_arguments)]
            fn get_result(
                &self,
                py: Python<'_>,
                app: Option<String>,
                env: &str,
                app_id: Option<String>,
                path: Option<String>,
                keys: Option<Vec<String>>,
                tag: Option<String>,
                raw: bool,
                strict: bool,
                dynamic: bool,
                lease: bool,
                lease_ttl: Option<u64>,
            ) -> PyResult<ret!($mode, GetResultValue)> {
                let options = get_options(app, app_id, env, path, keys, tag, raw, strict, dynamic, lease, lease_ttl)?;
                let client = self.inner.clone();
                run!($mode, py, async move {
                    client.get_result(&options).await.map(GetResultValue).map_err(to_py)
                })
            }

            #[pyo3(signature = (key, app=None, env="Development", *, app_id=None, path="/"))]
            fn get_secret(
                &self,
                py: Python<'_>,
                key: String,
                app: Option<String>,
                env: &str,
                app_id: Option<String>,
                path: &str,
            ) -> PyResult<ret!($mode, PySecret)> {
                let app = app_ref(app, app_id)?;
                let client = self.inner.clone();
                let (env, path) = (env.to_owned(), path.to_owned());
                run!($mode, py, async move {
                    client.get_secret(app, &env, &key, Some(&path)).await.map(PySecret).map_err(to_py)
                })
            }

            #[pyo3(signature = (secrets, app=None, env="Development", *, app_id=None))]
            fn create(
                &self,
                py: Python<'_>,
                secrets: &Bound<'_, PyList>,
                app: Option<String>,
                env: &str,
                app_id: Option<String>,
            ) -> PyResult<ret!($mode, Option<()>)> {
                let (app, secrets) = (app_ref(app, app_id)?, new_secrets(secrets)?);
                let client = self.inner.clone();
                let env = env.to_owned();
                run!($mode, py, async move { client.create(&app, &env, &secrets).await.map(|()| None::<()>).map_err(to_py) })
            }

            #[pyo3(signature = (key, app=None, env="Development", *, app_id=None, path=None, value=None, comment=None, tags=None, new_path=None, r#type=None, override_value=None, toggle_override=false))]
            #[allow(clippy::too_many_arguments)]
            fn update(
                &self,
                py: Python<'_>,
                key: String,
                app: Option<String>,
                env: &str,
                app_id: Option<String>,
                path: Option<String>,
                value: Option<String>,
                comment: Option<String>,
                tags: Option<Vec<String>>,
                new_path: Option<String>,
                r#type: Option<String>,
                override_value: Option<String>,
                toggle_override: bool,
            ) -> PyResult<ret!($mode, Option<()>)> {
                let app = app_ref(app, app_id)?;
                let update = update_of(key, path, value, comment, tags, new_path, r#type, override_value, toggle_override);
                let client = self.inner.clone();
                let env = env.to_owned();
                run!($mode, py, async move { client.update(&app, &env, &update).await.map(|()| None::<()>).map_err(to_py) })
            }

            /// Deletes secrets by key; returns the keys that were not found.
            #[pyo3(signature = (keys, app=None, env="Development", *, app_id=None, path=None))]
            fn delete(
                &self,
                py: Python<'_>,
                keys: Vec<String>,
                app: Option<String>,
                env: &str,
                app_id: Option<String>,
                path: Option<String>,
            ) -> PyResult<ret!($mode, Vec<String>)> {
                let app = app_ref(app, app_id)?;
                let client = self.inner.clone();
                let env = env.to_owned();
                run!($mode, py, async move { client.delete(&app, &env, &keys, path.as_deref()).await.map_err(to_py) })
            }

            fn apps(&self, py: Python<'_>) -> PyResult<ret!($mode, Vec<App>)> {
                let client = self.inner.clone();
                run!($mode, py, async move {
                    client.apps().await.map(|apps| apps.into_iter().map(App::from).collect::<Vec<_>>()).map_err(to_py)
                })
            }

            #[pyo3(signature = (app=None, *, app_id=None))]
            fn environments(
                &self,
                py: Python<'_>,
                app: Option<String>,
                app_id: Option<String>,
            ) -> PyResult<ret!($mode, Vec<Environment>)> {
                let app = app_ref(app, app_id)?;
                let client = self.inner.clone();
                run!($mode, py, async move {
                    let envs = client.environments(&app).await.map_err(to_py)?;
                    Ok(envs.into_iter().map(Environment::from).collect::<Vec<_>>())
                })
            }

            /// The secrets of an environment as `dotenv`, `json` or `yaml` text.
            #[pyo3(signature = (app=None, env="Development", format="dotenv", *, app_id=None, path=None))]
            fn export(
                &self,
                py: Python<'_>,
                app: Option<String>,
                env: &str,
                format: &str,
                app_id: Option<String>,
                path: Option<String>,
            ) -> PyResult<ret!($mode, String)> {
                let format = export_format(format)?;
                let mut options = GetOptions::new(app_ref(app, app_id)?, env);
                options.path = path;
                let client = self.inner.clone();
                run!($mode, py, async move {
                    client.export(&options, format).await.map(|text| text.to_string()).map_err(to_py)
                })
            }

            /// Puts the secrets into `os.environ` (the first of each key when several folders
            /// hold it); variables that are already set are kept unless `override=True`.
            /// Returns the keys that were set.
            #[pyo3(signature = (app=None, env="Development", *, app_id=None, path=None, keys=None, tag=None, r#override=false))]
            #[allow(clippy::too_many_arguments)]
            fn load_env(
                &self,
                py: Python<'_>,
                app: Option<String>,
                env: &str,
                app_id: Option<String>,
                path: Option<String>,
                keys: Option<Vec<String>>,
                tag: Option<String>,
                r#override: bool,
            ) -> PyResult<ret!($mode, Vec<String>)> {
                let options = get_options(app, app_id, env, path, keys, tag, false, false, false, false, None)?;
                let client = self.inner.clone();
                run!($mode, py, async move {
                    let variables = client.environment_variables(&options).await.map_err(to_py)?;
                    Python::attach(|py| set_environment(py, variables, r#override))
                })
            }

            #[pyo3(signature = (secret_id, app=None, env="Development", *, app_id=None, ttl=None))]
            fn lease_generate(
                &self,
                py: Python<'_>,
                secret_id: String,
                app: Option<String>,
                env: &str,
                app_id: Option<String>,
                ttl: Option<u64>,
            ) -> PyResult<ret!($mode, Vec<PySecret>)> {
                let app = app_ref(app, app_id)?;
                let client = self.inner.clone();
                let env = env.to_owned();
                run!($mode, py, async move {
                    client.lease_generate(&app, &env, &secret_id, ttl).await.map(secrets).map_err(to_py)
                })
            }

            #[pyo3(signature = (lease_id, ttl, app=None, env="Development", *, app_id=None))]
            fn lease_renew(
                &self,
                py: Python<'_>,
                lease_id: String,
                ttl: u64,
                app: Option<String>,
                env: &str,
                app_id: Option<String>,
            ) -> PyResult<ret!($mode, String)> {
                let app = app_ref(app, app_id)?;
                let client = self.inner.clone();
                let env = env.to_owned();
                run!($mode, py, async move {
                    client.lease_renew(&app, &env, &lease_id, ttl).await.map(|m| m.message).map_err(to_py)
                })
            }

            #[pyo3(signature = (lease_id, app=None, env="Development", *, app_id=None))]
            fn lease_revoke(
                &self,
                py: Python<'_>,
                lease_id: String,
                app: Option<String>,
                env: &str,
                app_id: Option<String>,
            ) -> PyResult<ret!($mode, String)> {
                let app = app_ref(app, app_id)?;
                let client = self.inner.clone();
                let env = env.to_owned();
                run!($mode, py, async move {
                    client.lease_revoke(&app, &env, &lease_id).await.map(|m| m.message).map_err(to_py)
                })
            }
        }
    };
}

operations!(Client, blocking);
operations!(AsyncClient, asyncio);

#[pymethods]
impl Client {
    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Never suppresses the exception of the `with` block.
    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<()> {
        self.refresh(py)?;
        Ok(())
    }
}

#[pymethods]
impl AsyncClient {
    fn __aenter__<'py>(slf: Py<Self>, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, async move { Ok(slf) })
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__(
        &self,
        py: Python<'_>,
        _args: &Bound<'_, pyo3::types::PyTuple>,
    ) -> PyResult<Py<PyAny>> {
        self.refresh(py)
    }
}
