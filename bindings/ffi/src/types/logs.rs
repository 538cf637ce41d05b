//! The core's diagnostics, handed to the host's own logging.

/// One diagnostic of the core, for the host language to re-emit through its own logging (Go's
/// `log/slog`, Swift's `os.Logger`): a warning (e.g. TLS verification turned off) or, for a
/// client with `debug`, one line per request (method, path, outcome). Never a header, a body, a
/// secret value or a token.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LogRecord {
    /// `error`, `warn` or `info`.
    pub level: String,
    /// The module that logged it, e.g. `phasekit::transport`.
    pub target: String,
    /// The message followed by its fields, e.g. `phase request method=GET path=/secrets/ ...`.
    pub message: String,
}

impl From<phasekit::logs::LogRecord> for LogRecord {
    fn from(record: phasekit::logs::LogRecord) -> Self {
        LogRecord {
            level: record.level.as_str().to_owned(),
            target: record.target,
            message: record.message,
        }
    }
}

/// Every record collected since the last drain, oldest first (empty before the first client).
pub fn drain_logs() -> Vec<LogRecord> {
    phasekit::logs::drain()
        .into_iter()
        .map(LogRecord::from)
        .collect()
}
