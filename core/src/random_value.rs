//! Random secret values (`secrets create --random`), of the kinds the official CLI offers and
//! with its meaning of `length`: bytes of randomness for hex and base64 (so hex is twice as many
//! characters), characters for alphanumeric; key128 and key256 are 16 and 32 bytes in base64.
//! Alphanumeric characters are drawn without modulo bias.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use zeroize::Zeroizing;

use crate::crypto::random_bytes;
use crate::error::{Error, ErrorCode, Result};
use crate::secret_string::SecretString;

/// The longest `length` accepted, as in the official CLI.
pub const MAX_LENGTH: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RandomKind {
    Hex,
    Alphanumeric,
    Base64,
    Base64Url,
    Key128,
    Key256,
}

impl std::str::FromStr for RandomKind {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        Ok(match name {
            "hex" => RandomKind::Hex,
            "alphanumeric" => RandomKind::Alphanumeric,
            "base64" => RandomKind::Base64,
            "base64url" => RandomKind::Base64Url,
            "key128" => RandomKind::Key128,
            "key256" => RandomKind::Key256,
            other => {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "unknown random kind {other:?} (hex, alphanumeric, base64, base64url, key128 or key256)"
                    ),
                ));
            }
        })
    }
}

/// A fresh random value of `kind`; `length` (1 to 256) is ignored by key128 and key256.
pub fn random_value(kind: RandomKind, length: usize) -> Result<SecretString> {
    if !(1..=MAX_LENGTH).contains(&length) {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            format!("the length of a random value must be from 1 to {MAX_LENGTH}"),
        ));
    }
    let bytes = Zeroizing::new(random_bytes::<MAX_LENGTH>());
    let text = match kind {
        RandomKind::Hex => hex::encode(&bytes[..length]),
        RandomKind::Base64 => STANDARD.encode(&bytes[..length]),
        RandomKind::Base64Url => URL_SAFE.encode(&bytes[..length]),
        RandomKind::Key128 => STANDARD.encode(&bytes[..16]),
        RandomKind::Key256 => STANDARD.encode(&bytes[..32]),
        RandomKind::Alphanumeric => alphanumeric(length),
    };
    Ok(SecretString::new(text))
}

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `length` characters of A-Z, a-z, 0-9, each equally likely: bytes at or above the largest
/// multiple of 62 below 256 are drawn again.
fn alphanumeric(length: usize) -> String {
    let limit = 256 - 256 % ALPHANUMERIC.len();
    let mut out = String::with_capacity(length);
    while out.len() < length {
        for &byte in Zeroizing::new(random_bytes::<64>()).iter() {
            if usize::from(byte) < limit && out.len() < length {
                out.push(char::from(
                    ALPHANUMERIC[usize::from(byte) % ALPHANUMERIC.len()],
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_lengths_mean_what_the_official_cli_means() {
        let value = |kind, length| random_value(kind, length).unwrap().expose().to_owned();
        assert_eq!(value(RandomKind::Hex, 16).len(), 32);
        assert!(
            value(RandomKind::Hex, 16)
                .chars()
                .all(|c| c.is_ascii_hexdigit())
        );
        let text = value(RandomKind::Alphanumeric, 40);
        assert_eq!(text.len(), 40);
        assert!(text.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(
            STANDARD
                .decode(value(RandomKind::Base64, 10))
                .unwrap()
                .len(),
            10
        );
        assert_eq!(
            URL_SAFE
                .decode(value(RandomKind::Base64Url, 7))
                .unwrap()
                .len(),
            7
        );
        assert_eq!(
            STANDARD.decode(value(RandomKind::Key128, 1)).unwrap().len(),
            16
        );
        assert_eq!(
            STANDARD.decode(value(RandomKind::Key256, 1)).unwrap().len(),
            32
        );
        assert_ne!(value(RandomKind::Hex, 32), value(RandomKind::Hex, 32));
    }

    #[test]
    fn bad_kinds_and_lengths_are_invalid_input() {
        for length in [0, MAX_LENGTH + 1] {
            let error = random_value(RandomKind::Hex, length).unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidInput);
        }
        assert!("uuid".parse::<RandomKind>().is_err());
        assert_eq!("key256".parse::<RandomKind>().unwrap(), RandomKind::Key256);
    }
}
