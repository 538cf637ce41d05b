//! The cloud identity logins, as free functions returning a ready `PhaseClient`.

use std::sync::Arc;

use super::task::run;
use super::{PhaseClient, PhaseError};
use crate::types::{self, AwsLogin, AzureLogin, ClientOptions};

/// Logs in with an AWS IAM identity (a SigV4-signed STS `GetCallerIdentity`, signed here and
/// checked by Phase) and returns a client for the minted service-account token. Credentials and
/// region not given come from the standard AWS sources (`AWS_ACCESS_KEY_ID`, ...,
/// `~/.aws/credentials`, `AWS_REGION`); the host and HTTP settings from `options`.
#[uniffi::export(default(
    access_key_id = None,
    secret_access_key = None,
    session_token = None,
    region = None,
    ttl = None,
    options = None
))]
pub async fn login_aws_iam(
    service_account_id: String,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    region: Option<String>,
    ttl: Option<i64>,
    options: Option<ClientOptions>,
) -> Result<Arc<PhaseClient>, PhaseError> {
    let provider = AwsLogin {
        access_key_id,
        secret_access_key,
        session_token,
        region,
        profile: None,
    }
    .provider()?;
    login(service_account_id, provider, ttl, options).await
}

/// Logs in with an Azure Entra ID identity and returns a client for the minted
/// service-account token. `jwt`: an Entra ID access token for `resource` (default
/// `https://management.azure.com/`); without it, workload identity from the environment
/// (`AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`).
#[uniffi::export(default(jwt = None, resource = None, ttl = None, options = None))]
pub async fn login_azure(
    service_account_id: String,
    jwt: Option<String>,
    resource: Option<String>,
    ttl: Option<i64>,
    options: Option<ClientOptions>,
) -> Result<Arc<PhaseClient>, PhaseError> {
    let provider = AzureLogin { jwt, resource }.provider();
    login(service_account_id, provider, ttl, options).await
}

async fn login(
    service_account_id: String,
    provider: phasekit::identity::Provider,
    ttl: Option<i64>,
    options: Option<ClientOptions>,
) -> Result<Arc<PhaseClient>, PhaseError> {
    let options = options.unwrap_or_default();
    let client = run(types::login(
        service_account_id,
        provider,
        ttl,
        options,
        "uniffi".to_owned(),
    ))
    .await?;
    Ok(Arc::new(PhaseClient { client }))
}
