//! Export of decrypted secrets to dotenv, JSON, YAML, kv, CSV, XML, TOML, HCL, INI and Java
//! properties (one writer each in `formats.rs`), in buffers that are wiped on drop and wiped as
//! they grow (`SecretText`). When a key appears in several folders, the first occurrence wins.

mod formats;

use std::collections::HashSet;

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
    /// `KEY=value` lines, unquoted, for `docker run --env-file`; multi-line values are refused.
    Kv,
    /// RFC 4180 with a `Key,Value` header.
    Csv,
    /// `<Secrets><secret name="KEY">value</secret></Secrets>`.
    Xml,
    /// `KEY = "value"` basic strings.
    Toml,
    /// `variable "KEY" { default = "value" }` blocks.
    Hcl,
    /// A `[DEFAULT]` section for Python's configparser and other INI readers.
    Ini,
    /// `java.util.Properties`.
    JavaProperties,
}

impl ExportFormat {
    /// Every format by its canonical name, in the order of the documentation.
    pub const ALL: [(ExportFormat, &'static str); 10] = [
        (ExportFormat::Dotenv, "dotenv"),
        (ExportFormat::Json, "json"),
        (ExportFormat::Yaml, "yaml"),
        (ExportFormat::Kv, "kv"),
        (ExportFormat::Csv, "csv"),
        (ExportFormat::Xml, "xml"),
        (ExportFormat::Toml, "toml"),
        (ExportFormat::Hcl, "hcl"),
        (ExportFormat::Ini, "ini"),
        (ExportFormat::JavaProperties, "java_properties"),
    ];

    pub fn name(self) -> &'static str {
        ExportFormat::ALL
            .iter()
            .find(|(format, _)| *format == self)
            .map_or("dotenv", |(_, name)| name)
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        let wanted = name.to_ascii_lowercase();
        let alias = match wanted.as_str() {
            "env" => "dotenv",
            "yml" => "yaml",
            "properties" => "java_properties",
            other => other,
        };
        ExportFormat::ALL
            .iter()
            .find(|(_, name)| *name == alias)
            .map(|(format, _)| *format)
            .ok_or_else(|| {
                let names: Vec<&str> = ExportFormat::ALL.iter().map(|(_, name)| *name).collect();
                Error::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "unknown export format {wanted:?} (one of {})",
                        names.join(", ")
                    ),
                )
            })
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

/// Of `variables`, those a child process receives on top of the environment it inherits: all of
/// them with `override_existing`, else only those `is_set` says are not set already (what the
/// user set wins).
pub fn variables_to_set(
    variables: Vec<(String, SecretString)>,
    is_set: impl Fn(&str) -> bool,
    override_existing: bool,
) -> Vec<(String, SecretString)> {
    variables
        .into_iter()
        .filter(|(key, _)| override_existing || !is_set(key))
        .collect()
}

/// The secrets in `format`, one per key. A format that cannot carry a key or value exactly (a
/// multi-line value in `kv`, a control character in `xml`, ...) is an `invalid_input` error
/// naming the key.
pub fn export(secrets: &[Secret], format: ExportFormat) -> Result<Zeroizing<String>> {
    let unique = first_per_key(secrets);
    let mut out = SecretText::default();
    match format {
        ExportFormat::Dotenv => formats::dotenv(&mut out, &unique)?,
        ExportFormat::Json => formats::json(&mut out, &unique)?,
        ExportFormat::Yaml => formats::yaml(&mut out, &unique)?,
        ExportFormat::Kv => formats::kv(&mut out, &unique)?,
        ExportFormat::Csv => formats::csv(&mut out, &unique)?,
        ExportFormat::Xml => formats::xml(&mut out, &unique)?,
        ExportFormat::Toml => formats::toml(&mut out, &unique)?,
        ExportFormat::Hcl => formats::hcl(&mut out, &unique)?,
        ExportFormat::Ini => formats::ini(&mut out, &unique)?,
        ExportFormat::JavaProperties => formats::java_properties(&mut out, &unique)?,
    }
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(key: &str, value: &str) -> Secret {
        Secret::for_test(key, value)
    }

    #[test]
    fn formats_escape_what_they_must() {
        let secrets = [
            secret("A", "plain"),
            secret("B", "line1\n\"q\" \\ é"),
            secret("A", "shadowed"),
        ];
        assert_eq!(
            export(&secrets, ExportFormat::Dotenv).unwrap().as_str(),
            "A=\"plain\"\nB=\"line1\\n\\\"q\\\" \\\\ é\"\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(&export(&secrets, ExportFormat::Json).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"A": "plain", "B": "line1\n\"q\" \\ é"})
        );
        assert_eq!(
            export(&secrets, ExportFormat::Yaml).unwrap().as_str(),
            "\"A\": \"plain\"\n\"B\": \"line1\\n\\\"q\\\" \\\\ é\"\n"
        );
        assert_eq!(export(&[], ExportFormat::Json).unwrap().as_str(), "{}\n");
        assert_eq!("YML".parse::<ExportFormat>().unwrap(), ExportFormat::Yaml);
        assert_eq!(
            "xmlx".parse::<ExportFormat>().unwrap_err().code(),
            ErrorCode::InvalidInput
        );
    }

    #[test]
    fn variables_already_set_win_unless_overridden() {
        let pairs = || {
            vec![
                ("A".to_owned(), SecretString::new("a")),
                ("B".to_owned(), SecretString::new("b")),
            ]
        };
        let kept: Vec<String> = variables_to_set(pairs(), |k| k == "A", false)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(kept, ["B"]);
        assert_eq!(variables_to_set(pairs(), |_| true, true).len(), 2);
    }

    #[test]
    fn every_format_has_a_name_that_parses_back() {
        for (format, name) in ExportFormat::ALL {
            assert_eq!(name.parse::<ExportFormat>().unwrap(), format);
            assert_eq!(format.name(), name);
        }
        assert_eq!("ENV".parse::<ExportFormat>().unwrap(), ExportFormat::Dotenv);
        assert_eq!(
            "properties".parse::<ExportFormat>().unwrap(),
            ExportFormat::JavaProperties
        );
    }

    #[test]
    fn line_formats_escape_or_refuse_what_they_cannot_hold() {
        let tricky = [
            secret("A", "x=1, \"q\" ${B} %{c} é\tz"),
            secret("B", "two\nlines"),
        ];
        assert_eq!(
            export(&tricky[..1], ExportFormat::Kv).unwrap().as_str(),
            "A=x=1, \"q\" ${B} %{c} é\tz\n"
        );
        let error = export(&tricky, ExportFormat::Kv).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidInput);
        assert!(error.message().contains("\"B\""), "{error}");
        assert!(
            !error.message().contains("lines"),
            "no value in errors: {error}"
        );
        assert_eq!(
            export(&tricky, ExportFormat::Csv).unwrap().as_str(),
            "Key,Value\r\nA,\"x=1, \"\"q\"\" ${B} %{c} é\tz\"\r\nB,\"two\nlines\"\r\n"
        );
        assert_eq!(
            export(&tricky, ExportFormat::Hcl).unwrap().as_str(),
            "variable \"A\" {\n  default = \"x=1, \\\"q\\\" $${B} %%{c} é\\tz\"\n}\n\nvariable \"B\" {\n  default = \"two\\nlines\"\n}\n"
        );
        assert_eq!(
            export(&tricky, ExportFormat::Ini).unwrap().as_str(),
            "[DEFAULT]\nA = x=1, \"q\" ${B} %%{c} é\tz\nB = two\n  lines\n"
        );
        assert!(export(&[secret("A", " padded")], ExportFormat::Ini).is_err());
        assert_eq!(
            export(&tricky, ExportFormat::JavaProperties)
                .unwrap()
                .as_str(),
            "A=x=1, \"q\" ${B} %{c} \\u00E9\\tz\nB=two\\nlines\n"
        );
        assert_eq!(
            export(&[secret("a b", "<&>\r")], ExportFormat::Xml)
                .unwrap()
                .as_str(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Secrets>\n  <secret name=\"a b\">&lt;&amp;&gt;&#13;</secret>\n</Secrets>\n"
        );
        assert!(export(&[secret("A", "bell\u{7}")], ExportFormat::Xml).is_err());
        assert_eq!(
            export(&[secret("a.b", "\u{1}\"")], ExportFormat::Toml)
                .unwrap()
                .as_str(),
            "\"a.b\" = \"\\u0001\\\"\"\n"
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
