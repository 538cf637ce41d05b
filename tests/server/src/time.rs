//! Timestamps in the real server's format: `2026-11-28T22:59:30.142401Z` (UTC, microseconds).

use std::time::{Duration, SystemTime};

use phasekit::utc::UtcTime;

pub fn now() -> SystemTime {
    SystemTime::now()
}

pub fn format(at: SystemTime) -> String {
    let t = UtcTime::from_system_time(at);
    format!("{}T{}.{:06}Z", t.date(), t.clock(), t.microsecond)
}

/// A duration the way Django REST framework renders one: `HH:MM:SS`, or `D HH:MM:SS`.
pub fn drf_duration(duration: Duration) -> String {
    let total = duration.as_secs();
    let (days, rest) = (total / 86_400, total % 86_400);
    let clock = format!("{:02}:{:02}:{:02}", rest / 3600, rest / 60 % 60, rest % 60);
    if days > 0 {
        format!("{days} {clock}")
    } else {
        clock
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    #[test]
    fn formats_like_django() {
        let at = UNIX_EPOCH + Duration::from_micros(1_795_906_770_142_401);
        assert_eq!(format(at), "2026-11-28T22:59:30.142401Z");
        assert_eq!(drf_duration(Duration::from_secs(3600)), "01:00:00");
        assert_eq!(drf_duration(Duration::from_secs(86_400)), "1 00:00:00");
    }
}
