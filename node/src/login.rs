//! `Client.loginAwsIam` and `Client.loginAzure`: the core's cloud identity login, which trades
//! the workload's AWS IAM or Azure Entra ID identity for a short-lived service-account token.
//! The minted token never reaches JavaScript: the client is built from it here, and only the
//! `Client` is handed over. Secrets taken from the options (AWS keys, the JWT) go straight into
//! the core's wiping types.

use napi::bindgen_prelude::{Env, Object, Result, Unknown};
use napi_derive::napi;
use phasekit::SecretString;
use phasekit::identity::{AwsCredentials, AwsIam, AzureEntra, LoginOptions, Provider};

use crate::arguments::{optional_whole_seconds, parse};
use crate::client::{Client, user_agent_suffix};
use crate::errors;
use crate::options::ClientSettings;
use crate::promise::spawn_then;

/// `fn client_settings(&mut self) -> ClientSettings` for a login's options object, which holds
/// every `ClientOptions` field but `token` (the login mints it) next to its own: napi-rs
/// objects cannot embed one another, so the fields are written out in each. Naming every field
/// of `ClientSettings` here makes a client option added there fail this build until the login
/// options have it too.
macro_rules! client_settings {
    ($($options:ty),*) => {$(
        impl $options {
            fn client_settings(&mut self) -> ClientSettings {
                ClientSettings {
                    token: None,
                    host: self.host.take(),
                    timeout: self.timeout.take(),
                    connect_timeout: self.connect_timeout.take(),
                    verify_ssl: self.verify_ssl.take(),
                    ca_bundle: self.ca_bundle.take(),
                    session_ttl: self.session_ttl.take(),
                    max_retries: self.max_retries.take(),
                    deadline: self.deadline.take(),
                    max_response_bytes: self.max_response_bytes.take(),
                    cache_ttl: self.cache_ttl.take(),
                    cache_stale_if_error: self.cache_stale_if_error.take(),
                    offline_cache_dir: self.offline_cache_dir.take(),
                    offline: self.offline.take(),
                    debug: self.debug.take(),
                }
            }
        }
    )*};
}

/// `Client.loginAwsIam`: the service account, the token's TTL and the AWS credentials (default:
/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, then the profile of
/// `~/.aws/credentials` and `~/.aws/config`), then the client's options.
#[napi(object)]
#[derive(Clone)]
pub struct AwsIamLoginOptions {
    /// The service account's id (a UUID, shown in the Phase console).
    pub service_account_id: String,
    /// Seconds the token should live (default: the identity's default TTL); the server refuses
    /// more than the identity's maximum.
    pub ttl: Option<f64>,
    /// An AWS access key id, with `secretAccessKey`, instead of the standard AWS sources.
    pub access_key_id: Option<String>,
    /// The secret access key of `accessKeyId`.
    pub secret_access_key: Option<String>,
    /// The session token of temporary credentials (`ASIA...` keys).
    pub session_token: Option<String>,
    /// The region whose STS endpoint the request is signed for; it must be the identity's
    /// (default: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's region, else `us-east-1`).
    pub region: Option<String>,
    /// The profile of the shared AWS files to take credentials from, instead of `AWS_PROFILE`
    /// (the environment's keys are then not used).
    pub profile: Option<String>,
    /// The Phase host to log in to, which the client then uses (default `PHASE_HOST`, else
    /// `https://console.phase.dev`).
    pub host: Option<String>,
    /// Seconds a whole request may take, the login's included (default 30).
    pub timeout: Option<f64>,
    /// Seconds to establish a connection, also for the login (default 10).
    pub connect_timeout: Option<f64>,
    /// `false` turns TLS certificate verification off, also for the login (logged as a
    /// warning).
    pub verify_ssl: Option<bool>,
    /// Path of a PEM file of extra certificate authorities to trust, also for the login.
    pub ca_bundle: Option<String>,
    /// Seconds the session data and derived keys are reused (default 300).
    pub session_ttl: Option<f64>,
    /// Retries of idempotent requests after transient failures (default 3).
    pub max_retries: Option<f64>,
    /// Seconds one call may take, retries and waits included (default 60).
    pub deadline: Option<f64>,
    /// The largest response body accepted, in bytes (default 64 MiB).
    pub max_response_bytes: Option<f64>,
    /// Seconds `get` results are served from memory without a request (no in-memory cache
    /// when absent).
    pub cache_ttl: Option<f64>,
    /// Seconds past `cacheTtl` a cached result may still be served while the server cannot
    /// be reached (default 300; needs `cacheTtl`).
    pub cache_stale_if_error: Option<f64>,
    /// A directory where the server's answers are kept for when the server cannot be
    /// reached (`PHASE_OFFLINE_CACHE_DIR`).
    pub offline_cache_dir: Option<String>,
    /// `true`: the client never uses the network after the login (`PHASE_OFFLINE`).
    pub offline: Option<bool>,
    /// Logs each request's method, path, status and time (never headers or bodies).
    pub debug: Option<bool>,
}

/// `Client.loginAzure`: the service account, the token's TTL and the Entra ID access token
/// (default: workload identity from `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`,
/// `AZURE_TENANT_ID` and `AZURE_AUTHORITY_HOST`), then the client's options.
#[napi(object)]
#[derive(Clone)]
pub struct AzureLoginOptions {
    /// The service account's id (a UUID, shown in the Phase console).
    pub service_account_id: String,
    /// Seconds the token should live (default: the identity's default TTL); the server refuses
    /// more than the identity's maximum.
    pub ttl: Option<f64>,
    /// An Entra ID access token issued for the identity's resource, instead of workload
    /// identity.
    pub jwt: Option<String>,
    /// The audience workload identity asks Entra ID for: the identity's resource in Phase
    /// (default `https://management.azure.com/`).
    pub resource: Option<String>,
    /// The Phase host to log in to, which the client then uses (default `PHASE_HOST`, else
    /// `https://console.phase.dev`).
    pub host: Option<String>,
    /// Seconds a whole request may take, the login's included (default 30).
    pub timeout: Option<f64>,
    /// Seconds to establish a connection, also for the login (default 10).
    pub connect_timeout: Option<f64>,
    /// `false` turns TLS certificate verification off, also for the login (logged as a
    /// warning).
    pub verify_ssl: Option<bool>,
    /// Path of a PEM file of extra certificate authorities to trust, also for the login.
    pub ca_bundle: Option<String>,
    /// Seconds the session data and derived keys are reused (default 300).
    pub session_ttl: Option<f64>,
    /// Retries of idempotent requests after transient failures (default 3).
    pub max_retries: Option<f64>,
    /// Seconds one call may take, retries and waits included (default 60).
    pub deadline: Option<f64>,
    /// The largest response body accepted, in bytes (default 64 MiB).
    pub max_response_bytes: Option<f64>,
    /// Seconds `get` results are served from memory without a request (no in-memory cache
    /// when absent).
    pub cache_ttl: Option<f64>,
    /// Seconds past `cacheTtl` a cached result may still be served while the server cannot
    /// be reached (default 300; needs `cacheTtl`).
    pub cache_stale_if_error: Option<f64>,
    /// A directory where the server's answers are kept for when the server cannot be
    /// reached (`PHASE_OFFLINE_CACHE_DIR`).
    pub offline_cache_dir: Option<String>,
    /// `true`: the client never uses the network after the login (`PHASE_OFFLINE`).
    pub offline: Option<bool>,
    /// Logs each request's method, path, status and time (never headers or bodies).
    pub debug: Option<bool>,
}

client_settings!(AwsIamLoginOptions, AzureLoginOptions);

/// A login ready to run: everything is checked and converted, on the JavaScript thread.
struct PreparedLogin {
    login: LoginOptions,
    client: phasekit::ClientOptions,
}

impl PreparedLogin {
    fn new(
        env: &Env,
        service_account_id: String,
        ttl: Option<f64>,
        provider: Provider,
        settings: ClientSettings,
    ) -> Result<Self> {
        // The core checks this too, but names the field as the other languages spell it.
        if !is_uuid(service_account_id.trim()) {
            return Err(errors::invalid(
                env,
                "serviceAccountId must be the service account's UUID (shown in the Phase console)",
            ));
        }
        let ttl = optional_whole_seconds(env, "ttl", ttl)?;
        let client = settings.into_core(env, user_agent_suffix(env))?;
        let login = LoginOptions::for_client(service_account_id, provider, ttl, &client);
        Ok(PreparedLogin { login, client })
    }

    async fn run(self) -> phasekit::Result<phasekit::Client> {
        phasekit::identity::login(&self.login)
            .await?
            .client_with(self.client)
    }
}

/// Runs the login off the event loop and resolves to the client of the minted token.
fn settle<'env>(env: &'env Env, prepared: Result<PreparedLogin>) -> Result<Object<'env>> {
    let work = prepared.map(PreparedLogin::run);
    spawn_then(env, work, |_, inner: phasekit::Client| {
        crate::logging::enable(inner.logs_requests());
        Ok(Client { inner })
    })
}

fn aws_provider(env: &Env, options: &mut AwsIamLoginOptions) -> Result<Provider> {
    // Wrapped at once, so that these copies are wiped whichever way this ends.
    let secret = options.secret_access_key.take().map(SecretString::new);
    let session = options.session_token.take().map(SecretString::new);
    let mut iam = AwsIam::default();
    match (options.access_key_id.take(), secret) {
        (Some(id), Some(secret)) => {
            let session = session.map(|token| token.expose().to_owned());
            iam.credentials = Some(AwsCredentials::new(id, secret.expose(), session));
        }
        (None, None) if session.is_some() => {
            return Err(errors::invalid(
                env,
                "sessionToken needs accessKeyId and secretAccessKey",
            ));
        }
        (None, None) => {}
        _ => {
            return Err(errors::invalid(
                env,
                "accessKeyId and secretAccessKey must be given together",
            ));
        }
    }
    iam.region = options.region.take();
    iam.profile = options.profile.take();
    Ok(Provider::AwsIam(iam))
}

fn azure_provider(options: &mut AzureLoginOptions) -> Provider {
    Provider::AzureEntra(AzureEntra {
        jwt: options.jwt.take().map(SecretString::new),
        resource: options.resource.take(),
        ..AzureEntra::default()
    })
}

/// `8-4-4-4-12` hexadecimal digits, as the Phase console shows account ids.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[napi]
impl Client {
    /// Logs in to Phase as the service account `serviceAccountId` with the workload's AWS IAM
    /// identity and resolves to a client for the minted, short-lived service-account token. The
    /// account needs server-side key management and an AWS IAM identity that trusts the
    /// caller's ARN. The STS `GetCallerIdentity` request is signed here (SigV4) and checked by
    /// Phase with STS; the token never reaches JavaScript.
    #[napi(
        ts_args_type = "options: AwsIamLoginOptions",
        ts_return_type = "Promise<Client>"
    )]
    pub fn login_aws_iam<'env>(env: &'env Env, options: Unknown) -> Result<Object<'env>> {
        let prepared = parse::<AwsIamLoginOptions>(env, options, "loginAwsIam options").and_then(
            |mut options| {
                let settings = options.client_settings();
                let provider = aws_provider(env, &mut options)?;
                let (id, ttl) = (options.service_account_id, options.ttl);
                PreparedLogin::new(env, id, ttl, provider, settings)
            },
        );
        settle(env, prepared)
    }

    /// Logs in to Phase as the service account `serviceAccountId` with an Azure Entra ID
    /// identity (`jwt`, else workload identity from the environment) and resolves to a client
    /// for the minted, short-lived service-account token, which never reaches JavaScript.
    #[napi(
        ts_args_type = "options: AzureLoginOptions",
        ts_return_type = "Promise<Client>"
    )]
    pub fn login_azure<'env>(env: &'env Env, options: Unknown) -> Result<Object<'env>> {
        let prepared = parse::<AzureLoginOptions>(env, options, "loginAzure options").and_then(
            |mut options| {
                let settings = options.client_settings();
                let provider = azure_provider(&mut options);
                let (id, ttl) = (options.service_account_id, options.ttl);
                PreparedLogin::new(env, id, ttl, provider, settings)
            },
        );
        settle(env, prepared)
    }
}
