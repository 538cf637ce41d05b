//! The admin API under `/_admin/` (loopback only, like the whole server): replace the state
//! from a seed, mint or revoke tokens, grant access, read request counts, configure faults.

use std::collections::BTreeMap;
use std::time::Duration;

use hyper::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::reply::Reply;
use crate::faults::Faults;
use crate::server::Shared;
use crate::world::World;
use crate::world::seed::Seed;

/// `PUT /_admin/faults` takes one rule or a list of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum FaultRules {
    One(Faults),
    Many(Vec<Faults>),
}

impl FaultRules {
    fn into_list(self) -> Vec<Faults> {
        match self {
            FaultRules::One(rule) => vec![rule],
            FaultRules::Many(rules) => rules,
        }
    }
}

pub fn route(shared: &Shared, method: &Method, path: &str, body: &[u8]) -> Reply {
    match (method, path) {
        (&Method::GET, "/_admin/requests") => {
            let counts = shared.counts.lock().expect("counts lock");
            let total: u64 = counts.values().sum();
            Reply::ok(json!({"total": total, "by_endpoint": *counts}))
        }
        (&Method::DELETE, "/_admin/requests") => {
            shared.counts.lock().expect("counts lock").clear();
            Reply::ok(json!({"total": 0}))
        }
        (&Method::GET, "/_admin/faults") => {
            Reply::ok(shared.faults.lock().expect("faults lock").config())
        }
        (&Method::PUT, "/_admin/faults") => match serde_json::from_slice::<FaultRules>(body) {
            Ok(rules) => {
                let mut faults = shared.faults.lock().expect("faults lock");
                faults.configure(rules.into_list());
                Reply::ok(faults.config())
            }
            Err(e) => Reply::error(400, format!("invalid faults: {e}")),
        },
        (&Method::DELETE, "/_admin/faults") => {
            shared
                .faults
                .lock()
                .expect("faults lock")
                .configure(Vec::new());
            Reply::ok(json!({}))
        }
        (&Method::GET, "/_admin/state") => {
            Reply::ok(state(&shared.world.lock().expect("world lock")))
        }
        (&Method::PUT, "/_admin/world") => replace_world(shared, body),
        (&Method::POST, "/_admin/tokens") => mint(shared, body).unwrap_or_else(|error| error),
        (&Method::DELETE, "/_admin/tokens") => revoke(shared, body).unwrap_or_else(|error| error),
        (&Method::POST, "/_admin/access") => access(shared, body).unwrap_or_else(|error| error),
        _ => Reply::error(404, format!("no admin endpoint {method} {path}")),
    }
}

/// The id of a live account, by name.
fn account_named(world: &World, name: &str) -> Result<String, Reply> {
    world
        .accounts
        .iter()
        .find(|a| a.name == name && !a.deleted)
        .map(|a| a.id.clone())
        .ok_or_else(|| Reply::error(404, format!("no account named {name:?}")))
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Reply> {
    serde_json::from_slice(body).map_err(|e| Reply::error(400, format!("invalid request: {e}")))
}

/// Ids and names of everything, for tests that need them.
pub fn state(world: &World) -> Value {
    let apps: Vec<Value> = world
        .apps
        .iter()
        .map(|app| {
            let envs: BTreeMap<&str, &str> = app
                .environments
                .iter()
                .map(|e| (e.name.as_str(), e.id.as_str()))
                .collect();
            json!({"id": app.id, "name": app.name, "sse": app.sse, "environments": envs})
        })
        .collect();
    let accounts: Vec<Value> = world
        .accounts
        .iter()
        .filter(|a| !a.deleted)
        .map(|a| json!({"id": a.id, "name": a.name, "kind": a.kind.bearer_type()}))
        .collect();
    json!({"organisation": {"id": world.organisation.id, "name": world.organisation.name}, "apps": apps, "accounts": accounts})
}

fn replace_world(shared: &Shared, body: &[u8]) -> Reply {
    let seed = match std::str::from_utf8(body)
        .map_err(|e| e.to_string())
        .and_then(Seed::from_json)
    {
        Ok(seed) => seed,
        Err(e) => return Reply::error(400, e),
    };
    match World::from_seed(&seed) {
        Ok((world, tokens)) => {
            let mut current = shared.world.lock().expect("world lock");
            *current = world;
            let tokens: BTreeMap<String, String> = tokens
                .into_iter()
                .map(|(name, t)| (name, t.token))
                .collect();
            Reply::ok(json!({"tokens": tokens, "state": state(&current)}))
        }
        Err(e) => Reply::error(400, e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MintRequest {
    account: String,
    name: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// `Err` is the error's answer, so that `?` can end it early.
fn mint(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let request: MintRequest = parse(body)?;
    let mut world = shared.world.lock().expect("world lock");
    let account = account_named(&world, &request.account)?;
    let minted = world.mint_token(
        &account,
        &request.name,
        request.expires_in.map(Duration::from_secs),
    );
    Ok(Reply::ok(json!(minted)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeRequest {
    name: String,
}

/// `Err` is the error's answer, so that `?` can end it early.
fn revoke(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let request: RevokeRequest = parse(body)?;
    let mut world = shared.world.lock().expect("world lock");
    let mut revoked = 0;
    for record in world.tokens.values_mut().filter(|t| t.name == request.name) {
        record.deleted = true;
        revoked += 1;
    }
    if revoked == 0 {
        return Err(Reply::error(
            404,
            format!("no token named {:?}", request.name),
        ));
    }
    Ok(Reply::ok(json!({"revoked": revoked})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccessRequest {
    account: String,
    app: String,
    environment: String,
    #[serde(default)]
    revoke: bool,
}

/// `Err` is the error's answer, so that `?` can end it early.
fn access(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let request: AccessRequest = parse(body)?;
    let mut world = shared.world.lock().expect("world lock");
    let account = account_named(&world, &request.account)?;
    let env_id = world
        .env_id(&request.app, &request.environment)
        .map_err(|e| Reply::error(404, e))?;
    if request.revoke {
        for row in world
            .environment_keys
            .iter_mut()
            .filter(|r| r.account_id == account && r.env_id == env_id)
        {
            row.deleted = true;
        }
    } else {
        world.grant(&account, &env_id);
    }
    Ok(Reply::ok(json!({})))
}
