//! Secrets as users see them, and their decryption from the wire records.

mod decrypt;
mod memo;

pub use decrypt::{
    DecryptContext, decrypt_dynamic, decrypt_record, decrypt_records, plaintext_dynamic,
};
pub use memo::Memo;

pub use crate::records::Secret;

#[cfg(test)]
use crate::secret_string::SecretString;

#[cfg(test)]
impl Secret {
    /// A secret of the root folder with only a key and a value, for unit tests.
    pub(crate) fn for_test(key: &str, value: &str) -> Secret {
        Secret {
            id: String::new(),
            key: key.into(),
            value: SecretString::new(value),
            comment: String::new(),
            path: "/".into(),
            tags: vec![],
            overridden: false,
            secret_type: "secret".into(),
            lifecycle: "static".into(),
            app: String::new(),
            env: String::new(),
            version: None,
            created_at: None,
            updated_at: None,
            is_dynamic: false,
            dynamic_group: None,
            lease_id: None,
            lease_expires_at: None,
        }
    }
}
