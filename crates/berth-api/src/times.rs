//! Times as docker's `--since` and `--until` flags and `until=` filters take them.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// `text` in unix seconds, read as docker reads it: unix seconds (`1700000000`, `1700000000.5`),
/// a duration back from `now` (Go's: `10m`, `1h30m`, `1.5h`; and `2d`), an RFC 3339 time
/// (`2026-12-03T10:00:00Z`, `2026-12-03T10:00:00+01:00`), or a time or date without a zone, in
/// this machine's (`2026-12-03T10:00:00`, `2026-12-03T10:00`, `2026-12-03`). `None` for
/// anything else.
pub fn when(text: &str, now: i64) -> Option<i64> {
    when_in(text, now, &TimeZone::system())
}

fn when_in(text: &str, now: i64, zone: &TimeZone) -> Option<i64> {
    let text = text.trim();
    if text.starts_with(|c: char| c.is_ascii_digit())
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return text.split('.').next()?.parse().ok();
    }
    if text.ends_with(|c: char| c.is_ascii_alphabetic()) && !text.contains(['-', ':']) {
        if let Some(days) = text.strip_suffix('d').and_then(|n| n.parse::<i64>().ok()) {
            return Some(now - days * 86_400);
        }
        return berth_compose::convert::duration_ns(text).map(|ns| now - ns / 1_000_000_000);
    }
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Some(t.as_second());
    }
    let civil = text.parse::<DateTime>().ok()?;
    civil
        .to_zoned_datetime(zone.clone())
        .ok()
        .map(|z| z.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::when_in;
    use jiff::tz::{Offset, TimeZone};

    #[test]
    fn times_as_docker_reads_them() {
        let now = 1_800_000_000;
        let utc = TimeZone::UTC;
        let plus_one = TimeZone::fixed(Offset::constant(1));
        for (text, zone, want) in [
            ("1700000000", &utc, Some(1_700_000_000)),
            ("1700000000.5", &utc, Some(1_700_000_000)),
            ("10m", &utc, Some(now - 600)),
            ("1h30m", &utc, Some(now - 5_400)),
            ("1.5h", &utc, Some(now - 5_400)),
            ("2d", &utc, Some(now - 172_800)),
            ("2026-12-03T10:00:00Z", &utc, Some(1_796_292_000)),
            ("2026-12-03T10:00:00+01:00", &utc, Some(1_796_288_400)),
            ("2026-12-03T10:00:00.250Z", &utc, Some(1_796_292_000)),
            ("2026-12-03T10:00:00", &plus_one, Some(1_796_288_400)),
            ("2026-12-03T10:00", &plus_one, Some(1_796_288_400)),
            ("2026-12-03", &utc, Some(1_796_256_000)),
            ("yesterday", &utc, None),
            ("10x", &utc, None),
            ("2026-13-03", &utc, None),
            ("", &utc, None),
        ] {
            assert_eq!(when_in(text, now, zone), want, "{text}");
        }
    }
}
