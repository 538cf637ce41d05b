//! JSON decoding whose errors never quote the response: a wrong-typed field could hold a
//! secret, and serde's messages repeat the offending value.

use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorCode, Result};

/// Decodes a response body. `what` names the endpoint in the error message.
pub fn decode_json<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(body).map_err(|err| {
        let detail = describe(&err);
        Error::new(
            ErrorCode::Protocol,
            format!(
                "unexpected response from {what}: {detail} (line {}, column {})",
                err.line(),
                err.column()
            ),
        )
    })
}

fn describe(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match err.classify() {
        Category::Io => "the body could not be read".to_owned(),
        Category::Eof => "the body ends early".to_owned(),
        Category::Syntax => "the body is not valid JSON".to_owned(),
        Category::Data => {
            // "missing field `name`" names only a field of ours; every other data message may
            // quote a value from the body, so it is replaced by a generic one.
            let text = err.to_string();
            match text
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split_once('`'))
            {
                Some((field, _)) => format!("missing field '{field}'"),
                None => "a field is missing or has the wrong type".to_owned(),
            }
        }
    }
}
