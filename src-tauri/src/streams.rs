//! High-rate streams to the UI (logs, stats, host samples, pull/push/build progress, compose
//! progress, exec terminals): each runs as a task that sends batches through a
//! `tauri::ipc::Channel`, under a subscription id the UI ends with `unsubscribe` when its view
//! goes away. A task also ends when its channel is gone (the webview was freed) and all end
//! when the window closes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use berth_api::ApiError;
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use tauri::async_runtime::JoinHandle;
use tauri::ipc::Channel;
use tokio::io::AsyncWrite;

/// How long a batch collects items after its first one.
const BATCH_WINDOW: Duration = Duration::from_millis(25);
/// How long a batch of log lines collects: a log can bring lines every few milliseconds, and
/// each batch costs the window a render (about 20 ms of CPU here, whatever its size): 10 a
/// second, not 40 (a container writing 100 lines a second took 60% of a core with the log open
/// at 25 ms, 26% at 100 ms; docs/app.md).
pub const LOG_BATCH_WINDOW: Duration = Duration::from_millis(100);
/// At most this many items per batch.
const BATCH_MAX: usize = 2000;

/// What a channel carries: items, and at the end `done` with the error that ended it, if any.
#[derive(Clone, Debug, Serialize)]
pub struct Batch<T> {
    pub items: Vec<T>,
    pub done: bool,
    pub error: Option<ApiError>,
}

/// An exec session's input side, kept so `exec_input` and `exec_resize` can reach it, and
/// the engine it runs on, for the hang-up.
pub struct ExecInput {
    pub exec_id: String,
    pub berth: std::sync::Arc<berth_api::Berth>,
    pub conn: berth_api::Connection,
    pub writer: tokio::sync::Mutex<std::pin::Pin<Box<dyn AsyncWrite + Send>>>,
}

/// The running subscriptions.
#[derive(Default)]
pub struct Streams {
    next: AtomicU32,
    tasks: Mutex<HashMap<u32, JoinHandle<()>>>,
    execs: Mutex<HashMap<u32, std::sync::Arc<ExecInput>>>,
}

impl Streams {
    /// A fresh subscription id.
    pub fn id(&self) -> u32 {
        self.next.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Runs `task` under subscription `id`.
    pub fn spawn(
        &self,
        id: u32,
        task: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> u32 {
        let handle = tauri::async_runtime::spawn(task);
        self.lock_tasks().insert(id, handle);
        id
    }

    /// Sends `stream`'s items through `channel` in batches, under a new subscription.
    pub fn forward<T, S>(&self, stream: S, channel: Channel<Batch<T>>) -> u32
    where
        T: Serialize + Clone + Send + Sync + 'static,
        S: Stream<Item = Result<T, ApiError>> + Send + 'static,
    {
        self.forward_every(stream, channel, BATCH_WINDOW)
    }

    /// [`Streams::forward`] with batches that collect for `window` (one message a second for
    /// the stats of many containers, rather than one per container).
    pub fn forward_every<T, S>(
        &self,
        stream: S,
        channel: Channel<Batch<T>>,
        window: Duration,
    ) -> u32
    where
        T: Serialize + Clone + Send + Sync + 'static,
        S: Stream<Item = Result<T, ApiError>> + Send + 'static,
    {
        self.forward_with(stream, channel, window, |_| {})
    }

    /// [`Streams::forward`], then `then` with how the stream ended (not when the subscription
    /// was ended first, or its channel went away).
    pub fn forward_then<T, S>(
        &self,
        stream: S,
        channel: Channel<Batch<T>>,
        then: impl FnOnce(Result<(), ApiError>) + Send + 'static,
    ) -> u32
    where
        T: Serialize + Clone + Send + Sync + 'static,
        S: Stream<Item = Result<T, ApiError>> + Send + 'static,
    {
        self.forward_with(stream, channel, BATCH_WINDOW, then)
    }

    /// What every `forward` is: under a new subscription, `stream` in batches that collect for
    /// `window`, then `then` with how it ended.
    fn forward_with<T, S>(
        &self,
        stream: S,
        channel: Channel<Batch<T>>,
        window: Duration,
        then: impl FnOnce(Result<(), ApiError>) + Send + 'static,
    ) -> u32
    where
        T: Serialize + Clone + Send + Sync + 'static,
        S: Stream<Item = Result<T, ApiError>> + Send + 'static,
    {
        let id = self.id();
        self.spawn(id, async move {
            if let Some(end) = forward_batched(stream, channel, window).await {
                then(end);
            }
        })
    }

    pub fn keep_exec(&self, id: u32, input: ExecInput) {
        self.lock_execs().insert(id, std::sync::Arc::new(input));
    }

    pub fn exec(&self, id: u32) -> Result<std::sync::Arc<ExecInput>, ApiError> {
        self.lock_execs().get(&id).cloned().ok_or_else(|| {
            ApiError::invalid(format!(
                "terminal {id} has ended; open a new one from the container's Exec tab"
            ))
        })
    }

    /// Ends a subscription; ending one that has ended already is fine. A terminal's command is
    /// hung up ([`crate::terminal::hang_up`]).
    pub fn unsubscribe(&self, id: u32) {
        tracing::debug!(id, "unsubscribed");
        if let Some(task) = self.lock_tasks().remove(&id) {
            task.abort();
        }
        if let Some(exec) = self.lock_execs().remove(&id) {
            tauri::async_runtime::spawn(crate::terminal::hang_up(exec));
        }
    }

    /// Ends every subscription (the window that asked for them is gone), hanging up the
    /// terminals' commands before this returns (the process ends next).
    pub fn end_all(&self) {
        for (_, task) in self.lock_tasks().drain() {
            task.abort();
        }
        let execs: Vec<_> = self.lock_execs().drain().map(|(_, e)| e).collect();
        if !execs.is_empty() {
            tauri::async_runtime::block_on(futures_util::future::join_all(
                execs.into_iter().map(crate::terminal::hang_up),
            ));
        }
    }

    fn lock_tasks(&self) -> std::sync::MutexGuard<'_, HashMap<u32, JoinHandle<()>>> {
        self.tasks.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_execs(&self) -> std::sync::MutexGuard<'_, HashMap<u32, std::sync::Arc<ExecInput>>> {
        self.execs.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Sends `stream`'s items in batches until it ends, fails, or the channel is gone.
pub async fn forward<T, S>(stream: S, channel: Channel<Batch<T>>)
where
    T: Serialize + Clone + Send + Sync + 'static,
    S: Stream<Item = Result<T, ApiError>> + Send,
{
    forward_batched(stream, channel, BATCH_WINDOW).await;
}

/// [`forward`] with batches that collect for `window` after their first item. Returns how the
/// stream ended, or `None` when the channel went away first.
async fn forward_batched<T, S>(
    stream: S,
    channel: Channel<Batch<T>>,
    window: Duration,
) -> Option<Result<(), ApiError>>
where
    T: Serialize + Clone + Send + Sync + 'static,
    S: Stream<Item = Result<T, ApiError>> + Send,
{
    let mut stream = std::pin::pin!(stream);
    let send = |items: Vec<T>, done: bool, error: Option<ApiError>| {
        channel.send(Batch { items, done, error }).is_ok()
    };
    loop {
        let first = match stream.next().await {
            None => {
                send(Vec::new(), true, None);
                return Some(Ok(()));
            }
            Some(Err(e)) => {
                send(Vec::new(), true, Some(e.clone()));
                return Some(Err(e));
            }
            Some(Ok(item)) => item,
        };
        let mut items = vec![first];
        let deadline = tokio::time::Instant::now() + window;
        let mut end: Option<Option<ApiError>> = None;
        while items.len() < BATCH_MAX {
            match tokio::time::timeout_at(deadline, stream.next()).await {
                Ok(Some(Ok(item))) => items.push(item),
                Ok(Some(Err(e))) => {
                    end = Some(Some(e));
                    break;
                }
                Ok(None) => {
                    end = Some(None);
                    break;
                }
                Err(_) => break,
            }
        }
        match end {
            Some(end) => {
                send(items, true, end.clone());
                return Some(end.map_or(Ok(()), Err));
            }
            None if !send(items, false, None) => return None,
            None => {}
        }
    }
}

/// Turns a terminal's byte chunks into text without splitting a UTF-8 character: an
/// incomplete sequence at the end of a chunk waits for the next one.
#[derive(Default)]
pub struct Utf8Chunks {
    pending: Vec<u8>,
}

impl Utf8Chunks {
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let mut out = String::new();
        loop {
            match std::str::from_utf8(&self.pending) {
                Ok(s) => {
                    out.push_str(s);
                    self.pending.clear();
                    return out;
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    out.push_str(std::str::from_utf8(&self.pending[..valid]).unwrap_or_default());
                    match e.error_len() {
                        // Incomplete at the end: keep it for the next chunk.
                        None => {
                            self.pending.drain(..valid);
                            return out;
                        }
                        Some(bad) => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            self.pending.drain(..valid + bad);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_split_across_chunks() {
        let mut t = Utf8Chunks::default();
        let bytes = "é→x".as_bytes();
        assert_eq!(t.push(&bytes[..1]), "");
        assert_eq!(t.push(&bytes[1..3]), "é");
        assert_eq!(t.push(&bytes[3..]), "→x");
        assert_eq!(t.push(&[0xff, b'a']), "\u{fffd}a");
    }
}
