//! Running the child of `run` and `shell`: it inherits phasekit's terminal and process group,
//! SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to phasekit are passed on to it,
//! and its exit code (128 + the signal when a signal ended it) becomes phasekit's. Elsewhere than
//! on Unix the child is only waited for.

use std::io;

#[cfg(unix)]
pub use unix::{run, signal_number};

/// Elsewhere than on Unix there are no signals to send.
#[cfg(not(unix))]
pub fn signal_number(_name: &str) -> Option<i32> {
    None
}

/// Runs `command` to its end and returns the exit code phasekit should exit with (watching is
/// for Unix only).
#[cfg(not(unix))]
pub fn run(mut command: std::process::Command, _watching: Option<Watching<'_>>) -> io::Result<i32> {
    Ok(command.spawn()?.wait()?.code().unwrap_or(1))
}

/// What `run --watch` does when the secrets change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnChange {
    /// Stop the child (SIGTERM, then SIGKILL after a grace period) and start it again with the
    /// new secrets.
    Restart,
    /// Send the child this signal (it reads its configuration again itself).
    Signal(i32),
}

/// A running watch of the secrets, for [`run`].
pub struct Watching<'a> {
    /// One message per change of the secrets.
    pub changes: std::sync::mpsc::Receiver<()>,
    pub on_change: OnChange,
    /// The command again, with the secrets as they are now; `None` (the error reported) keeps
    /// the running child.
    pub refresh: Box<dyn FnMut() -> Option<std::process::Command> + 'a>,
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
    use std::process::{Child, Command, Stdio};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI32, Ordering};
    use std::sync::mpsc::RecvTimeoutError;
    use std::time::{Duration, Instant};

    use super::{OnChange, Watching};

    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};
    use signal_hook::iterator::SignalsInfo;
    use signal_hook::iterator::exfiltrator::WithOrigin;
    use signal_hook::low_level::siginfo::Cause;

    const FORWARDED: [i32; 6] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2];

    /// Runs `command` to its end and returns the exit code phasekit should exit with; with
    /// `watching`, a change of the secrets restarts or signals it.
    pub fn run(mut command: Command, mut watching: Option<Watching<'_>>) -> io::Result<i32> {
        // Registered before the child exists, so that no signal in between ends phasekit alone.
        let mut signals = SignalsInfo::<WithOrigin>::new(FORWARDED)?;
        let handle = signals.handle();
        let mut child = spawn(&mut command)?;
        // 0 while no child may be signalled (between reaping one and starting the next, so that
        // a recycled pid is never hit).
        let pid = Arc::new(AtomicI32::new(child.id() as i32));
        let forwarder = {
            let pid = pid.clone();
            std::thread::spawn(move || {
                for origin in signals.forever() {
                    // A signal the kernel sent (Ctrl-C, Ctrl-\, a closed terminal) went to the
                    // whole foreground process group, the child included: passing it on would
                    // deliver it twice.
                    if matches!(origin.cause, Cause::Kernel) {
                        continue;
                    }
                    signal(&pid, origin.signal);
                }
            })
        };
        let status = loop {
            let Some(watch) = watching.as_mut() else {
                break child.wait();
            };
            match watch.changes.recv_timeout(POLL) {
                Ok(()) => match watch.on_change {
                    OnChange::Signal(number) => signal(&pid, number),
                    OnChange::Restart => {
                        // The new secrets first: when they cannot be read, the child runs on.
                        let Some(mut fresh) = (watch.refresh)() else {
                            continue;
                        };
                        signal(&pid, SIGTERM);
                        stop(&mut child)?;
                        pid.store(0, Ordering::SeqCst);
                        child.wait()?;
                        child = spawn(&mut fresh)?;
                        pid.store(child.id() as i32, Ordering::SeqCst);
                    }
                },
                Err(RecvTimeoutError::Timeout) => {}
                // The watch ended: nothing more to react to.
                Err(RecvTimeoutError::Disconnected) => watching = None,
            }
            if let Some(status) = child.try_wait()? {
                break Ok(status);
            }
        };
        pid.store(0, Ordering::SeqCst);
        handle.close();
        let _ = forwarder.join();
        let status = status?;
        Ok(status
            .code()
            .or_else(|| status.signal().map(|signal| 128 + signal))
            .unwrap_or(1))
    }

    /// The number of a signal `run --watch` may send, by its name without `SIG`.
    pub fn signal_number(name: &str) -> Option<i32> {
        match name {
            "HUP" => Some(SIGHUP),
            "INT" => Some(SIGINT),
            "TERM" => Some(SIGTERM),
            "QUIT" => Some(SIGQUIT),
            "USR1" => Some(SIGUSR1),
            "USR2" => Some(SIGUSR2),
            _ => None,
        }
    }

    /// How often the exit of a watched child is checked for.
    const POLL: Duration = Duration::from_millis(50);
    /// How long a child has to end after SIGTERM before a restart kills it.
    const GRACE: Duration = Duration::from_secs(10);

    fn spawn(command: &mut Command) -> io::Result<Child> {
        // Handed over explicitly: a host process (Node) may have marked its standard streams
        // close-on-exec, and a child that merely inherits them would find them closed.
        command
            .stdin(standard_stream(std::io::stdin().as_fd()))
            .stdout(standard_stream(std::io::stdout().as_fd()))
            .stderr(standard_stream(std::io::stderr().as_fd()))
            .spawn()
    }

    fn signal(pid: &AtomicI32, number: i32) {
        let pid = pid.load(Ordering::SeqCst);
        if pid > 0 {
            // SAFETY: kill has no memory effects; the pid is a child not reaped yet (it is
            // reset to 0 before a child is reaped).
            unsafe { libc::kill(pid, number) };
        }
    }

    /// Waits up to GRACE for the child to end, then kills it.
    fn stop(child: &mut Child) -> io::Result<()> {
        let deadline = Instant::now() + GRACE;
        while child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                return child.kill();
            }
            std::thread::sleep(POLL);
        }
        Ok(())
    }

    /// A copy of one of phasekit's standard streams for the child (which gets it as 0, 1 or 2); a
    /// stream phasekit does not have is left for the child not to have either.
    fn standard_stream(fd: BorrowedFd<'_>) -> Stdio {
        fd.try_clone_to_owned()
            .map_or_else(|_| Stdio::inherit(), Stdio::from)
    }
}
