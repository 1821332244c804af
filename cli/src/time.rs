//! RFC 3339 times for the CLI: parsing `--at` and showing epoch seconds.

use mtattest::time::{civil_from_days, days_from_civil};

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Epoch seconds as `2026-01-01T00:00:00Z` (years 0..=9999; others as
/// plain seconds).
pub fn format(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return format!("{secs} s");
    }
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Parses an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, an optional
/// fraction (dropped), and `Z` or an offset `±HH:MM`. `t`, `z` and a space
/// for `T` are accepted, as RFC 3339 allows.
pub fn parse_rfc3339(text: &str) -> Result<i64, String> {
    let b = text.as_bytes();
    let num = |range: core::ops::Range<usize>| -> Result<i64, String> {
        let part = b.get(range).ok_or("too short")?;
        if part.iter().all(u8::is_ascii_digit) {
            Ok(part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
        } else {
            Err("not a date-time".to_string())
        }
    };
    let sep = |at: usize, ok: &[u8]| -> Result<(), String> {
        match b.get(at) {
            Some(c) if ok.contains(c) => Ok(()),
            _ => Err("not a date-time".to_string()),
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
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err("no such date".to_string());
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err("no such time of day".to_string());
    }
    let mut at = 19;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return Err("empty fraction of a second".to_string());
        }
    }
    let offset = match &b[at..] {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), rest @ ..] if rest.len() == 5 && rest[2] == b':' => {
            let h = num(at + 1..at + 3)?;
            let m = num(at + 4..at + 6)?;
            if h > 23 || m > 59 {
                return Err("bad offset".to_string());
            }
            let o = h * 3600 + m * 60;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        [] => return Err("no time zone (add Z for UTC)".to_string()),
        _ => return Err("bad time zone".to_string()),
    };
    // A leap second is read as the next second.
    // month and day were checked above (1..=12, 1..=31).
    let days = days_from_civil(year, month as u32, day as u32);
    Ok(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for secs in [0, 1_767_225_600, 951_782_400, 4_102_444_799] {
            assert_eq!(parse_rfc3339(&format(secs)).unwrap(), secs);
        }
        assert_eq!(format(1_767_225_600), "2026-01-01T00:00:00Z");
    }

    #[test]
    fn forms() {
        assert_eq!(
            parse_rfc3339("2026-01-01t00:00:00.123z").unwrap(),
            1_767_225_600
        );
        assert_eq!(
            parse_rfc3339("2026-01-01T01:00:00+01:00").unwrap(),
            1_767_225_600
        );
        assert_eq!(
            parse_rfc3339("2025-12-31T23:00:00-01:00").unwrap(),
            1_767_225_600
        );
        assert_eq!(
            parse_rfc3339("2024-02-29 00:00:00Z").unwrap(),
            1_709_164_800
        );
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
            "2026-01-01T00:00:00Zjunk",
            "２026-01-01T00:00:00Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }
}
