//! `run` and `shell`: the secrets of one scope as environment variables of a child process.

use std::ffi::OsString;
use std::process::Command;

use phasekit::export::variables_to_set;
use phasekit::{BlockingClient, Error, ErrorCode, Result};

use crate::args::{DynamicArgs, FilterArgs, RunArgs, ScopeArgs, ShellArgs};
use crate::{child, context};

pub fn run(client: &BlockingClient, args: RunArgs) -> Result<i32> {
    let command = if args.shell {
        let mut line = OsString::new();
        for (i, part) in args.command.iter().enumerate() {
            if i > 0 {
                line.push(" ");
            }
            line.push(part);
        }
        let mut command = Command::new("/bin/sh");
        command.arg("-c").arg(line);
        command
    } else {
        let mut command = Command::new(&args.command[0]);
        command.args(&args.command[1..]);
        command
    };
    let program = args.command[0].to_string_lossy().into_owned();
    with_secrets(
        client,
        command,
        &program,
        (&args.scope, &args.filter, &args.dynamic),
        args.override_existing,
    )
}

pub fn shell(client: &BlockingClient, args: ShellArgs) -> Result<i32> {
    let program = args
        .shell
        .clone()
        .or_else(|| std::env::var_os("SHELL").filter(|s| !s.is_empty()))
        .unwrap_or_else(|| OsString::from("/bin/sh"));
    let name = program.to_string_lossy().into_owned();
    with_secrets(
        client,
        Command::new(program),
        &name,
        (&args.scope, &args.filter, &args.dynamic),
        args.override_existing,
    )
}

/// Fetches the scope's secrets, adds them to `command`'s environment and runs it.
fn with_secrets(
    client: &BlockingClient,
    mut command: Command,
    program: &str,
    (scope, filter, dynamic): (&ScopeArgs, &FilterArgs, &DynamicArgs),
    override_existing: bool,
) -> Result<i32> {
    let scope = context::scope(scope)?;
    let options = context::get_options(
        &scope,
        Some(&filter.path),
        filter.tags.as_deref(),
        Some(dynamic),
    );
    let variables = client.environment_variables(&options)?;
    let is_set = |key: &str| std::env::var_os(key).is_some();
    for (key, value) in variables_to_set(variables, is_set, override_existing) {
        command.env(key, value.expose());
    }
    child::run(command).or_else(|error| {
        let code = child::spawn_failure_code(&error);
        let error = Error::new(
            ErrorCode::InvalidInput,
            format!("cannot run {program:?}: {error}"),
        );
        crate::output::print_error(&error, false);
        Ok(code)
    })
}
