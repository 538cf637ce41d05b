//! Side-by-side X25519 benchmark: is phasekit's X25519 as fast as libsodium's?
//!
//! Decryption speed is bounded by X25519 (each encrypted field costs one variable-base scalar
//! multiplication), so the project's goal is that `phasekit::crypto::x25519` reaches at least
//! 95% of the rate of libsodium's `crypto_scalarmult` called directly. All candidates run in
//! ONE process, on the same inputs, interleaved round by round, so that frequency scaling, a
//! noisy neighbour or a compile in the background hits every candidate alike.
//!
//! Usage: `cargo run --release -p phasekit-bench --bin x25519 -- [--rounds N] [--quick]`.
//! Exit status: 0 when the core passes, 1 when it fails the goal, 2 on bad arguments.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::agreement;
use libsodium_sys as sodium;
use phasekit::crypto::{KeyPair, decrypt, encrypt};

/// Fraction of libsodium's rate the core must reach.
const GOAL: f64 = 0.95;

/// Number of distinct (scalar, point) pairs cycled through. Every implementation is constant
/// time, so one pair would do in theory; a pool keeps the measurement honest anyway (no result
/// can be reused) while staying small enough to live in L1 cache for all candidates alike.
const POOL: usize = 64;

/// A ~60-byte secret value, the typical size of a connection string or API token.
const PLAINTEXT: &str = "postgres://app:Zm9vYmFyYmF6cXV4@db.internal:5432/production";

const USAGE: &str = "usage: x25519 [--rounds N] [--quick]
  --rounds N  interleaved rounds (default 7, or 3 with --quick)
  --quick     ~10x fewer operations per measurement, for smoke runs";

struct Options {
    rounds: usize,
    /// Wall time one measurement (one candidate, one round) should take.
    target: Duration,
    /// Wall time spent warming up each candidate before calibration.
    warmup: Duration,
}

fn parse_args() -> Result<Options, String> {
    let mut rounds = None;
    let mut quick = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rounds" => {
                let value = args.next().ok_or("--rounds needs a number")?;
                let n: usize = value
                    .parse()
                    .map_err(|_| format!("--rounds: not a number: {value}"))?;
                if n == 0 {
                    return Err("--rounds must be at least 1".into());
                }
                rounds = Some(n);
            }
            "--quick" => quick = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument: {other} (try --help)")),
        }
    }
    Ok(if quick {
        Options {
            rounds: rounds.unwrap_or(3),
            target: Duration::from_millis(30),
            warmup: Duration::from_millis(20),
        }
    } else {
        Options {
            rounds: rounds.unwrap_or(7),
            target: Duration::from_millis(300),
            warmup: Duration::from_millis(200),
        }
    })
}

/// One contender. `run(n)` performs `n` operations; the loop lives inside the closure so that
/// the only dynamic dispatch is one call per batch, not per operation.
struct Candidate<'a> {
    name: &'static str,
    run: Box<dyn FnMut(u64) + 'a>,
    /// Operations per timed batch, set by calibration.
    ops: u64,
    /// Measured ops/s, one sample per round.
    samples: Vec<f64>,
}

impl<'a> Candidate<'a> {
    fn new(name: &'static str, run: impl FnMut(u64) + 'a) -> Self {
        Candidate {
            name,
            run: Box::new(run),
            ops: 0,
            samples: Vec::new(),
        }
    }

    /// Times one batch of `n` operations.
    fn time(&mut self, n: u64) -> Duration {
        let start = Instant::now();
        (self.run)(n);
        start.elapsed()
    }

    /// Runs batches of doubling size for at least `warmup` (caches, branch predictors, CPU
    /// frequency settle), then sizes `ops` from the last batch so one batch takes `target`.
    fn calibrate(&mut self, warmup: Duration, target: Duration) {
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

    fn measure(&mut self) {
        let took = self.time(self.ops);
        self.samples.push(self.ops as f64 / took.as_secs_f64());
    }

    fn stats(&self) -> Stats {
        Stats {
            median: median(self.samples.clone()),
            min: self.samples.iter().copied().fold(f64::INFINITY, f64::min),
            max: self.samples.iter().copied().fold(0.0, f64::max),
        }
    }

    /// Rate relative to `reference` as the median of per-round ratios. WHY not the ratio of the
    /// two medians: both samples of a round were taken seconds apart, so a slow phase of the
    /// machine (a neighbour's burst, frequency drop) cancels out within the pair.
    fn ratio_to(&self, reference: &Candidate) -> f64 {
        let ratios = self
            .samples
            .iter()
            .zip(&reference.samples)
            .map(|(a, b)| a / b);
        median(ratios.collect())
    }

    /// Extra µs per operation over `reference`, paired per round like [`Candidate::ratio_to`].
    fn extra_us_over(&self, reference: &Candidate) -> f64 {
        let extra = self
            .samples
            .iter()
            .zip(&reference.samples)
            .map(|(a, b)| 1e6 / a - 1e6 / b);
        median(extra.collect())
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

struct Stats {
    median: f64,
    min: f64,
    max: f64,
}

impl Stats {
    fn us_per_op(&self) -> f64 {
        1e6 / self.median
    }

    /// "min–max (width as % of the median)".
    fn spread(&self) -> String {
        format!(
            "{}–{} ({:.1}%)",
            thousands(self.min),
            thousands(self.max),
            100.0 * (self.max - self.min) / self.median
        )
    }
}

/// The X25519 inputs shared by every candidate.
struct Inputs {
    scalars: Vec<[u8; 32]>,
    /// Genuine public keys (X25519 of a random scalar and the base point), as a decryption sees.
    points: Vec<[u8; 32]>,
}

impl Inputs {
    fn random() -> Self {
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

fn random32() -> [u8; 32] {
    let mut out = [0u8; 32];
    // SAFETY: out is a writable 32-byte buffer.
    unsafe { sodium::randombytes_buf(out.as_mut_ptr().cast(), out.len()) };
    out
}

fn libsodium_x25519(scalar: &[u8; 32], point: &[u8; 32]) -> ([u8; 32], i32) {
    let mut out = [0u8; 32];
    // SAFETY: all three buffers are 32 bytes, as crypto_scalarmult requires.
    let rc =
        unsafe { sodium::crypto_scalarmult(out.as_mut_ptr(), scalar.as_ptr(), point.as_ptr()) };
    (out, rc)
}

fn aws_lc_x25519(key: &agreement::PrivateKey, point: &[u8; 32]) -> Result<[u8; 32], ()> {
    let peer = agreement::UnparsedPublicKey::new(&agreement::X25519, point);
    agreement::agree(key, peer, (), |shared| shared.try_into().map_err(|_| ()))
}

fn dryoc_x25519(scalar: &[u8; 32], point: &[u8; 32]) -> Result<[u8; 32], dryoc::Error> {
    let mut out = [0u8; 32];
    dryoc::classic::crypto_core::crypto_scalarmult(&mut out, scalar, point)?;
    Ok(out)
}

/// Checks that every candidate computes the same shared secrets as libsodium before anything
/// is timed: a fast wrong answer must not win.
fn cross_check(
    inputs: &Inputs,
    dalek: &[x25519_dalek::StaticSecret],
    aws: &[agreement::PrivateKey],
) {
    for i in 0..POOL {
        let (s, p) = (&inputs.scalars[i], &inputs.points[i]);
        let (expected, rc) = libsodium_x25519(s, p);
        assert_eq!(rc, 0, "libsodium rejected pool entry {i}");
        let core = phasekit::crypto::x25519(s, p).expect("phasekit core rejected a valid point");
        assert_eq!(*core, expected, "phasekit core disagrees with libsodium");
        let d = dalek[i].diffie_hellman(&x25519_dalek::PublicKey::from(*p));
        assert_eq!(
            *d.as_bytes(),
            expected,
            "x25519-dalek disagrees with libsodium"
        );
        assert_eq!(
            aws_lc_x25519(&aws[i], p),
            Ok(expected),
            "aws-lc-rs disagrees with libsodium"
        );
        assert_eq!(
            dryoc_x25519(s, p).ok(),
            Some(expected),
            "dryoc disagrees with libsodium"
        );
    }
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(opts) => opts,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };

    // SAFETY: sodium_init is thread-safe and idempotent. It must run before the first
    // crypto_scalarmult: it is what selects the AVX (sandy2x) X25519 code on this CPU.
    assert!(unsafe { sodium::sodium_init() } >= 0, "sodium_init failed");

    let inputs = Inputs::random();
    // Key objects are built once, outside the timed loops, for every candidate. WHY: aws-lc-rs
    // derives the public key when it imports a private key (a base-point multiplication that
    // would double its cost), and a real client keeps one key pair for many decryptions.
    // libsodium, phasekit and dryoc take raw bytes, which is their "key object";
    // StaticSecret::from and PublicKey::from are plain copies, so dalek loses nothing either.
    let dalek_secrets: Vec<_> = inputs
        .scalars
        .iter()
        .map(|s| x25519_dalek::StaticSecret::from(*s))
        .collect();
    let aws_keys: Vec<_> = inputs
        .scalars
        .iter()
        .map(|s| {
            agreement::PrivateKey::from_private_key(&agreement::X25519, s).expect("aws-lc-rs key")
        })
        .collect();
    cross_check(&inputs, &dalek_secrets, &aws_keys);

    // ph:v1 ciphertexts of one recipient, as a client decrypting an environment's secrets sees.
    let recipient = KeyPair::generate();
    let ciphertexts: Vec<String> = (0..POOL)
        .map(|_| encrypt(PLAINTEXT, &recipient.public).expect("encrypt"))
        .collect();
    for ct in &ciphertexts {
        assert_eq!(
            decrypt(ct, &recipient).expect("decrypt").as_str(),
            PLAINTEXT,
            "round trip"
        );
    }

    // Each closure cycles through the pool; inputs and results go through black_box so the
    // optimiser can neither hoist the work out of the loop nor drop it.
    let (scalars, points) = (&inputs.scalars, &inputs.points);
    let mut x25519 = vec![
        Candidate::new("libsodium", |n| {
            for i in 0..n as usize {
                let (s, p) = (black_box(&scalars[i % POOL]), black_box(&points[i % POOL]));
                let _ = black_box(libsodium_x25519(s, p));
            }
        }),
        Candidate::new("phasekit core", |n| {
            for i in 0..n as usize {
                let (s, p) = (black_box(&scalars[i % POOL]), black_box(&points[i % POOL]));
                let _ = black_box(phasekit::crypto::x25519(s, p));
            }
        }),
        Candidate::new("x25519-dalek", |n| {
            for i in 0..n as usize {
                let (k, p) = (
                    black_box(&dalek_secrets[i % POOL]),
                    black_box(&points[i % POOL]),
                );
                let _ = black_box(k.diffie_hellman(&x25519_dalek::PublicKey::from(*p)));
            }
        }),
        Candidate::new("aws-lc-rs", |n| {
            for i in 0..n as usize {
                let (k, p) = (black_box(&aws_keys[i % POOL]), black_box(&points[i % POOL]));
                let _ = black_box(aws_lc_x25519(k, p));
            }
        }),
        Candidate::new("dryoc", |n| {
            for i in 0..n as usize {
                let (s, p) = (black_box(&scalars[i % POOL]), black_box(&points[i % POOL]));
                let _ = black_box(dryoc_x25519(s, p));
            }
        }),
    ];
    // Decryption is measured in the same interleaved rounds (so the same drift applies to it
    // and to its libsodium reference) but reported in its own table.
    let mut decryption = Candidate::new("phasekit decrypt (ph:v1)", |n| {
        for i in 0..n as usize {
            let _ = black_box(decrypt(black_box(&ciphertexts[i % POOL]), &recipient));
        }
    });

    print_header(&opts);
    let cpu_before = CpuTicks::now();

    for c in x25519.iter_mut().chain(std::iter::once(&mut decryption)) {
        c.calibrate(opts.warmup, opts.target);
    }
    for round in 0..opts.rounds {
        // Rotate the starting candidate each round so that no candidate is always the first
        // of a round, nor always the one measured right after calibration.
        let count = x25519.len() + 1;
        for k in 0..count {
            match (k + round) % count {
                j if j < x25519.len() => x25519[j].measure(),
                _ => decryption.measure(),
            }
        }
    }

    let other_load = CpuTicks::now()
        .zip(cpu_before)
        .map(|(after, before)| after.other_load_since(&before));

    let reference = &x25519[0];
    println!("## X25519 (one variable-base scalar multiplication per op)");
    println!();
    println!("| implementation | ops/s (median) | µs/op | spread (min–max ops/s) | vs libsodium |");
    println!("|---|---:|---:|---:|---:|");
    for c in &x25519 {
        let s = c.stats();
        println!(
            "| {} | {} | {:.2} | {} | {:.1}% |",
            c.name,
            thousands(s.median),
            s.us_per_op(),
            s.spread(),
            100.0 * c.ratio_to(reference)
        );
    }
    println!();

    let core = x25519
        .iter()
        .find(|c| c.name == "phasekit core")
        .expect("core candidate");
    let d = decryption.stats();
    println!(
        "## ph:v1 decryption of a {}-byte value (X25519 + BLAKE2b + XChaCha20-Poly1305)",
        PLAINTEXT.len()
    );
    println!();
    println!(
        "| operation | ops/s (median) | µs/op | spread (min–max ops/s) | vs libsodium X25519 | above the core's X25519 |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| {} | {} | {:.2} | {} | {:.1}% | {:+.2} µs |",
        decryption.name,
        thousands(d.median),
        d.us_per_op(),
        d.spread(),
        100.0 * decryption.ratio_to(reference),
        decryption.extra_us_over(core)
    );
    println!();

    match other_load {
        Some(load) if load > 0.15 => println!(
            "Other processes used {load:.2} cores on average during the measurement: the machine was \
             not quiet, so expect noise (the per-round ratios absorb most of it). Re-run when idle.\n"
        ),
        Some(load) => {
            println!("Other processes used {load:.2} cores on average during the measurement.\n")
        }
        None => {}
    }

    let ratio = core.ratio_to(reference);
    let pass = ratio >= GOAL;
    println!(
        "phasekit core: {:.1}% of libsodium (goal >= {:.0}%): {}",
        100.0 * ratio,
        100.0 * GOAL,
        if pass { "PASS" } else { "FAIL" }
    );
    if pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print_header(opts: &Options) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    // SAFETY: sodium_version_string returns a pointer to a static NUL-terminated string.
    let sodium_version = unsafe { std::ffi::CStr::from_ptr(sodium::sodium_version_string()) };
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("# X25519 benchmark — {} (unix {now})", utc_datetime(now));
    println!();
    println!(
        "- CPU: {} ({cores} cores available; single thread used)",
        cpu_model()
    );
    println!("- load average at start: {}", load_average());
    println!(
        "- libsodium {}; {} interleaved rounds of ~{} ms per candidate, median reported",
        sodium_version.to_string_lossy(),
        opts.rounds,
        opts.target.as_millis()
    );
    if cfg!(debug_assertions) {
        println!("- WARNING: debug build; numbers are meaningless, use --release");
    }
    println!();
}

fn cpu_model() -> String {
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
struct CpuTicks {
    total: u64,
    idle: u64,
    own: u64,
    cpus: u64,
}

impl CpuTicks {
    fn now() -> Option<Self> {
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
    fn other_load_since(&self, before: &CpuTicks) -> f64 {
        let wall = (self.total - before.total) as f64 / self.cpus as f64;
        let busy = (self.total - before.total) - (self.idle - before.idle);
        let other = busy.saturating_sub(self.own - before.own);
        if wall > 0.0 { other as f64 / wall } else { 0.0 }
    }
}

/// The 1-minute load average: a busy machine (e.g. a compile running) makes numbers noisier.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

/// "YYYY-MM-DD HH:MM:SS UTC" from Unix seconds (Howard Hinnant's days-to-civil algorithm), to
/// avoid a date crate for one header line.
fn utc_datetime(secs: u64) -> String {
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Rounds to an integer and groups digits by thousands: 30612.4 -> "30,612".
fn thousands(x: f64) -> String {
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
