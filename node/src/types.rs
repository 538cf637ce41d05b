//! Results. `Secret` is a class whose value is read through a getter: `console.log`,
//! `util.inspect`, `JSON.stringify` and `toString()` never show it.

use napi::bindgen_prelude::{Env, Function, JsObjectValue, Object, Result, Unknown};
use napi_derive::napi;

/// Gives `Secret` a `util.inspect.custom` that renders `toString()`: without it,
/// `util.inspect(secret, { showHidden: true, getters: true })` calls the prototype's getters,
/// `value` included. (`console.dir` inspects with `customInspect: false`: asked for getters
/// explicitly, it still calls them.)
const REDACT_INSPECT: &str = r#"(function redactInspect(Secret) {
  Object.defineProperty(Secret.prototype, Symbol.for('nodejs.util.inspect.custom'), {
    value: function inspect() {
      return this instanceof Secret ? this.toString() : this;
    },
    writable: true, enumerable: false, configurable: true,
  });
})"#;

/// Runs once per realm, after napi-rs has put the `Secret` class on `exports`.
pub fn register(env: &Env, exports: &Object) -> Result<()> {
    let redact: Function<Unknown, Unknown> = env.run_script(REDACT_INSPECT)?;
    let class: Unknown = exports.get_named_property("Secret")?;
    redact.call(class)?;
    Ok(())
}

/// A decrypted secret.
#[napi]
pub struct Secret(phasekit::Secret);

#[napi]
impl Secret {
    #[napi(getter)]
    pub fn id(&self) -> &str {
        &self.0.id
    }

    #[napi(getter)]
    pub fn key(&self) -> &str {
        &self.0.key
    }

    /// The plaintext value (the caller's active personal override, if any).
    #[napi(getter)]
    pub fn value(&self) -> &str {
        self.0.value.expose()
    }

    #[napi(getter)]
    pub fn comment(&self) -> &str {
        &self.0.comment
    }

    #[napi(getter)]
    pub fn path(&self) -> &str {
        &self.0.path
    }

    #[napi(getter)]
    pub fn tags(&self) -> Vec<String> {
        self.0.tags.clone()
    }

    /// Whether `value` is the caller's personal override rather than the shared value.
    #[napi(getter)]
    pub fn overridden(&self) -> bool {
        self.0.overridden
    }

    /// `secret`, `sealed` or `config`.
    #[napi(getter, js_name = "type")]
    pub fn secret_type(&self) -> &str {
        &self.0.secret_type
    }

    #[napi(getter)]
    pub fn lifecycle(&self) -> &str {
        &self.0.lifecycle
    }

    /// The app's name.
    #[napi(getter)]
    pub fn app(&self) -> &str {
        &self.0.app
    }

    /// The environment's name.
    #[napi(getter)]
    pub fn env(&self) -> &str {
        &self.0.env
    }

    #[napi(getter)]
    pub fn version(&self) -> Option<i64> {
        self.0.version
    }

    #[napi(getter)]
    pub fn is_dynamic(&self) -> bool {
        self.0.is_dynamic
    }

    #[napi(getter)]
    pub fn dynamic_group(&self) -> Option<&str> {
        self.0.dynamic_group.as_deref()
    }

    #[napi(getter)]
    pub fn lease_id(&self) -> Option<&str> {
        self.0.lease_id.as_deref()
    }

    /// When the lease of a dynamic secret ends (ISO 8601).
    #[napi(getter)]
    pub fn lease_expires_at(&self) -> Option<&str> {
        self.0.lease_expires_at.as_deref()
    }

    /// `Secret(key=..., path=..., app=..., env=..., value=<redacted>)`.
    #[napi]
    #[allow(clippy::inherent_to_string)]
    pub fn to_string(&self) -> String {
        format!(
            "Secret(key={:?}, path={:?}, app={:?}, env={:?}, value=<redacted>)",
            self.0.key, self.0.path, self.0.app, self.0.env
        )
    }

    /// Everything but the value, so that logging a secret as JSON cannot leak it.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> SecretSummary {
        SecretSummary {
            id: self.0.id.clone(),
            key: self.0.key.clone(),
            value: "<redacted>".to_owned(),
            path: self.0.path.clone(),
            app: self.0.app.clone(),
            env: self.0.env.clone(),
        }
    }
}

/// What `JSON.stringify(secret)` shows.
#[napi(object)]
pub struct SecretSummary {
    pub id: String,
    pub key: String,
    /// Always `<redacted>`.
    pub value: String,
    pub path: String,
    pub app: String,
    pub env: String,
}

pub fn secrets(found: Vec<phasekit::Secret>) -> Vec<Secret> {
    found.into_iter().map(Secret).collect()
}

pub fn secret(found: phasekit::Secret) -> Secret {
    Secret(found)
}

/// An environment the token can read.
#[napi(object)]
pub struct Environment {
    pub id: String,
    pub name: String,
    /// `dev`, `staging`, `prod` or `custom`.
    pub env_type: String,
}

impl From<phasekit::EnvironmentInfo> for Environment {
    fn from(env: phasekit::EnvironmentInfo) -> Self {
        Environment {
            id: env.id,
            name: env.name,
            env_type: env.env_type,
        }
    }
}

/// An app the token can read, with its environments.
#[napi(object)]
pub struct App {
    pub id: String,
    pub name: String,
    /// `E2E` (end-to-end encrypted) or `SSE` (server-side encryption).
    pub encryption: String,
    pub environments: Vec<Environment>,
}

impl From<phasekit::AppInfo> for App {
    fn from(app: phasekit::AppInfo) -> Self {
        App {
            id: app.id,
            name: app.name,
            encryption: app.encryption,
            environments: app.environments.into_iter().map(Into::into).collect(),
        }
    }
}

/// What `getResult` resolves to: the secrets and where they came from.
#[napi(object, object_from_js = false)]
pub struct GetResult {
    pub secrets: Vec<Secret>,
    /// `network` (fetched by this call), `memory` (the in-memory cache, within `cacheTtl`),
    /// `stale` (memory past `cacheTtl`: the server could not be reached) or `offline` (the
    /// offline cache: offline mode, or the server could not be reached).
    #[napi(ts_type = "'network' | 'memory' | 'stale' | 'offline'")]
    pub source: String,
}

impl From<phasekit::GetResult> for GetResult {
    fn from(result: phasekit::GetResult) -> Self {
        GetResult {
            secrets: secrets(result.secrets),
            source: result.source.as_str().to_owned(),
        }
    }
}

/// A client's counters since it was created (`stats()`): never names or values.
#[napi(object, object_from_js = false)]
pub struct ClientStats {
    /// HTTP requests sent (each attempt counts).
    pub requests: f64,
    /// Attempts that were retries of a failed one.
    pub retries: f64,
    /// Answers with status 429.
    pub rate_limited: f64,
    /// Attempts that failed (any error, before retries).
    pub failures: f64,
    /// Reads answered by the in-memory cache.
    pub cache_hits: f64,
    /// Reads the in-memory cache had to fetch for.
    pub cache_misses: f64,
    /// Answers served from the offline cache.
    pub offline_served: f64,
    /// Fields decrypted (a ciphertext seen before is not decrypted again).
    pub decrypted_fields: f64,
    /// Milliseconds spent decrypting.
    pub decrypt_time_ms: f64,
}

impl From<phasekit::StatsSnapshot> for ClientStats {
    fn from(stats: phasekit::StatsSnapshot) -> Self {
        // Plain numbers rather than BigInts: counters stay far below 2^53, where a JavaScript
        // number is exact.
        let count = |n: u64| n as f64;
        ClientStats {
            requests: count(stats.requests),
            retries: count(stats.retries),
            rate_limited: count(stats.rate_limited),
            failures: count(stats.failures),
            cache_hits: count(stats.cache_hits),
            cache_misses: count(stats.cache_misses),
            offline_served: count(stats.offline_served),
            decrypted_fields: count(stats.decrypted_fields),
            decrypt_time_ms: stats.decrypt_time.as_secs_f64() * 1000.0,
        }
    }
}

/// What changed between two polls of a watch. Secrets are named by key, prefixed with their
/// folder outside the root (`/db/PASSWORD`); each list is sorted.
#[napi(object, object_from_js = false)]
pub struct WatchChange {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

impl From<phasekit::Change> for WatchChange {
    fn from(change: phasekit::Change) -> Self {
        WatchChange {
            added: change.added,
            changed: change.changed,
            removed: change.removed,
        }
    }
}
