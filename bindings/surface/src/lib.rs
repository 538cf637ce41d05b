//! The code each binding takes from the core's declarations instead of declaring again:
//! [`phasekit::client_settings!`] (through [`phasekit::ClientOptions::SETTINGS`]) and the error
//! tables ([`phasekit::ErrorCode::ALL`], [`phasekit::ErrorFamily::ALL`]). Rust bindings expand
//! the declaration with macros; the languages that cannot (Go, a Python stub) get these files,
//! which `tests/generated.rs` keeps equal to what is committed (`make surface` rewrites them).

mod go;
mod node;
mod python;

pub use go::{go_errors, go_settings};
pub use node::node_classes_header;
pub use python::python_settings_stub;

/// A generated file: its path from the repository root and its text.
pub struct Generated {
    pub path: &'static str,
    pub text: String,
}

/// Every generated file. Go files come out as `gofmt` formats them (gofmt must be on the
/// `PATH`, as for every Go build).
pub fn all() -> Vec<Generated> {
    vec![
        go_settings_gen(),
        go_errors_gen(),
        Generated {
            path: "python/python/phasekit/_settings.pyi",
            text: python_settings_stub(),
        },
        Generated {
            path: "node/src/classes.d.ts",
            text: node_classes_header(),
        },
    ]
}

/// `go/settings_gen.go` as gofmt formats it.
pub fn go_settings_gen() -> Generated {
    Generated {
        path: "go/settings_gen.go",
        text: gofmt(&go_settings()),
    }
}

/// `go/errors_gen.go` as gofmt formats it.
pub fn go_errors_gen() -> Generated {
    Generated {
        path: "go/errors_gen.go",
        text: gofmt(&go_errors()),
    }
}

fn gofmt(source: &str) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("gofmt")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gofmt runs (it comes with Go)");
    child
        .stdin
        .take()
        .expect("gofmt's stdin")
        .write_all(source.as_bytes())
        .expect("gofmt reads the source");
    let output = child.wait_with_output().expect("gofmt ends");
    assert!(
        output.status.success(),
        "gofmt refused the generated source"
    );
    String::from_utf8(output.stdout).expect("gofmt writes UTF-8")
}

/// The lines of a doc text, each prefixed (e.g. `// `), without the Rust doc's code quotes.
pub(crate) fn comment(doc: &str, prefix: &str) -> String {
    doc.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| format!("{prefix}{}\n", line.replace('`', "")))
        .collect()
}
