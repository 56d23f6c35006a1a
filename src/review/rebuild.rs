//! A draft's stamp → the same draft laid out again, in memory.
//!
//! The commit named in the stamp is written into a temporary folder with git
//! (as `kooste diff` does) and built with the pipeline in
//! [`Mode::Layout`]: the pages come back as typst frames whose glyphs point
//! into the generated source, instead of as a PDF. Drafts are deterministic,
//! so the pages are the reviewer's pages (the build stamp in the footer
//! aside, which holds no author text).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Problem;
use super::annotations::Stamp;
use crate::load::project::{Project, ProjectError};
use crate::pipeline;
use crate::report::LaidOut;
use crate::settings::{Mode, Settings};

/// A draft rebuilt from its commit.
pub struct Draft {
    /// The temporary copy of the sources at the commit.
    dir: tempfile::TempDir,
    pub laid: LaidOut,
    /// Dataset name → CSV path relative to the root.
    pub datasets: HashMap<String, PathBuf>,
}

impl Draft {
    /// The folder holding the sources at the commit.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }
}

/// Rebuilds the output named in `stamp` from its commit in `root`'s
/// repository.
pub fn rebuild(root: &Path, stamp: &Stamp) -> Result<Draft, Problem> {
    let known = crate::git::run(root, &["cat-file", "-e", &format!("{}^{{commit}}", stamp.commit)]);
    if let Err(crate::git::GitError::Missing(e)) = &known {
        return Err(Problem::Io(format!("failed to run git ({e})")));
    }
    if known.is_err() {
        return Err(Problem::Input(
            format!("the draft was built from commit {}, which this repository does not have", short(&stamp.commit)),
            vec!["fetch the branch the draft was built from (`git fetch`), or run kooste review in that clone".into()],
        ));
    }
    let dir = tempfile::tempdir().map_err(|e| Problem::Io(format!("failed to create a temporary folder ({e})")))?;
    crate::changes::snapshot(root, &stamp.commit, dir.path()).map_err(|e| Problem::Io(format!("{e:#}")))?;
    let project = Project::load(Some(dir.path())).map_err(|e| match e {
        ProjectError::Io(m) => Problem::Io(m),
        ProjectError::Input(_) => Problem::Input(
            format!("report/report.toml at commit {} has errors", short(&stamp.commit)),
            vec!["check it out and run `kooste check` there".into()],
        ),
    })?;
    let base = crate::outputs::JobId::parse(&stamp.output).output;
    let options = Settings { out_dir: dir.path().join("out"), only: vec![base], ..Settings::new(Mode::Layout) };
    let unbuildable = || {
        Problem::Input(
            format!("output `{}` of commit {} does not build", stamp.output, short(&stamp.commit)),
            vec!["check that commit out and run `kooste check` there".into()],
        )
    };
    let report = pipeline::run(&project, &options).map_err(|_| unbuildable())?;
    if crate::diagnostics::has_errors(&report.diagnostics) {
        return Err(unbuildable());
    }
    let laid = report.documents.into_iter().find(|d| d.name == stamp.output).ok_or_else(unbuildable)?;
    let (tables, _, _) = crate::load::datasets::load_tables(dir.path());
    let datasets = tables.into_iter().map(|t| (t.name, t.path)).collect();
    Ok(Draft { dir, laid, datasets })
}

/// A commit hash as git prints it short.
pub fn short(commit: &str) -> &str {
    &commit[..commit.len().min(7)]
}
