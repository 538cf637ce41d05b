//! phasekit for Go and Swift: one library, two faces over the same core client.
//!
//! - [`c_api`]: a small hand-written `extern "C"` API (header `include/phasekit.h`, made by
//!   cbindgen) that Go links statically through cgo. Requests and results cross as JSON, one
//!   string each way per call; every call can be cancelled from the caller's side.
//! - [`uniffi_api`]: uniffi exports (async methods, a `PhaseError` enum) from which Swift sources,
//!   header and modulemap are generated.
//!
//! Both only translate types, errors and async; every rule lives in the `phasekit` crate.

pub mod c_api;
mod types;
pub mod uniffi_api;

uniffi::setup_scaffolding!();
