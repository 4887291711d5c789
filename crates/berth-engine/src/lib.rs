//! The engine: where Berth finds a Docker engine, and Berth's own engine when there is none.
//!
//! - [`context`] reads and writes the Docker CLI's contexts (`~/.docker`), so Berth and `docker`
//!   agree on which engine is current.
//! - [`discovery`] lists the candidate engines in the documented order and connects to the
//!   first that answers.
//! - [`own`] is Berth's own engine ("the bundled daemon"): a supervised dockerd, rootful as
//!   root and rootless for a normal user, with a state machine on a watch channel, crash
//!   detection, restart with backoff, a lock per data-root and a control socket so the app
//!   and the CLI share one daemon.

pub mod context;
pub mod credentials;
pub mod discovery;
mod error;
pub mod own;

pub use error::Error;
