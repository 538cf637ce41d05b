//! Secret values from stdin: piped text as is (one trailing line break dropped), or typed at a
//! prompt on a terminal without echo.

use std::io::{IsTerminal, Read, Write};

use phasekit::{Error, ErrorCode, Result};
use zeroize::Zeroizing;

/// Whether a value can come from a pipe or file on stdin (rather than a prompt).
pub fn stdin_is_piped() -> bool {
    !std::io::stdin().is_terminal()
}

/// The value of `key`: all of stdin when it is piped, else one line typed at a prompt.
pub fn read_value(key: &str) -> Result<Zeroizing<String>> {
    let mut text = Zeroizing::new(String::new());
    let stdin = std::io::stdin();
    let result = if stdin.is_terminal() {
        let _ = write!(std::io::stderr(), "Value of {key}: ");
        let _ = std::io::stderr().flush();
        let echo = EchoOff::new();
        let read = stdin.read_line(&mut text);
        drop(echo);
        let _ = writeln!(std::io::stderr());
        read
    } else {
        stdin.lock().read_to_string(&mut text)
    };
    result.map_err(|e| {
        Error::new(
            ErrorCode::InvalidInput,
            format!("cannot read the value from stdin: {e}"),
        )
    })?;
    let trimmed = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .map(str::len);
    if let Some(len) = trimmed {
        text.truncate(len);
    }
    Ok(text)
}

/// Terminal echo turned off while it lives (restored when dropped).
#[cfg(unix)]
struct EchoOff(Option<libc::termios>);

/// Elsewhere than on Unix the typed value is echoed.
#[cfg(not(unix))]
struct EchoOff;

#[cfg(not(unix))]
impl EchoOff {
    fn new() -> Self {
        EchoOff
    }
}

#[cfg(unix)]
impl EchoOff {
    fn new() -> Self {
        // SAFETY: tcgetattr and tcsetattr write only into the termios value given, on fd 0.
        unsafe {
            let mut saved: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut saved) != 0 {
                return EchoOff(None);
            }
            let mut quiet = saved;
            quiet.c_lflag &= !libc::ECHO;
            libc::tcsetattr(0, libc::TCSANOW, &quiet);
            EchoOff(Some(saved))
        }
    }
}

#[cfg(unix)]
impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(saved) = self.0 {
            // SAFETY: restores the settings read in `new`.
            unsafe { libc::tcsetattr(0, libc::TCSANOW, &saved) };
        }
    }
}
