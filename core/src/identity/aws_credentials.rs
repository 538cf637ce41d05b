//! Static AWS credentials: what SigV4 signs with (`sigv4`) and what the AWS login finds in
//! the environment, the shared files or the caller's arguments (`aws`).

use std::fmt;

use zeroize::Zeroizing;

use super::invalid;
use crate::error::Result;
use crate::secret_string::SecretString;

/// Static AWS credentials. `Debug` shows the access key id (an identifier, not a secret) and
/// hides the rest.
#[derive(Clone)]
pub struct AwsCredentials {
    access_key_id: String,
    secret_access_key: SecretString,
    session_token: Option<SecretString>,
}

impl AwsCredentials {
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        let access_key_id = access_key_id.into();
        let secret = Zeroizing::new(secret_access_key.into());
        let token = session_token.map(Zeroizing::new);
        AwsCredentials {
            access_key_id: access_key_id.trim().to_owned(),
            secret_access_key: SecretString::new(secret.trim()),
            session_token: token
                .as_deref()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
                .map(SecretString::new),
        }
    }

    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    pub(crate) fn secret_access_key(&self) -> &str {
        self.secret_access_key.expose()
    }

    pub(crate) fn session_token(&self) -> Option<&str> {
        self.session_token.as_ref().map(SecretString::expose)
    }

    /// Rejects what cannot be signed or sent in a header; messages name the field only.
    pub(super) fn validate(&self, source: &str) -> Result<()> {
        if self.access_key_id.is_empty()
            || !self
                .access_key_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric())
        {
            return Err(invalid(format!(
                "the AWS access key id from {source} must be letters and digits"
            )));
        }
        if self.secret_access_key.is_empty()
            || self
                .secret_access_key
                .expose()
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(invalid(format!(
                "the AWS secret access key from {source} is empty or has spaces or control characters"
            )));
        }
        if self
            .session_token()
            .is_some_and(|t| t.bytes().any(|b| b.is_ascii_control()))
        {
            return Err(invalid(format!(
                "the AWS session token from {source} has control characters"
            )));
        }
        Ok(())
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}
