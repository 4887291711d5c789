//! The compose manager: Berth's own implementation of the Compose specification.
//!
//! Loading goes YAML → tree (`yaml`) → interpolation (`interpolate`, with `.env` files read by
//! `dotenv`) → merge of several files (`merge`) → `extends`/`include`/profiles (`load`) →
//! schema validation (`schema`) → normalised long forms (`normalize`) → the typed model
//! (`model`). Running a project observes the engine by compose's labels (`observe`), computes
//! a pure `plan`, and `apply`s it (services managed by a program of their own go through
//! `provider`, and the AI models the project declares through `model_runner`); `watch` follows `develop.watch` rules and file drift; `bake` writes the builds as a buildx bake file.

pub mod apply;
pub mod bake;
pub mod canon;
pub mod config;
pub mod convert;
pub mod dotenv;
mod error;
pub mod graph;
pub mod hooks;
pub mod host;
pub mod interpolate;
pub mod labels;
pub mod load;
pub mod locate;
pub mod merge;
pub mod model;
pub mod model_runner;
pub mod observe;
pub mod oci;
pub mod plan;
pub mod provider;
pub mod schema;
pub mod watch;
pub mod yaml;

pub use error::Error;

pub use load::{LoadOptions, load};
pub use model::Project;
