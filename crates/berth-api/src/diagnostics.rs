//! A diagnostics archive for a bug report (Troubleshoot's "Save diagnostics…", `berth
//! diagnose`): what Berth, the machine and the engine say of themselves, Berth's settings and
//! contexts, and Berth's four logs, in one `.tar.gz`. What could not be read is said in it and
//! in the report, never a reason to write nothing. It holds no credentials: logins are never
//! read, and contexts go without their TLS files.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use crate::files::PartFile;
use crate::{ApiError, Berth};

/// The lines of each log kept: the newest.
const LOG_LINES: usize = 20_000;

/// What a diagnostics archive holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DiagnosticsReport {
    /// Where it was written.
    pub path: String,
    #[ts(type = "number")]
    pub size: u64,
    /// Its files, in order.
    pub files: Vec<String>,
    /// What could not be read (no engine answering, say), as `problems.txt` in it says too.
    pub problems: Vec<String>,
}

impl Berth {
    /// Writes the archive to `to` (beside it until whole, as an image's save is), connecting to
    /// the engine in use but starting none.
    pub async fn diagnostics(&self, to: &Path) -> Result<DiagnosticsReport, ApiError> {
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let mut problems: Vec<String> = Vec::new();
        let now = jiff::Timestamp::now();
        let client = crate::client_version();
        files.push((
            "berth.txt".into(),
            format!(
                "berth {} ({})\nwritten: {now}\n{}",
                client.version,
                client.os_arch,
                berth_host::machine_summary()
            )
            .into_bytes(),
        ));
        // The engine view finds the engine in use by discovery; a named one (-H, --context) is
        // connected to as every command does.
        let (view, found) = self.engine_view_connected().await;
        files.push(("engine-view.json".into(), json(&view)));
        let conn = match self.target {
            crate::Target::Discover => found,
            _ => self.connect().await,
        };
        match conn {
            Ok(conn) => {
                match self.version_document(&conn).await {
                    Ok(v) => files.push(("engine-version.json".into(), json(&v))),
                    Err(e) => problems.push(format!("the engine's version: {}", e.message)),
                }
                match self.engine_info(&conn).await {
                    Ok(i) => files.push(("engine-info.json".into(), json(&i))),
                    Err(e) => problems.push(format!("the engine's info: {}", e.message)),
                }
            }
            Err(e) => problems.push(format!("no engine answers: {}", e.message)),
        }
        files.push(("settings.json".into(), json(&self.settings())));
        match self.contexts() {
            Ok(c) => files.push(("contexts.json".into(), json(&c))),
            Err(e) => problems.push(format!("the Docker contexts: {}", e.message)),
        }
        for which in ["engine", "supervisor", "app", "tray"] {
            match self.log_text(which, Some(LOG_LINES)) {
                Ok(text) if text.is_empty() => {}
                Ok(text) => files.push((format!("logs/{which}.log"), text.into_bytes())),
                Err(e) => problems.push(format!("the {which} log: {}", e.message)),
            }
        }
        if !problems.is_empty() {
            let text = problems
                .iter()
                .map(|p| format!("{p}\n"))
                .collect::<String>();
            files.push(("problems.txt".into(), text.into_bytes()));
        }
        write_archive(to, &files, now.as_second())?;
        let size = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
        Ok(DiagnosticsReport {
            path: to.display().to_string(),
            size,
            files: files.into_iter().map(|(name, _)| name).collect(),
            problems,
        })
    }
}

fn json(value: &impl Serialize) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    out
}

/// `files` as a gzipped tar at `to`, under a folder named as the archive is (`berth-diagnostics-…/`).
fn write_archive(to: &Path, files: &[(String, Vec<u8>)], mtime: i64) -> Result<(), ApiError> {
    let folder = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = folder
        .strip_suffix(".tar.gz")
        .or_else(|| folder.strip_suffix(".tgz"))
        .unwrap_or(&folder)
        .to_owned();
    let mut part = PartFile::beside(to)?;
    let failed =
        |e: std::io::Error| ApiError::invalid(format!("cannot write {}: {e}", to.display()));
    {
        let gz = flate2::write::GzEncoder::new(part.out(), flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        for (name, data) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o600);
            header.set_mtime(u64::try_from(mtime).unwrap_or(0));
            tar.append_data(&mut header, format!("{folder}/{name}"), data.as_slice())
                .map_err(failed)?;
        }
        tar.into_inner()
            .map_err(failed)?
            .finish()
            .map_err(failed)?
            .flush()
            .map_err(failed)?;
    }
    part.keep()
}
