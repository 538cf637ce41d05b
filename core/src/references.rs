//! Secret references (PROTOCOL §5.8): `${KEY}`, `${/path/KEY}`, `${env.KEY}`,
//! `${env./path/KEY}`, `${app::env.KEY}`. Parsing follows the Go SDK v2.4 exactly; resolution
//! is done by the client, which serves references from secrets already in memory and fetches
//! every other (app, environment, path) once per call.

use std::ops::Range;

use crate::error::{Error, ErrorCode, Result};

/// A parsed reference. `app` and `env` are `None` for "the secret's own".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub app: Option<String>,
    pub env: Option<String>,
    /// A normalized folder path, `/` for the root.
    pub path: String,
    pub key: String,
}

/// Finds every `${...}` in a value (the Go SDK's `\$\{([^}]+)\}`): the byte range of the whole
/// reference and its body. `${{X}}` yields the body `{X`, which never resolves.
pub fn find(value: &str) -> Vec<(Range<usize>, &str)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = value[from..].find("${") {
        let start = from + offset;
        let body_start = start + 2;
        match value[body_start..].find('}') {
            Some(0) => from = body_start,
            Some(len) => {
                found.push((
                    start..body_start + len + 1,
                    &value[body_start..body_start + len],
                ));
                from = body_start + len + 1;
            }
            None => break,
        }
    }
    found
}

/// Parses a reference body: `::` splits the app (first occurrence), `.` the environment (first
/// occurrence after the app), and the last `/` the path from the key.
pub fn parse(body: &str) -> Result<Reference> {
    let (app, rest) = match body.split_once("::") {
        Some((app, rest)) => (Some(app.to_owned()), rest),
        None => (None, body),
    };
    let (env, rest) = match rest.split_once('.') {
        Some((env, rest)) => (Some(env.to_owned()), rest),
        None => (None, rest),
    };
    if app.is_some() && env.as_deref().is_none_or(str::is_empty) {
        return Err(Error::new(
            ErrorCode::ReferenceUnresolved,
            format!(
                "${{{body}}}: cross-app references must specify an environment (${{app::env.KEY}})"
            ),
        ));
    }
    let (path, key) = match rest.rsplit_once('/') {
        Some((path, key)) => (normalize_path(path), key.to_owned()),
        None => ("/".to_owned(), rest.to_owned()),
    };
    Ok(Reference {
        app,
        env,
        path,
        key,
    })
}

/// The Go SDK's `normalizePath`: `""` -> `/`, a leading `/` added, trailing slashes removed.
pub fn normalize_path(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else if trimmed.starts_with('/') {
        trimmed.to_owned()
    } else {
        format!("/{trimmed}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(app: Option<&str>, env: Option<&str>, path: &str, key: &str) -> Reference {
        Reference {
            app: app.map(Into::into),
            env: env.map(Into::into),
            path: path.into(),
            key: key.into(),
        }
    }

    #[test]
    fn parses_every_form_like_the_go_sdk() {
        assert_eq!(parse("KEY").unwrap(), r(None, None, "/", "KEY"));
        assert_eq!(
            parse("staging.DEBUG").unwrap(),
            r(None, Some("staging"), "/", "DEBUG")
        );
        assert_eq!(
            parse("prod./frontend/SECRET_KEY").unwrap(),
            r(None, Some("prod"), "/frontend", "SECRET_KEY")
        );
        assert_eq!(
            parse("/backend/payments/STRIPE_KEY").unwrap(),
            r(None, None, "/backend/payments", "STRIPE_KEY")
        );
        assert_eq!(parse("/KEY").unwrap(), r(None, None, "/", "KEY"));
        assert_eq!(
            parse("backend_api::production.KEY").unwrap(),
            r(Some("backend_api"), Some("production"), "/", "KEY")
        );
        assert_eq!(
            parse("backend_api::production./frontend/SECRET_KEY").unwrap(),
            r(
                Some("backend_api"),
                Some("production"),
                "/frontend",
                "SECRET_KEY"
            )
        );
        let err = parse("backend_api::SECRET_KEY").unwrap_err();
        assert!(
            err.message()
                .contains("cross-app references must specify an environment")
        );
    }

    #[test]
    fn normalizes_paths_like_the_go_sdk() {
        for (input, want) in [
            ("", "/"),
            ("backend", "/backend"),
            ("/backend/", "/backend"),
            ("/a//", "/a"),
        ] {
            assert_eq!(normalize_path(input), want);
        }
    }

    #[test]
    fn finds_references_but_leaves_double_braces_unresolvable() {
        let value =
            "A=${KEY};B=${staging.DEBUG};C=${/backend/payments/STRIPE_KEY};R=${{RAILWAY}};E=${}";
        let bodies: Vec<&str> = find(value).into_iter().map(|(_, b)| b).collect();
        assert_eq!(
            bodies,
            [
                "KEY",
                "staging.DEBUG",
                "/backend/payments/STRIPE_KEY",
                "{RAILWAY"
            ]
        );
        let (range, _) = &find("x${K}y")[0];
        assert_eq!(&"x${K}y"[range.clone()], "${K}");
    }
}
