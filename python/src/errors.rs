//! The exception hierarchy: `PhaseError` with `.code`, `.status`, `.retry_after`,
//! `.retryable`, and one subclass per error family, all defined in the extension module so
//! they are importable from `phasekit` on every platform.

use phasekit::{Error, ErrorCode, ErrorFamily};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    phasekit,
    PhaseError,
    PyException,
    "Base class of every phasekit error."
);
create_exception!(
    phasekit,
    AuthenticationError,
    PhaseError,
    "The token is malformed, unknown, expired or revoked."
);
create_exception!(
    phasekit,
    PermissionDeniedError,
    PhaseError,
    "The token may not do this (role, environment access)."
);
create_exception!(
    phasekit,
    NotFoundError,
    PhaseError,
    "The app, environment or secret does not exist (for this token)."
);
create_exception!(
    phasekit,
    AmbiguousError,
    PhaseError,
    "A name matches several apps, environments or folders."
);
create_exception!(
    phasekit,
    ConflictError,
    PhaseError,
    "A secret with this key already exists at this path."
);
create_exception!(
    phasekit,
    InvalidInputError,
    PhaseError,
    "An argument or request was rejected as invalid."
);
create_exception!(
    phasekit,
    RateLimitError,
    PhaseError,
    "The server throttled the request; see `retry_after`."
);
create_exception!(
    phasekit,
    NetworkError,
    PhaseError,
    "The server could not be reached, or the connection failed."
);
create_exception!(
    phasekit,
    RequestTimeoutError,
    NetworkError,
    "The server did not answer in time."
);
create_exception!(
    phasekit,
    TlsError,
    NetworkError,
    "The TLS connection failed (e.g. an unknown certificate authority)."
);
create_exception!(
    phasekit,
    ServerError,
    PhaseError,
    "The server failed (HTTP 5xx)."
);
create_exception!(
    phasekit,
    ProtocolError,
    PhaseError,
    "The server's answer does not have the expected shape."
);
create_exception!(
    phasekit,
    DecryptionError,
    PhaseError,
    "A secret could not be decrypted."
);
create_exception!(
    phasekit,
    SecretReferenceError,
    PhaseError,
    "A ${...} reference is unresolvable or circular."
);
create_exception!(
    phasekit,
    OfflineError,
    PhaseError,
    "No cached copy is available offline."
);

/// Converts a core error into the matching Python exception, attributes set.
pub fn to_py(err: Error) -> PyErr {
    let err = err.with_naming(phasekit::Naming::Snake);
    Python::attach(|py| {
        let message = err.to_string();
        let exception = match err.code().family() {
            ErrorFamily::Authentication => AuthenticationError::new_err(message),
            ErrorFamily::PermissionDenied => PermissionDeniedError::new_err(message),
            ErrorFamily::NotFound => NotFoundError::new_err(message),
            ErrorFamily::Ambiguous => AmbiguousError::new_err(message),
            ErrorFamily::Conflict => ConflictError::new_err(message),
            ErrorFamily::InvalidInput => InvalidInputError::new_err(message),
            ErrorFamily::RateLimit => RateLimitError::new_err(message),
            ErrorFamily::Network => NetworkError::new_err(message),
            ErrorFamily::RequestTimeout => RequestTimeoutError::new_err(message),
            ErrorFamily::Tls => TlsError::new_err(message),
            ErrorFamily::Server => ServerError::new_err(message),
            ErrorFamily::Protocol => ProtocolError::new_err(message),
            ErrorFamily::Decryption => DecryptionError::new_err(message),
            ErrorFamily::Reference => SecretReferenceError::new_err(message),
            ErrorFamily::Offline => OfflineError::new_err(message),
            _ => PhaseError::new_err(message),
        };
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
    for (name, class) in [
        ("PhaseError", py.get_type::<PhaseError>()),
        ("AuthenticationError", py.get_type::<AuthenticationError>()),
        (
            "PermissionDeniedError",
            py.get_type::<PermissionDeniedError>(),
        ),
        ("NotFoundError", py.get_type::<NotFoundError>()),
        ("AmbiguousError", py.get_type::<AmbiguousError>()),
        ("ConflictError", py.get_type::<ConflictError>()),
        ("InvalidInputError", py.get_type::<InvalidInputError>()),
        ("RateLimitError", py.get_type::<RateLimitError>()),
        ("NetworkError", py.get_type::<NetworkError>()),
        ("RequestTimeoutError", py.get_type::<RequestTimeoutError>()),
        ("TlsError", py.get_type::<TlsError>()),
        ("ServerError", py.get_type::<ServerError>()),
        ("ProtocolError", py.get_type::<ProtocolError>()),
        ("DecryptionError", py.get_type::<DecryptionError>()),
        (
            "SecretReferenceError",
            py.get_type::<SecretReferenceError>(),
        ),
        ("OfflineError", py.get_type::<OfflineError>()),
    ] {
        m.add(name, class)?;
    }
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    m.add("ERROR_CODES", codes)?;
    Ok(())
}
