//! The `phasekit` command of the npm package (`bin`, node/bin/phasekit.js): the command line of
//! the phasekit-cli crate, run in this process.

/// Runs `phasekit` with `args` (without the program name) and returns its exit code. It blocks
/// the thread it is called on until the command is done, as a command line does.
#[napi_derive::napi]
pub fn run_cli(args: Vec<String>) -> i32 {
    phasekit_cli::main(std::iter::once("phasekit".to_owned()).chain(args))
}
