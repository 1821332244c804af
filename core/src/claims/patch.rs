//! Patch levels: dates encoded as the integer `YYYYMMDD`.

use alloc::format;
use alloc::string::String;

use ciborium::value::Value;

use super::de::{self, Path};
use crate::error::ClaimsError;
use crate::time::{civil_from_days, days_from_civil};

const SECONDS_PER_DAY: i64 = 86_400;

/// A security patch level: a date encoded as the integer `YYYYMMDD`.
///
/// Day `00` means "this month" (Android reports OS patch levels as `YYYYMM`;
/// [`PatchLevel::from_yyyymm`] normalises them to day `00`). Valid values have
/// year 1970..=9999, month 1..=12 and day 0..=31. Patch levels order as dates,
/// with a month-only level before every day of that month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PatchLevel(u32);

impl PatchLevel {
    /// A patch level from its `YYYYMMDD` encoding.
    ///
    /// ```
    /// # use mtattest::claims::PatchLevel;
    /// let p = PatchLevel::new(20240105).unwrap();
    /// assert_eq!((p.year(), p.month(), p.day()), (2024, 1, 5));
    /// assert!(PatchLevel::new(202401).is_err()); // YYYYMM: use from_yyyymm
    /// ```
    pub fn new(yyyymmdd: u32) -> Result<Self, ClaimsError> {
        check(yyyymmdd).map_err(|reason| ClaimsError::InvalidValue {
            path: "patch-level".into(),
            reason,
        })?;
        Ok(PatchLevel(yyyymmdd))
    }

    /// A patch level from year, month and day (day 0 for month-only).
    pub fn from_ymd(year: u32, month: u32, day: u32) -> Result<Self, ClaimsError> {
        if year > 9999 || month > 99 || day > 99 {
            return Err(ClaimsError::InvalidValue {
                path: "patch-level".into(),
                reason: format!("{year}-{month}-{day} is not a date"),
            });
        }
        Self::new(year * 10_000 + month * 100 + day)
    }

    /// A month-only patch level from Android's `YYYYMM` encoding, normalised to
    /// `YYYYMM00`.
    pub fn from_yyyymm(yyyymm: u32) -> Result<Self, ClaimsError> {
        match yyyymm.checked_mul(100) {
            Some(v) if yyyymm <= 999_999 => Self::new(v),
            _ => Err(ClaimsError::InvalidValue {
                path: "patch-level".into(),
                reason: format!("{yyyymm} is not a YYYYMM date"),
            }),
        }
    }

    /// The UTC date of the instant `unix_seconds`, or `None` before 1970 or
    /// after 9999.
    pub fn from_unix_time(unix_seconds: i64) -> Option<Self> {
        let (y, m, d) = civil_from_days(unix_seconds.div_euclid(SECONDS_PER_DAY));
        let y = u32::try_from(y).ok()?;
        Self::from_ymd(y, m, d).ok()
    }

    /// The `YYYYMMDD` encoding.
    pub const fn value(self) -> u32 {
        self.0
    }

    /// The year.
    pub const fn year(self) -> u32 {
        self.0 / 10_000
    }

    /// The month, 1..=12.
    pub const fn month(self) -> u32 {
        self.0 / 100 % 100
    }

    /// The day, 1..=31, or 0 for a month-only patch level.
    pub const fn day(self) -> u32 {
        self.0 % 100
    }

    /// Days from 1970-01-01 to this date; a month-only level counts as the
    /// first of its month.
    pub fn days_since_epoch(self) -> i64 {
        days_from_civil(i64::from(self.year()), self.month(), self.day().max(1))
    }

    /// Whole days from this date (00:00 UTC) to the instant `now_unix`;
    /// negative if the patch level lies in the future.
    pub fn age_days(self, now_unix: i64) -> i64 {
        now_unix.div_euclid(SECONDS_PER_DAY) - self.days_since_epoch()
    }

    /// Whether this patch level is more than `days` days old at `now_unix`
    /// (e.g. a "patch not older than 90 days" policy fails when this is true).
    pub fn is_older_than(self, days: u32, now_unix: i64) -> bool {
        self.age_days(now_unix) > i64::from(days)
    }

    pub(crate) fn decode(value: &Value, path: &Path<'_>) -> Result<Self, ClaimsError> {
        let raw: u32 = de::uint(value, path)?;
        check(raw).map_err(|reason| de::invalid(path, reason))?;
        Ok(PatchLevel(raw))
    }

    pub(crate) fn to_value(self) -> Value {
        Value::Integer(self.0.into())
    }
}

impl core::fmt::Display for PatchLevel {
    /// `YYYY-MM-DD`, or `YYYY-MM` for a month-only level.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.day() == 0 {
            write!(f, "{:04}-{:02}", self.year(), self.month())
        } else {
            write!(
                f,
                "{:04}-{:02}-{:02}",
                self.year(),
                self.month(),
                self.day()
            )
        }
    }
}

fn check(v: u32) -> Result<(), String> {
    let (year, month, day) = (v / 10_000, v / 100 % 100, v % 100);
    if !(1970..=9999).contains(&year) {
        return Err(format!("{v} is not YYYYMMDD with a year in 1970..=9999"));
    }
    if !(1..=12).contains(&month) {
        return Err(format!("{v} has month {month}; 1..=12 required"));
    }
    if day > 31 {
        return Err(format!("{v} has day {day}; 0..=31 required"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(PatchLevel::new(19700101).is_ok());
        assert!(PatchLevel::new(99991231).is_ok());
        assert!(PatchLevel::new(20240100).is_ok());
        assert!(PatchLevel::new(20240131).is_ok());
        for bad in [19691231, 20241301, 20240001, 20240132, 202401, 0, u32::MAX] {
            let err = PatchLevel::new(bad).unwrap_err();
            assert_eq!(err.code(), "claims.invalid-value", "{bad}");
        }
        assert_eq!(PatchLevel::from_yyyymm(202401).unwrap().value(), 20240100);
        assert!(PatchLevel::from_yyyymm(20240105).is_err());
        assert!(PatchLevel::from_yyyymm(196912).is_err());
        assert_eq!(PatchLevel::from_ymd(2024, 2, 29).unwrap().value(), 20240229);
        assert!(PatchLevel::from_ymd(2024, 100, 1).is_err());
    }

    #[test]
    fn ages() {
        let p = PatchLevel::new(20240105).unwrap();
        let jan5 = days_from_civil(2024, 1, 5) * SECONDS_PER_DAY;
        assert_eq!(p.age_days(jan5), 0);
        assert_eq!(p.age_days(jan5 + SECONDS_PER_DAY - 1), 0);
        assert_eq!(p.age_days(jan5 + 90 * SECONDS_PER_DAY), 90);
        assert!(!p.is_older_than(90, jan5 + 90 * SECONDS_PER_DAY));
        assert!(p.is_older_than(90, jan5 + 91 * SECONDS_PER_DAY));
        assert_eq!(p.age_days(jan5 - 1), -1);
        let month_only = PatchLevel::from_yyyymm(202401).unwrap();
        assert_eq!(month_only.days_since_epoch(), 19_723);
        assert!(month_only < PatchLevel::new(20240101).unwrap());
        assert_eq!(
            PatchLevel::from_unix_time(1_704_067_200).unwrap().value(),
            20240101
        );
        assert_eq!(PatchLevel::from_unix_time(-1), None);
        assert_eq!(alloc::format!("{month_only}"), "2024-01");
        assert_eq!(alloc::format!("{p}"), "2024-01-05");
    }
}
