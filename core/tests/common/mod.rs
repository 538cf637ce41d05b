//! A local server started from a seed, and clients for its tokens.

#![allow(dead_code)]

pub mod reference_text;
pub mod tls;

use std::collections::BTreeMap;

use phasekit::{BlockingClient, Client, ClientBuilder, RetryPolicy};
use phasekit_server::{BackgroundServer, Seed, TlsIdentity, World};

/// A seed of one app, `app`, whose Development environment holds one secret, `K = value`,
/// readable by the service account token `sa`.
pub fn one_secret_seed(value: &str) -> String {
    serde_json::json!({
        "apps": [{"name": "app", "environments": ["Development"],
                  "secrets": {"Development": [{"key": "K", "value": value}]}}],
        "service_accounts": [{"name": "sa", "access": {"app": "*"}, "tokens": [{"name": "sa"}]}]
    })
    .to_string()
}

/// A retry policy that never retries, so that every failure is seen at once.
pub fn no_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 0,
        ..RetryPolicy::default()
    }
}

/// A blocking client with default settings for `token` at `host`.
pub fn client_at(token: impl Into<String>, host: impl Into<String>) -> BlockingClient {
    Client::builder()
        .token(token)
        .host(host)
        .build()
        .unwrap()
        .into()
}

pub struct Local {
    pub server: BackgroundServer,
    pub tokens: BTreeMap<String, String>,
}

impl Local {
    pub fn start(seed: &str) -> Local {
        Local::start_with(seed, BackgroundServer::start)
    }

    /// The same over HTTPS, with a certificate from `identity`.
    pub fn start_tls(seed: &str, identity: &TlsIdentity) -> Local {
        Local::start_with(seed, |world| BackgroundServer::start_tls(world, identity))
    }

    fn start_with(
        seed: &str,
        start: impl FnOnce(World) -> std::io::Result<BackgroundServer>,
    ) -> Local {
        let (world, minted) = World::from_seed(&Seed::from_json(seed).unwrap()).unwrap();
        let tokens = minted
            .into_iter()
            .map(|(name, t)| (name, t.token))
            .collect();
        Local {
            server: start(world).unwrap(),
            tokens,
        }
    }

    /// A blocking client for a seeded token.
    pub fn client(&self, token: &str) -> BlockingClient {
        self.client_with(token, Client::builder())
    }

    pub fn client_with(&self, token: &str, builder: ClientBuilder) -> BlockingClient {
        builder
            .token(&self.tokens[token])
            .host(self.server.url())
            .build()
            .unwrap()
            .into()
    }
}
