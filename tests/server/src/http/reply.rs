//! Responses in the real server's shapes: JSON bodies, `{"error": "..."}` errors, empty 200s,
//! and Django's HTML 404 page for unknown routes.

use serde_json::{Map, Value, json};

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

#[derive(Debug)]
pub enum Body {
    Json(Value),
    Html(&'static str),
    Empty,
}

const NOT_FOUND_PAGE: &str = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n";

impl Reply {
    pub fn json(status: u16, value: Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Json(value),
        }
    }

    pub fn ok(value: Value) -> Reply {
        Reply::json(200, value)
    }

    /// The E2E write endpoints answer 200 with no body.
    pub fn empty() -> Reply {
        Reply {
            status: 200,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    pub fn error(status: u16, message: impl Into<String>) -> Reply {
        Reply::json(status, json!({ "error": message.into() }))
    }

    /// What Django answers for an unknown URL, including one without its trailing slash.
    pub fn not_found_page() -> Reply {
        Reply {
            status: 404,
            headers: Vec::new(),
            body: Body::Html(NOT_FOUND_PAGE),
        }
    }

    /// Unhandled exceptions in the real server (e.g. a missing required key in a body).
    pub fn internal_error() -> Reply {
        Reply::error(500, "Internal server error.")
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// Renames every object key from snake_case to camelCase, as the real server's camel-case
/// renderer does when a client sends `X-Use-Camel-Case: true`.
pub fn camel_case(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, inner) in map {
                out.insert(snake_to_camel(&key), camel_case(inner));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(camel_case).collect()),
        other => other,
    }
}

fn snake_to_camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}
