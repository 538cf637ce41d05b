//! Cloud identity login: `login_aws_iam(...)` and `login_azure(...)` return a ready `Client`,
//! `async_login_aws_iam(...)` and `async_login_azure(...)` an awaitable of an `AsyncClient`.
//! The core signs or presents the identity, logs in and builds the client; the minted token
//! goes from the core's login into the core's client and never becomes a Python object, so no
//! repr, exception or log can show it.

use std::path::PathBuf;

use phasekit::identity::{AwsIam, AzureEntra, LoginOptions, Provider};
use phasekit::{ClientOptions, SecretString};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::client::{AsyncClient, Client, user_agent_suffix};
use crate::errors::{invalid, to_py};
use crate::options::client_options;
use crate::runtime::{awaitable, block_on};

/// The core's login settings and the settings of the client built with the minted token: one
/// set of keyword arguments for both (`LoginOptions::for_client`), checked before any request.
fn prepare(
    py: Python<'_>,
    service_account_id: String,
    provider: Provider,
    ttl: Option<i128>,
    host: Option<String>,
    settings: Option<&Bound<'_, PyDict>>,
) -> PyResult<(LoginOptions, ClientOptions)> {
    // A TTL beyond i64 is refused here like a negative one is by the core: as invalid input,
    // not as the OverflowError that extracting an i64 would raise.
    let ttl = ttl
        .map(|ttl| i64::try_from(ttl).map_err(|_| invalid("ttl is out of range")))
        .transpose()?;
    let client = ClientOptions {
        user_agent_suffix: Some(user_agent_suffix(py)),
        ..client_options(None, host, settings)?
    };
    let login = LoginOptions::for_client(service_account_id, provider, ttl, &client);
    login.validate().map_err(to_py)?;
    Ok((login, client))
}

/// AWS credentials to sign with: both keys or none (then the standard AWS sources: the
/// environment, the shared files of `profile`); the rule is the core's.
fn aws_provider(
    region: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    profile: Option<String>,
    sts_endpoint: Option<String>,
) -> PyResult<Provider> {
    AwsIam::from_parts(
        access_key_id,
        secret_access_key,
        session_token,
        region,
        profile,
        sts_endpoint,
    )
    .map(Provider::AwsIam)
    .map_err(to_py)
}

/// An Entra ID access token to present, else workload identity (the given values over
/// `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, `AZURE_AUTHORITY_HOST`).
fn azure_provider(
    jwt: Option<String>,
    resource: Option<String>,
    token_file: Option<PathBuf>,
    client_id: Option<String>,
    tenant_id: Option<String>,
    authority_host: Option<String>,
) -> PyResult<Provider> {
    let token_file = token_file
        .map(|file| {
            file.into_os_string()
                .into_string()
                .map_err(|_| invalid("token_file must be a UTF-8 path"))
        })
        .transpose()?;
    Ok(Provider::AzureEntra(AzureEntra {
        jwt: jwt.map(SecretString::new),
        resource,
        token_file,
        client_id,
        tenant_id,
        authority_host,
        ..AzureEntra::default()
    }))
}

/// One blocking and one asyncio login function for a provider: the provider's own arguments,
/// then the login's and the client's settings, the same for every provider.
macro_rules! login_functions {
    (
        $(#[$doc:meta])*
        $blocking:ident, $asyncio:ident,
        ($($arg:ident: $ty:ty),*) => $provider:expr
    ) => {
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (service_account_id, *, host=None, ttl=None, $($arg=None,)* **settings))]
        #[allow(clippy::too_many_arguments)]
        pub fn $blocking(
            py: Python<'_>,
            service_account_id: String,
            host: Option<String>,
            ttl: Option<i128>,
            $($arg: $ty,)*
            settings: Option<&Bound<'_, PyDict>>,
        ) -> PyResult<Client> {
            let (login, client) = prepare(py, service_account_id, $provider?, ttl, host, settings)?;
            let inner = block_on(py, async {
                phasekit::identity::login_client_with(&login, client).await.map_err(to_py)
            });
            // Building the client may log (TLS verification off): hand the records to `logging`.
            crate::logs::emit(py);
            Ok(Client { inner: inner? })
        }

        $(#[$doc])*
        /// Returns an awaitable of an `AsyncClient`.
        #[pyfunction]
        #[pyo3(signature = (service_account_id, *, host=None, ttl=None, $($arg=None,)* **settings))]
        #[allow(clippy::too_many_arguments)]
        pub fn $asyncio(
            py: Python<'_>,
            service_account_id: String,
            host: Option<String>,
            ttl: Option<i128>,
            $($arg: $ty,)*
            settings: Option<&Bound<'_, PyDict>>,
        ) -> PyResult<Py<PyAny>> {
            let (login, client) = prepare(py, service_account_id, $provider?, ttl, host, settings)?;
            awaitable(py, async move {
                let inner = phasekit::identity::login_client_with(&login, client).await.map_err(to_py)?;
                Ok(AsyncClient { inner })
            })
            .map(Bound::unbind)
        }
    };
}

login_functions! {
    /// Logs in with an AWS IAM identity (a signed STS GetCallerIdentity request) and returns a
    /// client for the minted service-account token.
    login_aws_iam, async_login_aws_iam,
    (
        region: Option<String>,
        access_key_id: Option<String>,
        secret_access_key: Option<String>,
        session_token: Option<String>,
        profile: Option<String>,
        sts_endpoint: Option<String>
    ) => aws_provider(
        region,
        access_key_id,
        secret_access_key,
        session_token,
        profile,
        sts_endpoint,
    )
}

login_functions! {
    /// Logs in with an Azure Entra ID identity (an access token's `oid`) and returns a client
    /// for the minted service-account token.
    login_azure, async_login_azure,
    (
        jwt: Option<String>,
        resource: Option<String>,
        token_file: Option<PathBuf>,
        client_id: Option<String>,
        tenant_id: Option<String>,
        authority_host: Option<String>
    ) => azure_provider(jwt, resource, token_file, client_id, tenant_id, authority_host)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(login_aws_iam, m)?)?;
    m.add_function(wrap_pyfunction!(async_login_aws_iam, m)?)?;
    m.add_function(wrap_pyfunction!(login_azure, m)?)?;
    m.add_function(wrap_pyfunction!(async_login_azure, m)?)?;
    Ok(())
}
