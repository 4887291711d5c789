//! Exec: a command run inside a running container, with or without a TTY, its output as a
//! stream, its input as a writer, resizable, and its exit code.

use std::pin::Pin;

use bollard::exec::{StartExecOptions, StartExecResults};
use bollard::models::ExecConfig;
use bollard::query_parameters::ResizeExecOptionsBuilder;
use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWrite;

use crate::containers::LogChunk;
use crate::{Client, Error};

/// What to run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecSpec {
    pub command: Vec<String>,
    pub tty: bool,
    /// Keep stdin open for [`ExecSession::input`].
    pub interactive: bool,
    pub env: Vec<String>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    /// The terminal's size at the start, `(rows, cols)`.
    pub size: Option<(u16, u16)>,
    /// With every capability (`exec --privileged`).
    pub privileged: bool,
}

/// A running exec.
pub struct ExecSession {
    pub id: String,
    pub output: Pin<Box<dyn Stream<Item = Result<LogChunk, Error>> + Send>>,
    pub input: Pin<Box<dyn AsyncWrite + Send>>,
}

/// A running exec's process, as the engine sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExecProcess {
    /// Its pid in the engine's pid namespace (the host's, for an engine run here).
    pub pid: u32,
    /// The id of the container it runs in.
    pub container: String,
}

impl Client {
    /// Starts `spec` in container `id`: attached (its session), or detached (none).
    async fn exec_started(
        &self,
        id: &str,
        spec: &ExecSpec,
        detach: bool,
    ) -> Result<Option<ExecSession>, Error> {
        if spec.command.is_empty() {
            return Err(Error::invalid(id, "exec needs a command to run"));
        }
        let config = ExecConfig {
            attach_stdin: Some(spec.interactive),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            tty: Some(spec.tty),
            cmd: Some(spec.command.clone()),
            env: (!spec.env.is_empty()).then(|| spec.env.clone()),
            working_dir: spec.workdir.clone(),
            user: spec.user.clone(),
            console_size: spec.size.map(|(r, c)| vec![usize::from(r), usize::from(c)]),
            privileged: Some(spec.privileged),
            ..Default::default()
        };
        let created = self
            .call("an exec create", self.docker.create_exec(id, config))
            .await?;
        if detach {
            let opts = StartExecOptions {
                detach: true,
                tty: spec.tty,
                output_capacity: None,
            };
            self.call(
                "an exec start",
                self.docker.start_exec(&created.id, Some(opts)),
            )
            .await?;
            return Ok(None);
        }
        let opts = StartExecOptions {
            detach: false,
            tty: spec.tty,
            output_capacity: None,
        };
        let started = self
            .call(
                "an exec start",
                self.docker.start_exec(&created.id, Some(opts)),
            )
            .await?;
        let StartExecResults::Attached { output, input } = started else {
            return Err(Error::Protocol {
                endpoint: self.endpoint().host.clone(),
                detail: "the exec started detached".into(),
            });
        };
        if let Some((rows, cols)) = spec.size {
            // The size given at create is not applied by every engine version; set it again.
            let _ = self.resize_exec(&created.id, rows, cols).await;
        }
        let endpoint = self.endpoint().host.clone();
        let output = output
            .filter_map(move |item| std::future::ready(LogChunk::from_engine(item, &endpoint)));
        Ok(Some(ExecSession {
            id: created.id,
            output: Box::pin(output),
            input,
        }))
    }

    /// Starts `spec` in container `id`, attached.
    pub async fn exec(&self, id: &str, spec: &ExecSpec) -> Result<ExecSession, Error> {
        let session = self.exec_started(id, spec, false).await?;
        session.ok_or_else(|| Error::Protocol {
            endpoint: self.endpoint().host.clone(),
            detail: "the exec started detached".into(),
        })
    }

    /// Starts `spec` in container `id` and leaves it running there (`exec -d`).
    pub async fn exec_detached(&self, id: &str, spec: &ExecSpec) -> Result<(), Error> {
        self.exec_started(id, spec, true).await.map(|_| ())
    }

    pub async fn resize_exec(&self, exec_id: &str, rows: u16, cols: u16) -> Result<(), Error> {
        let opts = ResizeExecOptionsBuilder::default()
            .h(i32::from(rows))
            .w(i32::from(cols))
            .build();
        self.call("an exec resize", self.docker.resize_exec(exec_id, opts))
            .await
    }

    /// The exec's process while it runs (`None` once it has ended): its pid as the engine sees
    /// it, and its container.
    pub async fn exec_process(&self, exec_id: &str) -> Result<Option<ExecProcess>, Error> {
        let inspect = self
            .call("an exec inspect", self.docker.inspect_exec(exec_id))
            .await?;
        let pid = inspect.pid.and_then(|p| u32::try_from(p).ok());
        let (Some(true), Some(pid)) = (inspect.running, pid) else {
            return Ok(None);
        };
        let container = inspect.container_id.unwrap_or_default();
        Ok(Some(ExecProcess { pid, container }))
    }

    /// The exit code once the exec has ended (`None` while it runs).
    pub async fn exec_exit_code(&self, exec_id: &str) -> Result<Option<i64>, Error> {
        let inspect = self
            .call("an exec inspect", self.docker.inspect_exec(exec_id))
            .await?;
        Ok(if inspect.running == Some(true) {
            None
        } else {
            inspect.exit_code
        })
    }
}

/// A container's attached streams.
pub struct AttachSession {
    pub output: Pin<Box<dyn Stream<Item = Result<LogChunk, Error>> + Send>>,
    pub input: Pin<Box<dyn AsyncWrite + Send>>,
}

/// Which of a container's streams an attach takes (`run -a stdout`): stdin only when the
/// container was created with it open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Streams {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
}

impl Streams {
    /// Its output, both streams, and its stdin when `stdin`.
    pub fn output(stdin: bool) -> Self {
        Self {
            stdin,
            stdout: true,
            stderr: true,
        }
    }
}

impl Client {
    /// Attaches to a container's main process: the `streams` asked, from now on.
    pub async fn attach(
        &self,
        id: &str,
        streams: Streams,
        detach_keys: Option<&str>,
    ) -> Result<AttachSession, Error> {
        let mut opts = bollard::query_parameters::AttachContainerOptionsBuilder::default()
            .stream(true)
            .stdin(streams.stdin)
            .stdout(streams.stdout)
            .stderr(streams.stderr);
        if let Some(keys) = detach_keys {
            opts = opts.detach_keys(keys);
        }
        let opts = opts.build();
        let attached = self
            .call("an attach", self.docker.attach_container(id, Some(opts)))
            .await?;
        let endpoint = self.endpoint().host.clone();
        let output = attached
            .output
            .filter_map(move |item| std::future::ready(LogChunk::from_engine(item, &endpoint)));
        Ok(AttachSession {
            output: Box::pin(output),
            input: attached.input,
        })
    }

    /// Sets the size of a container's TTY.
    pub async fn resize_container(&self, id: &str, rows: u16, cols: u16) -> Result<(), Error> {
        let opts = bollard::query_parameters::ResizeContainerTTYOptionsBuilder::default()
            .h(i32::from(rows))
            .w(i32::from(cols))
            .build();
        self.call("a resize", self.docker.resize_container_tty(id, opts))
            .await
    }
}
