//! Result types. `Secret.value` is readable, but `repr()`/`str()` never show it.

use pyo3::prelude::*;

/// A decrypted secret.
#[pyclass(frozen, module = "phasekit", name = "Secret")]
pub struct PySecret(pub phasekit::Secret);

#[pymethods]
impl PySecret {
    #[getter]
    fn id(&self) -> &str {
        &self.0.id
    }
    #[getter]
    fn key(&self) -> &str {
        &self.0.key
    }
    /// The plaintext value (the caller's active personal override, if any).
    #[getter]
    fn value(&self) -> &str {
        self.0.value.expose()
    }
    #[getter]
    fn comment(&self) -> &str {
        &self.0.comment
    }
    #[getter]
    fn path(&self) -> &str {
        &self.0.path
    }
    #[getter]
    fn tags(&self) -> Vec<String> {
        self.0.tags.clone()
    }
    #[getter]
    fn overridden(&self) -> bool {
        self.0.overridden
    }
    #[getter(r#type)]
    fn secret_type(&self) -> &str {
        &self.0.secret_type
    }
    #[getter]
    fn lifecycle(&self) -> &str {
        &self.0.lifecycle
    }
    #[getter]
    fn app(&self) -> &str {
        &self.0.app
    }
    #[getter]
    fn env(&self) -> &str {
        &self.0.env
    }
    #[getter]
    fn version(&self) -> Option<i64> {
        self.0.version
    }
    /// When the secret was created, as the server writes it (ISO 8601).
    #[getter]
    fn created_at(&self) -> Option<&str> {
        self.0.created_at.as_deref()
    }
    /// When the secret last changed, as the server writes it (ISO 8601).
    #[getter]
    fn updated_at(&self) -> Option<&str> {
        self.0.updated_at.as_deref()
    }
    #[getter]
    fn is_dynamic(&self) -> bool {
        self.0.is_dynamic
    }
    #[getter]
    fn dynamic_group(&self) -> Option<&str> {
        self.0.dynamic_group.as_deref()
    }
    #[getter]
    fn lease_id(&self) -> Option<&str> {
        self.0.lease_id.as_deref()
    }
    #[getter]
    fn lease_expires_at(&self) -> Option<&str> {
        self.0.lease_expires_at.as_deref()
    }

    fn __repr__(&self) -> String {
        format!(
            "Secret(key={:?}, path={:?}, app={:?}, env={:?}, value=<redacted>)",
            self.0.key, self.0.path, self.0.app, self.0.env
        )
    }

    fn __str__(&self) -> String {
        self.__repr__()
    }
}

/// An environment the token can read.
#[pyclass(frozen, module = "phasekit", name = "Environment", get_all)]
#[derive(Clone)]
pub struct PyEnvironment {
    pub id: String,
    pub name: String,
    pub env_type: String,
}

#[pymethods]
impl PyEnvironment {
    fn __repr__(&self) -> String {
        format!("Environment(name={:?}, id={:?})", self.name, self.id)
    }
}

impl From<phasekit::EnvironmentInfo> for PyEnvironment {
    fn from(env: phasekit::EnvironmentInfo) -> Self {
        PyEnvironment {
            id: env.id,
            name: env.name,
            env_type: env.env_type,
        }
    }
}

/// An app the token can read, with its environments.
#[pyclass(frozen, module = "phasekit", name = "App", get_all)]
pub struct PyApp {
    pub id: String,
    pub name: String,
    pub encryption: String,
    pub environments: Vec<PyEnvironment>,
}

#[pymethods]
impl PyApp {
    fn __repr__(&self) -> String {
        format!(
            "App(name={:?}, id={:?}, environments={})",
            self.name,
            self.id,
            self.environments.len()
        )
    }
}

impl From<phasekit::AppInfo> for PyApp {
    fn from(app: phasekit::AppInfo) -> Self {
        PyApp {
            id: app.id,
            name: app.name,
            encryption: app.encryption,
            environments: app.environments.into_iter().map(Into::into).collect(),
        }
    }
}

pub fn secrets(found: Vec<phasekit::Secret>) -> Vec<PySecret> {
    found.into_iter().map(PySecret).collect()
}

/// The secrets of `get_result` and where they came from.
#[pyclass(frozen, module = "phasekit", name = "GetResult")]
pub struct PyGetResult {
    secrets: Vec<Py<PySecret>>,
    source: &'static str,
}

#[pymethods]
impl PyGetResult {
    /// A new list on every access, of the same `Secret` objects: the result stays as it was
    /// whatever the caller does with the list.
    #[getter]
    fn secrets(&self, py: Python<'_>) -> Vec<Py<PySecret>> {
        self.secrets.iter().map(|s| s.clone_ref(py)).collect()
    }

    /// `network`, `memory`, `stale` or `offline`.
    #[getter]
    fn source(&self) -> &'static str {
        self.source
    }

    fn __repr__(&self) -> String {
        format!(
            "GetResult(source={:?}, secrets={})",
            self.source,
            self.secrets.len()
        )
    }
}

/// A core `GetResult` on its way to Python. The `Secret` objects are made when it is converted,
/// which happens with the GIL held (in the calling thread, or the event loop's for asyncio), so
/// that the future itself never needs the GIL.
pub struct GetResultValue(pub phasekit::GetResult);

impl<'py> IntoPyObject<'py> for GetResultValue {
    type Target = PyGetResult;
    type Output = Bound<'py, PyGetResult>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        let secrets = self
            .0
            .secrets
            .into_iter()
            .map(|secret| Py::new(py, PySecret(secret)))
            .collect::<PyResult<Vec<_>>>()?;
        Bound::new(
            py,
            PyGetResult {
                secrets,
                source: self.0.source.as_str(),
            },
        )
    }
}

/// A client's counters at one moment (`client.stats()`); never a name or a value.
#[pyclass(frozen, eq, module = "phasekit", name = "Stats", get_all)]
#[derive(Clone, PartialEq)]
pub struct PyStats {
    pub requests: u64,
    pub retries: u64,
    pub rate_limited: u64,
    pub failures: u64,
    pub cache_hits: u64,
    pub cache_misses: u64,
    pub offline_served: u64,
    pub decrypted_fields: u64,
    /// Seconds spent decrypting.
    pub decrypt_time: f64,
}

#[pymethods]
impl PyStats {
    /// The counters as a plain dict, e.g. for a metrics exporter.
    fn as_dict(&self, py: Python<'_>) -> PyResult<Py<pyo3::types::PyDict>> {
        let dict = pyo3::types::PyDict::new(py);
        for (name, value) in self.counters() {
            dict.set_item(name, value)?;
        }
        dict.set_item("decrypt_time", self.decrypt_time)?;
        Ok(dict.unbind())
    }

    fn __repr__(&self) -> String {
        let counters: Vec<String> = self
            .counters()
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        format!(
            "Stats({}, decrypt_time={:.6})",
            counters.join(", "),
            self.decrypt_time
        )
    }
}

impl PyStats {
    fn counters(&self) -> [(&'static str, u64); 8] {
        [
            ("requests", self.requests),
            ("retries", self.retries),
            ("rate_limited", self.rate_limited),
            ("failures", self.failures),
            ("cache_hits", self.cache_hits),
            ("cache_misses", self.cache_misses),
            ("offline_served", self.offline_served),
            ("decrypted_fields", self.decrypted_fields),
        ]
    }
}

impl From<phasekit::StatsSnapshot> for PyStats {
    fn from(stats: phasekit::StatsSnapshot) -> Self {
        PyStats {
            requests: stats.requests,
            retries: stats.retries,
            rate_limited: stats.rate_limited,
            failures: stats.failures,
            cache_hits: stats.cache_hits,
            cache_misses: stats.cache_misses,
            offline_served: stats.offline_served,
            decrypted_fields: stats.decrypted_fields,
            decrypt_time: stats.decrypt_time.as_secs_f64(),
        }
    }
}

/// What changed between two polls of a watch: keys, prefixed with their folder outside the
/// root (`/db/PASSWORD`), each list sorted.
#[pyclass(frozen, eq, module = "phasekit", name = "Change", get_all)]
#[derive(Clone, PartialEq)]
pub struct PyChange {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

#[pymethods]
impl PyChange {
    fn __repr__(&self) -> String {
        format!(
            "Change(added={:?}, changed={:?}, removed={:?})",
            self.added, self.changed, self.removed
        )
    }
}

impl From<phasekit::Change> for PyChange {
    fn from(change: phasekit::Change) -> Self {
        PyChange {
            added: change.added,
            changed: change.changed,
            removed: change.removed,
        }
    }
}
