//! Which of the unused objects a prune removes: docker's prune filters, `until=WHEN` (made
//! before then) and `label=KEY[=VALUE]` / `label!=KEY[=VALUE]` (with, or without, the label).

use std::collections::BTreeMap;

use crate::ApiError;

/// A prune's filters; the default lets everything through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PruneFilter {
    /// Unix seconds: only what was made before.
    until: Option<i64>,
    labels: Vec<LabelTest>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct LabelTest {
    key: String,
    value: Option<String>,
    /// `label=` (must have it) or `label!=` (must not).
    wanted: bool,
}

impl PruneFilter {
    /// `KEY=value` filters as docker's prunes take them; `now` (unix seconds) for durations.
    pub fn parse(filters: &[String], now: i64) -> Result<Self, ApiError> {
        let usage = "a prune filter is until=WHEN (24h, a unix time, 2026-11-30T10:00:00Z) or label=KEY[=VALUE] / label!=KEY[=VALUE]";
        let mut out = Self::default();
        for f in filters {
            let (key, value) = f
                .split_once('=')
                .ok_or_else(|| ApiError::invalid(format!("--filter {f:?}: {usage}")))?;
            match key {
                "until" => {
                    out.until = Some(
                        crate::times::when(value, now)
                            .ok_or_else(|| ApiError::invalid(format!("--filter {f:?}: {usage}")))?,
                    )
                }
                "label" | "label!" if !value.is_empty() => {
                    let (k, v) = match value.split_once('=') {
                        Some((k, v)) => (k, Some(v.to_owned())),
                        None => (value, None),
                    };
                    out.labels.push(LabelTest {
                        key: k.to_owned(),
                        value: v,
                        wanted: key == "label",
                    });
                }
                _ => return Err(ApiError::invalid(format!("--filter {f:?}: {usage}"))),
            }
        }
        Ok(out)
    }

    /// Whether it says `until` (which volumes do not take: the engine keeps no useful time).
    pub fn has_until(&self) -> bool {
        self.until.is_some()
    }

    /// Whether an object made at `created` (unix seconds, when known) with `labels` goes.
    pub fn lets(&self, created: Option<i64>, labels: &BTreeMap<String, String>) -> bool {
        let old_enough = match (self.until, created) {
            (Some(until), Some(created)) => created < until,
            (Some(_), None) => false,
            (None, _) => true,
        };
        old_enough
            && self.labels.iter().all(|t| {
                let has = match (&t.value, labels.get(&t.key)) {
                    (Some(v), Some(have)) => v == have,
                    (None, Some(_)) => true,
                    (_, None) => false,
                };
                has == t.wanted
            })
    }
}

/// An engine time (RFC 3339) in unix seconds.
pub(crate) fn seconds(text: Option<&str>) -> Option<i64> {
    text?.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

#[cfg(test)]
mod tests {
    use super::PruneFilter;
    use std::collections::BTreeMap;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn until_and_labels_as_docker_takes_them() {
        let now = 1_800_000_000;
        let parse = |f: &[&str]| {
            PruneFilter::parse(&f.iter().map(|s| s.to_string()).collect::<Vec<_>>(), now)
        };
        let day = parse(&["until=24h"]).unwrap();
        assert!(day.lets(Some(now - 90_000), &labels(&[])));
        assert!(!day.lets(Some(now - 3_600), &labels(&[])));
        assert!(!day.lets(None, &labels(&[])), "no time known: kept");
        let stamp = parse(&["until=2027-01-15T08:00:00Z"]).unwrap();
        assert!(stamp.lets(Some(1_799_999_999), &labels(&[])));
        assert!(!stamp.lets(Some(1_800_000_000), &labels(&[])));
        assert!(
            parse(&["until=1799999999"])
                .unwrap()
                .lets(Some(1), &labels(&[]))
        );

        let keep = labels(&[("keep", "yes")]);
        let team = labels(&[("team", "a")]);
        let with = parse(&["label=team"]).unwrap();
        assert!(with.lets(None, &team) && !with.lets(None, &keep));
        let value = parse(&["label=team=b"]).unwrap();
        assert!(!value.lets(None, &team));
        let without = parse(&["label!=keep"]).unwrap();
        assert!(without.lets(None, &team) && !without.lets(None, &keep));
        let not_value = parse(&["label!=keep=no"]).unwrap();
        assert!(not_value.lets(None, &keep));

        for bad in ["until=soon", "label=", "name=x", "until"] {
            let err = parse(&[bad]).unwrap_err().message;
            assert!(
                err.contains(bad) && err.contains("until=WHEN"),
                "{bad}: {err}"
            );
        }
    }
}
