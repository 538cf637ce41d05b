//! A secret value that does not print: `Debug` and `Display` are redacted, memory is wiped on
//! drop, and reading it takes an explicit [`SecretString::expose`].

use std::fmt;

use zeroize::Zeroizing;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(Zeroizing::new(value.into()))
    }

    /// The plaintext. Named so that every place that reads a secret is easy to find.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl From<Zeroizing<String>> for SecretString {
    fn from(value: Zeroizing<String>) -> Self {
        SecretString(value)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString([redacted])")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Secret text being built. A growing `String` moves its text to a larger buffer and frees the
/// old one with the text still in it; this buffer wipes the old one first, and itself on drop.
#[derive(Default)]
pub(crate) struct SecretText(Zeroizing<String>);

impl SecretText {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        SecretText(Zeroizing::new(String::with_capacity(capacity)))
    }

    pub(crate) fn push_str(&mut self, text: &str) {
        let needed = self.0.len() + text.len();
        if needed > self.0.capacity() {
            let capacity = needed.max(2 * self.0.capacity());
            let mut grown = Zeroizing::new(String::with_capacity(capacity));
            grown.push_str(&self.0);
            // The old buffer is wiped as it is dropped here.
            self.0 = grown;
        }
        self.0.push_str(text);
    }

    pub(crate) fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }

    pub(crate) fn into_inner(self) -> Zeroizing<String> {
        self.0
    }
}

impl fmt::Write for SecretText {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.push_str(text);
        Ok(())
    }
}

/// For serializers that write bytes (serde_json): each write must be whole UTF-8 text, as
/// serde_json's writes of a string are (it splits only at the ASCII characters it escapes).
impl std::io::Write for SecretText {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let text = std::str::from_utf8(bytes).map_err(std::io::Error::other)?;
        self.push_str(text);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `value` as JSON text in memory that is wiped as it grows and when dropped: for bindings that
/// hand secret values to another language as one JSON text. `capacity` is the expected length:
/// a text of hundreds of kB that grows by doubling from nothing copies (and wipes) itself a
/// dozen times and leaves a buffer up to twice its size; one close guess allocates once.
pub fn to_json<T: serde::Serialize + ?Sized>(
    value: &T,
    capacity: usize,
) -> serde_json::Result<Zeroizing<String>> {
    let mut out = SecretText::with_capacity(capacity);
    serde_json::to_writer(&mut out, value)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use super::*;

    #[test]
    fn secret_text_keeps_every_piece_across_growth() {
        let mut text = SecretText::with_capacity(2);
        let mut expected = String::new();
        for i in 0..100 {
            let piece = format!("piece {i}, ");
            text.push_str(&piece);
            expected.push_str(&piece);
        }
        text.push('é');
        write!(text, "{}", 42).unwrap();
        expected.push_str("é42");
        assert_eq!(text.into_inner().as_str(), expected);
    }

    #[test]
    fn to_json_writes_escaped_unicode_text() {
        let rows = vec![("KEY", "välue \"quoted\"\n", Some(3)), ("", "", None)];
        let text = to_json(&rows, 4).unwrap();
        assert_eq!(
            text.as_str(),
            r#"[["KEY","välue \"quoted\"\n",3],["","",null]]"#
        );
    }
}
