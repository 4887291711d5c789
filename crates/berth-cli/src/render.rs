//! Rendering for people: docker-style tables and texts. Pure functions of the wire types and
//! "now", so tests compare them as golden text.

use std::io::Write;

use berth_api::wire::{
    ContainerRow, ContextRow, EngineView, ImageRow, InfoView, NetworkRow, OwnEngineView, PortView,
    VersionView, VolumeRow,
};
use tabwriter::TabWriter;

use crate::template::{Field, Template};

/// Aligns tab-separated rows as docker's lists do (Go tabwriter, min width 10, padding 3).
pub fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    table_min(header, rows, 10)
}

/// [`table`] with columns at least `min` wide, padding included (docker's `top` takes 20).
fn table_min(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>, min: usize) -> String {
    let rows: Vec<Vec<String>> = rows.into_iter().collect();
    // Go's minwidth counts the padding, this crate's does not: min - 3 gives docker's
    // max(min, len + 3).
    let mut tw = TabWriter::new(Vec::new()).minwidth(min - 3).padding(3);
    let _ = writeln!(tw, "{}", header.join("\t"));
    for row in &rows {
        let _ = writeln!(tw, "{}", row.join("\t"));
    }
    let bytes = tw.into_inner().unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.lines().map(str::trim_end);
    // tabwriter pads the last cell of a line too; Go's pads every cell but that one, so a line
    // whose last cell is empty ends with the padding of the cell before it.
    let head = lines.next().unwrap_or_default();
    let last_column = head.chars().count() - header.last().map_or(0, |h| h.chars().count());
    let mut out = format!("{head}\n");
    for (line, row) in lines.zip(&rows) {
        let ends_empty = row.len() > 1 && row.last().is_some_and(String::is_empty);
        let width = if ends_empty { last_column } else { 0 };
        // A last cell that ends in spaces keeps them (the trim above took them with the padding).
        let kept = row.last().map_or("", |c| &c[c.trim_end().len()..]);
        out += &format!("{:<width$}\n", format!("{line}{kept}"));
    }
    out
}

/// docker's `units.HumanDuration`.
pub fn human_duration(secs: i64) -> String {
    let secs = secs.max(0);
    let minutes = secs / 60;
    let hours = (secs as f64 / 3600.0).round() as i64;
    match secs {
        0 => "Less than a second".into(),
        1 => "1 second".into(),
        s if s < 60 => format!("{s} seconds"),
        _ if minutes == 1 => "About a minute".into(),
        _ if minutes < 60 => format!("{minutes} minutes"),
        _ if hours == 1 => "About an hour".into(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if hours < 24 * 7 * 2 => format!("{} days", hours / 24),
        _ if hours < 24 * 30 * 2 => format!("{} weeks", hours / 24 / 7),
        _ if hours < 24 * 365 * 2 => format!("{} months", hours / 24 / 30),
        _ => format!("{} years", secs / 3600 / 24 / 365),
    }
}

/// docker's `units.HumanSizeWithPrecision(size, 3)`: decimal units, three significant digits.
pub fn human_size(bytes: i64) -> String {
    human_size_with(bytes, 3)
}

/// [`human_size`] of a count the facade gives unsigned (what a prune reclaimed, a file's size).
pub fn human_size_u64(bytes: u64) -> String {
    human_size(i64::try_from(bytes).unwrap_or(i64::MAX))
}

/// docker's `units.HumanSizeWithPrecision(size, digits)`.
fn human_size_with(bytes: i64, digits: i32) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut value = bytes.max(0) as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{}{}", significant(value, digits), UNITS[unit])
}

/// A line of `docker system df`: what it counts, and whether its RECLAIMABLE shows its share of
/// the size (all but the build cache's, as docker writes it).
pub struct DfLine<'a> {
    kind: &'static str,
    usage: &'a berth_api::UsageLine,
    percent: bool,
}

pub fn df_lines(d: &berth_api::DiskUsageView) -> [DfLine<'_>; 4] {
    let line = |kind, usage, percent| DfLine {
        kind,
        usage,
        percent,
    };
    [
        line("Images", &d.images, true),
        line("Containers", &d.containers, true),
        line("Local Volumes", &d.volumes, true),
        line("Build Cache", &d.build_cache, false),
    ]
}

/// The fields `docker system df --format` templates know.
pub fn df_fields<'a>() -> Vec<Field<DfLine<'a>>> {
    vec![
        Field::new("Type", "TYPE", |l: &DfLine| l.kind.to_owned()),
        Field::new("TotalCount", "TOTAL", |l: &DfLine| {
            l.usage.total.to_string()
        }),
        Field::new("Active", "ACTIVE", |l: &DfLine| l.usage.active.to_string()),
        Field::new("Size", "SIZE", |l: &DfLine| {
            human_size_with(l.usage.size, 4)
        }),
        Field::new("Reclaimable", "RECLAIMABLE", |l: &DfLine| {
            let u = l.usage;
            let reclaim = human_size_with(u.reclaimable, 4);
            if l.percent && u.size > 0 {
                format!("{reclaim} ({}%)", u.reclaimable * 100 / u.size)
            } else {
                reclaim
            }
        }),
    ]
}

/// `docker system df`'s table as a template of [`df_fields`].
const DF_TABLE: &str =
    "table {{.Type}}\\t{{.TotalCount}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}";

/// `docker system df`'s table.
pub fn df_table(d: &berth_api::DiskUsageView) -> String {
    let fields = df_fields();
    Template::parse(DF_TABLE, &fields)
        .map(|t| t.render(&df_lines(d), &fields))
        .unwrap_or_default()
}

/// Go's `%.{digits}g` for the values `human_size` sees: no exponent, trailing zeros dropped.
fn significant(value: f64, digits: i32) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// docker's ellipsis: at most `max` characters, the last one `…` when cut.
pub fn ellipsis(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

fn short_id(id: &str) -> String {
    id.trim_start_matches("sha256:").chars().take(12).collect()
}

/// Ports as `docker ps` shows them (docker/cli's `DisplayablePorts`): ports published on the
/// same host port fold into ranges per address, other mappings follow one by one.
pub fn ports(ports: &[PortView]) -> String {
    let mut sorted: Vec<&PortView> = ports.iter().collect();
    sorted.sort_by(|a, b| {
        (a.private_port, &a.ip, a.public_port, &a.proto).cmp(&(
            b.private_port,
            &b.ip,
            b.public_port,
            &b.proto,
        ))
    });
    let mut groups: Vec<(String, u16, u16)> = Vec::new(); // key, first, last; in creation order
    let mut result: Vec<String> = Vec::new();
    let mut mappings: Vec<String> = Vec::new();
    for p in sorted {
        let current = p.private_port;
        let key = match &p.ip {
            Some(ip) => {
                let public = p.public_port.unwrap_or(0);
                if public != current {
                    mappings.push(format!(
                        "{}->{current}/{}",
                        join_host_port(ip, public),
                        p.proto
                    ));
                    continue;
                }
                format!("{ip}/{}", p.proto)
            }
            None => p.proto.clone(),
        };
        match groups.iter_mut().find(|g| g.0 == key) {
            None => groups.push((key, current, current)),
            Some(g) if current == g.2.wrapping_add(1) => g.2 = current,
            Some(g) => {
                result.push(form_group(&g.0, g.1, g.2));
                (g.1, g.2) = (current, current);
            }
        }
    }
    result.extend(
        groups
            .iter()
            .map(|(key, first, last)| form_group(key, *first, *last)),
    );
    result.extend(mappings);
    result.join(", ")
}

/// Go's `net.JoinHostPort`: IPv6 addresses in brackets.
pub fn join_host_port(ip: &str, port: impl std::fmt::Display) -> String {
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

/// The natural order docker sorts some lists in (`sortorder.NaturalLess`): digits before other
/// bytes, runs of digits by their number (then by fewer leading zeros), other bytes bytewise, a
/// string before the longer ones it starts.
pub fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (da, db) = (a[i].is_ascii_digit(), b[j].is_ascii_digit());
        if da != db {
            return if da {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        if !da {
            match a[i].cmp(&b[j]) {
                Ordering::Equal => (i, j) = (i + 1, j + 1),
                other => return other,
            }
            continue;
        }
        let run = |s: &[u8], from: usize| {
            let zeros = s[from..].iter().take_while(|c| **c == b'0').count();
            let digits = s[from + zeros..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            (zeros, from + zeros, from + zeros + digits)
        };
        let ((zeros_a, start_a, end_a), (zeros_b, start_b, end_b)) = (run(a, i), run(b, j));
        let by_number = (end_a - start_a)
            .cmp(&(end_b - start_b))
            .then_with(|| a[start_a..end_a].cmp(&b[start_b..end_b]))
            .then_with(|| zeros_a.cmp(&zeros_b));
        if by_number != Ordering::Equal {
            return by_number;
        }
        (i, j) = (end_a, end_b);
    }
    (a.len() - i).cmp(&(b.len() - j))
}

fn form_group(key: &str, first: u16, last: u16) -> String {
    let (ip, proto) = match key.rsplit_once('/') {
        Some((ip, proto)) => (Some(ip), proto),
        None => (None, key),
    };
    let range = if first == last {
        first.to_string()
    } else {
        format!("{first}-{last}")
    };
    match ip {
        Some(ip) => format!("{ip}:{range}->{range}/{proto}"),
        None => format!("{range}/{proto}"),
    }
}

pub fn ps_table(rows: &[ContainerRow], now: i64) -> String {
    table(
        &[
            "CONTAINER ID",
            "IMAGE",
            "COMMAND",
            "CREATED",
            "STATUS",
            "PORTS",
            "NAMES",
        ],
        rows.iter().map(|c| {
            vec![
                short_id(&c.id),
                c.image.clone(),
                format!("\"{}\"", ellipsis(&c.command, 20)),
                format!("{} ago", human_duration(now - c.created)),
                c.status.clone(),
                ports(&c.ports),
                c.names.join(","),
            ]
        }),
    )
}

pub fn images_table(rows: &[ImageRow], now: i64) -> String {
    let out = image_lines(rows).into_iter().map(|l| {
        vec![
            l.repository.to_owned(),
            l.tag.to_owned(),
            short_id(&l.image.id),
            format!("{} ago", human_duration(now - l.image.created)),
            human_size(l.image.size),
        ]
    });
    table(&["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"], out)
}

/// `docker system df -v`: each image (by its first tag), container, volume and build cache
/// record with what it takes, under docker's headings, in the engine's order.
pub fn df_verbose(d: &berth_api::DiskUsageDetailView, now: i64) -> String {
    fn section<T>(title: &str, format: &str, rows: &[T], fields: &[Field<T>]) -> String {
        let table = Template::parse(format, fields)
            .map(|t| t.render(rows, fields))
            .unwrap_or_default();
        format!("{title}\n\n{table}")
    }
    // docker shows an image by its first tag only.
    let images: Vec<ImageLine> = d
        .images
        .iter()
        .map(|image| {
            let (repository, tag) = image
                .repo_tags
                .first()
                .map_or(("<none>", "<none>"), |t| split_tag(t));
            ImageLine {
                repository,
                tag,
                image,
            }
        })
        .collect();
    // docker's df shows a container's own layer only, not its virtual size.
    let containers: Vec<ContainerRow> = d
        .containers
        .iter()
        .map(|c| ContainerRow {
            size_root_fs: None,
            ..c.clone()
        })
        .collect();
    [
        section(
            "Images space usage:",
            "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}\\t{{.SharedSize}}\\t{{.UniqueSize}}\\t{{.Containers}}",
            &images,
            &image_fields(now, true),
        ),
        section(
            "Containers space usage:",
            "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.LocalVolumes}}\\t{{.Size}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Names}}",
            &containers,
            &ps_fields(now, true),
        ),
        section(
            "Local Volumes space usage:",
            "table {{.Name}}\\t{{.Links}}\\t{{.Size}}",
            &d.volumes,
            &volume_fields(),
        ),
        section(
            &format!("Build cache usage: {}", human_size_with(d.builder_size, 4)),
            "table {{.ID}}\\t{{.CacheType}}\\t{{.Size}}\\t{{.CreatedSince}}\\t{{.LastUsedSince}}\\t{{.UsageCount}}\\t{{.Shared}}",
            &d.build_cache,
            &build_cache_fields(now),
        ),
    ]
    .join("\n")
}

/// The fields of a build cache record, as docker's `system df -v` writes them.
fn build_cache_fields(now: i64) -> Vec<Field<berth_api::BuildCacheRow>> {
    use berth_api::BuildCacheRow as C;
    let ago = move |time: &str| {
        time.parse::<jiff::Timestamp>()
            .map(|t| format!("{} ago", human_duration(now - t.as_second())))
            .unwrap_or_default()
    };
    vec![
        Field::new("ID", "CACHE ID", |c: &C| short_id(&c.id)),
        Field::new("CacheType", "CACHE TYPE", |c: &C| c.kind.clone()),
        Field::new("Size", "SIZE", |c: &C| human_size(c.size)),
        Field::new("CreatedSince", "CREATED", move |c: &C| ago(&c.created_at)),
        Field::new("LastUsedSince", "LAST USED", move |c: &C| {
            c.last_used_at.as_deref().map(ago).unwrap_or_default()
        }),
        Field::new("UsageCount", "USAGE", |c: &C| c.usage_count.to_string()),
        Field::new("Shared", "SHARED", |c: &C| c.shared.to_string()),
    ]
}

/// A line of `docker images`: one per tag, or one `<none>` line for an untagged image.
pub struct ImageLine<'a> {
    pub repository: &'a str,
    pub tag: &'a str,
    pub image: &'a ImageRow,
}

pub fn image_lines(rows: &[ImageRow]) -> Vec<ImageLine<'_>> {
    let mut out = Vec::new();
    for image in rows {
        if image.repo_tags.is_empty() {
            out.push(ImageLine {
                repository: "<none>",
                tag: "<none>",
                image,
            });
        }
        for tag in &image.repo_tags {
            let (repository, tag) = split_tag(tag);
            out.push(ImageLine {
                repository,
                tag,
                image,
            });
        }
    }
    out
}

/// `docker ps`'s table as a template of [`ps_fields`] (what `--no-trunc` prints).
pub const PS_TABLE: &str = "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}";

/// `docker ps -s`'s table: [`PS_TABLE`] and the size.
pub const PS_SIZE_TABLE: &str = "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}\\t{{.Size}}";

/// `docker images --digests`'s table as a template of [`image_fields`].
pub const IMAGES_DIGESTS_TABLE: &str =
    "table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}";

/// `docker images`'s table as a template of [`image_fields`].
pub const IMAGES_TABLE: &str =
    "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}";

/// The fields `docker ps --format` templates know, as docker writes them; `trunc` cuts ids to
/// 12 characters and commands to 20, as docker does without `--no-trunc`.
pub fn ps_fields(now: i64, trunc: bool) -> Vec<Field<ContainerRow>> {
    vec![
        Field::new("ID", "CONTAINER ID", move |c: &ContainerRow| {
            if trunc { short_id(&c.id) } else { c.id.clone() }
        }),
        Field::new("Image", "IMAGE", |c: &ContainerRow| c.image.clone()),
        Field::new("Command", "COMMAND", move |c: &ContainerRow| {
            let command = if trunc {
                ellipsis(&c.command, 20)
            } else {
                c.command.clone()
            };
            format!("\"{command}\"")
        }),
        Field::new("CreatedAt", "CREATED AT", |c: &ContainerRow| {
            local_time(c.created)
        }),
        Field::new("RunningFor", "CREATED", move |c: &ContainerRow| {
            format!("{} ago", human_duration(now - c.created))
        }),
        Field::new("Ports", "PORTS", |c: &ContainerRow| ports(&c.ports)),
        Field::new("State", "STATE", |c: &ContainerRow| c.state.clone()),
        Field::new("Status", "STATUS", |c: &ContainerRow| c.status.clone()),
        Field::new("Names", "NAMES", |c: &ContainerRow| c.names.join(",")),
        Field::new("Labels", "LABELS", |c: &ContainerRow| labels(&c.labels)),
        Field::method("Label", |c: &ContainerRow, key| label(&c.labels, key)),
        // A volume by its name, a bind by its path; docker cuts each to 15 characters.
        Field::new("Mounts", "MOUNTS", move |c: &ContainerRow| {
            let names: Vec<String> = c
                .mounts
                .iter()
                .map(|m| {
                    if m.name.is_empty() {
                        &m.source
                    } else {
                        &m.name
                    }
                })
                .map(|n| if trunc { ellipsis(n, 15) } else { n.clone() })
                .collect();
            names.join(",")
        }),
        Field::new("LocalVolumes", "LOCAL VOLUMES", |c: &ContainerRow| {
            c.mounts
                .iter()
                .filter(|m| m.driver == "local")
                .count()
                .to_string()
        }),
        // docker joins them in the engine's map order, which varies; Berth sorts them.
        Field::new("Networks", "NETWORKS", |c: &ContainerRow| {
            c.networks.join(",")
        }),
        Field::with_json(
            "Platform",
            "PLATFORM",
            |c: &ContainerRow| match &c.platform {
                // Go's form of containerd's `Platform` struct.
                Some(p) => format!(
                    "{{{} {} {} [{}] {}}}",
                    p.architecture,
                    p.os,
                    p.os_version,
                    p.os_features.join(" "),
                    p.variant
                ),
                None => "<nil>".into(),
            },
            |c: &ContainerRow| match &c.platform {
                Some(p) => {
                    let mut o = serde_json::Map::new();
                    o.insert("architecture".into(), p.architecture.clone().into());
                    o.insert("os".into(), p.os.clone().into());
                    if !p.os_version.is_empty() {
                        o.insert("os.version".into(), p.os_version.clone().into());
                    }
                    if !p.os_features.is_empty() {
                        o.insert("os.features".into(), p.os_features.clone().into());
                    }
                    if !p.variant.is_empty() {
                        o.insert("variant".into(), p.variant.clone().into());
                    }
                    o.into()
                }
                None => serde_json::Value::Null,
            },
        ),
        // docker: the container's own layer, and with its image's when the engine says it.
        Field::new("Size", "SIZE", |c: &ContainerRow| {
            let own = human_size(c.size_rw.unwrap_or(0));
            match c.size_root_fs {
                Some(all) if all > 0 => format!("{own} (virtual {})", human_size(all)),
                _ => own,
            }
        }),
    ]
}

/// The fields `docker compose ps --format` templates know: `docker ps`'s, and compose's own
/// (`Name`, `Project`, `Service`, `Health`, `ExitCode`, `Publishers`), as compose writes them.
pub fn compose_ps_fields(now: i64, trunc: bool) -> Vec<Field<ContainerRow>> {
    let mut fields = ps_fields(now, trunc);
    let label = |key: &'static str| move |c: &ContainerRow| label(&c.labels, key);
    fields.extend([
        Field::new("Name", "NAME", |c: &ContainerRow| {
            c.names.first().cloned().unwrap_or_default()
        }),
        Field::new("Project", "PROJECT", label(berth_compose::labels::PROJECT)),
        Field::new("Service", "SERVICE", label(berth_compose::labels::SERVICE)),
        Field::new("Health", "HEALTH", |c: &ContainerRow| {
            health(&c.status).to_owned()
        }),
        Field::with_json(
            "ExitCode",
            "EXIT CODE",
            |c: &ContainerRow| exit_code(c).to_string(),
            |c: &ContainerRow| exit_code(c).into(),
        ),
        Field::with_json(
            "Publishers",
            "PUBLISHERS",
            |c: &ContainerRow| {
                let each: Vec<String> = c
                    .ports
                    .iter()
                    .map(|p| {
                        format!(
                            "{{{} {} {} {}}}",
                            p.ip.as_deref().unwrap_or_default(),
                            p.private_port,
                            p.public_port.unwrap_or(0),
                            p.proto
                        )
                    })
                    .collect();
                format!("[{}]", each.join(" "))
            },
            |c: &ContainerRow| {
                c.ports
                    .iter()
                    .map(|p| {
                        serde_json::json!({
                            "URL": p.ip.as_deref().unwrap_or_default(),
                            "TargetPort": p.private_port,
                            "PublishedPort": p.public_port.unwrap_or(0),
                            "Protocol": p.proto,
                        })
                    })
                    .collect()
            },
        ),
    ]);
    fields
}

/// A container's health as its status says it: `healthy`, `unhealthy`, `starting`, or empty.
fn health(status: &str) -> &str {
    if status.contains("(healthy)") {
        "healthy"
    } else if status.contains("(unhealthy)") {
        "unhealthy"
    } else if status.contains("(health: starting)") {
        "starting"
    } else {
        ""
    }
}

/// An exited container's code, as its status says it (`Exited (3) 2 minutes ago`); else 0.
fn exit_code(c: &ContainerRow) -> i64 {
    c.status
        .strip_prefix("Exited (")
        .and_then(|rest| rest.split_once(')'))
        .and_then(|(code, _)| code.parse().ok())
        .unwrap_or(0)
}

/// The fields `docker images --format` templates know, as docker writes them; `trunc` cuts
/// ids to 12 characters as docker does without `--no-trunc`.
pub fn image_fields<'a>(now: i64, trunc: bool) -> Vec<Field<ImageLine<'a>>> {
    vec![
        Field::new("ID", "IMAGE ID", move |l: &ImageLine| {
            if trunc {
                short_id(&l.image.id)
            } else {
                l.image.id.clone()
            }
        }),
        Field::new("Repository", "REPOSITORY", |l: &ImageLine| {
            l.repository.to_owned()
        }),
        Field::new("Tag", "TAG", |l: &ImageLine| l.tag.to_owned()),
        Field::new("Digest", "DIGEST", |l: &ImageLine| {
            l.image
                .repo_digests
                .iter()
                .find_map(|d| d.split_once('@').filter(|(r, _)| *r == l.repository))
                .map(|(_, digest)| digest.to_owned())
                .unwrap_or_else(|| "<none>".into())
        }),
        Field::new("CreatedSince", "CREATED", move |l: &ImageLine| {
            format!("{} ago", human_duration(now - l.image.created))
        }),
        Field::new("CreatedAt", "CREATED AT", |l: &ImageLine| {
            local_time(l.image.created)
        }),
        Field::new("Size", "SIZE", |l: &ImageLine| human_size(l.image.size)),
        // The engine counts containers only when asked for shared sizes (`system df`): docker
        // prints N/A for `images`, where Berth counts them from the container list.
        Field::new("Containers", "CONTAINERS", |l: &ImageLine| {
            match l.image.containers {
                n if n < 0 => "N/A".into(),
                n => n.to_string(),
            }
        }),
        Field::new("VirtualSize", "SIZE", |l: &ImageLine| {
            human_size_with(l.image.size, 4)
        }),
        // Known from `system df`; N/A in `images`, which neither docker nor Berth asks for.
        Field::new("SharedSize", "SHARED SIZE", |l: &ImageLine| {
            l.image
                .shared_size
                .map_or_else(|| "N/A".into(), |s| human_size_with(s, 4))
        }),
        Field::new("UniqueSize", "UNIQUE SIZE", |l: &ImageLine| {
            l.image
                .shared_size
                .map_or_else(|| "N/A".into(), |s| human_size_with(l.image.size - s, 4))
        }),
    ]
}

/// The fields `docker volume ls --format` templates know.
pub fn volume_fields() -> Vec<Field<VolumeRow>> {
    vec![
        Field::new("Name", "VOLUME NAME", |v: &VolumeRow| v.name.clone()),
        Field::new("Driver", "DRIVER", |v: &VolumeRow| v.driver.clone()),
        Field::new("Scope", "SCOPE", |v: &VolumeRow| v.scope.clone()),
        Field::new("Mountpoint", "MOUNTPOINT", |v: &VolumeRow| {
            v.mountpoint.clone()
        }),
        Field::new("Labels", "LABELS", |v: &VolumeRow| labels(&v.labels)),
        Field::method("Label", |v: &VolumeRow, key| label(&v.labels, key)),
        // Only `system df` measures volumes; the volume list says N/A, as docker's.
        Field::new("Links", "LINKS", |v: &VolumeRow| {
            v.usage
                .as_ref()
                .map_or_else(|| "N/A".into(), |u| u.ref_count.to_string())
        }),
        Field::new("Size", "SIZE", |v: &VolumeRow| {
            v.usage
                .as_ref()
                .map_or_else(|| "N/A".into(), |u| human_size_with(u.size, 4))
        }),
        // These say a swarm's cluster volumes' group, availability and status: N/A here.
        Field::new("Group", "GROUP", |_: &VolumeRow| "N/A".into()),
        Field::new("Availability", "AVAILABILITY", |_: &VolumeRow| "N/A".into()),
        Field::new("Status", "STATUS", |_: &VolumeRow| "N/A".into()),
    ]
}

/// The fields `docker network ls --format` templates know; `trunc` cuts ids to 12 characters.
pub fn network_fields(trunc: bool) -> Vec<Field<NetworkRow>> {
    vec![
        Field::new("ID", "NETWORK ID", move |n: &NetworkRow| {
            if trunc { short_id(&n.id) } else { n.id.clone() }
        }),
        Field::new("Name", "NAME", |n: &NetworkRow| n.name.clone()),
        Field::new("Driver", "DRIVER", |n: &NetworkRow| n.driver.clone()),
        Field::new("Scope", "SCOPE", |n: &NetworkRow| n.scope.clone()),
        Field::new("Internal", "INTERNAL", |n: &NetworkRow| {
            n.internal.to_string()
        }),
        Field::new("IPv4", "IPV4", |n: &NetworkRow| n.ipv4.to_string()),
        Field::new("IPv6", "IPV6", |n: &NetworkRow| n.ipv6.to_string()),
        Field::new("CreatedAt", "CREATED AT", |n: &NetworkRow| {
            engine_time(n.created.as_deref())
        }),
        Field::new("Labels", "LABELS", |n: &NetworkRow| labels(&n.labels)),
        Field::method("Label", |n: &NetworkRow, key| label(&n.labels, key)),
    ]
}

/// Labels as docker's templates write them: `key=value` joined by commas.
fn labels(labels: &std::collections::BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.join(",")
}

/// One label's value, empty when it has none (docker's `{{.Label "key"}}`).
fn label(labels: &std::collections::BTreeMap<String, String>, key: &str) -> String {
    labels.get(key).cloned().unwrap_or_default()
}

/// Unix seconds as Go's `time.Unix(secs, 0).String()` writes them, in this machine's time zone
/// as docker does: `2026-11-30 23:44:09 +0100 CET`.
fn local_time(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| go_time(&t.to_zoned_datetime(jiff::tz::TimeZone::system())))
        .unwrap_or_default()
}

/// A time the engine wrote (RFC 3339) as Go's `time.Time.String()` writes it once parsed, as
/// docker prints it: nanoseconds without their trailing zeros, `Z` as `+0000 UTC`, an offset
/// that is this machine's by its zone's name, another by itself; no time at all as Go's zero
/// time.
fn engine_time(text: Option<&str>) -> String {
    engine_time_in(text, &jiff::tz::TimeZone::system())
}

fn engine_time_in(text: Option<&str>, local: &jiff::tz::TimeZone) -> String {
    const ZERO: &str = "0001-01-01 00:00:00 +0000 UTC";
    let Some(text) = text else {
        return ZERO.into();
    };
    use jiff::fmt::temporal::{Pieces, PiecesOffset};
    let (Ok(ts), Ok(pieces)) = (text.parse::<jiff::Timestamp>(), Pieces::parse(text)) else {
        return text.to_owned();
    };
    let offset = match pieces.offset() {
        Some(PiecesOffset::Numeric(n)) => n.offset(),
        Some(PiecesOffset::Zulu) => return go_time(&ts.to_zoned_datetime(jiff::tz::TimeZone::UTC)),
        _ => return text.to_owned(),
    };
    if local.to_offset(ts) == offset {
        return go_time(&ts.to_zoned_datetime(local.clone()));
    }
    let zoned = ts.to_zoned_datetime(jiff::tz::TimeZone::fixed(offset));
    let numeric = zoned.strftime("%z").to_string();
    format!("{} {numeric}", zoned.strftime("%Y-%m-%d %H:%M:%S%.f %z"))
}

/// Go's `time.Time.String()` layout: `2006-01-02 15:04:05.999999999 -0700 MST`.
fn go_time(t: &jiff::ZonedDateTime) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S%.f %z %Z").to_string()
}

/// `registry:5000/app:1.0` → (`registry:5000/app`, `1.0`): the tag is after the last colon
/// that follows the last slash.
fn split_tag(reference: &str) -> (&str, &str) {
    let slash = reference.rfind('/').map(|i| i + 1).unwrap_or(0);
    match reference[slash..].rfind(':') {
        Some(i) => (&reference[..slash + i], &reference[slash + i + 1..]),
        None => (reference, "<none>"),
    }
}

pub fn volumes_table(rows: &[VolumeRow]) -> String {
    table(
        &["DRIVER", "VOLUME NAME"],
        rows.iter().map(|v| vec![v.driver.clone(), v.name.clone()]),
    )
}

/// `docker network ls`'s table; `trunc` cuts ids to 12 characters, as docker does without
/// `--no-trunc`.
pub fn networks_table(rows: &[NetworkRow], trunc: bool) -> String {
    table(
        &["NETWORK ID", "NAME", "DRIVER", "SCOPE"],
        rows.iter().map(|n| {
            vec![
                if trunc { short_id(&n.id) } else { n.id.clone() },
                n.name.clone(),
                n.driver.clone(),
                n.scope.clone(),
            ]
        }),
    )
}

pub fn contexts_table(rows: &[ContextRow]) -> String {
    table(
        &["NAME", "DESCRIPTION", "DOCKER ENDPOINT"],
        rows.iter().map(|c| {
            let name = if c.current {
                format!("{} *", c.name)
            } else {
                c.name.clone()
            };
            vec![name, c.description.clone(), c.host.clone()]
        }),
    )
}

/// The client half of `berth version`, printed before the engine is asked (as docker does).
pub fn client_version_text(version: &str, os_arch: &str) -> String {
    format!("Client: Berth\n Version:           {version}\n OS/Arch:           {os_arch}\n")
}

pub fn version_text(v: &VersionView) -> String {
    let c = &v.connection;
    client_version_text(&v.client_version, &v.client_os_arch)
        + &format!(
            "\nServer: Docker Engine ({} at {})\n Version:           {}\n API version:       {} (minimum {}, negotiated {})\n \
         Go version:        {}\n Git commit:        {}\n OS/Arch:           {}\n Kernel:            {}\n",
            c.source,
            c.host,
            v.server_version,
            v.server_api_version,
            v.server_min_api_version,
            c.api_version,
            v.server_go_version,
            v.server_git_commit,
            v.server_os_arch,
            v.server_kernel,
        )
}

pub fn info_text(i: &InfoView) -> String {
    format!(
        "Engine: {} at {} (API {})\n Server Version:    {}\n Containers:        {} (running {}, paused {}, stopped {})\n \
         Images:            {}\n Storage Driver:    {}\n Cgroup Driver:     {}\n Docker Root Dir:   {}\n \
         Rootless:          {}\n Kernel Version:    {}\n Operating System:  {}\n Architecture:      {}\n \
         CPUs:              {}\n Total Memory:      {}\n Name:              {}\n",
        i.connection.source,
        i.connection.host,
        i.connection.api_version,
        i.server_version,
        i.containers,
        i.running,
        i.paused,
        i.stopped,
        i.images,
        i.storage_driver,
        i.cgroup_driver,
        i.data_root,
        if i.rootless { "yes" } else { "no" },
        i.kernel,
        i.os,
        i.arch,
        i.cpus,
        human_binary(i.memory),
        i.name,
    )
}

/// docker's `units.BytesSize`: binary units, four significant digits, e.g. `23.47GiB`.
pub fn human_binary(bytes: i64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes.max(0) as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{}{}", significant(value, 4), UNITS[unit])
}

/// One container's reading in `docker stats`, with the name it was asked for by (its short id
/// when none was named), which `{{.Container}}` prints.
pub struct StatsLine {
    pub asked_as: String,
    pub usage: berth_api::UsageView,
}

/// `docker stats`' table.
pub const STATS_TABLE: &str = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

/// The fields `docker stats --format` templates know; `trunc` cuts ids to 12 characters.
pub fn stats_fields(trunc: bool) -> Vec<Field<StatsLine>> {
    vec![
        Field::new("Container", "CONTAINER", |s: &StatsLine| s.asked_as.clone()),
        Field::new("Name", "NAME", |s: &StatsLine| s.usage.name.clone()),
        Field::new("ID", "CONTAINER ID", move |s: &StatsLine| {
            if trunc {
                short_id(&s.usage.id)
            } else {
                s.usage.id.clone()
            }
        }),
        Field::new("CPUPerc", "CPU %", |s: &StatsLine| {
            format!("{:.2}%", s.usage.cpu_percent)
        }),
        Field::new("MemUsage", "MEM USAGE / LIMIT", |s: &StatsLine| {
            format!(
                "{} / {}",
                human_binary(s.usage.memory as i64),
                human_binary(s.usage.memory_limit as i64)
            )
        }),
        Field::new("MemPerc", "MEM %", |s: &StatsLine| {
            format!("{:.2}%", s.usage.memory_percent)
        }),
        Field::new("NetIO", "NET I/O", |s: &StatsLine| {
            format!(
                "{} / {}",
                human_size(s.usage.net_rx as i64),
                human_size(s.usage.net_tx as i64)
            )
        }),
        Field::new("BlockIO", "BLOCK I/O", |s: &StatsLine| {
            format!(
                "{} / {}",
                human_size(s.usage.block_read as i64),
                human_size(s.usage.block_write as i64)
            )
        }),
        Field::new("PIDs", "PIDS", |s: &StatsLine| s.usage.pids.to_string()),
    ]
}

/// `docker search`'s table.
pub fn search_table(rows: &[berth_api::SearchRow]) -> String {
    table(
        &["NAME", "DESCRIPTION", "STARS", "OFFICIAL"],
        rows.iter().map(|r| {
            vec![
                r.name.clone(),
                ellipsis(&r.description, 45),
                r.stars.to_string(),
                if r.official { "[OK]" } else { "" }.into(),
            ]
        }),
    )
}

/// `docker history`'s table.
/// `docker history`' table; with `--human=false`, times and sizes as they are.
pub const HISTORY_TABLE: &str =
    "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
pub const HISTORY_EXACT_TABLE: &str =
    "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";

/// The fields `docker history --format` templates know: `trunc` cuts ids and commands, `human`
/// says times as ages and sizes in units.
pub fn history_fields(now: i64, trunc: bool, human: bool) -> Vec<Field<berth_api::LayerRow>> {
    use berth_api::LayerRow;
    let created_at = |l: &LayerRow| rfc3339_local(l.created);
    vec![
        Field::new("ID", "IMAGE", move |l: &LayerRow| {
            match (l.id.starts_with("sha256:"), trunc) {
                (false, _) => "<missing>".into(),
                (true, true) => short_id(&l.id),
                (true, false) => l.id.clone(),
            }
        }),
        Field::new("CreatedSince", "CREATED", move |l: &LayerRow| {
            if human {
                format!("{} ago", human_duration(now - l.created))
            } else {
                created_at(l)
            }
        }),
        Field::new("CreatedAt", "CREATED AT", created_at),
        Field::new("CreatedBy", "CREATED BY", move |l: &LayerRow| {
            let by = l.created_by.replace('\t', " ");
            if trunc { ellipsis(&by, 45) } else { by }
        }),
        Field::new("Size", "SIZE", move |l: &LayerRow| {
            if human {
                human_size(l.size)
            } else {
                l.size.to_string()
            }
        }),
        Field::new("Comment", "COMMENT", |l: &LayerRow| l.comment.clone()),
    ]
}

/// Unix seconds as Go's `time.RFC3339` in this machine's zone: `2026-12-01T11:20:45+01:00`, or
/// `…Z` in UTC.
fn rfc3339_local(secs: i64) -> String {
    rfc3339_in(
        i128::from(secs) * 1_000_000_000,
        &jiff::tz::TimeZone::system(),
        false,
    )
}

/// `docker top`'s table.
pub fn top_table(top: &berth_api::TopView) -> String {
    let header: Vec<&str> = top.titles.iter().map(String::as_str).collect();
    table_min(&header, top.processes.iter().cloned(), 20)
}

/// `docker events`' line: the time in this machine's zone (`Z` in UTC), the type, the action,
/// the actor and its attributes by name.
pub fn event_line(e: &berth_api::EventView) -> String {
    event_line_in(e, &jiff::tz::TimeZone::system())
}

fn event_line_in(e: &berth_api::EventView, zone: &jiff::tz::TimeZone) -> String {
    let attrs: Vec<String> = e
        .attributes
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!(
        "{} {} {} {} ({})",
        rfc3339_nanos_in(e.time_nano, zone),
        e.kind,
        e.action,
        e.actor,
        attrs.join(", ")
    )
}

/// An event as docker's `--format` templates read it (Go's names: `.Status`, `.ID`, `.From`,
/// `.Type`, `.Action`, `.Actor.ID`, `.Actor.Attributes`, `.Scope`, `.Time`, `.TimeNano`). The
/// engine fills the old `Status`, `ID` and `From` for container and image events only.
pub fn event_document(e: &berth_api::EventView) -> serde_json::Value {
    let (status, id, from) = old_event_fields(e);
    serde_json::json!({
        "Status": status,
        "ID": id,
        "From": from,
        "Type": e.kind,
        "Action": e.action,
        "Actor": {"ID": e.actor, "Attributes": e.attributes},
        "Scope": "local",
        "Time": e.time_nano.div_euclid(1_000_000_000),
        "TimeNano": e.time_nano,
    })
}

/// An event as the engine writes it (docker's `{{json .}}`): its keys in the engine's order,
/// the old ones only where the engine sets them.
pub fn event_json(e: &berth_api::EventView) -> String {
    let text = |t: &str| serde_json::Value::from(t).to_string();
    let (status, id, from) = old_event_fields(e);
    let mut fields: Vec<(&str, String)> = [("status", status), ("id", id), ("from", from)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, text(&v)))
        .collect();
    let attributes = serde_json::to_string(&e.attributes).unwrap_or_default();
    fields.extend([
        ("Type", text(&e.kind)),
        ("Action", text(&e.action)),
        (
            "Actor",
            format!("{{\"ID\":{},\"Attributes\":{attributes}}}", text(&e.actor)),
        ),
        ("scope", text("local")),
        ("time", e.time_nano.div_euclid(1_000_000_000).to_string()),
        ("timeNano", e.time_nano.to_string()),
    ]);
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{v}", text(k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

fn old_event_fields(e: &berth_api::EventView) -> (String, String, String) {
    match e.kind.as_str() {
        "container" => (
            e.action.clone(),
            e.actor.clone(),
            e.attributes.get("image").cloned().unwrap_or_default(),
        ),
        "image" => (e.action.clone(), e.actor.clone(), String::new()),
        _ => Default::default(),
    }
}

/// Nanoseconds since the epoch as Go's RFC 3339 with nine digits writes them in `zone`:
/// `2026-11-29T23:05:01.123456789+01:00`, or `…Z` at offset zero.
fn rfc3339_nanos_in(nanos: i64, zone: &jiff::tz::TimeZone) -> String {
    rfc3339_in(i128::from(nanos), zone, true)
}

/// RFC 3339 in `zone`, as Go writes it (`Z` at offset zero), with nine digits of nanoseconds or
/// none.
fn rfc3339_in(nanos: i128, zone: &jiff::tz::TimeZone, with_nanos: bool) -> String {
    let Ok(t) = jiff::Timestamp::from_nanosecond(nanos) else {
        return String::new();
    };
    let zoned = t.to_zoned_datetime(zone.clone());
    let fraction = if with_nanos { ".%N" } else { "" };
    let offset = if zoned.offset().seconds() == 0 {
        "Z"
    } else {
        "%:z"
    };
    zoned
        .strftime(&format!("%Y-%m-%dT%H:%M:%S{fraction}{offset}"))
        .to_string()
}

pub fn own_engine_line(own: &OwnEngineView) -> String {
    let mut line = format!("Berth's engine: {} ({}", own.state, own.mode);
    if let Some(pid) = own.pid {
        line += &format!(", pid {pid}");
    }
    if let Some(api) = &own.api_version {
        line += &format!(", API {api}");
    }
    line.push(')');
    if let Some(reason) = &own.reason {
        line += &format!(": {reason}");
        if let Some(ms) = own.retry_in_ms {
            line += &format!(" (restarting in {:.1} s)", ms as f64 / 1000.0);
        }
    }
    line
}

pub fn engine_status_text(view: &EngineView) -> String {
    let own = &view.own;
    let mut out = own_engine_line(own) + "\n";
    out += &format!(" Socket:            unix://{}\n", own.socket);
    out += &format!(" Data root:         {}\n", own.data_root);
    out += &format!(" Log:               {}\n", own.log);
    if let Some(pid) = own.supervisor_pid {
        out += &format!(" Supervisor:        pid {pid}\n");
    }
    match (&view.connection, &view.problem) {
        (Some(c), _) => {
            out += &format!(
                "In use: {} at {} (API {})\n",
                c.source, c.host, c.api_version
            );
            if let Some(line) = &c.passed_over {
                out += &format!("Warning: {line}\n");
            }
        }
        (None, Some(problem)) => {
            out +=
                &format!("In use: none ({problem}); start Berth's own with `berth engine start`\n")
        }
        (None, None) => out += "In use: none\n",
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_s_health_and_exit_code_come_from_the_status() {
        assert_eq!(health("Up 2 minutes (healthy)"), "healthy");
        assert_eq!(health("Up 2 seconds (health: starting)"), "starting");
        assert_eq!(health("Up 1 hour (unhealthy)"), "unhealthy");
        assert_eq!(health("Up 1 hour"), "");
        let row = |status: &str| ContainerRow {
            status: status.into(),
            ..ContainerRow::default()
        };
        assert_eq!(exit_code(&row("Exited (137) 5 seconds ago")), 137);
        assert_eq!(exit_code(&row("Up 3 seconds")), 0);
    }

    const NOW: i64 = 1_800_000_000;

    fn port(ip: Option<&str>, private: u16, public: Option<u16>) -> PortView {
        PortView {
            ip: ip.map(Into::into),
            private_port: private,
            public_port: public,
            proto: "tcp".into(),
        }
    }

    fn container(
        id: &str,
        name: &str,
        age: i64,
        ports: Vec<PortView>,
        status: &str,
    ) -> ContainerRow {
        ContainerRow {
            id: id.into(),
            names: vec![name.into()],
            image: "user_name/admission_prediction".into(),
            image_id: "sha256:ad".into(),
            command: "/bin/busybox httpd -f -p 5000 -h /www".into(),
            created: NOW - age,
            state: "running".into(),
            status: status.into(),
            ports,
            labels: Default::default(),
            project: None,
            size_rw: None,
            size_root_fs: None,
            networks: Vec::new(),
            mounts: Vec::new(),
            platform: None,
        }
    }

    #[test]
    fn ps_size_golden() {
        let mut web = container(
            "bcdc6e710318c2b3e7356ddcda2b9f7a1",
            "web",
            2,
            vec![],
            "Up 1 second",
        );
        (web.size_rw, web.size_root_fs) = (Some(0), Some(1_234_567));
        let mut old = container(
            "0123456789abcdef",
            "old",
            60,
            vec![],
            "Exited (0) 1 minute ago",
        );
        (old.size_rw, old.size_root_fs) = (Some(52_000), None);
        let fields = ps_fields(NOW, true);
        let table = crate::template::Template::parse(PS_SIZE_TABLE, &fields).unwrap();
        let expected = "\
CONTAINER ID   IMAGE                            COMMAND                  CREATED              STATUS                    PORTS     NAMES     SIZE
bcdc6e710318   user_name/admission_prediction   \"/bin/busybox httpd …\"   2 seconds ago        Up 1 second                         web       0B (virtual 1.23MB)
0123456789ab   user_name/admission_prediction   \"/bin/busybox httpd …\"   About a minute ago   Exited (0) 1 minute ago             old       52kB
";
        assert_eq!(table.render(&[web, old], &fields), expected);
    }

    #[test]
    fn ps_golden() {
        let rows = vec![
            container(
                "bcdc6e710318c2b3e7356ddcda2b9f7a1c99e20164dd810489e21e8af630b2c0",
                "web",
                2,
                vec![
                    port(Some("0.0.0.0"), 5000, Some(8000)),
                    port(Some("::"), 5000, Some(8000)),
                ],
                "Up 1 second",
            ),
            container(
                "0123456789abcdef",
                "old",
                3 * 86400,
                vec![port(None, 80, None)],
                "Exited (0) 2 days ago",
            ),
        ];
        let expected = "\
CONTAINER ID   IMAGE                            COMMAND                  CREATED         STATUS                  PORTS                                         NAMES
bcdc6e710318   user_name/admission_prediction   \"/bin/busybox httpd …\"   2 seconds ago   Up 1 second             0.0.0.0:8000->5000/tcp, [::]:8000->5000/tcp   web
0123456789ab   user_name/admission_prediction   \"/bin/busybox httpd …\"   3 days ago      Exited (0) 2 days ago   80/tcp                                        old
";
        assert_eq!(ps_table(&rows, NOW), expected);
    }

    #[test]
    fn an_empty_last_cell_keeps_the_padding_before_it_as_go_prints_it() {
        let rows = vec![
            vec!["team/web".to_owned(), "7".to_owned(), String::new()],
            vec!["web".to_owned(), "42".to_owned(), "[OK]".to_owned()],
        ];
        let expected = "\
NAME       STARS     OFFICIAL
team/web   7         \n\
web        42        [OK]
";
        assert_eq!(table(&["NAME", "STARS", "OFFICIAL"], rows), expected);
    }

    #[test]
    fn ps_empty_is_just_the_header() {
        assert_eq!(
            ps_table(&[], NOW),
            "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"
        );
    }

    #[test]
    fn ports_fold_like_docker() {
        let ps = vec![
            port(Some("127.0.0.1"), 8001, Some(9001)),
            port(Some("127.0.0.1"), 8000, Some(9000)),
            port(Some("0.0.0.0"), 8081, Some(8081)),
            port(Some("0.0.0.0"), 8080, Some(8080)),
            port(Some("::"), 8080, Some(8080)),
            port(None, 53, None),
            port(None, 54, None),
            port(None, 60, None),
        ];
        // Worked through docker/cli's algorithm: 53-54 closes when 60 arrives; groups follow
        // in the order they were opened; IPv6 groups print without brackets, mappings with.
        assert_eq!(
            ports(&ps),
            "53-54/tcp, 60/tcp, 0.0.0.0:8080-8081->8080-8081/tcp, :::8080->8080/tcp, \
             127.0.0.1:9000->8000/tcp, 127.0.0.1:9001->8001/tcp"
        );
    }

    #[test]
    fn df_verbose_golden() {
        let mut web = container(
            "48224e9c3ad7c975e285c68aeda98ed4dd74d57a3c70ee27c4c8248b1f28e561",
            "web",
            120,
            vec![],
            "Up 2 minutes",
        );
        web.size_rw = Some(1_200);
        web.size_root_fs = Some(1_982_256);
        web.mounts = vec![berth_api::wire::MountView {
            kind: "volume".into(),
            name: "data".into(),
            source: "/var/lib/docker/volumes/data/_data".into(),
            destination: "/data".into(),
            driver: "local".into(),
        }];
        let image = |tags: &[&str], shared| ImageRow {
            id: "sha256:1e4dc769d4bba2cad59ae2d97453e20c48480e677f4d25f78549a2e50bcc1ee7".into(),
            repo_tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            repo_digests: vec![],
            created: NOW - 120,
            size: 1_982_256,
            containers: 1,
            shared_size: shared,
            dangling: tags.is_empty(),
            labels: Default::default(),
        };
        let volume = |name: &str, links, size| VolumeRow {
            name: name.into(),
            driver: "local".into(),
            mountpoint: String::new(),
            created_at: None,
            scope: "local".into(),
            labels: Default::default(),
            users: vec![],
            usage: Some(berth_api::wire::VolumeUsageView {
                size,
                ref_count: links,
            }),
        };
        let detail = berth_api::DiskUsageDetailView {
            images: vec![
                image(&["berth/app:1", "other:2"], Some(0)),
                image(&[], Some(1_000_000)),
            ],
            containers: vec![web],
            volumes: vec![volume("data", 1, 2_500_000), volume("empty", 0, 0)],
            build_cache: vec![berth_api::BuildCacheRow {
                id: "qy8nt0a7vd3bfp2yxkmbk9nwl".into(),
                kind: "regular".into(),
                description: "mount / from exec /bin/sh -c make".into(),
                in_use: false,
                shared: true,
                size: 52_400_000,
                created_at: "2027-01-15T06:00:00Z".into(),
                last_used_at: None,
                usage_count: 3,
            }],
            builder_size: 52_400_000,
            volume_sizes_known: true,
        };
        let expected = "\
Images space usage:

REPOSITORY   TAG       IMAGE ID       CREATED         SIZE      SHARED SIZE   UNIQUE SIZE   CONTAINERS
berth/app    1         1e4dc769d4bb   2 minutes ago   1.98MB    0B            1.982MB       1
<none>       <none>    1e4dc769d4bb   2 minutes ago   1.98MB    1MB           982.3kB       1

Containers space usage:

CONTAINER ID   IMAGE                            COMMAND                  LOCAL VOLUMES   SIZE      CREATED         STATUS         NAMES
48224e9c3ad7   user_name/admission_prediction   \"/bin/busybox httpd …\"   1               1.2kB     2 minutes ago   Up 2 minutes   web

Local Volumes space usage:

VOLUME NAME   LINKS     SIZE
data          1         2.5MB
empty         0         0B

Build cache usage: 52.4MB

CACHE ID       CACHE TYPE   SIZE      CREATED       LAST USED   USAGE     SHARED
qy8nt0a7vd3b   regular      52.4MB    2 hours ago               3         true
";
        assert_eq!(df_verbose(&detail, NOW), expected);
    }

    #[test]
    fn images_golden() {
        let rows = vec![
            ImageRow {
                id: "sha256:6650495d2a58978b4c15afdeb83012c779adb47821310a419e9682e73b5da5f4"
                    .into(),
                repo_tags: vec![
                    "127.0.0.1:5000/user_name/app:1.0".into(),
                    "bb:latest".into(),
                ],
                repo_digests: vec![],
                created: NOW - 10,
                size: 1_990_000,
                containers: -1,
                shared_size: None,
                dangling: false,
                labels: Default::default(),
            },
            ImageRow {
                id: "sha256:aaaaaaaaaaaabbbb".into(),
                repo_tags: vec![],
                repo_digests: vec![],
                created: NOW - 7200,
                size: 512,
                containers: 0,
                shared_size: None,
                dangling: true,
                labels: Default::default(),
            },
        ];
        let expected = "\
REPOSITORY                     TAG       IMAGE ID       CREATED          SIZE
127.0.0.1:5000/user_name/app   1.0       6650495d2a58   10 seconds ago   1.99MB
bb                             latest    6650495d2a58   10 seconds ago   1.99MB
<none>                         <none>    aaaaaaaaaaaa   2 hours ago      512B
";
        assert_eq!(images_table(&rows, NOW), expected);
    }

    #[test]
    fn sizes_like_docker() {
        let cases = [
            (0, "0B"),
            (999, "999B"),
            (1000, "1kB"),
            (1_990_000, "1.99MB"),
            (12_345, "12.3kB"),
            (100_000_000, "100MB"),
            (2_000_000_000, "2GB"),
        ];
        for (bytes, want) in cases {
            assert_eq!(human_size(bytes), want, "{bytes}");
        }
        assert_eq!(human_binary(25_000_000_000), "23.28GiB");
    }

    #[test]
    fn times_as_go_writes_them() {
        let utc = jiff::tz::TimeZone::UTC;
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        let at = |secs: i64, tz: &jiff::tz::TimeZone| {
            go_time(
                &jiff::Timestamp::from_second(secs)
                    .unwrap()
                    .to_zoned_datetime(tz.clone()),
            )
        };
        assert_eq!(at(0, &utc), "1970-01-01 00:00:00 +0000 UTC");
        assert_eq!(at(951_782_400, &utc), "2000-02-29 00:00:00 +0000 UTC");
        assert_eq!(at(1_796_085_849, &berlin), "2026-12-01 01:44:09 +0100 CET");
        assert_eq!(at(1_783_000_000, &berlin), "2026-07-02 15:46:40 +0200 CEST");
        // What the engine wrote, as docker prints a network's CreatedAt.
        let engine = |text| engine_time_in(Some(text), &berlin);
        assert_eq!(
            engine("2026-12-01T06:30:27.281822145Z"),
            "2026-12-01 06:30:27.281822145 +0000 UTC"
        );
        assert_eq!(
            engine("2026-12-01T06:30:27.2818Z"),
            "2026-12-01 06:30:27.2818 +0000 UTC"
        );
        assert_eq!(
            engine("2026-12-01T07:30:27.5+01:00"),
            "2026-12-01 07:30:27.5 +0100 CET"
        );
        assert_eq!(
            engine("2026-12-01T11:30:27+05:00"),
            "2026-12-01 11:30:27 +0500 +0500"
        );
        assert_eq!(
            engine_time_in(None, &berlin),
            "0001-01-01 00:00:00 +0000 UTC"
        );
    }

    #[test]
    fn durations_like_docker() {
        let cases = [
            (0, "Less than a second"),
            (1, "1 second"),
            (59, "59 seconds"),
            (60, "About a minute"),
            (3599, "59 minutes"),
            (3600, "About an hour"),
            (5 * 3600, "5 hours"),
            (3 * 86400, "3 days"),
            (20 * 86400, "2 weeks"),
            (90 * 86400, "3 months"),
            (800 * 86400, "2 years"),
        ];
        for (secs, want) in cases {
            assert_eq!(human_duration(secs), want, "{secs}");
        }
    }

    #[test]
    fn contexts_and_networks_golden() {
        let ctx = vec![
            ContextRow {
                name: "default".into(),
                description: "Current DOCKER_HOST based configuration".into(),
                host: "unix:///var/run/docker.sock".into(),
                tls: false,
                skip_tls_verify: false,
                current: true,
            },
            ContextRow {
                name: "remote".into(),
                description: "".into(),
                host: "tcp://10.0.0.5:2376".into(),
                tls: true,
                skip_tls_verify: false,
                current: false,
            },
        ];
        assert_eq!(
            contexts_table(&ctx),
            "\
NAME        DESCRIPTION                               DOCKER ENDPOINT
default *   Current DOCKER_HOST based configuration   unix:///var/run/docker.sock
remote                                                tcp://10.0.0.5:2376
"
        );
        let nets = vec![NetworkRow {
            id: "f00dfeedbeef0123456".into(),
            name: "bridge".into(),
            driver: "bridge".into(),
            scope: "local".into(),
            internal: false,
            ipv4: true,
            ipv6: false,
            created: None,
            subnets: vec![],
            labels: Default::default(),
            containers: vec!["web".into()],
        }];
        assert_eq!(
            networks_table(&nets, true),
            "NETWORK ID     NAME      DRIVER    SCOPE\nf00dfeedbeef   bridge    bridge    local\n"
        );
    }

    #[test]
    fn stats_and_events_like_docker() {
        let u = berth_api::UsageView {
            id: "f54be7edfbbd68ebf7c5".into(),
            name: "web".into(),
            cpu_percent: 0.123,
            memory: 1_536_000,
            memory_limit: 25_000_000_000,
            memory_percent: 0.006,
            net_rx: 1_234,
            net_tx: 648,
            block_read: 0,
            block_write: 4_096,
            pids: 3,
        };
        let fields = stats_fields(true);
        let line = StatsLine {
            asked_as: "web".into(),
            usage: u,
        };
        assert_eq!(
            Template::parse(STATS_TABLE, &fields)
                .unwrap()
                .render(std::slice::from_ref(&line), &fields),
            "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT     MEM %     NET I/O         BLOCK I/O    PIDS\n\
             f54be7edfbbd   web       0.12%     1.465MiB / 23.28GiB   0.01%     1.23kB / 648B   0B / 4.1kB   3\n"
        );
        let utc = jiff::tz::TimeZone::UTC;
        assert_eq!(
            rfc3339_nanos_in(1_800_000_000_123_456_789, &utc),
            "2027-01-15T08:00:00.123456789Z"
        );
        assert_eq!(rfc3339_nanos_in(0, &utc), "1970-01-01T00:00:00.000000000Z");
        assert_eq!(
            rfc3339_nanos_in(951_782_400_000_000_000, &utc),
            "2000-02-29T00:00:00.000000000Z"
        );
        let east = jiff::tz::TimeZone::fixed(jiff::tz::offset(1));
        let event = berth_api::EventView {
            kind: "container".into(),
            action: "kill".into(),
            actor: "a55d36f1ac60".into(),
            attributes: [("name", "pt"), ("image", "bb"), ("signal", "15")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            time_nano: 1_796_121_977_578_995_440,
        };
        assert_eq!(
            event_line_in(&event, &east),
            "2026-12-01T11:46:17.578995440+01:00 container kill a55d36f1ac60 (image=bb, name=pt, signal=15)"
        );
        // As the engine writes it (docker's `{{json .}}`).
        assert_eq!(
            event_json(&event),
            r#"{"status":"kill","id":"a55d36f1ac60","from":"bb","Type":"container","Action":"kill","Actor":{"ID":"a55d36f1ac60","Attributes":{"image":"bb","name":"pt","signal":"15"}},"scope":"local","time":1796121977,"timeNano":1796121977578995440}"#
        );
        let volume = berth_api::EventView {
            kind: "volume".into(),
            action: "create".into(),
            actor: "evv".into(),
            attributes: [("driver".to_owned(), "local".to_owned())].into(),
            time_nano: 1_796_121_977_551_171_766,
        };
        assert_eq!(
            event_json(&volume),
            r#"{"Type":"volume","Action":"create","Actor":{"ID":"evv","Attributes":{"driver":"local"}},"scope":"local","time":1796121977,"timeNano":1796121977551171766}"#
        );
    }

    #[test]
    fn tag_split_handles_registry_ports() {
        assert_eq!(
            split_tag("localhost:5000/a/b:1"),
            ("localhost:5000/a/b", "1")
        );
        assert_eq!(
            split_tag("localhost:5000/a"),
            ("localhost:5000/a", "<none>")
        );
        assert_eq!(split_tag("busybox:latest"), ("busybox", "latest"));
    }
}
