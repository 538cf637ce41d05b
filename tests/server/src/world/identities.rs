//! External identities of service accounts (AWS IAM, Azure Entra ID) and the two clouds the
//! server stands in for, since a test cannot call AWS or Entra ID:
//!
//! - `aws_credentials`: what STS knows, access keys with their secret and the caller ARN
//!   `GetCallerIdentity` answers for them. Signatures are verified with these secrets.
//! - `azure_tenants`: each tenant's signing key (HS256 stands in for the RS256 keys that Entra
//!   ID publishes) and the workload identities its token endpoint accepts federated tokens for.
//!
//! Secrets here are test data; still, `Debug` never shows them.

use std::collections::HashMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

/// The real server's defaults (`Identity.default_ttl_seconds`, `max_ttl_seconds`).
pub const DEFAULT_TTL: u64 = 3600;
pub const MAX_TTL: u64 = 86_400;

#[derive(Default)]
pub struct Identities {
    /// Service account id -> its settings. Accounts absent here have neither server-side key
    /// management nor identities.
    pub accounts: HashMap<String, AccountIdentities>,
    pub aws_credentials: Vec<AwsCredential>,
    pub azure_tenants: Vec<AzureTenant>,
}

impl fmt::Debug for Identities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identities")
            .field("accounts", &self.accounts)
            .field("aws_access_keys", &self.aws_credentials.len())
            .field("azure_tenants", &self.azure_tenants.len())
            .finish()
    }
}

#[derive(Debug, Default, Clone)]
pub struct AccountIdentities {
    /// The account's keyring is wrapped for the server (`server_wrapped_keyring`): required to
    /// mint tokens without a user present.
    pub server_side_key_management: bool,
    pub identities: Vec<Identity>,
}

#[derive(Debug, Clone)]
pub struct Identity {
    pub token_name: Option<String>,
    pub default_ttl: u64,
    pub max_ttl: u64,
    pub provider: IdentityProvider,
}

#[derive(Debug, Clone)]
pub enum IdentityProvider {
    AwsIam {
        sts_endpoint: String,
        trusted_principals: Vec<String>,
        signature_ttl_seconds: i64,
    },
    AzureEntra {
        tenant_id: String,
        resource: String,
        allowed_service_principal_ids: Vec<String>,
    },
}

impl IdentityProvider {
    pub fn name(&self) -> &'static str {
        match self {
            IdentityProvider::AwsIam { .. } => "aws_iam",
            IdentityProvider::AzureEntra { .. } => "azure_entra",
        }
    }

    /// `Identity.get_trusted_list()`: the patterns or ids, blanks dropped.
    pub fn trusted(&self) -> Vec<&str> {
        let list = match self {
            IdentityProvider::AwsIam {
                trusted_principals, ..
            } => trusted_principals,
            IdentityProvider::AzureEntra {
                allowed_service_principal_ids,
                ..
            } => allowed_service_principal_ids,
        };
        list.iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect()
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsCredential {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// When set, requests signed with this key must carry it (`X-Amz-Security-Token`), as
    /// temporary credentials do.
    #[serde(default)]
    pub session_token: Option<String>,
    /// What `GetCallerIdentity` answers, e.g. `arn:aws:sts::123456789012:assumed-role/app/i-1`.
    pub arn: String,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzureTenant {
    pub tenant_id: String,
    /// The HS256 key of the tenant's access tokens.
    pub signing_key: String,
    #[serde(default)]
    pub workload_identities: Vec<WorkloadIdentity>,
}

/// An application with a federated credential: the token endpoint accepts, as its client
/// assertion, an HS256 JWT signed with `federated_token_key` and issues an access token whose
/// `oid` is `object_id`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadIdentity {
    pub client_id: String,
    pub object_id: String,
    pub federated_token_key: String,
}

/// A service account's `identities` entry in a seed.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "provider", rename_all = "snake_case", deny_unknown_fields)]
pub enum IdentityInput {
    AwsIam {
        #[serde(default = "default_sts_endpoint")]
        sts_endpoint: String,
        trusted_principals: Vec<String>,
        #[serde(default = "default_signature_ttl")]
        signature_ttl_seconds: i64,
        #[serde(default)]
        default_ttl: Option<u64>,
        #[serde(default)]
        max_ttl: Option<u64>,
        #[serde(default)]
        token_name: Option<String>,
    },
    AzureEntra {
        tenant_id: String,
        #[serde(default = "default_resource")]
        resource: String,
        allowed_service_principal_ids: Vec<String>,
        #[serde(default)]
        default_ttl: Option<u64>,
        #[serde(default)]
        max_ttl: Option<u64>,
        #[serde(default)]
        token_name: Option<String>,
    },
}

fn default_sts_endpoint() -> String {
    "https://sts.amazonaws.com".to_owned()
}

fn default_signature_ttl() -> i64 {
    60
}

fn default_resource() -> String {
    "https://management.azure.com/".to_owned()
}

impl IdentityInput {
    pub fn to_identity(&self) -> Identity {
        let (default_ttl, max_ttl, token_name, provider) = match self.clone() {
            IdentityInput::AwsIam {
                sts_endpoint,
                trusted_principals,
                signature_ttl_seconds,
                default_ttl,
                max_ttl,
                token_name,
            } => (
                default_ttl,
                max_ttl,
                token_name,
                IdentityProvider::AwsIam {
                    sts_endpoint,
                    trusted_principals,
                    signature_ttl_seconds,
                },
            ),
            IdentityInput::AzureEntra {
                tenant_id,
                resource,
                allowed_service_principal_ids,
                default_ttl,
                max_ttl,
                token_name,
            } => (
                default_ttl,
                max_ttl,
                token_name,
                IdentityProvider::AzureEntra {
                    tenant_id,
                    resource,
                    allowed_service_principal_ids,
                },
            ),
        };
        Identity {
            token_name,
            default_ttl: default_ttl.unwrap_or(DEFAULT_TTL),
            max_ttl: max_ttl.unwrap_or(MAX_TTL),
            provider,
        }
    }
}

impl Identities {
    /// Records a seeded service account's settings.
    pub fn configure(
        &mut self,
        account_id: &str,
        server_side_key_management: bool,
        identities: &[IdentityInput],
    ) {
        if !server_side_key_management && identities.is_empty() {
            return;
        }
        self.accounts.insert(
            account_id.to_owned(),
            AccountIdentities {
                server_side_key_management,
                identities: identities.iter().map(IdentityInput::to_identity).collect(),
            },
        );
    }

    pub fn aws_key(&self, access_key_id: &str) -> Option<&AwsCredential> {
        self.aws_credentials
            .iter()
            .find(|k| k.access_key_id == access_key_id)
    }

    pub fn azure_tenant(&self, tenant_id: &str) -> Option<&AzureTenant> {
        self.azure_tenants.iter().find(|t| t.tenant_id == tenant_id)
    }
}

/// `Debug` with only the named fields, so that the secrets next to them never show.
macro_rules! debug_without_secrets {
    ($($type:ident { $($field:ident),+ })+) => {$(
        impl fmt::Debug for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($type))
                    $(.field(stringify!($field), &self.$field))+
                    .finish_non_exhaustive()
            }
        }
    )+};
}

debug_without_secrets! {
    AwsCredential { access_key_id, arn }
    AzureTenant { tenant_id, workload_identities }
    WorkloadIdentity { client_id, object_id }
}

/// HMAC-SHA256, for HS256 JWTs and SigV4.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    let mut out = [0u8; 32];
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

/// An HS256 JWT of `claims`: what the fake tenants issue, and what tests make to present.
pub fn sign_hs256_jwt(key: &str, claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let signature = hmac_sha256(key.as_bytes(), signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// The claims of a JWT, without verifying it (what `jwt.decode(verify_signature=False)` gives).
pub fn unverified_claims(token: &str) -> Option<serde_json::Map<String, Value>> {
    let mut parts = token.split('.');
    let (_, payload) = (parts.next()?, parts.next()?);
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(claims) => Some(claims),
        _ => None,
    }
}

/// The claims of an HS256 JWT signed with `key`; `None` if it is malformed, of another
/// algorithm or badly signed. Times are not checked here.
pub fn verified_claims(key: &str, token: &str) -> Option<serde_json::Map<String, Value>> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, _, signature] = parts.as_slice() else {
        return None;
    };
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return None;
    }
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let signing_input = &token[..token.rfind('.')?];
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(signing_input.as_bytes());
    mac.verify_slice(&signature).ok()?;
    unverified_claims(token)
}

/// Python's `fnmatch.fnmatchcase`: `*`, `?`, `[seq]` and `[!seq]` (what the real server uses on
/// POSIX, where `fnmatch` does not fold case).
pub fn fnmatch(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    matches_from(&text, &pattern)
}

fn matches_from(text: &[char], pattern: &[char]) -> bool {
    match pattern.first() {
        None => text.is_empty(),
        Some('*') => (0..=text.len()).any(|skip| matches_from(&text[skip..], &pattern[1..])),
        Some('?') => !text.is_empty() && matches_from(&text[1..], &pattern[1..]),
        Some('[') => match (text.first(), class_end(pattern)) {
            (Some(&c), Some(end)) => {
                in_class(c, &pattern[1..end]) && matches_from(&text[1..], &pattern[end + 1..])
            }
            // An unclosed `[` is a literal, as in Python.
            (Some('['), None) => matches_from(&text[1..], &pattern[1..]),
            _ => false,
        },
        Some(&literal) => text.first() == Some(&literal) && matches_from(&text[1..], &pattern[1..]),
    }
}

/// The index of the `]` closing the class that starts at `pattern[0]`.
fn class_end(pattern: &[char]) -> Option<usize> {
    let mut index = 1;
    if pattern.get(index) == Some(&'!') {
        index += 1;
    }
    // A `]` right after `[` or `[!` belongs to the class.
    if pattern.get(index) == Some(&']') {
        index += 1;
    }
    pattern[index..]
        .iter()
        .position(|&c| c == ']')
        .map(|offset| index + offset)
}

fn in_class(c: char, class: &[char]) -> bool {
    let (negated, class) = match class.first() {
        Some('!') => (true, &class[1..]),
        _ => (false, class),
    };
    let mut found = false;
    let mut index = 0;
    while index < class.len() {
        if index + 2 < class.len() && class[index + 1] == '-' {
            found |= class[index] <= c && c <= class[index + 2];
            index += 3;
        } else {
            found |= class[index] == c;
            index += 1;
        }
    }
    found != negated
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn debug_shows_names_and_never_secrets() {
        let credential = AwsCredential {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "very-secret".into(),
            session_token: Some("session-secret".into()),
            arn: "arn:aws:iam::123456789012:user/app".into(),
        };
        let shown = format!("{credential:?}");
        assert_eq!(
            shown,
            "AwsCredential { access_key_id: \"AKIDEXAMPLE\", \
             arn: \"arn:aws:iam::123456789012:user/app\", .. }"
        );
    }

    #[test]
    fn fnmatch_like_python() {
        let arn = "arn:aws:sts::123456789012:assumed-role/app-web/i-0abc";
        assert!(fnmatch(arn, "arn:aws:sts::123456789012:assumed-role/app-*"));
        assert!(fnmatch(arn, "arn:aws:sts::*:assumed-role/app-web/*"));
        assert!(fnmatch(
            arn,
            "arn:aws:sts::12345678901?:assumed-role/app-[wx]eb/*"
        ));
        assert!(!fnmatch(
            arn,
            "arn:aws:sts::123456789012:assumed-role/app-[!w]eb/*"
        ));
        assert!(!fnmatch(arn, "arn:aws:sts::123456789012:assumed-role/db-*"));
        assert!(!fnmatch(
            arn,
            "ARN:aws:sts::123456789012:assumed-role/app-*"
        ));
        assert!(fnmatch("a[b", "a[b"));
        assert!(fnmatch("x-1", "x-[0-9]"));
    }

    #[test]
    fn hs256_round_trip() {
        let token = sign_hs256_jwt("k", &json!({"oid": "o", "exp": 1}));
        assert_eq!(verified_claims("k", &token).unwrap()["oid"], "o");
        assert!(verified_claims("other", &token).is_none());
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert!(verified_claims("k", &tampered).is_none());
        assert_eq!(unverified_claims(&token).unwrap()["exp"], 1);
    }

    #[test]
    fn seed_identities_parse_with_defaults() {
        let aws: IdentityInput = serde_json::from_value(json!({
            "provider": "aws_iam", "trusted_principals": ["arn:aws:iam::1:role/a"]}))
        .unwrap();
        let identity = aws.to_identity();
        assert_eq!((identity.default_ttl, identity.max_ttl), (3600, 86_400));
        let azure: IdentityInput = serde_json::from_value(json!({
            "provider": "azure_entra", "tenant_id": "t", "allowed_service_principal_ids": ["o"],
            "max_ttl": 600}))
        .unwrap();
        assert_eq!(azure.to_identity().max_ttl, 600);
        let unknown = serde_json::from_value::<IdentityInput>(json!({
            "provider": "aws_iam", "trusted_principals": [], "typo": 1}));
        assert!(unknown.is_err());
    }
}
