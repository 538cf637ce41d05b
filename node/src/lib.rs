//! Node.js binding of phasekit (napi-rs). It translates JavaScript arguments into the core's
//! options, core results into JavaScript values and core errors into `PhaseError`s; the core
//! does everything else (protocol, crypto, retries, caching).

mod arguments;
mod cli;
mod client;
mod environment;
mod errors;
mod logging;
mod login;
mod options;
mod promise;
mod realm;
mod typed_arguments;
mod types;
mod watch;

use napi::bindgen_prelude::{Env, Object, Result};

/// Runs once per JavaScript realm that loads the addon (the main thread and each worker
/// thread): defines the error classes and the `Secret` class of that realm and exports them.
#[napi_derive::napi(module_exports)]
pub fn init(mut exports: Object, env: Env) -> Result<()> {
    logging::enable(false);
    realm::define(&env, &mut exports)
}
