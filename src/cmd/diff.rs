//! `kooste diff REV [REV2]`: a changes PDF of the report between two git
//! revisions (REV2 defaults to the working tree): the report built from
//! sources whose changes [`crate::changes`] marked, with a first page
//! listing the changed sections and their page numbers.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::changes::{self, Change};
use crate::cli::DiffArgs;
use crate::load::project::{Project, ProjectError};
use crate::report::{self, RunReport};
use crate::settings::{Mode, Settings};
use crate::{pipeline, write};

/// `kooste diff`: writes the changes PDF and says what changed.
pub fn run(args: DiffArgs) -> u8 {
    let project = match super::open(&args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    match diff(&project.root, &args.rev, args.rev2.as_deref(), &args.out) {
        Ok((run, changes, target)) => {
            report::diff_result(&project.root, args.project.diagnostic_format, &run, changes.len(), &target)
        }
        Err(err) => report::fatal(&err, &[]),
    }
}

/// Builds `out` (a PDF) showing what changed in the report between `rev`
/// and `rev2` (or the working tree).
pub fn diff(
    root: &Path,
    rev: &str,
    rev2: Option<&str>,
    out: &Path,
) -> anyhow::Result<(RunReport, Vec<Change>, PathBuf)> {
    let marked = changes::mark_sources(root, rev, rev2)?;
    let project = Project::load(Some(marked.dir.path())).map_err(|e| match e {
        ProjectError::Io(m) => anyhow::anyhow!(m),
        ProjectError::Input(_) => {
            anyhow::anyhow!("report/report.toml at the new revision has errors; run `kooste check` there")
        }
    })?;
    let name = project
        .config
        .outputs
        .iter()
        .find(|o| o.name == "report")
        .or(project.config.outputs.first())
        .map(|o| o.name.clone())
        .context("the project defines no outputs")?;
    let build_dir = tempfile::tempdir().context("failed to create a temporary folder")?;
    let settings = Settings {
        out_dir: build_dir.path().to_path_buf(),
        only: vec![name.clone()],
        changes: Some(marked.changes.clone()),
        ..Settings::new(Mode::Build)
    };
    let run = pipeline::run(&project, &settings)?;
    let target = root.join(out);
    if let Some(built) = run.outputs.iter().find(|o| o.name == name) {
        let pdf = std::fs::read(&built.path).context("failed to read the built changes PDF")?;
        write::write_atomic(&target, &pdf)?;
    }
    Ok((run, marked.changes, target))
}
