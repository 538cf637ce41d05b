//! The packed layout of the answers that carry secrets, for `phasekit_client_call_bytes`: a kind
//! byte, then length-prefixed fields that the host slices without a parser. The layout is
//! documented once, on `phasekit_client_call_bytes` in the C header; this module writes it.
//!
//! Like the JSON of `c_api`, the output is allocated exactly once: the size is counted by the
//! same code that writes, so the buffer never grows (a reallocation would leave an unwiped copy
//! of secret values behind), and a partly written buffer is wiped before it is dropped.

use phasekit::{Error, ErrorCode};
use zeroize::Zeroize;

use crate::c_api::{PHASEKIT_PACKED_RESULT, PHASEKIT_PACKED_SECRET, PHASEKIT_PACKED_SECRETS};
use crate::types::{GetResult, Secret};

/// `get` and `lease_generate`: `PHASEKIT_PACKED_SECRETS`, count, secrets.
pub fn secrets(list: &[Secret]) -> Result<Vec<u8>, Error> {
    pack(Packed::Secrets(list))
}

/// `get_secret`: `PHASEKIT_PACKED_SECRET`, one secret.
pub fn secret(one: &Secret) -> Result<Vec<u8>, Error> {
    pack(Packed::Secret(one))
}

/// `get_result`: `PHASEKIT_PACKED_RESULT`, the source's name, count, secrets.
pub fn result(result: &GetResult) -> Result<Vec<u8>, Error> {
    // serde's name, so that the packed answer and the JSON one cannot name a source apart.
    let source = match serde_json::to_value(result.source) {
        Ok(serde_json::Value::String(name)) => name,
        _ => return Err(internal("a source without a name")),
    };
    pack(Packed::Result(&source, &result.secrets))
}

fn internal(what: &str) -> Error {
    Error::new(
        ErrorCode::Protocol,
        format!("internal error in phasekit (please report): {what}"),
    )
}

/// The answers that have a packed form.
#[derive(Clone, Copy)]
enum Packed<'a> {
    Secrets(&'a [Secret]),
    Secret(&'a Secret),
    /// The source's name and the secrets.
    Result(&'a str, &'a [Secret]),
}

/// Where the writing functions put bytes: a counter first, then the buffer.
trait Out {
    fn put(&mut self, bytes: &[u8]);
}

/// Counts the bytes an answer needs.
struct Size(usize);

impl Out for Size {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

/// A buffer of a fixed capacity that refuses to grow instead of reallocating.
struct Fixed {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl Out for Fixed {
    fn put(&mut self, bytes: &[u8]) {
        if self.bytes.capacity() - self.bytes.len() < bytes.len() {
            self.overflowed = true;
        } else {
            self.bytes.extend_from_slice(bytes);
        }
    }
}

/// Writes `answer` twice with the same code: once to count, once into a buffer of exactly
/// that size.
fn pack(answer: Packed<'_>) -> Result<Vec<u8>, Error> {
    let mut size = Size(0);
    write_answer(&mut size, answer)?;
    let mut fixed = Fixed {
        bytes: Vec::with_capacity(size.0),
        overflowed: false,
    };
    let written = write_answer(&mut fixed, answer);
    if written.is_err() || fixed.overflowed || fixed.bytes.len() != size.0 {
        fixed.bytes.zeroize();
        return Err(written
            .err()
            .unwrap_or_else(|| internal("packed size mismatch")));
    }
    Ok(fixed.bytes)
}

fn write_answer<O: Out>(out: &mut O, answer: Packed<'_>) -> Result<(), Error> {
    match answer {
        Packed::Secrets(list) => {
            out.put(&[PHASEKIT_PACKED_SECRETS]);
            write_list(out, list)
        }
        Packed::Secret(one) => {
            out.put(&[PHASEKIT_PACKED_SECRET]);
            write_secret(out, one)
        }
        Packed::Result(source, list) => {
            out.put(&[PHASEKIT_PACKED_RESULT]);
            write_text(out, source)?;
            write_list(out, list)
        }
    }
}

fn write_list<O: Out>(out: &mut O, list: &[Secret]) -> Result<(), Error> {
    write_len(out, list.len())?;
    list.iter().try_for_each(|secret| write_secret(out, secret))
}

/// A length or count as `u32`; anything larger cannot be carried.
fn write_len<O: Out>(out: &mut O, len: usize) -> Result<(), Error> {
    let len = u32::try_from(len).map_err(|_| {
        Error::new(
            ErrorCode::Protocol,
            "an answer with a field or list of 4 GiB or more cannot be handed out packed",
        )
    })?;
    out.put(&len.to_le_bytes());
    Ok(())
}

fn write_text<O: Out>(out: &mut O, text: &str) -> Result<(), Error> {
    write_len(out, text.len())?;
    out.put(text.as_bytes());
    Ok(())
}

fn write_bool<O: Out>(out: &mut O, value: bool) {
    out.put(&[u8::from(value)]);
}

fn write_optional_text<O: Out>(out: &mut O, text: Option<&str>) -> Result<(), Error> {
    write_bool(out, text.is_some());
    text.map_or(Ok(()), |text| write_text(out, text))
}

fn write_optional_int<O: Out>(out: &mut O, value: Option<i64>) {
    write_bool(out, value.is_some());
    if let Some(value) = value {
        out.put(&value.to_le_bytes());
    }
}

/// One secret's fields, in the order of the header's documentation (that of `types::Secret`).
fn write_secret<O: Out>(out: &mut O, secret: &Secret) -> Result<(), Error> {
    write_text(out, &secret.id)?;
    write_text(out, &secret.key)?;
    write_text(out, &secret.value)?;
    write_text(out, &secret.comment)?;
    write_text(out, &secret.path)?;
    write_len(out, secret.tags.len())?;
    for tag in &secret.tags {
        write_text(out, tag)?;
    }
    write_bool(out, secret.overridden);
    write_text(out, &secret.secret_type)?;
    write_text(out, &secret.lifecycle)?;
    write_text(out, &secret.app)?;
    write_text(out, &secret.env)?;
    write_optional_int(out, secret.version);
    write_bool(out, secret.is_dynamic);
    write_optional_text(out, secret.dynamic_group.as_deref())?;
    write_optional_text(out, secret.lease_id.as_deref())?;
    write_optional_text(out, secret.lease_expires_at.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Source;

    /// A reader of the layout as the header documents it, independent of the writer above.
    struct Reader<'a>(&'a [u8]);

    impl Reader<'_> {
        fn take(&mut self, n: usize) -> &[u8] {
            let (head, rest) = self.0.split_at(n);
            self.0 = rest;
            head
        }

        fn byte(&mut self) -> u8 {
            self.take(1)[0]
        }

        fn len(&mut self) -> usize {
            u32::from_le_bytes(self.take(4).try_into().unwrap()) as usize
        }

        fn str(&mut self) -> String {
            let n = self.len();
            String::from_utf8(self.take(n).to_vec()).unwrap()
        }

        fn bool(&mut self) -> bool {
            match self.byte() {
                0 => false,
                1 => true,
                other => panic!("flag {other}"),
            }
        }

        fn optional_str(&mut self) -> Option<String> {
            self.bool().then(|| self.str())
        }

        fn secret(&mut self) -> Secret {
            Secret {
                id: self.str(),
                key: self.str(),
                value: self.str(),
                comment: self.str(),
                path: self.str(),
                tags: (0..self.len()).map(|_| self.str()).collect(),
                overridden: self.bool(),
                secret_type: self.str(),
                lifecycle: self.str(),
                app: self.str(),
                env: self.str(),
                version: self
                    .bool()
                    .then(|| i64::from_le_bytes(self.take(8).try_into().unwrap())),
                is_dynamic: self.bool(),
                dynamic_group: self.optional_str(),
                lease_id: self.optional_str(),
                lease_expires_at: self.optional_str(),
            }
        }

        fn list(&mut self) -> Vec<Secret> {
            (0..self.len()).map(|_| self.secret()).collect()
        }

        fn end(self) {
            assert!(self.0.is_empty(), "{} bytes left over", self.0.len());
        }
    }

    fn plain(key: &str) -> Secret {
        Secret {
            id: format!("id-{key}"),
            key: key.to_owned(),
            value: format!("value of {key}"),
            comment: String::new(),
            path: "/".to_owned(),
            tags: Vec::new(),
            overridden: false,
            secret_type: "secret".to_owned(),
            lifecycle: "static".to_owned(),
            app: "app".to_owned(),
            env: "Development".to_owned(),
            version: Some(1),
            is_dynamic: false,
            dynamic_group: None,
            lease_id: None,
            lease_expires_at: None,
        }
    }

    /// Every field set, in ways a length-prefixed layout can get wrong.
    fn unusual() -> Secret {
        Secret {
            id: String::new(),
            key: "DB_PASSWORD".to_owned(),
            value: "pässwörd 🔑 \u{0} \"quoted\"\n".to_owned(),
            comment: "日本語のコメント".to_owned(),
            path: "/db/ünïcode".to_owned(),
            tags: vec!["prod".to_owned(), String::new(), "€".to_owned()],
            overridden: true,
            secret_type: "sealed".to_owned(),
            lifecycle: "rotating".to_owned(),
            app: String::new(),
            env: "Prod".to_owned(),
            version: Some(i64::MIN),
            is_dynamic: true,
            dynamic_group: Some(String::new()),
            lease_id: Some("lease-1".to_owned()),
            lease_expires_at: None,
        }
    }

    fn read_secrets(bytes: &[u8]) -> Vec<Secret> {
        let mut reader = Reader(bytes);
        assert_eq!(reader.byte(), PHASEKIT_PACKED_SECRETS);
        let list = reader.list();
        reader.end();
        list
    }

    fn read_secret(bytes: &[u8]) -> Secret {
        let mut reader = Reader(bytes);
        assert_eq!(reader.byte(), PHASEKIT_PACKED_SECRET);
        let one = reader.secret();
        reader.end();
        one
    }

    #[test]
    fn a_list_round_trips() {
        let list = vec![plain("A"), unusual(), plain("ÜBER_KEY")];
        let bytes = secrets(&list).unwrap();
        // Exactly as large as its content: handing it out never reallocates.
        assert_eq!(bytes.len(), bytes.capacity());
        assert_eq!(read_secrets(&bytes), list);
    }

    #[test]
    fn an_empty_list_is_its_kind_and_a_zero_count() {
        let bytes = secrets(&[]).unwrap();
        assert_eq!(bytes, [PHASEKIT_PACKED_SECRETS, 0, 0, 0, 0]);
        assert!(read_secrets(&bytes).is_empty());
    }

    #[test]
    fn empty_strings_are_zero_lengths() {
        let mut empty = plain("");
        let texts = [
            &mut empty.id,
            &mut empty.value,
            &mut empty.path,
            &mut empty.secret_type,
            &mut empty.lifecycle,
            &mut empty.app,
            &mut empty.env,
        ];
        texts.into_iter().for_each(String::clear);
        empty.version = None;
        let bytes = secret(&empty).unwrap();
        // Kind, 9 empty strings and an empty tag list (4 bytes each), 2 bools, 4 absent options:
        // the smallest secret, which readers use to bound a count before allocating.
        assert_eq!(bytes.len(), 1 + 10 * 4 + 2 + 4);
        assert!(bytes[1..].iter().all(|&b| b == 0));
        assert_eq!(read_secret(&bytes), empty);
    }

    #[test]
    fn none_and_an_empty_string_differ() {
        let mut none = plain("K");
        none.dynamic_group = None;
        none.version = None;
        let mut empty = none.clone();
        empty.dynamic_group = Some(String::new());
        empty.version = Some(0);
        let (none_bytes, empty_bytes) = (secret(&none).unwrap(), secret(&empty).unwrap());
        assert_ne!(none_bytes, empty_bytes);
        assert_eq!(read_secret(&none_bytes), none);
        assert_eq!(read_secret(&empty_bytes), empty);
    }

    #[test]
    fn integers_are_little_endian() {
        let mut one = plain("K");
        one.version = Some(0x0102_0304_0506_0708);
        let bytes = secret(&one).unwrap();
        let version = [1, 8, 7, 6, 5, 4, 3, 2, 1];
        assert!(bytes.windows(9).any(|w| w == version), "{bytes:?}");
        let list = secrets(&[one.clone(), one]).unwrap();
        assert_eq!(list[..5], [PHASEKIT_PACKED_SECRETS, 2, 0, 0, 0]);
    }

    #[test]
    fn a_result_carries_its_source_by_name() {
        // The names of the JSON answer, which the Go package passes on as its `Source`.
        for (source, name) in [
            (Source::Network, "network"),
            (Source::Memory, "memory"),
            (Source::Stale, "stale"),
            (Source::Offline, "offline"),
        ] {
            let found = GetResult {
                secrets: vec![unusual(), plain("B")],
                source,
            };
            let bytes = result(&found).unwrap();
            assert_eq!(bytes.len(), bytes.capacity());
            let mut reader = Reader(&bytes);
            assert_eq!(reader.byte(), PHASEKIT_PACKED_RESULT);
            assert_eq!(reader.str(), name);
            assert_eq!(reader.list(), found.secrets);
            reader.end();
        }
    }
}
