use thiserror::Error;

/// Why a cryptographic operation failed. Messages describe the shape of the problem and never
/// contain key material, plaintext or the offending input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CryptoError {
    /// The input does not have the structure of the expected format.
    #[error("malformed ciphertext: {0}")]
    Format(&'static str),
    /// A field is not valid hex/base64 or has the wrong length.
    #[error("{field} must be {expected}")]
    Encoding {
        field: &'static str,
        expected: &'static str,
    },
    /// The peer public key is a low-order point: the shared secret would be all zeros.
    #[error("key exchange rejected the public key (low-order point)")]
    KeyExchange,
    /// The authentication tag does not verify: tampered data or the wrong key.
    #[error("authentication failed: the data was altered or encrypted to another key")]
    Authentication,
    /// The plaintext is not UTF-8 although the protocol requires text.
    #[error("decrypted data is not valid UTF-8 text")]
    Utf8,
    /// Two XOR shares of different lengths cannot be combined.
    #[error("key shares have different lengths ({0} and {1} bytes)")]
    ShareLength(usize, usize),
}

impl CryptoError {
    /// A stable one-word classification, shared with the test vectors of every language.
    pub fn reason(&self) -> &'static str {
        match self {
            CryptoError::Format(_) | CryptoError::Encoding { .. } => "format",
            CryptoError::KeyExchange => "key_exchange",
            CryptoError::Authentication => "authentication",
            CryptoError::Utf8 => "utf8",
            CryptoError::ShareLength(..) => "share_length",
        }
    }
}
