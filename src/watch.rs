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

use crate::diagnostics::{self, Format, has_errors};
use crate::pipeline::{self, RunOptions, Session};
use crate::project::{Project, ProjectError};

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

/// Runs the watch loop until interrupted; returns only on a watcher failure.
pub fn watch(root: &Path, options: RunOptions, format: Format) -> anyhow::Result<()> {
    let mut watcher = Watcher::new(None).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut session = Session::default();
    loop {
        let started = Instant::now();
        match Project::load(Some(root)) {
            Ok(project) => match pipeline::run_in(&project, &options, &mut session) {
                Ok(report) => {
                    diagnostics::emit(&project.root, &report.diagnostics, format);
                    if has_errors(&report.diagnostics) {
                        eprintln!("build failed; the last good PDFs stay. Waiting for changes…");
                    } else {
                        for out in &report.outputs {
                            let path = out.path.strip_prefix(&project.root).unwrap_or(&out.path);
                            eprintln!("wrote {} ({} pages)", path.display(), out.pages);
                        }
                        eprintln!("built in {:.2} s. Waiting for changes…", started.elapsed().as_secs_f64());
                    }
                }
                Err(err) => eprintln!("error: {err:#}"),
            },
            Err(ProjectError::Input(diags)) => diagnostics::emit(root, &diags, format),
            Err(ProjectError::Io(message)) => eprintln!("error: {message}"),
        }
        // Drop memoized results that the last builds did not use.
        comemo::evict(10);
        watcher.update(watch_paths(root)).map_err(|e| anyhow::anyhow!("{e}"))?;
        watcher.wait().map_err(|e| anyhow::anyhow!("{e}"))?;
    }
}
