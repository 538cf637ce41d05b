//! Plaintexts remembered per (recipient key, ciphertext). A ciphertext never changes while its
//! secret does not, and decrypting it costs an X25519 operation, so repeated reads of unchanged
//! secrets skip the work. The recipient key is part of the entry's name: a ciphertext copied
//! into another environment is decrypted (and authenticated) again, never served from here.
//! Entries are wiped on drop. After each whole listing of an environment, the plaintexts it no
//! longer holds (values replaced or deleted) and did not hold in the listing before are wiped
//! too: a long-lived process whose secrets rotate keeps neither old plaintexts nor a growing
//! memo. The memo is also cleared whole when it reaches its capacity. Entries are grouped by
//! recipient so that a lookup hashes the borrowed ciphertext as it is, without copying it into
//! a key first (a large `get` looks up thousands).

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use zeroize::Zeroizing;

use crate::SecretString;
use crate::crypto::PublicKey;

/// Plaintexts by recipient, then by ciphertext.
#[derive(Debug, Default)]
struct Entries {
    by_recipient: HashMap<PublicKey, Plaintexts>,
}

impl Entries {
    /// How many plaintexts, over every recipient (a handful of environments per client).
    fn len(&self) -> usize {
        self.by_recipient
            .values()
            .map(|plaintexts| plaintexts.by_ciphertext.len())
            .sum()
    }
}

/// The plaintexts of one recipient (an environment), and how many whole listings of it ended.
#[derive(Debug, Default)]
struct Plaintexts {
    by_ciphertext: HashMap<Box<str>, Entry>,
    listings: u64,
}

#[derive(Debug)]
struct Entry {
    plaintext: SecretString,
    /// The listing that last looked it up (an atomic: lookups hold the read lock).
    seen: AtomicU64,
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
        let found = entries.by_recipient.get(recipient).and_then(|plaintexts| {
            let entry = plaintexts.by_ciphertext.get(ciphertext)?;
            // Loaded first: an entry read by every get is written once per listing only.
            if entry.seen.load(Ordering::Relaxed) != plaintexts.listings {
                entry.seen.store(plaintexts.listings, Ordering::Relaxed);
            }
            Some(Zeroizing::new(entry.plaintext.expose().to_owned()))
        });
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
        if entries.len() >= self.capacity {
            *entries = Entries::default();
        }
        let plaintexts = entries.by_recipient.entry(*recipient).or_default();
        let entry = Entry {
            plaintext: SecretString::new(plaintext),
            seen: AtomicU64::new(plaintexts.listings),
        };
        plaintexts
            .by_ciphertext
            .insert(Box::from(ciphertext), entry);
    }

    /// A whole listing of `recipient`'s environment was decrypted through this memo: wipes its
    /// plaintexts that neither this listing nor the one before looked up. Two listings, not
    /// one, so that gets running at the same time do not retire each other's entries.
    pub fn end_listing(&self, recipient: &PublicKey) {
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(plaintexts) = entries.by_recipient.get_mut(recipient) else {
            return;
        };
        let oldest_kept = plaintexts.listings.saturating_sub(1);
        plaintexts
            .by_ciphertext
            .retain(|_, entry| entry.seen.load(Ordering::Relaxed) >= oldest_kept);
        plaintexts.listings += 1;
    }

    pub fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
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

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: PublicKey = PublicKey::from_bytes([1; 32]);
    const OTHER_ENV: PublicKey = PublicKey::from_bytes([2; 32]);

    fn has(memo: &Memo, recipient: &PublicKey, ciphertext: &str) -> bool {
        memo.get(recipient, ciphertext).is_some()
    }

    #[test]
    fn a_replaced_value_is_wiped_after_the_second_listing_without_it() {
        let memo = Memo::new(100);
        memo.insert(&ENV, "ct-key", "KEY");
        memo.insert(&ENV, "ct-old", "old value");
        memo.end_listing(&ENV);
        // The value changed: the next listings hold the key and the new ciphertext only.
        assert!(has(&memo, &ENV, "ct-key"));
        memo.insert(&ENV, "ct-new", "new value");
        memo.end_listing(&ENV);
        assert_eq!(memo.len(), 3, "the listing before still held the old value");
        assert!(has(&memo, &ENV, "ct-key") && has(&memo, &ENV, "ct-new"));
        memo.end_listing(&ENV);
        assert_eq!(memo.len(), 2);
        assert!(!has(&memo, &ENV, "ct-old"));
        assert!(has(&memo, &ENV, "ct-key") && has(&memo, &ENV, "ct-new"));
    }

    #[test]
    fn a_listing_retires_only_its_own_environment() {
        let memo = Memo::new(100);
        memo.insert(&ENV, "ct-a", "a");
        memo.insert(&OTHER_ENV, "ct-b", "b");
        for _ in 0..3 {
            memo.end_listing(&ENV);
        }
        assert!(!has(&memo, &ENV, "ct-a"), "never looked up again");
        assert!(has(&memo, &OTHER_ENV, "ct-b"));
        assert_eq!(memo.len(), 1);
    }

    #[test]
    fn concurrent_listings_keep_what_either_looked_up() {
        let memo = Memo::new(100);
        memo.insert(&ENV, "ct-a", "a");
        memo.end_listing(&ENV);
        // One get looks its secret up, another get's listing ends before the first one's.
        assert!(has(&memo, &ENV, "ct-a"));
        memo.end_listing(&ENV);
        memo.end_listing(&ENV);
        assert_eq!(
            memo.len(),
            1,
            "looked up in the listing before the last one"
        );
    }
}
