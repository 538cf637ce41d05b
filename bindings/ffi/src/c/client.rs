//! A client's life (new, free) and its calls that fetch no secrets (host, stats, refresh).

use phasekit::Error;
use zeroize::Zeroizing;

use super::call::{PhasekitCall, finish, guarded, run_unit};
use super::error::PhasekitError;
use super::memory::{PhasekitStr, PhasekitText, given_back, handed_out, invalid, text_answer};
use crate::types::{ClientOptions, Stats};

/// A Phase client (opaque). Thread-safe.
pub struct PhasekitClient {
    pub(crate) client: phasekit::Client,
}

impl PhasekitClient {
    pub(crate) fn made(client: phasekit::Client) -> *mut PhasekitClient {
        handed_out(Box::into_raw(Box::new(PhasekitClient { client })))
    }

    /// The client behind a handle.
    ///
    /// # Safety
    /// `client` is NULL or a live client.
    pub(crate) unsafe fn get<'a>(
        client: *const PhasekitClient,
    ) -> Result<&'a phasekit::Client, Error> {
        // SAFETY: the caller's contract.
        unsafe { client.as_ref() }
            .map(|c| &c.client)
            .ok_or_else(|| invalid("no client"))
    }
}

/// The client settings in `settings_json` (absent: none): a JSON object of the core's setting
/// names (`host`, `timeout`, ..., see `client_settings!`), as Go's generated settings struct
/// writes it.
///
/// # Safety
/// As for [`PhasekitStr::read`].
pub(crate) unsafe fn settings(settings_json: &PhasekitStr) -> Result<ClientOptions, Error> {
    // SAFETY: the caller's contract.
    let Some(text) = unsafe { settings_json.read("settings") }?.map(Zeroizing::new) else {
        return Ok(ClientOptions::default());
    };
    serde_json::from_str(&text).map_err(|e| {
        // Unknown fields are named; values (a CA path, a host) are never quoted.
        let text = e.to_string();
        if text.starts_with("unknown field") {
            invalid(format!("malformed settings: {text}"))
        } else {
            invalid(format!(
                "malformed settings: {:?} error at column {}",
                e.classify(),
                e.column()
            ))
        }
    })
}

/// The binding's name for the user agent, e.g. `phasekit-go/0.1.0 go/1.26` (absent: `c`).
///
/// # Safety
/// As for [`PhasekitStr::read`].
pub(crate) unsafe fn binding(binding: &PhasekitStr) -> Result<String, Error> {
    // SAFETY: the caller's contract.
    Ok(unsafe { binding.read("binding") }?.unwrap_or_else(|| "c".to_owned()))
}

/// Creates a client with `token` (absent: `PHASE_SERVICE_TOKEN`) and the settings of
/// `settings_json` (see above); a setting not given comes from the environment (`PHASE_HOST`,
/// ...), else its default. Every setting is checked by the core here.
///
/// Returns NULL on failure, with the error in `*error`.
///
/// # Safety
/// The texts are valid during the call; `error` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_client_new(
    token: PhasekitStr,
    settings_json: PhasekitStr,
    binding_name: PhasekitStr,
    error: *mut PhasekitError,
) -> *mut PhasekitClient {
    let made = guarded(|| {
        // SAFETY: the caller's contract.
        let token = unsafe { token.read("token") }?;
        // SAFETY: the caller's contract.
        let (options, binding) = unsafe { (settings(&settings_json)?, binding(&binding_name)?) };
        options.build(token, binding).map(Some)
    });
    let mut client = std::ptr::null_mut();
    // SAFETY: the caller's contract.
    unsafe { finish(made, error, |made| client = PhasekitClient::made(made)) };
    client
}

/// Frees a client. NULL is ignored.
///
/// # Safety
/// `client` is NULL or a live client, freed once, and no call is using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_client_free(client: *mut PhasekitClient) {
    // SAFETY: the caller's contract.
    unsafe { given_back(client) };
}

/// The Phase host the client talks to (free with `phasekit_owned_free(owner)`); an absent
/// text when `client` is NULL.
///
/// # Safety
/// `client` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_host(client: *const PhasekitClient) -> PhasekitText {
    // SAFETY: the caller's contract.
    match unsafe { PhasekitClient::get(client) } {
        Ok(client) => text_answer(Zeroizing::new(client.host().to_owned())),
        Err(_) => PhasekitText {
            text: PhasekitStr::ABSENT,
            owner: std::ptr::null_mut(),
        },
    }
}

/// The client's counters since it was created (all zero when `client` is NULL); the struct is
/// Swift's `Stats` record too (`PhasekitStats` in C).
///
/// # Safety
/// `client` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_stats(client: *const PhasekitClient) -> Stats {
    // SAFETY: the caller's contract.
    match unsafe { PhasekitClient::get(client) } {
        Ok(client) => client.stats().into(),
        Err(_) => Stats::default(),
    }
}

/// Drops the cached session and keys: the next call fetches them again.
///
/// # Safety
/// `client` is a live client; `call` NULL or a live handle; `error` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_refresh(
    client: *const PhasekitClient,
    call: *const PhasekitCall,
    error: *mut PhasekitError,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe {
        run_unit(call, error, || {
            let client = PhasekitClient::get(client)?;
            Ok(async move {
                client.refresh().await;
                Ok(())
            })
        })
    }
}
