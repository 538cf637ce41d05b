//! The writes: create, update, delete, and a lease's renewal and revocation.

use phasekit::Error;
use zeroize::Zeroizing;

use super::call::PhasekitCall;
use super::client::PhasekitClient;
use super::error::PhasekitError;
use super::memory::{
    PhasekitStr, PhasekitStrList, PhasekitStrs, PhasekitText, list_answer, slice, text_answer,
};
use super::read::{PhasekitTarget, run_in};
use crate::types::{NewSecret, SecretChanges};

/// A secret to create: `key` and `value` (present, maybe empty), then optional texts: `path`
/// (absent: `/`), `secret_type` (absent: `secret`), a personal `override_value`.
#[repr(C)]
pub struct PhasekitNewSecret {
    pub key: PhasekitStr,
    pub value: PhasekitStr,
    pub comment: PhasekitStr,
    pub tags: PhasekitStrs,
    pub path: PhasekitStr,
    pub secret_type: PhasekitStr,
    pub override_value: PhasekitStr,
}

impl PhasekitNewSecret {
    /// # Safety
    /// Every text is valid during the call.
    unsafe fn read(&self) -> Result<NewSecret, Error> {
        // SAFETY: the caller's contract.
        unsafe {
            Ok(NewSecret {
                key: self.key.required("key")?,
                value: self.value.required("value")?,
                comment: self.comment.read("comment")?,
                tags: self.tags.read("tags")?,
                path: self.path.read("path")?,
                secret_type: self.secret_type.read("secret_type")?,
                override_value: self.override_value.read("override_value")?,
            })
        }
    }
}

/// What `phasekit_update` changes: each absent text stays as it is; `tags` replace the tags
/// only when `set_tags` (an empty list then removes them); `path` finds the secret (absent:
/// any folder); `new_path` moves it; `toggle_override` flips the caller's personal override.
#[repr(C)]
pub struct PhasekitSecretChanges {
    pub path: PhasekitStr,
    pub value: PhasekitStr,
    pub comment: PhasekitStr,
    pub set_tags: bool,
    pub tags: PhasekitStrs,
    pub new_path: PhasekitStr,
    pub secret_type: PhasekitStr,
    pub override_value: PhasekitStr,
    pub toggle_override: bool,
}

impl PhasekitSecretChanges {
    /// # Safety
    /// Every text is valid during the call.
    unsafe fn read(&self) -> Result<SecretChanges, Error> {
        // SAFETY: the caller's contract.
        unsafe {
            Ok(SecretChanges {
                path: self.path.read("path")?,
                value: self.value.read("value")?,
                comment: self.comment.read("comment")?,
                tags: if self.set_tags {
                    Some(self.tags.read("tags")?)
                } else {
                    None
                },
                new_path: self.new_path.read("new_path")?,
                secret_type: self.secret_type.read("secret_type")?,
                override_value: self.override_value.read("override_value")?,
                toggle_override: self.toggle_override,
            })
        }
    }
}

/// Creates `len` secrets at `secrets` in one environment.
///
/// # Safety
/// As for `phasekit_get`; `secrets` is NULL or valid for `len` items during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_create(
    client: *const PhasekitClient,
    call: *const PhasekitCall,
    target: *const PhasekitTarget,
    secrets: *const PhasekitNewSecret,
    len: usize,
    error: *mut PhasekitError,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe {
        run_in(
            client,
            call,
            target,
            &mut (),
            error,
            |()| (),
            |client, app, env| {
                let secrets = slice(secrets, len)
                    .iter()
                    .map(|s| s.read().map(phasekit::NewSecret::from))
                    .collect::<Result<Vec<_>, Error>>()?;
                Ok(async move { client.create(&app, &env, &secrets).await })
            },
        )
    }
}

/// Changes the secret `key` as `changes` says.
///
/// # Safety
/// As for `phasekit_get`; `changes` is valid during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_update(
    client: *const PhasekitClient,
    call: *const PhasekitCall,
    target: *const PhasekitTarget,
    key: PhasekitStr,
    changes: *const PhasekitSecretChanges,
    error: *mut PhasekitError,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe {
        run_in(
            client,
            call,
            target,
            &mut (),
            error,
            |()| (),
            |client, app, env| {
                let key = key.required("key")?;
                let changes = match changes.as_ref() {
                    Some(changes) => changes.read()?,
                    None => SecretChanges::default(),
                };
                let update = changes.core(key);
                Ok(async move { client.update(&app, &env, &update).await })
            },
        )
    }
}

/// Deletes secrets by key at `path` (absent: every folder); `*out` lists the keys that were
/// not found.
///
/// # Safety
/// As for `phasekit_get`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_delete(
    client: *const PhasekitClient,
    call: *const PhasekitCall,
    target: *const PhasekitTarget,
    keys: PhasekitStrs,
    path: PhasekitStr,
    out: *mut PhasekitStrList,
    error: *mut PhasekitError,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe {
        run_in(
            client,
            call,
            target,
            out,
            error,
            list_answer,
            |client, app, env| {
                let (keys, path) = (keys.read("keys")?, path.read("path")?);
                Ok(async move { client.delete(&app, &env, &keys, path.as_deref()).await })
            },
        )
    }
}

/// Extends the lease `lease_id` to `ttl` seconds from now; `*out` is the server's message.
///
/// # Safety
/// As for `phasekit_get`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_lease_renew(
    client: *const PhasekitClient,
    call: *const PhasekitCall,
    target: *const PhasekitTarget,
    lease_id: PhasekitStr,
    ttl: u64,
    out: *mut PhasekitText,
    error: *mut PhasekitError,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe {
        run_in(
            client,
            call,
            target,
            out,
            error,
            message_answer,
            |client, app, env| {
                let id = lease_id.required("lease_id")?;
                Ok(async move { client.lease_renew(&app, &env, &id, ttl).await })
            },
        )
    }
}

/// Revokes the lease `lease_id`; `*out` is the server's message.
///
/// # Safety
/// As for `phasekit_get`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phasekit_lease_revoke(
    client: *const PhasekitClient,
    call: *const PhasekitCall,
    target: *const PhasekitTarget,
    lease_id: PhasekitStr,
    out: *mut PhasekitText,
    error: *mut PhasekitError,
) -> i32 {
    // SAFETY: the caller's contract.
    unsafe {
        run_in(
            client,
            call,
            target,
            out,
            error,
            message_answer,
            |client, app, env| {
                let id = lease_id.required("lease_id")?;
                Ok(async move { client.lease_revoke(&app, &env, &id).await })
            },
        )
    }
}

/// A lease's answer as text: the server's message.
fn message_answer(answer: phasekit::client::LeaseMessage) -> PhasekitText {
    text_answer(Zeroizing::new(answer.message))
}
