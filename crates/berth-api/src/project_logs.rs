//! A compose project's logs as one stream, as the app's Compose view follows them: every
//! container of the project (stopped ones too), its last lines and then what it writes, a line at
//! a time with its service, container and time; a container that starts later (restarted, or new
//! from `up` or a scale) is followed from its start, without repeating what was already told.
//! And the whole of a project's logs saved to a file, merged in the order of their times.

use std::collections::{BTreeMap, HashMap};

use berth_docker::Client;
use berth_docker::system::Event;
use futures_util::stream::{AbortHandle, BoxStream, SelectAll};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use ts_rs::TS;

use berth_compose::labels::{self, PROJECT, SERVICE};
use berth_compose::observe;

use crate::{ApiError, Berth, Connection, LogChunk, LogOptions};

/// One line a container of a project wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProjectLogLine {
    /// The compose service.
    pub service: String,
    /// The container's name (`proj-web-1`).
    pub container: String,
    /// `stdout`, `stderr` or `console` (a TTY container).
    pub stream: String,
    /// When the engine took the line: RFC 3339 in UTC with nine digits of fraction, so that
    /// the times of all the containers sort as text (`docker logs -t` trims the zeros).
    pub time: String,
    /// The line, without its newline.
    pub text: String,
}

impl Berth {
    /// The project's logs: the last `tail` lines of each of its containers (all with `None`),
    /// then every line they write, until the stream is dropped. Lines come in the order they
    /// arrive, each with its time (the app sorts by it).
    pub fn project_logs(
        &self,
        conn: &Connection,
        project: &str,
        tail: Option<u64>,
    ) -> impl Stream<Item = Result<ProjectLogLine, ApiError>> + use<> {
        let (client, project) = (conn.client.clone(), project.to_owned());
        futures_util::stream::once(Follow::start(client, project, tail))
            .flat_map(|started| match started {
                Ok(follow) => futures_util::stream::unfold(follow, Follow::next).boxed(),
                Err(e) => futures_util::stream::iter([Err(e)]).boxed(),
            })
            .flat_map(|batch| match batch {
                Ok(lines) => futures_util::stream::iter(lines.into_iter().map(Ok)).boxed(),
                Err(e) => futures_util::stream::iter([Err(e)]).boxed(),
            })
    }
}

impl Berth {
    /// Writes the whole log so far of every container of `project` (not its one-off ones) to
    /// `to`, merged in the order of their times, each line as `docker compose logs
    /// --timestamps` prints it: `CONTAINER  | TIME TEXT` (the app's Download); returns the lines
    /// written. Each container's log is read as a stream, so a long log is not held whole.
    pub async fn save_project_logs(
        &self,
        conn: &Connection,
        project: &str,
        to: &std::path::Path,
    ) -> Result<u64, ApiError> {
        use tokio::io::AsyncWriteExt;
        let containers: Vec<_> = observe::project_containers(&conn.client, project)
            .await?
            .into_iter()
            .filter(|c| !c.oneoff)
            .collect();
        if containers.is_empty() {
            return Err(ApiError::new(
                crate::ErrorCode::NotFound,
                format!(
                    "project {project}: it has no containers; check its name in the Compose view"
                ),
            ));
        }
        let fail = |e: std::io::Error| ApiError::invalid(format!("{}: {e}", to.display()));
        let mut file = tokio::io::BufWriter::new(tokio::fs::File::create(to).await.map_err(fail)?);
        let width = containers.iter().map(|c| c.name.len()).max().unwrap_or(0);
        let opts = LogOptions {
            timestamps: true,
            ..Default::default()
        };
        let mut logs: Vec<_> = containers
            .iter()
            .map(|c| timed_log(conn.client.logs(&c.id, &opts)))
            .collect();
        let mut heads = Vec::with_capacity(logs.len());
        for log in &mut logs {
            heads.push(log.next().await.transpose()?);
        }
        let mut written = 0;
        // The earliest of the containers' next lines, each time.
        while let Some(i) = (0..heads.len())
            .filter(|i| heads[*i].is_some())
            .min_by(|a, b| heads[*a].cmp(&heads[*b]))
        {
            let Some((time, text)) = heads[i].take() else {
                break;
            };
            let line = format!("{:width$}  | {time} {text}\n", containers[i].name);
            file.write_all(line.as_bytes()).await.map_err(fail)?;
            written += 1;
            heads[i] = logs[i].next().await.transpose()?;
        }
        file.flush().await.map_err(fail)?;
        Ok(written)
    }
}

/// A container's log read with timestamps as `(time, text)` lines, in its order; a line without
/// a time (a TTY's carriage-return output) takes the one before it.
fn timed_log(
    chunks: impl Stream<Item = Result<LogChunk, berth_docker::Error>> + Send + 'static,
) -> BoxStream<'static, Result<(String, String), ApiError>> {
    chunks
        .scan(String::new(), |last, chunk| {
            let lines = match chunk {
                Ok(chunk) => timed_lines(&chunk.bytes)
                    .into_iter()
                    .map(|(time, text)| {
                        if let Some(time) = time {
                            *last = time;
                        }
                        Ok((last.clone(), text))
                    })
                    .collect(),
                Err(e) => vec![Err(ApiError::from(e))],
            };
            std::future::ready(Some(futures_util::stream::iter(lines)))
        })
        .flatten()
        .boxed()
}

/// One container's log stream.
type Followed = BoxStream<'static, (String, Result<LogChunk, berth_docker::Error>)>;

/// A container of the project, as the lines name it, and the follow of its log.
struct Member {
    service: String,
    name: String,
    /// The engine second its follow began at (its start, or the time the project's logs were
    /// asked for): a start before it is in that follow already.
    began: i64,
    /// The last lines that follow asked for (all with `None`); a follow of a later run asks
    /// for the same, and what was told already is recognised by its time.
    tail: Option<u64>,
    /// Ends that follow (a newer one replaces it).
    stop: AbortHandle,
}

struct Follow {
    client: Client,
    events: BoxStream<'static, Result<Event, berth_docker::Error>>,
    logs: SelectAll<Followed>,
    members: HashMap<String, Member>,
    /// The time of the last line told, per container and stream.
    told: HashMap<(String, &'static str), String>,
}

impl Follow {
    /// Follows the engine's start events of the project first, then lists its containers, so
    /// that one started in between is not missed.
    async fn start(client: Client, project: String, tail: Option<u64>) -> Result<Follow, ApiError> {
        let since = client.engine_time().await?;
        let filters = BTreeMap::from([
            ("type".to_owned(), vec!["container".to_owned()]),
            ("event".to_owned(), vec!["start".to_owned()]),
            ("label".to_owned(), vec![format!("{PROJECT}={project}")]),
        ]);
        let events = client.events(Some(since), None, &filters).boxed();
        let listed = observe::project_containers(&client, &project).await?;
        let mut follow = Follow {
            client,
            events,
            logs: SelectAll::new(),
            members: HashMap::new(),
            told: HashMap::new(),
        };
        for c in listed.into_iter().filter(|c| !c.oneoff) {
            follow.follow(c.id, c.service, c.name, since, tail);
        }
        Ok(follow)
    }

    /// Follows a container's log from its last `tail` lines (all with `None`), a follow that
    /// began at engine second `began`; a follow of it already running ends.
    fn follow(&mut self, id: String, service: String, name: String, began: i64, tail: Option<u64>) {
        let opts = LogOptions {
            follow: true,
            since: None,
            tail,
            timestamps: true,
            until: None,
        };
        let key = id.clone();
        let (stream, stop) = futures_util::stream::abortable(self.client.logs(&id, &opts));
        self.logs
            .push(stream.map(move |c| (key.clone(), c)).boxed());
        let member = Member {
            service,
            name,
            began,
            tail,
            stop,
        };
        if let Some(old) = self.members.insert(id, member) {
            old.stop.abort();
        }
    }

    /// The lines of the next piece of a container's log (none for an event or a log's end);
    /// `None` ends the stream (after an error of the engine's event stream, which then ends).
    async fn next(mut self) -> Option<(Result<Vec<ProjectLogLine>, ApiError>, Follow)> {
        loop {
            tokio::select! {
                event = self.events.next() => match event {
                    Some(Ok(e)) => self.started(e),
                    Some(Err(e)) => return Some((Err(e.into()), self.ended())),
                    None => return None,
                },
                Some((id, chunk)) = self.logs.next(), if !self.logs.is_empty() => match chunk {
                    Ok(chunk) => return Some((Ok(self.lines(&id, &chunk)), self)),
                    Err(e) => tracing::debug!(container = %id, %e, "a project container's log ended"),
                },
            }
        }
    }

    /// A follow that tells nothing more (its events are spent).
    fn ended(mut self) -> Follow {
        self.events = futures_util::stream::empty().boxed();
        self.logs = SelectAll::new();
        self
    }

    fn started(&mut self, e: Event) {
        if labels::oneoff(&e.attributes) {
            return;
        }
        let started = e.time_nano.div_euclid(1_000_000_000);
        let Some(tail) = follow_anew(self.members.get(&e.actor), started) else {
            return;
        };
        let attr = |k: &str| e.attributes.get(k).cloned().unwrap_or_default();
        let (name, service) = (attr("name"), attr(SERVICE));
        self.follow(e.actor, service, name, started, tail);
    }

    /// The lines of a piece of a container's log, less those already told (a log followed again
    /// repeats what the last follow told).
    fn lines(&mut self, id: &str, chunk: &LogChunk) -> Vec<ProjectLogLine> {
        let Some(m) = self.members.get(id) else {
            return Vec::new();
        };
        let stream = crate::containers::stream_name(chunk.stream);
        let told = self.told.entry((id.to_owned(), stream)).or_default();
        let mut out = Vec::new();
        for (time, text) in timed_lines(&chunk.bytes) {
            match time {
                Some(time) if time.as_str() <= told.as_str() => continue,
                Some(time) => *told = time,
                None => {}
            }
            out.push(ProjectLogLine {
                service: m.service.clone(),
                container: m.name.clone(),
                stream: stream.into(),
                time: told.clone(),
                text,
            });
        }
        out
    }
}

/// The last lines to ask for of a container that started at engine second `started` (`Some(None)`:
/// all), given its follow so far (`None`: not followed yet); `None` when that follow has this
/// run already.
///
/// A run that started before the follow began is in it already. Any other is followed anew,
/// whether or not the engine ended the last run's follow (a follow can outlive a quick restart
/// without telling the new run's lines), asking again for what the last follow asked for, which
/// it may not have told yet (two starts in a row, or a container listed mid-restart, whose follow
/// ends at once); what was told already is recognised by its time. A container not followed yet
/// was made after the project's logs were asked for (every one there then was listed), so its
/// whole log is new and is asked for whole. (It was asked from its start's second once, but the
/// engine says the start after the process runs, and a line the process wrote first can carry
/// the second before: CI47 lost a container's only line so.)
fn follow_anew(member: Option<&Member>, started: i64) -> Option<Option<u64>> {
    match member {
        Some(m) if started < m.began => None,
        Some(m) => Some(m.tail),
        None => Some(None),
    }
}

/// The lines of a piece of a log read with timestamps (`TIME text`), each with its time in the
/// sortable form ([`ProjectLogLine::time`]); a line without one (a TTY's carriage-return
/// output, say) has `None`.
fn timed_lines(bytes: &[u8]) -> Vec<(Option<String>, String)> {
    let text = String::from_utf8_lossy(bytes);
    text.split_inclusive('\n')
        .map(|line| {
            let line = line.strip_suffix('\n').unwrap_or(line);
            let line = line.strip_suffix('\r').unwrap_or(line);
            let (first, rest) = line.split_once(' ').unwrap_or((line, ""));
            match first.parse::<jiff::Timestamp>() {
                Ok(t) => (Some(format!("{t:.9}")), rest.to_owned()),
                Err(_) => (None, line.to_owned()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(began: i64, tail: Option<u64>) -> Member {
        Member {
            service: "web".into(),
            name: "proj-web-1".into(),
            began,
            tail,
            stop: AbortHandle::new_pair().0,
        }
    }

    #[test]
    fn a_container_made_later_is_followed_from_its_first_line() {
        // Not from its start's second: its first line can carry the second before.
        assert_eq!(follow_anew(None, 1_700_000_001), Some(None));
    }

    #[test]
    fn a_start_the_follow_has_already_is_not_followed_again() {
        let m = member(1_700_000_010, Some(5));
        assert_eq!(follow_anew(Some(&m), 1_700_000_009), None);
        // The same second or later: followed again, asking for what the follow asked for.
        assert_eq!(follow_anew(Some(&m), 1_700_000_010), Some(Some(5)));
        assert_eq!(follow_anew(Some(&member(7, None)), 9), Some(None));
    }

    #[test]
    fn times_are_sortable_text() {
        let lines = timed_lines(b"2026-12-02T14:33:01.1234Z hello world\n");
        assert_eq!(
            lines,
            [(
                Some("2026-12-02T14:33:01.123400000Z".to_owned()),
                "hello world".to_owned()
            )]
        );
        // A whole second, and one with nine digits.
        let a = timed_lines(b"2026-12-02T14:33:01Z a\n")[0]
            .0
            .clone()
            .unwrap();
        let b = timed_lines(b"2026-12-02T14:33:01.000000001Z b\n")[0]
            .0
            .clone()
            .unwrap();
        assert!(a < b, "{a} sorts before {b}");
    }

    #[test]
    fn a_piece_with_several_lines_and_one_without_time() {
        let lines = timed_lines(b"2026-12-02T14:33:01Z one\r\n2026-12-02T14:33:02Z \nno time here");
        assert_eq!(
            lines,
            [
                (Some("2026-12-02T14:33:01.000000000Z".into()), "one".into()),
                (Some("2026-12-02T14:33:02.000000000Z".into()), String::new()),
                (None, "no time here".into()),
            ]
        );
    }
}
