//! The Phase HTTP API as data: wire models (serde) and the mapping of error responses to
//! [`crate::Error`]. This layer knows nothing of bindings.

mod decode;
mod errors;
pub mod wire;

pub use decode::decode_json;
pub use errors::{error_from_response, parse_retry_after};
