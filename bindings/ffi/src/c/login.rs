//! Cloud identity logins: they hand out a client, never the minted token.

use phasekit::Error;

use super::call::{PhasekitCall, block_on, finish, guarded};
use super::client::{PhasekitClient, binding, settings};
use super::error::PhasekitError;
use super::memory::{PhasekitStr, invalid};
use crate::types::{AwsLogin, AzureLogin, login};

/// AWS IAM credentials and where to sign; each absent text comes from the standard AWS sources
/// (`AWS_ACCESS_KEY_ID`, ..., the shared files, `AWS_REGION`). The key pair goes together.
#[repr(C)]
pub struct PhasekitAwsLogin {
    pub access_key_id: PhasekitStr,
    pub secret_access_key: PhasekitStr,
    pub session_token: PhasekitStr,
    pub region: PhasekitStr,
    pub profile: PhasekitStr,
}

/// An Entra ID token (`jwt`) for `resource`; without it, workload identity from the
/// environment (`AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`).
#[repr(C)]
pub struct PhasekitAzureLogin {
    pub jwt: PhasekitStr,
    pub resource: PhasekitStr,
}

/// What every login needs: the service account (`service_account_id`, its UUID), the token's
/// `ttl` in seconds (0: the identity's default), the client's settings (`settings_json`, as for
/// `phasekit_client_new`, checked before the login's request) and the binding's name.
#[repr(C)]
pub struct PhasekitLogin {
    pub service_account_id: PhasekitStr,
    pub ttl: i64,
    pub settings_json: PhasekitStr,
    pub binding: PhasekitStr,
}

/// Logs in with the identity `provider` makes and writes a client of the minted token to
/// `*client`.
///
/// # Safety
/// `call` is NULL or a live handle; `request` is NULL or valid during the call; `client` is
/// valid for a write; `error` is NULL or valid for a write.
unsafe fn run_login(
    call: *const PhasekitCall,
    request: *const PhasekitLogin,
    provider: impl FnOnce() -> Result<phasekit::identity::Provider, Error>,
    client: *mut *mut PhasekitClient,
    error: *mut PhasekitError,
) -> i32 {
    let outcome = guarded(|| {
        if client.is_null() {
            return Err(invalid("no place for the client"));
        }
        // SAFETY: the caller's contract.
        let request = unsafe { request.as_ref() }.ok_or_else(|| invalid("no login request"))?;
        // SAFETY: the caller's contract.
        let (account, options, binding) = unsafe {
            (
                request.service_account_id.required("service_account_id")?,
                settings(&request.settings_json)?,
                binding(&request.binding)?,
            )
        };
        let ttl = (request.ttl != 0).then_some(request.ttl);
        let work = login(account, provider()?, ttl, options, binding);
        // SAFETY: the caller's contract.
        block_on(unsafe { call.as_ref() }, work)
    });
    // SAFETY: the caller's contract; `client` was checked.
    unsafe {
        finish(outcome, error, |made| {
            client.write(PhasekitClient::made(made))
        })
    }
}

/// Logs in with an AWS IAM identity (a SigV4-signed STS `GetCallerIdentity`) and creates a
/// client for the minted service-account token, which stays inside the library. Blocks until
/// done or `call` (may be NULL) is cancelled.
///
/// # Safety
/// As for `run_login` above; `aws` is NULL or valid during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_login_aws(
    call: *const PhasekitCall,
    request: *const PhasekitLogin,
    aws: *const PhasekitAwsLogin,
    client: *mut *mut PhasekitClient,
    error: *mut PhasekitError,
) -> i32 {
    let provider = || {
        // SAFETY: the caller's contract.
        let Some(aws) = (unsafe { aws.as_ref() }) else {
            return AwsLogin::default().provider();
        };
        // SAFETY: the caller's contract.
        unsafe {
            AwsLogin {
                access_key_id: aws.access_key_id.read("access_key_id")?,
                secret_access_key: aws.secret_access_key.read("secret_access_key")?,
                session_token: aws.session_token.read("session_token")?,
                region: aws.region.read("region")?,
                profile: aws.profile.read("profile")?,
            }
        }
        .provider()
    };
    // SAFETY: the caller's contract.
    unsafe { run_login(call, request, provider, client, error) }
}

/// Logs in with an Azure Entra ID identity and creates a client for the minted
/// service-account token. Blocks until done or `call` (may be NULL) is cancelled.
///
/// # Safety
/// As for `phasekit_login_aws`; `azure` is NULL or valid during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_login_azure(
    call: *const PhasekitCall,
    request: *const PhasekitLogin,
    azure: *const PhasekitAzureLogin,
    client: *mut *mut PhasekitClient,
    error: *mut PhasekitError,
) -> i32 {
    let provider = || {
        // SAFETY: the caller's contract.
        let Some(azure) = (unsafe { azure.as_ref() }) else {
            return Ok(AzureLogin::default().provider());
        };
        // SAFETY: the caller's contract.
        let (jwt, resource) = unsafe { (azure.jwt.read("jwt")?, azure.resource.read("resource")?) };
        Ok(AzureLogin { jwt, resource }.provider())
    };
    // SAFETY: the caller's contract.
    unsafe { run_login(call, request, provider, client, error) }
}
