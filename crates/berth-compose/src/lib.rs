//! The compose manager: Berth's own implementation of the Compose specification.
//!
//! Not written yet (issue 4). It will own loading (YAML → interpolate → merge → typed model),
//! observing a project's containers by compose's labels, a pure `plan()` with a printable form,
//! `apply()`, and `watch`. It sits above the client (`berth-docker`) and below the facade.
