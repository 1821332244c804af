//! Time, always passed in by the caller: the core never reads a clock, so the
//! same code runs in firmware, in WASM and in reproducible tests.

/// Seconds since the Unix epoch (1970-01-01T00:00:00Z), UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(pub i64);

impl UnixTime {
    /// The time `seconds` after the epoch.
    pub const fn from_secs(seconds: i64) -> UnixTime {
        UnixTime(seconds)
    }

    /// Seconds since the epoch.
    pub const fn secs(self) -> i64 {
        self.0
    }

    /// The current time from the system clock (std only; the core itself never calls it).
    #[cfg(feature = "std")]
    pub fn now() -> UnixTime {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        UnixTime(secs)
    }
}

/// An RFC 3339 date-time in UTC (`2026-01-01T00:00:00Z`), as every message
/// writes a time; outside the years 0000..=9999, which RFC 3339 cannot
/// write, the seconds since the epoch (`-99999999999999 s`).
///
/// ```
/// use mtattest::UnixTime;
///
/// assert_eq!(UnixTime(1_767_225_600).to_string(), "2026-01-01T00:00:00Z");
/// assert_eq!(UnixTime(i64::MAX).to_string(), "9223372036854775807 s");
/// ```
impl core::fmt::Display for UnixTime {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match crate::encoding::format_rfc3339(*self) {
            Some(text) => f.write_str(&text),
            None => write!(f, "{} s", self.0),
        }
    }
}

/// Epoch seconds of an error's field, to be shown as [`UnixTime`] shows a
/// time (the error messages' one form).
pub(crate) fn shown(secs: &i64) -> UnixTime {
    UnixTime(*secs)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// algorithm), negative before it. `month` is 1..=12 and `day` 1..=31; the
/// date is not validated. Exact for years far beyond any date the profile
/// carries (patch levels are 1970..=9999).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (month, day) = (i64::from(month), i64::from(day));
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `(year, month, day)` of a day count since
/// 1970-01-01, the inverse of [`days_from_civil`].
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // day is 1..=31 and month 1..=12 by construction.
    (year, month as u32, day as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 1, 1), 19_723); // 1704067200 / 86400
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn civil_round_trip_over_centuries() {
        // 1970-01-01 .. about 2400, including 2000 (leap) and 2100 (not leap).
        let mut prev = (1969, 12, 31);
        for days in 0..158_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!((y, m, d) > prev);
            prev = (y, m, d);
        }
        assert_eq!(
            civil_from_days(days_from_civil(2100, 3, 1) - 1),
            (2100, 2, 28)
        );
        assert_eq!(
            civil_from_days(days_from_civil(2000, 3, 1) - 1),
            (2000, 2, 29)
        );
    }
}
