//! What the Phase console does client-side: create environments with fresh seeds and salts,
//! create accounts, wrap environment keys for them, mint tokens with split and wrapped keys,
//! and encrypt secrets. All with phasekit's libsodium-compatible crypto.

use std::time::{Duration, SystemTime};

use phasekit::TokenKind;
use phasekit::crypto::{self, KeyPair, SymmetricKey, split_secret, wrap_key_share};
use phasekit::keyring::EnvironmentKeys;
use zeroize::Zeroizing;

use super::model::*;
use super::seed::{DynamicInput, SecretInput};
use crate::paths;
use crate::time;

/// A freshly minted token: the full `pss_…` string is shown once, like in the console.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MintedToken {
    pub name: String,
    pub kind: String,
    pub account_id: String,
    pub token: String,
}

fn random_hex() -> Zeroizing<String> {
    Zeroizing::new(hex::encode(crypto::random_bytes::<32>()))
}

impl World {
    /// Creates an app with the given environments, each with a fresh random seed and salt.
    pub fn create_app(&mut self, name: &str, sse: bool, environments: &[&str]) -> String {
        let mut app = App {
            id: new_id(),
            name: name.to_owned(),
            sse,
            environments: Vec::new(),
        };
        for (index, env_name) in environments.iter().enumerate() {
            let seed = random_hex();
            let keys = EnvironmentKeys::from_seed_and_salt(&seed, random_hex(), None)
                .expect("fresh random hex is a valid seed and salt");
            let env = Environment::new(env_name, index as i64, keys.public_key().to_hex());
            self.console.insert(
                env.id.clone(),
                ConsoleKeys {
                    seed_hex: seed,
                    keys,
                },
            );
            app.environments.push(env);
        }
        let id = app.id.clone();
        self.apps.push(app);
        id
    }

    pub fn create_account(
        &mut self,
        kind: TokenKind,
        name: &str,
        role: Role,
        app_id: Option<String>,
    ) -> String {
        let account = Account {
            id: new_id(),
            name: name.to_owned(),
            kind,
            keypair: KeyPair::generate(),
            role,
            app_id,
            deleted: false,
        };
        let id = account.id.clone();
        self.accounts.push(account);
        id
    }

    /// Wraps an environment's seed and salt to the account's public key (an EnvironmentKey).
    pub fn grant(&mut self, account_id: &str, env_id: &str) {
        if self.can_read(account_id, env_id) {
            return;
        }
        let (app_index, _) = self.locate_env(env_id).expect("environment exists");
        let public = self
            .account(account_id)
            .expect("account exists")
            .keypair
            .public;
        let console = &self.console[env_id];
        let (seed_hex, keys) = (&console.seed_hex, &console.keys);
        let row = EnvironmentKeyRow {
            id: new_id(),
            account_id: account_id.to_owned(),
            app_id: self.apps[app_index].id.clone(),
            env_id: env_id.to_owned(),
            wrapped_seed: crypto::encrypt(seed_hex, &public).expect("account keys are valid"),
            wrapped_salt: crypto::encrypt(keys.salt_hex(), &public)
                .expect("account keys are valid"),
            created_at: time::now(),
            deleted: false,
        };
        self.environment_keys.push(row);
    }

    /// Mints a token for an account: a new bearer string and wrap key, the account's private key
    /// split in two XOR shares, one in the token and one wrapped and kept by the server.
    pub fn mint_token(
        &mut self,
        account_id: &str,
        name: &str,
        expires_in: Option<Duration>,
    ) -> MintedToken {
        let account = self.account(account_id).expect("account exists");
        let (share0, share1) = split_secret(&account.keypair.secret);
        let wrap_key = SymmetricKey::generate();
        let app_token = random_hex();
        let prefix = match account.kind {
            TokenKind::Service => "pss_service:v1",
            TokenKind::ServiceAccount => "pss_service:v2",
            TokenKind::User => "pss_user:v1",
        };
        let token = format!(
            "{prefix}:{}:{}:{}:{}",
            app_token.as_str(),
            account.keypair.public,
            share0.to_hex().as_str(),
            wrap_key.to_hex().as_str()
        );
        let record = TokenRecord {
            name: name.to_owned(),
            kind: account.kind,
            account_id: account_id.to_owned(),
            wrapped_key_share: wrap_key_share(&share1, &wrap_key),
            expires_at: expires_in.map(|ttl| SystemTime::now() + ttl),
            deleted: false,
        };
        let minted = MintedToken {
            name: name.to_owned(),
            kind: account.kind.bearer_type().to_owned(),
            account_id: account_id.to_owned(),
            token,
        };
        self.tokens.insert(app_token.to_string(), record);
        minted
    }

    /// Encrypts and stores a secret the way the console does (comment `""` when empty).
    pub fn seed_secret(&mut self, env_id: &str, input: &SecretInput) -> String {
        let keys = &self.console[env_id].keys;
        let encrypt = |text: &str| keys.encrypt(text).expect("environment keys are valid");
        let path = paths::normalize(input.path.as_deref().unwrap_or("/"));
        let comment = input
            .comment
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(encrypt)
            .unwrap_or_default();
        let secret_type = input
            .secret_type
            .clone()
            .unwrap_or_else(|| "secret".to_owned());
        let mut secret = StoredSecret::created(
            encrypt(&input.key),
            encrypt(&input.value),
            comment,
            keys.key_digest(&input.key),
            path.clone(),
            input.tags.clone(),
            secret_type,
        );
        for (user_id, value) in &input.overrides {
            let entry = PersonalOverride::new(encrypt(value), true);
            secret.overrides.insert(user_id.clone(), entry);
        }
        for tag in &input.tags {
            if !self.tags.contains(tag) {
                self.tags.push(tag.clone());
            }
        }
        let (a, e) = self.locate_env(env_id).expect("environment exists");
        let env = &mut self.apps[a].environments[e];
        secret.folder = env.folder_for(&path);
        let id = secret.id.clone();
        env.secrets.push(secret);
        id
    }

    /// Creates a dynamic secret whose leases generate one credential per key name.
    pub fn seed_dynamic_secret(&mut self, env_id: &str, input: &DynamicInput) -> String {
        let keys = &self.console[env_id].keys;
        let key_map = input
            .keys
            .iter()
            .map(|name| KeyMapEntry {
                id: new_id(),
                key_name: keys.encrypt(name).expect("environment keys are valid"),
                key_digest: keys.key_digest(name),
            })
            .collect();
        let path = paths::normalize(input.path.as_deref().unwrap_or("/"));
        let now = time::now();
        let (a, e) = self.locate_env(env_id).expect("environment exists");
        let env = &mut self.apps[a].environments[e];
        let dynamic = DynamicSecret {
            id: new_id(),
            name: input.name.clone(),
            description: input.description.clone().unwrap_or_default(),
            folder: env.folder_for(&path),
            path,
            provider: "aws".to_owned(),
            default_ttl: input.default_ttl.unwrap_or(3600),
            max_ttl: input.max_ttl.unwrap_or(86_400),
            key_map,
            leases: Vec::new(),
            created_at: now,
            updated_at: now,
        };
        let id = dynamic.id.clone();
        env.dynamic_secrets.push(dynamic);
        id
    }
}
