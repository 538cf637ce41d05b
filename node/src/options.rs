//! The options objects of every method, as TypeScript sees them, and their translation into
//! the core's types (conversion from JavaScript: `arguments.rs`).

use napi::bindgen_prelude::{Env, Result};
use napi_derive::napi;

use phasekit::{
    AppRef, ExportFormat, GetOptions as CoreGetOptions, NewSecret, SecretUpdate, WatchPolicy,
};

use crate::arguments::optional_whole_number;
use crate::errors;

pub(crate) fn app_of(env: &Env, app: Option<String>, app_id: Option<String>) -> Result<AppRef> {
    AppRef::from_parts(app, app_id).map_err(|error| errors::to_js(env, &error))
}

/// An options object of napi-rs's (`#[napi(object)]`, a TypeScript interface of the same
/// fields in camelCase) holding the fields given in `{ ... }`, then every client setting of the
/// core's `client_settings!` with its documentation: a setting added in the core is a field
/// here (and in the TypeScript types) with no change to this binding. napi-rs objects cannot
/// embed one another, so each options object that carries the client settings is made here.
macro_rules! options_with_client_settings {
    // Types and docs are matched as plain tokens (`ident`, `tt`), not as `ty` or `literal`
    // fragments: napi-rs must see `Option<...>` (an optional field) and the doc strings as
    // written, which fragments would hide from it. The docs are `#[doc = "..."]` attributes
    // because `///` comments reach napi-rs through a macro as raw strings (`r"..."`), which
    // it would copy into the TypeScript comments as they are.
    (
        {
            $(#[doc = $struct_doc:tt])*
            $js_name:literal => $name:ident {
                $( $(#[doc = $field_doc:tt])* $field:ident : $field_ty:ident $(<$field_inner:ident>)? ),* $(,)?
            }
        }
        $( $(#[doc = $doc:tt])* $setting:ident : Option<$ty:ident> => $kind:ident ),* $(,)?
    ) => {
        $(#[doc = $struct_doc])*
        #[napi(object, js_name = $js_name)]
        #[derive(Clone, Default)]
        pub struct $name {
            $( $(#[doc = $field_doc])* pub $field: $field_ty $(<$field_inner>)?, )*
            $( $(#[doc = $doc])* pub $setting: Option<$ty>, )*
        }

        impl $name {
            /// The client settings of these options (taken out of them), with the Node
            /// version in the user agent; the core checks them.
            pub fn client_options(&mut self, env: &Env) -> Result<phasekit::ClientOptions> {
                let options = phasekit::ClientOptions {
                    $( $setting: self.$setting.take(), )*
                    user_agent_suffix: Some(crate::client::user_agent_suffix(env)),
                    ..phasekit::ClientOptions::default()
                };
                options.validate().map_err(|error| errors::to_js(env, &error))?;
                Ok(options)
            }
        }
    };
}
pub(crate) use options_with_client_settings;

phasekit::client_settings!(options_with_client_settings {
    #[doc = " Settings of a client. Every field falls back to the environment (`PHASE_SERVICE_TOKEN`,"]
    #[doc = " `PHASE_HOST`, `PHASE_VERIFY_SSL`, `PHASE_DEBUG`, ...), then to the default."]
    "ClientOptions" => ClientSettings {
        #[doc = " A service account, service or personal access token (`pss_service:v2:...`)."]
        token: Option<String>,
    }
});

impl ClientSettings {
    /// The core's options: the token and every setting.
    pub fn into_core(mut self, env: &Env) -> Result<phasekit::ClientOptions> {
        let token = self.token.take();
        Ok(phasekit::ClientOptions {
            token,
            ..self.client_options(env)?
        })
    }
}

/// Which app: `app` (a name) or `appId`; the id wins when both are given.
#[napi(object)]
#[derive(Clone)]
pub struct AppOptions {
    pub app: Option<String>,
    pub app_id: Option<String>,
}

/// What `get` reads.
#[napi(object)]
#[derive(Clone)]
pub struct GetOptions {
    pub app: Option<String>,
    pub app_id: Option<String>,
    /// The environment's name (`Development`, `Production`, ...) or id.
    pub env: String,
    /// Only this folder (`/` is the root); all folders when absent.
    pub path: Option<String>,
    /// Only these keys.
    pub keys: Option<Vec<String>>,
    /// Only secrets with this tag (case-insensitive; `_` and spaces are equivalent).
    pub tag: Option<String>,
    /// Leave `${...}` references unresolved.
    pub raw: Option<bool>,
    /// An unresolvable reference is an error instead of staying as written.
    pub strict: Option<bool>,
    /// Include dynamic secrets.
    pub dynamic: Option<bool>,
    /// Generate a lease for dynamic secrets (implies `dynamic`).
    pub lease: Option<bool>,
    /// Seconds the generated lease lasts.
    pub lease_ttl: Option<f64>,
}

/// The core's options for the secrets an options object selects (`get`, `watch`, `loadEnv`):
/// its `app` or `app_id`, `env`, and the optional `path`, `keys` and `tag`. A macro because
/// napi-rs objects cannot share a struct of these fields; `?` returns the app's error.
macro_rules! selection {
    ($env:expr, $options:ident) => {{
        let app = $crate::options::app_of($env, $options.app, $options.app_id)?;
        let mut selected = phasekit::GetOptions::new(app, $options.env);
        selected.path = $options.path;
        selected.keys = $options.keys.unwrap_or_default();
        selected.tag = $options.tag;
        selected
    }};
}
pub(crate) use selection;

impl GetOptions {
    pub fn into_core(self, env: &Env) -> Result<CoreGetOptions> {
        let mut options = selection!(env, self)
            .raw(self.raw.unwrap_or(false))
            .strict_references(self.strict.unwrap_or(false));
        let lease = self.lease.unwrap_or(false);
        let lease_ttl = optional_whole_number(env, "leaseTtl", self.lease_ttl)?;
        if self.dynamic.unwrap_or(false) || lease {
            options = options.dynamic(lease, lease_ttl.map(u64::from));
        }
        Ok(options)
    }
}

/// What `watch` polls, and how often.
#[napi(object)]
#[derive(Clone)]
pub struct WatchOptions {
    pub app: Option<String>,
    pub app_id: Option<String>,
    /// The environment's name or id.
    pub env: String,
    /// Only this folder (`/` is the root); all folders when absent.
    pub path: Option<String>,
    /// Only these keys.
    pub keys: Option<Vec<String>>,
    /// Only secrets with this tag.
    pub tag: Option<String>,
    /// Seconds between polls (default 30), each jittered by ±10%.
    pub interval: Option<f64>,
    /// The longest wait in seconds between polls while the server cannot be reached: the
    /// interval doubles after each failure up to this (default 300).
    pub max_backoff: Option<f64>,
}

impl WatchOptions {
    pub fn into_core(self, env: &Env) -> Result<(CoreGetOptions, WatchPolicy)> {
        let options = selection!(env, self);
        let policy = WatchPolicy::from_seconds(self.interval, self.max_backoff)
            .map_err(|error| errors::to_js(env, &error))?;
        Ok((options, policy))
    }
}

/// What `getSecret` reads.
#[napi(object)]
#[derive(Clone)]
pub struct GetSecretOptions {
    pub key: String,
    pub app: Option<String>,
    pub app_id: Option<String>,
    pub env: String,
    /// The folder (default `/`).
    pub path: Option<String>,
}

/// One secret to create.
#[napi(object)]
#[derive(Clone)]
pub struct NewSecretInput {
    pub key: String,
    pub value: String,
    pub comment: Option<String>,
    pub tags: Option<Vec<String>>,
    /// The folder (default `/`).
    pub path: Option<String>,
    /// `secret` (default), `sealed` or `config`.
    pub r#type: Option<String>,
    /// A personal override value (personal access tokens only).
    pub r#override: Option<String>,
}

impl From<NewSecretInput> for NewSecret {
    fn from(input: NewSecretInput) -> Self {
        NewSecret {
            key: input.key,
            value: input.value,
            comment: input.comment,
            tags: input.tags.unwrap_or_default(),
            path: input.path,
            secret_type: input.r#type,
            override_value: input.r#override,
        }
    }
}

/// What `create` writes.
#[napi(object)]
#[derive(Clone)]
pub struct CreateOptions {
    pub app: Option<String>,
    pub app_id: Option<String>,
    pub env: String,
    pub secrets: Vec<NewSecretInput>,
}

/// What `update` changes: only the fields given.
#[napi(object)]
#[derive(Clone)]
pub struct UpdateOptions {
    pub key: String,
    pub app: Option<String>,
    pub app_id: Option<String>,
    pub env: String,
    /// The folder the secret is in (default: wherever the key is unique).
    pub path: Option<String>,
    pub value: Option<String>,
    pub comment: Option<String>,
    pub tags: Option<Vec<String>>,
    /// Moves the secret to this folder.
    pub new_path: Option<String>,
    pub r#type: Option<String>,
    /// Sets the caller's personal override (personal access tokens only).
    pub r#override: Option<String>,
    /// Switches the personal override on or off.
    pub toggle_override: Option<bool>,
}

impl UpdateOptions {
    pub fn into_core(self, env: &Env) -> Result<(AppRef, String, SecretUpdate)> {
        let app = app_of(env, self.app, self.app_id)?;
        let update = SecretUpdate {
            key: self.key,
            path: self.path,
            value: self.value,
            comment: self.comment,
            tags: self.tags,
            new_path: self.new_path,
            secret_type: self.r#type,
            override_value: self.r#override,
            toggle_override: self.toggle_override.unwrap_or(false),
        };
        Ok((app, self.env, update))
    }
}

/// What `delete` removes.
#[napi(object)]
#[derive(Clone)]
pub struct DeleteOptions {
    pub keys: Vec<String>,
    pub app: Option<String>,
    pub app_id: Option<String>,
    pub env: String,
    /// Only in this folder; anywhere when absent.
    pub path: Option<String>,
}

/// What `export` writes out.
#[napi(object)]
#[derive(Clone)]
pub struct ExportOptions {
    pub app: Option<String>,
    pub app_id: Option<String>,
    pub env: String,
    #[napi(
        ts_type = "'dotenv' | 'json' | 'yaml' | 'kv' | 'csv' | 'xml' | 'toml' | 'hcl' | 'ini' | 'java_properties'"
    )]
    pub format: Option<String>,
    pub path: Option<String>,
}

impl ExportOptions {
    pub fn into_core(self, env: &Env) -> Result<(CoreGetOptions, ExportFormat)> {
        let format = self
            .format
            .as_deref()
            .unwrap_or("dotenv")
            .parse()
            .map_err(|error| errors::to_js(env, &error))?;
        let mut options = CoreGetOptions::new(app_of(env, self.app, self.app_id)?, self.env);
        options.path = self.path;
        Ok((options, format))
    }
}

/// Generates a lease of a dynamic secret.
#[napi(object)]
#[derive(Clone)]
pub struct LeaseGenerateOptions {
    pub secret_id: String,
    pub app: Option<String>,
    pub app_id: Option<String>,
    pub env: String,
    /// Seconds the lease lasts (the secret's default when absent).
    pub ttl: Option<f64>,
}

/// Renews a lease.
#[napi(object)]
#[derive(Clone)]
pub struct LeaseRenewOptions {
    pub lease_id: String,
    /// Seconds from now.
    pub ttl: f64,
    pub app: Option<String>,
    pub app_id: Option<String>,
    pub env: String,
}

/// Revokes a lease.
#[napi(object)]
#[derive(Clone)]
pub struct LeaseRevokeOptions {
    pub lease_id: String,
    pub app: Option<String>,
    pub app_id: Option<String>,
    pub env: String,
}

/// The app of any options object that names one.
pub trait NamesApp {
    fn app_parts(&mut self) -> (Option<String>, Option<String>);

    fn take_app(&mut self, env: &Env) -> Result<AppRef> {
        let (app, app_id) = self.app_parts();
        app_of(env, app, app_id)
    }
}

macro_rules! names_app {
    ($($ty:ty),*) => {$(
        impl NamesApp for $ty {
            fn app_parts(&mut self) -> (Option<String>, Option<String>) {
                (self.app.take(), self.app_id.take())
            }
        }
    )*};
}

names_app!(
    AppOptions,
    GetSecretOptions,
    CreateOptions,
    DeleteOptions,
    LeaseGenerateOptions,
    LeaseRenewOptions,
    LeaseRevokeOptions
);
