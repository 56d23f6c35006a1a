//! Runs the stages with typed values between them:
//!
//! ```text
//! load::load      → Inputs          (Markdown sources, datasets, bibliography)
//! convert         → Prepared        (every source rendered and converted once)
//! checks, gates   → Diagnostics     (labels, citations, datasets, final/draft)
//! outputs         → Job → String    (each output's template rendered, citations formatted)
//! compile         → PagedDocument → PDF bytes
//! write           → the PDF set, all or nothing
//! ```
//!
//! The outputs build in parallel with rayon, sharing fonts, the standard
//! library and the file cache. Every stage collects all of its problems
//! before the run stops, so one run reports everything; a broken output does
//! not hide another's problems.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use minijinja::value::Value;
use rayon::prelude::*;
use typst::syntax::Source;

use crate::checks::{self, gates};
use crate::compile::session::{Previous, Session};
use crate::compile::world::{ReportWorld, Shared};
use crate::compile::{Origin, compile_document, export_pdf, page_count};
use crate::convert::ConvertCache;
use crate::convert::{self, Prepared};
use crate::diagnostics::{Diagnostic, Diagnostics, has_errors};
use crate::load::bibliography::BIB_PATH;
use crate::load::{self, project::Project};
use crate::outputs::citations::LabelCache;
use crate::outputs::{self, Job, context::output_context, numbers};
use crate::render::{TEMPLATES_DIR, merge};
use crate::report::{LaidOut, OutputReport, RunReport};
use crate::settings::{BuildInfo, Mode, Settings};
use crate::write::{self, MainFile};

/// Runs the pipeline over `project`.
pub fn run(project: &Project, settings: &Settings) -> anyhow::Result<RunReport> {
    run_in(project, settings, &mut Session::default())
}

/// Runs the pipeline, reusing what `session` kept from the previous run.
pub fn run_in(project: &Project, settings: &Settings, session: &mut Session) -> anyhow::Result<RunReport> {
    let start = Instant::now();
    settings.check_outputs(project)?;
    let mut report = RunReport::default();
    if !settings.typst_citations {
        outputs::citations::warm_up(&project.config.language);
    }
    // Load and convert; the draft stamp's two git calls run meanwhile.
    let cache = settings.watch.then_some(&mut session.fragments);
    let ((prepared, mut diags), build) =
        rayon::join(|| prepare(project, settings.final_mode, cache), || settings.build_info(&project.root));
    report.diagnostics.append(&mut diags);
    report.diagnostics.extend(if settings.final_mode {
        gates::final_gates(project, &prepared)
    } else {
        gates::draft_notes(project, &prepared)
    });
    report.prepare_time = start.elapsed();
    if has_errors(&report.diagnostics) {
        return Ok(report);
    }

    let jobs = outputs::select(project, &settings.only, &prepared);
    // A watch build compiles again only what changed: an output whose
    // generated Typst is the last build's, when no file the compiles read
    // has changed, keeps its PDF.
    let reuse = settings.watch && !session.files_changed(&project.root);
    let shared = session.shared(&project.root, settings.typst_time(project));
    let context = merge(
        output_context(project, &prepared),
        [
            ("mode", Value::from(if settings.final_mode { "final" } else { "draft" })),
            ("build", Value::from_serialize(&build)),
            ("report_numbers", Value::from_serialize(BTreeMap::<String, String>::new())),
            ("changes", settings.changes.as_ref().map(Value::from_serialize).unwrap_or(Value::from(()))),
        ],
    );
    let out_dir = project.root.join(&settings.out_dir);
    let compiler = Compiler {
        project,
        prepared: &prepared,
        shared: &shared,
        out_dir: &out_dir,
        settings,
        session,
        reuse,
        build: &build,
        labels: &session.labels,
    };
    let (results, recompiled) = compiler.compile_all(jobs, &context);
    report.batch_recompiled = recompiled;

    let mut built = keep_results(session, results, &mut report.diagnostics);
    session.record_reads(&project.root);
    // Works that print one label do so in every output that lists them:
    // each pair is said once.
    let mut seen = std::collections::HashSet::new();
    report.diagnostics.retain(|d| d.path != Path::new(BIB_PATH) || seen.insert(format!("{d:?}")));
    // All or nothing: a deliverable set is written only when every output
    // compiled, so the PDFs on disk always belong together.
    if has_errors(&report.diagnostics) {
        return Ok(report);
    }
    if let Some(dir) = &settings.emit_typst {
        let mains: Vec<MainFile> =
            built.iter().map(|b| MainFile { vpath: &b.main_vpath, text: &b.main_text }).collect();
        write::emit_typst(&project.root, dir, &mains, &shared)?;
    }
    // The session keeps its own handle; this one must go so the next
    // watch build can reset the file store.
    drop(shared);
    if settings.mode == Mode::Build {
        let files: Vec<(&Path, &[u8])> =
            built.iter().filter(|b| !b.written).map(|b| (b.report.path.as_path(), b.pdf.as_slice())).collect();
        write::write_set(&files)?;
    }
    report.documents = built.iter_mut().filter_map(|b| b.laid_out.take()).collect();
    report.outputs = built.into_iter().map(|b| b.report).collect();
    Ok(report)
}

/// Collects what the jobs built and their problems, and keeps in the
/// session what the next watch build reuses: each output's main source and,
/// for those that compiled, the result.
fn keep_results(session: &mut Session, results: Vec<(Job, JobResult)>, diagnostics: &mut Diagnostics) -> Vec<Built> {
    let mut built: Vec<Built> = Vec::new();
    for (job, (out, mut diags, main)) in results {
        let name = &job.spec.name;
        match &out {
            Some(b) => {
                let previous = Previous {
                    report: b.report.clone(),
                    main_text: b.main_text.clone(),
                    numbers: b.numbers.clone(),
                    diagnostics: diags.clone(),
                };
                session.previous.insert(name.clone(), previous);
            }
            None => {
                session.previous.remove(name);
            }
        }
        built.extend(out);
        diagnostics.append(&mut diags);
        if let Some(main) = main {
            session.mains.insert(name.clone(), main);
        }
    }
    built
}

/// Loads every input, renders and converts the Markdown (for the final
/// build's profile or the draft's), and checks labels, citations and
/// datasets across all documents.
pub fn prepare(project: &Project, final_mode: bool, cache: Option<&mut ConvertCache>) -> (Prepared, Diagnostics) {
    let (inputs, mut diags) = load::load(&project.root);
    let (prepared, mut convert_diags) = convert::convert(project, inputs, final_mode, cache);
    diags.append(&mut convert_diags);
    checks::cross_document(&project.root, &prepared, &mut diags);
    (prepared, diags)
}

/// A compiled output waiting to be written.
struct Built {
    report: OutputReport,
    pdf: Vec<u8>,
    /// The generated main source and its virtual path, for `--emit-typst`.
    main_vpath: String,
    main_text: String,
    /// Label → printed number of the headings the output numbered (from
    /// the `<kooste-numbers>` metadata its template may place).
    numbers: BTreeMap<String, String>,
    /// The PDF is on disk already (a watch build writes each as it compiles,
    /// and keeps those it reused); `pdf` is then empty.
    written: bool,
    /// The laid-out document, kept in `Mode::Layout`.
    laid_out: Option<LaidOut>,
}

/// What one job gave: the built output (when it compiled), its problems,
/// and its main source to keep for the next watch build.
type JobResult = (Option<Built>, Diagnostics, Option<Source>);

/// What every compile of one run shares.
struct Compiler<'a> {
    project: &'a Project,
    prepared: &'a Prepared,
    shared: &'a Arc<Shared>,
    out_dir: &'a Path,
    settings: &'a Settings,
    /// Each output's main source and result from the previous watch build.
    session: &'a Session,
    /// Reuse an output whose generated Typst is the previous build's.
    reuse: bool,
    /// The draft stamp, also written into each PDF's keywords.
    build: &'a BuildInfo,
    /// The year-suffix letters of this run's works, made once for all
    /// outputs.
    labels: &'a LabelCache,
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
        outputs::citations::prefill_letters(self.labels, &bib.library, bib.id, &self.prepared.works, lang);
    }

    /// Compiles every job; returns the results and how many batch jobs had
    /// to compile a second time.
    ///
    /// Batch outputs (one PDF per case, …) print the report's heading
    /// numbers. They compile alongside the report with numbers predicted
    /// from its generated Typst (on the other thread while the report
    /// compiles); once the report has compiled, its real numbers are
    /// compared and the sheets compile again only if one differs.
    fn compile_all(&self, jobs: Vec<Job>, context: &Value) -> (Vec<(Job, JobResult)>, usize) {
        let (batch, whole): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(|j| j.item.is_some());
        let with_numbers = |numbers: &BTreeMap<String, String>| {
            merge(context.clone(), [("report_numbers", Value::from_serialize(numbers))])
        };
        // The project's year-suffix letters, which every output's citations
        // need, are made first on both cores, while the batch outputs'
        // heading numbers are predicted.
        let (_, guess) = rayon::join(
            || self.prefill_letters(),
            || (!batch.is_empty()).then(|| outputs::predict_numbers(self.project, self.prepared, context)).flatten(),
        );
        let (mut results, (predicted, batch_results)) = rayon::join(
            || self.compile(&whole, context),
            || match (batch.is_empty(), guess) {
                (false, Some(guess)) => {
                    let results = self.compile(&batch, &with_numbers(&guess));
                    (Some(guess), results)
                }
                _ => (None, Vec::new()),
            },
        );
        results.extend(batch_results);
        // The real numbers, from the outputs that carry them.
        let numbers_from: Vec<&Built> = results
            .iter()
            .filter_map(|(_, r)| r.0.as_ref())
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

    /// Renders `jobs` with `ctx` and compiles them, in parallel.
    fn compile<'j>(&self, jobs: &'j [Job], ctx: &Value) -> Vec<(&'j Job, JobResult)> {
        jobs.par_iter()
            .map(|job| {
                let previous = self.session.mains.get(&job.spec.name).cloned();
                let citations = (!self.settings.typst_citations).then_some(self.labels);
                let result = match outputs::render_job(self.project, self.prepared, ctx, job, citations) {
                    Ok((source, mut cite_diags)) => {
                        if self.settings.typst_citations {
                            let lang = &self.project.config.language;
                            let bib = &self.prepared.bibliography;
                            let final_mode = self.settings.final_mode;
                            cite_diags
                                .extend(outputs::references::typst_label_collisions(bib, &source, lang, final_mode));
                        }
                        let (built, mut diags, main) = match self.reusable(job, &source) {
                            Some(previous_build) => (Some(previous_build.0), previous_build.1, previous),
                            None => self.build(job, source, previous),
                        };
                        cite_diags.append(&mut diags);
                        (built, cite_diags, main)
                    }
                    Err(diag) => (None, vec![diag], previous),
                };
                (job, result)
            })
            .collect()
    }

    /// The previous build of `job` and its warnings, when this run may reuse
    /// it and `source` is what it was compiled from.
    fn reusable(&self, job: &Job, source: &str) -> Option<(Built, Diagnostics)> {
        let previous = self.session.previous.get(&job.spec.name).filter(|p| self.reuse && p.main_text == source)?;
        let built = Built {
            report: OutputReport { reused: true, ..previous.report.clone() },
            pdf: Vec::new(),
            main_vpath: outputs::main_vpath(&job.spec),
            main_text: previous.main_text.clone(),
            numbers: previous.numbers.clone(),
            written: true,
            laid_out: None,
        };
        Some((built, previous.diagnostics.clone()))
    }

    /// Compiles one job's generated Typst to PDF bytes. When the compile
    /// fails in build mode, the generated Typst is kept beside the PDF's
    /// path so the positions in Typst's messages can be opened.
    fn build(&self, job: &Job, source: String, previous: Option<Source>) -> JobResult {
        let started = Instant::now();
        let spec = &job.spec;
        let template_path = Path::new(TEMPLATES_DIR).join(&spec.template);
        let template_text = std::fs::read_to_string(self.project.root.join(&template_path)).unwrap_or_default();
        let vpath = outputs::main_vpath(spec);
        let world = ReportWorld::with_previous(self.shared.clone(), &vpath, source, previous);
        let main = Some(world.main_source().clone());
        let origin = Origin { template_path: &template_path, template_text: &template_text };
        let (doc, mut diags) = compile_document(&world, &origin);
        let pdf_path: PathBuf = self.out_dir.join(&spec.file);
        let Some(mut doc) = doc else {
            if self.settings.mode == Mode::Build {
                write::keep_failed_typst(&pdf_path, world.main_source().text());
            }
            return (None, diags, main);
        };
        let pages = page_count(&doc);
        let over_budget = gates::page_budget(self.project, spec, pages);
        let standards = typst_pdf::PdfStandards::new(&spec.standards).unwrap_or_default();
        crate::compile::stamp(&mut doc, &self.build.full_commit, self.build.dirty, &spec.name);
        // The layout preflight (stranded headings, captions apart, broken
        // short tables, hyphenated headings, blank pages, empty lists)
        // reads the pages while the PDF is exported; an output over its
        // page budget is not exported, but its faults are still reported.
        let export = self.settings.mode != Mode::Layout && over_budget.is_none();
        let (faults, exported) = rayon::join(
            || match self.settings.mode {
                Mode::Layout => Vec::new(),
                _ => crate::layout::preflight(&doc, &world, &origin, &spec.name, self.settings.final_mode),
            },
            || match export {
                false => Ok(Vec::new()),
                true => export_pdf(&world, &doc, &spec.name, self.settings.document_date(self.project), standards),
            },
        );
        let faulty = has_errors(&faults);
        diags.extend(faults);
        if let Some(over) = over_budget {
            diags.push(over);
            return (None, diags, main);
        }
        if faulty {
            return (None, diags, main);
        }
        match exported {
            Ok(pdf) => {
                let bytes = pdf.len();
                // A watch build writes each PDF as soon as it compiles: the
                // report need not wait for the sheets.
                let written = self.settings.watch && self.settings.mode == Mode::Build;
                let pdf = if written {
                    if let Err(err) = write::write_atomic(&pdf_path, &pdf) {
                        diags.push(Diagnostic::error("", None, format!("{err:#}")));
                        return (None, diags, main);
                    }
                    Vec::new()
                } else {
                    pdf
                };
                let report = OutputReport {
                    name: spec.name.clone(),
                    path: pdf_path,
                    pages,
                    bytes,
                    compile_time: started.elapsed(),
                    reused: false,
                };
                let numbers = numbers::heading_numbers(&doc);
                let laid_out = (self.settings.mode == Mode::Layout).then(|| LaidOut {
                    name: spec.name.clone(),
                    doc,
                    main: world.main_source().clone(),
                });
                let main_text = world.main_source().text().to_string();
                (Some(Built { report, pdf, numbers, main_vpath: vpath, main_text, written, laid_out }), diags, main)
            }
            Err(mut errs) => {
                diags.append(&mut errs);
                (None, diags, main)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of the sample fixture with the repository's templates.
    fn sample() -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for (from, to) in [
            ("tests/fixtures/sample/report", "report"),
            ("tests/fixtures/sample/data", "data"),
            ("templates", "templates"),
        ] {
            copy_dir(&repo.join(from), &dir.path().join(to));
        }
        let project = Project::load(Some(dir.path())).unwrap();
        (dir, project)
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    fn reused(report: &RunReport) -> Vec<(String, bool)> {
        report.outputs.iter().map(|o| (o.name.clone(), o.reused)).collect()
    }

    #[test]
    fn watch_builds_compile_only_what_changed() {
        let (dir, project) = sample();
        let settings = Settings { watch: true, epoch: Some(1_582_848_000), ..Settings::new(Mode::Build) };
        let mut session = Session::default();
        let first = run_in(&project, &settings, &mut session).unwrap();
        assert!(!has_errors(&first.diagnostics), "{:?}", first.diagnostics);
        assert!(first.outputs.iter().all(|o| !o.reused && o.path.is_file()));

        // An edit to one chapter: only the report compiles again.
        let chapter = std::fs::read_dir(dir.path().join("report/chapters")).unwrap().flatten().next().unwrap().path();
        let mut text = std::fs::read_to_string(&chapter).unwrap();
        text.push_str("\nLisätty kappale.\n");
        std::fs::write(&chapter, text).unwrap();
        let second = run_in(&project, &settings, &mut session).unwrap();
        let changed: Vec<String> = reused(&second).into_iter().filter(|(_, r)| !r).map(|(n, _)| n).collect();
        assert_eq!(changed, ["report"], "{:?}", reused(&second));

        // A style file every output reads: everything compiles again.
        let style = dir.path().join("templates/style.typ");
        let mut text = std::fs::read_to_string(&style).unwrap();
        text.push_str("\n// changed\n");
        std::fs::write(&style, text).unwrap();
        let third = run_in(&project, &settings, &mut session).unwrap();
        assert!(third.outputs.iter().all(|o| !o.reused), "{:?}", reused(&third));

        // A plain build reuses nothing.
        let plain = Settings { watch: false, ..settings };
        let fourth = run_in(&project, &plain, &mut session).unwrap();
        assert!(fourth.outputs.iter().all(|o| !o.reused), "{:?}", reused(&fourth));
    }
}
