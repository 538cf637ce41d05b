//! Cloud identity login: `login_aws_iam(...)` and `login_azure(...)` return a ready `Client`,
//! `async_login_aws_iam(...)` and `async_login_azure(...)` an awaitable of an `AsyncClient`.
//! The core signs or presents the identity, logs in and builds the client; the minted token
//! goes from the core's login into the core's client and never becomes a Python object, so no
//! repr, exception or log can show it.

use std::path::PathBuf;

use phasekit::SecretString;
use phasekit::identity::{AwsCredentials, AwsIam, AzureEntra, LoginOptions, Provider};
use pyo3::prelude::*;

use crate::client::{AsyncClient, Client, Prepared, Settings, build, user_agent_suffix};
use crate::errors::{invalid, to_py};
use crate::runtime::{awaitable, block_on};

/// The core's login settings and the settings of the client built with the minted token.
#[allow(clippy::too_many_arguments)]
fn prepare(
    py: Python<'_>,
    service_account_id: String,
    provider: Provider,
    host: Option<String>,
    ttl: Option<i128>,
    timeout: Option<f64>,
    connect_timeout: Option<f64>,
    verify_ssl: Option<bool>,
    ca_bundle: Option<String>,
    settings: Settings,
) -> PyResult<(LoginOptions, Prepared)> {
    // A TTL beyond i64 is refused here like a negative one is by the core: as invalid input,
    // not as the OverflowError that extracting an i64 would raise.
    let ttl = ttl
        .map(|ttl| i64::try_from(ttl).map_err(|_| invalid("ttl is out of range")))
        .transpose()?;
    let options = LoginOptions {
        host,
        ttl,
        timeout,
        connect_timeout,
        verify_ssl,
        ca_bundle,
        user_agent_suffix: Some(user_agent_suffix(py)),
        ..LoginOptions::new(service_account_id, provider)
    };
    Ok((options, settings.prepare()?))
}

/// AWS credentials to sign with: both keys or none (then the standard AWS sources: the
/// environment, the shared files of `profile`).
fn aws_provider(
    region: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    profile: Option<String>,
    sts_endpoint: Option<String>,
) -> PyResult<Provider> {
    let credentials = match (access_key_id, secret_access_key) {
        (Some(id), Some(secret)) => Some(AwsCredentials::new(id, secret, session_token)),
        (None, None) if session_token.is_none() => None,
        (None, None) => {
            return Err(invalid(
                "session_token needs access_key_id and secret_access_key",
            ));
        }
        _ => {
            return Err(invalid(
                "access_key_id and secret_access_key go together: pass both or neither",
            ));
        }
    };
    Ok(Provider::AwsIam(AwsIam {
        credentials,
        profile,
        region,
        sts_endpoint,
        ..AwsIam::default()
    }))
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
        #[pyo3(signature = (service_account_id, *, host=None, ttl=None, $($arg=None,)* timeout=None, connect_timeout=None, verify_ssl=None, ca_bundle=None, session_ttl=None, max_retries=None, deadline=None, max_response_bytes=None, cache_ttl=None, cache_stale_if_error=None, offline_cache_dir=None, offline=None, debug=None))]
        #[allow(clippy::too_many_arguments)]
        pub fn $blocking(
            py: Python<'_>,
            service_account_id: String,
            host: Option<String>,
            ttl: Option<i128>,
            $($arg: $ty,)*
            timeout: Option<f64>,
            connect_timeout: Option<f64>,
            verify_ssl: Option<bool>,
            ca_bundle: Option<String>,
            session_ttl: Option<f64>,
            max_retries: Option<i128>,
            deadline: Option<f64>,
            max_response_bytes: Option<i128>,
            cache_ttl: Option<f64>,
            cache_stale_if_error: Option<f64>,
            offline_cache_dir: Option<PathBuf>,
            offline: Option<bool>,
            debug: Option<bool>,
        ) -> PyResult<Client> {
            let settings = Settings {
                session_ttl,
                max_retries,
                deadline,
                max_response_bytes,
                cache_ttl,
                cache_stale_if_error,
                offline_cache_dir,
                offline,
                debug,
            };
            let (options, client_settings) = prepare(
                py,
                service_account_id,
                $provider?,
                host,
                ttl,
                timeout,
                connect_timeout,
                verify_ssl,
                ca_bundle,
                settings,
            )?;
            let login = block_on(py, async {
                phasekit::identity::login(&options).await.map_err(to_py)
            })?;
            let inner = build(py, client_settings.apply(login.client_options()))?;
            Ok(Client { inner })
        }

        $(#[$doc])*
        /// Returns an awaitable of an `AsyncClient`.
        #[pyfunction]
        #[pyo3(signature = (service_account_id, *, host=None, ttl=None, $($arg=None,)* timeout=None, connect_timeout=None, verify_ssl=None, ca_bundle=None, session_ttl=None, max_retries=None, deadline=None, max_response_bytes=None, cache_ttl=None, cache_stale_if_error=None, offline_cache_dir=None, offline=None, debug=None))]
        #[allow(clippy::too_many_arguments)]
        pub fn $asyncio(
            py: Python<'_>,
            service_account_id: String,
            host: Option<String>,
            ttl: Option<i128>,
            $($arg: $ty,)*
            timeout: Option<f64>,
            connect_timeout: Option<f64>,
            verify_ssl: Option<bool>,
            ca_bundle: Option<String>,
            session_ttl: Option<f64>,
            max_retries: Option<i128>,
            deadline: Option<f64>,
            max_response_bytes: Option<i128>,
            cache_ttl: Option<f64>,
            cache_stale_if_error: Option<f64>,
            offline_cache_dir: Option<PathBuf>,
            offline: Option<bool>,
            debug: Option<bool>,
        ) -> PyResult<Py<PyAny>> {
            let settings = Settings {
                session_ttl,
                max_retries,
                deadline,
                max_response_bytes,
                cache_ttl,
                cache_stale_if_error,
                offline_cache_dir,
                offline,
                debug,
            };
            let (options, client_settings) = prepare(
                py,
                service_account_id,
                $provider?,
                host,
                ttl,
                timeout,
                connect_timeout,
                verify_ssl,
                ca_bundle,
                settings,
            )?;
            awaitable(py, async move {
                let login = phasekit::identity::login(&options).await.map_err(to_py)?;
                // The login's options name the binding in the user agent already.
                let inner = client_settings
                    .apply(login.client_options())
                    .build()
                    .map_err(to_py)?;
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
