//! [`Session`]: what one run of the pipeline keeps, and what stays alive
//! between the builds of `kooste watch`: the fonts, the standard library
//! and the file cache ([`Shared`]); each output's generated main source,
//! edited in place by the next build so typst's incremental compilation
//! can reuse its work; the converted Markdown; the citation pass's styles,
//! locales, results and year-suffix letters. It is owned where the
//! pipeline is run (`cmd::watch` for a session of builds, `pipeline::run`
//! for one), never by a stage.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use typst::syntax::Source;
use typst_kit::datetime::Time;

use crate::compile::world::Shared;
use crate::diagnostics::Diagnostics;
use crate::load::tree::content_hash;
use crate::outputs::JobId;
use crate::report::OutputReport;

/// The state one build hands to the next.
#[derive(Default)]
pub struct Session {
    shared: Option<Arc<Shared>>,
    /// Each job's main source from the previous build.
    pub mains: HashMap<JobId, Source>,
    /// What the previous builds made of each output that compiled, by
    /// job: what a watch build reuses for an unchanged output.
    pub previous: HashMap<JobId, Previous>,
    /// The project files the compiles have read, with a hash of the
    /// contents they had when the last build finished.
    read: Vec<(PathBuf, u64)>,
    /// The converted Markdown of the previous build.
    pub fragments: crate::convert::ConvertCache,
    /// The year-suffix letters made so far.
    pub labels: crate::outputs::citations::LabelCache,
    /// Parsed citation styles, locales and hayagriva's results.
    pub citations: crate::outputs::citations::Cache,
}

/// An output as a previous build made it (its PDF is on disk).
#[derive(Debug, Clone)]
pub struct Previous {
    pub report: OutputReport,
    /// The main source it was compiled from.
    pub main_text: String,
    /// The Typst its templates generated (a watch build reuses the output
    /// when its own is the same).
    pub generated: String,
    /// Label → number of the headings it numbered.
    pub numbers: BTreeMap<String, String>,
    /// Its compile's warnings, printed again when it is reused.
    pub diagnostics: Diagnostics,
}

impl Session {
    /// The shared stores for a build of the project at `root` dated `time`:
    /// the previous build's, with its file cache reset so changed files are
    /// read again, or new ones. The session keeps a handle; the caller must
    /// drop its own before the next build so the reset can happen.
    pub fn shared(&mut self, root: &Path, time: Time) -> Arc<Shared> {
        let shared = match self.shared.take() {
            Some(mut shared) if shared.root == root => match Arc::get_mut(&mut shared) {
                Some(s) => {
                    s.files.reset();
                    s.time = time;
                    shared
                }
                None => Arc::new(Shared::new(root, time)),
            },
            _ => Arc::new(Shared::new(root, time)),
        };
        self.shared = Some(shared.clone());
        shared
    }

    /// Whether a file the compiles read has changed (or gone) since the
    /// last build finished; true before the first build.
    pub fn files_changed(&self, root: &Path) -> bool {
        self.shared.is_none() || self.read.iter().any(|(rel, hash)| content_hash(root, rel) != Some(*hash))
    }

    /// Records what the compiles read so far, with their contents' hashes.
    pub fn record_reads(&mut self, root: &Path) {
        let Some(shared) = &self.shared else { return };
        self.read = shared
            .files
            .loader()
            .accessed()
            .into_iter()
            .filter_map(|rel| content_hash(root, &rel).map(|hash| (rel, hash)))
            .collect();
    }
}
