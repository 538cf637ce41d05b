//! The Rust core's soak driver (`bench/soak.py` runs one per binding, the same protocol in
//! each, see `bench/README.md`): for `--seconds`, at the same time
//!
//! - a watch of the environment polling every `--watch-interval` seconds, on a client of its
//!   own; every change it reports must name the `--rotating` key only;
//! - a client with an in-memory cache of `--cache-ttl` seconds, read by `--callers` threads,
//!   each getting every secret in a loop with a pause of `--pause` seconds; every answer must
//!   have `--expect-secrets` secrets and the checksum `--expect-checksum`;
//! - once a second, a sample of the process's resident memory, threads and open file
//!   descriptors.
//!
//! Prints one JSON object: the samples, the gets and what was wrong with them, the watch's
//! changes and errors, and the first problem met (never a secret). Exit status 2 on bad
//! arguments, 1 when a client cannot be built.

#[path = "../soak_driver.rs"]
mod soak_driver;

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use phasekit::{AppRef, BlockingClient, CachePolicy, Client, GetOptions, WatchPolicy};
use soak_driver::{Flags, checksum, heap_in_use_kb, json_text, main_of, sample};

const USAGE: &str = "usage: soak --url URL --token TOKEN --app APP --env ENV --seconds S \
--callers N --watch-interval S --cache-ttl S --pause S --expect-secrets N --expect-checksum N \
--rotating KEY";
const FLAGS: &[&str] = &[
    "url",
    "token",
    "app",
    "env",
    "seconds",
    "callers",
    "watch-interval",
    "cache-ttl",
    "pause",
    "expect-secrets",
    "expect-checksum",
    "rotating",
];

/// Counters shared by the callers and the watch.
#[derive(Default)]
struct Tally {
    gets: AtomicU64,
    wrong: AtomicU64,
    errors: AtomicU64,
    watch_events: AtomicU64,
    watch_wrong: AtomicU64,
    watch_errors: AtomicU64,
    first_problem: Mutex<Option<String>>,
}

impl Tally {
    fn problem(&self, counter: &AtomicU64, what: String) {
        counter.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first_problem.lock().unwrap_or_else(|p| p.into_inner());
        first.get_or_insert(what);
    }
}

fn json_list(values: impl Iterator<Item = u64>) -> String {
    values.map(|v| v.to_string()).collect::<Vec<_>>().join(",")
}

fn run(flags: &Flags) -> Result<String, String> {
    let (url, token) = (flags.text("url")?, flags.text("token")?);
    let options = GetOptions::new(AppRef::name(flags.text("app")?), flags.text("env")?);
    let seconds = flags.seconds("seconds")?;
    let callers: usize = flags.number("callers")?;
    let pause = flags.seconds("pause")?;
    let expected: (usize, usize) = (
        flags.number("expect-secrets")?,
        flags.number("expect-checksum")?,
    );
    let rotating = vec![flags.text("rotating")?];
    let policy = WatchPolicy::from_seconds(Some(flags.number("watch-interval")?), None)
        .map_err(|e| e.to_string())?;
    let cache = CachePolicy {
        ttl: flags.seconds("cache-ttl")?,
        ..CachePolicy::default()
    };
    let build = |cache: Option<CachePolicy>| {
        let builder = Client::builder().token(&token).host(&url);
        match cache {
            Some(policy) => builder.cache(policy),
            None => builder,
        }
        .build()
        .map_err(|e| format!("client: {e}"))
    };
    let cached: Arc<BlockingClient> = Arc::new(build(Some(cache))?.into());
    let watched = build(None)?;
    let tally = Arc::new(Tally::default());
    let start = Instant::now();
    let deadline = start + seconds;

    let runtime = phasekit::client::runtime().map_err(|e| e.to_string())?;
    let watch = {
        let (tally, options) = (tally.clone(), options.clone());
        runtime.spawn(async move {
            let mut watch = match watched.watch(options, policy) {
                Ok(watch) => watch,
                Err(e) => return tally.problem(&tally.watch_errors, format!("watch: {e}")),
            };
            while let Some(item) = watch.next().await {
                match item {
                    Ok(c)
                        if c.added.is_empty() && c.removed.is_empty() && c.changed == rotating =>
                    {
                        tally.watch_events.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(c) => tally.problem(&tally.watch_wrong, format!("watch reported {c:?}")),
                    Err(e) => tally.problem(&tally.watch_errors, format!("watch: {e}")),
                }
            }
        })
    };
    let threads: Vec<_> = (0..callers)
        .map(|_| {
            let (client, tally, options) = (cached.clone(), tally.clone(), options.clone());
            std::thread::spawn(move || {
                while Instant::now() < deadline {
                    match client.get(&options) {
                        Ok(secrets) if (secrets.len(), checksum(&secrets)) == expected => {}
                        Ok(secrets) => tally.problem(
                            &tally.wrong,
                            format!("{} secrets, checksum {}", secrets.len(), checksum(&secrets)),
                        ),
                        Err(e) => tally.problem(&tally.errors, format!("get: {e}")),
                    }
                    tally.gets.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(pause);
                }
            })
        })
        .collect();

    let mut samples = Vec::new();
    let mut tick = start;
    while tick < deadline {
        std::thread::sleep(tick.saturating_duration_since(Instant::now()));
        samples.push((sample(), heap_in_use_kb()));
        tick += Duration::from_secs(1);
    }
    for thread in threads {
        thread.join().map_err(|_| "a caller panicked")?;
    }
    watch.abort();
    let elapsed = start.elapsed().as_secs_f64();
    let count = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
    let first = tally
        .first_problem
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    Ok(format!(
        "{{\"driver\":\"rust\",\"seconds\":{elapsed:.3},\"rss_kb\":[{}],\"threads\":[{}],\
         \"fds\":[{}],\"heap_kb\":[{}],\"gets\":{},\"wrong\":{},\"errors\":{},\"watch_events\":{},\
         \"watch_wrong\":{},\"watch_errors\":{},\"first_problem\":{}}}",
        json_list(samples.iter().map(|s| s.0.0)),
        json_list(samples.iter().map(|s| s.0.1)),
        json_list(samples.iter().map(|s| s.0.2)),
        json_list(samples.iter().map(|s| s.1)),
        count(&tally.gets),
        count(&tally.wrong),
        count(&tally.errors),
        count(&tally.watch_events),
        count(&tally.watch_wrong),
        count(&tally.watch_errors),
        json_text(first.as_deref()),
    ))
}

fn main() -> ExitCode {
    main_of("soak", FLAGS, USAGE, run)
}
