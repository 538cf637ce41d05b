//! Results. Secrets become instances of the `Secret` class of `secret.js`, whose value is read
//! through a getter: `console.log`, `util.inspect`, `JSON.stringify` and `toString()` never
//! show it.

use napi::bindgen_prelude::{
    Env, Function, FunctionRef, JsObjectValue, Object, Result, ToNapiValue, TypeName, Unknown,
    ValueType,
};
use napi::sys;
use napi_derive::napi;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::realm;

/// The source of the `Secret` class: a function expression returning `{ Secret, many, one }`.
const DEFINE_SECRET: &str = include_str!("secret.js");

type MakeSecrets = FunctionRef<RowsText, Unknown<'static>>;

/// The realm's `Secret` makers (see `realm.rs`): each takes a JSON text of rows.
pub struct SecretFactory {
    many: MakeSecrets,
    one: MakeSecrets,
}

impl SecretFactory {
    /// Defines the `Secret` class and puts it on `exports`.
    pub fn define(env: &Env, exports: &mut Object) -> Result<Self> {
        let define: Function<(), Object> = env.run_script(DEFINE_SECRET)?;
        let defined = define.call(())?;
        let class: Unknown = defined.get_named_property("Secret")?;
        exports.set_named_property("Secret", class)?;
        let many: Function<RowsText, Unknown<'static>> = defined.get_named_property("many")?;
        let one: Function<RowsText, Unknown<'static>> = defined.get_named_property("one")?;
        Ok(SecretFactory {
            many: many.create_ref()?,
            one: one.create_ref()?,
        })
    }
}

/// A secret as a row of the JSON text `secret.js` reads, in its order.
#[derive(Serialize)]
struct Row<'a>(
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a [String],
    bool,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<i64>,
    bool,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

impl<'a> From<&'a phasekit::Secret> for Row<'a> {
    fn from(secret: &'a phasekit::Secret) -> Self {
        Row(
            &secret.id,
            &secret.key,
            secret.value.expose(),
            &secret.comment,
            &secret.path,
            &secret.tags,
            secret.overridden,
            &secret.secret_type,
            &secret.lifecycle,
            &secret.app,
            &secret.env,
            secret.version,
            secret.is_dynamic,
            secret.dynamic_group.as_deref(),
            secret.lease_id.as_deref(),
            secret.lease_expires_at.as_deref(),
            secret.created_at.as_deref(),
            secret.updated_at.as_deref(),
        )
    }
}

/// The JSON text of rows (values included), handed to JavaScript as a string and wiped here
/// once JavaScript has its copy.
pub struct RowsText(Zeroizing<String>);

impl ToNapiValue for RowsText {
    unsafe fn to_napi_value(env: sys::napi_env, text: Self) -> Result<sys::napi_value> {
        // SAFETY: the caller's `env`, as napi-rs passes it.
        unsafe { <&str>::to_napi_value(env, text.0.as_str()) }
    }
}

/// The rows of secrets, serialized one by one (no vector of rows in between).
struct Rows<'a>(&'a [phasekit::Secret]);

impl Serialize for Rows<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(Row::from))
    }
}

/// About how long a secret's row is as JSON: its texts, plus an eighth for escapes (PEM blocks
/// and JSON documents in values) and the punctuation, numbers and literals of its 18 fields.
fn row_length(secret: &phasekit::Secret) -> usize {
    let optional = [
        &secret.dynamic_group,
        &secret.lease_id,
        &secret.lease_expires_at,
        &secret.created_at,
        &secret.updated_at,
    ];
    let texts = secret.id.len()
        + secret.key.len()
        + secret.value.len()
        + secret.comment.len()
        + secret.path.len()
        + secret.tags.iter().map(|tag| tag.len() + 3).sum::<usize>()
        + secret.secret_type.len()
        + secret.lifecycle.len()
        + secret.app.len()
        + secret.env.len()
        + optional
            .iter()
            .map(|text| text.as_ref().map_or(0, String::len))
            .sum::<usize>();
    texts + texts / 8 + 96
}

/// The JSON text of rows.
fn rows_text<T: Serialize + ?Sized>(rows: &T, capacity: usize) -> Result<RowsText> {
    phasekit::secret_string::to_json(rows, capacity)
        .map(RowsText)
        .map_err(|err| napi::Error::from_reason(format!("cannot encode secrets: {err}")))
}

/// Makes `Secret`s from rows with the realm's `many` or `one`.
fn make_secrets(
    raw_env: sys::napi_env,
    text: RowsText,
    pick: fn(&SecretFactory) -> &MakeSecrets,
) -> Result<sys::napi_value> {
    let env = Env::from_raw(raw_env);
    let make = pick(&realm::get(&env)?.secrets).borrow_back(&env)?;
    // SAFETY: napi-rs's conversion of a value back into its raw handle, in the same env.
    unsafe { Unknown::to_napi_value(raw_env, make.call(text)?) }
}

/// Secrets for JavaScript: an array of `Secret`.
pub struct Secrets(pub Vec<phasekit::Secret>);

impl TypeName for Secrets {
    fn type_name() -> &'static str {
        "Secret[]"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Secrets {
    unsafe fn to_napi_value(env: sys::napi_env, secrets: Self) -> Result<sys::napi_value> {
        let capacity = 2 + secrets.0.iter().map(row_length).sum::<usize>();
        let text = rows_text(&Rows(&secrets.0), capacity)?;
        // The core's copies are wiped before JavaScript makes its own, so that a large get
        // holds one of them at a time.
        drop(secrets);
        make_secrets(env, text, |factory| &factory.many)
    }
}

/// One secret for JavaScript: a `Secret`.
pub struct OneSecret(pub phasekit::Secret);

impl TypeName for OneSecret {
    fn type_name() -> &'static str {
        "Secret"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for OneSecret {
    unsafe fn to_napi_value(env: sys::napi_env, secret: Self) -> Result<sys::napi_value> {
        let text = rows_text(&Row::from(&secret.0), row_length(&secret.0))?;
        drop(secret);
        make_secrets(env, text, |factory| &factory.one)
    }
}

phasekit::result_record!(Environment => phasekit::host_record { #[napi(object)] });
phasekit::result_record!(App => phasekit::host_record { #[napi(object)] });

/// What `getResult` resolves to: the secrets and where they came from.
#[napi(object, object_from_js = false)]
pub struct GetResult {
    #[napi(ts_type = "Secret[]")]
    pub secrets: Secrets,
    /// `network` (fetched by this call), `memory` (the in-memory cache, within `cacheTtl`),
    /// `stale` (memory past `cacheTtl`: the server could not be reached) or `offline` (the
    /// offline cache: offline mode, or the server could not be reached).
    #[napi(ts_type = "'network' | 'memory' | 'stale' | 'offline'")]
    pub source: String,
}

impl From<phasekit::GetResult> for GetResult {
    fn from(result: phasekit::GetResult) -> Self {
        GetResult {
            secrets: Secrets(result.secrets),
            source: result.source.as_str().to_owned(),
        }
    }
}

phasekit::result_record!(Stats => phasekit::host_stats {
    { #[napi(object, object_from_js = false, js_name = "ClientStats")] }
    counts as f64;
    #[doc = " Milliseconds spent decrypting."]
    #[napi(js_name = "decryptTimeMs")]
    time as f64 = |time| time.as_secs_f64() * 1000.0;
});

phasekit::result_record!(Change => phasekit::host_record {
    #[napi(object, object_from_js = false, js_name = "WatchChange")]
});
