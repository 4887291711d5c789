//! Progress of a pull, a push or a base-image pull during a build: one layer's status.

/// One progress line from the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The layer (or tag) the line is about, when it is about one.
    pub id: Option<String>,
    /// `Pulling fs layer`, `Downloading`, `Pushed`, `Digest: sha256:…`, …
    pub status: String,
    pub current: Option<i64>,
    pub total: Option<i64>,
}

impl Progress {
    pub(crate) fn new(
        id: Option<String>,
        status: String,
        detail: Option<bollard::models::ProgressDetail>,
    ) -> Self {
        let (current, total) = detail.map(|d| (d.current, d.total)).unwrap_or((None, None));
        Self {
            id,
            status,
            current,
            total,
        }
    }
}
