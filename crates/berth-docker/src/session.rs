//! BuildKit's session: the connection a BuildKit build asks things back over while it runs.
//! The engine asks it for the registry logins of the images the build pulls, the secrets its
//! `RUN --mount=type=secret` steps read, and hands it the exported files (`-o`). Berth serves
//! it as the docker CLI does: gRPC, with Berth as the server, over the engine's `/session`
//! endpoint upgraded to HTTP/2; the build names it (`/build?session=ID`).

use std::collections::HashMap;
use std::pin::Pin;
use std::task::{Context, Poll};

use bollard_buildkit_proto::health::health_check_response::ServingStatus;
use bollard_buildkit_proto::health::health_server::{Health, HealthServer};
use bollard_buildkit_proto::health::{
    HealthCheckRequest, HealthCheckResponse, HealthListRequest, HealthListResponse,
};
use bollard_buildkit_proto::moby::buildkit::secrets::v1::secrets_server::{Secrets, SecretsServer};
use bollard_buildkit_proto::moby::buildkit::secrets::v1::{GetSecretRequest, GetSecretResponse};
use bollard_buildkit_proto::moby::filesync::v1::auth_server::{Auth, AuthServer};
use bollard_buildkit_proto::moby::filesync::v1::file_send_server::{FileSend, FileSendServer};
use bollard_buildkit_proto::moby::filesync::v1::{
    BytesMessage, CredentialsRequest, CredentialsResponse, FetchTokenRequest, FetchTokenResponse,
    GetTokenAuthorityRequest, GetTokenAuthorityResponse, VerifyTokenAuthorityRequest,
    VerifyTokenAuthorityResponse,
};
use bollard_buildkit_proto::moby::sshforward::v1::ssh_server::{Ssh, SshServer};
use bollard_buildkit_proto::moby::sshforward::v1::{
    BytesMessage as SshBytes, CheckAgentRequest, CheckAgentResponse,
};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use http_body_util::Empty;
use hyper_util::rt::TokioIo;
use tokio_util::io::{StreamReader, SyncIoBridge};
use tonic::server::NamedService;
use tonic::{Request, Response, Status, Streaming};

use crate::build::{BuildOutput, BuildSecret, MAX_SECRET, SecretSource, SshAgent};
use crate::raw::body_stream;
use crate::{Client, Error};

/// What the session answers.
pub(crate) struct Session {
    /// Registry host (as BuildKit asks: `registry-1.docker.io`, `localhost:5000`) → (user,
    /// password).
    pub logins: HashMap<String, (String, String)>,
    pub secrets: Vec<BuildSecret>,
    pub ssh: Vec<SshAgent>,
    /// Where the exported files go; BuildKit sends them as one tar (`type=tar`), unpacked
    /// here for a folder.
    pub output: Option<BuildOutput>,
}

/// The session while it is served; dropping it closes the connection.
pub(crate) struct Served(tokio::task::JoinHandle<()>);

impl Drop for Served {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Client {
    /// Opens the session `id` with the engine and serves it until the returned handle is
    /// dropped.
    pub(crate) async fn serve_session(&self, id: &str, session: Session) -> Result<Served, Error> {
        let mut methods = vec![format!("/{}/Credentials", AuthServer::<Logins>::NAME)];
        if !session.secrets.is_empty() {
            methods.push(format!("/{}/GetSecret", SecretsServer::<Vault>::NAME));
        }
        if session.output.is_some() {
            methods.push(format!("/{}/DiffCopy", FileSendServer::<Receiver>::NAME));
        }
        if !session.ssh.is_empty() {
            for m in ["CheckAgent", "ForwardAgent"] {
                methods.push(format!("/{}/{m}", SshServer::<Agents>::NAME));
            }
        }
        let mut req = hyper::Request::post(format!("/v{}/session", self.api_version()))
            .header("Host", "docker")
            .header("Connection", "Upgrade")
            .header("Upgrade", "h2c")
            .header("X-Docker-Expose-Session-Uuid", id)
            .header("X-Docker-Expose-Session-Name", "berth");
        for m in &methods {
            req = req.header("X-Docker-Expose-Session-Grpc-Method", m);
        }
        let req = req
            .body(Empty::<Bytes>::new())
            .map_err(|e| self.failed(e.to_string()))?;
        let answer = self.send(req).await?;
        if answer.status() != hyper::StatusCode::SWITCHING_PROTOCOLS {
            let message = crate::raw::message(body_stream(answer.into_body())).await;
            return Err(self.failed(format!("the engine refused a build session: {message}")));
        }
        let upgraded = hyper::upgrade::on(answer)
            .await
            .map_err(|e| self.failed(e.to_string()))?;
        let conn = Conn(TokioIo::new(upgraded));
        let Session {
            logins,
            secrets,
            ssh,
            output,
        } = session;
        let mut router = tonic::transport::Server::builder()
            .add_service(HealthServer::new(Healthy))
            .add_service(AuthServer::new(Logins(logins)));
        if !secrets.is_empty() {
            router = router.add_service(SecretsServer::new(Vault(secrets)));
        }
        if let Some(output) = output {
            router = router.add_service(FileSendServer::new(Receiver(output)));
        }
        if !ssh.is_empty() {
            router = router.add_service(SshServer::new(Agents(ssh)));
        }
        let task = tokio::spawn(async move {
            let incoming = futures_util::stream::iter([Ok::<_, std::io::Error>(conn)]);
            if let Err(e) = router.serve_with_incoming(incoming).await {
                tracing::debug!(%e, "the build session ended");
            }
        });
        Ok(Served(task))
    }
}

/// The upgraded connection, as tonic's server takes a connection.
struct Conn(TokioIo<hyper::upgrade::Upgraded>);

impl tonic::transport::server::Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl tokio::io::AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// The engine checks the session is alive.
struct Healthy;

#[tonic::async_trait]
impl Health for Healthy {
    type WatchStream = Pin<Box<dyn Stream<Item = Result<HealthCheckResponse, Status>> + Send>>;

    async fn check(
        &self,
        _: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        Ok(Response::new(HealthCheckResponse {
            status: ServingStatus::Serving as i32,
        }))
    }

    async fn list(
        &self,
        _: Request<HealthListRequest>,
    ) -> Result<Response<HealthListResponse>, Status> {
        Err(Status::unimplemented("list"))
    }

    async fn watch(
        &self,
        _: Request<HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        Err(Status::unimplemented("watch"))
    }
}

/// Registry logins by host. Only `Credentials` is offered (BuildKit then fetches the
/// registry's tokens itself).
struct Logins(HashMap<String, (String, String)>);

#[tonic::async_trait]
impl Auth for Logins {
    async fn credentials(
        &self,
        request: Request<CredentialsRequest>,
    ) -> Result<Response<CredentialsResponse>, Status> {
        let (username, secret) = self
            .0
            .get(&request.get_ref().host)
            .cloned()
            .unwrap_or_default();
        Ok(Response::new(CredentialsResponse { username, secret }))
    }

    async fn fetch_token(
        &self,
        _: Request<FetchTokenRequest>,
    ) -> Result<Response<FetchTokenResponse>, Status> {
        Err(Status::unimplemented("fetch_token"))
    }

    async fn get_token_authority(
        &self,
        _: Request<GetTokenAuthorityRequest>,
    ) -> Result<Response<GetTokenAuthorityResponse>, Status> {
        Err(Status::unimplemented("get_token_authority"))
    }

    async fn verify_token_authority(
        &self,
        _: Request<VerifyTokenAuthorityRequest>,
    ) -> Result<Response<VerifyTokenAuthorityResponse>, Status> {
        Err(Status::unimplemented("verify_token_authority"))
    }
}

/// The build's secrets, read when a step asks for one (not before, not kept).
struct Vault(Vec<BuildSecret>);

#[tonic::async_trait]
impl Secrets for Vault {
    async fn get_secret(
        &self,
        request: Request<GetSecretRequest>,
    ) -> Result<Response<GetSecretResponse>, Status> {
        let id = &request.get_ref().id;
        let Some(secret) = self.0.iter().find(|s| &s.id == id) else {
            return Err(Status::not_found(format!("no secret {id:?} was given")));
        };
        let data = match &secret.source {
            SecretSource::Text(text) => text.0.clone().into_bytes(),
            SecretSource::Env(var) => std::env::var_os(var)
                .map(|v| v.into_encoded_bytes())
                .ok_or_else(|| Status::not_found(format!("{var} is not set")))?,
            SecretSource::File(path) => {
                let size = tokio::fs::metadata(path)
                    .await
                    .map_err(|e| Status::not_found(format!("{}: {e}", path.display())))?
                    .len();
                if size > MAX_SECRET {
                    return Err(Status::invalid_argument(format!(
                        "{}: {size} bytes, more than a secret may hold ({MAX_SECRET})",
                        path.display()
                    )));
                }
                tokio::fs::read(path)
                    .await
                    .map_err(|e| Status::not_found(format!("{}: {e}", path.display())))?
            }
        };
        Ok(Response::new(GetSecretResponse { data }))
    }
}

/// Takes the exported tar: into its file, or unpacked into the folder.
struct Receiver(BuildOutput);

#[tonic::async_trait]
impl FileSend for Receiver {
    type DiffCopyStream = Pin<Box<dyn Stream<Item = Result<BytesMessage, Status>> + Send>>;

    async fn diff_copy(
        &self,
        request: Request<Streaming<BytesMessage>>,
    ) -> Result<Response<Self::DiffCopyStream>, Status> {
        let mut chunks = request.into_inner();
        let failed = |what: &std::path::Path, e: std::io::Error| {
            Status::internal(format!("{}: {e}", what.display()))
        };
        match &self.0 {
            BuildOutput::Tar(file) => {
                use tokio::io::AsyncWriteExt;
                let mut out = tokio::fs::File::create(file)
                    .await
                    .map_err(|e| failed(file, e))?;
                while let Some(chunk) = chunks.next().await {
                    out.write_all(&chunk?.data)
                        .await
                        .map_err(|e| failed(file, e))?;
                }
                out.flush().await.map_err(|e| failed(file, e))?;
            }
            BuildOutput::Local(dir) => {
                // Unpacked on a blocking thread as the chunks come.
                let chunks = chunks.map(|c| {
                    c.map(|m| Bytes::from(m.data))
                        .map_err(std::io::Error::other)
                });
                let mut tar = SyncIoBridge::new(StreamReader::new(chunks));
                let to = dir.clone();
                tokio::task::spawn_blocking(move || {
                    std::fs::create_dir_all(&to)?;
                    tar::Archive::new(&mut tar).unpack(&to)
                })
                .await
                .map_err(|e| Status::internal(e.to_string()))?
                .map_err(|e| failed(dir, e))?;
            }
        }
        Ok(Response::new(Box::pin(futures_util::stream::empty())))
    }
}

/// The SSH agents a build may use, by id; each connection a step opens to its agent's socket in
/// the build is carried to the agent's own socket here.
struct Agents(Vec<SshAgent>);

impl Agents {
    fn socket(&self, id: &str) -> Result<&std::path::Path, Status> {
        let id = if id.is_empty() { "default" } else { id };
        self.0
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.socket.as_path())
            .ok_or_else(|| Status::not_found(format!("no SSH agent {id:?} was given (--ssh {id})")))
    }
}

#[tonic::async_trait]
impl Ssh for Agents {
    type ForwardAgentStream = Pin<Box<dyn Stream<Item = Result<SshBytes, Status>> + Send>>;

    async fn check_agent(
        &self,
        request: Request<CheckAgentRequest>,
    ) -> Result<Response<CheckAgentResponse>, Status> {
        self.socket(&request.get_ref().id)?;
        Ok(Response::new(CheckAgentResponse {}))
    }

    async fn forward_agent(
        &self,
        request: Request<Streaming<SshBytes>>,
    ) -> Result<Response<Self::ForwardAgentStream>, Status> {
        // BuildKit names the agent in the call's metadata.
        let id = request
            .metadata()
            .get("buildkit.ssh.id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let socket = self.socket(&id)?;
        let unavailable =
            |e: std::io::Error| Status::unavailable(format!("{}: {e}", socket.display()));
        #[cfg(unix)]
        let agent = tokio::net::UnixStream::connect(socket)
            .await
            .map_err(unavailable)?;
        // OpenSSH for Windows' agent listens on a named pipe.
        #[cfg(windows)]
        let agent = tokio::net::windows::named_pipe::ClientOptions::new()
            .open(socket)
            .map_err(unavailable)?;
        Ok(Response::new(carry(agent, request.into_inner())))
    }
}

/// Carries a step's connection to its agent: what the step sends is written to the agent, what
/// the agent answers goes back to the step.
fn carry<A>(agent: A, mut from_step: Streaming<SshBytes>) -> <Agents as Ssh>::ForwardAgentStream
where
    A: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + 'static,
{
    use tokio::io::AsyncWriteExt;
    use tokio_util::io::ReaderStream;
    let (from_agent, mut to_agent) = tokio::io::split(agent);
    tokio::spawn(async move {
        while let Some(Ok(message)) = from_step.next().await {
            if to_agent.write_all(&message.data).await.is_err() {
                break;
            }
        }
        let _ = to_agent.shutdown().await;
    });
    Box::pin(ReaderStream::new(from_agent).map(|read| {
        read.map(|data| SshBytes { data: data.into() })
            .map_err(|e| Status::unavailable(e.to_string()))
    }))
}
