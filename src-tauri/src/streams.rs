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

/// How a stream's items are grouped into the batches sent to the page.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    /// How long a batch collects items after its first one.
    pub window: Duration,
    /// The least time from one batch to the next: a stream that keeps bringing items is sent
    /// this often, while an item after a quiet spell goes out `window` after it came.
    pub spacing: Duration,
}

impl Pace {
    /// Batches that collect for `window`, as often as items come.
    pub const fn every(window: Duration) -> Pace {
        Pace {
            window,
            spacing: Duration::ZERO,
        }
    }
}

/// How long a batch collects items after its first one.
const BATCH_WINDOW: Duration = Duration::from_millis(25);
/// Log lines: a log can bring lines every few milliseconds, and each batch costs the window a
/// render (about 20 ms of CPU here, whatever its size). A line after a quiet spell shows 100 ms
/// after it was written (what comes with it, such as the rest of a stack trace, with it); a log
/// that keeps writing is sent four times a second (a container writing 100 lines a second took
/// 60% of a core with its log open at 40 batches a second, 26% at 10; docs/app.md).
pub const LOG_PACE: Pace = Pace {
    window: Duration::from_millis(100),
    spacing: Duration::from_millis(250),
};
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
        self.forward_paced(stream, channel, Pace::every(BATCH_WINDOW))
    }

    /// [`Streams::forward`] with batches at `pace` (one message a second for the stats of many
    /// containers, rather than one per container; a log's lines a few times a second).
    pub fn forward_paced<T, S>(&self, stream: S, channel: Channel<Batch<T>>, pace: Pace) -> u32
    where
        T: Serialize + Clone + Send + Sync + 'static,
        S: Stream<Item = Result<T, ApiError>> + Send + 'static,
    {
        self.forward_with(stream, channel, pace, |_| {})
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
        self.forward_with(stream, channel, Pace::every(BATCH_WINDOW), then)
    }

    /// What every `forward` is: under a new subscription, `stream` in batches at `pace`, then
    /// `then` with how it ended.
    fn forward_with<T, S>(
        &self,
        stream: S,
        channel: Channel<Batch<T>>,
        pace: Pace,
        then: impl FnOnce(Result<(), ApiError>) + Send + 'static,
    ) -> u32
    where
        T: Serialize + Clone + Send + Sync + 'static,
        S: Stream<Item = Result<T, ApiError>> + Send + 'static,
    {
        let id = self.id();
        self.spawn(id, async move {
            if let Some(end) = forward_batched(stream, channel, pace).await {
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
    forward_batched(stream, channel, Pace::every(BATCH_WINDOW)).await;
}

/// [`forward`] with batches at `pace`. Returns how the stream ended, or `None` when the
/// channel went away first.
async fn forward_batched<T, S>(
    stream: S,
    channel: Channel<Batch<T>>,
    pace: Pace,
) -> Option<Result<(), ApiError>>
where
    T: Serialize + Clone + Send + Sync + 'static,
    S: Stream<Item = Result<T, ApiError>> + Send,
{
    batched(stream, pace, |batch| channel.send(batch).is_ok()).await
}

/// Hands `stream`'s items to `send` in batches at `pace` until it ends (the last batch `done`,
/// with the error that ended it, if any: returned), or `send` says the other side is gone
/// (`None`).
async fn batched<T, S>(
    stream: S,
    pace: Pace,
    mut send: impl FnMut(Batch<T>) -> bool,
) -> Option<Result<(), ApiError>>
where
    S: Stream<Item = Result<T, ApiError>>,
{
    let mut stream = std::pin::pin!(stream);
    let mut sent: Option<tokio::time::Instant> = None;
    loop {
        let first = match stream.next().await {
            None => {
                send(Batch {
                    items: Vec::new(),
                    done: true,
                    error: None,
                });
                return Some(Ok(()));
            }
            Some(Err(e)) => {
                send(Batch {
                    items: Vec::new(),
                    done: true,
                    error: Some(e.clone()),
                });
                return Some(Err(e));
            }
            Some(Ok(item)) => item,
        };
        let mut items = vec![first];
        let now = tokio::time::Instant::now();
        let deadline = sent.map_or(now + pace.window, |sent| {
            (now + pace.window).max(sent + pace.spacing)
        });
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
        if let Some(end) = end {
            send(Batch {
                items,
                done: true,
                error: end.clone(),
            });
            return Some(end.map_or(Ok(()), Err));
        }
        let batch = Batch {
            items,
            done: false,
            error: None,
        };
        if !send(batch) {
            return None;
        }
        sent = Some(tokio::time::Instant::now());
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

    /// Items at these times (ms from the start; a number each), then the end; the batches
    /// `pace` makes of them: when each was sent (ms) and what it held.
    async fn batches_of(at_ms: &[u64], pace: Pace) -> Vec<(u64, Vec<u64>, bool)> {
        let start = tokio::time::Instant::now();
        let items = futures_util::stream::iter(at_ms.to_vec()).then(move |ms| async move {
            tokio::time::sleep_until(start + Duration::from_millis(ms)).await;
            Ok::<_, ApiError>(ms)
        });
        let mut got = Vec::new();
        let end = batched(items, pace, |b: Batch<u64>| {
            let ms = u64::try_from(start.elapsed().as_millis()).unwrap();
            got.push((ms, b.items, b.done));
            true
        })
        .await;
        assert!(matches!(end, Some(Ok(()))));
        got
    }

    #[tokio::test(start_paused = true)]
    async fn a_log_that_keeps_writing_is_sent_four_times_a_second() {
        // 100 lines a second for a second.
        let lines: Vec<u64> = (0..100).map(|i| i * 10).collect();
        let got = batches_of(&lines, LOG_PACE).await;
        let times: Vec<u64> = got.iter().map(|b| b.0).collect();
        // The first 100 ms after the first line, then every 250 ms; the end with the last ones.
        assert_eq!(times, [100, 350, 600, 850, 990]);
        let all: Vec<u64> = got.iter().flat_map(|b| b.1.clone()).collect();
        assert_eq!(all, lines, "every line, in order");
        assert!(got.last().unwrap().2 && got.iter().rev().skip(1).all(|b| !b.2));
        // Paced by the window alone, ten a second.
        let got = batches_of(&lines, Pace::every(Duration::from_millis(100))).await;
        assert_eq!(got.len(), 10, "{got:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_line_after_a_quiet_spell_goes_out_its_window_after_it() {
        // Two lines a second apart, a burst (a stack trace) with the second.
        let got = batches_of(&[0, 1000, 1005, 1030, 5000], LOG_PACE).await;
        let sent: Vec<(u64, Vec<u64>)> = got.iter().map(|b| (b.0, b.1.clone())).collect();
        assert_eq!(
            sent,
            [
                (100, vec![0]),
                (1100, vec![1000, 1005, 1030]),
                (5000, vec![5000]),
            ]
        );
    }

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
