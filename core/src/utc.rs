//! A point in time split into UTC calendar fields, for the few timestamps the project writes
//! by hand (SigV4's `X-Amz-Date`, the local test server's Django-style times, benchmark
//! headers) without a date crate. Shared with the test server and the benchmarks so that the
//! calendar arithmetic exists once.

use std::time::{SystemTime, UNIX_EPOCH};

/// UTC calendar fields of a `SystemTime` (times before 1970 count as 1970-01-01T00:00:00Z).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u64,
    pub minute: u64,
    pub second: u64,
    pub microsecond: u32,
}

impl UtcTime {
    pub fn from_system_time(at: SystemTime) -> UtcTime {
        let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
        let secs = since.as_secs() % 86_400;
        let (year, month, day) = civil_from_days((since.as_secs() / 86_400) as i64);
        UtcTime {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
            microsecond: since.subsec_micros(),
        }
    }

    /// `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `HH:MM:SS`.
    pub fn clock(&self) -> String {
        format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }
}

/// Days since 1970-01-01 -> (year, month, day), proleptic Gregorian (Howard Hinnant's method).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(secs: u64) -> UtcTime {
        UtcTime::from_system_time(UNIX_EPOCH + Duration::from_secs(secs))
    }

    #[test]
    fn splits_known_instants() {
        assert_eq!(at(0).date(), "1970-01-01");
        // 2000-02-29, a leap day in a year divisible by 400.
        assert_eq!(at(951_782_400).date(), "2000-02-29");
        let t =
            UtcTime::from_system_time(UNIX_EPOCH + Duration::from_micros(1_795_906_770_142_401));
        assert_eq!(
            (t.date(), t.clock()),
            ("2026-11-28".into(), "22:59:30".into())
        );
        assert_eq!(t.microsecond, 142_401);
    }

    #[test]
    fn times_before_1970_are_the_epoch() {
        let t = UtcTime::from_system_time(UNIX_EPOCH - Duration::from_secs(1));
        assert_eq!(t, at(0));
    }
}
