//! Where an answer comes from: the network, or the offline cache — instead of the network
//! (offline mode) or because the network failed (fallback). Every request of a client goes
//! through here, so offline mode cannot be bypassed by a forgotten code path.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};

use super::Client;
use crate::error::{Error, ErrorCode, Result};
use crate::offline::OfflineMode;
use crate::transport::ApiRequest;

/// Where the data of a result came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// Fetched from the server by this call.
    Network,
    /// Served from the client's in-memory cache within its TTL.
    Memory,
    /// Served from memory past its TTL because the server could not be reached.
    Stale,
    /// Served from the offline cache on disk (offline mode, or the server unreachable).
    Offline,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Network => "network",
            Source::Memory => "memory",
            Source::Stale => "stale",
            Source::Offline => "offline",
        }
    }

    fn from_u8(value: u8) -> Source {
        match value {
            1 => Source::Memory,
            2 => Source::Stale,
            3 => Source::Offline,
            _ => Source::Network,
        }
    }
}

/// The least fresh source of everything one call used (a call may read several answers).
#[derive(Debug, Default)]
pub(crate) struct Provenance(AtomicU8);

impl Provenance {
    pub fn note(&self, source: Source) {
        self.0.fetch_max(source as u8, Ordering::Relaxed);
    }

    pub fn source(&self) -> Source {
        Source::from_u8(self.0.load(Ordering::Relaxed))
    }
}

/// Failures that mean "the server cannot be reached right now" — the only ones for which a
/// stored answer may stand in. A 4xx (revoked token, lost access) must never be papered over.
pub(crate) fn is_unreachable(err: &Error) -> bool {
    matches!(
        err.code(),
        ErrorCode::Network | ErrorCode::Timeout | ErrorCode::Server | ErrorCode::RateLimited
    )
}

impl Client {
    /// Sends a request that is never served from the offline cache (writes, single-key
    /// lookups, dynamic secrets); in offline mode it is refused. A write clears the in-memory
    /// cache of results.
    pub(crate) async fn send(&self, request: ApiRequest<'_>) -> Result<bytes::Bytes> {
        if let Some(cache) = &self.inner.offline {
            if cache.mode() == OfflineMode::Only {
                return Err(Error::new(
                    ErrorCode::OfflineUnavailable,
                    format!(
                        "{} {} needs the server, and the client is in offline mode",
                        request.method, request.path
                    ),
                ));
            }
        }
        let write = request.method != reqwest::Method::GET;
        let result = self.inner.transport.send(request).await;
        if write {
            // Cached results may predate the write (also a failed one: it may have landed).
            self.inner.cache.clear();
        }
        result
    }

    /// Sends a GET whose answer the offline cache keeps at `file` (given by `file_of`), and
    /// serves the stored answer in offline mode or when the server cannot be reached.
    pub(crate) async fn send_cached(
        &self,
        request: ApiRequest<'_>,
        file_of: impl FnOnce(&crate::offline::OfflineCache) -> PathBuf,
        provenance: &Provenance,
    ) -> Result<bytes::Bytes> {
        let Some(cache) = &self.inner.offline else {
            provenance.note(Source::Network);
            return self.inner.transport.send(request).await;
        };
        let file = file_of(cache);
        let what = request.path.to_owned();
        if cache.mode() == OfflineMode::Only {
            return match cache.load(&file)? {
                Some(body) => {
                    provenance.note(Source::Offline);
                    self.inner.stats.offline_served();
                    Ok(body.into())
                }
                None => Err(Error::new(
                    ErrorCode::OfflineUnavailable,
                    format!("offline mode: nothing cached for GET {what} of this scope yet"),
                )),
            };
        }
        match self.inner.transport.send(request).await {
            Ok(body) => {
                provenance.note(Source::Network);
                if let Err(err) = cache.store(&file, &body) {
                    // The answer is good; a cache that cannot be written only costs resilience.
                    tracing::warn!(error = %err, "the offline cache could not be updated");
                }
                Ok(body)
            }
            Err(err) if is_unreachable(&err) => match cache.load(&file) {
                Ok(Some(body)) => {
                    tracing::warn!(
                        path = %what,
                        code = %err.code(),
                        "the server cannot be reached; serving the offline cache"
                    );
                    provenance.note(Source::Offline);
                    self.inner.stats.offline_served();
                    Ok(body.into())
                }
                _ => Err(err),
            },
            Err(err) => Err(err),
        }
    }
}
