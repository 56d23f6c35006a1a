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
use crate::diagnostics::Format;
use crate::load::project::{Project, ProjectError};
use crate::session::Session;
use crate::settings::Settings;
use crate::{pipeline, report};

/// Every file and folder under report/, data/ and templates/, so that new
/// files are noticed.
pub fn watch_paths(root: &Path) -> Vec<PathBuf> {
    let tree = crate::load::tree::walk(root, crate::load::tree::PROJECT_DIRS);
    tree.into_iter().map(|entry| root.join(entry.rel)).collect()
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
