//! phasekit for Go and Swift: one library, two faces over the same core client.
//!
//! - [`c`]: a typed `extern "C"` API, a function per operation with C structs in and out
//!   (header `go/include/phasekit.h`, made by cbindgen), that Go links statically through cgo;
//!   every call can be cancelled from the caller's side.
//! - [`swift`]: uniffi exports (async methods, a `PhaseError` enum keyed by family) from which
//!   Swift sources, header and modulemap are generated.
//!
//! Both only translate values, errors and async ([`types`] holds what they share); every rule
//! lives in the `phasekit` crate.

pub mod c;
pub mod swift;
mod types;

uniffi::setup_scaffolding!();
