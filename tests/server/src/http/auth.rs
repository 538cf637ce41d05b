//! Authentication and context resolution as the real server does it (PROTOCOL §2.4, §4.2),
//! with its status codes and messages.

use hyper::HeaderMap;
use phasekit::TokenKind;

use super::Request;
use super::reply::Reply;
use crate::world::{Role, World};

/// The authenticated principal of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account_id: String,
    pub kind: TokenKind,
    pub role: Role,
    /// For legacy service tokens, the one app they may read.
    pub app_id: Option<String>,
}

pub enum AuthFailure {
    Missing,
    BadType,
    Unknown,
}

pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Parses `Authorization: Bearer <Type> <token>` and finds a live token of that type.
pub fn identify(world: &World, headers: &HeaderMap) -> Result<Caller, AuthFailure> {
    let value = header(headers, "authorization").ok_or(AuthFailure::Missing)?;
    let parts: Vec<&str> = value.split(' ').collect();
    if parts.len() < 3
        || !parts[0].eq_ignore_ascii_case("bearer")
        || parts[1].is_empty()
        || parts[2].is_empty()
    {
        return Err(AuthFailure::BadType);
    }
    let kind = match parts[1] {
        "User" => TokenKind::User,
        "Service" => TokenKind::Service,
        "ServiceAccount" => TokenKind::ServiceAccount,
        _ => return Err(AuthFailure::BadType),
    };
    let record = world
        .tokens
        .get(parts[2])
        .filter(|t| t.kind == kind && t.is_live(crate::time::now()));
    let record = record.ok_or(AuthFailure::Unknown)?;
    let account = world
        .account(&record.account_id)
        .ok_or(AuthFailure::Unknown)?;
    Ok(Caller {
        account_id: account.id.clone(),
        kind,
        role: account.role,
        app_id: account.app_id.clone(),
    })
}

/// Authentication of the DRF views (`/secrets/`, `/v1/`): failures are 401s.
pub fn authenticate(world: &World, headers: &HeaderMap) -> Result<Caller, Reply> {
    identify(world, headers).map_err(|failure| match failure {
        AuthFailure::Missing => Reply::error(401, "Authentication credentials were not provided."),
        AuthFailure::BadType => Reply::error(401, "Invalid token"),
        AuthFailure::Unknown => Reply::error(401, "Token expired or deleted"),
    })
}

/// Where a request points: (app index, environment index).
pub type EnvRef = (usize, usize);

/// Resolves the target environment from the `Environment` header or `?app_id=&env=`, then
/// checks the caller's access the way each token type is checked.
pub fn environment(
    world: &World,
    caller: &Caller,
    headers: &HeaderMap,
    query: &Query,
) -> Result<EnvRef, Reply> {
    let located = if let Some(env_id) = header(headers, "environment") {
        world
            .locate_env(env_id)
            .ok_or_else(|| Reply::error(401, "Environment not found"))?
    } else if let (Some(app_id), Some(env_name)) = (query.get("app_id"), query.get("env")) {
        let a = world
            .apps
            .iter()
            .position(|a| a.id == app_id)
            .ok_or_else(|| Reply::error(404, format!("App with ID {app_id} not found")))?;
        let e = world.apps[a]
            .environments
            .iter()
            .position(|e| e.name.eq_ignore_ascii_case(env_name))
            .ok_or_else(|| {
                Reply::error(
                    404,
                    format!("Environment '{env_name}' not found in App {app_id}"),
                )
            })?;
        (a, e)
    } else if caller.kind == TokenKind::Service {
        return Err(Reply::error(
            401,
            "Service tokens require an environment context",
        ));
    } else {
        return Err(Reply::error(
            403,
            "Environment context required. Supply `app_id` and `env` as query parameters.",
        ));
    };
    let env_id = &world.apps[located.0].environments[located.1].id;
    let allowed = world.can_read(&caller.account_id, env_id);
    match caller.kind {
        TokenKind::User if !allowed => {
            Err(Reply::error(403, "User cannot access this environment"))
        }
        TokenKind::Service
            if !allowed || caller.app_id.as_deref() != Some(world.apps[located.0].id.as_str()) =>
        {
            Err(Reply::error(
                401,
                "Service token cannot access this environment",
            ))
        }
        TokenKind::ServiceAccount if !allowed => Err(Reply::error(
            401,
            "Service account cannot access this environment",
        )),
        _ => Ok(located),
    }
}

/// The role action an HTTP method performs on secrets.
pub fn action_of(method: &hyper::Method) -> Option<&'static str> {
    match *method {
        hyper::Method::GET => Some("read"),
        hyper::Method::POST => Some("create"),
        hyper::Method::PUT => Some("update"),
        hyper::Method::DELETE => Some("delete"),
        _ => None,
    }
}

/// Authenticates a secrets request, maps its method to a role action (`unsupported` answers
/// other methods), resolves the environment and checks the permission, in the real order.
pub fn authorize_request(
    world: &World,
    request: &Request,
    unsupported: fn(&hyper::Method) -> Reply,
) -> Result<(Caller, &'static str, EnvRef), Reply> {
    let caller = authenticate(world, request.headers)?;
    let action = action_of(request.method).ok_or_else(|| unsupported(request.method))?;
    let at = authorize(world, &caller, request.headers, request.query, action)?;
    Ok((caller, action, at))
}

/// Resolves the environment of a request and checks that the caller's role allows `action`.
pub fn authorize(
    world: &World,
    caller: &Caller,
    headers: &HeaderMap,
    query: &Query,
    action: &str,
) -> Result<EnvRef, Reply> {
    let at = environment(world, caller, headers, query)?;
    permit(caller, action)?;
    Ok(at)
}

/// Role permission for secrets (legacy service tokens skip role checks, like the real server).
pub fn permit(caller: &Caller, action: &str) -> Result<(), Reply> {
    if caller.kind != TokenKind::Service && caller.role == Role::ReadOnly && action != "read" {
        return Err(Reply::error(
            403,
            format!("You don't have permission to {action} secrets in this environment."),
        ));
    }
    Ok(())
}

/// Decoded query parameters (last one wins).
#[derive(Debug, Default)]
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(raw: Option<&str>) -> Query {
        let pairs = raw
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(k), percent_decode(v))
            });
        Query(pairs.collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `application/x-www-form-urlencoded` text, as queries and form bodies are: `+` is a space,
/// `%XX` a byte, a malformed escape stays as it is.
pub(super) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
