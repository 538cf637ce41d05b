//! HTTP(S)_PROXY is honoured: the host below does not resolve, and only the proxy (the local
//! server, which answers absolute-form requests by their path) can make the call succeed.
//! Alone in its test binary because it sets process-wide environment variables.

mod common;

use common::{Local, client_at, one_secret_seed};
use phasekit::{AppRef, GetOptions};

#[test]
fn requests_go_through_the_configured_proxy() {
    let local = Local::start(&one_secret_seed("through the proxy"));
    // SAFETY: this test binary runs this single test; no other thread reads the environment.
    unsafe {
        std::env::set_var("HTTP_PROXY", local.server.url());
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
    }
    let client = client_at(&local.tokens["sa"], "http://phase.invalid");
    let secrets = client
        .get(&GetOptions::new(AppRef::name("app"), "Development"))
        .unwrap();
    assert_eq!(secrets[0].value.expose(), "through the proxy");
    assert_eq!(local.server.request_counts()["GET /secrets/"], 1);
}
