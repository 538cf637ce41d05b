//! Plaintexts remembered per (recipient key, ciphertext). A ciphertext never changes while its
//! secret does not, and decrypting it costs an X25519 operation, so repeated reads of unchanged
//! secrets skip the work. The recipient key is part of the entry's name: a ciphertext copied
//! into another environment is decrypted (and authenticated) again, never served from here.
//! Entries are wiped on drop; the memo is cleared whole when it reaches its capacity. Entries
//! are grouped by recipient so that a lookup hashes the borrowed ciphertext as it is, without
//! copying it into a key first (a large `get` looks up thousands).

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use zeroize::Zeroizing;

use crate::SecretString;
use crate::crypto::PublicKey;

/// Plaintexts by recipient, then by ciphertext; `len` counts them all.
#[derive(Debug, Default)]
struct Entries {
    by_recipient: HashMap<PublicKey, HashMap<Box<str>, SecretString>>,
    len: usize,
}

#[derive(Debug)]
pub struct Memo {
    entries: RwLock<Entries>,
    capacity: usize,
    /// Lookups that found nothing: each is a field decrypted (the client's `decrypted_fields`).
    misses: AtomicU64,
}

impl Memo {
    pub fn new(capacity: usize) -> Self {
        Memo {
            entries: RwLock::new(Entries::default()),
            capacity,
            misses: AtomicU64::new(0),
        }
    }

    pub fn get(&self, recipient: &PublicKey, ciphertext: &str) -> Option<Zeroizing<String>> {
        let entries = self
            .entries
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let found = entries
            .by_recipient
            .get(recipient)
            .and_then(|plaintexts| plaintexts.get(ciphertext))
            .map(|plain| Zeroizing::new(plain.expose().to_owned()));
        if found.is_none() {
            self.misses.fetch_add(1, Ordering::Relaxed);
        }
        found
    }

    /// How many lookups missed, i.e. how many fields were decrypted through this memo.
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    pub fn insert(&self, recipient: &PublicKey, ciphertext: &str, plaintext: &str) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len >= self.capacity {
            *entries = Entries::default();
        }
        let added = entries
            .by_recipient
            .entry(*recipient)
            .or_default()
            .insert(Box::from(ciphertext), SecretString::new(plaintext))
            .is_none();
        entries.len += usize::from(added);
    }

    pub fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self) {
        *self
            .entries
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Entries::default();
    }
}
