//! `get`: one request on a warm client (two cold), decryption in parallel for large
//! environments, filters by keys and tag, personal overrides applied.

use std::sync::Arc;

use std::collections::BTreeSet;

use super::resolve::{Coverage, Index, Pass, Scope};
use super::select::{AppRef, select_app, select_environment};
use super::sources::{Provenance, Source};
use super::{Client, session::Session};
use crate::api::decode_json;
use crate::api::wire::SecretRecord;
use crate::error::{Error, ErrorCode, Result};
use crate::export::ExportFormat;
use crate::keyring::EnvironmentKeys;
use crate::offline::OfflineCache;
use crate::secret_string::SecretString;
use crate::secrets::{DecryptContext, Secret, decrypt_dynamic, decrypt_records};
use crate::transport::ApiRequest;
use tracing::Instrument;
use zeroize::Zeroizing;

/// The secrets of a `get` and where they came from.
#[derive(Debug, Clone)]
pub struct GetResult {
    pub secrets: Vec<Secret>,
    /// The least fresh source used: [`Source::Offline`] when any part came from the offline
    /// cache because the server could not be reached (or the client is offline).
    pub source: Source,
}

/// What to fetch. `path: None` means every folder; `Some("/")` only the root.
#[derive(Debug, Clone)]
pub struct GetOptions {
    pub app: AppRef,
    pub env: String,
    pub path: Option<String>,
    pub keys: Vec<String>,
    pub tag: Option<String>,
    /// Return values as stored, with `${...}` references left as written.
    pub raw: bool,
    /// Fail on a reference that cannot be resolved instead of keeping it as written.
    pub strict_references: bool,
    /// Include dynamic secrets (one entry per credential name).
    pub dynamic: bool,
    /// With `dynamic`: create a lease for each dynamic secret and return its credentials.
    pub lease: bool,
    /// Lease time to live in seconds (the secret's default when `None`).
    pub lease_ttl: Option<u64>,
}

impl GetOptions {
    pub fn new(app: AppRef, env: impl Into<String>) -> Self {
        GetOptions {
            app,
            env: env.into(),
            path: None,
            keys: Vec::new(),
            tag: None,
            raw: false,
            strict_references: false,
            dynamic: false,
            lease: false,
            lease_ttl: None,
        }
    }

    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn keys<I: IntoIterator<Item = S>, S: Into<String>>(mut self, keys: I) -> Self {
        self.keys = keys.into_iter().map(Into::into).collect();
        self
    }

    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    pub fn raw(mut self, raw: bool) -> Self {
        self.raw = raw;
        self
    }

    pub fn strict_references(mut self, strict: bool) -> Self {
        self.strict_references = strict;
        self
    }

    /// Includes dynamic secrets; with `lease`, generates credentials for `lease_ttl` seconds.
    pub fn dynamic(mut self, lease: bool, lease_ttl: Option<u64>) -> Self {
        self.dynamic = true;
        self.lease = lease;
        self.lease_ttl = lease_ttl;
        self
    }
}

/// What one `GET /secrets/` asks for.
#[derive(Debug, Default)]
struct Listing<'a> {
    path: Option<&'a str>,
    digest: Option<String>,
    dynamic: bool,
    lease: bool,
    lease_ttl: Option<u64>,
}

/// Passes of reference resolution: each may fetch the folders the previous one lacked.
const MAX_RESOLUTION_ROUNDS: usize = 8;

impl Client {
    /// Fetches and decrypts the secrets of one environment, with references resolved unless
    /// `raw` is set.
    pub async fn get(&self, options: &GetOptions) -> Result<Vec<Secret>> {
        Ok(self.get_result(options).await?.secrets)
    }

    /// [`Client::get`], saying where the secrets came from: the network, the in-memory cache
    /// (see [`super::ClientBuilder::cache`]), or the offline cache.
    pub async fn get_result(&self, options: &GetOptions) -> Result<GetResult> {
        let span = tracing::debug_span!("phasekit.get", env = %options.env, path = ?options.path);
        async {
            let started = std::time::Instant::now();
            let decrypted_before = self.inner.memo.misses();
            let cached = match self.get_recent_offline(options).await {
                Some(recent) => Some(Ok(recent)),
                None => self.get_cached(options).await,
            };
            let result = match cached {
                Some(result) => result,
                None => {
                    let provenance = Provenance::default();
                    self.get_uncached(options, &provenance)
                        .await
                        .map(|secrets| GetResult {
                            secrets,
                            source: provenance.source(),
                        })
                }
            };
            // One summary line per get: counts and times, never names or values.
            let took = started.elapsed();
            let decrypted = self.inner.memo.misses() - decrypted_before;
            match &result {
                Ok(r) if self.logs_requests() => tracing::info!(
                    secrets = r.secrets.len(),
                    source = r.source.as_str(),
                    decrypted,
                    ?took,
                    "phase get"
                ),
                Ok(r) => tracing::debug!(
                    secrets = r.secrets.len(),
                    source = r.source.as_str(),
                    decrypted,
                    ?took,
                    "phase get"
                ),
                Err(err) => tracing::debug!(code = %err.code(), ?took, "phase get failed"),
            }
            result
        }
        .instrument(span)
        .await
    }

    pub(super) async fn get_uncached(
        &self,
        options: &GetOptions,
        provenance: &Provenance,
    ) -> Result<Vec<Secret>> {
        self.bounded(async {
            let path = options.path.as_deref().filter(|p| !p.is_empty());
            // A cold call whose environment is known without the session sends both requests
            // at once: one round trip of latency instead of two.
            let (session, early) = match self.early_listing(options).await {
                Some(early_env) => {
                    let listing = Listing {
                        path,
                        ..Listing::default()
                    };
                    let (session, body) = tokio::join!(
                        self.session(provenance),
                        self.request_listing(&early_env, &listing, provenance)
                    );
                    (session?, Some((early_env, body)))
                }
                None => (self.session(provenance).await?, None),
            };
            let (app_name, scope, env_name) = resolve(&session, options)?;
            let keys = session.environment_keys(&scope.env_id)?;
            // One key: the server filters by its digest instead of sending the whole environment
            // (not in offline mode, where only whole listings are stored).
            let digest = match options.keys.as_slice() {
                [only] if !self.is_offline() && early.is_none() => Some(keys.key_digest(only)),
                _ => None,
            };
            // What the request covered decides what a missing reference target proves.
            let coverage = match (&digest, path) {
                (Some(_), _) => Coverage::Partial,
                (None, None) => Coverage::Environment,
                (None, Some(path)) => Coverage::Folder(path.to_owned()),
            };
            let listing = Listing {
                path,
                digest,
                dynamic: options.dynamic,
                lease: options.lease,
                lease_ttl: options.lease_ttl,
            };
            let body = match early {
                // The session names the environment the early request guessed.
                Some((env_id, body)) if env_id == scope.env_id => body?,
                _ => {
                    self.request_listing(&scope.env_id, &listing, provenance)
                        .await?
                }
            };
            let whole = matches!(coverage, Coverage::Environment);
            let fetched = self.decrypt_listing(&body, &keys, &app_name, &env_name, whole)?;
            let mut index = Index::default();
            // Everything fetched serves references, also secrets the filters below drop. Most
            // environments hold no reference at all: then the index (a copy of every key and
            // value) is not built.
            let resolving = !options.raw && fetched.iter().any(has_reference);
            if resolving {
                index.add(&scope, &fetched, coverage);
            }
            let mut secrets = fetched;
            keep_selected(options, &mut secrets);
            if resolving {
                self.resolve_references(
                    &session,
                    &mut secrets,
                    &scope,
                    index,
                    options.strict_references,
                    provenance,
                )
                .await?;
            }
            Ok(secrets)
        })
        .await
    }

    /// The environment id of a cold call that can be known before the session arrives: the
    /// call names the app and the environment by id, or the offline cache's stored session
    /// names them. `None` when the session is fresh (nothing to wait for) or the listing is
    /// not a plain one (a key's digest needs the session's keys; leases are never requested on
    /// a guess).
    async fn early_listing(&self, options: &GetOptions) -> Option<String> {
        if options.dynamic || options.keys.len() == 1 && !self.is_offline() {
            return None;
        }
        let fresh = self
            .inner
            .session
            .lock()
            .await
            .as_ref()
            .is_some_and(|s| s.is_fresh(self.inner.session_ttl));
        if fresh {
            return None;
        }
        if matches!(options.app, AppRef::Id(_)) && crate::api::is_uuid(&options.env) {
            return Some(options.env.clone());
        }
        let cache = self.inner.offline.as_ref()?;
        let stored = cache.load(&cache.session_file()).ok()??;
        let data: crate::api::wire::TokensResponse =
            decode_json(&stored, "the stored session").ok()?;
        let app = select_app(&data.apps, &options.app).ok()?;
        select_environment(app, &options.env)
            .ok()
            .map(|key| key.environment.id.clone())
    }

    /// One `GET /secrets/` of an environment: its body, from the server or the offline cache.
    async fn request_listing(
        &self,
        env_id: &str,
        listing: &Listing<'_>,
        provenance: &Provenance,
    ) -> Result<bytes::Bytes> {
        // Whole listings (every folder or one) are what the offline cache keeps.
        let whole = listing.digest.is_none() && !listing.dynamic;
        let path = listing.path;
        let mut request = ApiRequest::get("/secrets/").header("environment", env_id);
        if let Some(path) = listing.path {
            request = request.header("path", path);
        }
        if let Some(digest) = listing.digest.as_deref() {
            request = request.header("keydigest", digest);
        }
        if listing.dynamic {
            request = request.header("dynamic", "true");
            if listing.lease {
                // Each answer creates leases: a lost answer must not be asked for again.
                request = request.header("lease", "true").creating();
                if let Some(ttl) = listing.lease_ttl {
                    request = request.header("lease-ttl", ttl.to_string());
                }
            }
        }
        if whole {
            let file_of = |cache: &OfflineCache| cache.secrets_file(env_id, path);
            self.send_cached(request, file_of, provenance).await
        } else {
            provenance.note(Source::Network);
            self.send(request).await
        }
    }

    /// A listing's records decrypted; dynamic secrets come last.
    pub(super) fn decrypt_listing(
        &self,
        body: &[u8],
        keys: &Arc<EnvironmentKeys>,
        app_name: &str,
        env_name: &str,
        whole_environment: bool,
    ) -> Result<Vec<Secret>> {
        let mut fixed: Vec<SecretRecord> = decode_json(body, "GET /secrets/")?;
        // Most listings hold no dynamic secret: then nothing is split. Partitioning every
        // listing into two new vectors would grow both by doubling, a transient copy of every
        // record (hundreds of kB for a thousand secrets).
        let dynamic = if fixed.iter().any(SecretRecord::is_dynamic) {
            let (dynamic, kept) = fixed.into_iter().partition(SecretRecord::is_dynamic);
            fixed = kept;
            dynamic
        } else {
            Vec::new()
        };
        let memo = Some(&self.inner.memo);
        let cx = DecryptContext {
            keys,
            app: app_name,
            env: env_name,
            memo,
        };
        let started = std::time::Instant::now();
        let named = |err: Error| err.context("GET /secrets/");
        let mut secrets = decrypt_records(&fixed, cx).map_err(named)?;
        for record in &dynamic {
            secrets.extend(decrypt_dynamic(record, cx).map_err(named)?);
        }
        self.inner.stats.decrypted(started.elapsed());
        if whole_environment {
            self.inner.memo.end_listing(keys.public_key());
        }
        Ok(secrets)
    }

    async fn resolve_references(
        &self,
        session: &Session,
        secrets: &mut [Secret],
        scope: &Scope,
        mut index: Index,
        strict: bool,
        provenance: &Provenance,
    ) -> Result<()> {
        if !secrets.iter().any(has_reference) {
            return Ok(());
        }
        let mut fetched = BTreeSet::new();
        for round in 0.. {
            let mut pass = Pass {
                session,
                index: &index,
                strict,
                needed: BTreeSet::new(),
            };
            let mut resolved = Vec::with_capacity(secrets.len());
            for secret in secrets.iter() {
                resolved.push(if has_reference(secret) {
                    Some(pass.resolve(secret.value.expose(), scope)?)
                } else {
                    None
                });
            }
            let needed: Vec<_> = pass
                .needed
                .into_iter()
                .filter(|f| !fetched.contains(f))
                .collect();
            if needed.is_empty() || round + 1 >= MAX_RESOLUTION_ROUNDS {
                for (secret, value) in secrets.iter_mut().zip(resolved) {
                    if let Some(value) = value {
                        secret.value = SecretString::from(value);
                    }
                }
                return Ok(());
            }
            for folder in needed {
                let (app_id, env_id, path) = folder.clone();
                let app = select_app(&session.data.apps, &AppRef::Id(app_id.clone()))?;
                let env_name = app
                    .environment_keys
                    .iter()
                    .find(|k| k.environment.id == env_id)
                    .map(|k| k.environment.name.clone());
                let target = Scope {
                    app_id,
                    env_id: env_id.clone(),
                };
                let result = match session.environment_keys(&env_id) {
                    Ok(keys) => {
                        let listing = Listing {
                            path: Some(&path),
                            ..Listing::default()
                        };
                        match self.request_listing(&env_id, &listing, provenance).await {
                            Ok(body) => self.decrypt_listing(
                                &body,
                                &keys,
                                &app.name,
                                env_name.as_deref().unwrap_or(""),
                                false,
                            ),
                            Err(err) => Err(err),
                        }
                    }
                    Err(err) => Err(err),
                };
                match result {
                    Ok(found) => index.add(&target, &found, Coverage::Folder(path)),
                    // Only a folder that is not there or not readable counts as missing; any
                    // other failure (unreachable server, damaged answer) fails the call rather
                    // than return references unresolved as if that were the truth.
                    Err(err) if !is_absent(&err) => {
                        return Err(err.context("fetching the secrets of a reference"));
                    }
                    Err(err) if strict => {
                        return Err(Error::new(
                            ErrorCode::ReferenceUnresolved,
                            format!("failed to fetch referenced secrets: {}", err.message()),
                        ));
                    }
                    // Unreachable folders resolve as missing: their references stay as written.
                    Err(_) => index.add(&target, &[], Coverage::Folder(path)),
                }
                fetched.insert(folder);
            }
        }
        unreachable!("the loop returns")
    }

    /// The secrets `options` select, as text in `format` (wiped when dropped).
    pub async fn export(
        &self,
        options: &GetOptions,
        format: ExportFormat,
    ) -> Result<Zeroizing<String>> {
        crate::export(&self.get(options).await?, format)
    }

    /// The secrets of `options` as environment variables (see
    /// [`crate::export::environment_variables`]), for a binding to put into its process.
    pub async fn environment_variables(
        &self,
        options: &GetOptions,
    ) -> Result<Vec<(String, SecretString)>> {
        crate::export::environment_variables(&self.get(options).await?)
    }

    /// One secret by key (at `path`, the root when `None`).
    pub async fn get_secret(
        &self,
        app: AppRef,
        env: &str,
        key: &str,
        path: Option<&str>,
    ) -> Result<Secret> {
        self.bounded(async {
            let options = GetOptions::new(app, env)
                .keys([key])
                .path(path.unwrap_or("/"));
            let mut found = self.get(&options).await?;
            if found.is_empty() {
                return Err(Error::new(
                    ErrorCode::SecretNotFound,
                    format!(
                        "no secret {key:?} at path {:?} in {env}",
                        options.path.unwrap_or_default()
                    ),
                ));
            }
            Ok(found.swap_remove(0))
        })
        .await
    }
}

/// Errors that say a referenced app, environment or folder cannot be read by this token.
fn is_absent(err: &Error) -> bool {
    matches!(
        err.code(),
        ErrorCode::AppNotFound
            | ErrorCode::EnvNotFound
            | ErrorCode::SecretNotFound
            | ErrorCode::Forbidden
    )
}

/// Whether a secret's value may hold a `${...}` reference (generated credentials of dynamic
/// secrets never count as references).
/// Keeps the secrets of `options`' keys and tag (a listing holds every key of its scope).
pub(super) fn keep_selected(options: &GetOptions, secrets: &mut Vec<Secret>) {
    if !options.keys.is_empty() {
        secrets.retain(|s| options.keys.contains(&s.key));
    }
    if let Some(tag) = &options.tag {
        secrets.retain(|s| tag_matches(tag, &s.tags));
    }
}

pub(super) fn has_reference(secret: &Secret) -> bool {
    !secret.is_dynamic && secret.value.expose().contains("${")
}

pub(super) fn resolve(session: &Session, options: &GetOptions) -> Result<(String, Scope, String)> {
    let app = select_app(&session.data.apps, &options.app)?;
    let env = select_environment(app, &options.env)?;
    let scope = Scope {
        app_id: app.id.clone(),
        env_id: env.environment.id.clone(),
    };
    Ok((app.name.clone(), scope, env.environment.name.clone()))
}

/// Phase's tag rule: `_` and spaces are the same, case is ignored, and the wanted tag may be a
/// part of a secret's tag (`prod` matches `Production`).
pub fn tag_matches(wanted: &str, tags: &[String]) -> bool {
    let normalize = |t: &str| t.replace('_', " ").to_lowercase();
    let wanted = normalize(wanted);
    tags.iter().any(|t| normalize(t).contains(&wanted))
}
