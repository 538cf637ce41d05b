//! `Client::from_env` reads PHASE_SERVICE_TOKEN, PHASE_HOST, PHASE_VERIFY_SSL and PHASE_DEBUG.
//! Alone in its test binary because it sets process-wide environment variables.

use phasekit::{AppRef, Client, ErrorCode};
use phasekit_server::{BackgroundServer, Seed, World};

#[test]
fn from_env_reads_the_phase_variables() {
    let seed = r#"{"apps": [{"name": "a"}], "service_accounts": [{"name": "s", "access": {"a": "*"}, "tokens": [{"name": "t"}]}]}"#;
    let (world, tokens) = World::from_seed(&Seed::from_json(seed).unwrap()).unwrap();
    let server = BackgroundServer::start(world).unwrap();
    // SAFETY: this test binary runs this single test; no other thread reads the environment.
    unsafe {
        std::env::remove_var("PHASE_SERVICE_TOKEN");
        std::env::remove_var("PHASE_HOST");
    }
    let err = Client::from_env().unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidToken);
    assert!(err.message().contains("PHASE_SERVICE_TOKEN"), "{err}");

    unsafe {
        std::env::set_var("PHASE_SERVICE_TOKEN", format!("{}\n", tokens["t"].token));
        std::env::set_var("PHASE_HOST", format!("{}/service/", server.url()));
        std::env::set_var("PHASE_VERIFY_SSL", "False");
        std::env::set_var("PHASE_DEBUG", "true");
    }
    let client = Client::from_env().unwrap();
    assert_eq!(
        client.host(),
        server.url(),
        "a trailing /service/ is accepted and dropped"
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let envs = runtime
        .block_on(client.environments(&AppRef::name("a")))
        .unwrap();
    assert_eq!(envs.len(), 3);

    // Without PHASE_HOST the default is Phase Cloud.
    unsafe { std::env::remove_var("PHASE_HOST") };
    assert_eq!(
        Client::from_env().unwrap().host(),
        "https://console.phase.dev"
    );
}
