//! What each JavaScript realm (the main thread, each worker thread) defines when it loads the
//! addon: the error classes and the `Secret` class, with the functions that make their
//! instances. Kept as the `Env`'s instance data, which napi allows once per realm.

use napi::bindgen_prelude::{Env, Object, Result};

use crate::{errors::ErrorFactory, types::SecretFactory};

pub struct Realm {
    pub errors: ErrorFactory,
    pub secrets: SecretFactory,
}

/// Defines the classes of this realm and puts them on `exports`.
pub fn define(env: &Env, exports: &mut Object) -> Result<()> {
    let realm = Realm {
        errors: ErrorFactory::define(env, exports)?,
        secrets: SecretFactory::define(env, exports)?,
    };
    env.set_instance_data(realm, (), |_| {})
}

/// This realm's classes; an error only if the addon's initialisation failed.
pub fn get(env: &Env) -> Result<&Realm> {
    env.get_instance_data::<Realm>()?
        .map(|realm| &*realm)
        .ok_or_else(|| napi::Error::from_reason("phasekit's classes are not loaded"))
}
