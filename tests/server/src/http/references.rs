//! Server-side reference resolution of the public API (PROTOCOL §5.8.5): `${KEY}`,
//! `${env.KEY}`, `${app::env.KEY}`, with paths (`${/db/KEY}`), looked up by key digest in
//! environments the caller may read, recursively up to depth 25. Unresolvable references are
//! left as they are; `${{…}}` is never touched.

use crate::world::{App, Environment, World};

const MAX_DEPTH: usize = 25;

pub struct Resolver<'a> {
    world: &'a World,
    account_id: &'a str,
}

struct Target<'a> {
    app: &'a App,
    env: &'a Environment,
}

impl<'a> Resolver<'a> {
    pub fn new(world: &'a World, account_id: &'a str) -> Self {
        Resolver { world, account_id }
    }

    pub fn resolve(&self, value: &str, app: &'a App, env: &'a Environment) -> String {
        self.resolve_at(value, Target { app, env }, 0, &mut Vec::new())
    }

    fn resolve_at(
        &self,
        value: &str,
        here: Target<'a>,
        depth: usize,
        stack: &mut Vec<String>,
    ) -> String {
        let mut out = String::with_capacity(value.len());
        let mut rest = value;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}');
            let body = end.map(|e| &after[..e]);
            match body {
                Some(body) if !body.is_empty() && !body.starts_with('{') && !body.contains('{') => {
                    let literal = &rest[start..start + 2 + body.len() + 1];
                    match self.lookup(body, &here, depth, stack) {
                        Some(resolved) => out.push_str(&resolved),
                        None => out.push_str(literal),
                    }
                    rest = &after[body.len() + 1..];
                }
                _ => {
                    out.push_str("${");
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn lookup(
        &self,
        body: &str,
        here: &Target<'a>,
        depth: usize,
        stack: &mut Vec<String>,
    ) -> Option<String> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let (app, rest) = match body.split_once("::") {
            Some((app_name, rest)) => {
                let mut matches = self
                    .world
                    .apps
                    .iter()
                    .filter(|a| a.name.eq_ignore_ascii_case(app_name));
                let app = matches.next()?;
                if matches.next().is_some() {
                    return None; // duplicate app names stay unresolved
                }
                if !rest.contains('.') {
                    return None; // cross-app references must name an environment
                }
                (app, rest)
            }
            None => (here.app, body),
        };
        let (env, path_key) = match rest.split_once('.') {
            Some((env_name, path_key)) => (
                app.environments
                    .iter()
                    .find(|e| e.name.eq_ignore_ascii_case(env_name))?,
                path_key,
            ),
            None => (here.env, rest),
        };
        if !app.sse || !self.world.can_read(self.account_id, &env.id) {
            return None;
        }
        let (path, key) = match path_key.rsplit_once('/') {
            Some((path, key)) => (crate::paths::normalize(path), key),
            None => ("/".to_owned(), path_key),
        };
        let canonical = format!("{}|{}|{}|{}", app.id, env.id, path, key);
        if stack.contains(&canonical) {
            return None;
        }
        let keys = self.world.server_keys(app, &env.id)?;
        let digest = keys.key_digest(key);
        let secret = env
            .live_secrets()
            .find(|s| s.path == path && s.key_digest == digest)?;
        let value = keys.decrypt(&secret.value).ok()?;
        stack.push(canonical);
        let resolved = self.resolve_at(&value, Target { app, env }, depth + 1, stack);
        stack.pop();
        Some(resolved)
    }
}
