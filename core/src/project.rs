//! The project link that the official CLI's `phase init` writes to `.phase.json`, and the scope
//! (app and environment) a command line uses: flags first, then `PHASE_APP`/`PHASE_ENV`, then
//! `.phase.json`.
//!
//! `.phase.json` (version 2) is `{"version": "2", "phaseApp": name, "appId": id, "defaultEnv":
//! name, "envId": id, "monorepoSupport": bool}`. It is looked up in the working directory and
//! then in up to `PHASE_CONFIG_PARENT_DIR_SEARCH_DEPTH` (default 8) parent directories; a file
//! in a parent directory counts only when its `monorepoSupport` is true, as in the official CLI.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::client::AppRef;
use crate::error::{Error, ErrorCode, Result};

pub const PROJECT_FILE: &str = ".phase.json";

/// How many parent directories are searched when `PHASE_CONFIG_PARENT_DIR_SEARCH_DEPTH` is not
/// set (the official CLI's default).
pub const DEFAULT_SEARCH_DEPTH: usize = 8;

/// The environment used when nothing names one, as in the official CLI.
pub const DEFAULT_ENVIRONMENT: &str = "Development";

/// The contents of a `.phase.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectConfig {
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub phase_app: Option<String>,
    #[serde(default)]
    pub app_id: Option<String>,
    #[serde(default)]
    pub default_env: Option<String>,
    #[serde(default)]
    pub env_id: Option<String>,
    #[serde(default)]
    pub monorepo_support: bool,
}

impl ProjectConfig {
    /// Reads one `.phase.json`; a file that is not such JSON is an `invalid_input` error naming
    /// it.
    pub fn read(path: &Path) -> Result<ProjectConfig> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::new(
                ErrorCode::InvalidInput,
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        serde_json::from_str(&text).map_err(|e| {
            Error::new(
                ErrorCode::InvalidInput,
                format!("{} is not a valid project file: {e}", path.display()),
            )
        })
    }

    /// The nearest `.phase.json` that applies to `start`: the one in `start` itself, or in one of
    /// its first `depth` parents when that one has `monorepoSupport`. Returns its path too.
    pub fn find(start: &Path, depth: usize) -> Result<Option<(PathBuf, ProjectConfig)>> {
        for (level, dir) in start.ancestors().take(depth + 1).enumerate() {
            let candidate = dir.join(PROJECT_FILE);
            if !candidate.is_file() {
                continue;
            }
            let config = ProjectConfig::read(&candidate)?;
            if level == 0 || config.monorepo_support {
                return Ok(Some((candidate, config)));
            }
        }
        Ok(None)
    }

    /// [`ProjectConfig::find`] from the working directory, as deep as
    /// `PHASE_CONFIG_PARENT_DIR_SEARCH_DEPTH` says.
    pub fn discover() -> Result<Option<(PathBuf, ProjectConfig)>> {
        let cwd = std::env::current_dir().map_err(|e| {
            Error::new(
                ErrorCode::InvalidInput,
                format!("cannot read the working directory: {e}"),
            )
        })?;
        let depth = search_depth(std::env::var("PHASE_CONFIG_PARENT_DIR_SEARCH_DEPTH").ok())?;
        ProjectConfig::find(&cwd, depth)
    }
}

/// The search depth from the value of `PHASE_CONFIG_PARENT_DIR_SEARCH_DEPTH`.
pub fn search_depth(value: Option<String>) -> Result<usize> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(DEFAULT_SEARCH_DEPTH),
        Some(text) => text.parse().map_err(|_| {
            Error::new(
                ErrorCode::InvalidInput,
                format!(
                    "PHASE_CONFIG_PARENT_DIR_SEARCH_DEPTH must be a whole number, not {text:?}"
                ),
            )
        }),
    }
}

/// What the command line said about the scope, before the environment and `.phase.json`.
#[derive(Debug, Clone, Default)]
pub struct ScopeFlags {
    pub app: Option<String>,
    pub app_id: Option<String>,
    pub env: Option<String>,
}

/// The app and environment a command works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub app: AppRef,
    /// A name, or an id (ids win over names in selection).
    pub env: String,
}

impl Scope {
    /// Flags win; then `PHASE_APP` and `PHASE_ENV` (read through `var`); then the project file.
    /// An app from flags or the environment makes the project's app and default environment
    /// irrelevant (they belong together); without any app, the project's `appId` (else
    /// `phaseApp`) is used with its `envId` (else `defaultEnv`). The environment defaults to
    /// `Development`.
    pub fn resolve(
        flags: ScopeFlags,
        var: impl Fn(&str) -> Option<String>,
        project: Option<&ProjectConfig>,
    ) -> Result<Scope> {
        let non_empty = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        let env = non_empty(flags.env).or_else(|| non_empty(var("PHASE_ENV")));
        let named = non_empty(flags.app_id)
            .map(AppRef::Id)
            .or_else(|| non_empty(flags.app).map(AppRef::Name))
            .or_else(|| non_empty(var("PHASE_APP")).map(AppRef::Name));
        if let Some(app) = named {
            let env = env.unwrap_or_else(|| DEFAULT_ENVIRONMENT.to_owned());
            return Ok(Scope { app, env });
        }
        let Some(project) = project else {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "no app given: pass --app or --app-id, set PHASE_APP, or link the directory with `phase init` (.phase.json)",
            ));
        };
        let app = non_empty(project.app_id.clone())
            .map(AppRef::Id)
            .or_else(|| non_empty(project.phase_app.clone()).map(AppRef::Name))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidInput,
                    "the project file (.phase.json) names no app (appId or phaseApp)",
                )
            })?;
        let env = env
            .or_else(|| non_empty(project.env_id.clone()))
            .or_else(|| non_empty(project.default_env.clone()))
            .unwrap_or_else(|| DEFAULT_ENVIRONMENT.to_owned());
        Ok(Scope { app, env })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> ProjectConfig {
        serde_json::from_str(
            r#"{"version": "2", "phaseApp": "shop", "appId": "a-1", "defaultEnv": "Staging",
                "envId": "e-2", "monorepoSupport": false}"#,
        )
        .unwrap()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn reads_what_phase_init_writes() {
        let p = project();
        assert_eq!(p.app_id.as_deref(), Some("a-1"));
        assert_eq!(p.phase_app.as_deref(), Some("shop"));
        assert_eq!(p.default_env.as_deref(), Some("Staging"));
        assert_eq!(p.env_id.as_deref(), Some("e-2"));
        assert!(!p.monorepo_support);
    }

    #[test]
    fn flags_win_over_the_environment_which_wins_over_the_project() {
        let flags = ScopeFlags {
            app: Some("flag-app".into()),
            app_id: None,
            env: Some("Production".into()),
        };
        let env = |name: &str| match name {
            "PHASE_APP" => Some("env-app".to_owned()),
            "PHASE_ENV" => Some("Staging".to_owned()),
            _ => None,
        };
        let scope = Scope::resolve(flags, env, Some(&project())).unwrap();
        assert_eq!(scope.app, AppRef::name("flag-app"));
        assert_eq!(scope.env, "Production");

        let scope = Scope::resolve(ScopeFlags::default(), env, Some(&project())).unwrap();
        assert_eq!(scope.app, AppRef::name("env-app"));
        assert_eq!(scope.env, "Staging");

        let scope = Scope::resolve(ScopeFlags::default(), no_env, Some(&project())).unwrap();
        assert_eq!(scope.app, AppRef::id("a-1"));
        assert_eq!(scope.env, "e-2");

        let only_env = |name: &str| (name == "PHASE_ENV").then(|| "Production".to_owned());
        let scope = Scope::resolve(ScopeFlags::default(), only_env, Some(&project())).unwrap();
        assert_eq!(scope.app, AppRef::id("a-1"));
        assert_eq!(scope.env, "Production");
    }

    #[test]
    fn without_any_app_the_error_says_where_one_comes_from() {
        let error = Scope::resolve(ScopeFlags::default(), no_env, None).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidInput);
        assert!(error.message().contains("--app"), "{error}");
        let flags = ScopeFlags {
            app: Some("shop".into()),
            ..ScopeFlags::default()
        };
        let scope = Scope::resolve(flags, no_env, None).unwrap();
        assert_eq!(scope.env, DEFAULT_ENVIRONMENT);
    }

    #[test]
    fn parent_directories_count_only_with_monorepo_support() {
        let root = std::env::temp_dir().join(format!("phasekit-project-{}", std::process::id()));
        let child = root.join("a/b");
        std::fs::create_dir_all(&child).unwrap();
        let write = |monorepo: bool| {
            std::fs::write(
                root.join(PROJECT_FILE),
                format!(r#"{{"version":"2","phaseApp":"shop","appId":"a-1","defaultEnv":"Development","envId":"e","monorepoSupport":{monorepo}}}"#),
            )
            .unwrap()
        };
        write(false);
        assert_eq!(ProjectConfig::find(&child, 8).unwrap(), None);
        assert!(ProjectConfig::find(&root, 8).unwrap().is_some());
        write(true);
        let (path, found) = ProjectConfig::find(&child, 8).unwrap().unwrap();
        assert_eq!(path, root.join(PROJECT_FILE));
        assert_eq!(found.app_id.as_deref(), Some("a-1"));
        assert_eq!(
            ProjectConfig::find(&child, 1).unwrap(),
            None,
            "depth 1 stops at a/"
        );
        std::fs::write(root.join(PROJECT_FILE), "not json").unwrap();
        let error = ProjectConfig::find(&root, 0).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidInput);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn search_depth_is_a_whole_number() {
        assert_eq!(search_depth(None).unwrap(), DEFAULT_SEARCH_DEPTH);
        assert_eq!(search_depth(Some("3".into())).unwrap(), 3);
        assert!(search_depth(Some("three".into())).is_err());
    }
}
