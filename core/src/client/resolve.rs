//! Reference resolution for `get` (Go SDK v2.4 semantics, PROTOCOL §5.8.2), with two
//! differences that save requests and avoid surprises: secrets already in memory are never
//! fetched again, and app/environment names in references use the client's selection rules
//! (an exact name wins over a substring). Each other (app, environment, path) is fetched once.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::select::{AppRef, select_app, select_environment};
use super::session::Session;
use crate::error::{Error, ErrorCode, Result};
use crate::references::{self, Reference};
use crate::secret_string::{SecretString, SecretText};
use crate::secrets::Secret;
use zeroize::Zeroizing;

/// Nested references deeper than this are treated as unresolvable (cycles are caught earlier).
const MAX_DEPTH: usize = 32;

/// (app id, environment id, path): one folder of one environment.
pub type Folder = (String, String, String);

#[derive(Debug, Clone)]
pub struct Scope {
    pub app_id: String,
    pub env_id: String,
}

/// What is known: the values of folders (or whole environments) that are fully loaded.
#[derive(Debug, Default)]
pub struct Index {
    values: HashMap<(Folder, String), SecretString>,
    loaded_folders: HashSet<Folder>,
    loaded_envs: HashSet<(String, String)>,
}

enum Lookup<'a> {
    Found(&'a SecretString),
    Missing,
    NotLoaded,
}

impl Index {
    /// Adds the secrets of one fetch. `whole_env`: the fetch covered every folder; otherwise
    /// `path`: it covered that folder (with no key or tag filter).
    pub fn add(&mut self, scope: &Scope, secrets: &[Secret], coverage: Coverage) {
        for secret in secrets {
            let folder = (
                scope.app_id.clone(),
                scope.env_id.clone(),
                references::normalize_path(&secret.path),
            );
            self.values
                .insert((folder, secret.key.clone()), secret.value.clone());
        }
        match coverage {
            Coverage::Environment => {
                self.loaded_envs
                    .insert((scope.app_id.clone(), scope.env_id.clone()));
            }
            Coverage::Folder(path) => {
                self.loaded_folders.insert((
                    scope.app_id.clone(),
                    scope.env_id.clone(),
                    references::normalize_path(&path),
                ));
            }
            Coverage::Partial => {}
        }
    }

    fn lookup(&self, folder: &Folder, key: &str) -> Lookup<'_> {
        if let Some(value) = self.values.get(&(folder.clone(), key.to_owned())) {
            return Lookup::Found(value);
        }
        let env = (folder.0.clone(), folder.1.clone());
        if self.loaded_envs.contains(&env) || self.loaded_folders.contains(folder) {
            Lookup::Missing
        } else {
            Lookup::NotLoaded
        }
    }
}

/// How much of an environment a fetch returned.
pub enum Coverage {
    Environment,
    Folder(String),
    /// Filtered by keys or tag: absence proves nothing.
    Partial,
}

pub struct Pass<'a> {
    pub session: &'a Session,
    pub index: &'a Index,
    pub strict: bool,
    /// Folders that must be fetched before another pass can resolve more.
    pub needed: BTreeSet<Folder>,
}

impl Pass<'_> {
    /// Resolves the references of one value; references whose folder is not loaded yet are
    /// recorded in `needed` and kept as written for now. Values are secrets: every buffer that
    /// holds one, the result included, is wiped when dropped.
    pub fn resolve(&mut self, value: &str, scope: &Scope) -> Result<Zeroizing<String>> {
        self.resolve_at(value, scope, &mut Vec::new())
    }

    fn resolve_at(
        &mut self,
        value: &str,
        scope: &Scope,
        visited: &mut Vec<String>,
    ) -> Result<Zeroizing<String>> {
        let found = references::find(value);
        if found.is_empty() {
            return Ok(Zeroizing::new(value.to_owned()));
        }
        let mut out = SecretText::with_capacity(value.len());
        let mut last = 0;
        for (range, body) in found {
            out.push_str(&value[last..range.start]);
            last = range.end;
            let literal = &value[range.clone()];
            match self.resolve_one(body, scope, visited)? {
                Some(resolved) => out.push_str(&resolved),
                None => out.push_str(literal),
            }
        }
        out.push_str(&value[last..]);
        Ok(out.into_inner())
    }

    fn resolve_one(
        &mut self,
        body: &str,
        scope: &Scope,
        visited: &mut Vec<String>,
    ) -> Result<Option<Zeroizing<String>>> {
        let target =
            match references::parse(body).and_then(|r| self.target(&r, scope).map(|t| (r, t))) {
                Ok(target) => target,
                Err(err) if self.strict => {
                    let message = format!(
                        "reference ${{{body}}} could not be resolved: {}",
                        err.message()
                    );
                    return Err(Error::new(ErrorCode::ReferenceUnresolved, message));
                }
                Err(_) => return Ok(None),
            };
        let (reference, (target_scope, folder)) = target;
        let canonical = format!("{}|{}|{}|{}", folder.0, folder.1, folder.2, reference.key);
        if visited.contains(&canonical) {
            return Err(Error::new(
                ErrorCode::ReferenceCycle,
                format!("circular reference detected: ${{{body}}}"),
            ));
        }
        if visited.len() >= MAX_DEPTH {
            return Err(Error::new(
                ErrorCode::ReferenceCycle,
                format!("references nest deeper than {MAX_DEPTH} at ${{{body}}}"),
            ));
        }
        let value = match self.index.lookup(&folder, &reference.key) {
            Lookup::Found(value) => Zeroizing::new(value.expose().to_owned()),
            Lookup::Missing if self.strict => {
                return Err(Error::new(
                    ErrorCode::ReferenceUnresolved,
                    format!("reference ${{{body}}} could not be resolved"),
                ));
            }
            Lookup::Missing => return Ok(None),
            Lookup::NotLoaded => {
                self.needed.insert(folder);
                return Ok(None);
            }
        };
        visited.push(canonical);
        let resolved = self.resolve_at(&value, &target_scope, visited);
        visited.pop();
        resolved.map(Some)
    }

    /// The app, environment and folder a reference points to, from the session's data.
    fn target(&self, reference: &Reference, scope: &Scope) -> Result<(Scope, Folder)> {
        let apps = &self.session.data.apps;
        let app = match &reference.app {
            Some(name) => select_app(apps, &AppRef::Name(name.clone()))?,
            None => select_app(apps, &AppRef::Id(scope.app_id.clone()))?,
        };
        let env_id = match &reference.env {
            Some(name) => select_environment(app, name)?.environment.id.clone(),
            None => scope.env_id.clone(),
        };
        let target = Scope {
            app_id: app.id.clone(),
            env_id: env_id.clone(),
        };
        Ok((target, (app.id.clone(), env_id, reference.path.clone())))
    }
}
