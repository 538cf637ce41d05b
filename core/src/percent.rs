//! Percent-encoding of URL components: everything but the unreserved characters
//! (`A-Za-z0-9-_.~`, RFC 3986), in upper-case hex — what query values and SigV4's canonical
//! request both need.

pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_unreserved_characters_and_encodes_the_rest() {
        assert_eq!(super::encode("a-Z_0.~"), "a-Z_0.~");
        assert_eq!(super::encode("a b/c=é"), "a%20b%2Fc%3D%C3%A9");
    }
}
