//! The changes of the soak (`bench/soak.py`): every `--every` seconds for `--seconds`, sets the
//! secret `--key` to `rotation-NNNNNNNN` (the next number; always the same length, so the count
//! and checksum the soak's readers expect stay true while the watches see a change each time).
//! Needs a token that may write. Prints `{"writes": N, "errors": M, "first_problem": ...}`.

// Not the checksum and the samples: those are the soak's.
#[allow(dead_code)]
#[path = "../soak_driver.rs"]
mod soak_driver;

use std::process::ExitCode;
use std::time::Instant;

use phasekit::{AppRef, BlockingClient, Client, SecretUpdate};
use soak_driver::{Flags, json_text, main_of};

const USAGE: &str =
    "usage: rotate --url URL --token TOKEN --app APP --env ENV --key KEY --every S --seconds S";

fn run(flags: &Flags) -> Result<String, String> {
    let client: BlockingClient = Client::builder()
        .token(flags.text("token")?)
        .host(flags.text("url")?)
        .build()
        .map_err(|e| format!("client: {e}"))?
        .into();
    let (app, env, key) = (
        AppRef::name(flags.text("app")?),
        flags.text("env")?,
        flags.text("key")?,
    );
    let every = flags.seconds("every")?;
    let start = Instant::now();
    let deadline = start + flags.seconds("seconds")?;
    let (mut writes, mut errors, mut first_problem) = (0u64, 0u64, None);
    let mut next = start + every;
    while next < deadline {
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
        let update = SecretUpdate {
            value: Some(format!("rotation-{:08}", writes + errors + 1)),
            ..SecretUpdate::new(&key)
        };
        match client.update(&app, &env, &update) {
            Ok(()) => writes += 1,
            Err(e) => {
                errors += 1;
                first_problem.get_or_insert(format!("update: {e}"));
            }
        }
        next += every;
    }
    Ok(format!(
        "{{\"writes\":{writes},\"errors\":{errors},\"first_problem\":{}}}",
        json_text(first_problem.as_deref())
    ))
}

fn main() -> ExitCode {
    let known = ["url", "token", "app", "env", "key", "every", "seconds"];
    main_of("rotate", &known, USAGE, run)
}
