//! `phasekit-server [--port N] [--seed FILE] [--tokens-out FILE] [--tls-cert PEM --tls-key PEM]`:
//! serves a seeded world on 127.0.0.1 until interrupted, and prints the minted tokens.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::ExitCode;

use phasekit_server::{Seed, TlsIdentity, World, serve, serve_tls};
use serde_json::json;

const USAGE: &str = "usage: phasekit-server [--port N] [--seed FILE] [--tokens-out FILE] [--tls-cert PEM --tls-key PEM]
  --port N          port on 127.0.0.1 (default 0: a free port, printed on start)
  --seed FILE       initial state (JSON); default: the built-in demo seed
  --tokens-out FILE write {url, tokens, state} as JSON once listening
  --tls-cert PEM    serve HTTPS with this certificate chain (with --tls-key: its private key)";

const DEMO_SEED: &str = include_str!("../seeds/demo.json");

struct Options {
    port: u16,
    seed: Option<String>,
    tokens_out: Option<String>,
    tls_cert: Option<String>,
    tls_key: Option<String>,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        port: 0,
        seed: None,
        tokens_out: None,
        tls_cert: None,
        tls_key: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--port" => {
                options.port = value()?
                    .parse()
                    .map_err(|_| "--port needs a number".to_owned())?
            }
            "--seed" => options.seed = Some(value()?),
            "--tokens-out" => options.tokens_out = Some(value()?),
            "--tls-cert" => options.tls_cert = Some(value()?),
            "--tls-key" => options.tls_key = Some(value()?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.tls_cert.is_some() != options.tls_key.is_some() {
        return Err("--tls-cert and --tls-key go together".to_owned());
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("phasekit-server: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: Options) -> Result<(), String> {
    let seed_text = match &options.seed {
        Some(path) => {
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?
        }
        None => DEMO_SEED.to_owned(),
    };
    let (world, tokens) = World::from_seed(&Seed::from_json(&seed_text)?)?;
    let state = phasekit_server::http::admin::state(&world);
    let addr = SocketAddr::from(([127, 0, 0, 1], options.port));
    let server = match (&options.tls_cert, &options.tls_key) {
        (Some(cert), Some(key)) => {
            let read = |path: &str| {
                std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
            };
            let identity = TlsIdentity {
                cert_chain_pem: read(cert)?,
                key_pem: read(key)?,
            };
            serve_tls(world, addr, &identity).await
        }
        _ => serve(world, addr).await,
    }
    .map_err(|e| format!("cannot listen on port {}: {e}", options.port))?;
    let tokens: BTreeMap<String, String> = tokens
        .into_iter()
        .map(|(name, minted)| (name, minted.token))
        .collect();
    let summary = json!({"url": server.url(), "tokens": tokens, "state": state});
    if let Some(path) = &options.tokens_out {
        let text = serde_json::to_string_pretty(&summary).expect("JSON values serialize");
        std::fs::write(path, text).map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    println!("phasekit-server listening on {}", server.url());
    for name in tokens.keys() {
        println!("  token {name}");
    }
    tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
    Ok(())
}
