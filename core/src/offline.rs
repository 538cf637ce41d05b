//! The offline cache: the server's answers kept on disk exactly as they arrived — the session
//! (`/secrets/tokens/`: wrapped key share and wrapped environment keys) and full listings of
//! secrets (ciphertexts) — so that a client can decrypt without the network, with its token.
//! Nothing in it is readable without the token. Files are 0600 in 0700 directories, written
//! to a temporary file in the same directory and renamed, so a reader never sees half a file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorCode, Result};

/// How a client uses its offline cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OfflineMode {
    /// Answers are stored; when the server cannot be reached, stored ones are served instead
    /// (and the result says so).
    #[default]
    Fallback,
    /// No network at all: everything is served from the cache; writes are refused.
    Only,
}

/// One token's cache directory.
#[derive(Debug, Clone)]
pub struct OfflineCache {
    dir: PathBuf,
    mode: OfflineMode,
}

impl OfflineCache {
    /// The cache of the account `account_id` (a public identifier of the token) under `root`.
    /// Tokens of different accounts never share files: a session only opens with its own token.
    pub fn new(root: impl AsRef<Path>, account_id: &str, mode: OfflineMode) -> Self {
        OfflineCache {
            dir: root.as_ref().join(file_name(account_id)),
            mode,
        }
    }

    pub fn mode(&self) -> OfflineMode {
        self.mode
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn session_file(&self) -> PathBuf {
        self.dir.join("session.json")
    }

    /// The listing of one environment: every folder (`path: None`) or one folder.
    pub fn secrets_file(&self, env_id: &str, path: Option<&str>) -> PathBuf {
        let scope = match path {
            Some(path) => format!("{env_id}|{path}"),
            None => format!("{env_id}|*"),
        };
        self.dir
            .join("secrets")
            .join(format!("{}.json", file_name(&scope)))
    }

    /// Stores `body` at `file` atomically, readable by this user only.
    pub fn store(&self, file: &Path, body: &[u8]) -> Result<()> {
        let dir = file.parent().unwrap_or(&self.dir);
        create_private_dir(dir)?;
        let temp = dir.join(format!(
            ".phasekit-{}.tmp",
            hex::encode(crate::crypto::random_bytes::<8>())
        ));
        let written = write_private(&temp, body).and_then(|()| fs::rename(&temp, file));
        written.map_err(|e| {
            let _ = fs::remove_file(&temp);
            cache_error(format!("cannot write {}: {e}", file.display()))
        })
    }

    /// The stored body at `file`, `None` when nothing was stored.
    pub fn load(&self, file: &Path) -> Result<Option<Vec<u8>>> {
        match fs::read(file) {
            Ok(body) => Ok(Some(body)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(cache_error(format!("cannot read {}: {e}", file.display()))),
        }
    }

    /// Removes everything this cache stored.
    pub fn clear(&self) -> Result<()> {
        match fs::remove_dir_all(&self.dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(cache_error(format!(
                "cannot remove {}: {e}",
                self.dir.display()
            ))),
            _ => Ok(()),
        }
    }
}

/// A stable file name that reveals nothing of what it names (folder names can be telling).
fn file_name(text: &str) -> String {
    let digest = crate::crypto::blake2b_256(text.as_bytes(), b"").unwrap_or_default();
    hex::encode(&digest[..16])
}

fn cache_error(message: String) -> Error {
    Error::new(ErrorCode::OfflineUnavailable, message)
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| cache_error(format!("cannot create {}: {e}", dir.display())))
}

fn write_private(path: &Path, body: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(body)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_root(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!(
            "phasekit-offline-{name}-{}",
            hex::encode(crate::crypto::random_bytes::<4>())
        ));
        let _ = fs::remove_dir_all(&root);
        root
    }

    #[test]
    fn stores_atomically_with_private_modes_and_loads_back() {
        let root = temp_root("modes");
        let cache = OfflineCache::new(&root, "account", OfflineMode::Fallback);
        let file = cache.secrets_file("env-1", Some("/db"));
        assert_eq!(cache.load(&file).unwrap(), None);
        cache.store(&file, b"[1]").unwrap();
        cache.store(&file, b"[2]").unwrap();
        assert_eq!(cache.load(&file).unwrap().unwrap(), b"[2]");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&file), 0o600);
            assert_eq!(mode(file.parent().unwrap()), 0o700);
            assert_eq!(mode(cache.dir()), 0o700);
        }
        // No temporary file is left behind.
        let names: Vec<_> = fs::read_dir(file.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        cache.clear().unwrap();
        assert!(!cache.dir().exists());
        let _ = fs::remove_dir_all(root);
    }

    #[test]
    fn names_reveal_nothing_and_scopes_differ() {
        let cache = OfflineCache::new("/cache", "account", OfflineMode::Only);
        let all = cache.secrets_file("env-1", None);
        let root = cache.secrets_file("env-1", Some("/"));
        let folder = cache.secrets_file("env-1", Some("/payments"));
        assert!(all != root && root != folder);
        assert!(!folder.to_string_lossy().contains("payments"));
        assert!(!cache.dir().to_string_lossy().contains("account"));
    }
}
