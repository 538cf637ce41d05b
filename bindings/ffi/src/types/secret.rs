//! A decrypted secret and the result of a `get`, as Swift receives them (the C API reads the
//! core's secrets in place, see `c::secrets`).

phasekit::result_record!(Secret => phasekit::host_record {
    #[derive(Clone, PartialEq, Eq, uniffi::Record)]
    #[uniffi::export(Display, Debug)]
});

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Secret(key={:?}, path={:?}, app={:?}, env={:?}, value=<redacted>)",
            self.key, self.path, self.app, self.env
        )
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

pub fn secrets(found: Vec<phasekit::Secret>) -> Vec<Secret> {
    found.into_iter().map(Secret::from).collect()
}

/// Where the secrets of a result came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Source {
    /// Fetched from the server by this call.
    Network,
    /// The in-memory cache, within its TTL.
    Memory,
    /// The in-memory cache past its TTL, because the server could not be reached.
    Stale,
    /// The offline cache on disk (offline mode, or the server could not be reached).
    Offline,
}

impl From<phasekit::Source> for Source {
    fn from(source: phasekit::Source) -> Self {
        // Exhaustive on purpose: a new source in the core must be named here, not guessed.
        match source {
            phasekit::Source::Network => Source::Network,
            phasekit::Source::Memory => Source::Memory,
            phasekit::Source::Stale => Source::Stale,
            phasekit::Source::Offline => Source::Offline,
        }
    }
}

/// The secrets of a `get` and where they came from.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct GetResult {
    pub secrets: Vec<Secret>,
    pub source: Source,
}

impl From<phasekit::GetResult> for GetResult {
    fn from(result: phasekit::GetResult) -> Self {
        GetResult {
            secrets: secrets(result.secrets),
            source: result.source.into(),
        }
    }
}
