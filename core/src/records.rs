//! The results every binding hands to its host language (secrets, apps, environments, a watch's
//! changes, a client's counters), declared once: [`result_record!`]
//! lists each one's fields with their types and documentation, the core makes its own types of
//! it (below), and each binding makes its host shape and the conversion from the core's type of
//! it (`bindings/ffi/src/types/records.rs`, `node/src/types.rs`, `python/src/types.rs`), so that
//! a field is added here and nowhere else.

use std::time::Duration;

use crate::secret_string::SecretString;

/// Calls `$callback!` with `{ extra }` (passed through, e.g. a binding's attributes for its
/// host type) then the record named first: `/// doc` lines as `#[doc]` attributes, then
/// `Name from CoreName { field: Type => kind, ... }`. `Name` is the name bindings give their
/// host type (a field of type `Vec<Environment>` means their own `Environment`); `CoreName` is
/// the core's type of this module. `kind` says how a binding converts the field:
/// `value` (moved as it is), `secret` (text the core keeps as a `SecretString`), `records` (a
/// list of records, each converted), `count` (a whole number) or `duration`. Types are matched by bindings as plain tokens (`Vec<String>`), which
/// napi-rs needs.
#[macro_export]
macro_rules! result_record {
    (Secret => $callback:path { $($extra:tt)* }) => {
        $callback! {
            { $($extra)* }
            #[doc = " A decrypted secret. Its printed forms never show `value`."]
            Secret from Secret {
                id: String => value,
                key: String => value,
                #[doc = " The plaintext: the caller's active personal override, else the shared value."]
                value: String => secret,
                #[doc = " `\"\"` when the secret has no comment."]
                comment: String => value,
                #[doc = " The folder, `/` for the root."]
                path: String => value,
                tags: Vec<String> => value,
                #[doc = " True when `value` comes from the caller's active personal override."]
                overridden: bool => value,
                #[doc = " `secret`, `sealed` or `config`."]
                secret_type: String => value,
                #[doc = " `static` or `rotating`."]
                lifecycle: String => value,
                #[doc = " The app's name."]
                app: String => value,
                #[doc = " The environment's name."]
                env: String => value,
                #[doc = " The secret's version, counted by the server from 1 (a personal override does"]
                #[doc = " not change it)."]
                version: Option<i64> => value,
                #[doc = " When the secret was created and last changed, as the server writes them (ISO"]
                #[doc = " 8601, e.g. `2026-12-04T21:39:47.521868Z`)."]
                created_at: Option<String> => value,
                updated_at: Option<String> => value,
                is_dynamic: bool => value,
                #[doc = " For dynamic secrets, the group they belong to, e.g. `db-creds (aws)`."]
                dynamic_group: Option<String> => value,
                #[doc = " For dynamic secrets fetched with a lease: its id (to renew or revoke it) and"]
                #[doc = " expiry."]
                lease_id: Option<String> => value,
                lease_expires_at: Option<String> => value,
            }
        }
    };
    (Environment => $callback:path { $($extra:tt)* }) => {
        $callback! {
            { $($extra)* }
            #[doc = " An environment the token can read."]
            Environment from EnvironmentInfo {
                id: String => value,
                name: String => value,
                #[doc = " `dev`, `staging`, `prod` or `custom`."]
                env_type: String => value,
            }
        }
    };
    (App => $callback:path { $($extra:tt)* }) => {
        $callback! {
            { $($extra)* }
            #[doc = " An app the token can read, with its environments."]
            App from AppInfo {
                id: String => value,
                name: String => value,
                #[doc = " `E2E` (end-to-end encrypted) or `SSE` (server-side encryption)."]
                encryption: String => value,
                environments: Vec<Environment> => records,
            }
        }
    };
    (Change => $callback:path { $($extra:tt)* }) => {
        $callback! {
            { $($extra)* }
            #[doc = " What changed between two polls of a watch. A secret is named by its key, prefixed"]
            #[doc = " with its folder outside the root (`/db/PASSWORD`), so that equal keys in two"]
            #[doc = " folders stay apart; each list is sorted. Never values."]
            Change from Change {
                added: Vec<String> => value,
                changed: Vec<String> => value,
                removed: Vec<String> => value,
            }
        }
    };
    // The one duration first, then the counters: bindings rely on that order.
    (Stats => $callback:path { $($extra:tt)* }) => {
        $callback! {
            { $($extra)* }
            #[doc = " A client's counters at one moment: never a name or a value."]
            Stats from StatsSnapshot {
                #[doc = " Time spent decrypting."]
                decrypt_time: Duration => duration,
                #[doc = " HTTP requests sent (each attempt counts)."]
                requests: u64 => count,
                #[doc = " Attempts that were retries of a failed one."]
                retries: u64 => count,
                #[doc = " Answers with status 429."]
                rate_limited: u64 => count,
                #[doc = " Attempts that failed (any error, before retries)."]
                failures: u64 => count,
                #[doc = " Reads answered by the in-memory cache."]
                cache_hits: u64 => count,
                #[doc = " Reads the in-memory cache had to fetch for."]
                cache_misses: u64 => count,
                #[doc = " Answers served from the offline cache."]
                offline_served: u64 => count,
                #[doc = " Fields decrypted (a field whose ciphertext was seen before costs nothing)."]
                decrypted_fields: u64 => count,
            }
        }
    };
}

/// A binding's host type of a [`result_record!`], for bindings to pass as the callback: a struct
/// named as the record, with the attributes given as extra (the host's derives), the record's
/// fields and documentation, and `From` the core's type. Types and docs are matched as plain
/// tokens (`ident`, `tt`) so that attribute macros such as napi-rs's see them as written.
#[macro_export]
macro_rules! host_record {
    (
        { $($hash:tt $attr:tt)* }
        $(#[doc = $doc:tt])*
        $name:ident from $core:ident {
            $( $(#[doc = $field_doc:tt])* $field:ident : $ty:ident $(<$inner:ident>)? => $kind:ident ),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        $($hash $attr)*
        pub struct $name {
            $( $(#[doc = $field_doc])* pub $field: $ty $(<$inner>)?, )*
        }

        impl From<$crate::records::$core> for $name {
            fn from(record: $crate::records::$core) -> Self {
                $name {
                    $( $field: $crate::host_record!(@convert $kind, record.$field), )*
                }
            }
        }
    };
    (@convert records, $value:expr) => {
        $value.into_iter().map(Into::into).collect()
    };
    (@convert secret, $value:expr) => {
        $value.expose().to_owned()
    };
    (@convert value, $value:expr) => {
        $value
    };
}

/// A binding's host type of the `Stats` record, for bindings to pass as the callback: the
/// counters as numbers of type `$count` (a [`Count`]), the duration as `$time` made by `$to_time`,
/// with the attributes given for the struct (in braces) and for the duration's field.
#[macro_export]
macro_rules! host_stats {
    (
        {
            { $($hash:tt $attr:tt)* }
            counts as $count_ty:ident;
            $(#[$($time_attr:tt)*])*
            time as $time_ty:ident = $to_time:expr;
        }
        $(#[doc = $doc:tt])*
        Stats from $core:ident {
            $(#[doc = $time_doc:tt])* $time:ident : Duration => duration,
            $( $(#[doc = $count_doc:tt])* $count:ident : u64 => count ),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        $($hash $attr)*
        pub struct Stats {
            $( $(#[doc = $count_doc])* pub $count: $count_ty, )*
            $(#[$($time_attr)*])*
            pub $time: $time_ty,
        }

        impl Stats {
            /// Every counter (all but the duration) with its name, in the record's order.
            #[allow(dead_code, reason = "for hosts that list the counters (Python's as_dict)")]
            pub fn counters(&self) -> Vec<(&'static str, $count_ty)> {
                vec![$( (stringify!($count), self.$count), )*]
            }
        }

        impl From<$crate::records::$core> for Stats {
            fn from(stats: $crate::records::$core) -> Self {
                let to_time: fn(std::time::Duration) -> $time_ty = $to_time;
                Stats {
                    $( $count: $crate::records::Count::from_count(stats.$count), )*
                    $time: to_time(stats.$time),
                }
            }
        }
    };
}

/// A host's number type for counters.
pub trait Count {
    fn from_count(count: u64) -> Self;
}

impl Count for u64 {
    fn from_count(count: u64) -> Self {
        count
    }
}

/// Counters stay far below 2^53, where a 64-bit float (a JavaScript number) is exact.
impl Count for f64 {
    fn from_count(count: u64) -> Self {
        count as f64
    }
}

/// The core's type of a [`result_record!`]: `CoreName`, with the attributes given as extra.
macro_rules! core_record {
    (
        { $(#[$attr:meta])* }
        $(#[doc = $doc:literal])*
        $name:ident from $core:ident {
            $( $(#[doc = $field_doc:literal])* $field:ident : $ty:ty => $kind:ident ),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        $(#[$attr])*
        pub struct $core {
            $( $(#[doc = $field_doc])* pub $field: core_type!($kind, $ty), )*
        }

        impl $core {
            /// The fields of [`result_record!`], in its order, for generators of host code.
            pub const FIELDS: &'static [Field] = &[
                $( Field {
                    name: stringify!($field),
                    ty: stringify!($ty),
                    doc: concat!($($field_doc, "\n"),*),
                }, )*
            ];
        }
    };
}

/// One field of a [`result_record!`], for generators of host code and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The neutral (snake_case) name; each binding spells it its own way.
    pub name: &'static str,
    /// The host type as `stringify!` writes it, e.g. `Option < String >`.
    pub ty: &'static str,
    pub doc: &'static str,
}

/// The core's type of a field: a `secret` is kept as a [`SecretString`].
macro_rules! core_type {
    (secret, $ty:ty) => {
        SecretString
    };
    ($kind:ident, $ty:ty) => {
        $ty
    };
}

/// The name the records use for the core's environments (`Vec<Environment>` of an app).
type Environment = EnvironmentInfo;

result_record!(Secret => core_record { #[derive(Debug, Clone, PartialEq, Eq)] });
result_record!(Environment => core_record { #[derive(Debug, Clone, PartialEq, Eq)] });
result_record!(App => core_record { #[derive(Debug, Clone, PartialEq, Eq)] });
result_record!(Change => core_record { #[derive(Debug, Clone, Default, PartialEq, Eq)] });
result_record!(Stats => core_record { #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)] });

impl Change {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}
