//! Decryption throughput of the core, next to the X25519 rate of libsodium measured in the same
//! run: how close does decrypting an environment come to the limit X25519 sets?
//!
//! Every encrypted field of a secret (key, value, and the comment when it is not empty) costs
//! one variable-base X25519, so with C cores and libsodium doing R X25519/s on one core, no
//! client can decrypt more than `C × R ÷ (X25519 per secret)` secrets per second. The goal:
//! the core reaches at least 90% of that, decrypting the way `get` does (all records split
//! into one chunk per available core, `phasekit::secrets::decrypt_record` on each, no memo).
//!
//! Usage: `decrypt --secrets FILE [--rounds N] [--quick] [--json]`, FILE being a JSON array of
//! plaintext secrets `[{"id", "key", "value", "comment"}]` (`bench/run.py` writes the one of
//! each benchmark size). Each field is encrypted here to a fresh environment key; then the
//! candidates below are calibrated and measured in interleaved rounds (the method of the
//! `x25519` binary). Exit status: 0 PASS, 1 FAIL, 2 bad arguments or input.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use libsodium_sys as sodium;
use phasekit::secrets::{decrypt_record, decrypt_records};

#[path = "../common.rs"]
mod common;
use common::{
    Candidate, CpuTicks, Inputs, POOL, cpu_model, libsodium_x25519, load_average, median,
    thousands, usage_error, utc_datetime, verdict,
};
#[path = "../records.rs"]
mod records;
use records::Environment;

/// Fraction of the X25519 limit the core's decryption must reach.
const GOAL: f64 = 0.90;

const USAGE: &str = "usage: decrypt --secrets FILE [--rounds N] [--quick] [--json]
  --secrets FILE  JSON array of plaintext secrets [{id, key, value, comment}]
  --rounds N      interleaved rounds (default 7, or 3 with --quick)
  --quick         ~10x shorter measurements, for smoke runs
  --json          one JSON object on stdout instead of the Markdown report";

struct Options {
    secrets: String,
    rounds: usize,
    target: Duration,
    warmup: Duration,
    json: bool,
}

fn parse_args() -> Result<Options, String> {
    let (mut secrets, mut rounds, mut quick, mut json) = (None, None, false, false);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--secrets" => secrets = Some(args.next().ok_or("--secrets needs a file")?),
            "--rounds" => {
                let value = args.next().ok_or("--rounds needs a number")?;
                let n: usize = value
                    .parse()
                    .map_err(|_| format!("--rounds: not a number: {value}"))?;
                rounds = Some(n.max(1));
            }
            "--quick" => quick = true,
            "--json" => json = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument: {other}\n{USAGE}")),
        }
    }
    let secrets = secrets.ok_or_else(|| format!("--secrets is required\n{USAGE}"))?;
    let (default_rounds, target, warmup) = if quick {
        (3, Duration::from_millis(30), Duration::from_millis(20))
    } else {
        (7, Duration::from_millis(300), Duration::from_millis(200))
    };
    Ok(Options {
        secrets,
        rounds: rounds.unwrap_or(default_rounds),
        target,
        warmup,
        json,
    })
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(opts) => opts,
        Err(msg) => return usage_error(&msg),
    };
    // SAFETY: sodium_init is thread-safe and idempotent; it selects libsodium's fastest X25519.
    assert!(unsafe { sodium::sodium_init() } >= 0, "sodium_init failed");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let env = match Environment::load(&opts.secrets) {
        Ok(env) => env,
        Err(msg) => return usage_error(&msg),
    };
    let ops_per_secret = env.x25519_per_secret();
    let (records, cx) = (&env.records, env.context());

    let inputs = Inputs::random();
    let (scalars, points) = (&inputs.scalars, &inputs.points);
    let n_records = records.len();
    // Candidate samples are calls per second; the unit of a call differs (see `per_call`).
    let mut candidates = [
        // One X25519 per call, one thread: the reference.
        Candidate::new("libsodium X25519, 1 thread", |n| {
            for i in 0..n as usize {
                let (s, p) = (black_box(&scalars[i % POOL]), black_box(&points[i % POOL]));
                let _ = black_box(libsodium_x25519(s, p));
            }
        }),
        // One X25519 per call, spread over every core: does the machine scale?
        Candidate::new("libsodium X25519, all cores", |n| {
            let per_thread = (n as usize).div_ceil(cores);
            std::thread::scope(|scope| {
                for t in 0..cores {
                    scope.spawn(move || {
                        for i in 0..per_thread {
                            let j = (i + t) % POOL;
                            let _ = black_box(libsodium_x25519(&scalars[j], &points[j]));
                        }
                    });
                }
            });
        }),
        // One secret per call, one thread.
        Candidate::new("core decryption, 1 thread", |n| {
            for i in 0..n as usize {
                let _ = black_box(decrypt_record(&records[i % n_records], cx));
            }
        }),
        // One whole environment per call, as `get` decrypts it.
        Candidate::new("core decryption, all cores (as get)", |n| {
            for _ in 0..n {
                black_box(decrypt_records(records, cx).expect("decrypt").len());
            }
        }),
    ];
    // What one call of each candidate is worth, in X25519 (libsodium rows) or secrets.
    let per_call = [1.0, 1.0, 1.0, n_records as f64];

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let load_before = load_average();
    let cpu_before = CpuTicks::now();
    for c in candidates.iter_mut() {
        c.calibrate(opts.warmup, opts.target);
    }
    for round in 0..opts.rounds {
        let count = candidates.len();
        for k in 0..count {
            candidates[(k + round) % count].measure();
        }
    }
    let other_load = CpuTicks::now()
        .zip(cpu_before)
        .map(|(after, before)| after.other_load_since(&before));

    // Per round: the limit from that round's libsodium rate, and the core against it.
    let rate = |c: usize, round: usize| candidates[c].samples[round] * per_call[c];
    let rounds = 0..opts.rounds;
    let limit: Vec<f64> = rounds
        .clone()
        .map(|r| cores as f64 * rate(0, r) / ops_per_secret)
        .collect();
    let fraction = median(rounds.clone().map(|r| rate(3, r) / limit[r]).collect());
    let single_fraction = median(
        rounds
            .clone()
            .map(|r| rate(2, r) / (rate(0, r) / ops_per_secret))
            .collect(),
    );
    let scaling = median(rounds.clone().map(|r| rate(1, r) / rate(0, r)).collect());
    let med = |c: usize| median(rounds.clone().map(|r| rate(c, r)).collect());
    let spread = |c: usize| {
        let v: Vec<f64> = rounds.clone().map(|r| rate(c, r)).collect();
        (
            v.iter().copied().fold(f64::INFINITY, f64::min),
            v.iter().copied().fold(0.0, f64::max),
        )
    };
    let pass = fraction >= GOAL;
    // SAFETY: sodium_version_string returns a pointer to a static NUL-terminated string.
    let sodium_version = unsafe { std::ffi::CStr::from_ptr(sodium::sodium_version_string()) };
    let sodium_version = sodium_version.to_string_lossy();

    if opts.json {
        let row = |c: usize| {
            let (lo, hi) = spread(c);
            format!(
                "{{\"name\":\"{}\",\"median\":{:.1},\"min\":{:.1},\"max\":{:.1}}}",
                candidates[c].name,
                med(c),
                lo,
                hi
            )
        };
        println!(
            "{{\"cores\":{cores},\"secrets\":{n_records},\"x25519_per_secret\":{ops_per_secret:.4},\
             \"libsodium\":\"{sodium_version}\",\"rounds\":{},\"debug_build\":{},\
             \"load_before\":\"{load_before}\",\"other_load\":{},\
             \"libsodium_x25519_1\":{},\"libsodium_x25519_all\":{},\
             \"core_decrypt_1\":{},\"core_decrypt_all\":{},\
             \"limit\":{:.1},\"fraction_of_limit\":{fraction:.4},\
             \"single_thread_fraction\":{single_fraction:.4},\"libsodium_scaling\":{scaling:.4},\
             \"goal\":{GOAL},\"pass\":{pass}}}",
            opts.rounds,
            cfg!(debug_assertions),
            other_load.map_or("null".to_owned(), |l| format!("{l:.3}")),
            row(0),
            row(1),
            row(2),
            row(3),
            median(limit.clone()),
        );
    } else {
        println!(
            "# Decryption throughput — {} (unix {now})",
            utc_datetime(now)
        );
        println!();
        println!("- CPU: {} ({cores} cores)", cpu_model());
        println!("- load average at start: {load_before}");
        println!(
            "- libsodium {sodium_version}; {} secrets, {ops_per_secret:.2} X25519 per secret; {} interleaved rounds",
            n_records, opts.rounds
        );
        if cfg!(debug_assertions) {
            println!("- WARNING: debug build; numbers are meaningless, use --release");
        }
        println!();
        println!("| measurement | per second (median) | spread (min–max) |");
        println!("|---|---:|---:|");
        for (c, unit) in [(0, "X25519"), (1, "X25519"), (2, "secrets"), (3, "secrets")] {
            let (lo, hi) = spread(c);
            println!(
                "| {} | {} {unit} | {}–{} |",
                candidates[c].name,
                thousands(med(c)),
                thousands(lo),
                thousands(hi)
            );
        }
        println!(
            "| limit: {cores} × libsodium ÷ {ops_per_secret:.2} | {} secrets | |",
            thousands(median(limit))
        );
        println!();
        println!(
            "Per core: {} secrets/s. One thread reaches {:.1}% of libsodium's rate ÷ X25519 per \
             secret; libsodium scales {scaling:.2}× over {cores} cores.",
            thousands(med(3) / cores as f64),
            100.0 * single_fraction
        );
        if let Some(load) = other_load {
            println!("Other processes used {load:.2} cores on average during the measurement.");
        }
        println!();
    }
    verdict(
        "core decryption",
        &format!("{cores} × libsodium X25519 ÷ {ops_per_secret:.2}"),
        fraction,
        GOAL,
        !opts.json,
    )
}
