//! Quickstart: fetch and decrypt the secrets of one environment.
//!
//! PHASE_SERVICE_TOKEN=pss_service:v2:... PHASE_HOST=https://console.phase.dev \
//!     cargo run -p phasekit --example quickstart -- <app> <environment>

use phasekit::{AppRef, BlockingClient, Client, GetOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let app = args.next().unwrap_or_else(|| "demo-app".to_owned());
    let env = args.next().unwrap_or_else(|| "Development".to_owned());

    let client: BlockingClient = Client::from_env()?.into();
    let secrets = client.get(&GetOptions::new(AppRef::name(&app), &env))?;

    println!("{} secrets in {app}/{env}:", secrets.len());
    for secret in &secrets {
        // `expose()` is the one explicit way to read a value; Debug output stays redacted.
        println!(
            "  {}{} = {}",
            prefix(&secret.path),
            secret.key,
            secret.value.expose()
        );
    }
    Ok(())
}

fn prefix(path: &str) -> String {
    if path == "/" {
        String::new()
    } else {
        format!("{path}/")
    }
}
