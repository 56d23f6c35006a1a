//! The jobs of one run: each rendered by its template, then built by the
//! backend of its output's format ([`paged`](super::paged) for PDF), in
//! parallel; batch jobs print the report's heading numbers, predicted
//! first and checked once the report has compiled.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::value::Value;
use rayon::prelude::*;
use typst::syntax::Source;

use crate::compile::Origin;
use crate::compile::world::{ReportWorld, Shared};
use crate::convert::Prepared;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::project::{Format, Project};
use crate::outputs::{self, Citations, Job, numbers};
use crate::render::{TEMPLATES_DIR, merge};
use crate::report::{LaidOut, OutputReport};
use crate::session::Session;
use crate::settings::{BuildInfo, Mode, Settings};
use crate::write::{self, Artifact};

/// A built job: its artifact (or where it went) and what the run reports
/// and keeps of it.
pub struct Built {
    pub report: OutputReport,
    pub delivery: Delivery,
    /// The main source compiled and its virtual path, for `--emit-typst`.
    pub main_vpath: String,
    pub main_text: String,
    /// The Typst the templates generated (before the paged backend moved
    /// any table): what a later watch build's is compared with.
    pub generated: String,
    /// Label → printed number of the headings the output numbered (from
    /// the `<kooste-numbers>` metadata its template may place).
    pub numbers: BTreeMap<String, String>,
    /// The laid-out document, kept in `Mode::Layout`.
    pub laid_out: Option<LaidOut>,
}

/// Where a built job's artifact is.
pub enum Delivery {
    /// Waiting for the run to write the set (a plain build), or made in a
    /// mode that writes nothing (check).
    Pending(Artifact),
    /// On disk: a watch build delivered it as soon as it was made, or
    /// reused the file an earlier build wrote.
    Written,
}

/// What one job gave.
pub struct JobResult {
    /// The built job, when it compiled and passed its checks.
    pub built: Option<Built>,
    /// Its problems.
    pub diagnostics: Diagnostics,
    /// Its main source, which the next watch build edits in place.
    pub main: Option<Source>,
    /// Where its file would go and the generated Typst, when the compile
    /// failed.
    pub failed_typst: Option<(PathBuf, String)>,
}

impl JobResult {
    /// A job that built nothing.
    pub fn failed(diagnostics: Diagnostics, main: Option<Source>) -> JobResult {
        JobResult { built: None, diagnostics, main, failed_typst: None }
    }
}

/// What every job of one run shares.
#[derive(Clone, Copy)]
pub struct Compiler<'a> {
    pub project: &'a Project,
    pub prepared: &'a Prepared,
    pub shared: &'a Arc<Shared>,
    pub out_dir: &'a Path,
    pub settings: &'a Settings,
    /// The run's session: each job's main source and result from the
    /// previous watch build, the citation caches and letters.
    pub session: &'a Session,
    /// Reuse a job whose generated Typst is the previous build's.
    pub reuse: bool,
    /// The draft stamp, also written into each PDF's metadata.
    pub build: &'a BuildInfo,
}

impl Compiler<'_> {
    /// Makes the letters ahead of the outputs (see
    /// [`outputs::citations::prefill_letters`]), when kooste formats the
    /// citations and the project has a bibliography.
    fn prefill_letters(&self) {
        let bib = &self.prepared.bibliography;
        if self.settings.typst_citations || bib.path.is_none() || self.prepared.works.is_empty() {
            return;
        }
        let lang = &self.project.config.language;
        let (styles, labels) = (&self.session.citations, &self.session.labels);
        outputs::citations::prefill_letters(styles, labels, &bib.library, bib.id, &self.prepared.works, lang);
    }

    /// Builds every job; returns the results and how many batch jobs had
    /// to build a second time.
    ///
    /// Batch outputs (one PDF per case, …) print the report's heading
    /// numbers. They compile alongside the report with numbers predicted
    /// from its generated Typst (on the other thread while the report
    /// compiles); once the report has compiled, its real numbers are
    /// compared and the sheets compile again only if one differs.
    pub fn compile_all(&self, jobs: Vec<Job>, context: &Value) -> (Vec<(Job, JobResult)>, usize) {
        let (batch, whole): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(|j| j.item.is_some());
        let with_numbers = |numbers: &BTreeMap<String, String>| {
            merge(context.clone(), [("report_numbers", Value::from_serialize(numbers))])
        };
        // The project's year-suffix letters, which every output's citations
        // need, are made on a thread of their own while the outputs format
        // their citations (they ask for the letters last) and the batch
        // outputs' heading numbers are predicted.
        let (mut results, (predicted, batch_results)) = std::thread::scope(|scope| {
            scope.spawn(|| self.prefill_letters());
            rayon::join(
                || self.compile(&whole, context),
                || {
                    let guess = (!batch.is_empty())
                        .then(|| outputs::predict_numbers(self.project, self.prepared, context))
                        .flatten();
                    match (batch.is_empty(), guess) {
                        (false, Some(guess)) => {
                            let results = self.compile(&batch, &with_numbers(&guess));
                            (Some(guess), results)
                        }
                        _ => (None, Vec::new()),
                    }
                },
            )
        });
        results.extend(batch_results);
        // The real numbers, from the outputs that carry them.
        let numbers_from: Vec<&Built> = results
            .iter()
            .filter_map(|(_, r)| r.built.as_ref())
            .filter(|b| b.main_text.contains(numbers::METADATA_LABEL))
            .collect();
        let actual: BTreeMap<String, String> = numbers_from.iter().flat_map(|b| b.numbers.clone()).collect();
        let again = match &predicted {
            None => true,
            Some(guess) => !numbers_from.is_empty() && guess != &actual,
        };
        let mut recompiled = 0;
        if again && !batch.is_empty() {
            results.retain(|(job, _)| job.item.is_none());
            recompiled = if predicted.is_some() { batch.len() } else { 0 };
            results.extend(self.compile(&batch, &with_numbers(&actual)));
        }
        let results = results.into_iter().map(|(job, result)| (Job::clone(job), result)).collect();
        (results, recompiled)
    }

    /// Renders `jobs` with `ctx` and builds them, in parallel.
    fn compile<'j>(&self, jobs: &'j [Job], ctx: &Value) -> Vec<(&'j Job, JobResult)> {
        jobs.par_iter().map(|job| (job, self.job(job, ctx))).collect()
    }

    /// Renders one job and builds it with its format's backend (or reuses
    /// the previous watch build's result); a watch build delivers the
    /// artifact at once, so the report need not wait for the sheets.
    fn job(&self, job: &Job, ctx: &Value) -> JobResult {
        let previous = self.session.mains.get(&job.id).cloned();
        let read = |rel: &Path| self.shared.read_text(rel);
        let citations = Citations { labels: &self.session.labels, cache: &self.session.citations, read: &read };
        let citations = (!self.settings.typst_citations).then_some(&citations);
        let (source, mut cite_diags) = match outputs::render_job(self.project, self.prepared, ctx, job, citations) {
            Ok(rendered) => rendered,
            Err(diag) => return JobResult::failed(vec![diag], previous),
        };
        if self.settings.typst_citations {
            let (lang, bib) = (&self.project.config.language, &self.prepared.bibliography);
            let cache = &self.session.citations;
            let final_mode = self.settings.final_mode;
            cite_diags.extend(outputs::references::typst_label_collisions(bib, &source, lang, cache, final_mode));
        }
        let mut result = match self.reusable(job, &source) {
            Some((built, diagnostics)) => {
                JobResult { built: Some(built), diagnostics, main: previous, failed_typst: None }
            }
            None => match job.spec.format {
                Format::Pdf => self.build_paged(job, source, previous),
                Format::Html => self.build_web(job, source, previous),
            },
        };
        if self.settings.watch && self.settings.mode == Mode::Build {
            deliver(&mut result);
        }
        cite_diags.append(&mut result.diagnostics);
        result.diagnostics = cite_diags;
        result
    }

    /// The previous build of `job` and its warnings, when this run may reuse
    /// it and `source` is what it was compiled from.
    fn reusable(&self, job: &Job, source: &str) -> Option<(Built, Diagnostics)> {
        let previous = self.session.previous.get(&job.id).filter(|p| self.reuse && p.generated == source)?;
        let built = Built {
            report: OutputReport { reused: true, ..previous.report.clone() },
            delivery: Delivery::Written,
            main_vpath: outputs::main_vpath(job),
            main_text: previous.main_text.clone(),
            generated: previous.generated.clone(),
            numbers: previous.numbers.clone(),
            laid_out: None,
        };
        Some((built, previous.diagnostics.clone()))
    }
}

/// A job's world, ready to compile, and what a backend reports about it.
pub struct Setup {
    pub world: ReportWorld,
    /// The output template (`templates/report.typ.j2`), for diagnostics.
    pub template_path: PathBuf,
    /// Where the job's file goes.
    pub path: PathBuf,
    /// The main source the next watch build edits in place.
    pub main: Option<Source>,
}

impl Compiler<'_> {
    /// The world `job` compiles its generated `source` in (editing the
    /// previous watch build's main source, when there is one).
    pub fn setup(&self, job: &Job, source: String, previous: Option<Source>) -> Setup {
        let template_path = Path::new(TEMPLATES_DIR).join(&job.spec.template);
        let world = ReportWorld::with_previous(self.shared.clone(), &outputs::main_vpath(job), source, previous);
        let main = Some(world.main_source().clone());
        Setup { world, template_path, path: self.out_dir.join(&job.spec.file), main }
    }

    /// Where the job's main source came from, for mapping its diagnostics.
    pub fn origin<'s>(&'s self, job: &Job, setup: &'s Setup) -> Origin<'s> {
        let template_text = self.prepared.templates.get(&job.spec.template).unwrap_or_default();
        Origin { template_path: &setup.template_path, template_text }
    }
}

impl Setup {
    /// A failed job's result: its problems, and its generated Typst to keep
    /// beside its file.
    pub fn failed(&self, diagnostics: Diagnostics) -> JobResult {
        let failed_typst = Some((self.path.clone(), self.world.main_source().text().to_string()));
        JobResult { built: None, diagnostics, main: self.main.clone(), failed_typst }
    }
}

/// Writes a built job's pending artifact now (watch builds); a failure to
/// write is the job's error.
fn deliver(result: &mut JobResult) {
    let Some(built) = &mut result.built else { return };
    let Delivery::Pending(artifact) = &built.delivery else { return };
    match write::write_artifact(artifact) {
        Ok(()) => built.delivery = Delivery::Written,
        Err(err) => {
            result.diagnostics.push(Diagnostic::error("", None, format!("{err:#}")));
            result.built = None;
        }
    }
}
