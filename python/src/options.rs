//! Python arguments -> core options. Validation errors are `InvalidInputError`s.

use std::time::Duration;

use phasekit::{AppRef, NewSecret};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyDictMethods};

use crate::errors::{invalid, to_py};

/// `app=` (a name) or `app_id=`; the id wins.
pub fn app_ref(app: Option<String>, app_id: Option<String>) -> PyResult<AppRef> {
    AppRef::from_parts(app, app_id).map_err(to_py)
}

/// One `{"key", "value", "comment"?, "tags"?, "path"?, "type"?, "override"?}` mapping.
pub fn new_secret(item: &Bound<'_, PyAny>) -> PyResult<NewSecret> {
    let dict = item
        .cast::<PyDict>()
        .map_err(|_| invalid("each secret to create is a dict with at least key and value"))?;
    for name in dict.keys() {
        let name: String = name.extract()?;
        if ![
            "key", "value", "comment", "tags", "path", "type", "override",
        ]
        .contains(&name.as_str())
        {
            return Err(invalid(format!(
                "unknown field {name:?} in a secret to create"
            )));
        }
    }
    let text = |name: &str| -> PyResult<Option<String>> {
        match dict.get_item(name)? {
            None => Ok(None),
            Some(value) if value.is_none() => Ok(None),
            Some(value) => value
                .extract()
                .map(Some)
                .map_err(|_| invalid(format!("{name} must be a string"))),
        }
    };
    let key = text("key")?.ok_or_else(|| invalid("a secret to create needs a key"))?;
    let value = text("value")?.ok_or_else(|| invalid(format!("secret {key} needs a value")))?;
    let tags: Vec<String> = match dict.get_item("tags")? {
        None => Vec::new(),
        Some(value) if value.is_none() => Vec::new(),
        Some(value) => value
            .extract()
            .map_err(|_| invalid("tags must be a list of strings"))?,
    };
    Ok(NewSecret {
        key,
        value,
        comment: text("comment")?,
        tags,
        path: text("path")?,
        secret_type: text("type")?,
        override_value: text("override")?,
    })
}

/// A positive, finite number of seconds (the watch's interval and backoff cap).
pub fn seconds(name: &str, value: f64) -> PyResult<Duration> {
    match Duration::try_from_secs_f64(value) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        _ => Err(invalid(format!(
            "{name} must be a positive number of seconds"
        ))),
    }
}
