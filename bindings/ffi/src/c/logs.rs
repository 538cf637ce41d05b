//! The core's diagnostics, drained by the host (nothing here calls back into it).

use std::panic::catch_unwind;

use super::memory::{PhasekitOwned, PhasekitStr, items, own};
use crate::types::{LogRecord, drain_logs};

/// One diagnostic: `level` (`error`, `warn` or `info`), the module that logged it (`target`)
/// and the message with its fields. Never a header, a body, a secret value or a token.
#[repr(C)]
pub struct PhasekitLogRecord {
    pub level: PhasekitStr,
    pub target: PhasekitStr,
    pub message: PhasekitStr,
}

/// The records of `phasekit_logs_drain`, oldest first (free with `phasekit_owned_free(owner)`).
#[repr(C)]
pub struct PhasekitLogs {
    pub items: *const PhasekitLogRecord,
    pub len: usize,
    pub owner: *mut PhasekitOwned,
}

/// Takes the diagnostics the core logged since the last drain. Collection starts with the first
/// client: warnings always (e.g. TLS verification turned off), one `info` line per request for
/// clients created with `debug`. Records are process-wide, not per client; the queue is
/// bounded, and when records were lost a warning saying how many comes first.
#[unsafe(no_mangle)]
pub extern "C" fn phasekit_logs_drain() -> PhasekitLogs {
    // A panic (e.g. while formatting) loses the records instead of unwinding into the caller.
    let records: Vec<LogRecord> = catch_unwind(drain_logs).unwrap_or_default();
    let views: Vec<PhasekitLogRecord> = records
        .iter()
        .map(|r| PhasekitLogRecord {
            level: PhasekitStr::of(&r.level),
            target: PhasekitStr::of(&r.target),
            message: PhasekitStr::of(&r.message),
        })
        .collect();
    PhasekitLogs {
        items: items(&views),
        len: views.len(),
        owner: own((records, views)),
    }
}
