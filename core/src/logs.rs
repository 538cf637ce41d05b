//! Diagnostics for bindings whose host language has a logging system of its own (Python's
//! `logging`, Go's `log/slog`): the core's `tracing` events collected into a bounded queue that
//! the binding drains on one of its own threads and re-emits there. Re-emitting from the thread
//! that produced an event would mean taking the host's locks (the GIL) inside the core's runtime.
//! Collected: warnings and errors always, `info` too (the request lines of clients created with
//! `debug`). Never values: the core logs none.

use std::collections::VecDeque;
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// Lines kept until drained; older ones give way (and are counted) when nobody drains.
const CAPACITY: usize = 1024;

/// One collected event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    pub level: LogLevel,
    /// The module that logged it, e.g. `phasekit::transport`.
    pub target: String,
    /// The message followed by its fields, e.g. `phase request method=GET path=/secrets/`.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
        }
    }
}

static QUEUE: Mutex<VecDeque<LogRecord>> = Mutex::new(VecDeque::new());
static DROPPED: AtomicU64 = AtomicU64::new(0);
static INSTALL: Once = Once::new();

/// Starts collecting (once per process). When the process already has a global `tracing`
/// subscriber, that one keeps the events and nothing is collected.
pub fn collect() {
    INSTALL.call_once(|| {
        let _ = tracing_subscriber::registry().with(Collector).try_init();
    });
}

/// Takes every collected record, oldest first. When records were lost to the queue's bound, a
/// warning saying how many comes first.
pub fn drain() -> Vec<LogRecord> {
    let mut queue = QUEUE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut records = Vec::with_capacity(queue.len() + 1);
    let dropped = DROPPED.swap(0, Ordering::Relaxed);
    if dropped > 0 {
        records.push(LogRecord {
            level: LogLevel::Warn,
            target: "phasekit::logs".to_owned(),
            message: format!("{dropped} log records were dropped before they could be passed on"),
        });
    }
    records.extend(queue.drain(..));
    records
}

fn push(record: LogRecord) {
    let mut queue = QUEUE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if queue.len() == CAPACITY {
        queue.pop_front();
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
    queue.push_back(record);
}

struct Collector;

impl<S: Subscriber> Layer<S> for Collector {
    fn enabled(&self, metadata: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        metadata.target().starts_with("phasekit") && *metadata.level() <= Level::INFO
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let metadata = event.metadata();
        let level = match *metadata.level() {
            Level::ERROR => LogLevel::Error,
            Level::WARN => LogLevel::Warn,
            _ => LogLevel::Info,
        };
        let mut text = Text::default();
        event.record(&mut text);
        push(LogRecord {
            level,
            target: metadata.target().to_owned(),
            message: text.finish(),
        });
    }
}

/// The message, then ` name=value` for every other field.
#[derive(Default)]
struct Text {
    message: String,
    fields: String,
}

impl Text {
    fn finish(self) -> String {
        self.message + &self.fields
    }
}

impl Visit for Text {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_warnings_and_info_with_fields_and_drains_them_once() {
        collect();
        drain();
        tracing::warn!(host = %"https://example.test", "TLS verification is disabled");
        tracing::info!(
            method = "GET",
            path = "/secrets/",
            attempt = 0,
            "phase request"
        );
        tracing::debug!("not collected");
        let records = drain();
        let ours: Vec<_> = records
            .iter()
            .filter(|r| r.target == module_path!())
            .collect();
        assert_eq!(ours.len(), 2, "{records:?}");
        assert_eq!(ours[0].level, LogLevel::Warn);
        assert_eq!(
            ours[0].message,
            "TLS verification is disabled host=https://example.test"
        );
        assert_eq!(
            ours[1].message,
            "phase request method=GET path=/secrets/ attempt=0"
        );
        assert!(drain().iter().all(|r| r.target != module_path!()));
    }
}
