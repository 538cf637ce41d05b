//! Client settings as plain values: the shape in which every binding receives them from its host
//! language (seconds and counts as numbers, a CA bundle path). They are declared once, in
//! [`client_settings!`], from which the core's [`ClientOptions`] and every binding's host shape
//! are made; the rules that check them live here too, so that the bindings only translate.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use super::{CachePolicy, Client, ClientBuilder, RetryPolicy};
use crate::error::{Error, ErrorCode, Result};

/// Calls `$callback!` with every client setting a binding offers, as `/// doc` lines then
/// `name: Type => kind`, in a stable order (`kind` says what the value means: `seconds`,
/// `count`, `bytes`, `flag`, `url`, `path`; generators of host code pick host types by it).
/// The core makes [`ClientOptions`] of it; each binding makes its host shape of it (Python's keyword arguments, the fields of Node's
/// options object and of Swift's record, the JSON Go sends, the generated Go options and Python
/// stub), so that a setting is added here and nowhere else. Types are what every host language
/// has: text, `f64` numbers (seconds, counts and sizes, checked to be whole where they must be),
/// booleans. `None` means the environment's value, else the default.
#[macro_export]
macro_rules! client_settings {
    ($callback:path) => {
        $crate::client_settings! { $callback {} }
    };
    // `{ extra }` is passed through first, for callbacks that need more than the settings (a
    // binding's login options: the provider's fields, then every client setting).
    ($callback:path { $($extra:tt)* }) => {
        $callback! {
            { $($extra)* }
            #[doc = " The Phase host, e.g. `https://phase.example.com` (default `https://console.phase.dev`)."]
            host: Option<String> => url,
            #[doc = " Seconds a whole request may take (default 30)."]
            timeout: Option<f64> => seconds,
            #[doc = " Seconds to establish a connection (default 10)."]
            connect_timeout: Option<f64> => seconds,
            #[doc = " `false` turns TLS certificate verification off (logged as a warning); `true` keeps it"]
            #[doc = " on even when `PHASE_VERIFY_SSL=false`."]
            verify_ssl: Option<bool> => flag,
            #[doc = " A PEM file of extra certificate authorities to trust."]
            ca_bundle: Option<String> => path,
            #[doc = " Seconds the session data and derived keys are reused (default 300)."]
            session_ttl: Option<f64> => seconds,
            #[doc = " Retries of idempotent calls after transient failures (a whole number, default 3)."]
            max_retries: Option<f64> => count,
            #[doc = " Seconds one call may take, retries and waits included (default 60)."]
            deadline: Option<f64> => seconds,
            #[doc = " The largest response body accepted, in bytes (a whole number, default 64 MiB)."]
            max_response_bytes: Option<f64> => bytes,
            #[doc = " Seconds `get` results are served from memory without a request (no in-memory cache"]
            #[doc = " without it). Writes through the client clear it."]
            cache_ttl: Option<f64> => seconds,
            #[doc = " Seconds past the cache TTL a cached result may still stand in while the server cannot"]
            #[doc = " be reached (default 300; needs the cache TTL)."]
            cache_stale_if_error: Option<f64> => seconds,
            #[doc = " A directory where the server's answers are kept (ciphertext only, readable by this"]
            #[doc = " user only) and served when the server cannot be reached (`PHASE_OFFLINE_CACHE_DIR`)."]
            offline_cache_dir: Option<String> => path,
            #[doc = " `true`: no network at all; reads are served from the offline cache directory and"]
            #[doc = " writes are refused (`PHASE_OFFLINE`)."]
            offline: Option<bool> => flag,
            #[doc = " Seconds a stored answer of the offline cache is young enough to be served at once"]
            #[doc = " by a new client's first read, while the server is asked again in the background"]
            #[doc = " (the result's source says offline; never for dynamic secrets). Needs the offline"]
            #[doc = " cache directory."]
            offline_max_age: Option<f64> => seconds,
            #[doc = " Logs each request's method, path, status and time (never headers or bodies)."]
            debug: Option<bool> => flag,
        }
    };
}

/// One setting of [`client_settings!`], for generators of host code and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The neutral (snake_case) name; each binding spells it its own way.
    pub name: &'static str,
    /// The Rust type as `stringify!` writes it, e.g. `Option < f64 >`.
    pub ty: &'static str,
    /// What the value means: `seconds`, `count`, `bytes`, `flag`, `url` or `path`.
    pub kind: &'static str,
    pub doc: &'static str,
}

/// A setting's value as a host language hands it over (see [`ClientOptions::set`]).
#[derive(Debug, Clone, PartialEq)]
pub enum SettingValue {
    Text(String),
    Number(f64),
    Flag(bool),
}

/// A field of [`ClientOptions`] that [`ClientOptions::set`] can fill.
trait SettingSlot {
    fn put(&mut self, name: &str, value: SettingValue) -> Result<()>;
}

/// A `SettingSlot` for settings of type `Option<$ty>`, filled by a `SettingValue::$variant`.
macro_rules! setting_slot {
    ($($ty:ty => $variant:ident, $expected:literal;)*) => {$(
        impl SettingSlot for Option<$ty> {
            fn put(&mut self, name: &str, value: SettingValue) -> Result<()> {
                match value {
                    SettingValue::$variant(value) => {
                        *self = Some(value);
                        Ok(())
                    }
                    _ => Err(invalid(format!(concat!("`{}` must be ", $expected), name))),
                }
            }
        }
    )*};
}

setting_slot! {
    String => Text, "text";
    f64 => Number, "a number";
    bool => Flag, "true or false";
}

macro_rules! define_client_options {
    ({} $( $(#[doc = $doc:literal])* $name:ident : $ty:ty => $kind:ident ),* $(,)?) => {
        /// Every setting a binding's `Client` constructor accepts, plus the token. `None` means
        /// "the environment's value, else the default" (see [`ClientBuilder::from_env`]).
        /// Deserializes from the JSON of [`client_settings!`]'s names (what Go sends).
        #[derive(Clone, Default, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct ClientOptions {
            /// A service account, service or personal access token (`PHASE_SERVICE_TOKEN`).
            pub token: Option<String>,
            $( $(#[doc = $doc])* pub $name: $ty, )*
            /// Names the binding in the user agent, e.g. `node/20.11.0`.
            #[serde(skip)]
            pub user_agent_suffix: Option<String>,
        }

        impl ClientOptions {
            /// The settings of [`client_settings!`], in its order.
            pub const SETTINGS: &'static [Setting] = &[
                $( Setting {
                    name: stringify!($name),
                    ty: stringify!($ty),
                    kind: stringify!($kind),
                    doc: concat!($($doc, "\n"),*),
                }, )*
            ];
        }

        impl ClientOptions {
            /// Sets the setting named `name` (its neutral name) to a value as a host language
            /// hands it over: bindings that receive settings by name (Python's keyword
            /// arguments) go through this and need no list of their own. The value's rules
            /// are [`ClientOptions::validate`]'s.
            pub fn set(&mut self, name: &str, value: SettingValue) -> Result<()> {
                match name {
                    $( stringify!($name) => self.$name.put(stringify!($name), value), )*
                    _ => Err(invalid(format!("there is no setting `{name}`"))),
                }
            }
        }

        impl fmt::Debug for ClientOptions {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct("ClientOptions")
                    .field("token", &self.token.as_ref().map(|_| "<redacted>"))
                    $( .field(stringify!($name), &self.$name) )*
                    .finish()
            }
        }
    };
}

client_settings!(define_client_options);

impl ClientOptions {
    /// Checks every setting, before anything else happens (a login checks them before it sends a
    /// request). Messages name the setting as `` `name` `` (see [`Error::with_naming`]).
    pub fn validate(&self) -> Result<()> {
        let seconds_fields = [
            ("timeout", self.timeout),
            ("connect_timeout", self.connect_timeout),
            ("session_ttl", self.session_ttl),
            ("deadline", self.deadline),
            ("cache_ttl", self.cache_ttl),
            ("cache_stale_if_error", self.cache_stale_if_error),
            ("offline_max_age", self.offline_max_age),
        ];
        for (name, value) in seconds_fields {
            if let Some(value) = value {
                seconds(name, value)?;
            }
        }
        if let Some(retries) = self.max_retries {
            whole(
                "max_retries",
                retries,
                0.0,
                f64::from(u32::MAX),
                "from 0 to 4294967295",
            )?;
        }
        if let Some(limit) = self.max_response_bytes {
            whole(
                "max_response_bytes",
                limit,
                1.0,
                MAX_EXACT_F64,
                "of bytes, at least 1",
            )?;
        }
        if self.cache_stale_if_error.is_some() && self.cache_ttl.is_none() {
            return Err(invalid("`cache_stale_if_error` needs `cache_ttl`"));
        }
        // An empty path would otherwise surface as "offline mode needs a directory" even when
        // offline mode is off.
        if self
            .offline_cache_dir
            .as_deref()
            .is_some_and(|dir| dir.trim().is_empty())
        {
            return Err(invalid("`offline_cache_dir` must not be empty"));
        }
        Ok(())
    }

    /// The environment (`PHASE_SERVICE_TOKEN`, `PHASE_HOST`, ...) overlaid with these options.
    pub fn builder(self) -> Result<ClientBuilder> {
        self.validate()?;
        let mut builder = Client::builder();
        if let Some(suffix) = self.user_agent_suffix {
            builder = builder.user_agent_suffix(suffix);
        }
        if let Some(token) = self.token {
            builder = builder.token(token);
        }
        if let Some(host) = self.host {
            builder = builder.host(host);
        }
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(duration(timeout));
        }
        if let Some(timeout) = self.connect_timeout {
            builder = builder.connect_timeout(duration(timeout));
        }
        // Given either way, it wins over PHASE_VERIFY_SSL: code that asks for verification
        // gets it.
        match self.verify_ssl {
            Some(false) => builder = builder.danger_disable_tls_verification(),
            Some(true) => builder = builder.verify_tls(),
            None => {}
        }
        if let Some(path) = self.ca_bundle {
            let pem = std::fs::read(&path).map_err(|e| {
                invalid(format!(
                    "cannot read the CA bundle (`ca_bundle`) {path}: {e}"
                ))
            })?;
            builder = builder.ca_bundle_pem(pem);
        }
        if let Some(ttl) = self.session_ttl {
            builder = builder.session_ttl(duration(ttl));
        }
        if self.max_retries.is_some() || self.deadline.is_some() {
            let defaults = RetryPolicy::default();
            builder = builder.retry_policy(RetryPolicy {
                // Whole and in range: `validate` checked.
                max_retries: self.max_retries.map_or(defaults.max_retries, |n| n as u32),
                deadline: self.deadline.map_or(defaults.deadline, duration),
                ..defaults
            });
        }
        if let Some(limit) = self.max_response_bytes {
            builder = builder.max_response_bytes(limit as u64);
        }
        if let Some(ttl) = self.cache_ttl {
            let defaults = CachePolicy::default();
            builder = builder.cache(CachePolicy {
                ttl: duration(ttl),
                stale_if_error: self
                    .cache_stale_if_error
                    .map_or(defaults.stale_if_error, duration),
                ..defaults
            });
        }
        builder = builder.offline_settings(self.offline_cache_dir, self.offline);
        if let Some(max_age) = self.offline_max_age {
            builder = builder.offline_max_age(duration(max_age));
        }
        if let Some(debug) = self.debug {
            builder = builder.debug(debug);
        }
        Ok(builder)
    }

    pub fn build(self) -> Result<Client> {
        self.builder()?.build()
    }
}

/// The largest whole number an `f64` holds exactly (2^53).
const MAX_EXACT_F64: f64 = 9_007_199_254_740_992.0;

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidInput, message)
}

/// A positive, finite number of seconds, or an error naming the setting.
pub(crate) fn seconds(name: &str, value: f64) -> Result<Duration> {
    match Duration::try_from_secs_f64(value) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        _ => Err(invalid(format!(
            "`{name}` must be a positive number of seconds"
        ))),
    }
}

/// A number of seconds `validate` accepted.
fn duration(value: f64) -> Duration {
    Duration::from_secs_f64(value)
}

/// A whole number within `min..=max`.
fn whole(name: &str, value: f64, min: f64, max: f64, range: &str) -> Result<()> {
    if value.is_finite() && value.fract() == 0.0 && (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(invalid(format!("`{name}` must be a whole number {range}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_set_by_their_neutral_names() {
        let mut options = ClientOptions::default();
        options.set("cache_ttl", SettingValue::Number(5.0)).unwrap();
        options.set("offline", SettingValue::Flag(true)).unwrap();
        options
            .set("offline_cache_dir", SettingValue::Text("/tmp/x".into()))
            .unwrap();
        assert_eq!(options.cache_ttl, Some(5.0));
        assert_eq!(options.offline, Some(true));
        assert_eq!(options.offline_cache_dir.as_deref(), Some("/tmp/x"));
        // Every name of the table is settable.
        for setting in ClientOptions::SETTINGS {
            let value = match setting.kind {
                "flag" => SettingValue::Flag(false),
                "url" | "path" => SettingValue::Text("x".into()),
                _ => SettingValue::Number(1.0),
            };
            options.set(setting.name, value).unwrap();
        }
        let unknown = options
            .set("cache_tll", SettingValue::Number(1.0))
            .unwrap_err();
        assert_eq!(unknown.code(), ErrorCode::InvalidInput);
        assert!(unknown.to_string().contains("no setting `cache_tll`"));
        let mistyped = options
            .set("offline", SettingValue::Number(1.0))
            .unwrap_err();
        assert!(
            mistyped
                .to_string()
                .contains("`offline` must be true or false")
        );
    }

    #[test]
    fn rejects_non_positive_or_non_finite_seconds() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let options = ClientOptions {
                timeout: Some(bad),
                ..ClientOptions::default()
            };
            let error = options.builder().unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidInput);
            assert!(error.message().contains("`timeout`"), "{error}");
        }
    }

    #[test]
    fn counts_and_sizes_are_whole_numbers_in_range() {
        let bad = [
            (Some(-1.0), None),
            (Some(1.5), None),
            (Some(4_294_967_296.0), None),
            (Some(f64::NAN), None),
            (None, Some(0.0)),
            (None, Some(2.5)),
            (None, Some(1e300)),
        ];
        for (max_retries, max_response_bytes) in bad {
            let options = ClientOptions {
                max_retries,
                max_response_bytes,
                ..ClientOptions::default()
            };
            let error = options.validate().unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidInput, "{error}");
            assert!(
                error.message().contains("must be a whole number"),
                "{error}"
            );
        }
        let good = ClientOptions {
            max_retries: Some(0.0),
            max_response_bytes: Some(1.0),
            ..ClientOptions::default()
        };
        good.validate().unwrap();
    }

    #[test]
    fn debug_never_shows_the_token() {
        let options = ClientOptions {
            token: Some("pss_service:v2:secret-part".into()),
            ..ClientOptions::default()
        };
        let shown = format!("{options:?}");
        assert!(!shown.contains("secret-part"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn unreadable_ca_bundle_is_invalid_input() {
        let options = ClientOptions {
            ca_bundle: Some("/nonexistent/ca.pem".into()),
            ..ClientOptions::default()
        };
        assert_eq!(
            options.builder().unwrap_err().code(),
            ErrorCode::InvalidInput
        );
    }

    #[test]
    fn stale_if_error_needs_a_ttl_and_an_empty_cache_dir_is_refused() {
        let options = ClientOptions {
            cache_stale_if_error: Some(5.0),
            ..ClientOptions::default()
        };
        let error = options.builder().unwrap_err();
        assert!(error.message().contains("`cache_ttl`"), "{error}");
        let options = ClientOptions {
            offline_cache_dir: Some(" ".into()),
            ..ClientOptions::default()
        };
        assert!(options.validate().is_err());
    }

    #[test]
    fn the_settings_table_names_what_deserializes() {
        // Go sends the settings as JSON with these names: every one is a field, nothing else is.
        let all: serde_json::Map<String, serde_json::Value> = ClientOptions::SETTINGS
            .iter()
            .map(|s| (s.name.to_owned(), serde_json::Value::Null))
            .collect();
        serde_json::from_value::<ClientOptions>(serde_json::Value::Object(all)).unwrap();
        let unknown = serde_json::json!({"tiemout": 5});
        let error = serde_json::from_value::<ClientOptions>(unknown).unwrap_err();
        assert!(error.to_string().contains("tiemout"), "{error}");
        assert_eq!(ClientOptions::SETTINGS.len(), 15);
        assert!(ClientOptions::SETTINGS.iter().all(|s| !s.doc.is_empty()));
    }
}
