//! `run` and `shell`: the secrets of one scope as environment variables of a child process,
//! restarted or signalled when they change with `--watch`.

use std::ffi::OsString;
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use phasekit::export::variables_to_set;
use phasekit::{BlockingClient, Error, ErrorCode, GetOptions, Result, WatchPolicy};

use crate::args::{InjectArgs, RunArgs, ShellArgs, WatchArgs};
use crate::child::{self, OnChange, Watching};
use crate::{context, output};

/// The program to start and its arguments, built into a fresh `Command` for every start.
struct Program {
    path: OsString,
    args: Vec<OsString>,
}

pub fn run(client: &BlockingClient, args: RunArgs, as_json: bool) -> Result<i32> {
    let program = if args.shell {
        let mut line = OsString::new();
        for (i, part) in args.command.iter().enumerate() {
            if i > 0 {
                line.push(" ");
            }
            line.push(part);
        }
        Program {
            path: "/bin/sh".into(),
            args: vec!["-c".into(), line],
        }
    } else {
        Program {
            path: args.command[0].clone(),
            args: args.command[1..].to_vec(),
        }
    };
    with_secrets(client, &program, &args.inject, &args.watch, as_json)
}

pub fn shell(client: &BlockingClient, args: ShellArgs, as_json: bool) -> Result<i32> {
    let path = args
        .shell
        .clone()
        .or_else(|| std::env::var_os("SHELL").filter(|s| !s.is_empty()))
        .unwrap_or_else(|| OsString::from("/bin/sh"));
    let program = Program { path, args: vec![] };
    let no_watch = WatchArgs::default();
    with_secrets(client, &program, &args.inject, &no_watch, as_json)
}

/// Fetches the scope's secrets, adds them to the program's environment and runs it.
fn with_secrets(
    client: &BlockingClient,
    program: &Program,
    inject: &InjectArgs,
    watch: &WatchArgs,
    as_json: bool,
) -> Result<i32> {
    let scope = context::scope(&inject.scope)?;
    let options = context::get_options(
        &scope,
        Some(&inject.filter.path),
        inject.filter.tags.as_deref(),
        Some(&inject.dynamic),
    );
    let override_existing = inject.override_existing;
    let command = command_with_secrets(client, &options, program, override_existing)?;
    let watching = if watch.watch {
        let on_change = on_change(&watch.on_change)?;
        let changes = watch_changes(client, &options, watch.watch_interval, as_json)?;
        let refresh =
            move || match command_with_secrets(client, &options, program, override_existing) {
                Ok(command) => Some(command),
                Err(error) => {
                    output::print_error(&error.context("secrets changed, but"), as_json);
                    None
                }
            };
        Some(Watching {
            changes,
            on_change,
            refresh: Box::new(refresh),
        })
    } else {
        None
    };
    let name = program.path.to_string_lossy().into_owned();
    // What was logged while the secrets were read comes before the child's output.
    output::print_logs();
    child::run(command, watching).or_else(|error| {
        let code = child::spawn_failure_code(&error);
        let error = Error::new(
            ErrorCode::InvalidInput,
            format!("cannot run {name:?}: {error}"),
        );
        output::print_error(&error, as_json);
        Ok(code)
    })
}

fn command_with_secrets(
    client: &BlockingClient,
    options: &GetOptions,
    program: &Program,
    override_existing: bool,
) -> Result<Command> {
    let variables = client.environment_variables(options)?;
    let mut command = Command::new(&program.path);
    command.args(&program.args);
    let is_set = |key: &str| std::env::var_os(key).is_some();
    for (key, value) in variables_to_set(variables, is_set, override_existing) {
        command.env(key, value.expose());
    }
    Ok(command)
}

/// Starts the core's watch of `options` and reports each non-empty change on the channel (what
/// changed is not needed: the child gets everything again). Errors of a poll are printed and
/// the watch goes on.
fn watch_changes(
    client: &BlockingClient,
    options: &GetOptions,
    interval_seconds: f64,
    as_json: bool,
) -> Result<mpsc::Receiver<()>> {
    let interval = Duration::try_from_secs_f64(interval_seconds)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                "--watch-interval must be a positive number of seconds",
            )
        })?;
    let policy = WatchPolicy {
        interval,
        ..WatchPolicy::default()
    };
    let runtime = phasekit::client::runtime()?;
    let mut watch = {
        let _inside = runtime.enter();
        client.async_client().watch(options.clone(), policy)?
    };
    let (sender, changes) = mpsc::channel();
    std::thread::spawn(move || {
        while let Some(item) = runtime.block_on(watch.next()) {
            match item {
                Ok(change) if change.is_empty() => {}
                Ok(_) => {
                    if sender.send(()).is_err() {
                        break;
                    }
                }
                Err(error) => output::print_error(&error.context("watching the secrets"), as_json),
            }
        }
    });
    Ok(changes)
}

/// `restart`, or the name of the signal to send (`HUP`, `SIGUSR1`, ...).
fn on_change(text: &str) -> Result<OnChange> {
    let name = text.trim().to_ascii_uppercase();
    if name == "RESTART" {
        return Ok(OnChange::Restart);
    }
    child::signal_number(name.strip_prefix("SIG").unwrap_or(&name))
        .map(OnChange::Signal)
        .ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                format!("--on-change takes restart or a signal (HUP, INT, TERM, QUIT, USR1, USR2), not {text:?}"),
            )
        })
}
