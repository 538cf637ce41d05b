//! What the command line prints: tables on a terminal (tab-separated rows otherwise), JSON with
//! `--json`, one-line errors with the core's code, and the exit code of each kind of failure.

use std::io::{IsTerminal, Write};

use phasekit::{Error, ErrorFamily, Secret};
use serde_json::{Value, json};

/// What a masked value looks like: the same for every value, so its length is not shown.
pub const MASK: &str = "********";

/// Documented exit codes (README "Command line").
pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILURE: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const AUTH: i32 = 3;
    pub const NOT_FOUND: i32 = 4;
    pub const UNAVAILABLE: i32 = 5;
}

/// The exit code of a failed command, by the error's family.
pub fn exit_code(error: &Error) -> i32 {
    match error.code().family() {
        ErrorFamily::Authentication | ErrorFamily::PermissionDenied => exit::AUTH,
        ErrorFamily::NotFound | ErrorFamily::Ambiguous => exit::NOT_FOUND,
        ErrorFamily::Network
        | ErrorFamily::RequestTimeout
        | ErrorFamily::Tls
        | ErrorFamily::RateLimit
        | ErrorFamily::Server
        | ErrorFamily::Offline => exit::UNAVAILABLE,
        _ => exit::FAILURE,
    }
}

/// Prints an error on one line of stderr (`error[code]: message`), or as a JSON object.
pub fn print_error(error: &Error, as_json: bool) {
    let message = error.message().replace(['\n', '\r'], " ");
    let line = if as_json {
        json!({"error": {"code": error.code().as_str(), "message": message}}).to_string()
    } else {
        format!("phasekit: error[{}]: {message}", error.code())
    };
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Prints what the core logged since the last call on stderr, one line each: warnings (TLS
/// verification off, ...) always, request lines with `PHASE_DEBUG`. The core logs no values.
pub fn print_logs() {
    let mut err = std::io::stderr().lock();
    for record in phasekit::logs::drain() {
        let _ = writeln!(
            err,
            "phasekit: {}: {}",
            record.level.as_str(),
            record.message
        );
    }
}

/// Prints one JSON value on stdout.
pub fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON values serialize")
    );
}

/// Prints `items` as a JSON array with `--json`, else as a table: `header` over one row each.
pub fn print_list<T>(
    items: &[T],
    as_json: bool,
    header: &[&str],
    to_json: impl Fn(&T) -> Value,
    to_row: impl Fn(&T) -> Vec<String>,
) {
    if as_json {
        print_json(&Value::Array(items.iter().map(to_json).collect()));
    } else {
        let rows: Vec<Vec<String>> = items.iter().map(to_row).collect();
        print_table(header, &rows);
    }
}

/// Prints rows under a header: aligned columns on a terminal, tab-separated otherwise.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut out = std::io::stdout().lock();
    if !std::io::stdout().is_terminal() {
        for row in rows {
            let _ = writeln!(out, "{}", row.join("\t"));
        }
        return;
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let _ = writeln!(out, "{}", line(header.to_vec()));
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    let _ = writeln!(out, "{}", line(rule.iter().map(String::as_str).collect()));
    for row in rows {
        let _ = writeln!(out, "{}", line(row.iter().map(String::as_str).collect()));
    }
}

/// A value as a table shows it: masked unless `show`; line breaks visible as `\n`.
pub fn table_value(secret: &Secret, show: bool) -> String {
    if show {
        secret
            .value
            .expose()
            .replace('\n', "\\n")
            .replace('\r', "\\r")
    } else {
        MASK.to_owned()
    }
}

/// A secret as JSON; the value only when `show`.
pub fn secret_json(secret: &Secret, show: bool) -> Value {
    let mut value = json!({
        "key": secret.key,
        "path": secret.path,
        "comment": secret.comment,
        "tags": secret.tags,
        "type": secret.secret_type,
        "overridden": secret.overridden,
        "app": secret.app,
        "environment": secret.env,
        "version": secret.version,
        "created_at": secret.created_at,
        "updated_at": secret.updated_at,
        "id": secret.id,
    });
    if show {
        value["value"] = Value::String(secret.value.expose().to_owned());
    }
    if secret.is_dynamic {
        value["dynamic_group"] = json!(secret.dynamic_group);
        value["lease_id"] = json!(secret.lease_id);
        value["lease_expires_at"] = json!(secret.lease_expires_at);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use phasekit::ErrorCode;

    #[test]
    fn every_error_code_has_its_documented_exit_code() {
        let expected = |code: ErrorCode| match code {
            ErrorCode::InvalidToken | ErrorCode::Unauthorized | ErrorCode::Forbidden => exit::AUTH,
            ErrorCode::AppNotFound
            | ErrorCode::EnvNotFound
            | ErrorCode::SecretNotFound
            | ErrorCode::Ambiguous => exit::NOT_FOUND,
            ErrorCode::RateLimited
            | ErrorCode::Network
            | ErrorCode::Timeout
            | ErrorCode::Tls
            | ErrorCode::Server
            | ErrorCode::OfflineUnavailable => exit::UNAVAILABLE,
            _ => exit::FAILURE,
        };
        for code in ErrorCode::ALL {
            assert_eq!(exit_code(&Error::new(code, "x")), expected(code), "{code}");
        }
    }
}
