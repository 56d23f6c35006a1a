//! `kooste watch`: rebuild on every change under report/, data/ and
//! templates/, keeping the Typst world alive between builds.
//!
//! One [`Session`] lives for the whole loop: fonts and the standard library
//! load once, the file cache re-reads only what changed, and each output's
//! main source is edited in place so typst's incremental compilation reuses
//! its work. A broken edit prints its diagnostics and the loop goes on; the
//! last good PDFs stay.

use std::path::{Path, PathBuf};
use std::time::Instant;

use typst_kit::watcher::Watcher;

use crate::cli::WatchArgs;
use crate::compile::session::Session;
use crate::diagnostics::Format;
use crate::load::project::{Project, ProjectError};
use crate::settings::Settings;
use crate::{pipeline, report};

/// The folders whose files (new ones included) trigger a rebuild.
pub const WATCHED: &[&str] = &["report", "data", "templates"];

/// Every folder under the watched ones, so that new files are noticed.
pub fn watch_paths(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = WATCHED.iter().map(|d| root.join(d)).collect();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
        out.push(dir);
    }
    out
}

/// `kooste watch`: builds, then rebuilds on every change until interrupted.
pub fn run(args: WatchArgs) -> u8 {
    let project = match super::open(&args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let settings = Settings { watch: true, ..super::build_settings(&project, &args.output, None) };
    match watch(&project.root, settings, args.project.diagnostic_format) {
        Ok(()) => 0,
        Err(err) => report::fatal(&err, &[]),
    }
}

/// Runs the watch loop until interrupted; returns only on a watcher failure.
pub fn watch(root: &Path, settings: Settings, format: Format) -> anyhow::Result<()> {
    let mut watcher = Watcher::new(None).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut session = Session::default();
    loop {
        let started = Instant::now();
        match Project::load(Some(root)) {
            Ok(project) => {
                let result = pipeline::run_in(&project, &settings, &mut session);
                report::watch_result(&project.root, format, result, started.elapsed());
            }
            Err(ProjectError::Input(diags)) => report::problems(root, &diags, format),
            Err(ProjectError::Io(message)) => {
                report::fatal(&anyhow::anyhow!(message), &[]);
            }
        }
        // Drop memoized results that the last builds did not use.
        comemo::evict(10);
        watcher.update(watch_paths(root)).map_err(|e| anyhow::anyhow!("{e}"))?;
        watcher.wait().map_err(|e| anyhow::anyhow!("{e}"))?;
    }
}
