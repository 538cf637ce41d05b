//! The Phase HTTP API as data: wire models (serde) and the mapping of error responses to
//! [`crate::Error`]. This layer knows nothing of bindings.

mod decode;
mod errors;
pub mod wire;

pub use decode::decode_json;
pub use errors::{error_from_response, parse_retry_after};

/// `8-4-4-4-12` hexadecimal digits: the shape of the ids Phase gives accounts, apps and
/// environments.
pub(crate) fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}
