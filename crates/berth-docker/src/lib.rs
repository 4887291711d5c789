//! The client: every call Berth makes to a Docker engine goes through [`Client`].
//!
//! One module per engine resource (as bollard does), one error enum ([`Error`]) that keeps
//! the engine's status code, and a timeout on every call. A [`Client`] only exists once the
//! engine answered a ping and the API version was negotiated, so an old engine (Debian's
//! dockerd 20.10 speaks 1.41) is never sent a request in a newer dialect.

pub mod archive;
pub mod build;
mod client;
pub mod containers;
pub mod df;
mod endpoint;
mod error;
pub mod exec;
pub mod images;
pub mod networks;
pub mod options;
mod progress;
mod raw;
pub mod reference;
pub mod registry;
pub mod spec;
pub mod stats;
pub mod system;
pub mod volumes;

pub use client::{Client, version_at_least};
pub use endpoint::{Endpoint, TlsMaterial};
pub use error::Error;
pub use images::Credentials;
pub use progress::Progress;
pub use reference::{Reference, ReferenceError};

/// bollard's generated engine models, re-exported so callers need not depend on bollard.
pub use bollard::models;

/// Filters (`KEY` → values) in the shape bollard's option builders take.
fn query_filters(
    filters: &std::collections::BTreeMap<String, Vec<String>>,
) -> std::collections::HashMap<&String, Vec<&String>> {
    filters
        .iter()
        .map(|(k, v)| (k, v.iter().collect()))
        .collect()
}
