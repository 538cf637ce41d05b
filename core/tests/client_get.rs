//! The client against the local server: request counts (two cold, one warm), selection rules,
//! single-key digest lookups, filters, and typed errors.

mod common;

use common::client_at;
use phasekit::{AppRef, BlockingClient, Client, ErrorCode, GetOptions, SecretUpdate};
use phasekit_server::{BackgroundServer, Seed, World};

const SEED: &str = r#"{
  "apps": [
    {"name": "shop", "environments": ["Development", "Staging", "Production", "Pre-production"],
     "secrets": {
       "Development": [
         {"key": "DB_HOST", "value": "localhost", "comment": "dev db"},
         {"key": "DB_PASSWORD", "value": "s3cr3t", "path": "/db", "tags": ["Database_Creds"]},
         {"key": "API_KEY", "value": "k-dev", "tags": ["payments"]}
       ],
       "Production": [{"key": "DB_HOST", "value": "db.prod"}]
     }},
    {"name": "shop-admin", "environments": ["Development"]},
    {"name": "Billing", "environments": ["Development"]},
    {"name": "billing", "environments": ["Development"]}
  ],
  "service_accounts": [{"name": "sa", "access": {"shop": "*", "shop-admin": "*", "Billing": "*", "billing": "*"}, "tokens": [{"name": "sa"}]}]
}"#;

struct Fixture {
    server: BackgroundServer,
    token: String,
}

fn start() -> Fixture {
    let (world, tokens) = World::from_seed(&Seed::from_json(SEED).unwrap()).unwrap();
    let server = BackgroundServer::start(world).unwrap();
    Fixture {
        token: tokens["sa"].token.clone(),
        server,
    }
}

impl Fixture {
    fn client(&self) -> BlockingClient {
        client_at(&self.token, self.server.url())
    }

    fn requests(&self) -> (u64, u64) {
        let counts = self.server.request_counts();
        let get = |k: &str| counts.get(k).copied().unwrap_or(0);
        (get("GET /secrets/tokens/"), get("GET /secrets/"))
    }
}

fn shop(env: &str) -> GetOptions {
    GetOptions::new(AppRef::name("shop"), env)
}

#[test]
fn a_cold_get_costs_two_requests_and_a_warm_one_costs_one() {
    let fx = start();
    let client = fx.client();
    let secrets = client.get(&shop("Development")).unwrap();
    assert_eq!(secrets.len(), 3);
    assert_eq!(fx.requests(), (1, 1));
    client.get(&shop("Development")).unwrap();
    client.get(&shop("Production")).unwrap();
    assert_eq!(fx.requests(), (1, 3), "the session and keys are reused");
    client.refresh().unwrap();
    client.get(&shop("Development")).unwrap();
    assert_eq!(fx.requests(), (2, 4), "refresh drops the session");
}

#[test]
fn values_paths_tags_and_comments_are_decrypted() {
    let fx = start();
    let client = fx.client();
    let all = client.get(&shop("Development")).unwrap();
    let password = all.iter().find(|s| s.key == "DB_PASSWORD").unwrap();
    assert_eq!(
        (password.value.expose(), password.path.as_str()),
        ("s3cr3t", "/db")
    );
    assert_eq!(
        (password.app.as_str(), password.env.as_str()),
        ("shop", "Development")
    );
    assert!(
        !format!("{password:?}").contains("s3cr3t"),
        "values are redacted in Debug"
    );
    let host = all.iter().find(|s| s.key == "DB_HOST").unwrap();
    assert_eq!(host.comment, "dev db");

    let root = client.get(&shop("Development").path("/")).unwrap();
    assert_eq!(root.len(), 2);
    let tagged = client
        .get(&shop("Development").tag("database creds"))
        .unwrap();
    assert_eq!(
        tagged.iter().map(|s| s.key.as_str()).collect::<Vec<_>>(),
        ["DB_PASSWORD"]
    );
    let two = client
        .get(&shop("Development").keys(["DB_HOST", "API_KEY"]))
        .unwrap();
    assert_eq!(two.len(), 2);
}

#[test]
fn one_key_is_fetched_by_its_digest() {
    let fx = start();
    let client = fx.client();
    let secret = client
        .get_secret(AppRef::name("shop"), "Production", "DB_HOST", None)
        .unwrap();
    assert_eq!(secret.value.expose(), "db.prod");
    let err = client
        .get_secret(AppRef::name("shop"), "Production", "MISSING", None)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::SecretNotFound);
}

#[test]
fn selection_prefers_exact_names_and_reports_ambiguity() {
    let fx = start();
    let client = fx.client();
    // "shop" is exact although "shop-admin" contains it.
    assert_eq!(
        client.get(&shop("production")).unwrap()[0].value.expose(),
        "db.prod"
    );
    // "prod" is a substring of "Production" and "Pre-production": the shorter name wins.
    assert_eq!(client.get(&shop("prod")).unwrap()[0].env, "Production");
    let err = client
        .get(&GetOptions::new(AppRef::name("BILLING"), "Development"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Ambiguous);
    assert!(
        err.message().contains("Billing") && err.message().contains("billing"),
        "{err}"
    );
    let err = client
        .get(&GetOptions::new(AppRef::name("nope"), "Development"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::AppNotFound);
    let err = client.get(&shop("qa")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::EnvNotFound);
    let apps = client.apps().unwrap();
    let id = apps.iter().find(|a| a.name == "shop").unwrap().id.clone();
    assert_eq!(
        client
            .get(&GetOptions::new(AppRef::id(id), "Development"))
            .unwrap()
            .len(),
        3
    );
    let err = client
        .get(&GetOptions::new(
            AppRef::id("00000000-0000-0000-0000-000000000000"),
            "Development",
        ))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::AppNotFound);
}

#[test]
fn bad_tokens_and_hosts_are_typed_errors() {
    let fx = start();
    let err = Client::builder()
        .token("pss_service:v2:nope")
        .host(fx.server.url())
        .build()
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidToken);
    let err = Client::builder()
        .token(&fx.token)
        .host("not a url")
        .build()
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    // Credentials in the host would be shown wherever the host is.
    let with_password = fx.server.url().replace("://", "://someone:hunter2@");
    let err = Client::builder()
        .token(&fx.token)
        .host(with_password)
        .build()
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(!err.message().contains("hunter2"), "{err}");
    // A valid token the server does not know.
    let stranger = fx.token.replacen(&fx.token[15..79], &"ab".repeat(32), 1);
    let client = client_at(stranger, fx.server.url());
    let err = client.get(&shop("Development")).unwrap_err();
    assert_eq!(
        (err.code(), err.status()),
        (ErrorCode::Unauthorized, Some(403))
    );
    // Nothing listens on port 9 of loopback.
    let client = client_at(&fx.token, "http://127.0.0.1:9");
    assert_eq!(
        client.get(&shop("Development")).unwrap_err().code(),
        ErrorCode::Network
    );
}

#[test]
fn a_secret_that_fails_to_decrypt_is_an_error_naming_it() {
    let (mut world, tokens) = World::from_seed(&Seed::from_json(SEED).unwrap()).unwrap();
    // A well-formed ciphertext to some other key: the server accepts it, decryption cannot.
    let stranger = phasekit::crypto::KeyPair::generate();
    let env = &mut world.apps[0].environments[0];
    env.secrets[1].value = phasekit::crypto::encrypt("x", &stranger.public).unwrap();
    let broken_id = env.secrets[1].id.clone();
    let server = BackgroundServer::start(world).unwrap();
    let client = client_at(&tokens["sa"].token, server.url());
    let err = client.get(&shop("Development")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DecryptFailed);
    assert!(err.message().contains(&broken_id), "{err}");
    assert!(err.message().contains("authentication failed"), "{err}");
    // Secrets that decrypt are still reachable one by one.
    assert_eq!(
        client
            .get_secret(AppRef::name("shop"), "Development", "DB_HOST", None)
            .unwrap()
            .value
            .expose(),
        "localhost"
    );
}

#[test]
fn environments_of_an_app_come_from_the_session() {
    let fx = start();
    let client = fx.client();
    let envs = client.environments(&AppRef::name("shop")).unwrap();
    let names: Vec<&str> = envs.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names.len(), 4);
    assert!(names.contains(&"Pre-production"));
    assert_eq!(
        fx.requests(),
        (1, 0),
        "listing environments needs no secrets request"
    );
}

#[test]
fn refusals_and_foreign_endpoints_are_typed_errors() {
    let seed = r#"{"apps": [{"name": "a"}],
                   "service_accounts": [{"name": "ro", "role": "read_only", "access": {"a": "*"}, "tokens": [{"name": "ro"}]}]}"#;
    let (world, tokens) = World::from_seed(&Seed::from_json(seed).unwrap()).unwrap();
    let server = BackgroundServer::start(world).unwrap();
    let client = client_at(&tokens["ro"].token, server.url());
    let err = client
        .create(
            &AppRef::name("a"),
            "Development",
            &[phasekit::NewSecret::new("K", "v")],
        )
        .unwrap_err();
    assert_eq!(
        (err.code(), err.status()),
        (ErrorCode::Forbidden, Some(403))
    );
    assert!(
        err.message()
            .contains("You don't have permission to create secrets"),
        "{err}"
    );

    // A host that is not a Phase server answers HTML 404s: a protocol error naming the status.
    let elsewhere = client_at(&tokens["ro"].token, format!("{}/not-phase", server.url()));
    let err = elsewhere
        .get(&GetOptions::new(AppRef::name("a"), "Development"))
        .unwrap_err();
    assert_eq!((err.code(), err.status()), (ErrorCode::Protocol, Some(404)));
}

#[test]
fn the_plaintexts_of_replaced_values_are_forgotten() {
    let fx = start();
    let client = fx.client();
    client.get(&shop("Development")).unwrap();
    let remembered = client.async_client().remembered_plaintexts();
    for round in 0..5 {
        let mut update = SecretUpdate::new("API_KEY");
        update.value = Some(format!("k-dev-{round}"));
        client
            .update(&AppRef::name("shop"), "Development", &update)
            .unwrap();
        // The first listing after a change still keeps the old value (a get running at the
        // same time may be reading it); the second one wipes it.
        client.get(&shop("Development")).unwrap();
        client.get(&shop("Development")).unwrap();
        assert_eq!(
            client.async_client().remembered_plaintexts(),
            remembered,
            "round {round}: the new value replaces the old one"
        );
    }
    let api_key = client.get(&shop("Development").keys(["API_KEY"])).unwrap();
    assert_eq!(api_key[0].value.expose(), "k-dev-4");
    // A filtered listing is not the environment: what it does not hold stays remembered.
    for _ in 0..2 {
        client.get(&shop("Development").path("/db")).unwrap();
    }
    assert_eq!(client.async_client().remembered_plaintexts(), remembered);
}

#[test]
fn unchanged_secrets_are_not_decrypted_twice_and_copies_are_not_trusted() {
    let (mut world, tokens) = World::from_seed(&Seed::from_json(SEED).unwrap()).unwrap();
    // Production's DB_HOST gets the ciphertext of Development's DB_HOST value: same bytes,
    // another recipient. It must fail to decrypt, even after Development was read.
    let copied = world.apps[0].environments[0].secrets[0].value.clone();
    world.apps[0].environments[2].secrets[0].value = copied;
    let server = BackgroundServer::start(world).unwrap();
    let client = Client::builder()
        .token(&tokens["sa"].token)
        .host(server.url())
        .build()
        .unwrap();
    let blocking: BlockingClient = client.clone().into();
    blocking.get(&shop("Development")).unwrap();
    let remembered = client.remembered_plaintexts();
    assert!(
        remembered >= 7,
        "keys, values and the comment: {remembered}"
    );
    blocking.get(&shop("Development")).unwrap();
    assert_eq!(
        client.remembered_plaintexts(),
        remembered,
        "a warm get decrypts nothing new"
    );
    let err = blocking.get(&shop("Production")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DecryptFailed, "{err}");

    let off: BlockingClient = Client::builder()
        .token(&tokens["sa"].token)
        .host(server.url())
        .memo_capacity(0)
        .build()
        .unwrap()
        .into();
    assert_eq!(off.get(&shop("Development")).unwrap().len(), 3);
    assert_eq!(off.async_client().remembered_plaintexts(), 0);
}
