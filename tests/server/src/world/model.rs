use std::collections::HashMap;
use std::time::SystemTime;

use phasekit::TokenKind;
use phasekit::crypto::KeyPair;
use phasekit::keyring::EnvironmentKeys;

use crate::time;

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[derive(Debug, Default)]
pub struct World {
    pub organisation: Organisation,
    pub apps: Vec<App>,
    pub accounts: Vec<Account>,
    /// Bearer string (`app_token`) -> token row.
    pub tokens: HashMap<String, TokenRecord>,
    /// One row per (account, environment) the account can read.
    pub environment_keys: Vec<EnvironmentKeyRow>,
    /// Environment id -> the organisation owner's client-side keys (see the module docs).
    pub console: HashMap<String, ConsoleKeys>,
    pub tags: Vec<String>,
    /// External identities of service accounts, and the clouds they log in with.
    pub identities: super::identities::Identities,
}

/// An environment's seed (hex text, as it is wrapped for accounts) and the keys it derives.
#[derive(Debug)]
pub struct ConsoleKeys {
    pub seed_hex: zeroize::Zeroizing<String>,
    pub keys: EnvironmentKeys,
}

#[derive(Debug)]
pub struct Organisation {
    pub id: String,
    pub name: String,
}

impl Default for Organisation {
    fn default() -> Self {
        Organisation {
            id: new_id(),
            name: "Local".to_owned(),
        }
    }
}

#[derive(Debug)]
pub struct App {
    pub id: String,
    pub name: String,
    /// Server-side encryption: the server may decrypt (public `/v1/` API).
    pub sse: bool,
    pub environments: Vec<Environment>,
}

#[derive(Debug)]
pub struct Environment {
    pub id: String,
    pub name: String,
    pub env_type: String,
    pub index: i64,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    /// Public key (`identity_key`); the server never needs more for end-to-end apps.
    pub identity_key: String,
    pub secrets: Vec<StoredSecret>,
    /// Folder path -> folder id (the root has none).
    pub folders: HashMap<String, String>,
    pub dynamic_secrets: Vec<DynamicSecret>,
}

impl Environment {
    pub fn new(name: &str, index: i64, identity_key: String) -> Self {
        let now = time::now();
        // What Phase's web app writes (the recording of Console v2.73.2); clients must treat
        // it as opaque.
        let env_type = match name.to_ascii_lowercase().as_str() {
            "development" => "DEV",
            "staging" => "STAGING",
            "production" => "PROD",
            _ => "CUSTOM",
        };
        Environment {
            id: new_id(),
            name: name.to_owned(),
            env_type: env_type.to_owned(),
            index,
            created_at: now,
            updated_at: now,
            identity_key,
            secrets: Vec::new(),
            folders: HashMap::new(),
            dynamic_secrets: Vec::new(),
        }
    }

    /// The folder id of a normalized path, creating the folder chain like the real server.
    pub fn folder_for(&mut self, path: &str) -> Option<String> {
        if path == "/" {
            return None;
        }
        let mut prefix = String::new();
        let mut id = None;
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            prefix.push('/');
            prefix.push_str(segment);
            id = Some(
                self.folders
                    .entry(prefix.clone())
                    .or_insert_with(new_id)
                    .clone(),
            );
        }
        id
    }

    pub fn live_secrets(&self) -> impl Iterator<Item = &StoredSecret> {
        self.secrets.iter().filter(|s| !s.deleted)
    }
}

/// A static secret: every text field is a `ph:v1` ciphertext to the environment key.
#[derive(Debug, Clone)]
pub struct StoredSecret {
    pub id: String,
    pub key: String,
    pub value: String,
    pub comment: String,
    pub key_digest: String,
    pub path: String,
    pub folder: Option<String>,
    pub tags: Vec<String>,
    pub secret_type: String,
    pub lifecycle: String,
    pub version: i64,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    pub deleted: bool,
    /// Account id of a user -> that user's personal override.
    pub overrides: HashMap<String, PersonalOverride>,
}

impl StoredSecret {
    /// A secret as every create path stores it: static, version 1, created now, without
    /// personal overrides, and in no folder until its environment files it by path. The text
    /// fields are already encrypted.
    pub fn created(
        key: String,
        value: String,
        comment: String,
        key_digest: String,
        path: String,
        tags: Vec<String>,
        secret_type: String,
    ) -> StoredSecret {
        let now = time::now();
        StoredSecret {
            id: new_id(),
            key,
            value,
            comment,
            key_digest,
            path,
            folder: None,
            tags,
            secret_type,
            lifecycle: "static".to_owned(),
            version: 1,
            created_at: now,
            updated_at: now,
            deleted: false,
            overrides: Default::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct PersonalOverride {
    pub id: String,
    pub value: String,
    pub is_active: bool,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

impl PersonalOverride {
    pub fn new(value: String, is_active: bool) -> Self {
        let now = time::now();
        PersonalOverride {
            id: new_id(),
            value,
            is_active,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A dynamic secret (provider `aws`): leases generate credentials for its key map.
#[derive(Debug, Clone)]
pub struct DynamicSecret {
    pub id: String,
    pub name: String,
    pub description: String,
    pub path: String,
    pub folder: Option<String>,
    pub provider: String,
    pub default_ttl: u64,
    pub max_ttl: u64,
    pub key_map: Vec<KeyMapEntry>,
    pub leases: Vec<Lease>,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

#[derive(Debug, Clone)]
pub struct KeyMapEntry {
    pub id: String,
    /// Ciphertext of the credential's name, e.g. `AWS_ACCESS_KEY_ID`.
    pub key_name: String,
    pub key_digest: String,
}

#[derive(Debug, Clone)]
pub struct Lease {
    pub id: String,
    pub name: String,
    pub owner_account: String,
    pub ttl: u64,
    pub status: String,
    /// (ciphertext of the credential name, ciphertext of the value).
    pub credentials: Vec<(String, String)>,
    pub created_at: SystemTime,
    pub renewed_at: Option<SystemTime>,
    pub expires_at: SystemTime,
    pub revoked_at: Option<SystemTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// May read and write secrets.
    Member,
    /// May only read secrets (for permission tests).
    ReadOnly,
}

#[derive(Debug)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub kind: TokenKind,
    pub keypair: KeyPair,
    pub role: Role,
    /// Legacy service tokens are scoped to one app.
    pub app_id: Option<String>,
    pub deleted: bool,
}

#[derive(Debug)]
pub struct TokenRecord {
    pub name: String,
    pub kind: TokenKind,
    pub account_id: String,
    pub wrapped_key_share: String,
    pub expires_at: Option<SystemTime>,
    pub deleted: bool,
}

impl TokenRecord {
    pub fn is_live(&self, at: SystemTime) -> bool {
        !self.deleted && self.expires_at.is_none_or(|expiry| expiry > at)
    }
}

#[derive(Debug)]
pub struct EnvironmentKeyRow {
    pub id: String,
    pub account_id: String,
    pub app_id: String,
    pub env_id: String,
    pub wrapped_seed: String,
    pub wrapped_salt: String,
    pub created_at: SystemTime,
    pub deleted: bool,
}

impl World {
    pub fn app(&self, id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.id == id)
    }

    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id && !a.deleted)
    }

    /// (app index, environment index) of an environment id.
    pub fn locate_env(&self, env_id: &str) -> Option<(usize, usize)> {
        self.apps.iter().enumerate().find_map(|(a, app)| {
            app.environments
                .iter()
                .position(|e| e.id == env_id)
                .map(|e| (a, e))
        })
    }

    pub fn can_read(&self, account_id: &str, env_id: &str) -> bool {
        self.environment_keys
            .iter()
            .any(|k| !k.deleted && k.account_id == account_id && k.env_id == env_id)
    }

    /// Keys the server may use to decrypt an SSE app's environment.
    pub fn server_keys(&self, app: &App, env_id: &str) -> Option<&EnvironmentKeys> {
        if app.sse {
            self.console.get(env_id).map(|c| &c.keys)
        } else {
            None
        }
    }
}
