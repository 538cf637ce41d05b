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
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::agreement;
use libsodium_sys as sodium;
use phasekit::crypto::{KeyPair, decrypt, encrypt};

#[path = "../common.rs"]
mod common;
use common::{
    Candidate, CpuTicks, Inputs, POOL, cpu_model, libsodium_x25519, load_average, thousands,
    usage_error, utc_datetime, verdict,
};

/// Fraction of libsodium's rate the core must reach.
const GOAL: f64 = 0.95;

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

/// A candidate that runs `x25519` on the pool's (key, point) pairs in turn. Inputs and results
/// go through black_box so that the optimiser can neither hoist the work out of the loop nor
/// drop it.
fn over_pool<'a, K, R>(
    name: &'static str,
    keys: &'a [K],
    points: &'a [[u8; 32]],
    x25519: impl Fn(&K, &[u8; 32]) -> R + 'a,
) -> Candidate<'a> {
    Candidate::new(name, move |n| {
        for i in 0..n as usize {
            let (k, p) = (black_box(&keys[i % POOL]), black_box(&points[i % POOL]));
            let _ = black_box(x25519(k, p));
        }
    })
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
        Err(msg) => return usage_error(&msg),
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

    let (scalars, points) = (&inputs.scalars, &inputs.points);
    let mut x25519 = vec![
        over_pool("libsodium", scalars, points, libsodium_x25519),
        over_pool("phasekit core", scalars, points, phasekit::crypto::x25519),
        over_pool("x25519-dalek", &dalek_secrets, points, |k, p| {
            k.diffie_hellman(&x25519_dalek::PublicKey::from(*p))
        }),
        over_pool("aws-lc-rs", &aws_keys, points, aws_lc_x25519),
        over_pool("dryoc", scalars, points, dryoc_x25519),
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

    verdict(
        "phasekit core",
        "libsodium",
        core.ratio_to(reference),
        GOAL,
        true,
    )
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
