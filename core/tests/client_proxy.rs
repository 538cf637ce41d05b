//! HTTP(S)_PROXY is honoured: the host below does not resolve, and only the proxy (the local
//! server, which answers absolute-form requests by their path) can make the call succeed.
//! Alone in its test binary because it sets process-wide environment variables.

mod common;

use common::client_at;
use phasekit::{AppRef, GetOptions};
use phasekit_server::{BackgroundServer, Seed, World};

const SEED: &str = r#"{
  "apps": [{"name": "app", "environments": ["Development"],
            "secrets": {"Development": [{"key": "K", "value": "through the proxy"}]}}],
  "service_accounts": [{"name": "sa", "access": {"app": "*"}, "tokens": [{"name": "sa"}]}]
}"#;

#[test]
fn requests_go_through_the_configured_proxy() {
    let (world, tokens) = World::from_seed(&Seed::from_json(SEED).unwrap()).unwrap();
    let server = BackgroundServer::start(world).unwrap();
    // SAFETY: this test binary runs this single test; no other thread reads the environment.
    unsafe {
        std::env::set_var("HTTP_PROXY", server.url());
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
    }
    let client = client_at(&tokens["sa"].token, "http://phase.invalid");
    let secrets = client
        .get(&GetOptions::new(AppRef::name("app"), "Development"))
        .unwrap();
    assert_eq!(secrets[0].value.expose(), "through the proxy");
    assert_eq!(server.request_counts()["GET /secrets/"], 1);
}
