//! The uniffi face (Swift): `PhaseClient` with async throwing methods, records for options and
//! results, `PhaseError` (a case per family of codes), a `Watcher` object per watch, and the
//! cloud identity logins as free functions returning a `PhaseClient`. Futures run on the core's
//! process-wide runtime; dropping one (a cancelled Swift task) aborts the core's work.

mod client;
mod error;
mod login;
mod task;
mod watch;

pub use client::PhaseClient;
pub use error::{ErrorFamilyInfo, PhaseError, error_codes, error_families};
pub use login::{login_aws_iam, login_azure};
pub use watch::Watcher;

use crate::types::{self, LogRecord};

/// Takes the diagnostics the core logged since the last drain, oldest first: warnings always
/// (e.g. TLS verification turned off), one `info` record per request for clients created with
/// `debug`. Records are process-wide; Swift forwards them to `os.Logger` after its calls.
#[uniffi::export]
pub fn drain_logs() -> Vec<LogRecord> {
    types::drain_logs()
}
