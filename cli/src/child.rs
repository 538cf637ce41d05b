//! Running the child of `run` and `shell`: it inherits phasekit's terminal and process group,
//! SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to phasekit are passed on to it,
//! and its exit code (128 + the signal when a signal ended it) becomes phasekit's. Elsewhere than
//! on Unix the child is only waited for.

use std::io;

#[cfg(unix)]
pub use unix::run;

/// Runs `command` to its end and returns the exit code phasekit should exit with.
#[cfg(not(unix))]
pub fn run(mut command: std::process::Command) -> io::Result<i32> {
    Ok(command.spawn()?.wait()?.code().unwrap_or(1))
}

/// The exit code of a command that could not be started, as shells use them.
pub fn spawn_failure_code(error: &io::Error) -> i32 {
    match error.kind() {
        io::ErrorKind::NotFound => 127,
        _ => 126,
    }
}

#[cfg(unix)]
mod unix {
    use std::io;
    use std::os::fd::{AsFd, BorrowedFd};
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};

    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};
    use signal_hook::iterator::SignalsInfo;
    use signal_hook::iterator::exfiltrator::WithOrigin;
    use signal_hook::low_level::siginfo::Cause;

    const FORWARDED: [i32; 6] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2];

    /// Runs `command` to its end and returns the exit code phasekit should exit with.
    pub fn run(mut command: Command) -> io::Result<i32> {
        // Registered before the child exists, so that no signal in between ends phasekit alone.
        let mut signals = SignalsInfo::<WithOrigin>::new(FORWARDED)?;
        let handle = signals.handle();
        // Handed over explicitly: a host process (Node) may have marked its standard streams
        // close-on-exec, and a child that merely inherits them would find them closed.
        command
            .stdin(standard_stream(std::io::stdin().as_fd()))
            .stdout(standard_stream(std::io::stdout().as_fd()))
            .stderr(standard_stream(std::io::stderr().as_fd()));
        let mut child = command.spawn()?;
        let pid = child.id() as libc::pid_t;
        let forwarder = std::thread::spawn(move || {
            for origin in signals.forever() {
                // A signal the kernel sent (Ctrl-C, Ctrl-\, a closed terminal) went to the whole
                // foreground process group, the child included: passing it on would deliver it twice.
                if matches!(origin.cause, Cause::Kernel) {
                    continue;
                }
                // SAFETY: kill has no memory effects; the pid is the child's, which is not reaped
                // before this thread is told to stop (below).
                unsafe { libc::kill(pid, origin.signal) };
            }
        });
        let status = child.wait();
        handle.close();
        let _ = forwarder.join();
        let status = status?;
        Ok(status
            .code()
            .or_else(|| status.signal().map(|signal| 128 + signal))
            .unwrap_or(1))
    }

    /// A copy of one of phasekit's standard streams for the child (which gets it as 0, 1 or 2); a
    /// stream phasekit does not have is left for the child not to have either.
    fn standard_stream(fd: BorrowedFd<'_>) -> Stdio {
        fd.try_clone_to_owned()
            .map_or_else(|_| Stdio::inherit(), Stdio::from)
    }
}
