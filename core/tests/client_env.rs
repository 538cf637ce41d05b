//! `Client::from_env` and `Client::builder()` read PHASE_SERVICE_TOKEN, PHASE_HOST,
//! PHASE_VERIFY_SSL and PHASE_DEBUG; `ClientBuilder::default()` does not.
//! Alone in its test binary because it sets process-wide environment variables.

use phasekit::{AppRef, CachePolicy, Client, ClientBuilder, ErrorCode};
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

    // The builder starts from the same settings (the README's caching example): a token given
    // to it wins over PHASE_SERVICE_TOKEN, PHASE_HOST still applies.
    let cached = Client::builder()
        .token(tokens["t"].token.clone())
        .cache(CachePolicy::default())
        .build()
        .unwrap();
    assert_eq!(cached.host(), server.url());
    assert!(cached.logs_requests(), "PHASE_DEBUG applies to the builder");
    let err = Client::builder().token("not a token").build().unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidToken, "the given token wins");
    // ClientBuilder::default() is the environment-free starting point.
    let plain = ClientBuilder::default()
        .token(tokens["t"].token.clone())
        .build()
        .unwrap();
    assert_eq!(plain.host(), "https://console.phase.dev");
    assert!(!plain.logs_requests());

    // Without PHASE_HOST the default is Phase Cloud.
    unsafe { std::env::remove_var("PHASE_HOST") };
    assert_eq!(
        Client::from_env().unwrap().host(),
        "https://console.phase.dev"
    );
}
