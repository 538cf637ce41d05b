//! A young answer of the offline cache served at once (opt-in with `offline_max_age`): a new
//! process's first read finds the session and the listing the offline cache stored less than
//! `max_age` ago, decrypts them and returns without waiting for the server, which is asked again
//! by one background refresh (that refresh stores the new answers and keeps the session). Only
//! plain reads take this path: not dynamic secrets (leases must be fresh), not values with
//! references to other listings, not a client that already has a session (it is as fast).

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::get::{GetOptions, has_reference, keep_selected, resolve};
use super::session::Session;
use super::sources::{Provenance, Source};
use super::{Client, GetResult};
use crate::offline::{OfflineCache, OfflineMode};

impl Client {
    /// The young stored answer of `options`, if there is one, with a background refresh begun.
    pub(super) async fn get_recent_offline(&self, options: &GetOptions) -> Option<GetResult> {
        let max_age = self.inner.offline_max_age?;
        let cache = self
            .inner
            .offline
            .as_ref()
            .filter(|cache| cache.mode() == OfflineMode::Fallback)?;
        if options.dynamic || self.inner.session.lock().await.is_some() {
            return None;
        }
        let path = options.path.as_deref().filter(|p| !p.is_empty());
        let session_body = young(cache, &cache.session_file(), max_age)?;
        let session = Session::from_body(&session_body, &self.inner.token).ok()?;
        let (app_name, scope, env_name) = resolve(&session, options).ok()?;
        let listing = young(cache, &cache.secrets_file(&scope.env_id, path), max_age)?;
        let keys = session.environment_keys(&scope.env_id).ok()?;
        let mut secrets = self
            .decrypt_listing(&listing, &keys, &app_name, &env_name, path.is_none())
            .ok()?;
        if !options.raw && secrets.iter().any(has_reference) {
            return None;
        }
        keep_selected(options, &mut secrets);
        self.refresh_offline_in_background(options);
        self.inner.stats.offline_served();
        Some(GetResult {
            secrets,
            source: Source::Offline,
        })
    }

    /// One fetch at a time, in the background, that refreshes the offline cache and the session.
    fn refresh_offline_in_background(&self, options: &GetOptions) {
        if self.inner.refreshing_offline.swap(true, Ordering::AcqRel) {
            return;
        }
        let client = self.clone();
        let options = options.clone();
        tokio::spawn(async move {
            if let Err(err) = client.get_uncached(&options, &Provenance::default()).await {
                tracing::debug!(code = %err.code(), "the background refresh of the offline cache failed");
            }
            client
                .inner
                .refreshing_offline
                .store(false, Ordering::Release);
        });
    }
}

/// The stored body of `file` if it was written less than `max_age` ago.
fn young(cache: &OfflineCache, file: &Path, max_age: Duration) -> Option<Vec<u8>> {
    let written = std::fs::metadata(file).ok()?.modified().ok()?;
    if written.elapsed().ok()? >= max_age {
        return None;
    }
    cache.load(file).ok()?
}
