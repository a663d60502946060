//! Calendar time in UTC from seconds since 1970, for file names and packet
//! lines (zcap prints no local time: that would need the C library's time
//! zone code).

/// A moment in UTC, to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UtcTime {
    /// Year.
    pub year: u64,
    /// Month, 1-12.
    pub month: u64,
    /// Day of the month, 1-31.
    pub day: u64,
    /// Hour, 0-23.
    pub hour: u64,
    /// Minute, 0-59.
    pub minute: u64,
    /// Second, 0-59.
    pub second: u64,
}

impl UtcTime {
    /// The UTC time `unix_secs` seconds after 1970-01-01 00:00:00.
    pub fn from_unix(unix_secs: u64) -> UtcTime {
        let (year, month, day) = civil_from_days(unix_secs / 86_400);
        let secs = unix_secs % 86_400;
        UtcTime {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
        }
    }
}

/// Gregorian date of a day count since 1970-01-01 (H. Hinnant's
/// `civil_from_days`, restricted to dates after 1970).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_across_leap_days_and_the_epoch() {
        let leap = UtcTime::from_unix(951_782_400);
        assert_eq!((leap.year, leap.month, leap.day), (2000, 2, 29));
        let epoch = UtcTime::from_unix(0);
        assert_eq!(
            (epoch.year, epoch.month, epoch.day, epoch.hour),
            (1970, 1, 1, 0)
        );
        let later = UtcTime::from_unix(1_764_147_600 + 3_723);
        assert_eq!(
            (
                later.year,
                later.month,
                later.day,
                later.hour,
                later.minute,
                later.second
            ),
            (2025, 11, 26, 10, 2, 3)
        );
    }
}
