//! Python arguments -> core options. Validation errors are `InvalidInputError`s.

use std::path::PathBuf;

use phasekit::{AppRef, ClientOptions, NewSecret, SettingValue};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyDictMethods};

use crate::errors::{invalid, to_py};

/// `app=` (a name) or `app_id=`; the id wins.
pub fn app_ref(app: Option<String>, app_id: Option<String>) -> PyResult<AppRef> {
    AppRef::from_parts(app, app_id).map_err(to_py)
}

/// The client settings of `Client(token, host, **settings)` and the logins, read by the core's
/// table of settings (`ClientOptions::SETTINGS`): a setting added in the core is a keyword
/// argument here without a change. Python types are checked here (TypeError, as for any
/// argument); the values' rules are the core's (InvalidInputError), checked before any request.
pub fn client_options(
    token: Option<String>,
    host: Option<String>,
    settings: Option<&Bound<'_, PyDict>>,
) -> PyResult<ClientOptions> {
    let mut options = ClientOptions {
        token,
        host,
        ..ClientOptions::default()
    };
    for (name, value) in settings.into_iter().flat_map(|dict| dict.iter()) {
        let name: String = name.extract()?;
        let setting = ClientOptions::SETTINGS
            .iter()
            .find(|setting| setting.name == name && setting.name != "host")
            .ok_or_else(|| PyTypeError::new_err(format!("unexpected keyword argument '{name}'")))?;
        if value.is_none() {
            continue;
        }
        let typed = |expected: &str| {
            let found = value
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            PyTypeError::new_err(format!("{name} must be {expected}, not {found}"))
        };
        let value = match setting.kind {
            "seconds" => SettingValue::Number(value.extract().map_err(|_| typed("a number"))?),
            // Taken as a wide integer so that an oversized value meets the core's range check
            // (InvalidInputError) rather than an OverflowError.
            "count" | "bytes" => {
                SettingValue::Number(value.extract::<i128>().map_err(|_| typed("an int"))? as f64)
            }
            "flag" => SettingValue::Flag(value.extract().map_err(|_| typed("a bool"))?),
            "path" => {
                let path: PathBuf = value.extract().map_err(|_| typed("a str or os.PathLike"))?;
                // The core takes paths as text; a path that is not UTF-8 would have to be
                // mangled to become text, and then name another file.
                SettingValue::Text(
                    path.into_os_string()
                        .into_string()
                        .map_err(|_| invalid(format!("{name} must be a UTF-8 path")))?,
                )
            }
            _ => SettingValue::Text(value.extract().map_err(|_| typed("a str"))?),
        };
        options.set(&name, value).map_err(to_py)?;
    }
    options.validate().map_err(to_py)?;
    Ok(options)
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
