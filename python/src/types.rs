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
