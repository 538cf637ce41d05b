//! A server started from a seed for one test, with a blocking HTTP client.

#![allow(dead_code)]

use std::collections::BTreeMap;

use phasekit::api::wire::TokensResponse;
use phasekit::keyring::{AccountKey, EnvironmentKeys};
use phasekit_server::{BackgroundServer, Seed, World};
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::Value;

/// A JSON value that must be a string, as one.
pub fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
}

pub struct Lab {
    pub server: BackgroundServer,
    pub tokens: BTreeMap<String, String>,
    pub state: Value,
    pub http: Client,
}

impl Lab {
    pub fn start(seed_json: &str) -> Lab {
        let (world, minted) = World::from_seed(&Seed::from_json(seed_json).unwrap()).unwrap();
        let state = phasekit_server::http::admin::state(&world);
        let server = BackgroundServer::start(world).unwrap();
        let tokens = minted
            .into_iter()
            .map(|(name, t)| (name, t.token))
            .collect();
        Lab {
            server,
            tokens,
            state,
            http: Client::new(),
        }
    }

    pub fn recorded_state() -> Lab {
        Lab::start(include_str!("../lab_seed.json"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    pub fn token(&self, name: &str) -> phasekit::Token {
        self.tokens[name].parse().unwrap()
    }

    pub fn bearer(&self, name: &str) -> String {
        self.token(name).authorization_header().to_string()
    }

    pub fn app_id(&self, app: &str) -> String {
        self.app(app)["id"].as_str().unwrap().to_owned()
    }

    pub fn env_id(&self, app: &str, env: &str) -> String {
        self.app(app)["environments"][env]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn app(&self, name: &str) -> &Value {
        self.state["apps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap()
    }

    /// The keys of an environment as a client derives them: from this token's session.
    pub fn environment_keys(&self, token_name: &str, app: &str, env: &str) -> EnvironmentKeys {
        let (_, session) = Lab::send(
            self.get("/service/secrets/tokens/")
                .header("Authorization", self.bearer(token_name)),
        );
        let session: TokensResponse = serde_json::from_value(session).unwrap();
        let account =
            AccountKey::reconstruct(&self.token(token_name), &session.wrapped_key_share).unwrap();
        let env_id = self.env_id(app, env);
        let entry = session
            .apps
            .iter()
            .flat_map(|a| &a.environment_keys)
            .find(|k| k.environment.id == env_id)
            .unwrap();
        account
            .unwrap_environment(
                &entry.wrapped_seed,
                &entry.wrapped_salt,
                &entry.identity_key,
            )
            .unwrap()
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(self.url(path))
    }

    /// A GET of `path` with the seeded token `token_name`.
    pub fn get_as(&self, path: &str, token_name: &str) -> RequestBuilder {
        self.get(path)
            .header("Authorization", self.bearer(token_name))
    }

    pub fn send(request: RequestBuilder) -> (u16, Value) {
        let response: Response = request.send().unwrap();
        let status = response.status().as_u16();
        let text = response.text().unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }
}
