//! Folder paths as the real server stores them: collapse `//`, ensure a leading `/`, drop a
//! trailing `/` except for the root.

pub fn normalize(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() { "/".to_owned() } else { out }
}

#[cfg(test)]
mod tests {
    #[test]
    fn normalizes() {
        for (input, want) in [
            ("", "/"),
            ("/", "/"),
            ("db", "/db"),
            ("/db/", "/db"),
            ("//a//b/", "/a/b"),
        ] {
            assert_eq!(super::normalize(input), want);
        }
    }
}
