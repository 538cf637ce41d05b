//! The options argument of each function, typed in `index.d.ts` by the struct it is parsed
//! into. napi names a parameter after the last segment of its Rust type, so `typed_arguments::GetOptions`
//! is declared `options: GetOptions`, the interface napi generates from
//! `options::GetOptions`: the TypeScript signature comes from the typed struct, not from a
//! string. The value itself is kept as JavaScript passed it, so that `arguments::parse` still
//! converts it (an `InvalidInputError` naming the call and the field, unknown fields refused).

use napi::bindgen_prelude::{Env, FromNapiValue, Result, Unknown};

use crate::arguments::parse;

macro_rules! typed_arguments {
    ($($name:ident => $parsed:path),* $(,)?) => {$(
        #[doc = concat!("The JavaScript argument that `parse` turns into [`", stringify!($parsed), "`].")]
        pub struct $name<'env>(Unknown<'env>);

        impl FromNapiValue for $name<'_> {
            unsafe fn from_napi_value(
                env: napi::sys::napi_env,
                value: napi::sys::napi_value,
            ) -> Result<Self> {
                // SAFETY: napi hands over a live value of this call's scope in `env`.
                unsafe { Unknown::from_napi_value(env, value) }.map(Self)
            }
        }

        impl $name<'_> {
            /// Converts the argument; `what` names it in errors (`"get options"`).
            pub fn parse(self, env: &Env, what: &str) -> Result<$parsed> {
                parse(env, self.0, what)
            }
        }
    )*};
}

// The name on the left is the TypeScript interface napi generates from the struct on the right.
typed_arguments!(
    AppOptions => crate::options::AppOptions,
    AwsIamLoginOptions => crate::login::AwsIamLoginOptions,
    AzureLoginOptions => crate::login::AzureLoginOptions,
    ClientOptions => crate::options::ClientSettings,
    CreateOptions => crate::options::CreateOptions,
    DeleteOptions => crate::options::DeleteOptions,
    ExportOptions => crate::options::ExportOptions,
    GetOptions => crate::options::GetOptions,
    GetSecretOptions => crate::options::GetSecretOptions,
    LeaseGenerateOptions => crate::options::LeaseGenerateOptions,
    LeaseRenewOptions => crate::options::LeaseRenewOptions,
    LeaseRevokeOptions => crate::options::LeaseRevokeOptions,
    LoadEnvOptions => crate::environment::LoadEnvOptions,
    UpdateOptions => crate::options::UpdateOptions,
    WatchOptions => crate::options::WatchOptions,
);
