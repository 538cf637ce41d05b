//! `Client.loginAwsIam` and `Client.loginAzure`: the core's cloud identity login, which trades
//! the workload's AWS IAM or Azure Entra ID identity for a short-lived service-account token.
//! The minted token never reaches JavaScript: the client is built from it here, and only the
//! `Client` is handed over. Secrets taken from the options (AWS keys, the JWT) go straight into
//! the core's wiping types.

use napi::bindgen_prelude::{Env, Object, Result};
use napi_derive::napi;
use phasekit::SecretString;
use phasekit::identity::{AwsIam, AzureEntra, LoginOptions, Provider};

use crate::arguments::optional_whole_seconds;
use crate::client::Client;
use crate::errors;
use crate::options::options_with_client_settings;
use crate::promise::spawn_then;
use crate::typed_arguments;

phasekit::client_settings!(options_with_client_settings {
    #[doc = " `Client.loginAwsIam`: the service account, the token's TTL and the AWS credentials"]
    #[doc = " (default: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, then the"]
    #[doc = " profile of `~/.aws/credentials` and `~/.aws/config`), then the client's settings (the"]
    #[doc = " host, timeouts and TLS settings serve the login too)."]
    "AwsIamLoginOptions" => AwsIamLoginOptions {
        #[doc = " The service account's id (a UUID, shown in the Phase console)."]
        service_account_id: String,
        #[doc = " Seconds the token should live (default: the identity's default TTL); the server"]
        #[doc = " refuses more than the identity's maximum."]
        ttl: Option<f64>,
        #[doc = " An AWS access key id, with `secretAccessKey`, instead of the standard AWS sources."]
        access_key_id: Option<String>,
        #[doc = " The secret access key of `accessKeyId`."]
        secret_access_key: Option<String>,
        #[doc = " The session token of temporary credentials (`ASIA...` keys)."]
        session_token: Option<String>,
        #[doc = " The region whose STS endpoint the request is signed for; it must be the identity's"]
        #[doc = " (default: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's region, else `us-east-1`)."]
        region: Option<String>,
        #[doc = " The profile of the shared AWS files to take credentials from, instead of"]
        #[doc = " `AWS_PROFILE` (the environment's keys are then not used)."]
        profile: Option<String>,
    }
});

phasekit::client_settings!(options_with_client_settings {
    #[doc = " `Client.loginAzure`: the service account, the token's TTL and the Entra ID access token"]
    #[doc = " (default: workload identity from `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`,"]
    #[doc = " `AZURE_TENANT_ID` and `AZURE_AUTHORITY_HOST`), then the client's settings (the host,"]
    #[doc = " timeouts and TLS settings serve the login too)."]
    "AzureLoginOptions" => AzureLoginOptions {
        #[doc = " The service account's id (a UUID, shown in the Phase console)."]
        service_account_id: String,
        #[doc = " Seconds the token should live (default: the identity's default TTL); the server"]
        #[doc = " refuses more than the identity's maximum."]
        ttl: Option<f64>,
        #[doc = " An Entra ID access token issued for the identity's resource, instead of workload"]
        #[doc = " identity."]
        jwt: Option<String>,
        #[doc = " The audience workload identity asks Entra ID for: the identity's resource in Phase"]
        #[doc = " (default `https://management.azure.com/`)."]
        resource: Option<String>,
    }
});

/// A login ready to run: everything is checked and converted, on the JavaScript thread.
struct PreparedLogin {
    login: LoginOptions,
    client: phasekit::ClientOptions,
}

impl PreparedLogin {
    /// Every rule is the core's (the account id, the TTL, every setting), checked before the
    /// login sends anything.
    fn new(
        env: &Env,
        service_account_id: String,
        ttl: Option<f64>,
        provider: Provider,
        client: phasekit::ClientOptions,
    ) -> Result<Self> {
        let ttl = optional_whole_seconds(env, "ttl", ttl)?;
        let login = LoginOptions::for_client(service_account_id, provider, ttl, &client);
        login
            .validate()
            .map_err(|error| errors::to_js(env, &error))?;
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
    AwsIam::from_parts(
        options.access_key_id.take(),
        options.secret_access_key.take(),
        options.session_token.take(),
        options.region.take(),
        options.profile.take(),
        None,
    )
    .map(Provider::AwsIam)
    .map_err(|error| errors::to_js(env, &error))
}

fn azure_provider(options: &mut AzureLoginOptions) -> Provider {
    Provider::AzureEntra(AzureEntra {
        jwt: options.jwt.take().map(SecretString::new),
        resource: options.resource.take(),
        ..AzureEntra::default()
    })
}

#[napi]
impl Client {
    /// Logs in to Phase as the service account `serviceAccountId` with the workload's AWS IAM
    /// identity and resolves to a client for the minted, short-lived service-account token. The
    /// account needs server-side key management and an AWS IAM identity that trusts the
    /// caller's ARN. The STS `GetCallerIdentity` request is signed here (SigV4) and checked by
    /// Phase with STS; the token never reaches JavaScript.
    #[napi(ts_return_type = "Promise<Client>")]
    pub fn login_aws_iam<'env>(
        env: &'env Env,
        options: typed_arguments::AwsIamLoginOptions,
    ) -> Result<Object<'env>> {
        let prepared = options
            .parse(env, "loginAwsIam options")
            .and_then(|mut options| {
                let settings = options.client_options(env)?;
                let provider = aws_provider(env, &mut options)?;
                let (id, ttl) = (options.service_account_id, options.ttl);
                PreparedLogin::new(env, id, ttl, provider, settings)
            });
        settle(env, prepared)
    }

    /// Logs in to Phase as the service account `serviceAccountId` with an Azure Entra ID
    /// identity (`jwt`, else workload identity from the environment) and resolves to a client
    /// for the minted, short-lived service-account token, which never reaches JavaScript.
    #[napi(ts_return_type = "Promise<Client>")]
    pub fn login_azure<'env>(
        env: &'env Env,
        options: typed_arguments::AzureLoginOptions,
    ) -> Result<Object<'env>> {
        let prepared = options
            .parse(env, "loginAzure options")
            .and_then(|mut options| {
                let settings = options.client_options(env)?;
                let provider = azure_provider(&mut options);
                let (id, ttl) = (options.service_account_id, options.ttl);
                PreparedLogin::new(env, id, ttl, provider, settings)
            });
        settle(env, prepared)
    }
}
