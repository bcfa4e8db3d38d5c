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

/// How long ago `at` was, seen at `now` ("just now", "5 minutes ago", "3 days ago"; "in 2
/// hours" for a time still ahead), in the largest whole unit.
pub fn relative(at: i64, now: i64) -> String {
    const UNITS: [(i64, &str); 6] = [
        (365 * 86_400_000, "year"),
        (30 * 86_400_000, "month"),
        (7 * 86_400_000, "week"),
        (86_400_000, "day"),
        (3_600_000, "hour"),
        (60_000, "minute"),
    ];
    let delta = now - at;
    let span = delta.abs();
    let Some((n, unit)) = UNITS
        .iter()
        .find(|(size, _)| span >= *size)
        .map(|(size, unit)| (span / size, *unit))
    else {
        return "just now".into();
    };
    let plural = if n == 1 { "" } else { "s" };
    if delta >= 0 {
        format!("{n} {unit}{plural} ago")
    } else {
        format!("in {n} {unit}{plural}")
    }
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
        let ago = |ms: i64| super::relative(now - ms, now);
        assert_eq!(ago(0), "just now");
        assert_eq!(ago(59_999), "just now");
        assert_eq!(ago(MIN), "1 minute ago");
        assert_eq!(ago(5 * MIN + 59_000), "5 minutes ago");
        assert_eq!(ago(60 * MIN), "1 hour ago");
        assert_eq!(ago(3 * DAY + 1), "3 days ago");
        assert_eq!(ago(13 * DAY), "1 week ago");
        assert_eq!(ago(45 * DAY), "1 month ago");
        assert_eq!(ago(800 * DAY), "2 years ago");
        assert_eq!(ago(-2 * 60 * MIN), "in 2 hours");
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
