//! The `phasekit` binary: the command line of the `phasekit_cli` library.

fn main() {
    std::process::exit(phasekit_cli::main(std::env::args_os()));
}
