//! A small command line over the phasekit client, used by the interop tests to have phasekit
//! and the official SDKs read each other's writes. Token and host come from PHASE_SERVICE_TOKEN
//! and PHASE_HOST.
//!
//!   secrets get <app> <env> [--path P] [--raw]      JSON array of the secrets
//!   secrets set <app> <env> <key> <value> [--path P] [--comment C]
//!   secrets update <app> <env> <key> <value> [--path P]
//!   secrets delete <app> <env> <key>... [--path P] JSON array of the keys not found
//!   secrets export <app> <env> dotenv|json|yaml

use std::process::ExitCode;

use phasekit::{
    AppRef, BlockingClient, Client, ExportFormat, GetOptions, NewSecret, SecretUpdate, export,
};
use serde_json::json;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Positional arguments and the values of `--flag value` options.
struct Args {
    positional: Vec<String>,
    path: Option<String>,
    comment: Option<String>,
    raw: bool,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        positional: Vec::new(),
        path: None,
        comment: None,
        raw: false,
    };
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--path" => args.path = Some(iter.next().ok_or("--path needs a value")?),
            "--comment" => args.comment = Some(iter.next().ok_or("--comment needs a value")?),
            "--raw" => args.raw = true,
            _ => args.positional.push(arg),
        }
    }
    Ok(args)
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse()?;
    let [command, app, env, rest @ ..] = args.positional.as_slice() else {
        return Err("usage: secrets get|set|update|delete|export <app> <env> ...".into());
    };
    let client: BlockingClient = Client::from_env()?.into();
    let app = AppRef::name(app);
    match (command.as_str(), rest) {
        ("get", []) => {
            let mut options = GetOptions::new(app, env.as_str()).raw(args.raw);
            options.path = args.path;
            let secrets = client.get(&options)?;
            let items: Vec<_> = secrets
                .iter()
                .map(|s| {
                    json!({"key": s.key, "value": s.value.expose(), "path": s.path, "comment": s.comment,
                           "tags": s.tags, "overridden": s.overridden})
                })
                .collect();
            println!("{}", serde_json::to_string(&items)?);
        }
        ("set", [key, value]) => {
            let mut secret = NewSecret::new(key, value);
            secret.path = args.path;
            secret.comment = args.comment;
            client.create(&app, env, &[secret])?;
        }
        ("update", [key, value]) => {
            let mut update = SecretUpdate::new(key);
            update.path = args.path;
            update.value = Some(value.clone());
            client.update(&app, env, &update)?;
        }
        ("delete", keys) if !keys.is_empty() => {
            let not_found = client.delete(&app, env, keys, args.path.as_deref())?;
            println!("{}", serde_json::to_string(&not_found)?);
        }
        ("export", [format]) => {
            let secrets = client.get(&GetOptions::new(app, env.as_str()))?;
            print!(
                "{}",
                export(&secrets, format.parse::<ExportFormat>()?)?.as_str()
            );
        }
        _ => return Err(format!("unknown command or arguments: {command}").into()),
    }
    Ok(())
}
