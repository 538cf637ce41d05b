//! What every error carries in every language, and panics turned into errors.

use phasekit::ErrorCode;

/// The fields every error carries in every language.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: ErrorCode,
    pub message: String,
    pub status: Option<u16>,
    /// Seconds.
    pub retry_after: Option<f64>,
    pub retryable: bool,
}

impl ErrorInfo {
    /// The error with the names in its message spelled as the host language spells them.
    pub fn named(err: &phasekit::Error, naming: phasekit::Naming) -> Self {
        ErrorInfo {
            code: err.code(),
            message: naming.render(err.message()),
            status: err.status(),
            retry_after: err.retry_after().map(|d| d.as_secs_f64()),
            retryable: err.retryable(),
        }
    }
}

/// A panic in the library, reported as an error instead of unwinding into the caller.
pub fn panic_error(payload: &(dyn std::any::Any + Send)) -> phasekit::Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    phasekit::Error::new(
        ErrorCode::Protocol,
        format!("internal error in phasekit (please report): {what}"),
    )
}
