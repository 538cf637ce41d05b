//! App and environment selection (PROTOCOL §5.1), stricter than the official SDKs: an id wins;
//! a name matches exactly (ignoring case) first, then by Phase's substring rule; several equally
//! good candidates are an `ambiguous` error that names them.

use crate::api::wire::{AppKeys, EnvironmentKey};
use crate::error::{Error, ErrorCode, Result};

/// Which app to use: by id, or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppRef {
    Id(String),
    Name(String),
}

impl AppRef {
    pub fn id(id: impl Into<String>) -> Self {
        AppRef::Id(id.into())
    }

    pub fn name(name: impl Into<String>) -> Self {
        AppRef::Name(name.into())
    }

    /// The app as bindings receive it: a name (`app`), an id (`app_id`), or both (the id
    /// wins); at least one. The error names them neutrally (see `Error::with_naming`).
    pub fn from_parts(name: Option<String>, id: Option<String>) -> Result<Self> {
        match (name, id) {
            (_, Some(id)) => Ok(AppRef::Id(id)),
            (Some(name), None) => Ok(AppRef::Name(name)),
            (None, None) => Err(Error::new(
                ErrorCode::InvalidInput,
                "give the app by name (`app`) or by id (`app_id`)",
            )),
        }
    }
}

pub fn select_app<'a>(apps: &'a [AppKeys], wanted: &AppRef) -> Result<&'a AppKeys> {
    match wanted {
        AppRef::Id(id) => apps.iter().find(|a| &a.id == id).ok_or_else(|| {
            Error::new(
                ErrorCode::AppNotFound,
                format!("no app with id {id} is accessible to this token"),
            )
        }),
        AppRef::Name(name) => {
            select_by_name(apps, name, |a| &a.name, "app", ErrorCode::AppNotFound)
        }
    }
}

pub fn select_environment<'a>(app: &'a AppKeys, name: &str) -> Result<&'a EnvironmentKey> {
    if let Some(by_id) = app
        .environment_keys
        .iter()
        .find(|k| k.environment.id == name)
    {
        return Ok(by_id);
    }
    select_by_name(
        &app.environment_keys,
        name,
        |k| &k.environment.name,
        "environment",
        ErrorCode::EnvNotFound,
    )
    .map_err(|e| {
        if e.code() == ErrorCode::EnvNotFound {
            e.context(format_args!("in app {}", app.name))
        } else {
            e
        }
    })
}

/// Exact (case-insensitive) match wins; otherwise the candidates containing the name, of which
/// the shortest wins (Phase's rule), unless several share that length.
fn select_by_name<'a, T>(
    items: &'a [T],
    wanted: &str,
    name_of: impl Fn(&T) -> &String,
    what: &str,
    not_found: ErrorCode,
) -> Result<&'a T> {
    let wanted_lower = wanted.to_lowercase();
    if wanted_lower.is_empty() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            format!("the {what} name is empty"),
        ));
    }
    let exact: Vec<&T> = items
        .iter()
        .filter(|i| name_of(i).to_lowercase() == wanted_lower)
        .collect();
    let candidates = if exact.is_empty() {
        let partial: Vec<&T> = items
            .iter()
            .filter(|i| name_of(i).to_lowercase().contains(&wanted_lower))
            .collect();
        let shortest = partial.iter().map(|i| name_of(i).chars().count()).min();
        partial
            .into_iter()
            .filter(|i| Some(name_of(i).chars().count()) == shortest)
            .collect()
    } else {
        exact
    };
    match candidates.as_slice() {
        [one] => Ok(one),
        [] => {
            let known: Vec<&str> = items.iter().map(|i| name_of(i).as_str()).collect();
            Err(Error::new(
                not_found,
                format!(
                    "no {what} matches {wanted:?} (accessible: {})",
                    known.join(", ")
                ),
            ))
        }
        many => {
            let names: Vec<&str> = many.iter().map(|i| name_of(i).as_str()).collect();
            Err(Error::new(
                ErrorCode::Ambiguous,
                format!(
                    "{wanted:?} matches several {what}s equally: {}",
                    names.join(", ")
                ),
            ))
        }
    }
}
