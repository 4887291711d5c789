//! The client: every call Berth makes to a Docker engine goes through [`Client`].
//!
//! One module per engine resource (as bollard does), one error enum ([`Error`]) that keeps
//! the engine's status code, and a timeout on every call. A [`Client`] only exists once the
//! engine answered a ping and the API version was negotiated, so an old engine (Debian's
//! dockerd 20.10 speaks 1.41) is never sent a request in a newer dialect.

pub mod archive;
pub mod build;
mod buildkit;
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
mod session;
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

/// A time of the engine's models as the engine wrote it: RFC 3339 in UTC, its fraction of a
/// second without trailing zeros (Go's `RFC3339Nano`). bollard reads these times into a date
/// type (its BuildKit support needs that), where Berth shows and compares them as text.
pub fn time_text(t: &models::BollardDate) -> String {
    jiff::Timestamp::from_nanosecond(t.unix_timestamp_nanos())
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Filters (`KEY` → values) in the shape bollard's option builders take.
fn query_filters(
    filters: &std::collections::BTreeMap<String, Vec<String>>,
) -> std::collections::HashMap<&String, Vec<&String>> {
    filters
        .iter()
        .map(|(k, v)| (k, v.iter().collect()))
        .collect()
}
