//! The end-to-end endpoints every SDK uses: `/secrets/tokens/` and `/secrets/`.
//! They store and return ciphertext only.

use std::collections::HashSet;

use hyper::{HeaderMap, Method};
use phasekit::TokenKind;
use serde_json::{Map, Value, json};

use super::Request;
use super::auth::{self, AuthFailure, Caller, EnvRef, header};
use super::render;
use super::reply::{Reply, camel_case};
use super::{dynamic, fields};
use crate::paths;
use crate::time;
use crate::world::{PersonalOverride, StoredSecret, World};

/// `GET /secrets/tokens/`: the account's wrapped key share and environment keys.
pub fn tokens(world: &World, headers: &HeaderMap) -> Reply {
    let caller = match auth::identify(world, headers) {
        Ok(caller) => caller,
        // The real handler dereferences the missing header and fails with a 500.
        Err(AuthFailure::Missing) => return Reply::internal_error(),
        Err(AuthFailure::BadType) => return Reply::error(403, "Invalid token type"),
        Err(AuthFailure::Unknown) => return Reply::error(403, "Token expired or deleted"),
    };
    let bearer = header(headers, "authorization")
        .and_then(|v| v.split(' ').nth(2))
        .unwrap_or_default();
    let record = &world.tokens[bearer];
    let mut body = Map::new();
    body.insert("wrapped_key_share".into(), json!(record.wrapped_key_share));
    match caller.kind {
        TokenKind::User => {
            body.insert("user_id".into(), json!(caller.account_id));
        }
        TokenKind::ServiceAccount => {
            body.insert("account_id".into(), json!(caller.account_id));
        }
        TokenKind::Service => {}
    }
    if caller.kind != TokenKind::Service {
        body.insert("offline_enabled".into(), json!(false));
    }
    body.insert(
        "organisation".into(),
        json!({"id": world.organisation.id, "name": world.organisation.name}),
    );
    let mut apps = Vec::new();
    for app in &world.apps {
        let keys: Vec<Value> = world
            .environment_keys
            .iter()
            .filter(|row| {
                !row.deleted && row.account_id == caller.account_id && row.app_id == app.id
            })
            .filter_map(|row| {
                let env = app.environments.iter().find(|e| e.id == row.env_id)?;
                let user = (caller.kind == TokenKind::User).then_some(caller.account_id.as_str());
                let sa = (caller.kind == TokenKind::ServiceAccount)
                    .then_some(caller.account_id.as_str());
                Some(render::environment_key(row, env, user, sa))
            })
            .collect();
        if keys.is_empty() {
            continue;
        }
        // Legacy service tokens always see "E2E".
        let encryption = if app.sse && caller.kind != TokenKind::Service {
            "SSE"
        } else {
            "E2E"
        };
        apps.push(json!({"id": app.id, "name": app.name, "encryption": encryption, "environment_keys": keys}));
    }
    body.insert("apps".into(), Value::Array(apps));
    Reply::ok(Value::Object(body))
}

/// `/secrets/`: GET lists, POST creates, PUT updates, DELETE deletes.
pub fn secrets(world: &mut World, request: &Request) -> Reply {
    let (caller, action, at) = match auth::authorize_request(world, request, unsupported) {
        Ok(authorized) => authorized,
        Err(reply) => return reply,
    };
    match action {
        "read" => list(world, &caller, at, request.headers),
        _ => {
            let items = match parse_items(request.body) {
                Ok(items) => items,
                Err(reply) => return reply,
            };
            match action {
                "create" => create(world, &caller, at, &items),
                "update" => update(world, &caller, at, &items),
                _ => delete(world, at, &items),
            }
        }
    }
}

/// The E2E endpoint's answer to a method it does not know.
fn unsupported(method: &Method) -> Reply {
    Reply::error(403, format!("Unsupported HTTP method: {method}"))
}

fn flag(headers: &HeaderMap, names: &[&str]) -> bool {
    names
        .iter()
        .any(|name| header(headers, name).is_some_and(|v| !v.eq_ignore_ascii_case("false")))
}

fn list(world: &mut World, caller: &Caller, at: EnvRef, headers: &HeaderMap) -> Reply {
    let path = header(headers, "path")
        .filter(|p| !p.is_empty())
        .map(paths::normalize);
    let digest = header(headers, "keydigest").filter(|d| !d.is_empty());
    let tags: Option<Vec<&str>> = header(headers, "tags")
        .filter(|t| !t.is_empty())
        .map(|t| t.split(',').map(str::trim).collect());
    let camel = header(headers, "x-use-camel-case") == Some("true");
    let viewer = (caller.kind == TokenKind::User).then_some(caller.account_id.as_str());
    let env = &world.apps[at.0].environments[at.1];
    let same = |text: &str| text.to_owned();
    let mut out: Vec<Value> = env
        .live_secrets()
        .filter(|s| path.as_deref().is_none_or(|p| s.path == p))
        .filter(|s| digest.is_none_or(|d| s.key_digest == d))
        .filter(|s| {
            tags.as_ref()
                .is_none_or(|wanted| s.tags.iter().any(|t| wanted.contains(&t.as_str())))
        })
        .map(|s| render::secret(s, env, viewer, &same))
        .collect();
    if flag(headers, &["dynamic", "include-dynamic"]) {
        let lease = flag(headers, &["lease"]);
        let ttl = match header(headers, "lease-ttl").map(str::parse::<u64>) {
            None => None,
            Some(Ok(ttl)) => Some(ttl),
            Some(Err(_)) => {
                return Reply::error(400, "lease_ttl must be a valid integer (seconds)");
            }
        };
        out.extend(dynamic::list_e2e(
            world,
            caller,
            at,
            path.as_deref(),
            lease,
            ttl,
        ));
    }
    let body = Value::Array(out);
    Reply::ok(if camel { camel_case(body) } else { body })
}

fn parse_items(body: &[u8]) -> Result<Vec<Value>, Reply> {
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|e| Reply::error(400, format!("JSON parse error - {e}")))?;
    match parsed.get("secrets") {
        Some(Value::Array(items)) => Ok(items.clone()),
        // The real view indexes request.data["secrets"] and fails with a 500.
        _ => Err(Reply::internal_error()),
    }
}

/// `validate_encrypted_string`: empty, or a `ph:v1:<64 hex>:<something>` prefix.
fn valid_ciphertext(value: &str) -> bool {
    if value.is_empty() {
        return true;
    }
    let Some(rest) = value.strip_prefix("ph:v1:") else {
        return false;
    };
    let (hex_part, tail) = rest.split_at(rest.len().min(64));
    hex_part.len() == 64
        && hex_part.bytes().all(|b| b.is_ascii_hexdigit())
        && tail.len() > 1
        && tail.starts_with(':')
}

fn tag_list(item: &Value) -> Result<Vec<String>, Reply> {
    let names = fields::text_list(item, "tags").unwrap_or_default();
    if names.iter().any(|t| t.chars().count() > 64) {
        return Err(Reply::error(
            400,
            "Tag names must be at most 64 characters.",
        ));
    }
    Ok(names)
}

fn secret_type(item: &Value) -> Result<Option<String>, Reply> {
    match fields::text(item, "type") {
        None => Ok(None),
        Some(t @ ("secret" | "sealed" | "config")) => Ok(Some(t.to_owned())),
        Some(other) => Err(Reply::error(400, format!("Invalid secret type: {other}"))),
    }
}

/// Parses `override: {value, isActive}` (honoured for personal access tokens only).
fn override_of(item: &Value) -> Option<(String, bool)> {
    let o = item.get("override")?.as_object()?;
    let value = o.get("value")?.as_str()?.to_owned();
    let active = o
        .get("isActive")
        .or_else(|| o.get("is_active"))
        .and_then(Value::as_bool)
        .unwrap_or(true);
    Some((value, active))
}

fn is_duplicate(world: &World, at: EnvRef, path: &str, digest: &str, except: Option<&str>) -> bool {
    let env = &world.apps[at.0].environments[at.1];
    env.live_secrets()
        .any(|s| s.path == path && s.key_digest == digest && Some(s.id.as_str()) != except)
        || env
            .dynamic_secrets
            .iter()
            .any(|d| d.path == path && d.key_map.iter().any(|k| k.key_digest == digest))
}

fn create(world: &mut World, caller: &Caller, at: EnvRef, items: &[Value]) -> Reply {
    let mut batch = HashSet::new();
    let mut created = Vec::new();
    for item in items {
        let (Some(key), Some(value), Some(comment), Some(digest)) = (
            fields::text(item, "key"),
            fields::text(item, "value"),
            fields::text(item, "comment"),
            fields::text(item, "keyDigest"),
        ) else {
            return Reply::internal_error();
        };
        let personal = override_of(item);
        if ![key, value, comment].iter().all(|c| valid_ciphertext(c))
            || personal.as_ref().is_some_and(|(v, _)| !valid_ciphertext(v))
        {
            return Reply::error(400, "Invalid ciphertext format");
        }
        let path = paths::normalize(fields::text(item, "path").unwrap_or("/"));
        if is_duplicate(world, at, &path, digest, None)
            || !batch.insert((path.clone(), digest.to_owned()))
        {
            return Reply::error(409, "Duplicate secret found");
        }
        let tags = match tag_list(item) {
            Ok(tags) => tags,
            Err(reply) => return reply,
        };
        let secret_type = match secret_type(item) {
            Ok(t) => t.unwrap_or_else(|| "secret".to_owned()),
            Err(reply) => return reply,
        };
        let mut secret = StoredSecret::created(
            key.to_owned(),
            value.to_owned(),
            comment.to_owned(),
            digest.to_owned(),
            path,
            tags,
            secret_type,
        );
        if let (TokenKind::User, Some((value, is_active))) = (caller.kind, personal) {
            let entry = PersonalOverride::new(value, is_active);
            secret.overrides.insert(caller.account_id.clone(), entry);
        }
        created.push(secret);
    }
    for mut secret in created {
        register_tags(world, &secret.tags);
        let env = &mut world.apps[at.0].environments[at.1];
        secret.folder = env.folder_for(&secret.path);
        env.secrets.push(secret);
    }
    Reply::empty()
}

fn register_tags(world: &mut World, tags: &[String]) {
    for tag in tags {
        if !world.tags.contains(tag) {
            world.tags.push(tag.clone());
        }
    }
}

fn update(world: &mut World, caller: &Caller, at: EnvRef, items: &[Value]) -> Reply {
    let mut updates = Vec::new();
    for item in items {
        let Some(id) = fields::text(item, "id") else {
            return Reply::internal_error();
        };
        let env = &world.apps[at.0].environments[at.1];
        let Some(index) = env.secrets.iter().position(|s| s.id == id && !s.deleted) else {
            return Reply::error(404, "Secret not found");
        };
        let mut secret = env.secrets[index].clone();
        let personal = override_of(item);
        for field in ["key", "value", "comment"] {
            if fields::text(item, field).is_some_and(|c| !valid_ciphertext(c)) {
                return Reply::error(400, "Invalid ciphertext format");
            }
        }
        if personal.as_ref().is_some_and(|(v, _)| !valid_ciphertext(v)) {
            return Reply::error(400, "Invalid ciphertext format");
        }
        if let (Some(key), Some(digest)) =
            (fields::text(item, "key"), fields::text(item, "keyDigest"))
        {
            secret.key = key.to_owned();
            secret.key_digest = digest.to_owned();
        }
        if secret.lifecycle == "rotating" {
            return Reply::error(400, "Rotating secrets cannot be updated.");
        }
        if let Some(value) = fields::text(item, "value") {
            // Sealed secrets keep their stored value.
            if secret.secret_type != "sealed" {
                secret.value = value.to_owned();
            }
        }
        if let Some(comment) = fields::text(item, "comment") {
            secret.comment = comment.to_owned();
        }
        if let Some(path) = fields::text(item, "path") {
            secret.path = paths::normalize(path);
        }
        match secret_type(item) {
            Ok(Some(t)) if secret.secret_type == "sealed" && t != "sealed" => {
                return Reply::error(400, "Sealed secrets cannot change type.");
            }
            Ok(Some(t)) => secret.secret_type = t,
            Ok(None) => {}
            Err(reply) => return reply,
        }
        // The E2E endpoint always replaces the tag set; absent means none.
        secret.tags = match tag_list(item) {
            Ok(tags) => tags,
            Err(reply) => return reply,
        };
        if is_duplicate(world, at, &secret.path, &secret.key_digest, Some(id)) {
            return Reply::error(409, "Duplicate secret found");
        }
        let now = time::now();
        if let (TokenKind::User, Some((value, is_active))) = (caller.kind, personal) {
            let entry = secret
                .overrides
                .entry(caller.account_id.clone())
                .or_insert_with(|| PersonalOverride::new(String::new(), is_active));
            entry.value = value;
            entry.is_active = is_active;
            entry.updated_at = now;
        }
        secret.version += 1;
        secret.updated_at = now;
        updates.push((index, secret));
    }
    for (index, mut secret) in updates {
        register_tags(world, &secret.tags);
        let env = &mut world.apps[at.0].environments[at.1];
        secret.folder = env.folder_for(&secret.path);
        env.secrets[index] = secret;
    }
    Reply::empty()
}

fn delete(world: &mut World, at: EnvRef, items: &[Value]) -> Reply {
    let ids: HashSet<&str> = items.iter().filter_map(Value::as_str).collect();
    let env = &mut world.apps[at.0].environments[at.1];
    for secret in env
        .secrets
        .iter_mut()
        .filter(|s| ids.contains(s.id.as_str()))
    {
        if secret.lifecycle == "rotating" {
            return Reply::error(400, "Rotating secrets cannot be deleted.");
        }
        secret.deleted = true;
    }
    Reply::empty()
}
