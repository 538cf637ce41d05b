//! The Rust core's driver of the client benchmark (`bench/run.py` starts one process per
//! measurement; every language's driver speaks the same protocol, see `bench/README.md`).
//!
//! `get --url URL --token TOKEN --app APP --env ENV --mode cold|warm --iterations N [--warmup K]
//! [--cache-ttl SECONDS] [--app-id ID --env-id ID] [--offline-dir DIR [--offline-max-age SECONDS]]`
//!
//! - cold: K untimed, then N timed rounds of "build a new client, get every secret, drop it";
//! - warm: one client; its first get is timed on its own (`first_ms`), then K untimed and N
//!   timed gets on the same client;
//! - `--cache-ttl`: every client keeps `get` results in memory for that long
//!   (`ClientBuilder::cache`), so a warm client's repeated gets make no request; without it
//!   there is no cache;
//! - `--env-id` (with `--app-id`): read the app and the environment by id, so that a cold get
//!   sends its two requests together;
//! - `--offline-dir`: an offline cache in that directory (`OfflineMode::Fallback`), with
//!   `--offline-max-age` young stored answers served at once (`ClientBuilder::offline_max_age`);
//!   the JSON then says where the last get's secrets came from (`source`).
//!
//! Prints one JSON object on stdout: timings in ms, the number of secrets and a checksum of
//! what was returned (so the runner can tell that every client read the same data), and the
//! process's RSS before the first client (`baseline_rss_kb`) and at its peak (`peak_rss_kb`).
//! Exit status 2 on bad arguments, 1 when a get fails.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use phasekit::{AppRef, BlockingClient, CachePolicy, Client, GetOptions, OfflineMode, Secret};

const USAGE: &str = "usage: get --url URL --token TOKEN --app APP --env ENV \
--mode cold|warm --iterations N [--warmup K] [--cache-ttl SECONDS] [--app-id ID --env-id ID] \
[--offline-dir DIR [--offline-max-age SECONDS]]";

struct Args {
    url: String,
    token: String,
    app: String,
    env: String,
    warm: bool,
    iterations: usize,
    warmup: usize,
    cache_ttl: Option<Duration>,
    /// The app's and the environment's ids, read by instead of the names.
    ids: Option<(String, String)>,
    offline_dir: Option<PathBuf>,
    offline_max_age: Option<Duration>,
}

fn seconds(arg: &str, value: &str) -> Result<Duration, String> {
    value
        .parse()
        .ok()
        .and_then(|s: f64| Duration::try_from_secs_f64(s).ok())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("{arg} needs a positive number of seconds"))
}

fn parse_args() -> Result<Args, String> {
    let (mut url, mut token, mut app, mut env, mut mode) = (None, None, None, None, None);
    let (mut iterations, mut warmup) = (1usize, 0usize);
    let mut cache_ttl = None;
    let (mut app_id, mut env_id, mut offline_dir, mut offline_max_age) = (None, None, None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--url" => url = Some(value()?),
            "--token" => token = Some(value()?),
            "--app" => app = Some(value()?),
            "--env" => env = Some(value()?),
            "--mode" => mode = Some(value()?),
            "--iterations" => {
                iterations = value()?
                    .parse()
                    .map_err(|_| "--iterations needs a number")?
            }
            "--warmup" => warmup = value()?.parse().map_err(|_| "--warmup needs a number")?,
            "--cache-ttl" => cache_ttl = Some(seconds(&arg, &value()?)?),
            // Used only with --env-id: alone, the app is read by name as by every driver.
            "--app-id" => app_id = Some(value()?),
            "--env-id" => env_id = Some(value()?),
            "--offline-dir" => offline_dir = Some(PathBuf::from(value()?)),
            "--offline-max-age" => offline_max_age = Some(seconds(&arg, &value()?)?),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let missing = |name: &str| format!("{name} is required\n{USAGE}");
    let warm = match mode.as_deref() {
        Some("cold") => false,
        Some("warm") => true,
        _ => return Err(format!("--mode must be cold or warm\n{USAGE}")),
    };
    let ids = match (app_id, env_id) {
        (_, None) => None,
        (Some(app_id), Some(env_id)) => Some((app_id, env_id)),
        (None, Some(_)) => return Err(format!("--env-id needs --app-id\n{USAGE}")),
    };
    if offline_max_age.is_some() && offline_dir.is_none() {
        return Err(format!("--offline-max-age needs --offline-dir\n{USAGE}"));
    }
    Ok(Args {
        url: url.ok_or_else(|| missing("--url"))?,
        token: token.ok_or_else(|| missing("--token"))?,
        app: app.ok_or_else(|| missing("--app"))?,
        env: env.ok_or_else(|| missing("--env"))?,
        warm,
        iterations: iterations.max(1),
        warmup,
        cache_ttl,
        ids,
        offline_dir,
        offline_max_age,
    })
}

fn new_client(args: &Args) -> phasekit::Result<BlockingClient> {
    let mut builder = Client::builder().token(&args.token).host(&args.url);
    if let Some(ttl) = args.cache_ttl {
        builder = builder.cache(CachePolicy {
            ttl,
            ..CachePolicy::default()
        });
    }
    if let Some(dir) = &args.offline_dir {
        builder = builder.offline_cache(dir, OfflineMode::Fallback);
    }
    if let Some(max_age) = args.offline_max_age {
        builder = builder.offline_max_age(max_age);
    }
    Ok(builder.build()?.into())
}

/// Bytes of key, value and comment of every secret: equal across clients that read the same
/// environment.
fn checksum(secrets: &[Secret]) -> usize {
    secrets
        .iter()
        .map(|s| s.key.len() + s.value.len() + s.comment.len())
        .sum()
}

/// `VmRSS` or `VmHWM` (peak) of this process in kB, from /proc/self/status.
fn rss_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse().ok())
        })
        .unwrap_or(0)
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

fn run(args: &Args) -> phasekit::Result<String> {
    let options = match &args.ids {
        Some((app_id, env_id)) => GetOptions::new(AppRef::id(app_id), env_id),
        None => GetOptions::new(AppRef::name(&args.app), &args.env),
    };
    let baseline = rss_kb("VmRSS:");
    let mut times = Vec::with_capacity(args.iterations);
    let mut first_ms = None;
    let mut last = (0, 0);
    let mut source = None;
    if args.warm {
        let start = Instant::now();
        let client = new_client(args)?;
        let secrets = client.get(&options)?;
        first_ms = Some(ms(start));
        last = (secrets.len(), checksum(&secrets));
        drop(secrets);
        for i in 0..args.warmup + args.iterations {
            let start = Instant::now();
            let secrets = client.get(&options)?;
            let took = ms(start);
            last = (secrets.len(), checksum(&secrets));
            if i >= args.warmup {
                times.push(took);
            }
        }
    } else {
        for i in 0..args.warmup + args.iterations {
            let start = Instant::now();
            let client = new_client(args)?;
            let result = client.get_result(&options)?;
            let took = ms(start);
            last = (result.secrets.len(), checksum(&result.secrets));
            source = Some(result.source);
            drop(result);
            drop(client);
            if i >= args.warmup {
                times.push(took);
            }
        }
    }
    let times: Vec<String> = times.iter().map(|t| format!("{t:.3}")).collect();
    Ok(format!(
        "{{\"driver\":\"rust\",\"mode\":\"{}\",\"times_ms\":[{}],\"first_ms\":{},\"secrets\":{},\
         \"checksum\":{},\"baseline_rss_kb\":{},\"peak_rss_kb\":{},\"source\":{}}}",
        if args.warm { "warm" } else { "cold" },
        times.join(","),
        first_ms.map_or("null".to_owned(), |t| format!("{t:.3}")),
        last.0,
        last.1,
        baseline,
        rss_kb("VmHWM:"),
        source.map_or("null".to_owned(), |s| format!("\"{}\"", s.as_str())),
    ))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("get failed: {err}");
            ExitCode::FAILURE
        }
    }
}
