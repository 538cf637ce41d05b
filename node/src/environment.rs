//! `client.loadEnv()`: the secrets of an environment put into `process.env`, the Node way of
//! handing secrets to code that reads its configuration from the environment.

use napi::bindgen_prelude::{Env, JsObjectValue, Object, Result, Unknown};
use napi_derive::napi;
use phasekit::SecretString;

use crate::arguments::parse;
use crate::client::Client;
use crate::options::selection;
use crate::promise::spawn_then;

/// What `loadEnv` reads, and whether it replaces variables that are already set.
#[napi(object)]
#[derive(Clone)]
pub struct LoadEnvOptions {
    pub app: Option<String>,
    pub app_id: Option<String>,
    pub env: String,
    /// Only this folder; all folders when absent (the first of each key wins).
    pub path: Option<String>,
    pub keys: Option<Vec<String>>,
    pub tag: Option<String>,
    /// Replace variables that are already set (default: keep them).
    pub r#override: Option<bool>,
}

#[napi]
impl Client {
    /// Puts the secrets into `process.env`; variables already set are kept unless `override`.
    /// Resolves to the keys that were set.
    #[napi(
        ts_args_type = "options: LoadEnvOptions",
        ts_return_type = "Promise<string[]>"
    )]
    pub fn load_env<'env>(&self, env: &'env Env, options: Unknown) -> Result<Object<'env>> {
        let client = self.inner.clone();
        let work = parse::<LoadEnvOptions>(env, options, "loadEnv options").and_then(|options| {
            let replace = options.r#override.unwrap_or(false);
            let read = selection!(env, options);
            Ok(async move {
                let variables = client.environment_variables(&read).await?;
                Ok((variables, replace))
            })
        });
        spawn_then(env, work, |env, (variables, replace)| {
            set_process_env(env, variables, replace)
        })
    }
}

fn set_process_env(
    env: &Env,
    variables: Vec<(String, SecretString)>,
    replace: bool,
) -> Result<Vec<String>> {
    let process: Object = env.get_global()?.get_named_property("process")?;
    let mut process_env: Object = process.get_named_property("env")?;
    let mut set = Vec::new();
    for (key, value) in variables {
        if replace || !process_env.has_named_property(&key)? {
            process_env.set_named_property(&key, value.expose())?;
            set.push(key);
        }
    }
    Ok(set)
}
