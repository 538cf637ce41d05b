//! Azure Entra ID login: present an Entra ID access token (a JWT) whose `oid` is one of the
//! identity's allowed service principals.
//!
//! The token comes from, in order: the JWT given, a [`JwtProvider`] (e.g. a closure around the
//! Azure SDK), or workload identity, the way AKS and other federated workloads authenticate: the
//! file named by `AZURE_FEDERATED_TOKEN_FILE` holds a token issued by the workload's platform
//! (not by Entra ID), which is exchanged at Entra ID's token endpoint
//! (`AZURE_AUTHORITY_HOST`/`AZURE_TENANT_ID`, as client `AZURE_CLIENT_ID`) for an access token
//! to `resource`. Phase only accepts tokens that Entra ID issued, so the federated token itself
//! is never sent to Phase.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::exchange::{Answer, Http, redact};
use super::{Env, LoginRequest, invalid, process_env};
use crate::error::{Error, ErrorCode, Result};
use crate::percent::encode as uri_encode;
use crate::secret_string::SecretString;

const LOGIN_PATH: &str = "/public/identities/external/v1/azure/entra/auth/";
/// The audience Phase identities expect unless configured otherwise.
pub const DEFAULT_RESOURCE: &str = "https://management.azure.com/";
const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com/";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// What a [`JwtProvider`] returns.
pub type JwtFuture<'a> = Pin<Box<dyn Future<Output = Result<SecretString>> + Send + 'a>>;

/// Supplies an Entra ID access token for `resource` (the audience the Phase identity expects)
/// at every login. Closures `Fn(String) -> impl Future<Output = Result<SecretString>>` are
/// providers.
pub trait JwtProvider: Send + Sync {
    fn jwt<'a>(&'a self, resource: &'a str) -> JwtFuture<'a>;
}

impl<F, Fut> JwtProvider for F
where
    F: Fn(String) -> Fut + Send + Sync,
    Fut: Future<Output = Result<SecretString>> + Send + 'static,
{
    fn jwt<'a>(&'a self, resource: &'a str) -> JwtFuture<'a> {
        Box::pin(self(resource.to_owned()))
    }
}

/// How to get the Entra ID token. `Default` is workload identity from the environment.
#[derive(Clone, Default)]
pub struct AzureEntra {
    /// An Entra ID access token to present as is.
    pub jwt: Option<SecretString>,
    /// Asked for a token at every login.
    pub provider: Option<Arc<dyn JwtProvider>>,
    /// Workload identity: the federated token file (else `AZURE_FEDERATED_TOKEN_FILE`).
    pub token_file: Option<String>,
    /// Workload identity: the application (client) id (else `AZURE_CLIENT_ID`).
    pub client_id: Option<String>,
    /// Workload identity: the tenant (else `AZURE_TENANT_ID`).
    pub tenant_id: Option<String>,
    /// Workload identity: the Entra ID authority (else `AZURE_AUTHORITY_HOST`, else
    /// `https://login.microsoftonline.com/`).
    pub authority_host: Option<String>,
    /// The audience to request: the identity's "resource" in Phase (default
    /// `https://management.azure.com/`).
    pub resource: Option<String>,
}

impl fmt::Debug for AzureEntra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureEntra")
            .field("jwt", &self.jwt.as_ref().map(|_| "<redacted>"))
            .field("provider", &self.provider.as_ref().map(|_| "<provider>"))
            .field("token_file", &self.token_file)
            .field("client_id", &self.client_id)
            .field("tenant_id", &self.tenant_id)
            .field("authority_host", &self.authority_host)
            .field("resource", &self.resource)
            .finish()
    }
}

#[derive(Serialize)]
struct Body<'a> {
    account: super::AccountRef<'a>,
    #[serde(rename = "azureEntra")]
    azure_entra: Jwt<'a>,
    #[serde(rename = "tokenRequest", skip_serializing_if = "Option::is_none")]
    token_request: Option<super::TokenRequest>,
}

#[derive(Serialize)]
struct Jwt<'a> {
    jwt: &'a str,
}

#[derive(Deserialize)]
struct EntraToken {
    access_token: String,
}

#[derive(Deserialize)]
struct EntraError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

impl AzureEntra {
    /// Presents this Entra ID access token.
    pub fn with_jwt(jwt: impl Into<String>) -> Self {
        AzureEntra {
            jwt: Some(SecretString::new(jwt)),
            ..AzureEntra::default()
        }
    }

    /// Asks `provider` for a token at every login.
    pub fn with_provider(provider: impl JwtProvider + 'static) -> Self {
        AzureEntra {
            provider: Some(Arc::new(provider)),
            ..AzureEntra::default()
        }
    }

    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    pub(crate) async fn login(&self, request: &LoginRequest<'_>) -> Result<(Answer, SystemTime)> {
        let jwt = self.token(request.http, &process_env).await?;
        let encoded = Zeroizing::new(STANDARD.encode(jwt.expose()));
        let secrets = [jwt.expose(), encoded.as_str()];
        request
            .http
            .login(
                request.host,
                LOGIN_PATH,
                "Azure Entra login",
                &secrets,
                || {
                    super::to_json(&Body {
                        account: super::AccountRef::service(request.account_id),
                        azure_entra: Jwt { jwt: &encoded },
                        token_request: request.ttl.map(|ttl| super::TokenRequest { ttl }),
                    })
                },
            )
            .await
    }

    fn resource_or_default(&self) -> String {
        self.resource
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .unwrap_or(DEFAULT_RESOURCE)
            .to_owned()
    }

    async fn token(&self, http: &Http, env: &Env) -> Result<SecretString> {
        if let Some(jwt) = &self.jwt {
            return checked(jwt.expose(), "the JWT given");
        }
        let resource = self.resource_or_default();
        if let Some(provider) = &self.provider {
            let jwt = provider
                .jwt(&resource)
                .await
                .map_err(|e| e.context("the Azure JWT provider failed"))?;
            return checked(jwt.expose(), "the JWT provider");
        }
        let workload = self.workload_identity(env)?;
        let assertion = read_token_file(&workload.token_file)?;
        workload.exchange(http, &assertion, &resource).await
    }

    fn workload_identity(&self, env: &Env) -> Result<WorkloadIdentity> {
        let pick = |given: &Option<String>, name: &str| {
            given
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .or_else(|| env(name).map(|v| v.trim().to_owned()))
        };
        let token_file = pick(&self.token_file, "AZURE_FEDERATED_TOKEN_FILE");
        let client_id = pick(&self.client_id, "AZURE_CLIENT_ID");
        let tenant_id = pick(&self.tenant_id, "AZURE_TENANT_ID");
        let authority = pick(&self.authority_host, "AZURE_AUTHORITY_HOST")
            .unwrap_or_else(|| DEFAULT_AUTHORITY.to_owned());
        let (Some(token_file), Some(client_id), Some(tenant_id)) =
            (token_file.clone(), client_id.clone(), tenant_id.clone())
        else {
            let missing: Vec<&str> = [
                (token_file.is_none(), "AZURE_FEDERATED_TOKEN_FILE"),
                (client_id.is_none(), "AZURE_CLIENT_ID"),
                (tenant_id.is_none(), "AZURE_TENANT_ID"),
            ]
            .into_iter()
            .filter_map(|(missing, name)| missing.then_some(name))
            .collect();
            return Err(invalid(format!(
                "no Azure token: pass a JWT or a provider, or set up workload identity ({} not \
                 set; managed identity and the Azure CLI are not supported)",
                missing.join(", ")
            )));
        };
        if !tenant_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            return Err(invalid(
                "the Azure tenant id must be a GUID or a domain name",
            ));
        }
        if client_id
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(invalid("the Azure client id must not contain spaces"));
        }
        let authority = reqwest::Url::parse(&authority)
            .ok()
            .filter(|url| url.scheme() == "https" || (url.scheme() == "http" && is_loopback(url)))
            .ok_or_else(|| {
                invalid(
                    "the Azure authority host must be an https:// URL (http:// only on loopback)",
                )
            })?;
        Ok(WorkloadIdentity {
            token_file,
            client_id,
            tenant_id,
            authority: authority.as_str().trim_end_matches('/').to_owned(),
        })
    }
}

struct WorkloadIdentity {
    token_file: String,
    client_id: String,
    tenant_id: String,
    authority: String,
}

impl WorkloadIdentity {
    /// Trades the federated token for an Entra ID access token (OAuth 2.0 client credentials
    /// with a client assertion).
    async fn exchange(
        &self,
        http: &Http,
        assertion: &SecretString,
        resource: &str,
    ) -> Result<SecretString> {
        let url = format!("{}/{}/oauth2/v2.0/token", self.authority, self.tenant_id);
        let scope = format!("{}/.default", resource.trim_end_matches('/'));
        let form = form_body(&[
            ("client_assertion", assertion.expose()),
            ("client_assertion_type", JWT_BEARER),
            ("client_id", &self.client_id),
            ("grant_type", "client_credentials"),
            ("scope", &scope),
        ]);
        let what = "Azure workload identity";
        let (status, body) = http
            .post_form(&url, "Entra ID token endpoint", form)
            .await
            .map_err(|e| e.context(what))?;
        if status == 200 {
            let token: EntraToken = serde_json::from_slice(&body).map_err(|_| {
                Error::new(ErrorCode::Protocol, "Entra ID's answer has no access_token")
                    .context(what)
            })?;
            return checked(&Zeroizing::new(token.access_token), "Entra ID");
        }
        let code = match status {
            400 | 401 | 403 => ErrorCode::Unauthorized,
            429 => ErrorCode::RateLimited,
            500..=599 => ErrorCode::Server,
            _ => ErrorCode::Protocol,
        };
        let detail = match serde_json::from_slice::<EntraError>(&body) {
            Ok(refusal) => {
                // The first line holds the AADSTS code and reason; the rest are trace ids.
                let description = refusal.error_description.unwrap_or_default();
                let first = description.lines().next().unwrap_or_default();
                let text: String = format!("{}: {first}", refusal.error)
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(300)
                    .collect();
                redact(&text, &[assertion.expose()])
            }
            Err(_) => "no OAuth error body".to_owned(),
        };
        Err(Error::new(
            code,
            format!("Entra ID refused the federated token ({detail})"),
        )
        .with_status(status)
        .with_retryable(code.is_transient() || matches!(status, 502..=504))
        .context(what))
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host_str() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

fn read_token_file(path: &str) -> Result<SecretString> {
    let text = std::fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(|e| invalid(format!("cannot read the federated token file {path}: {e}")))?;
    checked(&text, "the federated token file")
}

/// A JWT, trimmed: three base64url parts separated by dots. The message names the source only.
fn checked(jwt: &str, source: &str) -> Result<SecretString> {
    let jwt = jwt.trim();
    let parts: Vec<&str> = jwt.split('.').collect();
    let base64url = |part: &str| {
        part.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'='))
    };
    if parts.len() != 3
        || parts[0].is_empty()
        || parts[1].is_empty()
        || !parts.iter().all(|p| base64url(p))
    {
        return Err(invalid(format!(
            "the Azure token from {source} is not a JWT (three base64url parts separated by dots)"
        )));
    }
    Ok(SecretString::new(jwt))
}

/// `application/x-www-form-urlencoded`, in a buffer sized up front and wiped when dropped.
fn form_body(pairs: &[(&str, &str)]) -> Zeroizing<Vec<u8>> {
    let encoded: Vec<(String, Zeroizing<String>)> = pairs
        .iter()
        .map(|(name, value)| (uri_encode(name), Zeroizing::new(uri_encode(value))))
        .collect();
    let size = encoded.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
    let mut body = Zeroizing::new(Vec::with_capacity(size));
    for (index, (name, value)) in encoded.iter().enumerate() {
        if index > 0 {
            body.push(b'&');
        }
        body.extend_from_slice(name.as_bytes());
        body.push(b'=');
        body.extend_from_slice(value.as_bytes());
    }
    body
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJvaWQiOiJ4In0.c2lnbmF0dXJl";

    #[test]
    fn only_jwts_are_accepted_and_never_quoted() {
        assert_eq!(checked(&format!(" {JWT}\n"), "x").unwrap().expose(), JWT);
        for bad in ["", "a.b", "a..c", "a.b.c.d", "a b.c.d", "secret-not-a-jwt"] {
            let error = checked(bad, "the test").unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidInput);
            assert!(bad.is_empty() || !error.message().contains(bad), "{error}");
        }
    }

    #[test]
    fn workload_identity_comes_from_the_environment() {
        let map: HashMap<&str, &str> = [
            ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"),
            ("AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555"),
            ("AZURE_TENANT_ID", "contoso.onmicrosoft.com"),
        ]
        .into();
        let env = move |name: &str| map.get(name).map(|v| v.to_string());
        let workload = AzureEntra::default().workload_identity(&env).unwrap();
        assert_eq!(workload.token_file, "/var/run/token");
        assert_eq!(workload.authority, "https://login.microsoftonline.com");

        let error = AzureEntra::default()
            .workload_identity(&|_: &str| None)
            .err()
            .unwrap();
        assert!(
            error
                .message()
                .contains("AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID"),
            "{error}"
        );

        let plain_http = AzureEntra {
            authority_host: Some("http://login.example.com/".into()),
            ..AzureEntra::default()
        };
        assert!(plain_http.workload_identity(&env).is_err());
        let local = AzureEntra {
            authority_host: Some("http://127.0.0.1:8080/entra/".into()),
            ..AzureEntra::default()
        };
        assert_eq!(
            local.workload_identity(&env).unwrap().authority,
            "http://127.0.0.1:8080/entra"
        );
    }

    #[test]
    fn the_form_is_percent_encoded() {
        let body = form_body(&[
            ("scope", "https://management.azure.com/.default"),
            ("a", "b c"),
        ]);
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            "scope=https%3A%2F%2Fmanagement.azure.com%2F.default&a=b%20c"
        );
    }

    #[test]
    fn debug_hides_the_jwt() {
        let shown = format!("{:?}", AzureEntra::with_jwt(JWT));
        assert!(!shown.contains("c2lnbmF0dXJl"), "{shown}");
        let provider =
            AzureEntra::with_provider(|_resource: String| async { Ok(SecretString::new(JWT)) });
        assert!(format!("{provider:?}").contains("<provider>"));
    }

    #[test]
    fn closures_are_providers() {
        let provider = AzureEntra::with_provider(|resource: String| async move {
            assert_eq!(resource, "https://phase.example/");
            Ok(SecretString::new(JWT))
        })
        .resource("https://phase.example/");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let options = super::super::LoginOptions::new(
            "4f6c9d4e-2b1a-4c8e-9a51-0d3b7f0e6a21",
            super::super::Provider::AzureEntra(provider.clone()),
        );
        let http = Http::new(&options).unwrap();
        let jwt = runtime
            .block_on(provider.token(&http, &|_: &str| None))
            .unwrap();
        assert_eq!(jwt.expose(), JWT);
    }
}
