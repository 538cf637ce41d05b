//! Reading `.env` files (what `secrets import` takes): `KEY=value` lines, an optional `export `
//! before the key, `#` comments, double-quoted values with `\n`, `\r`, `\t`, `\\` and `\"`
//! escapes (and real line breaks), single-quoted values taken literally, unquoted values
//! trimmed and ended by ` #`. What [`crate::export`] writes as dotenv reads back unchanged.

use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};

/// The `(key, value)` pairs of a `.env` text, in order. A line without `=` or an unclosed
/// quote is an `invalid_input` error naming the line number (never its value).
pub fn parse(text: &str) -> Result<Vec<(String, Zeroizing<String>)>> {
    let mut pairs = Vec::new();
    let mut rest = text;
    let mut line_number = 0;
    while !rest.is_empty() {
        line_number += 1;
        let (line, after) = split_line(rest);
        rest = after;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let assignment = trimmed.strip_prefix("export ").unwrap_or(trimmed);
        let Some((key, value)) = assignment.split_once('=') else {
            return Err(invalid(line_number, "expected KEY=value"));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(invalid(line_number, "the key is empty"));
        }
        let value = value.trim_start();
        let parsed = match value.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                // The value may go on over the next lines: read on from the opening quote, which
                // `value` (a slice of `text`) starts with.
                let offset = value.as_ptr() as usize - text.as_ptr() as usize;
                let from_quote = &text[offset + 1..];
                let (parsed, consumed) = quoted(from_quote, quote)
                    .ok_or_else(|| invalid(line_number, "the quoted value is not closed"))?;
                line_number += from_quote[..consumed].matches('\n').count();
                let (tail, after) = split_line(&from_quote[consumed..]);
                let tail = tail.trim();
                if !tail.is_empty() && !tail.starts_with('#') {
                    return Err(invalid(
                        line_number,
                        "unexpected text after the closing quote",
                    ));
                }
                rest = after;
                parsed
            }
            _ => {
                let end = value.find(" #").unwrap_or(value.len());
                Zeroizing::new(value[..end].trim_end().to_owned())
            }
        };
        pairs.push((key.to_owned(), parsed));
    }
    Ok(pairs)
}

/// The first line of `text` (without its line break) and what follows it.
fn split_line(text: &str) -> (&str, &str) {
    match text.find('\n') {
        Some(i) => (
            text[..i].strip_suffix('\r').unwrap_or(&text[..i]),
            &text[i + 1..],
        ),
        None => (text, ""),
    }
}

/// The value up to the closing `quote`, unescaped for double quotes, and how many bytes it took
/// including the closing quote; `None` when it is not closed.
fn quoted(text: &str, quote: char) -> Option<(Zeroizing<String>, usize)> {
    let mut out = Zeroizing::new(String::new());
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => return Some((out, i + 1)),
            '\\' if quote == '"' => {
                let (_, escaped) = chars.next()?;
                match escaped {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    other @ ('\\' | '"' | '$') => out.push(other),
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            other => out.push(other),
        }
    }
    None
}

fn invalid(line: usize, why: &str) -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        format!("line {line} of the .env file: {why}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{ExportFormat, export};
    use crate::secrets::Secret;

    fn shown(text: &str) -> Vec<(String, String)> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect()
    }

    #[test]
    fn reads_the_usual_shapes() {
        let text = "# comment\n\nexport A=plain value # note\nB=\"x\\ny \\\"q\\\"\"\nC='lit\\n'\r\nD=\"two\nlines\"\nE=\n";
        assert_eq!(
            shown(text),
            [
                ("A".into(), "plain value".into()),
                ("B".into(), "x\ny \"q\"".into()),
                ("C".into(), "lit\\n".into()),
                ("D".into(), "two\nlines".into()),
                ("E".into(), String::new()),
            ]
        );
    }

    #[test]
    fn errors_name_the_line_and_never_the_value() {
        let error = parse("A=1\nnot-an-assignment-secret\n").unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidInput);
        assert!(error.message().contains("line 2"), "{error}");
        assert!(!error.message().contains("secret"), "{error}");
        assert!(
            parse("A=\"open\n")
                .unwrap_err()
                .message()
                .contains("line 1")
        );
    }

    #[test]
    fn reads_back_what_the_dotenv_export_writes() {
        let values = [
            "plain",
            "quote \" and \\ backslash",
            "multi\nline\r\n",
            "",
            "# not a comment",
        ];
        let secrets: Vec<Secret> = values
            .iter()
            .enumerate()
            .map(|(i, v)| Secret::for_test(&format!("K{i}"), v))
            .collect();
        let text = export(&secrets, ExportFormat::Dotenv).unwrap();
        let back = shown(&text);
        for (i, value) in values.iter().enumerate() {
            assert_eq!(back[i], (format!("K{i}"), (*value).to_owned()));
        }
    }
}
