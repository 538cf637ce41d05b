//! The seed file: the initial state of a server (apps, environments, secrets, accounts and
//! their tokens), as JSON. See `tests/server/seeds/demo.json` for an example.

use std::collections::BTreeMap;
use std::time::Duration;

use phasekit::TokenKind;
use serde::Deserialize;

use super::identities::{AwsCredential, AzureTenant, IdentityInput};
use super::mint::MintedToken;
use super::model::{Role, World};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    #[serde(default)]
    pub organisation: Option<String>,
    #[serde(default)]
    pub apps: Vec<AppInput>,
    #[serde(default)]
    pub users: Vec<AccountInput>,
    #[serde(default)]
    pub service_accounts: Vec<AccountInput>,
    #[serde(default)]
    pub service_tokens: Vec<ServiceTokenInput>,
    /// The access keys the stand-in for AWS STS knows (identity logins).
    #[serde(default)]
    pub aws_credentials: Vec<AwsCredential>,
    /// The Entra ID tenants whose tokens identity logins accept.
    #[serde(default)]
    pub azure_tenants: Vec<AzureTenant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppInput {
    pub name: String,
    /// Server-side encryption (enables the public `/v1/` API). Default: true, like Phase.
    #[serde(default = "yes")]
    pub sse: bool,
    #[serde(default = "default_environments")]
    pub environments: Vec<String>,
    /// Environment name -> secrets.
    #[serde(default)]
    pub secrets: BTreeMap<String, Vec<SecretInput>>,
    /// Environment name -> dynamic secrets.
    #[serde(default)]
    pub dynamic_secrets: BTreeMap<String, Vec<DynamicInput>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretInput {
    pub key: String,
    pub value: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default, rename = "type")]
    pub secret_type: Option<String>,
    /// User name -> that user's active personal override. (Resolved to account ids on load.)
    #[serde(default)]
    pub overrides: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamicInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    /// Names of the credentials a lease generates, e.g. `AWS_ACCESS_KEY_ID`.
    pub keys: Vec<String>,
    #[serde(default)]
    pub default_ttl: Option<u64>,
    #[serde(default)]
    pub max_ttl: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    pub name: String,
    /// `member` (read and write, the default) or `read_only`.
    #[serde(default)]
    pub role: Option<String>,
    /// App name -> environment names, or `"*"` for all of the app's environments.
    #[serde(default)]
    pub access: BTreeMap<String, Access>,
    #[serde(default)]
    pub tokens: Vec<TokenInput>,
    /// Service accounts only: the keyring is wrapped for the server (needed by identities).
    #[serde(default)]
    pub server_side_key_management: bool,
    /// Service accounts only: external identities (AWS IAM, Azure Entra ID) it can log in with.
    #[serde(default)]
    pub identities: Vec<IdentityInput>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Access {
    All(String),
    Some(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    pub name: String,
    /// Seconds until the token expires (negative: already expired, for tests).
    #[serde(default)]
    pub expires_in: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceTokenInput {
    pub name: String,
    pub app: String,
    #[serde(default)]
    pub environments: Option<Vec<String>>,
    #[serde(default)]
    pub expires_in: Option<i64>,
}

fn yes() -> bool {
    true
}

fn default_environments() -> Vec<String> {
    ["Development", "Staging", "Production"]
        .map(String::from)
        .to_vec()
}

impl Seed {
    pub fn from_json(text: &str) -> Result<Seed, String> {
        serde_json::from_str(text).map_err(|e| format!("invalid seed file: {e}"))
    }
}

impl World {
    /// Builds a world from a seed and returns the minted tokens by name.
    pub fn from_seed(seed: &Seed) -> Result<(World, BTreeMap<String, MintedToken>), String> {
        let mut world = World::default();
        if let Some(name) = &seed.organisation {
            world.organisation.name = name.clone();
        }
        for app in &seed.apps {
            let envs: Vec<&str> = app.environments.iter().map(String::as_str).collect();
            world.create_app(&app.name, app.sse, &envs);
        }
        world.identities.aws_credentials = seed.aws_credentials.clone();
        world.identities.azure_tenants = seed.azure_tenants.clone();
        let mut tokens = BTreeMap::new();
        let mut users = BTreeMap::new();
        for (inputs, kind) in [
            (&seed.users, TokenKind::User),
            (&seed.service_accounts, TokenKind::ServiceAccount),
        ] {
            for input in inputs {
                let role = match input.role.as_deref() {
                    None | Some("member") => Role::Member,
                    Some("read_only") => Role::ReadOnly,
                    Some(other) => {
                        return Err(format!("unknown role {other:?} (member or read_only)"));
                    }
                };
                let account = world.create_account(kind, &input.name, role, None);
                if kind == TokenKind::User
                    && (input.server_side_key_management || !input.identities.is_empty())
                {
                    return Err(format!(
                        "user {:?}: only service accounts have identities",
                        input.name
                    ));
                }
                world.identities.configure(
                    &account,
                    input.server_side_key_management,
                    &input.identities,
                );
                for (app_name, access) in &input.access {
                    for env_id in world.env_ids(app_name, access)? {
                        world.grant(&account, &env_id);
                    }
                }
                for token in &input.tokens {
                    let minted = world.mint_token(&account, &token.name, token.expires_in.map(ttl));
                    insert_unique(&mut tokens, minted)?;
                }
                if kind == TokenKind::User {
                    users.insert(input.name.clone(), account);
                }
            }
        }
        for input in &seed.service_tokens {
            let app_id = world.app_id(&input.app)?;
            let account =
                world.create_account(TokenKind::Service, &input.name, Role::Member, Some(app_id));
            let access = input
                .environments
                .clone()
                .map_or(Access::All("*".into()), Access::Some);
            for env_id in world.env_ids(&input.app, &access)? {
                world.grant(&account, &env_id);
            }
            let minted = world.mint_token(&account, &input.name, input.expires_in.map(ttl));
            insert_unique(&mut tokens, minted)?;
        }
        for app in &seed.apps {
            for (env_name, secrets) in &app.secrets {
                let env_id = world.env_id(&app.name, env_name)?;
                for secret in secrets {
                    let mut resolved = secret.clone();
                    resolved.overrides = secret
                        .overrides
                        .iter()
                        .map(|(user, value)| {
                            users
                                .get(user)
                                .map(|id| (id.clone(), value.clone()))
                                .ok_or_else(|| format!("unknown user {user:?}"))
                        })
                        .collect::<Result<_, _>>()?;
                    world.seed_secret(&env_id, &resolved);
                }
            }
            for (env_name, dynamics) in &app.dynamic_secrets {
                let env_id = world.env_id(&app.name, env_name)?;
                for dynamic in dynamics {
                    world.seed_dynamic_secret(&env_id, dynamic);
                }
            }
        }
        Ok((world, tokens))
    }

    pub fn app_id(&self, app_name: &str) -> Result<String, String> {
        self.apps
            .iter()
            .find(|a| a.name == app_name)
            .map(|a| a.id.clone())
            .ok_or_else(|| format!("unknown app {app_name:?}"))
    }

    pub fn env_id(&self, app_name: &str, env_name: &str) -> Result<String, String> {
        let app = self
            .apps
            .iter()
            .find(|a| a.name == app_name)
            .ok_or_else(|| format!("unknown app {app_name:?}"))?;
        app.environments
            .iter()
            .find(|e| e.name == env_name)
            .map(|e| e.id.clone())
            .ok_or_else(|| format!("unknown environment {env_name:?} in app {app_name:?}"))
    }

    fn env_ids(&self, app_name: &str, access: &Access) -> Result<Vec<String>, String> {
        match access {
            Access::All(star) if star == "*" => {
                let app = self
                    .apps
                    .iter()
                    .find(|a| a.name == app_name)
                    .ok_or_else(|| format!("unknown app {app_name:?}"))?;
                Ok(app.environments.iter().map(|e| e.id.clone()).collect())
            }
            Access::All(other) => Err(format!(
                "access must be \"*\" or a list of environments, not {other:?}"
            )),
            Access::Some(names) => names.iter().map(|env| self.env_id(app_name, env)).collect(),
        }
    }
}

/// Seconds from now; negative values give an already expired token.
fn ttl(seconds: i64) -> Duration {
    Duration::from_secs(seconds.max(0) as u64)
}

fn insert_unique(
    tokens: &mut BTreeMap<String, MintedToken>,
    minted: MintedToken,
) -> Result<(), String> {
    if tokens.contains_key(&minted.name) {
        return Err(format!("two tokens are named {:?}", minted.name));
    }
    tokens.insert(minted.name.clone(), minted);
    Ok(())
}
