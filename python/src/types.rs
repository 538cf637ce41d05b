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

phasekit::result_record!(Environment => phasekit::host_record {
    #[pyclass(frozen, module = "phasekit", get_all)]
    #[derive(Clone)]
});

#[pymethods]
impl Environment {
    fn __repr__(&self) -> String {
        format!("Environment(name={:?}, id={:?})", self.name, self.id)
    }
}

phasekit::result_record!(App => phasekit::host_record { #[pyclass(frozen, module = "phasekit", get_all)] });

#[pymethods]
impl App {
    fn __repr__(&self) -> String {
        format!(
            "App(name={:?}, id={:?}, environments={})",
            self.name,
            self.id,
            self.environments.len()
        )
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

phasekit::result_record!(Stats => phasekit::host_stats {
    {
        #[pyclass(frozen, eq, module = "phasekit", get_all)]
        #[derive(Clone, PartialEq)]
    }
    counts as u64;
    #[doc = " Seconds spent decrypting."]
    time as f64 = |time| time.as_secs_f64();
});

#[pymethods]
impl Stats {
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

phasekit::result_record!(Change => phasekit::host_record {
    #[pyclass(frozen, eq, module = "phasekit", get_all)]
    #[derive(Clone, PartialEq)]
});

#[pymethods]
impl Change {
    fn __repr__(&self) -> String {
        format!(
            "Change(added={:?}, changed={:?}, removed={:?})",
            self.added, self.changed, self.removed
        )
    }
}
