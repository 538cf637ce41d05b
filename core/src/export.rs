//! Export of decrypted secrets to dotenv, JSON and YAML, in buffers that are wiped on drop and
//! wiped as they grow (`SecretText`).
//! When a key appears in several folders, the first occurrence wins.

use std::collections::HashSet;
use std::fmt::Write;

use zeroize::Zeroizing;

use crate::SecretString;
use crate::error::{Error, ErrorCode, Result};
use crate::secret_string::SecretText;
use crate::secrets::Secret;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `KEY="value"` lines, with `\`, `"`, newlines and carriage returns escaped.
    Dotenv,
    /// One JSON object, keys in order of appearance.
    Json,
    /// One YAML mapping with double-quoted scalars.
    Yaml,
}

impl std::str::FromStr for ExportFormat {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "dotenv" | "env" => Ok(ExportFormat::Dotenv),
            "json" => Ok(ExportFormat::Json),
            "yaml" | "yml" => Ok(ExportFormat::Yaml),
            other => Err(Error::new(
                ErrorCode::InvalidInput,
                format!("unknown export format {other:?} (dotenv, json or yaml)"),
            )),
        }
    }
}

/// One secret per key, the first occurrence winning: the rule of every export.
pub fn first_per_key(secrets: &[Secret]) -> Vec<&Secret> {
    let mut seen = HashSet::new();
    secrets
        .iter()
        .filter(|s| seen.insert(s.key.as_str()))
        .collect()
}

/// The secrets as environment variables, one per key (first occurrence wins), in order. A key
/// that no operating system accepts as a variable name (empty, or containing `=` or NUL) is an
/// `invalid_input` error naming it.
pub fn environment_variables(secrets: &[Secret]) -> Result<Vec<(String, SecretString)>> {
    first_per_key(secrets)
        .into_iter()
        .map(|secret| {
            if secret.key.is_empty() || secret.key.contains(['=', '\0']) {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "secret key {:?} cannot be an environment variable name",
                        secret.key
                    ),
                ));
            }
            Ok((secret.key.clone(), secret.value.clone()))
        })
        .collect()
}

pub fn export(secrets: &[Secret], format: ExportFormat) -> Zeroizing<String> {
    let unique = first_per_key(secrets);
    let mut out = SecretText::default();
    match format {
        ExportFormat::Dotenv => {
            for secret in unique {
                let _ = writeln!(
                    out,
                    "{}=\"{}\"",
                    secret.key,
                    dotenv_escape(secret.value.expose()).as_str()
                );
            }
        }
        ExportFormat::Json => {
            out.push('{');
            for (i, secret) in unique.iter().enumerate() {
                let separator = if i == 0 { "\n  " } else { ",\n  " };
                let _ = write!(
                    out,
                    "{separator}{}: {}",
                    quote(&secret.key).as_str(),
                    quote(secret.value.expose()).as_str()
                );
            }
            out.push_str(if unique.is_empty() { "}\n" } else { "\n}\n" });
        }
        ExportFormat::Yaml => {
            // JSON strings are valid YAML double-quoted scalars, escapes included.
            for secret in unique {
                let _ = writeln!(
                    out,
                    "{}: {}",
                    quote(&secret.key).as_str(),
                    quote(secret.value.expose()).as_str()
                );
            }
        }
    }
    out.into_inner()
}

fn quote(text: &str) -> Zeroizing<String> {
    let mut out = SecretText::with_capacity(text.len() + 2);
    serde_json::to_writer(&mut out, text).expect("strings serialize");
    out.into_inner()
}

fn dotenv_escape(value: &str) -> Zeroizing<String> {
    let mut out = SecretText::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(key: &str, value: &str) -> Secret {
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

    #[test]
    fn formats_escape_what_they_must() {
        let secrets = [
            secret("A", "plain"),
            secret("B", "line1\n\"q\" \\ é"),
            secret("A", "shadowed"),
        ];
        assert_eq!(
            export(&secrets, ExportFormat::Dotenv).as_str(),
            "A=\"plain\"\nB=\"line1\\n\\\"q\\\" \\\\ é\"\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(&export(&secrets, ExportFormat::Json)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"A": "plain", "B": "line1\n\"q\" \\ é"})
        );
        assert_eq!(
            export(&secrets, ExportFormat::Yaml).as_str(),
            "\"A\": \"plain\"\n\"B\": \"line1\\n\\\"q\\\" \\\\ é\"\n"
        );
        assert_eq!(export(&[], ExportFormat::Json).as_str(), "{}\n");
        assert_eq!("YML".parse::<ExportFormat>().unwrap(), ExportFormat::Yaml);
        assert_eq!(
            "xml".parse::<ExportFormat>().unwrap_err().code(),
            ErrorCode::InvalidInput
        );
    }

    #[test]
    fn environment_variables_take_the_first_of_each_key_and_refuse_impossible_names() {
        let secrets = [
            secret("A", "first"),
            secret("B", "b"),
            secret("A", "shadowed"),
        ];
        let pairs = environment_variables(&secrets).unwrap();
        let shown: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose()))
            .collect();
        assert_eq!(shown, [("A", "first"), ("B", "b")]);
        for bad in ["", "A=B", "NUL\0"] {
            let error = environment_variables(&[secret(bad, "v")]).unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidInput);
            assert!(error.message().contains("environment variable"), "{error}");
        }
    }
}
