//! How one run goes, resolved once from the command line, report.toml and
//! the environment → [`Settings`]: the mode, the outputs selected (checked
//! against report.toml before anything loads), the output folder, and the
//! dates (`SOURCE_DATE_EPOCH`, or for a final build the last commit's time).
//!
//! Nothing here changes the process environment: the dates travel in
//! [`Settings::epoch`] to every stage that needs one.

use std::path::{Path, PathBuf};

use serde::Serialize;
use typst::foundations::Datetime;
use typst_kit::datetime::Time;

use crate::changes::Change;
use crate::load::project::{CONFIG_PATH, Project};

/// Whether a run writes files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Compile and write the PDFs.
    Build,
    /// Run every stage, compile included, and write nothing.
    Check,
    /// Lay the documents out and keep them in the run's report (no PDF
    /// export, nothing written): for `kooste review`.
    Layout,
}

/// How to run the pipeline.
#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: Mode,
    /// Folder the PDFs go to (absolute or relative to the project root).
    pub out_dir: PathBuf,
    /// Build only the outputs with these names; empty means all.
    pub only: Vec<String>,
    /// Final deliverables (gates on, no watermark) rather than a draft.
    pub final_mode: bool,
    /// Write each output's generated Typst and the files it reads here.
    pub emit_typst: Option<PathBuf>,
    /// For `kooste diff`: the changed sections, listed on a first page.
    pub changes: Option<Vec<Change>>,
    /// Leave citations and the bibliography to typst instead of formatting
    /// them in kooste (slower on long documents; same text).
    pub typst_citations: bool,
    /// A watch build: each PDF is written as soon as it compiles, and an
    /// output whose generated Typst and read files are what the previous
    /// build compiled is not compiled again.
    pub watch: bool,
    /// The Unix time builds are dated with: `SOURCE_DATE_EPOCH`, or for a
    /// final build without it the last commit's time (so a final build is
    /// reproducible from its commit); `None` dates drafts today and the
    /// document with report.toml's date.
    pub epoch: Option<i64>,
}

impl Settings {
    /// Settings for `mode` with every option at its default: all outputs,
    /// a draft, PDFs in `out/`, the epoch from the environment.
    pub fn new(mode: Mode) -> Settings {
        Settings {
            mode,
            out_dir: PathBuf::from("out"),
            only: Vec::new(),
            final_mode: false,
            emit_typst: None,
            changes: None,
            typst_citations: false,
            watch: false,
            epoch: epoch_from_env(),
        }
    }

    /// Final deliverables: gates on, and the epoch pinned to the last
    /// commit when the environment gives none.
    pub fn final_build(mut self, root: &Path, final_mode: bool) -> Settings {
        self.final_mode = final_mode;
        if final_mode && self.epoch.is_none() {
            self.epoch = last_commit_time(root);
        }
        self
    }

    /// Checks that every `--only` name is an output of `project`.
    pub fn check_outputs(&self, project: &Project) -> anyhow::Result<()> {
        let outputs = &project.config.outputs;
        for name in &self.only {
            if !outputs.iter().any(|o| &o.name == name) {
                anyhow::bail!(
                    "no output named `{name}` in {CONFIG_PATH} (outputs: {})",
                    outputs.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ")
                );
            }
        }
        Ok(())
    }

    /// The day a build runs, for the draft stamp: the epoch's day, else
    /// today (UTC).
    pub fn build_date(&self) -> Datetime {
        let ts = self.epoch.unwrap_or_else(|| chrono::Utc::now().timestamp());
        datetime_from_epoch(ts)
            .and_then(|d| Datetime::from_ymd(d.year()?, d.month()?, d.day()?))
            .unwrap_or_else(|| Datetime::from_ymd(1970, 1, 1).expect("constant date"))
    }

    /// The date typst sees: the epoch if set, else the date in report.toml.
    pub fn typst_time(&self, project: &Project) -> Time {
        if let Some(ts) = self.epoch
            && let Ok(time) = Time::fixed_timestamp(ts)
        {
            return time;
        }
        Time::fixed(self.document_date(project)).expect("validated date")
    }

    /// The document's date for PDF metadata: the epoch, else report.toml's.
    pub fn document_date(&self, project: &Project) -> Datetime {
        if let Some(d) = self.epoch.and_then(datetime_from_epoch) {
            return d;
        }
        let (y, m, d) = project.config.ymd();
        Datetime::from_ymd(y, m, d).unwrap_or_else(|| Datetime::from_ymd(1970, 1, 1).expect("constant date"))
    }

    /// What the draft stamp says: asks git about the project (a few
    /// milliseconds; the pipeline runs it beside the loading).
    pub fn build_info(&self, root: &Path) -> BuildInfo {
        BuildInfo::detect(root, self.build_date())
    }
}

/// What a draft's stamp says about the sources it was built from.
#[derive(Debug, Clone, Serialize)]
pub struct BuildInfo {
    /// Short commit hash, or empty outside a git repository.
    pub commit: String,
    /// The full commit hash, stamped in the PDF's keywords for `kooste review`.
    pub full_commit: String,
    /// The working tree has uncommitted changes.
    pub dirty: bool,
    /// Build date, `d.m.yyyy`.
    pub date: String,
}

impl BuildInfo {
    /// Asks git about the project; nothing is fatal here.
    pub fn detect(root: &Path, date: Datetime) -> BuildInfo {
        let hashes = crate::git::text(root, &["log", "-1", "--format=%h %H"]).unwrap_or_default();
        let (commit, full_commit) = hashes.split_once(' ').unwrap_or_default();
        let (commit, full_commit) = (commit.to_string(), full_commit.to_string());
        let dirty = !commit.is_empty()
            && crate::git::text(root, &["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
        let date = format!("{}.{}.{}", date.day().unwrap_or(1), date.month().unwrap_or(1), date.year().unwrap_or(1970));
        BuildInfo { commit, full_commit, dirty, date }
    }
}

/// The time of the last commit, for reproducible final builds.
pub fn last_commit_time(root: &Path) -> Option<i64> {
    crate::git::text(root, &["log", "-1", "--format=%ct"])?.parse().ok()
}

/// `SOURCE_DATE_EPOCH`, if set to a number.
pub fn epoch_from_env() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()
}

/// A Unix timestamp (such as SOURCE_DATE_EPOCH) as a typst date and time, UTC.
pub fn datetime_from_epoch(ts: i64) -> Option<Datetime> {
    use chrono::{Datelike, Timelike};
    let dt = chrono::DateTime::from_timestamp(ts, 0)?;
    Datetime::from_ymd_hms(
        dt.year(),
        dt.month() as u8,
        dt.day() as u8,
        dt.hour() as u8,
        dt.minute() as u8,
        dt.second() as u8,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_date_comes_from_the_epoch() {
        let settings = Settings { epoch: Some(1_582_848_000), ..Settings::new(Mode::Check) };
        let date = settings.build_date();
        assert_eq!((date.year(), date.month(), date.day()), (Some(2020), Some(2), Some(28)));
    }

    #[test]
    fn document_date_falls_back_to_report_toml() {
        let config = crate::load::project::Config::parse(
            "title = \"T\"\ndate = 2019-05-17\n[[output]]\nname = \"r\"\ntemplate = \"r.typ.j2\"\nfile = \"r.pdf\"\n",
        )
        .unwrap();
        let project = Project { root: PathBuf::from("/"), config };
        let settings = Settings { epoch: None, ..Settings::new(Mode::Check) };
        assert_eq!(settings.document_date(&project), Datetime::from_ymd(2019, 5, 17).unwrap());
        let settings = Settings { epoch: Some(0), ..settings };
        assert_eq!(settings.document_date(&project).year(), Some(1970));
    }
}
