//! phasekit for Go and Swift: one library, two faces over the same core client.
//!
//! - [`c_api`]: a small hand-written `extern "C"` API (header `go/include/phasekit.h`, made by
//!   cbindgen) that Go links statically through cgo. Requests cross as JSON; results as JSON,
//!   or, for answers that carry secrets, in a packed binary layout (`packed`) that Go slices
//!   instead of parsing; every call can be cancelled from the caller's side.
//! - [`uniffi_api`]: uniffi exports (async methods, a `PhaseError` enum) from which Swift sources,
//!   header and modulemap are generated.
//!
//! Both only translate types, errors and async; every rule lives in the `phasekit` crate.

pub mod c_api;
mod packed;
mod types;
pub mod uniffi_api;

uniffi::setup_scaffolding!();
