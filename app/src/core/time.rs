//! Formatting shared by server rendering and hydration (both must print the same text).

/// Year, month, day, hour, minute, second and millisecond of a UTC instant.
fn civil(ms: i64) -> (i64, i64, i64, i64, i64, i64, i64) {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        ms.rem_euclid(1000),
    )
}

/// Milliseconds since the Unix epoch as `YYYY-MM-DD HH:MM UTC`.
pub fn utc_minute(ms: i64) -> String {
    let (y, mo, d, h, mi, _, _) = civil(ms);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC")
}

/// A unit of a relative time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// How far `at` is from `now` in the largest whole unit: `(n, unit, ahead)`, `ahead` when `at`
/// is still to come; `None` within a minute ("just now"). The words are the catalogue's
/// (`common.minutes_ago`, `common.in_days`, …).
pub fn span(at: i64, now: i64) -> Option<(i64, TimeUnit, bool)> {
    const UNITS: [(i64, TimeUnit); 6] = [
        (365 * 86_400_000, TimeUnit::Year),
        (30 * 86_400_000, TimeUnit::Month),
        (7 * 86_400_000, TimeUnit::Week),
        (86_400_000, TimeUnit::Day),
        (3_600_000, TimeUnit::Hour),
        (60_000, TimeUnit::Minute),
    ];
    let delta = now - at;
    let size = delta.abs();
    UNITS
        .iter()
        .find(|(unit, _)| size >= *unit)
        .map(|(unit, name)| (size / unit, *name, delta < 0))
}

/// Milliseconds since the Unix epoch as RFC 3339 (`2026-11-22T18:02:00.000Z`), for exports
/// and `<time datetime>`.
pub fn rfc3339(ms: i64) -> String {
    let (y, mo, d, h, mi, s, milli) = civil(ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    #[test]
    fn says_how_long_ago_in_the_largest_whole_unit() {
        const MIN: i64 = 60_000;
        const DAY: i64 = 24 * 60 * MIN;
        let now = 1_795_370_520_000;
        use super::TimeUnit::*;
        let ago = |ms: i64| super::span(now - ms, now);
        assert_eq!(ago(0), None);
        assert_eq!(ago(59_999), None);
        assert_eq!(ago(MIN), Some((1, Minute, false)));
        assert_eq!(ago(5 * MIN + 59_000), Some((5, Minute, false)));
        assert_eq!(ago(60 * MIN), Some((1, Hour, false)));
        assert_eq!(ago(3 * DAY + 1), Some((3, Day, false)));
        assert_eq!(ago(13 * DAY), Some((1, Week, false)));
        assert_eq!(ago(45 * DAY), Some((1, Month, false)));
        assert_eq!(ago(800 * DAY), Some((2, Year, false)));
        assert_eq!(ago(-2 * 60 * MIN), Some((2, Hour, true)));
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(super::utc_minute(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::utc_minute(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(super::utc_minute(1_795_370_520_000), "2026-11-22 18:02 UTC");
        assert_eq!(
            super::rfc3339(1_795_370_520_123),
            "2026-11-22T18:02:00.123Z"
        );
    }
}
