//! The environment the decryption benchmarks decrypt: a file of plaintext secrets encrypted
//! field by field to a fresh environment key, checked to decrypt back as written. Included by
//! `decrypt` and `instructions` with `#[path]` (the crate has no library target).

use phasekit::api::decode_json;
use phasekit::api::wire::SecretRecord;
use phasekit::keyring::EnvironmentKeys;
use phasekit::secrets::{DecryptContext, decrypt_record};

use crate::common::random32;

/// The secrets of one benchmark size, encrypted, with the key that decrypts them.
pub struct Environment {
    pub keys: EnvironmentKeys,
    pub records: Vec<SecretRecord>,
    /// X25519 one decryption of every record costs (key, value, comment when not empty).
    pub x25519_ops: u64,
}

impl Environment {
    /// The plaintext secrets of `path` (a JSON array `[{id, key, value, comment}]`) encrypted
    /// to a fresh environment key, and checked: a fast wrong answer must not count, so every
    /// field must decrypt back as written.
    pub fn load(path: &str) -> Result<Self, String> {
        let keys = EnvironmentKeys::from_seed_and_salt(&random_hex(), random_hex().into(), None)
            .expect("random seed and salt make valid keys");
        let plain = load_plaintexts(path)?;
        let (records, x25519_ops) = encrypt_records(&plain, &keys)?;
        let env = Environment {
            keys,
            records,
            x25519_ops,
        };
        env.check(&plain);
        Ok(env)
    }

    /// How the benchmarks decrypt: as `get` does, without a memo.
    pub fn context(&self) -> DecryptContext<'_> {
        DecryptContext {
            keys: &self.keys,
            app: "bench",
            env: "bench",
            memo: None,
        }
    }

    pub fn x25519_per_secret(&self) -> f64 {
        self.x25519_ops as f64 / self.records.len() as f64
    }

    fn check(&self, plain: &[SecretRecord]) {
        for (record, expected) in self.records.iter().zip(plain) {
            let secret = decrypt_record(record, self.context()).expect("decrypt");
            assert_eq!(secret.key, expected.key, "key of {}", record.id);
            assert_eq!(
                secret.value.expose(),
                expected.value,
                "value of {}",
                record.id
            );
            assert_eq!(
                secret.comment,
                expected.comment.clone().unwrap_or_default(),
                "comment of {}",
                record.id
            );
        }
    }
}

fn random_hex() -> String {
    random32().iter().map(|b| format!("{b:02x}")).collect()
}

/// The plaintext secrets of FILE.
fn load_plaintexts(path: &str) -> Result<Vec<SecretRecord>, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let records: Vec<SecretRecord> =
        decode_json(&text, path).map_err(|e| format!("{path}: {e}"))?;
    if records.is_empty() {
        return Err(format!("{path}: no secrets"));
    }
    Ok(records)
}

/// `plain` encrypted field by field to `keys`, as the console does, and the number of X25519
/// a decryption of all of them costs.
fn encrypt_records(
    plain: &[SecretRecord],
    keys: &EnvironmentKeys,
) -> Result<(Vec<SecretRecord>, u64), String> {
    let mut records = plain.to_vec();
    let mut x25519_ops = 0;
    let encrypt = |plain: &str| keys.encrypt(plain).map_err(|e| format!("encrypt: {e}"));
    for record in &mut records {
        record.key = encrypt(&record.key)?;
        record.value = encrypt(&record.value)?;
        x25519_ops += 2;
        if let Some(comment) = record.comment.as_mut().filter(|c| !c.is_empty()) {
            *comment = encrypt(comment)?;
            x25519_ops += 1;
        }
    }
    Ok((records, x25519_ops))
}
