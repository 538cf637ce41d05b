//! The work `bench/callgrind.py` counts in instructions under `valgrind --tool=callgrind`, so
//! that the decryption goal (`decrypt`: the core reaches ≥90% of cores × libsodium's X25519
//! rate ÷ X25519 per secret) has a figure that does not depend on the machine's load.
//!
//! Usage: `instructions --secrets FILE --x25519 N`. Prepares everything first (the secrets of
//! FILE encrypted to a fresh environment key and checked, as `decrypt` does; libsodium
//! initialised; X25519 inputs drawn), then calls, once each and on this thread:
//! - `phasekit_bench_libsodium_x25519`: N libsodium X25519 scalar multiplications;
//! - `phasekit_bench_core_decrypt`: the core's `decrypt_record` of every secret of FILE.
//!
//! Their names are not mangled so that callgrind can collect inside them alone
//! (`--collect-atstart=no --toggle-collect=NAME --dump-after=NAME`). Prints one JSON object
//! with what the counts are divided by. Exit status: 0, or 2 for bad arguments or input.

use std::hint::black_box;
use std::process::ExitCode;

use libsodium_sys as sodium;
use phasekit::api::wire::SecretRecord;
use phasekit::secrets::{DecryptContext, decrypt_record};

#[path = "../common.rs"]
mod common;
use common::{Inputs, POOL, libsodium_x25519, usage_error};
#[path = "../records.rs"]
mod records;
use records::Environment;

const USAGE: &str = "usage: instructions --secrets FILE --x25519 N
  --secrets FILE  JSON array of plaintext secrets [{id, key, value, comment}]
  --x25519 N      libsodium X25519 scalar multiplications to run";

fn parse_args() -> Result<(String, usize), String> {
    let (mut secrets, mut x25519) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--secrets" => secrets = Some(args.next().ok_or("--secrets needs a file")?),
            "--x25519" => {
                let value = args.next().ok_or("--x25519 needs a number")?;
                let n = value
                    .parse()
                    .map_err(|_| format!("--x25519: not a number: {value}"))?;
                x25519 = Some(n);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument: {other}\n{USAGE}")),
        }
    }
    match (secrets, x25519) {
        (Some(secrets), Some(x25519)) if x25519 > 0 => Ok((secrets, x25519)),
        _ => Err(format!(
            "--secrets and a positive --x25519 are required\n{USAGE}"
        )),
    }
}

/// `n` libsodium X25519, cycling through the pool of inputs as `decrypt` does.
#[unsafe(no_mangle)]
#[inline(never)]
fn phasekit_bench_libsodium_x25519(inputs: &Inputs, n: usize) {
    for i in 0..n {
        let (s, p) = (&inputs.scalars[i % POOL], &inputs.points[i % POOL]);
        let _ = black_box(libsodium_x25519(black_box(s), black_box(p)));
    }
}

/// The core's decryption of every record, one after the other, as one of `get`'s chunks does.
#[unsafe(no_mangle)]
#[inline(never)]
fn phasekit_bench_core_decrypt(records: &[SecretRecord], cx: DecryptContext<'_>) {
    for record in records {
        let _ = black_box(decrypt_record(black_box(record), cx));
    }
}

/// The x86-64 extensions this process sees. Under valgrind they are those of its virtual CPU,
/// which decide the code paths libsodium and AWS-LC pick (valgrind lacks some, e.g. AVX-512).
fn cpu_features() -> Vec<&'static str> {
    let mut seen = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        macro_rules! check {
            ($($feature:tt),*) => {
                $(if std::arch::is_x86_feature_detected!($feature) { seen.push($feature); })*
            };
        }
        check!("avx", "avx2", "bmi2", "adx", "avx512f", "sha", "aes");
    }
    seen
}

fn main() -> ExitCode {
    let (secrets, x25519) = match parse_args() {
        Ok(args) => args,
        Err(msg) => return usage_error(&msg),
    };
    // SAFETY: sodium_init is thread-safe and idempotent; it selects libsodium's fastest X25519.
    assert!(unsafe { sodium::sodium_init() } >= 0, "sodium_init failed");
    let env = match Environment::load(&secrets) {
        Ok(env) => env,
        Err(msg) => return usage_error(&msg),
    };
    let inputs = Inputs::random();

    phasekit_bench_libsodium_x25519(&inputs, x25519);
    phasekit_bench_core_decrypt(&env.records, env.context());

    let features = cpu_features()
        .iter()
        .map(|f| format!("\"{f}\""))
        .collect::<Vec<_>>()
        .join(",");
    println!(
        "{{\"secrets\":{},\"x25519_per_secret\":{:.4},\"x25519\":{x25519},\
         \"cpu_features\":[{features}],\"debug_build\":{}}}",
        env.records.len(),
        env.x25519_per_secret(),
        cfg!(debug_assertions)
    );
    ExitCode::SUCCESS
}
