//! The public REST API `/v1/secrets/` for apps with server-side encryption: plaintext in and
//! out (camelCase), references resolved by the server (PROTOCOL §4.5, §5.8.5).

use std::collections::HashSet;

use hyper::Method;
use phasekit::keyring::EnvironmentKeys;
use serde_json::{Value, json};

use super::Request;
use super::auth::{self, Caller, EnvRef, Query};
use super::render;
use super::reply::{Reply, camel_case};
use super::{dynamic, fields, references};
use crate::paths;
use crate::time;
use crate::world::{PersonalOverride, StoredSecret, World};

pub fn route(world: &mut World, rest: &str, request: &Request) -> Reply {
    let (caller, action, at) = match auth::authorize_request(world, request, not_allowed) {
        Ok(authorized) => authorized,
        Err(reply) => return reply,
    };
    if !world.apps[at.0].sse {
        return Reply::error(400, "SSE is not enabled for this App");
    }
    let Request {
        method,
        query,
        body,
        ..
    } = *request;
    match rest {
        "secrets/" => match action {
            "read" => list(world, &caller, at, query),
            "create" => create(world, &caller, at, body),
            "update" => update(world, &caller, at, body),
            _ => delete(world, at, body),
        },
        "secrets/dynamic/" if action == "read" => dynamic::public_list(world, &caller, at, query),
        "secrets/dynamic/leases/" => dynamic::leases(world, &caller, at, method, query, body),
        _ => Reply::not_found_page(),
    }
}

/// The public API's answer to a method it does not know.
fn not_allowed(method: &Method) -> Reply {
    Reply::error(405, format!("Method \"{method}\" not allowed."))
}

/// The keys the server encrypts an SSE environment's secrets with.
fn sse_keys(world: &World, at: EnvRef) -> &EnvironmentKeys {
    let app = &world.apps[at.0];
    world
        .server_keys(app, &app.environments[at.1].id)
        .expect("SSE apps have server keys")
}

fn list(world: &World, caller: &Caller, at: EnvRef, query: &Query) -> Reply {
    let app = &world.apps[at.0];
    let env = &app.environments[at.1];
    let keys = sse_keys(world, at);
    let path = query
        .get("path")
        .filter(|p| !p.is_empty())
        .map(paths::normalize);
    let digest = query.get("key").map(|k| keys.key_digest(&k.to_uppercase()));
    let tags: Option<Vec<&str>> = query
        .get("tags")
        .filter(|t| !t.is_empty())
        .map(|t| t.split(',').collect());
    let viewer = (caller.kind == phasekit::TokenKind::User).then_some(caller.account_id.as_str());
    let resolver = references::Resolver::new(world, &caller.account_id);
    let plain = |text: &str| {
        keys.decrypt(text)
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    let out: Vec<Value> = env
        .live_secrets()
        .filter(|s| path.as_deref().is_none_or(|p| s.path == p))
        .filter(|s| digest.as_deref().is_none_or(|d| s.key_digest == d))
        .filter(|s| {
            tags.as_ref()
                .is_none_or(|wanted| s.tags.iter().any(|t| wanted.contains(&t.as_str())))
        })
        .map(|s| {
            let mut item = render::secret(s, env, viewer, &plain);
            let resolved = resolver.resolve(item["value"].as_str().unwrap_or_default(), app, env);
            item["value"] = json!(resolved);
            item
        })
        .collect();
    Reply::ok(camel_case(Value::Array(out)))
}

fn items(body: &[u8]) -> Result<Vec<Value>, Reply> {
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|e| Reply::error(400, format!("JSON parse error - {e}")))?;
    match parsed.get("secrets") {
        Some(Value::Array(items)) if !items.is_empty() => Ok(items.clone()),
        _ => Err(Reply::error(400, "A non-empty 'secrets' list is required.")),
    }
}

fn rendered(world: &World, at: EnvRef, ids: &[String], caller: &Caller) -> Reply {
    let env = &world.apps[at.0].environments[at.1];
    let keys = sse_keys(world, at);
    let plain = |text: &str| {
        keys.decrypt(text)
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    let viewer = (caller.kind == phasekit::TokenKind::User).then_some(caller.account_id.as_str());
    let out: Vec<Value> = env
        .secrets
        .iter()
        .filter(|s| ids.contains(&s.id))
        .map(|s| render::secret(s, env, viewer, &plain))
        .collect();
    Reply::ok(camel_case(Value::Array(out)))
}

fn create(world: &mut World, caller: &Caller, at: EnvRef, body: &[u8]) -> Reply {
    let items = match items(body) {
        Ok(items) => items,
        Err(reply) => return reply,
    };
    // A copy: the environment is changed while the keys are in use.
    let keys = sse_keys(world, at).clone();
    let mut seen = HashSet::new();
    let mut created = Vec::new();
    for item in &items {
        let Some(key) = fields::text(item, "key").filter(|k| !k.is_empty()) else {
            return Reply::error(400, "Each secret needs a non-empty 'key'.");
        };
        let Some(value) = fields::text(item, "value") else {
            return Reply::error(400, "Each secret needs a 'value'.");
        };
        // The server stores the name upper-cased, and digests that.
        let key = key.to_uppercase();
        let path = paths::normalize(fields::text(item, "path").unwrap_or("/"));
        let digest = keys.key_digest(&key);
        let env = &world.apps[at.0].environments[at.1];
        if env
            .live_secrets()
            .any(|s| s.path == path && s.key_digest == digest)
            || !seen.insert((path.clone(), digest.clone()))
        {
            return Reply::error(409, "Duplicate secret found");
        }
        let encrypt = |text: &str| keys.encrypt(text).expect("environment keys are valid");
        let comment = fields::text(item, "comment")
            .filter(|c| !c.is_empty())
            .map(encrypt)
            .unwrap_or_default();
        let tags = fields::text_list(item, "tags").unwrap_or_default();
        let secret_type = fields::text(item, "type").unwrap_or("secret").to_owned();
        let mut secret = StoredSecret::created(
            encrypt(&key),
            encrypt(value),
            comment,
            digest,
            path,
            tags,
            secret_type,
        );
        if let (phasekit::TokenKind::User, Some(o)) = (caller.kind, item.get("override")) {
            if let Some(value) = o.get("value").and_then(Value::as_str) {
                let is_active = o.get("isActive").and_then(Value::as_bool).unwrap_or(true);
                let entry = PersonalOverride::new(encrypt(value), is_active);
                secret.overrides.insert(caller.account_id.clone(), entry);
            }
        }
        created.push(secret);
    }
    let ids: Vec<String> = created.iter().map(|s| s.id.clone()).collect();
    let env = &mut world.apps[at.0].environments[at.1];
    for mut secret in created {
        secret.folder = env.folder_for(&secret.path);
        env.secrets.push(secret);
    }
    rendered(world, at, &ids, caller)
}

fn update(world: &mut World, caller: &Caller, at: EnvRef, body: &[u8]) -> Reply {
    let items = match items(body) {
        Ok(items) => items,
        Err(reply) => return reply,
    };
    // A copy: the environment is changed while the keys are in use.
    let keys = sse_keys(world, at).clone();
    let encrypt = |text: &str| keys.encrypt(text).expect("environment keys are valid");
    let mut ids = Vec::new();
    for item in &items {
        let Some(id) = fields::text(item, "id") else {
            return Reply::error(400, "Each secret needs an 'id'.");
        };
        let env = &mut world.apps[at.0].environments[at.1];
        let Some(secret) = env.secrets.iter_mut().find(|s| s.id == id && !s.deleted) else {
            return Reply::error(404, format!("Secret not found: {id}"));
        };
        if let Some(key) = fields::text(item, "key") {
            let key = key.to_uppercase();
            secret.key = encrypt(&key);
            secret.key_digest = keys.key_digest(&key);
        }
        if let Some(value) = fields::text(item, "value") {
            secret.value = encrypt(value);
        }
        if let Some(comment) = fields::text(item, "comment") {
            secret.comment = if comment.is_empty() {
                String::new()
            } else {
                encrypt(comment)
            };
        }
        if let Some(path) = fields::text(item, "path") {
            secret.path = paths::normalize(path);
        }
        // Unlike the E2E endpoint, tags change only when given.
        if let Some(tags) = fields::text_list(item, "tags") {
            secret.tags = tags;
        }
        if let Some(t) = fields::text(item, "type") {
            secret.secret_type = t.to_owned();
        }
        if let (phasekit::TokenKind::User, Some(o)) = (caller.kind, item.get("override")) {
            let now = time::now();
            let value = o.get("value").and_then(Value::as_str).map(encrypt);
            let is_active = o.get("isActive").and_then(Value::as_bool);
            let entry = secret
                .overrides
                .entry(caller.account_id.clone())
                .or_insert_with(|| PersonalOverride::new(String::new(), true));
            if let Some(value) = value {
                entry.value = value;
            }
            if let Some(active) = is_active {
                entry.is_active = active;
            }
            entry.updated_at = now;
        }
        secret.version += 1;
        secret.updated_at = time::now();
        let path = secret.path.clone();
        let _ = env.folder_for(&path);
        ids.push(id.to_owned());
    }
    rendered(world, at, &ids, caller)
}

fn delete(world: &mut World, at: EnvRef, body: &[u8]) -> Reply {
    let items = match items(body) {
        Ok(items) => items,
        Err(reply) => return reply,
    };
    let ids: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
    let env = &mut world.apps[at.0].environments[at.1];
    let missing: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| !env.live_secrets().any(|s| s.id == *id))
        .collect();
    if !missing.is_empty() {
        return Reply::error(404, format!("Secrets not found: {}", missing.join(", ")));
    }
    for secret in env
        .secrets
        .iter_mut()
        .filter(|s| ids.contains(&s.id.as_str()))
    {
        secret.deleted = true;
    }
    Reply::ok(json!({"message": format!("Deleted {} secret(s)", ids.len())}))
}
