//! One writer per export format. Each writes `KEY`/value pairs (already one per key) so that
//! the format's standard reader gives back exactly the same strings, or refuses a pair that the
//! format cannot carry (a typed `invalid_input` error naming the key, never the value).

use std::fmt::Write;

use crate::error::{Error, ErrorCode, Result};
use crate::secret_string::SecretText;
use crate::secrets::Secret;

/// Writes `text` through `escape`, one character at a time, into `out`.
fn push_escaped(out: &mut SecretText, text: &str, escape: impl Fn(char, &mut SecretText)) {
    for c in text.chars() {
        escape(c, out);
    }
}

fn refuse(key: &str, format: &str, why: &str) -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        format!("secret {key:?} cannot be exported as {format}: {why}"),
    )
}

/// `KEY="value"` lines, with `\`, `"`, newlines and carriage returns escaped.
pub(super) fn dotenv(out: &mut SecretText, secrets: &[&Secret]) -> Result<()> {
    for secret in secrets {
        out.push_str(&secret.key);
        out.push_str("=\"");
        push_escaped(out, secret.value.expose(), |c, out| match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        });
        out.push_str("\"\n");
    }
    Ok(())
}

/// One JSON object, keys in order of appearance.
pub(super) fn json(out: &mut SecretText, secrets: &[&Secret]) -> Result<()> {
    out.push('{');
    for (i, secret) in secrets.iter().enumerate() {
        out.push_str(if i == 0 { "\n  " } else { ",\n  " });
        json_string(out, &secret.key);
        out.push_str(": ");
        json_string(out, secret.value.expose());
    }
    out.push_str(if secrets.is_empty() { "}\n" } else { "\n}\n" });
    Ok(())
}

/// One YAML mapping: JSON strings are valid YAML double-quoted scalars, escapes included.
pub(super) fn yaml(out: &mut SecretText, secrets: &[&Secret]) -> Result<()> {
    for secret in secrets {
        json_string(out, &secret.key);
        out.push_str(": ");
        json_string(out, secret.value.expose());
        out.push('\n');
    }
    Ok(())
}

fn json_string(out: &mut SecretText, text: &str) {
    serde_json::to_writer(out, text).expect("strings serialize");
}

/// `KEY=value`, unquoted and unescaped, as `docker run --env-file` reads it (it takes the rest
/// of the line literally). A value with a line break has no such form and is refused.
pub(super) fn kv(out: &mut SecretText, secrets: &[&Secret]) -> Result<()> {
    for secret in secrets {
        if secret.key.contains(['=', '\n', '\r']) {
            return Err(refuse(
                &secret.key,
                "kv",
                "the key contains `=` or a line break",
            ));
        }
        if secret.value.expose().contains(['\n', '\r']) {
            return Err(refuse(
                &secret.key,
                "kv",
                "its value has a line break, which one `KEY=value` line cannot hold (use dotenv or json)",
            ));
        }
        out.push_str(&secret.key);
        out.push('=');
        out.push_str(secret.value.expose());
        out.push('\n');
    }
    Ok(())
}

/// RFC 4180: a `Key,Value` header, then one record per secret; a field with a comma, quote,
/// line break or edge space is quoted with its quotes doubled.
pub(super) fn csv(out: &mut SecretText, secrets: &[&Secret]) -> Result<()> {
    out.push_str("Key,Value\r\n");
    for secret in secrets {
        csv_field(out, &secret.key);
        out.push(',');
        csv_field(out, secret.value.expose());
        out.push_str("\r\n");
    }
    Ok(())
}

fn csv_field(out: &mut SecretText, field: &str) {
    let needs_quotes = field.contains([',', '"', '\n', '\r'])
        || field.starts_with(' ')
        || field.ends_with(' ')
        // An empty last field would make the record look like a blank line to some readers.
        || field.is_empty();
    if !needs_quotes {
        out.push_str(field);
        return;
    }
    out.push('"');
    push_escaped(out, field, |c, out| match c {
        '"' => out.push_str("\"\""),
        other => out.push(other),
    });
    out.push('"');
}

/// `<Secrets><secret name="KEY">value</secret>...</Secrets>`. Markup characters are escaped, a
/// carriage return as `&#13;` (parsers would turn a literal one into a newline); characters
/// XML 1.0 forbids (most C0 controls) are refused.
pub(super) fn xml(out: &mut SecretText, secrets: &[&Secret]) -> Result<()> {
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Secrets>\n");
    for secret in secrets {
        for text in [secret.key.as_str(), secret.value.expose()] {
            if text.chars().any(|c| !xml_allowed(c)) {
                return Err(refuse(
                    &secret.key,
                    "xml",
                    "it contains a control character that XML 1.0 cannot represent",
                ));
            }
        }
        out.push_str("  <secret name=\"");
        push_escaped(out, &secret.key, xml_escape);
        out.push_str("\">");
        push_escaped(out, secret.value.expose(), xml_escape);
        out.push_str("</secret>\n");
    }
    out.push_str("</Secrets>\n");
    Ok(())
}

fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn xml_escape(c: char, out: &mut SecretText) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        // Attribute values normalise tabs and newlines to spaces: keep them as references.
        '\t' => out.push_str("&#9;"),
        '\n' => out.push_str("&#10;"),
        '\r' => out.push_str("&#13;"),
        other => out.push(other),
    }
}

/// `KEY = "value"` pairs of TOML basic strings; a key that is not a bare key is quoted.
pub(super) fn toml(out: &mut SecretText, secrets: &[&Secret]) -> Result<()> {
    for secret in secrets {
        let bare = !secret.key.is_empty()
            && secret
                .key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if bare {
            out.push_str(&secret.key);
        } else {
            toml_string(out, &secret.key);
        }
        out.push_str(" = ");
        toml_string(out, secret.value.expose());
        out.push('\n');
    }
    Ok(())
}

fn toml_string(out: &mut SecretText, text: &str) {
    escaped_string(out, text, false);
}

/// One Terraform-style `variable "KEY" { default = "value" }` block per secret. Besides the
/// string escapes, `${` and `%{` are doubled so that HCL does not read them as templates.
pub(super) fn hcl(out: &mut SecretText, secrets: &[&Secret]) -> Result<()> {
    for (i, secret) in secrets.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("variable ");
        hcl_string(out, &secret.key);
        out.push_str(" {\n  default = ");
        hcl_string(out, secret.value.expose());
        out.push_str("\n}\n");
    }
    Ok(())
}

fn hcl_string(out: &mut SecretText, text: &str) {
    escaped_string(out, text, true);
}

/// A double-quoted string with backslash escapes, as TOML basic strings and HCL strings read
/// them; `templates` also doubles `$` and `%` before `{`, which HCL would read as the start of a
/// template sequence.
fn escaped_string(out: &mut SecretText, text: &str, templates: bool) {
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if templates && chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            // Every control character is in the Basic Multilingual Plane: four digits suffice.
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            other => out.push(other),
        }
    }
    out.push('"');
}

/// A `[DEFAULT]` section of `KEY = value` lines as Python's configparser reads them: `%` is
/// doubled (interpolation), and the lines of a multi-line value after the first are indented
/// (continuation lines). INI readers strip whitespace at the edges of every line of a value, and
/// lose empty lines at its end: such values are refused, as are keys INI cannot name.
pub(super) fn ini(out: &mut SecretText, secrets: &[&Secret]) -> Result<()> {
    out.push_str("[DEFAULT]\n");
    for secret in secrets {
        let key = &secret.key;
        if key.is_empty()
            || key.contains(['=', ':', '\n', '\r'])
            || key.trim() != key
            || key.starts_with(['[', '#', ';'])
        {
            return Err(refuse(key, "ini", "INI cannot name this key"));
        }
        let value = secret.value.expose();
        if value.contains('\r') || value.split('\n').any(|line| line.trim() != line) {
            return Err(refuse(
                key,
                "ini",
                "INI readers strip whitespace at the edges of a value's lines and carriage returns (use json or toml)",
            ));
        }
        if value.contains('\n') && value.ends_with('\n') {
            return Err(refuse(
                key,
                "ini",
                "INI readers drop a value's trailing empty lines (use json or toml)",
            ));
        }
        out.push_str(key);
        out.push_str(" = ");
        push_escaped(out, value, |c, out| match c {
            '%' => out.push_str("%%"),
            // The next line is a continuation; an empty line is kept as one when indented.
            '\n' => out.push_str("\n  "),
            other => out.push(other),
        });
        out.push('\n');
    }
    Ok(())
}

/// `key=value` lines as `java.util.Properties.load` reads them (ISO 8859-1 with `\uXXXX` for
/// everything else): backslashes, line breaks and leading spaces escaped, and in keys also the
/// separators `=`, `:`, spaces and comment marks.
pub(super) fn java_properties(out: &mut SecretText, secrets: &[&Secret]) -> Result<()> {
    for secret in secrets {
        java_text(out, &secret.key, true);
        out.push('=');
        java_text(out, secret.value.expose(), false);
        out.push('\n');
    }
    Ok(())
}

fn java_text(out: &mut SecretText, text: &str, is_key: bool) {
    for (i, c) in text.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{c}' => out.push_str("\\f"),
            // Leading whitespace of a value is skipped by the reader; any space ends a key.
            ' ' if is_key || i == 0 => out.push_str("\\ "),
            '=' | ':' | '#' | '!' if is_key => {
                out.push('\\');
                out.push(c);
            }
            // Comment marks start a comment only at the start of a line, which a key is.
            c if (c as u32) < 0x20 || (c as u32) > 0x7E => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04X}");
                }
            }
            other => out.push(other),
        }
    }
}
