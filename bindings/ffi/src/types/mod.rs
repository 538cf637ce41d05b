//! The values both faces exchange with their host language, each declared once: uniffi records
//! for Swift, read from the C structs (or, for the settings, the JSON) that Go sends. They only
//! translate to and from the core's types; one file per domain.

mod errors;
mod login;
mod logs;
mod options;
mod records;
mod secret;

pub use errors::{ErrorInfo, panic_error};
pub use login::{AwsLogin, AzureLogin, login};
pub use logs::{LogRecord, drain_logs};
pub use options::{ClientOptions, GetOptions, WatchOptions};
pub use records::{App, Change, Environment, NewSecret, SecretChanges, Stats};
pub use secret::{GetResult, Secret, secrets};

/// `app` (a name) or `app_id`; the id wins.
pub fn app_ref(app: Option<String>, app_id: Option<String>) -> phasekit::Result<phasekit::AppRef> {
    phasekit::AppRef::from_parts(app, app_id)
}
