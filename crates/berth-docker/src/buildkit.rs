//! BuildKit's progress trace (the `moby.buildkit.trace` messages of a BuildKit build) as the
//! lines `docker build --progress=plain` prints: each step numbered in the order it appears
//! (`#5 [2/3] RUN make`), its output with the seconds since it started (`#5 0.231 ok`), and how
//! it ended (`#5 DONE 0.4s`, `#5 CACHED`, `#5 ERROR: …`).

use std::collections::HashMap;

use bollard_buildkit_proto::moby::buildkit::v1::{StatusResponse, Vertex};

/// What was told of a build's steps so far; each trace message gives the lines it adds.
#[derive(Default)]
pub struct Trace {
    steps: HashMap<String, Step>,
    /// The name of the last step that failed, for the build's error.
    pub failed: Option<String>,
}

#[derive(Default)]
struct Step {
    number: usize,
    /// Seconds since the epoch it started at, once it has.
    started: Option<f64>,
    told_start: bool,
    told_end: bool,
    /// Status lines (`transferring context`) told done.
    told_done: Vec<String>,
    /// Output not ended by a newline yet.
    partial: String,
}

fn seconds(t: &Option<bollard_buildkit_proto::google::protobuf::Timestamp>) -> Option<f64> {
    t.as_ref()
        .map(|t| t.seconds as f64 + f64::from(t.nanos) / 1e9)
}

impl Trace {
    fn step(&mut self, digest: &str) -> &mut Step {
        let next = self.steps.len() + 1;
        self.steps.entry(digest.to_owned()).or_insert_with(|| Step {
            number: next,
            ..Step::default()
        })
    }

    /// The lines one trace message adds.
    pub fn lines(&mut self, status: &StatusResponse) -> Vec<String> {
        let mut out = Vec::new();
        for v in &status.vertexes {
            self.start(v, &mut out);
        }
        for s in &status.statuses {
            let step = self.step(&s.vertex);
            if s.completed.is_none() || step.told_done.contains(&s.id) {
                continue;
            }
            step.told_done.push(s.id.clone());
            let size = if s.current > 0 && s.total == 0 {
                format!(": {}", bytes(s.current))
            } else {
                String::new()
            };
            // Some statuses have only an id (`exporting layers`).
            let name = if s.name.is_empty() { &s.id } else { &s.name };
            out.push(format!("#{} {name}{size} done", step.number));
        }
        for log in &status.logs {
            let at = seconds(&log.timestamp);
            let step = self.step(&log.vertex);
            step.partial.push_str(&String::from_utf8_lossy(&log.msg));
            let Some(end) = step.partial.rfind('\n') else {
                continue;
            };
            let whole: String = step.partial.drain(..=end).collect();
            let offset = match (at, step.started) {
                (Some(at), Some(started)) => format!("{:.3} ", (at - started).max(0.0)),
                _ => String::new(),
            };
            for line in whole.lines() {
                let line = line.strip_suffix('\r').unwrap_or(line);
                out.push(format!("#{} {offset}{line}", step.number));
            }
        }
        for w in &status.warnings {
            let step = self.step(&w.vertex);
            out.push(format!(
                "#{} WARNING: {}",
                step.number,
                String::from_utf8_lossy(&w.short)
            ));
        }
        // Ends last: a message can bring a step's last output with its end.
        for v in &status.vertexes {
            self.end(v, &mut out);
        }
        out
    }

    fn start(&mut self, v: &Vertex, out: &mut Vec<String>) {
        let step = self.step(&v.digest);
        if step.started.is_none() {
            step.started = seconds(&v.started);
        }
        if !step.told_start && (v.started.is_some() || v.cached) {
            step.told_start = true;
            out.push(format!("#{} {}", step.number, v.name));
        }
    }

    fn end(&mut self, v: &Vertex, out: &mut Vec<String>) {
        let step = self.step(&v.digest);
        let number = step.number;
        if step.told_end {
            return;
        }
        if v.cached {
            step.told_end = true;
            out.push(format!("#{number} CACHED"));
        } else if !v.error.is_empty() {
            step.told_end = true;
            let rest = std::mem::take(&mut step.partial);
            if !rest.is_empty() {
                out.push(format!("#{number} {rest}"));
            }
            out.push(format!("#{number} ERROR: {}", v.error));
            self.failed = Some(v.name.clone());
        } else if let (Some(done), Some(started)) = (seconds(&v.completed), step.started) {
            step.told_end = true;
            let rest = std::mem::take(&mut step.partial);
            if !rest.is_empty() {
                out.push(format!("#{number} {rest}"));
            }
            out.push(format!("#{number} DONE {:.1}s", (done - started).max(0.0)));
        }
    }
}

/// A byte count as BuildKit's plain output writes it (`34B`, `1.21kB`, `3.40MB`).
fn bytes(n: i64) -> String {
    let n = n as f64;
    match n {
        n if n < 1e3 => format!("{n}B"),
        n if n < 1e6 => format!("{:.2}kB", n / 1e3),
        n if n < 1e9 => format!("{:.2}MB", n / 1e6),
        n => format!("{:.2}GB", n / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard_buildkit_proto::google::protobuf::Timestamp;
    use bollard_buildkit_proto::moby::buildkit::v1::{VertexLog, VertexStatus};

    fn at(seconds: i64, nanos: i32) -> Option<Timestamp> {
        Some(Timestamp { seconds, nanos })
    }

    fn vertex(digest: &str, name: &str) -> Vertex {
        Vertex {
            digest: digest.into(),
            name: name.into(),
            ..Vertex::default()
        }
    }

    #[test]
    fn steps_are_numbered_started_logged_and_ended_as_plain_progress_prints_them() {
        let mut trace = Trace::default();
        let mut run = vertex("sha256:b", "[2/2] RUN echo hi");
        let load = Vertex {
            started: at(100, 0),
            ..vertex(
                "sha256:a",
                "[internal] load build definition from Dockerfile",
            )
        };
        let first = trace.lines(&StatusResponse {
            vertexes: vec![load.clone(), run.clone()],
            ..Default::default()
        });
        // The run step is numbered when it first appears, told once it starts.
        assert_eq!(
            first,
            ["#1 [internal] load build definition from Dockerfile"]
        );
        run.started = at(101, 0);
        let second = trace.lines(&StatusResponse {
            vertexes: vec![
                Vertex {
                    completed: at(100, 80_000_000),
                    ..load
                },
                run.clone(),
            ],
            statuses: vec![VertexStatus {
                id: "transferring dockerfile".into(),
                vertex: "sha256:a".into(),
                name: "transferring dockerfile".into(),
                current: 98,
                completed: at(100, 40_000_000),
                ..Default::default()
            }],
            logs: vec![
                VertexLog {
                    vertex: "sha256:b".into(),
                    timestamp: at(101, 231_000_000),
                    stream: 1,
                    msg: b"hi\nthere".to_vec(),
                },
                VertexLog {
                    vertex: "sha256:b".into(),
                    timestamp: at(101, 300_000_000),
                    stream: 1,
                    msg: b" again\n".to_vec(),
                },
            ],
            ..Default::default()
        });
        assert_eq!(
            second,
            [
                "#2 [2/2] RUN echo hi",
                "#1 transferring dockerfile: 98B done",
                "#2 0.231 hi",
                "#2 0.300 there again",
                "#1 DONE 0.1s",
            ]
        );
        // Told once: the same vertexes again add nothing.
        let again = trace.lines(&StatusResponse {
            vertexes: vec![run.clone()],
            ..Default::default()
        });
        assert!(again.is_empty(), "{again:?}");
        let failed = trace.lines(&StatusResponse {
            vertexes: vec![Vertex {
                completed: at(102, 0),
                error: "process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3"
                    .into(),
                ..run
            }],
            ..Default::default()
        });
        assert_eq!(
            failed,
            ["#2 ERROR: process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3"]
        );
        assert_eq!(trace.failed.as_deref(), Some("[2/2] RUN echo hi"));
    }

    #[test]
    fn a_cached_step_is_told_cached_not_done() {
        let mut trace = Trace::default();
        let cached = Vertex {
            cached: true,
            started: at(5, 0),
            completed: at(5, 0),
            ..vertex("sha256:c", "[1/2] COPY a /a")
        };
        assert_eq!(
            trace.lines(&StatusResponse {
                vertexes: vec![cached],
                ..Default::default()
            }),
            ["#1 [1/2] COPY a /a", "#1 CACHED"]
        );
    }

    #[test]
    fn sizes_read_as_buildkit_writes_them() {
        assert_eq!(bytes(34), "34B");
        assert_eq!(bytes(1_210), "1.21kB");
        assert_eq!(bytes(3_400_000), "3.40MB");
    }
}
