//! Corrupted answers for fault injection (`corrupt_next`): the body a successful request would
//! have had, spoiled the way `Corruption` says.

use bytes::Bytes;
use serde_json::Value;

use crate::faults::Corruption;

/// A captive portal or proxy error page, answered with 200.
const HTML_PAGE: &str = "<!doctype html>\n<html><head><title>Sign in</title></head>\
    <body><p>Please sign in to continue.</p></body></html>\n";

/// The content type and body to send instead of `value`.
pub fn corrupt(value: &Value, corruption: Corruption, huge_bytes: u64) -> (&'static str, Bytes) {
    const JSON: &str = "application/json";
    match corruption {
        Corruption::Truncate => {
            let whole = serde_json::to_vec(value).expect("JSON values serialize");
            // At least one byte goes, so even `{}` becomes invalid.
            let keep = (whole.len() / 2).min(whole.len().saturating_sub(1));
            (JSON, Bytes::from(whole).slice(..keep))
        }
        Corruption::NotJson => (
            "text/html; charset=utf-8",
            Bytes::from_static(HTML_PAGE.as_bytes()),
        ),
        Corruption::WrongShape => {
            let other = match value {
                Value::Array(_) => serde_json::json!({"detail": "unexpected"}),
                _ => serde_json::json!([]),
            };
            (JSON, to_bytes(&other))
        }
        Corruption::Tamper => {
            let mut tampered = value.clone();
            tamper(&mut tampered);
            (JSON, to_bytes(&tampered))
        }
        Corruption::Huge => {
            let size = usize::try_from(huge_bytes).unwrap_or(usize::MAX).max(2);
            let mut body = vec![b' '; size];
            body[0] = b'[';
            body[size - 1] = b']';
            (JSON, Bytes::from(body))
        }
    }
}

fn to_bytes(value: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec(value).expect("JSON values serialize"))
}

/// Changes one character of the ciphertext part of every `ph:v1:` string, keeping it valid
/// base64 so that only authentication can notice.
fn tamper(value: &mut Value) {
    match value {
        Value::String(text) if text.starts_with("ph:v1:") => {
            // The middle of the last part (the ciphertext): all six bits of a character there
            // are data, unlike the last ones before `=` padding.
            let start = text.rfind(':').map_or(0, |colon| colon + 1);
            let index = start + (text.len() - start) / 2;
            if text.is_char_boundary(index) && index < text.len() {
                let replacement = if text.as_bytes()[index] == b'A' {
                    "B"
                } else {
                    "A"
                };
                text.replace_range(index..=index, replacement);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tamper),
        Value::Object(fields) => fields.values_mut().for_each(tamper),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn truncation_makes_invalid_json() {
        for value in [json!({}), json!([1, 2, 3]), json!({"a": "b"})] {
            let (_, body) = corrupt(&value, Corruption::Truncate, 0);
            assert!(serde_json::from_slice::<Value>(&body).is_err(), "{value}");
        }
    }

    #[test]
    fn tampering_changes_only_ciphertexts() {
        let value = json!([{"key": "ph:v1:abcd:efgh", "path": "/"}]);
        let (_, body) = corrupt(&value, Corruption::Tamper, 0);
        let tampered: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(tampered[0]["path"], "/");
        assert_eq!(tampered[0]["key"], "ph:v1:abcd:efAh");
    }

    #[test]
    fn huge_is_a_valid_empty_list_of_the_given_size() {
        let (_, body) = corrupt(&json!([]), Corruption::Huge, 4096);
        assert_eq!(body.len(), 4096);
        assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), json!([]));
    }

    #[test]
    fn wrong_shape_swaps_lists_and_objects() {
        assert!(
            corrupt(&json!([]), Corruption::WrongShape, 0)
                .1
                .starts_with(b"{")
        );
        assert!(
            corrupt(&json!({}), Corruption::WrongShape, 0)
                .1
                .starts_with(b"[")
        );
    }
}
