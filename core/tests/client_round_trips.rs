//! A cold `get` costs one round trip of latency, not two, when the environment is known
//! without the session: named by id, or found in the offline cache's stored session. Both
//! requests go out together; the request counts stay what they were.

use std::time::{Duration, Instant};

mod common;

use common::one_secret_seed;
use phasekit::{AppRef, BlockingClient, Client, GetOptions, OfflineMode};
use phasekit_server::faults::Faults;
use phasekit_server::{BackgroundServer, Seed, World};

/// Every request waits this long on the server, as if it were far away.
const LATENCY: Duration = Duration::from_millis(400);

struct Far {
    server: BackgroundServer,
    token: String,
    app_id: String,
    env_id: String,
}

fn far_server() -> Far {
    let (world, tokens) =
        World::from_seed(&Seed::from_json(&one_secret_seed("v")).unwrap()).unwrap();
    let app_id = world.app_id("app").unwrap();
    let env_id = world.env_id("app", "Development").unwrap();
    let server = BackgroundServer::start(world).unwrap();
    server.set_faults(Faults::slow(LATENCY.as_millis() as u64));
    Far {
        server,
        token: tokens["sa"].token.clone(),
        app_id,
        env_id,
    }
}

fn client(far: &Far, offline_dir: Option<&std::path::Path>) -> BlockingClient {
    let mut builder = Client::builder().token(&far.token).host(far.server.url());
    if let Some(dir) = offline_dir {
        builder = builder.offline_cache(dir, OfflineMode::Fallback);
    }
    builder.build().unwrap().into()
}

/// How long a cold get takes, and how many requests of each kind it made.
fn cold_get(far: &Far, client: &BlockingClient, options: &GetOptions) -> (Duration, u64, u64) {
    far.server.reset_request_counts();
    let started = Instant::now();
    let secrets = client.get(options).unwrap();
    let took = started.elapsed();
    assert_eq!(secrets[0].value.expose(), "v");
    let counts = far.server.request_counts();
    let count = |endpoint: &str| counts.get(endpoint).copied().unwrap_or(0);
    (took, count("GET /secrets/tokens/"), count("GET /secrets/"))
}

#[test]
fn by_ids_both_requests_go_out_together() {
    let far = far_server();
    let by_ids = GetOptions::new(AppRef::id(&far.app_id), &far.env_id);
    let (took, tokens, secrets) = cold_get(&far, &client(&far, None), &by_ids);
    assert_eq!((tokens, secrets), (1, 1));
    assert!(took < LATENCY * 3 / 2, "one round trip: {took:?}");

    // By name the environment's id comes from the session: two round trips, one after the other.
    let by_names = GetOptions::new(AppRef::name("app"), "Development");
    let (took, tokens, secrets) = cold_get(&far, &client(&far, None), &by_names);
    assert_eq!((tokens, secrets), (1, 1));
    assert!(took >= LATENCY * 2, "two round trips: {took:?}");
}

#[test]
fn names_known_from_the_offline_cache_go_out_together_too() {
    let far = far_server();
    let dir = std::env::temp_dir().join(format!("phasekit-round-trips-{}", std::process::id()));
    let by_names = GetOptions::new(AppRef::name("app"), "Development");
    // A first process stores the session in the offline cache.
    cold_get(&far, &client(&far, Some(&dir)), &by_names);
    // A new process finds the environment's id there.
    let (took, tokens, secrets) = cold_get(&far, &client(&far, Some(&dir)), &by_names);
    assert_eq!((tokens, secrets), (1, 1));
    assert!(took < LATENCY * 3 / 2, "one round trip: {took:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_warm_session_needs_one_request_and_a_single_key_still_uses_its_digest() {
    let far = far_server();
    let warm = client(&far, None);
    let by_ids = GetOptions::new(AppRef::id(&far.app_id), &far.env_id);
    cold_get(&far, &warm, &by_ids);
    let (_, tokens, secrets) = cold_get(&far, &warm, &by_ids);
    assert_eq!((tokens, secrets), (0, 1));
    // One key is asked for by its digest, which needs the session's keys: no early request.
    let one_key = GetOptions::new(AppRef::id(&far.app_id), &far.env_id).keys(["K"]);
    let (took, tokens, secrets) = cold_get(&far, &client(&far, None), &one_key);
    assert_eq!((tokens, secrets), (1, 1));
    assert!(took >= LATENCY * 2, "{took:?}");
}
