//! Times as text: RFC 3339 date-times (parsed and formatted), and a time as
//! a person writes it on a command line or in a form (epoch seconds or RFC
//! 3339).

use alloc::format;
use alloc::string::String;

use super::EncodingError;
use crate::time::{civil_from_days, days_from_civil, UnixTime};

const DAY: i64 = 86_400;

/// Epoch seconds as an RFC 3339 date-time in UTC, `2026-01-01T00:00:00Z`;
/// `None` outside the years 0000..=9999, which RFC 3339 cannot write.
///
/// ```
/// use mtattest::encoding::format_rfc3339;
/// use mtattest::UnixTime;
///
/// assert_eq!(format_rfc3339(UnixTime(1_767_225_600)).unwrap(), "2026-01-01T00:00:00Z");
/// assert_eq!(format_rfc3339(UnixTime(-1)).unwrap(), "1969-12-31T23:59:59Z");
/// assert_eq!(format_rfc3339(UnixTime(i64::MAX)), None);
/// ```
pub fn format_rfc3339(time: UnixTime) -> Option<String> {
    let secs = time.secs();
    let (y, m, d) = civil_from_days(secs.div_euclid(DAY));
    if !(0..=9999).contains(&y) {
        return None;
    }
    let rem = secs.rem_euclid(DAY);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    ))
}

/// Parses an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, an optional
/// fraction of a second (dropped), and `Z` or an offset `±HH:MM`. `t`, `z`
/// and a space for `T` are accepted, as RFC 3339 allows; a leap second is
/// read as the next second.
///
/// ```
/// use mtattest::encoding::parse_rfc3339;
/// use mtattest::UnixTime;
///
/// assert_eq!(parse_rfc3339("2026-01-01T01:00:00.5+01:00").unwrap(), UnixTime(1_767_225_600));
/// assert!(parse_rfc3339("2026-01-01T00:00:00").is_err()); // no time zone
/// ```
pub fn parse_rfc3339(text: &str) -> Result<UnixTime, EncodingError> {
    let bad = |reason: &str| EncodingError::new(reason);
    let b = text.as_bytes();
    let num = |range: core::ops::Range<usize>| -> Result<i64, EncodingError> {
        let part = b.get(range).ok_or_else(|| bad("too short"))?;
        if part.iter().all(u8::is_ascii_digit) {
            Ok(part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
        } else {
            Err(bad("not a date-time"))
        }
    };
    let sep = |at: usize, ok: &[u8]| -> Result<(), EncodingError> {
        match b.get(at) {
            Some(c) if ok.contains(c) => Ok(()),
            _ => Err(bad("not a date-time")),
        }
    };
    let year = num(0..4)?;
    sep(4, b"-")?;
    let month = num(5..7)?;
    sep(7, b"-")?;
    let day = num(8..10)?;
    sep(10, b"Tt ")?;
    let hour = num(11..13)?;
    sep(13, b":")?;
    let minute = num(14..16)?;
    sep(16, b":")?;
    let second = num(17..19)?;
    let (Ok(month), Ok(day)) = (u32::try_from(month), u32::try_from(day)) else {
        return Err(bad("no such date"));
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(bad("no such date"));
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err(bad("no such time of day"));
    }
    let mut at = 19;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return Err(bad("empty fraction of a second"));
        }
    }
    let offset = match b.get(at..).unwrap_or_default() {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |x: u8, y: u8| num_pair(x, y).ok_or_else(|| bad("bad time zone"));
            let (h, m) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if h > 23 || m > 59 {
                return Err(bad("bad time zone"));
            }
            let o = h * 3600 + m * 60;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        [] => return Err(bad("no time zone (add Z for UTC)")),
        _ => return Err(bad("bad time zone")),
    };
    let days = days_from_civil(year, month, day);
    Ok(UnixTime(
        days * DAY + hour * 3600 + minute * 60 + second - offset,
    ))
}

/// A time as a person writes it: epoch seconds (`1767225600`, `-1`) or an
/// RFC 3339 date-time. Surrounding whitespace is ignored.
///
/// ```
/// use mtattest::encoding::parse_time;
/// use mtattest::UnixTime;
///
/// assert_eq!(parse_time(" 1767225600 ").unwrap(), UnixTime(1_767_225_600));
/// assert_eq!(parse_time("2026-01-01T00:00:00Z").unwrap(), UnixTime(1_767_225_600));
/// assert!(parse_time("tomorrow").is_err());
/// ```
pub fn parse_time(text: &str) -> Result<UnixTime, EncodingError> {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse::<i64>()
            .map(UnixTime)
            .map_err(|_| EncodingError::new("out of range"));
    }
    parse_rfc3339(t).map_err(|e| {
        EncodingError::new(format!(
            "{e} (expected epoch seconds or RFC 3339 such as 2026-01-01T00:00:00Z)"
        ))
    })
}

fn num_pair(x: u8, y: u8) -> Option<i64> {
    (x.is_ascii_digit() && y.is_ascii_digit()).then(|| i64::from((x - b'0') * 10 + (y - b'0')))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> i64 {
        parse_rfc3339(text).map(UnixTime::secs).unwrap()
    }

    #[test]
    fn round_trips() {
        for secs in [
            0,
            1_767_225_600,
            951_782_400,
            4_102_444_799,
            -62_167_219_200,
        ] {
            let text = format_rfc3339(UnixTime(secs)).unwrap();
            assert_eq!(parse(&text), secs, "{text}");
        }
        assert_eq!(format_rfc3339(UnixTime(-62_167_219_201)), None); // year -1
        assert_eq!(format_rfc3339(UnixTime(253_402_300_800)), None); // year 10000
    }

    #[test]
    fn forms() {
        assert_eq!(parse("2026-01-01t00:00:00.123z"), 1_767_225_600);
        assert_eq!(parse("2026-01-01T01:00:00+01:00"), 1_767_225_600);
        assert_eq!(parse("2025-12-31T23:00:00-01:00"), 1_767_225_600);
        assert_eq!(parse("2024-02-29 00:00:00Z"), 1_709_164_800);
        assert_eq!(parse("2016-12-31T23:59:60Z"), 1_483_228_800);
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "2026",
            "2026-01-01",
            "2026-01-01T00:00:00",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00+0100",
            "2026-01-01T00:00:00+01:60",
            "2026-01-01T00:00:00+1:000",
            "2026-01-01T00:00:00Zjunk",
            "２026-01-01T00:00:00Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
        for bad in ["", "-", "1e9", "99999999999999999999", "2026-01-01"] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }
}
