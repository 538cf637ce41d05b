//! The AWS shared files: `~/.aws/credentials` (sections named after profiles) and
//! `~/.aws/config` (`[default]` and `[profile NAME]`). Only what a static-credential login
//! needs is read: keys, session token, region.
//!
//! Parse errors name the file and the line number, never the line: it may hold a secret.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};

/// The settings of one profile. Values are wiped when dropped (some are secrets).
#[derive(Default)]
pub(crate) struct Profile {
    values: BTreeMap<String, Zeroizing<String>>,
}

impl Profile {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .map(|v| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The names of the settings present (for messages: names are not secret).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
}

/// Which of the two files: their section names differ.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Credentials,
    Config,
}

/// Reads `profile` from the file at `path`. `Ok(None)`: no such file or no such profile.
pub(crate) fn read_profile(path: &Path, kind: Kind, profile: &str) -> Result<Option<Profile>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => Zeroizing::new(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!("cannot read the AWS file {}: {e}", path.display()),
            ));
        }
    };
    parse_profile(&text, kind, profile).map_err(|line| {
        Error::new(
            ErrorCode::InvalidInput,
            format!(
                "line {line} of the AWS file {} is neither a [section] nor `name = value`",
                path.display()
            ),
        )
    })
}

/// The profile's settings, or the number of the first malformed line.
pub(crate) fn parse_profile(
    text: &str,
    kind: Kind,
    wanted: &str,
) -> Result<Option<Profile>, usize> {
    let mut current: Option<String> = None;
    let mut found: Option<Profile> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        // Indented lines continue a nested setting (`s3 =` then `  max_concurrent_requests`),
        // which a login does not use.
        if raw.starts_with([' ', '\t']) && current.is_some() {
            continue;
        }
        if let Some(section) = line.strip_prefix('[') {
            let name = section.strip_suffix(']').ok_or(index + 1)?.trim();
            current = Some(section_profile(name, kind));
            if current.as_deref() == Some(wanted) && found.is_none() {
                found = Some(Profile::default());
            }
            continue;
        }
        let (key, value) = line.split_once('=').ok_or(index + 1)?;
        if current.as_deref() == Some(wanted) {
            if let Some(profile) = found.as_mut() {
                profile.values.insert(
                    key.trim().to_ascii_lowercase(),
                    Zeroizing::new(value.trim().to_owned()),
                );
            }
        }
    }
    Ok(found)
}

/// The profile a section header names: in the config file, `[profile x]` (and `[default]`).
fn section_profile(name: &str, kind: Kind) -> String {
    match kind {
        Kind::Credentials => name.to_owned(),
        Kind::Config => match name.strip_prefix("profile") {
            Some(rest) if rest.starts_with([' ', '\t']) => rest.trim().to_owned(),
            _ => name.to_owned(),
        },
    }
}

/// `~/.aws/NAME`, from `HOME` (or `USERPROFILE` on Windows).
pub(crate) fn default_path(home: Option<String>, name: &str) -> Option<PathBuf> {
    home.filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".aws").join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREDENTIALS: &str = "\
# comment
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key = default/secret+key

[ci]
aws_access_key_id=AKIACI
aws_secret_access_key=ci-secret
aws_session_token = ci-token
";

    const CONFIG: &str = "\
[default]
region = eu-west-1
s3 =
  max_concurrent_requests = 4
[profile ci]
region = ap-south-1
role_arn = arn:aws:iam::123456789012:role/x
";

    #[test]
    fn reads_profiles_of_both_files() {
        let default = parse_profile(CREDENTIALS, Kind::Credentials, "default")
            .unwrap()
            .unwrap();
        assert_eq!(
            default.get("aws_secret_access_key"),
            Some("default/secret+key")
        );
        let ci = parse_profile(CREDENTIALS, Kind::Credentials, "ci")
            .unwrap()
            .unwrap();
        assert_eq!(ci.get("aws_session_token"), Some("ci-token"));
        assert!(
            parse_profile(CREDENTIALS, Kind::Credentials, "other")
                .unwrap()
                .is_none()
        );

        let config = parse_profile(CONFIG, Kind::Config, "default")
            .unwrap()
            .unwrap();
        assert_eq!(config.get("region"), Some("eu-west-1"));
        let ci = parse_profile(CONFIG, Kind::Config, "ci").unwrap().unwrap();
        assert_eq!(ci.get("region"), Some("ap-south-1"));
        assert!(ci.keys().any(|k| k == "role_arn"));
    }

    #[test]
    fn a_malformed_line_is_reported_by_number_only() {
        let text = "[default]\naws_secret_access_key\n";
        assert_eq!(
            parse_profile(text, Kind::Credentials, "default").err(),
            Some(2)
        );
        let dir = std::env::temp_dir().join(format!("phasekit-aws-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("credentials");
        std::fs::write(&path, "[default]\nsuper-secret-line\n").unwrap();
        let error = read_profile(&path, Kind::Credentials, "default")
            .err()
            .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(error.message().contains("line 2"), "{error}");
        assert!(!error.message().contains("super-secret"), "{error}");
    }
}
