//! The `phasekit` command of the npm package (`bin`, node/bin/phasekit.js): the command line of
//! the phasekit-cli crate, run in this process.

/// Runs `phasekit` with `args` (without the program name) and returns its exit code. It blocks
/// the thread it is called on until the command is done, as a command line does.
#[napi_derive::napi]
// napi registers it in the addon; a test build of the crate has no caller.
#[cfg_attr(test, allow(dead_code))]
pub fn run_cli(args: Vec<String>) -> i32 {
    phasekit_cli::main(std::iter::once("phasekit".to_owned()).chain(args))
}
