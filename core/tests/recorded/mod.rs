//! The recording of a real Phase Console (`tests/fixtures/phase-console/`) and a replay server
//! that answers a client's requests with the recorded responses, so that the whole client —
//! requests, selection, key chain, decryption, references — runs against real-server bytes.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::Value;

pub struct Recording {
    pub exchanges: Value,
    pub expected: Value,
}

impl Recording {
    pub fn load() -> Recording {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/phase-console"
        );
        let read = |name: &str| -> Value {
            let text = std::fs::read_to_string(format!("{dir}/{name}")).expect("fixture file");
            serde_json::from_str(&text).expect("fixture JSON")
        };
        Recording {
            exchanges: read("exchanges.json"),
            expected: read("expected.json"),
        }
    }

    pub fn token_text(&self, name: &str) -> &str {
        self.exchanges["tokens"][name]
            .as_str()
            .unwrap_or_else(|| panic!("no recorded token {name}"))
    }

    pub fn all(&self) -> impl Iterator<Item = &Value> {
        self.exchanges["exchanges"]
            .as_array()
            .expect("exchanges")
            .iter()
    }

    pub fn exchange(&self, name: &str) -> &Value {
        self.all()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("no exchange {name}"))
    }

    pub fn exchange_mut(&mut self, name: &str) -> &mut Value {
        self.exchanges["exchanges"]
            .as_array_mut()
            .expect("exchanges")
            .iter_mut()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("no exchange {name}"))
    }

    /// The `<token>/<app>/<environment>` combinations of `expected.json`.
    pub fn combinations(&self) -> Vec<(String, String, String)> {
        self.expected["raw"]
            .as_object()
            .expect("raw")
            .keys()
            .map(|combo| {
                let [token, app, env]: [&str; 3] = combo
                    .split('/')
                    .collect::<Vec<_>>()
                    .try_into()
                    .expect("token/app/env");
                (token.to_owned(), app.to_owned(), env.to_owned())
            })
            .collect()
    }
}

/// The request fields a recorded exchange is matched on (header names lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub method: String,
    pub path: String,
    pub headers: BTreeMap<String, String>,
}

impl Asked {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// Headers that select what the real server returns; others (user agent, accept) do not.
const SELECTING_HEADERS: [&str; 5] = [
    "authorization",
    "environment",
    "path",
    "keydigest",
    "x-use-camel-case",
];

/// Serves the recorded responses on loopback. A request is answered by the exchange recorded
/// with the same method, path and selecting headers. A folder listing (`Path: /x`) that was not
/// recorded is answered from the recorded listing of the whole environment, keeping the records
/// whose `path` is that folder — the rule `folder_listings_are_the_whole_listing_filtered` checks
/// against the listings that were recorded both ways. Anything else is a 404 and is remembered
/// in `unmatched`, so that a test can demand that every request was a recorded one.
pub struct Replay {
    pub url: String,
    pub asked: Arc<Mutex<Vec<Asked>>>,
    pub unmatched: Arc<Mutex<Vec<Asked>>>,
}

impl Replay {
    pub fn start(exchanges: &Value) -> Replay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let recorded: Arc<Vec<Value>> = Arc::new(
            exchanges["exchanges"]
                .as_array()
                .expect("exchanges")
                .clone(),
        );
        let asked = Arc::new(Mutex::new(Vec::new()));
        let unmatched = Arc::new(Mutex::new(Vec::new()));
        let (log, misses) = (asked.clone(), unmatched.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (recorded, log, misses) = (recorded.clone(), log.clone(), misses.clone());
                std::thread::spawn(move || serve(stream, &recorded, &log, &misses));
            }
        });
        Replay {
            url,
            asked,
            unmatched,
        }
    }

    pub fn unmatched(&self) -> Vec<Asked> {
        self.unmatched.lock().unwrap().clone()
    }

    pub fn asked(&self) -> Vec<Asked> {
        self.asked.lock().unwrap().clone()
    }
}

fn serve(
    stream: TcpStream,
    recorded: &[Value],
    log: &Mutex<Vec<Asked>>,
    misses: &Mutex<Vec<Asked>>,
) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut writer = stream;
    // HTTP/1.1 keep-alive: one request after another on the same connection.
    while let Some(asked) = read_request(&mut reader) {
        log.lock().unwrap().push(asked.clone());
        let (status, content_type, authenticate, body) = match answer(recorded, &asked) {
            Some(found) => found,
            None => {
                misses.lock().unwrap().push(asked.clone());
                (
                    404,
                    "application/json".to_owned(),
                    None,
                    br#"{"error": "not in the recording"}"#.to_vec(),
                )
            }
        };
        let mut head = format!(
            "HTTP/1.1 {status} Recorded\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
            body.len()
        );
        if let Some(authenticate) = authenticate {
            head.push_str(&format!("WWW-Authenticate: {authenticate}\r\n"));
        }
        head.push_str("\r\n");
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&body).is_err() {
            return;
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Asked> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    // Absolute paths only: the client talks to its host, not through a proxy.
    let path = target;
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Asked {
        method,
        path,
        headers,
    })
}

type Answer = (u16, String, Option<String>, Vec<u8>);

fn answer(recorded: &[Value], asked: &Asked) -> Option<Answer> {
    let same = |exchange: &Value, leave_out: &str| {
        let request = &exchange["request"];
        request["method"] == asked.method.as_str()
            && request["path"] == asked.path.as_str()
            && SELECTING_HEADERS
                .iter()
                .filter(|name| **name != leave_out)
                .all(|name| recorded_header(request, name) == asked.header(name))
    };
    if let Some(exchange) = recorded.iter().find(|e| same(e, "")) {
        return Some(recorded_answer(exchange, None));
    }
    let folder = asked.header("path")?;
    let whole = recorded.iter().find(|e| {
        same(e, "path")
            && recorded_header(&e["request"], "path").is_none()
            && e["response"]["status"] == 200
    })?;
    Some(recorded_answer(whole, Some(folder)))
}

fn recorded_header<'a>(request: &'a Value, name: &str) -> Option<&'a str> {
    request["headers"]
        .as_object()?
        .iter()
        .find(|(recorded, _)| recorded.eq_ignore_ascii_case(name))
        .and_then(|(_, value)| value.as_str())
}

/// The recorded response, or with `folder`, the recorded whole-environment listing reduced to
/// that folder.
fn recorded_answer(exchange: &Value, folder: Option<&str>) -> Answer {
    let response = &exchange["response"];
    let status = response["status"].as_u64().expect("status") as u16;
    let header = |name: &str| {
        response["headers"]
            .as_object()
            .and_then(|h| h.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_owned)
    };
    let content_type = header("content-type").unwrap_or_else(|| "application/json".into());
    let body = match (&response["body"], folder) {
        (Value::String(page), _) => page.as_bytes().to_vec(),
        (Value::Array(records), Some(folder)) => {
            serde_json::to_vec(&in_folder(records, folder)).unwrap()
        }
        (json, _) => serde_json::to_vec(json).unwrap(),
    };
    (status, content_type, header("www-authenticate"), body)
}

/// The records of one folder (the real server's `Path` header selects exactly that folder).
pub fn in_folder(records: &[Value], folder: &str) -> Vec<Value> {
    records
        .iter()
        .filter(|r| r["path"] == folder)
        .cloned()
        .collect()
}
