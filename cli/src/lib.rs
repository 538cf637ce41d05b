//! `phasekit`, the command line over the phasekit core. The binary, the Python console script
//! and the Node `bin` all call [`main`]; everything here is argument handling and output, the
//! rest is the core's.

mod args;
mod child;
mod commands;
mod context;
mod input;
mod output;

use std::ffi::OsString;
use std::io::Write;

use clap::{CommandFactory, Parser};

use args::{AppsCommand, Cli, Command};
pub use output::exit;

/// Runs the command line with `args` (the program name first) and returns the exit code. What
/// it printed is flushed: a host (Python, Node) may exit without flushing Rust's stdout.
pub fn main<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let code = parse_and_run(args);
    let _ = std::io::stdout().flush();
    code
}

fn parse_and_run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // --help and --version are "errors" that print to stdout and exit 0.
            let _ = error.print();
            return if error.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
        }
    };
    let as_json = cli.global.json;
    phasekit::logs::collect();
    let result = dispatch(cli);
    output::print_logs();
    match result {
        Ok(code) => code,
        Err(error) => {
            output::print_error(&error, as_json);
            output::exit_code(&error)
        }
    }
}

fn dispatch(cli: Cli) -> phasekit::Result<i32> {
    let as_json = cli.global.json;
    if let Command::Completions { shell } = cli.command {
        let mut command = Cli::command();
        clap_complete::generate(shell, &mut command, "phasekit", &mut std::io::stdout());
        return Ok(exit::OK);
    }
    let client = context::client(&cli.global)?;
    match cli.command {
        Command::Run(args) => commands::run::run(&client, args, as_json),
        Command::Shell(args) => commands::run::shell(&client, args, as_json),
        Command::Secrets(command) => {
            commands::secrets::run(&client, command, as_json).map(|()| exit::OK)
        }
        Command::Apps(AppsCommand::List) => {
            commands::apps::list(&client, as_json).map(|()| exit::OK)
        }
        Command::DynamicSecrets(command) => {
            commands::dynamic::run(&client, command, as_json).map(|()| exit::OK)
        }
        Command::Lease(command) => {
            commands::dynamic::run_lease(&client, command, as_json).map(|()| exit::OK)
        }
        Command::Completions { .. } => Ok(exit::OK),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn run_takes_everything_after_the_double_dash_as_the_command() {
        let cli = Cli::try_parse_from(["phasekit", "run", "--app", "a", "--", "ls", "--app", "-l"])
            .unwrap();
        let Command::Run(args) = cli.command else {
            panic!("not run")
        };
        assert_eq!(args.command, ["ls", "--app", "-l"]);
        assert_eq!(args.inject.scope.app.as_deref(), Some("a"));
        assert_eq!(args.inject.filter.path, "/");
        assert_eq!(
            args.inject.dynamic.generate_leases, None,
            "no leases unless asked"
        );
    }

    #[test]
    fn generate_leases_takes_an_optional_boolean_like_the_official_cli() {
        for (flags, expected) in [
            (&["--generate-leases"][..], Some(true)),
            (&["--generate-leases", "false"][..], Some(false)),
            (&["--dynamic"][..], Some(true)),
        ] {
            let mut argv = vec!["phasekit", "secrets", "export"];
            argv.extend(flags);
            let cli = Cli::try_parse_from(argv).unwrap();
            let Command::Secrets(args::SecretsCommand::Export { dynamic, .. }) = cli.command else {
                panic!("not export")
            };
            assert_eq!(dynamic.generate_leases, expected, "{flags:?}");
        }
    }

    #[test]
    fn usage_errors_exit_2_and_help_exits_0() {
        assert_eq!(main(["phasekit", "frobnicate"]), exit::USAGE);
        assert_eq!(main(["phasekit", "--help"]), exit::OK);
    }
}
