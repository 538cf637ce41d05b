//! Identity logins configured only by the environment: AWS keys from `AWS_*` variables, then
//! from a shared credentials file and profile; Azure workload identity from `AZURE_*`; the host
//! from `PHASE_HOST`. Alone in its test binary because it sets process-wide environment
//! variables.

use std::time::{SystemTime, UNIX_EPOCH};

use phasekit::identity::{AwsIam, AzureEntra, LoginOptions, Provider, login_blocking};
use phasekit::{AppRef, BlockingClient, ErrorCode};
use phasekit_server::world::identities::sign_hs256_jwt;
use phasekit_server::{BackgroundServer, Seed, World};
use serde_json::json;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT_ID: &str = "5e3ad1b0-3333-4c2d-9e8f-000000000003";
const CLUSTER_KEY: &str = "cluster-issuer-key-for-tests";

const SEED: &str = r#"{
  "apps": [{"name": "shop", "environments": ["Development"],
            "secrets": {"Development": [{"key": "DB_HOST", "value": "db.internal"}]}}],
  "service_accounts": [
    {"name": "deployer", "access": {"shop": "*"}, "server_side_key_management": true,
     "identities": [
       {"provider": "aws_iam", "sts_endpoint": "https://sts.eu-central-1.amazonaws.com",
        "trusted_principals": ["arn:aws:sts::123456789012:assumed-role/app-*/*"]},
       {"provider": "azure_entra", "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "allowed_service_principal_ids": ["9a0f2c3e-1111-4a5b-8c7d-000000000001"]}]}
  ],
  "aws_credentials": [
    {"access_key_id": "AKIAFROMENV000000001", "secret_access_key": "env-secret/Key+1xxxxxxxxxxxxxxxxxxxxxxx",
     "session_token": "env-session-token-1", "arn": "arn:aws:sts::123456789012:assumed-role/app-env/s"},
    {"access_key_id": "AKIAFROMFILE00000002", "secret_access_key": "file-secret/Key+2xxxxxxxxxxxxxxxxxxxxxx",
     "arn": "arn:aws:sts::123456789012:assumed-role/app-file/s"}
  ],
  "azure_tenants": [{"tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47", "signing_key": "tenant-key",
    "workload_identities": [{"client_id": "5e3ad1b0-3333-4c2d-9e8f-000000000003",
                             "object_id": "9a0f2c3e-1111-4a5b-8c7d-000000000001",
                             "federated_token_key": "cluster-issuer-key-for-tests"}]}]
}"#;

fn set(name: &str, value: &str) {
    // SAFETY: this binary runs a single test; no other thread reads the environment.
    unsafe { std::env::set_var(name, value) }
}

fn unset(name: &str) {
    // SAFETY: as above.
    unsafe { std::env::remove_var(name) }
}

fn reads_secrets(options: &LoginOptions) {
    let login = login_blocking(options).unwrap();
    let client = BlockingClient::from(login.client().unwrap());
    let secret = client
        .get_secret(AppRef::name("shop"), "Development", "DB_HOST", None)
        .unwrap();
    assert_eq!(secret.value.expose(), "db.internal");
}

#[test]
fn logins_configured_by_the_environment() {
    let (world, _) = World::from_seed(&Seed::from_json(SEED).unwrap()).unwrap();
    let state = phasekit_server::http::admin::state(&world);
    let account = state["accounts"][0]["id"].as_str().unwrap().to_owned();
    let server = BackgroundServer::start(world).unwrap();
    let dir = std::env::temp_dir().join(format!("phasekit-identity-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AZURE_AUTHORITY_HOST",
    ] {
        unset(name);
    }
    // Nothing of a developer's own AWS set-up may be read.
    set("HOME", dir.to_str().unwrap());
    set(
        "AWS_SHARED_CREDENTIALS_FILE",
        dir.join("none").to_str().unwrap(),
    );
    set("AWS_CONFIG_FILE", dir.join("none-config").to_str().unwrap());
    set("PHASE_HOST", &format!("{}/service/", server.url()));
    let aws = LoginOptions::new(&account, Provider::AwsIam(AwsIam::default()));

    let error = login_blocking(&aws).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidInput);
    assert!(
        error.message().contains("no AWS credentials found"),
        "{error}"
    );

    // Keys, session token and region from the environment.
    set("AWS_ACCESS_KEY_ID", "AKIAFROMENV000000001");
    set(
        "AWS_SECRET_ACCESS_KEY",
        "env-secret/Key+1xxxxxxxxxxxxxxxxxxxxxxx",
    );
    set("AWS_SESSION_TOKEN", "env-session-token-1");
    set("AWS_DEFAULT_REGION", "eu-central-1");
    reads_secrets(&aws);
    set("AWS_REGION", "us-west-2");
    let error = login_blocking(&aws).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidInput, "AWS_REGION wins");
    assert!(!error.to_string().contains("env-secret"), "{error}");
    assert!(!error.to_string().contains("env-session-token"), "{error}");
    unset("AWS_REGION");

    // Keys from a profile of the shared credentials file, region from the config file.
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION",
    ] {
        unset(name);
    }
    let credentials = dir.join("credentials");
    std::fs::write(
        &credentials,
        "[default]\naws_access_key_id = AKIAUNKNOWN000000000\naws_secret_access_key = x\n\n\
         [ci]\naws_access_key_id = AKIAFROMFILE00000002\n\
         aws_secret_access_key = file-secret/Key+2xxxxxxxxxxxxxxxxxxxxxx\n",
    )
    .unwrap();
    let config = dir.join("config");
    std::fs::write(
        &config,
        "[default]\nregion = eu-central-1\n[profile ci]\nregion = eu-central-1\n",
    )
    .unwrap();
    set("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap());
    set("AWS_CONFIG_FILE", config.to_str().unwrap());
    set("AWS_PROFILE", "ci");
    reads_secrets(&aws);
    // The profile can also be given; it then wins over AWS_PROFILE.
    unset("AWS_PROFILE");
    reads_secrets(&LoginOptions::new(
        &account,
        Provider::AwsIam(AwsIam::default().profile("ci")),
    ));
    let error = login_blocking(&aws).unwrap_err();
    assert_eq!(
        error.code(),
        ErrorCode::Unauthorized,
        "the default profile's unknown key is refused by STS: {error}"
    );

    // Azure workload identity, entirely from the environment.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let federated = sign_hs256_jwt(
        CLUSTER_KEY,
        &json!({"iss": "https://oidc.example/cluster", "sub": "system:serviceaccount:shop:api",
                "aud": "api://AzureADTokenExchange", "exp": now + 600}),
    );
    let token_file = dir.join("azure-identity-token");
    std::fs::write(&token_file, &federated).unwrap();
    set("AZURE_FEDERATED_TOKEN_FILE", token_file.to_str().unwrap());
    set("AZURE_CLIENT_ID", CLIENT_ID);
    set("AZURE_TENANT_ID", TENANT);
    set("AZURE_AUTHORITY_HOST", &format!("{}/_entra/", server.url()));
    let azure = LoginOptions::new(&account, Provider::AzureEntra(AzureEntra::default()));
    reads_secrets(&azure);
    let login = login_blocking(&azure).unwrap();
    assert!(!format!("{login:?}").contains(login.token.expose()));

    unset("AZURE_CLIENT_ID");
    let error = login_blocking(&azure).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidInput);
    assert!(error.message().contains("AZURE_CLIENT_ID"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}
