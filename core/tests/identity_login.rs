//! Cloud identity login against the local server, which verifies AWS signatures with the seeded
//! secret keys (standing in for STS) and Entra ID tokens with the seeded tenant keys: success
//! then secrets read with the minted token, and every refusal with its error code. No error
//! message may contain a secret key, a session token, a JWT or a minted token.
//!
//! Every test passes its credentials, region and host explicitly: the environment is read only
//! by `identity_env.rs`, alone in its binary.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use phasekit::identity::{
    AwsCredentials, AwsIam, AzureEntra, Login, LoginOptions, Provider, login, login_client,
};
use phasekit::{AppRef, Error, ErrorCode, GetOptions, SecretString};
use phasekit_server::world::identities::sign_hs256_jwt;
use phasekit_server::{BackgroundServer, Seed, World};
use serde_json::json;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const TENANT_KEY: &str = "tenant-signing-key-for-tests";
const OID: &str = "9a0f2c3e-1111-4a5b-8c7d-000000000001";
const OTHER_OID: &str = "9a0f2c3e-2222-4a5b-8c7d-000000000002";
const CLIENT_ID: &str = "5e3ad1b0-3333-4c2d-9e8f-000000000003";
const CLUSTER_KEY: &str = "cluster-issuer-key-for-tests";
const RESOURCE: &str = "https://management.azure.com/";

const WEB_KEY: &str = "AKIAAPPWEB0000000001";
const WEB_SECRET: &str = "app-web-secret/Key+1xxxxxxxxxxxxxxxxxxxx";
const TEMP_KEY: &str = "ASIATEMPWORKER000002";
const TEMP_SECRET: &str = "temp-worker-secret/Key+2xxxxxxxxxxxxxxxx";
const TEMP_SESSION: &str = "FQoGZXIvYXdzEtemporary-session-token-2";
const ADMIN_KEY: &str = "AKIADBADMIN000000003";
const ADMIN_SECRET: &str = "db-admin-secret/Key+3xxxxxxxxxxxxxxxxxxx";

const PRINCIPALS: &str = r#"["arn:aws:sts::123456789012:assumed-role/app-*/*"]"#;

fn seed() -> String {
    format!(
        r#"{{
  "apps": [{{"name": "shop", "environments": ["Development"],
             "secrets": {{"Development": [{{"key": "DB_HOST", "value": "db.internal"}}]}}}}],
  "service_accounts": [
    {{"name": "deployer", "access": {{"shop": "*"}}, "server_side_key_management": true,
      "identities": [
        {{"provider": "aws_iam", "trusted_principals": {PRINCIPALS}, "max_ttl": 7200}},
        {{"provider": "azure_entra", "tenant_id": "{TENANT}", "resource": "{RESOURCE}",
          "allowed_service_principal_ids": ["{OID}"], "max_ttl": 7200}}]}},
    {{"name": "europe", "access": {{"shop": "*"}}, "server_side_key_management": true,
      "identities": [{{"provider": "aws_iam", "sts_endpoint": "https://sts.eu-west-1.amazonaws.com",
                       "trusted_principals": {PRINCIPALS}}}]}},
    {{"name": "no-kms", "access": {{"shop": "*"}},
      "identities": [{{"provider": "aws_iam", "trusted_principals": {PRINCIPALS}}}]}}
  ],
  "aws_credentials": [
    {{"access_key_id": "{WEB_KEY}", "secret_access_key": "{WEB_SECRET}",
      "arn": "arn:aws:sts::123456789012:assumed-role/app-web/i-0abc"}},
    {{"access_key_id": "{TEMP_KEY}", "secret_access_key": "{TEMP_SECRET}", "session_token": "{TEMP_SESSION}",
      "arn": "arn:aws:sts::123456789012:assumed-role/app-worker/session-1"}},
    {{"access_key_id": "{ADMIN_KEY}", "secret_access_key": "{ADMIN_SECRET}",
      "arn": "arn:aws:sts::123456789012:assumed-role/db-admin/i-0def"}}
  ],
  "azure_tenants": [{{"tenant_id": "{TENANT}", "signing_key": "{TENANT_KEY}",
    "workload_identities": [{{"client_id": "{CLIENT_ID}", "object_id": "{OID}",
                              "federated_token_key": "{CLUSTER_KEY}"}}]}}]
}}"#
    )
}

struct Fixture {
    server: BackgroundServer,
    /// Service account name -> id.
    accounts: std::collections::BTreeMap<String, String>,
}

fn start() -> Fixture {
    let (world, _) = World::from_seed(&Seed::from_json(&seed()).unwrap()).unwrap();
    let state = phasekit_server::http::admin::state(&world);
    let accounts = state["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_owned(),
                a["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    Fixture {
        server: BackgroundServer::start(world).unwrap(),
        accounts,
    }
}

impl Fixture {
    fn options(&self, account: &str, provider: Provider) -> LoginOptions {
        LoginOptions::new(&self.accounts[account], provider).host(self.server.url())
    }

    fn aws(&self, account: &str, iam: AwsIam) -> LoginOptions {
        self.options(account, Provider::AwsIam(iam))
    }

    fn logins(&self, provider: &str) -> u64 {
        let path = format!("POST /public/identities/external/v1/{provider}/auth/");
        self.server
            .request_counts()
            .get(&path)
            .copied()
            .unwrap_or(0)
    }
}

fn web() -> AwsIam {
    AwsIam::with_credentials(AwsCredentials::new(WEB_KEY, WEB_SECRET, None)).region("us-east-1")
}

/// Runs `future` on a runtime of its own: the server runs on another one, which must be started
/// and dropped outside of any runtime.
fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// An Entra ID access token of the test tenant, with `changes` applied to its claims.
fn entra_jwt(key: &str, changes: serde_json::Value) -> String {
    let now = now_secs();
    let mut claims = json!({
        "aud": RESOURCE, "iss": format!("https://sts.windows.net/{TENANT}/"),
        "iat": now - 10, "nbf": now - 10, "exp": now + 600,
        "oid": OID, "sub": OID, "tid": TENANT, "ver": "1.0",
    });
    for (name, value) in changes.as_object().unwrap() {
        claims[name] = value.clone();
    }
    sign_hs256_jwt(key, &claims)
}

/// The error never shows any of `secrets`, in its message, `Display` or `Debug`.
fn assert_clean(error: &Error, secrets: &[&str]) {
    let shown = format!("{error} {error:?}");
    for secret in secrets {
        assert!(!shown.contains(secret), "a secret leaked into {shown}");
    }
}

/// Asserts that `error` has `code` and a message that contains every one of `fragments`.
fn assert_error(error: &Error, code: ErrorCode, fragments: &[&str]) {
    assert_eq!(error.code(), code, "{error}");
    for fragment in fragments {
        assert!(error.message().contains(fragment), "{error}");
    }
}

fn aws_secrets() -> Vec<&'static str> {
    vec![WEB_SECRET, TEMP_SECRET, TEMP_SESSION, ADMIN_SECRET]
}

async fn read_db_host(login: &Login) -> String {
    let client = login.client().unwrap();
    let secrets = client
        .get(&GetOptions::new(AppRef::name("shop"), "Development"))
        .await
        .unwrap();
    secrets[0].value.expose().to_owned()
}

#[test]
fn aws_login_mints_a_token_that_reads_secrets() {
    let fx = start();
    block_on(async {
        let login = login(&fx.aws("deployer", web()).ttl(900)).await.unwrap();
        assert_eq!(login.token_type, "ServiceAccount");
        assert_eq!((login.ttl, login.max_ttl), (900, 7200));
        assert!(login.token.expose().starts_with("pss_service:v2:"));
        let remaining = login.expires_at.duration_since(SystemTime::now()).unwrap();
        assert!(remaining > Duration::from_secs(880) && remaining <= Duration::from_secs(900));
        assert_eq!(login.host, fx.server.url());
        assert!(!format!("{login:?}").contains(login.token.expose()));
        assert_eq!(read_db_host(&login).await, "db.internal");
        assert_eq!(fx.logins("aws/iam"), 1);

        // Without a TTL the identity's default applies; `login_client` goes straight to a client.
        let client = login_client(&fx.aws("deployer", web())).await.unwrap();
        let envs = client.environments(&AppRef::name("shop")).await.unwrap();
        assert_eq!(envs.len(), 1);
        let login = phasekit::identity::login(&fx.aws("deployer", web()))
            .await
            .unwrap();
        assert_eq!(login.ttl, 3600);
    });
}

#[test]
fn temporary_credentials_sign_their_session_token() {
    let fx = start();
    block_on(async {
        let temporary = AwsCredentials::new(TEMP_KEY, TEMP_SECRET, Some(TEMP_SESSION.into()));
        let login = login(&fx.aws(
            "deployer",
            AwsIam::with_credentials(temporary).region("us-east-1"),
        ))
        .await
        .unwrap();
        assert_eq!(read_db_host(&login).await, "db.internal");

        // STS refuses temporary keys without their session token.
        let without = AwsCredentials::new(TEMP_KEY, TEMP_SECRET, None);
        let error = phasekit::identity::login(&fx.aws(
            "deployer",
            AwsIam::with_credentials(without).region("us-east-1"),
        ))
        .await
        .unwrap_err();
        assert_eq!(error.code(), ErrorCode::Unauthorized);
        assert_clean(&error, &aws_secrets());
    });
}

#[test]
fn a_wrong_secret_key_fails_the_signature_check() {
    let fx = start();
    block_on(async {
        let wrong = "not-the-right-secret/Key+9xxxxxxxxxxxxxxxx";
        let iam =
            AwsIam::with_credentials(AwsCredentials::new(WEB_KEY, wrong, None)).region("us-east-1");
        let error = login(&fx.aws("deployer", iam)).await.unwrap_err();
        assert_error(
            &error,
            ErrorCode::Unauthorized,
            &["AWS STS validation failed", "HTTP 403"],
        );
        assert_eq!(error.status(), Some(401));
        assert_clean(&error, &[wrong, WEB_SECRET]);

        let unknown =
            AwsIam::with_credentials(AwsCredentials::new("AKIAUNKNOWN000000000", wrong, None))
                .region("us-east-1");
        let error = login(&fx.aws("deployer", unknown)).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::Unauthorized);
        assert_clean(&error, &[wrong]);
    });
}

#[test]
fn signatures_older_or_newer_than_a_minute_are_expired() {
    let fx = start();
    block_on(async {
        for offset in [-120i64, 120] {
            let at = if offset < 0 {
                SystemTime::now() - Duration::from_secs(offset.unsigned_abs())
            } else {
                SystemTime::now() + Duration::from_secs(offset as u64)
            };
            let iam = AwsIam {
                signing_time: Some(at),
                ..web()
            };
            let error = login(&fx.aws("deployer", iam)).await.unwrap_err();
            assert_error(&error, ErrorCode::Unauthorized, &["Signature expired"]);
            assert_clean(&error, &aws_secrets());
        }
        // Within the minute is fine.
        let iam = AwsIam {
            signing_time: Some(SystemTime::now() - Duration::from_secs(20)),
            ..web()
        };
        login(&fx.aws("deployer", iam)).await.unwrap();
    });
}

#[test]
fn an_untrusted_principal_is_forbidden() {
    let fx = start();
    block_on(async {
        let admin = AwsIam::with_credentials(AwsCredentials::new(ADMIN_KEY, ADMIN_SECRET, None))
            .region("us-east-1");
        let error = login(&fx.aws("deployer", admin)).await.unwrap_err();
        assert_error(&error, ErrorCode::Forbidden, &["Untrusted principal"]);
        assert_eq!(error.status(), Some(403));
        assert_clean(&error, &aws_secrets());
    });
}

#[test]
fn the_region_must_be_the_identitys_sts_endpoint() {
    let fx = start();
    block_on(async {
        let error = login(&fx.aws("deployer", web().region("eu-west-1")))
            .await
            .unwrap_err();
        assert_error(
            &error,
            ErrorCode::InvalidInput,
            &[
                "STS endpoint mismatch",
                "expects https://sts.amazonaws.com",
                "signed for https://sts.eu-west-1.amazonaws.com",
            ],
        );
        assert_eq!(error.status(), Some(400));
        assert_clean(&error, &aws_secrets());

        // The identity of "europe" is configured for eu-west-1: signing for it succeeds.
        let login = login(&fx.aws("europe", web().region("eu-west-1")))
            .await
            .unwrap();
        assert_eq!(read_db_host(&login).await, "db.internal");
        let error = phasekit::identity::login(&fx.aws("europe", web()))
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidInput);
    });
}

#[test]
fn ttls_are_checked_here_and_on_the_server() {
    let fx = start();
    block_on(async {
        let error = login(&fx.aws("deployer", web()).ttl(7201))
            .await
            .unwrap_err();
        assert_error(
            &error,
            ErrorCode::InvalidInput,
            &["Requested TTL (7201s) exceeds maximum allowed TTL (7200s)"],
        );
        for bad in [0, -60] {
            let error = login(&fx.aws("deployer", web()).ttl(bad))
                .await
                .unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidInput);
        }
        assert_eq!(
            fx.logins("aws/iam"),
            1,
            "invalid TTLs never leave the client"
        );
    });
}

#[test]
fn a_minted_token_expires_with_its_ttl() {
    let fx = start();
    block_on(async {
        let login = login(&fx.aws("deployer", web()).ttl(1)).await.unwrap();
        let client = login.client().unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let error = client
            .get(&GetOptions::new(AppRef::name("shop"), "Development"))
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::Unauthorized);
        assert_clean(&error, &[login.token.expose()]);
    });
}

#[test]
fn accounts_without_server_side_key_management_or_unknown_are_refused() {
    let fx = start();
    block_on(async {
        let error = login(&fx.aws("no-kms", web())).await.unwrap_err();
        assert_error(
            &error,
            ErrorCode::Forbidden,
            &["Server-side key management must be enabled"],
        );
        assert_eq!(error.status(), Some(403));

        let unknown = LoginOptions::new(
            "00000000-0000-4000-8000-000000000000",
            Provider::AwsIam(web()),
        )
        .host(fx.server.url());
        let error = login(&unknown).await.unwrap_err();
        assert_error(
            &error,
            ErrorCode::Unauthorized,
            &["Service account not found"],
        );
        assert_eq!(error.status(), Some(404));

        let malformed =
            LoginOptions::new("deployer", Provider::AwsIam(web())).host(fx.server.url());
        assert_eq!(
            login(&malformed).await.unwrap_err().code(),
            ErrorCode::InvalidInput
        );
        assert_eq!(fx.logins("aws/iam"), 2);

        // The Azure endpoint checks the same, before the token.
        let jwt = entra_jwt(TENANT_KEY, json!({}));
        let error = login(&fx.options("no-kms", Provider::AzureEntra(AzureEntra::with_jwt(&jwt))))
            .await
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::Forbidden);
        assert_clean(&error, &[&jwt]);
    });
}

#[test]
fn azure_login_with_a_valid_jwt_reads_secrets() {
    let fx = start();
    block_on(async {
        let jwt = entra_jwt(TENANT_KEY, json!({}));
        let options = fx
            .options("deployer", Provider::AzureEntra(AzureEntra::with_jwt(&jwt)))
            .ttl(600);
        let login = login(&options).await.unwrap();
        assert_eq!((login.ttl, login.max_ttl), (600, 7200));
        assert_eq!(read_db_host(&login).await, "db.internal");
        assert_eq!(fx.logins("azure/entra"), 1);

        // The audience may come without its trailing slash; v2.0 tokens name another issuer.
        let jwt = entra_jwt(
            TENANT_KEY,
            json!({"aud": "https://management.azure.com", "ver": "2.0",
               "iss": format!("https://login.microsoftonline.com/{TENANT}/v2.0")}),
        );
        login_client(&fx.options("deployer", Provider::AzureEntra(AzureEntra::with_jwt(&jwt))))
            .await
            .unwrap();
    });
}

#[test]
fn azure_refusals() {
    let fx = start();
    block_on(async {
        let azure =
            |jwt: &str| fx.options("deployer", Provider::AzureEntra(AzureEntra::with_jwt(jwt)));
        let cases = [
            (
                "bad signature",
                entra_jwt("another-tenants-key", json!({})),
                ErrorCode::Unauthorized,
                401,
            ),
            (
                "expired",
                entra_jwt(TENANT_KEY, json!({"exp": now_secs() - 5})),
                ErrorCode::Unauthorized,
                401,
            ),
            (
                "not yet valid",
                entra_jwt(TENANT_KEY, json!({"nbf": now_secs() + 300})),
                ErrorCode::Unauthorized,
                401,
            ),
            (
                "wrong audience",
                entra_jwt(TENANT_KEY, json!({"aud": "https://vault.azure.net"})),
                ErrorCode::Unauthorized,
                401,
            ),
            (
                "wrong tenant",
                entra_jwt(
                    TENANT_KEY,
                    json!({"tid": "00000000-0000-0000-0000-000000000000"}),
                ),
                ErrorCode::Unauthorized,
                401,
            ),
            (
                "wrong oid",
                entra_jwt(TENANT_KEY, json!({"oid": OTHER_OID})),
                ErrorCode::Forbidden,
                403,
            ),
        ];
        for (name, jwt, code, status) in cases {
            let error = login(&azure(&jwt)).await.unwrap_err();
            assert_eq!(
                (error.code(), error.status()),
                (code, Some(status)),
                "{name}: {error}"
            );
            assert_clean(&error, &[&jwt, jwt.split('.').nth(2).unwrap()]);
        }
        let error = login(&azure("definitely-not-a-jwt")).await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidInput);
        assert_clean(&error, &["definitely-not-a-jwt"]);
    });
}

#[test]
fn azure_tokens_from_a_provider() {
    let fx = start();
    block_on(async {
        let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = asked.clone();
        let provider = AzureEntra::with_provider(move |resource: String| {
            seen.lock().unwrap().push(resource);
            async { Ok(SecretString::new(entra_jwt(TENANT_KEY, json!({})))) }
        });
        let login = login(&fx.options("deployer", Provider::AzureEntra(provider)))
            .await
            .unwrap();
        assert_eq!(read_db_host(&login).await, "db.internal");
        assert_eq!(*asked.lock().unwrap(), [RESOURCE]);

        // A provider's failure is the login's, with its code.
        let failing = AzureEntra::with_provider(|_: String| async {
            Err(Error::new(ErrorCode::Unauthorized, "no Azure session"))
        });
        let error = login_client(&fx.options("deployer", Provider::AzureEntra(failing)))
            .await
            .unwrap_err();
        assert_error(&error, ErrorCode::Unauthorized, &["no Azure session"]);
    });
}

#[test]
fn workload_identity_exchanges_the_federated_token() {
    let fx = start();
    block_on(async {
        let dir = std::env::temp_dir().join(format!("phasekit-identity-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let token_file = dir.join("azure-identity-token");
        let federated = |key: &str, aud: &str| {
            sign_hs256_jwt(
                key,
                &json!({"iss": "https://oidc.example/cluster", "sub": "system:serviceaccount:shop:api",
                    "aud": [aud], "exp": now_secs() + 600, "iat": now_secs()}),
            )
        };
        let workload = AzureEntra {
            token_file: Some(token_file.to_str().unwrap().to_owned()),
            client_id: Some(CLIENT_ID.to_owned()),
            tenant_id: Some(TENANT.to_owned()),
            authority_host: Some(format!("{}/_entra/", fx.server.url())),
            ..AzureEntra::default()
        };
        let good = federated(CLUSTER_KEY, "api://AzureADTokenExchange");
        std::fs::write(&token_file, format!("{good}\n")).unwrap();
        let login = login(&fx.options("deployer", Provider::AzureEntra(workload.clone())))
            .await
            .unwrap();
        assert_eq!(read_db_host(&login).await, "db.internal");

        for (bad, reason) in [
            (
                federated("some-other-issuer", "api://AzureADTokenExchange"),
                "AADSTS70021",
            ),
            (
                federated(CLUSTER_KEY, "api://another-audience"),
                "AADSTS700212",
            ),
        ] {
            std::fs::write(&token_file, &bad).unwrap();
            let error = phasekit::identity::login(
                &fx.options("deployer", Provider::AzureEntra(workload.clone())),
            )
            .await
            .unwrap_err();
            assert_error(&error, ErrorCode::Unauthorized, &[reason]);
            assert_clean(&error, &[&bad]);
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            fx.logins("azure/entra"),
            1,
            "refused exchanges never reach Phase"
        );
    });
}

#[test]
fn the_blocking_login_needs_no_runtime() {
    let fx = start();
    let login = phasekit::identity::login_blocking(&fx.aws("deployer", web())).unwrap();
    let client: phasekit::BlockingClient = login.client().unwrap().into();
    let secret = client
        .get_secret(AppRef::name("shop"), "Development", "DB_HOST", None)
        .unwrap();
    assert_eq!(secret.value.expose(), "db.internal");
}
