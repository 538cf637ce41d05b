//! phasekit: a client core for Phase (phase.dev), the open-source end-to-end-encrypted secrets
//! manager. Layers, from the bottom: `token` -> `crypto` -> `keyring` -> `api` (wire) ->
//! `secrets`; bindings for Python, Node, Go and Swift only translate.

pub mod api;
pub mod client;
pub mod crypto;
pub mod dotenv;
pub mod error;
pub mod export;
pub mod identity;
pub mod keyring;
pub mod logs;
pub mod offline;
mod percent;
pub mod project;
pub mod random_value;
pub mod records;
pub mod references;
pub mod secret_string;
pub mod secrets;
pub mod stats;
pub mod tls;
pub mod token;
pub mod transport;
pub mod utc;

pub use client::{
    AppInfo, AppRef, BlockingClient, CachePolicy, Change, Client, ClientBuilder, ClientOptions,
    EnvironmentInfo, GetOptions, GetResult, NewSecret, RetryPolicy, SecretUpdate, Setting,
    SettingValue, Source, Watch, WatchPolicy,
};
pub use error::{Error, ErrorCode, ErrorFamily, Naming, Result};
pub use export::{ExportFormat, export};
pub use offline::OfflineMode;
pub use project::{ProjectConfig, Scope, ScopeFlags};
pub use secret_string::SecretString;
pub use secrets::Secret;
pub use stats::StatsSnapshot;
pub use token::{Token, TokenKind};
