//! The exception hierarchy: `PhaseError` with `.code`, `.status`, `.retry_after`,
//! `.retryable`, and one subclass per error family, made when the module loads from the
//! core's table of families (`ErrorFamily::ALL`, with each family's class name, parent and
//! description), so that every family the core has is a class here and no list is kept by hand.

use std::collections::HashMap;

use phasekit::{Error, ErrorCode, ErrorFamily};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

create_exception!(
    phasekit,
    PhaseError,
    PyException,
    "Base class of every phasekit error."
);

/// The class of each family, made once per process.
static FAMILY_CLASSES: PyOnceLock<HashMap<&'static str, Py<PyType>>> = PyOnceLock::new();

/// The family classes, parents made before their children (`ErrorFamily::ALL`'s order).
fn family_classes(py: Python<'_>) -> PyResult<&HashMap<&'static str, Py<PyType>>> {
    FAMILY_CLASSES.get_or_try_init(py, || {
        let mut classes: HashMap<&'static str, Py<PyType>> = HashMap::new();
        for family in ErrorFamily::ALL {
            let base = match family.parent() {
                Some(parent) => classes[parent.class_name()].bind(py).clone(),
                None => py.get_type::<PhaseError>(),
            };
            let class = PyErr::new_type(
                py,
                &std::ffi::CString::new(format!("phasekit.{}", family.class_name()))?,
                Some(&std::ffi::CString::new(family.description())?),
                Some(&base),
                None,
            )?;
            classes.insert(family.class_name(), class);
        }
        Ok(classes)
    })
}

/// Converts a core error into the matching Python exception, attributes set.
pub fn to_py(err: Error) -> PyErr {
    let err = err.with_naming(phasekit::Naming::Snake);
    Python::attach(|py| {
        let message = err.to_string();
        let class = match family_classes(py)?.get(err.code().family().class_name()) {
            Some(class) => class.bind(py).clone(),
            None => py.get_type::<PhaseError>(),
        };
        let exception = PyErr::from_type(class, message);
        let value = exception.value(py);
        let set = |name: &str, attribute: Bound<'_, PyAny>| value.setattr(name, attribute);
        let attributes = [
            set(
                "code",
                err.code()
                    .as_str()
                    .into_pyobject(py)
                    .map(|v| v.into_any())?,
            ),
            set(
                "message",
                err.message().into_pyobject(py).map(|v| v.into_any())?,
            ),
            set(
                "status",
                err.status().into_pyobject(py).map(|v| v.into_any())?,
            ),
            set(
                "retry_after",
                err.retry_after()
                    .map(|d| d.as_secs_f64())
                    .into_pyobject(py)
                    .map(|v| v.into_any())?,
            ),
            set(
                "retryable",
                err.retryable()
                    .into_pyobject(py)
                    .map(|v| v.to_owned().into_any())?,
            ),
        ];
        attributes.into_iter().collect::<PyResult<Vec<()>>>()?;
        Ok::<PyErr, PyErr>(exception)
    })
    .unwrap_or_else(|failure| failure)
}

/// An argument error raised by the binding itself.
pub fn invalid(message: impl Into<String>) -> PyErr {
    to_py(Error::new(ErrorCode::InvalidInput, message))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("PhaseError", py.get_type::<PhaseError>())?;
    for (name, class) in family_classes(py)? {
        m.add(*name, class.bind(py))?;
    }
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    m.add("ERROR_CODES", codes)?;
    // The core's table as data (class name -> its codes), against which the tests check the
    // classes above and the stub.
    let families: HashMap<&str, Vec<&str>> = ErrorFamily::ALL
        .into_iter()
        .map(|family| {
            let codes = family.codes().map(|code| code.as_str()).collect();
            (family.class_name(), codes)
        })
        .collect();
    m.add("ERROR_FAMILIES", families)?;
    Ok(())
}
