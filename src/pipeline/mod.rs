//! Runs the stages with typed values between them:
//!
//! ```text
//! load::load      → Inputs          (Markdown sources, datasets, bibliography, templates)
//! convert         → Prepared        (every source rendered and converted once per format)
//! checks, gates   → Diagnostics     (labels, citations, datasets, final/draft)
//! outputs         → Job → String    (each job's template rendered, citations formatted)
//! jobs            → JobResult       (one job built by its format's backend:
//!   paged           compile → PagedDocument → page checks (budget,
//!                   layout preflight, stamp) → export → write::Artifact)
//! write           → the artifacts, all or nothing (a watch build delivers
//!                   each as it is made)
//! ```
//!
//! The jobs build in parallel with rayon, sharing fonts, the standard
//! library and the file cache. Every stage collects all of its problems
//! before the run stops, so one run reports everything; a broken output does
//! not hide another's problems.

mod jobs;
mod paged;
mod web;

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use minijinja::value::Value;

use crate::checks::{self, gates};
use crate::convert::{self, ConvertCache, Prepared};
use crate::diagnostics::{Diagnostics, has_errors};
use crate::load::project::Format;
use crate::load::{self, project::Project};
use crate::outputs::{self, Job, context::output_context};
use crate::render::merge;
use crate::report::RunReport;
use crate::session::{Previous, Session};
use crate::settings::{BuildInfo, Mode, Settings};
use crate::write::{self, MainFile};
use jobs::{Built, Compiler, Delivery, JobResult};

/// Runs the pipeline over `project`.
pub fn run(project: &Project, settings: &Settings) -> anyhow::Result<RunReport> {
    run_in(project, settings, &mut Session::default())
}

/// Runs the pipeline, reusing what `session` kept from the previous run.
pub fn run_in(project: &Project, settings: &Settings, session: &mut Session) -> anyhow::Result<RunReport> {
    let start = Instant::now();
    settings.check_outputs(project)?;
    let mut report = RunReport::default();
    // One conversion serves every output, unless a div tests the format
    // (below).
    let format = Format::Pdf;
    // Load and convert; the draft stamp's two git calls, and reading the
    // citation locales the outputs will need, run meanwhile.
    let cache = settings.watch.then_some(&mut session.fragments);
    let citations = &session.citations;
    let warm_up = || {
        if !settings.typst_citations {
            citations.locales(&project.config.language);
        }
    };
    let ((prepared, mut diags), (build, ())) = rayon::join(
        || prepare(project, settings.final_mode, format, cache),
        || rayon::join(|| settings.build_info(&project.root), warm_up),
    );
    report.diagnostics.append(&mut diags);
    report.diagnostics.extend(settings.typst_citations.then(|| gates::typst_reads(&prepared.bibliography)).flatten());
    report.diagnostics.extend(if settings.final_mode {
        gates::final_gates(project, &prepared)
    } else {
        gates::draft_notes(project, &prepared)
    });
    // Positions in text included from another file are that file's.
    for doc in prepared.sources.documents() {
        if let Some(origins) = &doc.includes {
            report.diagnostics.iter_mut().for_each(|d| origins.map(&doc.path, &doc.text, d));
        }
    }
    report.prepare_time = start.elapsed();
    if has_errors(&report.diagnostics) {
        return Ok(report);
    }

    let jobs = outputs::select(project, &settings.only, &prepared);
    // A div that tests the format (Quarto's `when-format="html"`) gives
    // the web pages a conversion of their own.
    let format_dependent = prepared.fragments.values().any(|f| f.converted.format_dependent);
    let (web_jobs, jobs): (Vec<Job>, Vec<Job>) =
        jobs.into_iter().partition(|j| format_dependent && j.spec.format == Format::Html);
    let web = (!web_jobs.is_empty()).then(|| prepare(project, settings.final_mode, Format::Html, None));
    // A watch build compiles again only what changed: an output whose
    // generated Typst is the last build's, when no file the compiles read
    // has changed, keeps its PDF.
    let reuse = settings.watch && !session.files_changed(&project.root);
    let shared = session.shared(&project.root, settings.typst_time(project));
    let context = job_context(project, &prepared, settings, &build);
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
    };
    let (mut results, recompiled) = compiler.compile_all(jobs, &context);
    report.batch_recompiled = recompiled;
    if let Some((web, mut diags)) = web {
        report.diagnostics.append(&mut diags);
        let context = job_context(project, &web, settings, &build);
        results.extend(Compiler { prepared: &web, ..compiler }.compile_all(web_jobs, &context).0);
    }

    let mut built = keep_results(session, results, settings, &mut report.diagnostics);
    session.record_reads(&project.root);
    // Works that print one label do so in every output that lists them:
    // each pair is said once.
    let mut seen = HashSet::new();
    report.diagnostics.retain(|d| seen.insert(d.clone()));
    // All or nothing: a deliverable set is written only when every output
    // compiled, so the files on disk always belong together.
    if has_errors(&report.diagnostics) {
        return Ok(report);
    }
    write_outputs(project, settings, &built, shared)?;
    report.documents = built.iter_mut().filter_map(|b| b.laid_out.take()).collect();
    report.outputs = built.into_iter().map(|b| b.report).collect();
    Ok(report)
}

/// What every job's template sees: the outputs' context, the build mode
/// and stamp, the report's numbers (filled in for batch jobs) and the
/// changes `kooste diff` marks.
fn job_context(project: &Project, prepared: &Prepared, settings: &Settings, build: &BuildInfo) -> Value {
    merge(
        output_context(project, prepared),
        [
            ("mode", Value::from(if settings.final_mode { "final" } else { "draft" })),
            ("build", Value::from_serialize(build)),
            ("report_numbers", Value::from_serialize(BTreeMap::<String, String>::new())),
            ("changes", settings.changes.as_ref().map(Value::from_serialize).unwrap_or(Value::from(()))),
        ],
    )
}

/// Writes what a run built: `--emit-typst`'s folder, then (in a build)
/// the artifacts not yet on disk, as one set. Takes the run's handle on the
/// shared stores and lets it go, so the next watch build can reset the
/// file store (the session keeps its own).
fn write_outputs(
    project: &Project,
    settings: &Settings,
    built: &[Built],
    shared: std::sync::Arc<crate::compile::world::Shared>,
) -> anyhow::Result<()> {
    if let Some(dir) = &settings.emit_typst {
        let mains: Vec<MainFile> =
            built.iter().map(|b| MainFile { vpath: &b.main_vpath, text: &b.main_text }).collect();
        write::emit_typst(&project.root, dir, &mains, &shared)?;
    }
    drop(shared);
    if settings.mode == Mode::Build {
        let pending: Vec<&write::Artifact> = built
            .iter()
            .filter_map(|b| match &b.delivery {
                Delivery::Pending(artifact) => Some(artifact),
                Delivery::Written => None,
            })
            .collect();
        write::write_set(&pending)?;
    }
    Ok(())
}

/// Collects what the jobs built and their problems, and keeps in the
/// session what the next watch build reuses: each job's main source and,
/// for those that compiled, the result. The generated Typst of a job that
/// failed to compile is kept beside its file in a build, so the positions
/// in Typst's messages can be opened.
fn keep_results(
    session: &mut Session,
    results: Vec<(Job, JobResult)>,
    settings: &Settings,
    diagnostics: &mut Diagnostics,
) -> Vec<Built> {
    let mut built: Vec<Built> = Vec::new();
    for (job, result) in results {
        let JobResult { built: out, diagnostics: mut diags, main, failed_typst } = result;
        match &out {
            Some(b) => {
                let previous = Previous {
                    report: b.report.clone(),
                    main_text: b.main_text.clone(),
                    generated: b.generated.clone(),
                    numbers: b.numbers.clone(),
                    diagnostics: diags.clone(),
                };
                session.previous.insert(job.id.clone(), previous);
            }
            None => {
                session.previous.remove(&job.id);
            }
        }
        if let Some((path, text)) = failed_typst.filter(|_| settings.mode == Mode::Build) {
            write::keep_failed_typst(&path, &text);
        }
        built.extend(out);
        diagnostics.append(&mut diags);
        if let Some(main) = main {
            session.mains.insert(job.id, main);
        }
    }
    built
}

/// Loads every input, renders and converts the Markdown (for the final
/// build's profile or the draft's, and for `format`), and checks labels,
/// citations and datasets across all documents.
pub fn prepare(
    project: &Project,
    final_mode: bool,
    format: Format,
    cache: Option<&mut ConvertCache>,
) -> (Prepared, Diagnostics) {
    let (inputs, mut diags) = load::load(&project.root);
    let (prepared, mut convert_diags) = convert::convert(project, inputs, final_mode, format, cache);
    diags.append(&mut convert_diags);
    checks::cross_document(&prepared, &mut diags);
    (prepared, diags)
}
