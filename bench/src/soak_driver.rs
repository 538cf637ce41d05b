//! What the soak's Rust programs share (`soak`, and `rotate`, which makes the changes the soak
//! watches): `--name value` arguments, the checksum every driver computes, and the process's
//! own resident memory, threads and open file descriptors from /proc.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Duration;

use phasekit::Secret;

/// `--name value` pairs; every name must be one of `known`.
pub struct Flags(HashMap<String, String>);

impl Flags {
    pub fn parse(known: &[&str], usage: &str) -> Result<Flags, String> {
        let mut out = HashMap::new();
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let name = arg
                .strip_prefix("--")
                .filter(|name| known.contains(name))
                .ok_or_else(|| format!("unknown argument {arg}\n{usage}"))?;
            let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
            out.insert(name.to_owned(), value);
        }
        Ok(Flags(out))
    }

    pub fn text(&self, name: &str) -> Result<String, String> {
        self.0
            .get(name)
            .cloned()
            .ok_or_else(|| format!("--{name} is required"))
    }

    pub fn number<T: std::str::FromStr>(&self, name: &str) -> Result<T, String> {
        self.text(name)?
            .parse()
            .map_err(|_| format!("--{name} needs a number"))
    }

    pub fn seconds(&self, name: &str) -> Result<Duration, String> {
        Duration::try_from_secs_f64(self.number(name)?)
            .map_err(|_| format!("--{name} needs a number of seconds"))
    }
}

/// Bytes of key, value and comment of every secret: what every driver compares.
pub fn checksum(secrets: &[Secret]) -> usize {
    secrets
        .iter()
        .map(|s| s.key.len() + s.value.len() + s.comment.len())
        .sum()
}

/// glibc's `struct mallinfo2` (glibc 2.33 and later): every field a `size_t`.
#[repr(C)]
#[allow(dead_code)] // read by glibc's layout, not by name
struct MallInfo2 {
    arena: usize,
    ordblks: usize,
    smblks: usize,
    hblks: usize,
    hblkhd: usize,
    usmblks: usize,
    fsmblks: usize,
    uordblks: usize,
    fordblks: usize,
    keepcost: usize,
}

unsafe extern "C" {
    fn mallinfo2() -> MallInfo2;
}

/// The bytes malloc has handed out and not got back (kB), over all arenas. WHY: next to RSS it
/// tells a leak (both grow) from fragmentation (RSS grows, this stays).
pub fn heap_in_use_kb() -> u64 {
    // SAFETY: mallinfo2 takes no argument and returns a plain struct by value.
    let info = unsafe { mallinfo2() };
    ((info.uordblks + info.hblkhd) / 1024) as u64
}

/// One sample of the process: resident memory (kB), threads, open file descriptors.
pub fn sample() -> (u64, u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let fds = std::fs::read_dir("/proc/self/fd").map_or(0, |dir| dir.count() as u64);
    (field("VmRSS:"), field("Threads:"), fds)
}

/// A program's `main`: its arguments, then `run`'s JSON on stdout; exit status 2 on bad
/// arguments, 1 when `run` fails.
pub fn main_of(
    name: &str,
    known: &[&str],
    usage: &str,
    run: fn(&Flags) -> Result<String, String>,
) -> ExitCode {
    let flags = match Flags::parse(known, usage) {
        Ok(flags) => flags,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(&flags) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{name} failed: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A problem's message as JSON (`null` without one); the messages are the core's, ASCII.
pub fn json_text(text: Option<&str>) -> String {
    text.map_or("null".to_owned(), |t| format!("{t:?}"))
}
