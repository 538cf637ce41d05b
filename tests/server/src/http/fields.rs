//! Fields of the JSON items that writes send, read the same way by the E2E and the public API.

use serde_json::Value;

/// A text field, `None` when absent or not text.
pub fn text<'a>(item: &'a Value, name: &str) -> Option<&'a str> {
    item.get(name).and_then(Value::as_str)
}

/// A list of texts (tags), `None` when absent or not a list; entries that are not text are
/// skipped.
pub fn text_list(item: &Value, name: &str) -> Option<Vec<String>> {
    let list = item.get(name)?.as_array()?;
    Some(
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}
