//! Cloud identity logins: the providers' settings as plain values, and the login itself.

use phasekit::identity::Provider;

use super::ClientOptions;

/// AWS IAM login settings as plain values; absent ones come from the standard AWS sources
/// (`AWS_ACCESS_KEY_ID`, ..., the shared files, `AWS_REGION`).
#[derive(Default)]
pub struct AwsLogin {
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
}

impl AwsLogin {
    pub fn provider(self) -> phasekit::Result<Provider> {
        // The core checks the key pair (both or neither) and makes the credentials.
        let iam = phasekit::identity::AwsIam::from_parts(
            self.access_key_id,
            self.secret_access_key,
            self.session_token,
            self.region,
            self.profile,
            None,
        )?;
        Ok(Provider::AwsIam(iam))
    }
}

/// Azure Entra ID login settings as plain values; without `jwt`, workload identity from the
/// environment (`AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`).
#[derive(Default)]
pub struct AzureLogin {
    pub jwt: Option<String>,
    pub resource: Option<String>,
}

impl AzureLogin {
    pub fn provider(self) -> Provider {
        Provider::AzureEntra(phasekit::identity::AzureEntra {
            jwt: self.jwt.map(phasekit::SecretString::new),
            resource: self.resource,
            ..phasekit::identity::AzureEntra::default()
        })
    }
}

/// Logs in with a cloud identity and returns a client for the minted token, which never leaves
/// Rust. `options` are the client's settings; the host and the HTTP settings also apply to the
/// login request itself. The core checks every setting before the login's request.
pub async fn login(
    service_account_id: String,
    provider: Provider,
    ttl: Option<i64>,
    options: ClientOptions,
    binding: String,
) -> phasekit::Result<phasekit::Client> {
    // Before the login, so that its warnings (e.g. `verify_ssl: false`) reach the host.
    phasekit::logs::collect();
    let client = options.core(None, binding);
    let login_options =
        phasekit::identity::LoginOptions::for_client(service_account_id, provider, ttl, &client);
    phasekit::identity::login_client_with(&login_options, client).await
}
