//! Request routing. Like the real backend, every route also answers under `/service`, the
//! public API lives at `/v1/` and `/public/v1/`, and a path without its trailing slash is an
//! HTML 404.

pub mod admin;
mod auth;
mod dynamic;
mod e2e;
mod entra;
mod fields;
mod identities;
mod public;
mod references;
mod render;
pub mod reply;
mod sts;

use hyper::{HeaderMap, Method};
use serde_json::json;

pub use auth::Query;
use reply::Reply;

use crate::world::World;

/// The path as the backend sees it: a leading `/service` is stripped by its middleware.
pub fn backend_path(path: &str) -> &str {
    match path.strip_prefix("/service") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
        _ => path,
    }
}

/// A request to a secrets endpoint, as its handlers read it.
struct Request<'a> {
    method: &'a Method,
    headers: &'a HeaderMap,
    query: &'a Query,
    body: &'a [u8],
}

pub fn route(
    world: &mut World,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    query: &Query,
    body: &[u8],
) -> Reply {
    let request = Request {
        method,
        headers,
        query,
        body,
    };
    match path {
        "/health/" => Reply::ok(
            json!({"status": "alive", "version": concat!("phasekit-server/", env!("CARGO_PKG_VERSION"))}),
        ),
        "/secrets/tokens/" if method == Method::GET => e2e::tokens(world, headers),
        "/secrets/tokens/" => Reply::error(405, format!("Method \"{method}\" not allowed.")),
        "/secrets/" => e2e::secrets(world, &request),
        _ if identities::handles(path) => identities::route(world, method, path, body),
        _ => {
            let public = path
                .strip_prefix("/public/v1/")
                .or_else(|| path.strip_prefix("/v1/"));
            match public {
                Some("") => Reply::ok(json!({"message": "API is alive", "status": "ok"})),
                Some(rest) if rest.starts_with("secrets/") => public::route(world, rest, &request),
                _ => Reply::not_found_page(),
            }
        }
    }
}
