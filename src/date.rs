//! Publication dates, parsed leniently into days since the common era.
//!
//! Owns: the date formats neardup understands. Must not: fail a document for a date it cannot
//! read; such a date is kept as given in reports and treated as unknown for `--window` and
//! "earliest copy".
//!
//! Two readings of a date: its day ([`parse_day`], for `--window`) and its [`moment`], the
//! order of publication used to name the earliest copy of a cluster and its reference copy: the
//! instant when a time of day is given (12:56 comes before 16:50 of the same day), else the
//! end of the day.

use chrono::{DateTime, NaiveDate};

/// Formats tried on the start of the string, after ISO 8601 and RFC 2822.
const FORMATS: &[&str] = &[
    "%d-%b-%Y", // 26-FEB-1987 (Reuters-21578)
    "%Y/%m/%d",
    "%B %d, %Y", // August 13, 2025
    "%b %d, %Y", // Aug 13, 2025
    "%d %B %Y",  // 13 August 2025
    "%d %b %Y",  // 13 Aug 2025
];

/// Days since 0001-01-01 of a date written as `2025-08-13`, `2025-08-13T09:00:00Z`,
/// `Wed, 13 Aug 2025 09:00:00 +0000`, `26-FEB-1987 15:01:01.79`, `August 13, 2025` and
/// similar; `None` when the string is not a date neardup can read.
///
/// ```
/// use neardup::date::parse_day;
/// assert_eq!(parse_day("2025-08-14"), parse_day("2025-08-13T23:00:00Z").map(|d| d + 1));
/// assert_eq!(parse_day("26-FEB-1987 15:01:01.79"), parse_day("1987-02-26"));
/// assert_eq!(parse_day("yesterday"), None);
/// ```
pub fn parse_day(s: &str) -> Option<i32> {
    use chrono::Datelike;
    let s = s.trim();
    if let Some(d) = iso_day(s) {
        return Some(d);
    }
    if let Some(d) = s
        .get(..10)
        .and_then(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok())
    {
        return Some(d.num_days_from_ce());
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.date_naive().num_days_from_ce());
    }
    FORMATS.iter().find_map(|f| {
        NaiveDate::parse_and_remainder(s, f)
            .ok()
            .map(|(d, _)| d.num_days_from_ce())
    })
}

/// Formats with a time of day (read as UTC), tried on the start of the string after RFC 3339
/// and RFC 2822, and after the same formats with an offset.
const TIME_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%d-%b-%Y %H:%M:%S%.f", // 26-FEB-1987 15:01:01.79 (Reuters-21578)
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
];

/// Seconds in a day.
const DAY_SECONDS: i64 = 86_400;

/// The order of publication of a date: seconds since 0001-01-01T00:00:00 UTC of the instant it
/// names when it has a time of day (with its offset, or read as UTC without one), else of the
/// last second of its day ([`parse_day`]): a date without a time is not known to come before
/// any time of that day. `None` when neither can be read.
///
/// ```
/// use neardup::date::moment;
/// assert!(moment("26-FEB-1987 12:56:00.00") < moment("26-FEB-1987 16:50:00.00"));
/// assert!(moment("2025-08-13T10:00:00+09:00") < moment("2025-08-13T02:00:00Z"));
/// assert!(moment("2025-08-13T23:00:00Z") < moment("2025-08-13"));
/// assert!(moment("2025-08-13") < moment("2025-08-14T00:00:00Z"));
/// assert_eq!(moment("yesterday"), None);
/// ```
pub fn moment(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() > 10 {
        if let Some(t) = instant(s) {
            return Some(t);
        }
    }
    parse_day(s).map(|d| i64::from(d) * DAY_SECONDS + DAY_SECONDS - 1)
}

/// Seconds since 0001-01-01T00:00:00 UTC of a date with a time of day; `None` without one.
fn instant(s: &str) -> Option<i64> {
    use chrono::{Datelike, NaiveDateTime, Timelike};
    let seconds = |t: NaiveDateTime| {
        i64::from(t.date().num_days_from_ce()) * DAY_SECONDS
            + i64::from(t.time().num_seconds_from_midnight())
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(seconds(t.naive_utc()));
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(seconds(t.naive_utc()));
    }
    for f in TIME_FORMATS {
        for zone in ["%#z", "%z"] {
            if let Ok((t, _)) = DateTime::parse_and_remainder(s, &format!("{f}{zone}")) {
                return Some(seconds(t.naive_utc()));
            }
        }
        if let Ok((t, _)) = NaiveDateTime::parse_and_remainder(s, f) {
            return Some(seconds(t));
        }
    }
    None
}

/// The day of a text starting `YYYY-MM-DD` (digits), as `%Y-%m-%d` reads it, without
/// parsing a format: the common case. `None` for anything else, and for a day that does not
/// exist (the general path then has its say).
fn iso_day(s: &str) -> Option<i32> {
    use chrono::Datelike;
    let b = s.as_bytes().get(..10)?;
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    NaiveDate::from_ymd_opt(y as i32, m, d).map(|d| d.num_days_from_ce())
}

#[cfg(test)]
mod tests {
    use super::parse_day;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn iso_fast_path_agrees_with_the_format(
            y in 0u32..10000, m in 0u32..14, d in 0u32..33, rest in "[ T0-9:+Z]{0,8}",
        ) {
            use chrono::Datelike;
            let s = format!("{y:04}-{m:02}-{d:02}{rest}");
            let general = chrono::NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d")
                .ok()
                .map(|d| d.num_days_from_ce());
            prop_assert_eq!(super::iso_day(&s), general);
        }
    }

    /// The same day: the time decides; a day alone comes after every time of that day; an
    /// offset is taken into account.
    #[test]
    fn moments_order_times_within_a_day() {
        use super::moment;
        let at = |s: &str| moment(s).unwrap_or_else(|| panic!("{s} unread"));
        assert!(at("26-FEB-1987 12:56:31.10") < at("26-FEB-1987 16:50:02.00"));
        assert!(at("1987-02-26 16:50") > at("1987-02-26T12:56:00Z"));
        assert!(at("Thu, 26 Feb 1987 12:56:00 +0000") < at("Thu, 26 Feb 1987 16:50:00 +0000"));
        assert!(at("2025-08-13T10:00:00+09:00") < at("2025-08-13T02:00:00+00:00"));
        assert!(at("2025-08-13T10:00:00+0900") < at("2025-08-13T02:00:00Z"));
        assert!(at("2025-08-13T23:59:00Z") < at("2025-08-13"));
        assert!(at("2025-08-13") < at("2025-08-14T00:00:00Z"));
        assert_eq!(
            at("2025-08-13T00:00:00Z") / 86_400,
            i64::from(parse_day("2025-08-13").unwrap())
        );
        assert_eq!(moment(""), None);
        assert_eq!(moment("2025-13-45T10:00:00Z"), None);
    }

    #[test]
    fn formats() {
        let d = parse_day("2025-08-13").unwrap();
        for s in [
            "2025-08-13T10:00:00+09:00",
            "Wed, 13 Aug 2025 10:00:00 +0000",
            "2025/08/13",
            "August 13, 2025",
            "Aug 13, 2025",
            "13 August 2025",
            "13-AUG-2025 10:00:00.00",
        ] {
            assert_eq!(parse_day(s), Some(d), "{s}");
        }
        assert_eq!(parse_day(""), None);
        assert_eq!(parse_day("2025-13-45"), None);
    }
}
