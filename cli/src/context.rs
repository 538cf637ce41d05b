//! The client and the scope a command works with: flags over the environment over `.phase.json`
//! (the rules are the core's `Scope::resolve` and `Client::builder`).

use phasekit::{
    BlockingClient, ClientOptions, GetOptions, ProjectConfig, Result, Scope, ScopeFlags,
};

use crate::args::{DynamicArgs, GlobalArgs, ScopeArgs};

/// A client from the global flags over `PHASE_SERVICE_TOKEN`, `PHASE_HOST`, `PHASE_VERIFY_SSL`,
/// `PHASE_OFFLINE` and the other variables the core reads.
pub fn client(global: &GlobalArgs) -> Result<BlockingClient> {
    let options = ClientOptions {
        host: global.host.clone(),
        offline: global.offline.then_some(true),
        user_agent_suffix: Some(format!("phasekit-cli/{}", env!("CARGO_PKG_VERSION"))),
        ..ClientOptions::default()
    };
    Ok(options.build()?.into())
}

/// The app and environment of a command.
pub fn scope(args: &ScopeArgs) -> Result<Scope> {
    let flags = ScopeFlags {
        app: args.app.clone(),
        app_id: args.app_id.clone(),
        env: args.env.clone(),
    };
    // The project file is read only when nothing else names the app.
    let named = flags.app.is_some() || flags.app_id.is_some() || env_set("PHASE_APP");
    let project = if named {
        None
    } else {
        ProjectConfig::discover()?.map(|(_, config)| config)
    };
    Scope::resolve(flags, |name| std::env::var(name).ok(), project.as_ref())
}

fn env_set(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.trim().is_empty())
}

/// What to fetch: the scope, one folder (`""` for all) and a tag, with dynamic secrets only when
/// asked for.
pub fn get_options(
    scope: &Scope,
    path: Option<&str>,
    tags: Option<&str>,
    dynamic: Option<&DynamicArgs>,
) -> GetOptions {
    let mut options = GetOptions::new(scope.app.clone(), scope.env.clone());
    options.path = path.filter(|p| !p.is_empty()).map(str::to_owned);
    options.tag = tags.filter(|t| !t.is_empty()).map(str::to_owned);
    if let Some(dynamic) = dynamic.filter(|d| d.generate_leases == Some(true)) {
        options = options.dynamic(true, dynamic.lease_ttl);
    }
    options
}
