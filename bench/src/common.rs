//! What the benchmark binaries share: interleaved, calibrated measurement of candidates
//! (see `bench/README.md`, "Method"), libsodium's X25519 as the reference, machine facts.
//! Included by each binary with `#[path]` (the crate has no library target).

// Each binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::process::ExitCode;
use std::time::{Duration, Instant, UNIX_EPOCH};

use libsodium_sys as sodium;
use phasekit::utc::UtcTime;

/// Number of distinct (scalar, point) pairs cycled through. Every implementation is constant
/// time, so one pair would do in theory; a pool keeps the measurement honest anyway (no result
/// can be reused) while staying small enough to live in L1 cache for all candidates alike.
pub const POOL: usize = 64;

/// One contender. `run(n)` performs `n` operations; the loop lives inside the closure so that
/// the only dynamic dispatch is one call per batch, not per operation.
pub struct Candidate<'a> {
    pub name: &'static str,
    pub run: Box<dyn FnMut(u64) + 'a>,
    /// Operations per timed batch, set by calibration.
    pub ops: u64,
    /// Measured ops/s, one sample per round.
    pub samples: Vec<f64>,
}

impl<'a> Candidate<'a> {
    pub fn new(name: &'static str, run: impl FnMut(u64) + 'a) -> Self {
        Candidate {
            name,
            run: Box::new(run),
            ops: 0,
            samples: Vec::new(),
        }
    }

    /// Times one batch of `n` operations.
    pub fn time(&mut self, n: u64) -> Duration {
        let start = Instant::now();
        (self.run)(n);
        start.elapsed()
    }

    /// Runs batches of doubling size for at least `warmup` (caches, branch predictors, CPU
    /// frequency settle), then sizes `ops` from the last batch so one batch takes `target`.
    pub fn calibrate(&mut self, warmup: Duration, target: Duration) {
        let mut n = 8;
        let mut spent = Duration::ZERO;
        loop {
            let took = self.time(n);
            spent += took;
            if spent >= warmup && took >= warmup / 4 {
                let per_op = took.as_secs_f64() / n as f64;
                self.ops = ((target.as_secs_f64() / per_op) as u64).max(1);
                return;
            }
            n *= 2;
        }
    }

    pub fn measure(&mut self) {
        let took = self.time(self.ops);
        self.samples.push(self.ops as f64 / took.as_secs_f64());
    }

    pub fn stats(&self) -> Stats {
        Stats {
            median: median(self.samples.clone()),
            min: self.samples.iter().copied().fold(f64::INFINITY, f64::min),
            max: self.samples.iter().copied().fold(0.0, f64::max),
        }
    }

    /// Rate relative to `reference` as the median of per-round ratios. WHY not the ratio of the
    /// two medians: both samples of a round were taken seconds apart, so a slow phase of the
    /// machine (a neighbour's burst, frequency drop) cancels out within the pair.
    pub fn ratio_to(&self, reference: &Candidate) -> f64 {
        let ratios = self
            .samples
            .iter()
            .zip(&reference.samples)
            .map(|(a, b)| a / b);
        median(ratios.collect())
    }

    /// Extra µs per operation over `reference`, paired per round like [`Candidate::ratio_to`].
    pub fn extra_us_over(&self, reference: &Candidate) -> f64 {
        let extra = self
            .samples
            .iter()
            .zip(&reference.samples)
            .map(|(a, b)| 1e6 / a - 1e6 / b);
        median(extra.collect())
    }
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    pub fn us_per_op(&self) -> f64 {
        1e6 / self.median
    }

    /// "min–max (width as % of the median)".
    pub fn spread(&self) -> String {
        format!(
            "{}–{} ({:.1}%)",
            thousands(self.min),
            thousands(self.max),
            100.0 * (self.max - self.min) / self.median
        )
    }
}

/// The X25519 inputs shared by every candidate.
pub struct Inputs {
    pub scalars: Vec<[u8; 32]>,
    /// Genuine public keys (X25519 of a random scalar and the base point), as a decryption sees.
    pub points: Vec<[u8; 32]>,
}

impl Inputs {
    pub fn random() -> Self {
        let mut scalars = Vec::with_capacity(POOL);
        let mut points = Vec::with_capacity(POOL);
        for _ in 0..POOL {
            scalars.push(random32());
            let peer_secret = random32();
            let mut point = [0u8; 32];
            // SAFETY: both buffers are 32 bytes; the clamped scalar is never zero.
            let rc =
                unsafe { sodium::crypto_scalarmult_base(point.as_mut_ptr(), peer_secret.as_ptr()) };
            assert_eq!(rc, 0, "crypto_scalarmult_base failed");
            points.push(point);
        }
        Inputs { scalars, points }
    }
}

pub fn random32() -> [u8; 32] {
    let mut out = [0u8; 32];
    // SAFETY: out is a writable 32-byte buffer.
    unsafe { sodium::randombytes_buf(out.as_mut_ptr().cast(), out.len()) };
    out
}

pub fn libsodium_x25519(scalar: &[u8; 32], point: &[u8; 32]) -> ([u8; 32], i32) {
    let mut out = [0u8; 32];
    // SAFETY: all three buffers are 32 bytes, as crypto_scalarmult requires.
    let rc =
        unsafe { sodium::crypto_scalarmult(out.as_mut_ptr(), scalar.as_ptr(), point.as_ptr()) };
    (out, rc)
}

pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Cumulative CPU time from /proc: the whole machine and this process, in clock ticks.
#[derive(Clone, Copy)]
pub struct CpuTicks {
    pub total: u64,
    pub idle: u64,
    pub own: u64,
    pub cpus: u64,
}

impl CpuTicks {
    pub fn now() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let fields: Vec<u64> = stat
            .lines()
            .next()?
            .split_whitespace()
            .skip(1)
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        // user nice system idle iowait irq softirq steal [guest guest_nice]; guest time is
        // already counted in user, so only the first eight fields make up the total.
        let total = fields.iter().take(8).sum();
        let idle = fields.get(3)? + fields.get(4).unwrap_or(&0);
        let cpus = stat
            .lines()
            .filter(|l| l.starts_with("cpu") && !l.starts_with("cpu "))
            .count() as u64;
        // /proc/self/stat: utime and stime are fields 14 and 15, counted after the
        // parenthesised command name (which may itself contain spaces).
        let own_stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let after_name = &own_stat[own_stat.rfind(')')? + 2..];
        let mut rest = after_name.split_whitespace().skip(11);
        let own = rest.next()?.parse::<u64>().ok()? + rest.next()?.parse::<u64>().ok()?;
        Some(CpuTicks {
            total,
            idle,
            own,
            cpus: cpus.max(1),
        })
    }

    /// Average number of cores kept busy by everything except this process since `before`.
    /// WHY: on a shared 2-core machine a build next door slows every candidate, and this is
    /// the number that says whether a run can be trusted.
    pub fn other_load_since(&self, before: &CpuTicks) -> f64 {
        let wall = (self.total - before.total) as f64 / self.cpus as f64;
        let busy = (self.total - before.total) - (self.idle - before.idle);
        let other = busy.saturating_sub(self.own - before.own);
        if wall > 0.0 { other as f64 / wall } else { 0.0 }
    }
}

/// The 1-minute load average: a busy machine (e.g. a compile running) makes numbers noisier.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

/// "YYYY-MM-DD HH:MM:SS UTC" from Unix seconds, for the report's header line.
pub fn utc_datetime(secs: u64) -> String {
    let t = UtcTime::from_system_time(UNIX_EPOCH + Duration::from_secs(secs));
    format!("{} {} UTC", t.date(), t.clock())
}

/// The exit status for bad arguments or input (0 is PASS, 1 FAIL), after saying what was wrong.
pub fn usage_error(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(2)
}

/// The closing line, `subject: 97.3% of reference (goal >= 95%): PASS`, and the exit status
/// that goes with it. `print` is false where the report is JSON.
pub fn verdict(subject: &str, reference: &str, fraction: f64, goal: f64, print: bool) -> ExitCode {
    let pass = fraction >= goal;
    if print {
        println!(
            "{subject}: {:.1}% of {reference} (goal >= {:.0}%): {}",
            100.0 * fraction,
            100.0 * goal,
            if pass { "PASS" } else { "FAIL" }
        );
    }
    if pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Rounds to an integer and groups digits by thousands: 30612.4 -> "30,612".
pub fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
