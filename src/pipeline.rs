//! Runs the stages: load → render Markdown templates → convert to Typst →
//! check labels and citations → render each output's template → compile →
//! write PDFs.
//!
//! Inputs are loaded and converted once; the outputs are then built in
//! parallel with rayon, sharing fonts, the standard library and the file
//! cache. Every stage collects all of its problems before the run stops, so
//! one run reports everything; a broken output does not hide another's
//! problems.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use minijinja::value::Value;
use rayon::prelude::*;
use serde::Serialize;
use typst::foundations::Datetime;
use typst_kit::datetime::Time;

use crate::chapters::{Document, Include, Sources, load_sources};
use crate::citations;
use crate::compile::{END_MARKER, Origin, compile_document, export_pdf, page_count, write_all_atomic, write_atomic};
use crate::diagnostics::{Diagnostic, Diagnostics, has_errors};
use crate::markdown::{ConvertOptions, Converted, LabelUse, MissingImage, to_typst};
use crate::numbers;
use crate::project::{CONFIG_PATH, OutputSpec, Project};
use crate::references::{BIB_PATH, Bibliography, load_references};
use crate::render::{RenderedMarkdown, Renderer, TEMPLATES_DIR};
use crate::tables::{Table, load_tables};
use crate::world::{ReportWorld, Shared};

/// Whether a run writes files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Compile and write the PDFs.
    Build,
    /// Run every stage, compile included, and write nothing.
    Check,
}

/// How to run the pipeline; built from the command line by `main`.
#[derive(Debug, Clone)]
pub struct RunOptions {
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
    pub changes: Option<Vec<crate::diff::Change>>,
    /// Leave citations and the bibliography to typst instead of formatting
    /// them in kooste (slower on long documents; same text).
    pub typst_citations: bool,
}

/// What a draft's stamp says about the sources it was built from.
#[derive(Debug, Clone, Serialize)]
pub struct BuildInfo {
    /// Short commit hash, or empty outside a git repository.
    pub commit: String,
    /// The working tree has uncommitted changes.
    pub dirty: bool,
    /// Build date, `d.m.yyyy`.
    pub date: String,
}

impl BuildInfo {
    /// Asks git about the project; nothing is fatal here.
    pub fn detect(root: &Path, date: Datetime) -> BuildInfo {
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .arg("-C")
                .arg(root)
                .args(args)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        };
        let commit = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_default();
        let dirty = !commit.is_empty()
            && git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
        let date = format!("{}.{}.{}", date.day().unwrap_or(1), date.month().unwrap_or(1), date.year().unwrap_or(1970));
        BuildInfo { commit, dirty, date }
    }
}

/// The time of the last commit, for reproducible final builds.
pub fn last_commit_time(root: &Path) -> Option<i64> {
    let out =
        std::process::Command::new("git").arg("-C").arg(root).args(["log", "-1", "--format=%ct"]).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// What one output produced.
#[derive(Debug, Clone, Serialize)]
pub struct OutputReport {
    pub name: String,
    /// Where the PDF was written (or would be, in check mode).
    pub path: PathBuf,
    pub pages: usize,
    pub bytes: usize,
    #[serde(serialize_with = "seconds")]
    pub compile_time: Duration,
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// The result of a run: outputs built and every problem found.
#[derive(Debug, Default)]
pub struct RunReport {
    pub outputs: Vec<OutputReport>,
    pub diagnostics: Diagnostics,
    /// Time spent before the first compile (loading, templates, conversion).
    pub prepare_time: Duration,
    /// Batch outputs compiled a second time because the report's heading
    /// numbers were not the predicted ones (0 when the prediction held).
    pub batch_recompiled: usize,
}

/// A converted Markdown document, ready to be placed by a template.
#[derive(Debug, Clone)]
pub struct Fragment {
    pub path: PathBuf,
    /// Typst markup ending with the end-of-fragment marker.
    pub typst: String,
    pub converted: Converted,
    pub rendered: RenderedMarkdown,
}

/// Everything the output templates see, built once per run.
pub struct Prepared {
    pub sources: Sources,
    pub tables: Arc<Vec<Table>>,
    pub bibliography: Bibliography,
    pub renderer: Renderer,
    pub fragments: HashMap<PathBuf, Fragment>,
}

/// Runs the pipeline over `project`.
pub fn run(project: &Project, options: &RunOptions) -> anyhow::Result<RunReport> {
    run_in(project, options, &mut Session::default())
}

/// What stays alive between the builds of `kooste watch`: the fonts, the
/// library and the file cache, and each output's generated main source,
/// edited in place so typst's incremental compilation can reuse its work.
#[derive(Default)]
pub struct Session {
    shared: Option<Arc<Shared>>,
    mains: HashMap<String, typst::syntax::Source>,
}

/// Runs the pipeline, reusing what `session` kept from the previous run.
pub fn run_in(project: &Project, options: &RunOptions, session: &mut Session) -> anyhow::Result<RunReport> {
    let start = Instant::now();
    let mut report = RunReport::default();
    if !options.typst_citations {
        citations::warm_up(&project.config.language);
    }
    // The draft stamp's two git calls take a few milliseconds: they run
    // while the project loads and converts.
    let ((prepared, mut diags), build) =
        rayon::join(|| prepare(project), || BuildInfo::detect(&project.root, build_date()));
    report.diagnostics.append(&mut diags);
    if options.final_mode {
        report.diagnostics.extend(final_gates(project, &prepared));
    } else {
        report.diagnostics.extend(draft_notes(&prepared));
        let config_text = std::fs::read_to_string(project.root.join(CONFIG_PATH)).unwrap_or_default();
        report.diagnostics.extend(project.config.sheet_gaps(&config_text, false));
        report.diagnostics.extend(
            project.config.abstract_titles(
                prepared
                    .sources
                    .abstracts
                    .iter()
                    .map(|a| (a.lang.as_str(), a.doc.path.as_path(), a.doc.text.as_str(), a.front.title.as_str())),
            ),
        );
    }
    report.prepare_time = start.elapsed();
    if has_errors(&report.diagnostics) {
        return Ok(report);
    }

    let outputs: Vec<Job> = project
        .config
        .outputs
        .iter()
        .filter(|o| options.only.is_empty() || options.only.contains(&o.name))
        .flat_map(|o| expand(o, &prepared))
        .collect();
    for name in &options.only {
        if !project.config.outputs.iter().any(|o| &o.name == name) {
            anyhow::bail!(
                "no output named `{name}` in {CONFIG_PATH} (outputs: {})",
                project.config.outputs.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ")
            );
        }
    }

    // Keep fonts and library; files are re-read where they changed.
    let shared = match session.shared.take() {
        Some(mut shared) if shared.root == project.root => match Arc::get_mut(&mut shared) {
            Some(s) => {
                s.files.reset();
                s.time = build_time(project);
                shared
            }
            None => Arc::new(Shared::new(&project.root, build_time(project))),
        },
        _ => Arc::new(Shared::new(&project.root, build_time(project))),
    };
    session.shared = Some(shared.clone());
    let context = merge(
        output_context(project, &prepared),
        [
            ("mode", Value::from(if options.final_mode { "final" } else { "draft" })),
            ("build", Value::from_serialize(&build)),
            ("report_numbers", Value::from_serialize(BTreeMap::<String, String>::new())),
            ("changes", options.changes.as_ref().map(Value::from_serialize).unwrap_or(Value::from(()))),
        ],
    );
    let out_dir = project.root.join(&options.out_dir);

    // Batch outputs (one PDF per case, …) print the report's heading
    // numbers. They compile alongside the report with numbers predicted from
    // its generated Typst (on the other thread while the report compiles);
    // once the report has compiled, its real numbers are compared and the
    // sheets compile again only if one differs.
    let (batch, whole): (Vec<Job>, Vec<Job>) = outputs.into_iter().partition(|j| j.item.is_some());
    let with_numbers = |numbers: &BTreeMap<String, String>| {
        merge(context.clone(), [("report_numbers", Value::from_serialize(numbers))])
    };
    let compiler =
        Compiler { project, prepared: &prepared, shared: &shared, out_dir: &out_dir, options, mains: &session.mains };
    let (mut results, (predicted, batch_results)) = rayon::join(
        || compiler.compile(&whole, &context),
        || {
            if batch.is_empty() {
                return (None, Vec::new());
            }
            match predict_numbers(project, &prepared, &context) {
                Some(guess) => {
                    let results = compiler.compile(&batch, &with_numbers(&guess));
                    (Some(guess), results)
                }
                None => (None, Vec::new()),
            }
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
    if again && !batch.is_empty() {
        let ctx = with_numbers(&actual);
        results.retain(|(job, _)| job.item.is_none());
        report.batch_recompiled = if predicted.is_some() { batch.len() } else { 0 };
        results.extend(compiler.compile(&batch, &ctx));
    }
    let mut built: Vec<Built> = Vec::new();
    for (job, (out, mut diags, main)) in results {
        built.extend(out);
        report.diagnostics.append(&mut diags);
        if let Some(main) = main {
            session.mains.insert(job.spec.name.clone(), main);
        }
    }
    // All or nothing: a deliverable set is written only when every output
    // compiled, so the PDFs on disk always belong together.
    if has_errors(&report.diagnostics) {
        return Ok(report);
    }
    if let Some(dir) = &options.emit_typst {
        emit_typst(&project.root, dir, &built, &shared)?;
    }
    // The session keeps its own handle; this one must go so the next
    // watch build can reset the file store.
    drop(shared);
    if options.mode == Mode::Build {
        let files: Vec<(&Path, &[u8])> = built.iter().map(|b| (b.report.path.as_path(), b.pdf.as_slice())).collect();
        write_all_atomic(&files)?;
        for b in &built {
            // The Typst kept from an earlier failed build is stale now.
            let _ = std::fs::remove_file(b.report.path.with_extension("typ"));
        }
    }
    report.outputs = built.into_iter().map(|b| b.report).collect();
    Ok(report)
}

type JobResult = (Option<Built>, Diagnostics, Option<typst::syntax::Source>);

/// What every compile of one run shares.
struct Compiler<'a> {
    project: &'a Project,
    prepared: &'a Prepared,
    shared: &'a Arc<Shared>,
    out_dir: &'a Path,
    options: &'a RunOptions,
    /// Each output's main source from the previous watch build.
    mains: &'a HashMap<String, typst::syntax::Source>,
}

impl Compiler<'_> {
    /// Renders `jobs` with `ctx` and compiles them, in parallel.
    fn compile<'j>(&self, jobs: &'j [Job], ctx: &Value) -> Vec<(&'j Job, JobResult)> {
        jobs.par_iter()
            .map(|job| {
                let previous = self.mains.get(&job.spec.name).cloned();
                let result = match render_job(self.project, self.prepared, ctx, job, !self.options.typst_citations) {
                    Ok(source) => {
                        build_output(self.project, self.shared, job, source, self.out_dir, self.options, previous)
                    }
                    Err(diag) => (None, vec![diag], previous),
                };
                (job, result)
            })
            .collect()
    }
}

/// The heading numbers batch outputs will need, predicted from the
/// project's whole outputs that publish theirs (`<kooste-numbers>`),
/// rendered again for this (a millisecond; their citations can stay as
/// they are). `None` when a prediction cannot be made.
fn predict_numbers(project: &Project, prepared: &Prepared, context: &Value) -> Option<BTreeMap<String, String>> {
    let mut all = BTreeMap::new();
    for spec in project.config.outputs.iter().filter(|o| o.each.is_none()) {
        let job = Job { spec: spec.clone(), item: None };
        let Ok(source) = render_job(project, prepared, context, &job, false) else { continue };
        if source.contains(numbers::METADATA_LABEL) {
            all.extend(numbers::predict(&source)?);
        }
    }
    Some(all)
}

/// Renders one output's template to its generated Typst, with citations
/// and the bibliography formatted when `format_citations` is set.
fn render_job(
    project: &Project,
    prepared: &Prepared,
    context: &Value,
    job: &Job,
    format_citations: bool,
) -> Result<String, Diagnostic> {
    let spec = &job.spec;
    let ctx = merge(
        context.clone(),
        [("output", Value::from_serialize(spec)), ("item", job.item.clone().unwrap_or(Value::from(())))],
    );
    let source = prepared.renderer.render_output(&project.root, &spec.template, &ctx)?;
    // Citations and the bibliography as text, formatted once here rather
    // than by typst at a cost that grows with the square of their number.
    let bib = &prepared.bibliography;
    Ok(match &bib.path {
        Some(path) if format_citations => {
            let bib_path = format!("/{}", path.display());
            let options = citations::Options { lang: &project.config.language, link: project.config.link_citations };
            citations::format(&source, &bib_path, &bib.library, &options).0
        }
        _ => source,
    })
}

/// The virtual path of an output's generated main file, beside its template
/// so relative imports resolve in templates/.
fn main_vpath(spec: &OutputSpec) -> String {
    let stem = spec.template.trim_end_matches(".j2").trim_end_matches(".typ");
    match spec.name.split_once('/') {
        Some((_, id)) => format!("/{TEMPLATES_DIR}/{stem}.{id}.generated.typ"),
        None => format!("/{TEMPLATES_DIR}/{stem}.generated.typ"),
    }
}

/// One PDF to build: an output, or one item of a batch output.
pub struct Job {
    /// The output with `name` and `file` made concrete for the item.
    pub spec: OutputSpec,
    /// The item a batch template renders (`item` in the template).
    pub item: Option<Value>,
}

/// The jobs of one output: itself, or one per item of its collection.
pub fn expand(spec: &OutputSpec, prepared: &Prepared) -> Vec<Job> {
    let Some(each) = &spec.each else {
        return vec![Job { spec: spec.clone(), item: None }];
    };
    let items: Vec<(String, Value)> = if each == "cases" {
        prepared.sources.cases.iter().map(|c| (c.front.id.clone(), case_value(c, prepared))).collect()
    } else if each == "recommendations" {
        prepared
            .sources
            .recommendations
            .iter()
            .map(|r| (r.front.id.to_lowercase(), recommendation_value(r, prepared)))
            .collect()
    } else {
        let name = each.trim_start_matches("data.");
        prepared
            .tables
            .iter()
            .find(|t| t.name == name)
            .map(|t| {
                t.rows
                    .iter()
                    .map(|row| {
                        let id = slug(&row.first().map(cell_text).unwrap_or_default());
                        let map: BTreeMap<&str, &crate::tables::Cell> =
                            t.headers.iter().map(String::as_str).zip(row.iter()).collect();
                        (id, Value::from_serialize(&map))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    items
        .into_iter()
        .map(|(id, item)| {
            let mut concrete = spec.clone();
            concrete.name = format!("{}/{id}", spec.name);
            concrete.file = spec.file.replace("{id}", &id);
            Job { spec: concrete, item: Some(item) }
        })
        .collect()
}

fn cell_text(cell: &crate::tables::Cell) -> String {
    match cell {
        crate::tables::Cell::Empty => String::new(),
        crate::tables::Cell::Int(i) => i.to_string(),
        crate::tables::Cell::Num(n) => n.to_string(),
        crate::tables::Cell::Text(t) => t.clone(),
    }
}

/// A file-name-safe id: lowercase ASCII letters and digits, `-` between.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        let c = match c {
            'ä' | 'å' => 'a',
            'ö' => 'o',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Writes every output's generated main source and every project file the
/// compiles read (style files, bibliography, images, fonts) under `dir`,
/// keeping their paths, so the Typst compiles standalone with `--root dir`.
fn emit_typst(root: &Path, dir: &Path, built: &[Built], shared: &Arc<Shared>) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let dir = root.join(dir);
    let copy = |rel: &Path| -> anyhow::Result<()> {
        let target = dir.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("failed to create {}", parent.display()))?;
        }
        std::fs::copy(root.join(rel), &target).with_context(|| format!("failed to copy {}", rel.display()))?;
        Ok(())
    };
    for b in built {
        let rel = b.main_vpath.trim_start_matches('/');
        let target = dir.join(rel);
        std::fs::create_dir_all(target.parent().expect("main files live in templates/"))
            .context("failed to create the emit folder")?;
        write_atomic(&target, b.main_text.as_bytes())?;
    }
    // What the compiles read, as the project's file loader recorded it.
    for rel in shared.files.loader().accessed() {
        copy(&rel)?;
    }
    if root.join("report/fonts").is_dir() {
        for entry in std::fs::read_dir(root.join("report/fonts"))?.flatten() {
            copy(&Path::new("report/fonts").join(entry.file_name()))?;
        }
    }
    Ok(())
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
}

/// Reads the `<kooste-numbers>` metadata: pairs of label and number.
fn heading_numbers(doc: &typst_layout::PagedDocument) -> BTreeMap<String, String> {
    use typst::foundations::{Label, Value as TypstValue};
    use typst::introspection::{Introspector as _, MetadataElem};
    let Some(label) = Label::new(typst::utils::PicoStr::intern("kooste-numbers")) else { return BTreeMap::new() };
    let Ok(content) = doc.introspector().query_label(label) else { return BTreeMap::new() };
    let Some(meta) = content.to_packed::<MetadataElem>() else { return BTreeMap::new() };
    let TypstValue::Array(pairs) = &meta.value else { return BTreeMap::new() };
    pairs
        .iter()
        .filter_map(|pair| match pair {
            TypstValue::Array(kv) if kv.len() == 2 => match (kv.at(0, None).ok()?, kv.at(1, None).ok()?) {
                (TypstValue::Str(k), TypstValue::Str(v)) => Some((k.to_string(), v.to_string())),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Loads every input, renders and converts the Markdown, and checks labels
/// and citations across all documents.
pub fn prepare(project: &Project) -> (Prepared, Diagnostics) {
    let root = &project.root;
    let (sources, mut diags) = load_sources(root);
    let (tables, mut table_diags) = load_tables(root);
    diags.append(&mut table_diags);
    let (bibliography, mut bib_diags) = load_references(root);
    diags.append(&mut bib_diags);

    let tables = Arc::new(tables);
    let renderer = Renderer::new(root, tables.clone());
    let ctx = markdown_context(project, &sources);

    // Render and convert every document in parallel.
    let docs: Vec<&Document> = sources
        .chapters
        .iter()
        .map(|c| &c.doc)
        .chain(sources.cases.iter().map(|c| &c.doc))
        .chain(sources.recommendations.iter().map(|r| &r.doc))
        .chain(sources.brief.iter().map(|b| &b.doc))
        .chain(sources.abstracts.iter().map(|a| &a.doc))
        .collect();
    let results: Vec<Result<Fragment, Diagnostic>> =
        docs.par_iter().enumerate().map(|(i, doc)| convert_document(root, &renderer, &ctx, doc, i)).collect();
    let mut fragments = HashMap::new();
    // A dataset described in datasets.toml that failed to load has its own
    // error already; "unknown dataset" from a template would only repeat it.
    let described = std::fs::read_to_string(root.join(crate::tables::DATASETS_PATH)).unwrap_or_default();
    let follow_on =
        |d: &Diagnostic| {
            d.message.split("unknown dataset `").nth(1).and_then(|rest| rest.split('`').next()).is_some_and(|name| {
                !tables.iter().any(|t| t.name == name) && described.contains(&format!("\"{name}\""))
            })
        };
    for result in results {
        match result {
            Ok(fragment) => {
                diags.extend(fragment.converted.diagnostics.iter().cloned());
                fragments.insert(fragment.path.clone(), fragment);
            }
            Err(diag) if follow_on(&diag) => {}
            Err(diag) => diags.push(diag),
        }
    }

    let prepared = Prepared { sources, tables, bibliography, renderer, fragments };
    // A case whose front matter failed has no label; references to case
    // labels would only repeat that error.
    let cases_failed = diags.iter().any(|d| d.is_error() && d.path.starts_with("report/cases"));
    check_labels(&prepared, cases_failed, &mut diags);
    check_datasets_used(root, &prepared, &mut diags);
    (prepared, diags)
}

/// Renders one Markdown document as a template and converts it to Typst.
fn convert_document(
    root: &Path,
    renderer: &Renderer,
    ctx: &Value,
    doc: &Document,
    index: usize,
) -> Result<Fragment, Diagnostic> {
    let rendered = renderer.render_markdown(&doc.path, &doc.body, ctx)?;
    let image_exists = |p: &str| {
        let rel = p.trim_start_matches('/');
        !rel.split('/').any(|s| s == "..") && root.join(rel).is_file()
    };
    let prefix = index.to_string();
    let options = ConvertOptions {
        path: &doc.path,
        source: &doc.text,
        line_map: &rendered.line_map,
        blocks: &rendered.blocks,
        label_prefix: &prefix,
        image_exists: &image_exists,
        missing_image: MissingImage::Error,
        resolve_citations: true,
    };
    let converted = to_typst(&rendered.text, &options);
    let typst = format!("{}\n{END_MARKER}\n", converted.typst);
    Ok(Fragment { path: doc.path.clone(), typst, converted, rendered })
}

/// Checks that every cross-reference names a label and every citation a
/// BibTeX entry, and that no label is defined twice.
fn check_labels(prepared: &Prepared, cases_failed: bool, diags: &mut Diagnostics) {
    let mut defined: BTreeMap<String, (PathBuf, std::ops::Range<usize>)> = BTreeMap::new();
    let mut define = |name: &str, path: &Path, range: std::ops::Range<usize>, diags: &mut Diagnostics| {
        if let Some((first, _)) = defined.get(name) {
            diags
                .push(Diagnostic::error(path, Some(range), format!("label `{name}` is defined twice")).with_hint(
                    format!("{} defines it already; labels must be unique in the project", first.display()),
                ));
        } else {
            defined.insert(name.to_string(), (path.to_path_buf(), range));
        }
    };
    let mut paths: Vec<&PathBuf> = prepared.fragments.keys().collect();
    paths.sort();
    for path in &paths {
        let fragment = &prepared.fragments[*path];
        for LabelUse { name, range } in &fragment.converted.defines {
            define(name, path, range.clone(), diags);
        }
        for name in &fragment.rendered.labels {
            define(name, path, 0..0, diags);
        }
    }
    for case in &prepared.sources.cases {
        define(&format!("sec-case-{}", case.front.id), &case.doc.path, 0..0, diags);
    }
    for rec in &prepared.sources.recommendations {
        define(&recommendation_label(&rec.front.id), &rec.doc.path, 0..0, diags);
    }

    let bib = &prepared.bibliography;
    for path in &paths {
        let fragment = &prepared.fragments[*path];
        for LabelUse { name, range } in &fragment.converted.references {
            if !defined.contains_key(name) && !(cases_failed && name.starts_with("sec-case-")) {
                let mut diag =
                    Diagnostic::error(*path, Some(range.clone()), format!("unknown cross-reference `@{name}`"));
                diag = match closest(name, defined.keys().map(String::as_str)) {
                    Some(similar) => diag.with_hint(format!("did you mean `@{similar}`?")),
                    None => diag.with_hint(
                        "labels come from {#sec-…} on headings, {#fig-…} on images and id=\"tbl-…\" in table()",
                    ),
                };
                diags.push(diag);
            }
        }
        for LabelUse { name, range } in &fragment.converted.citations {
            if !bib.contains(name) {
                let mut diag = Diagnostic::error(*path, Some(range.clone()), format!("unknown citation key `{name}`"));
                diag = match closest(name, bib.keys.keys().map(String::as_str)) {
                    Some(similar) => diag.with_hint(format!("did you mean `{similar}`? keys come from {BIB_PATH}")),
                    None => diag
                        .with_hint(format!("add an entry with this key to {BIB_PATH}, or write \\@ for a literal @")),
                };
                diags.push(diag);
            }
        }
    }
    // Entries nobody cites would print in no bibliography: say so.
    let cited: std::collections::BTreeSet<&str> = paths
        .iter()
        .flat_map(|p| prepared.fragments[*p].converted.citations.iter().map(|c| c.name.as_str()))
        .chain(prepared.sources.cases.iter().flat_map(|c| c.front.sources.iter().map(String::as_str)))
        .collect();
    if let Some(bib_path) = &bib.path {
        for (key, at) in &bib.keys {
            if !cited.contains(key.as_str()) {
                diags.push(
                    Diagnostic::warning(
                        bib_path,
                        Some(*at..*at + key.len()),
                        format!("reference `{key}` is never cited"),
                    )
                    .with_hint("cite it with [@key] or remove the entry"),
                );
            }
        }
    }
    for case in &prepared.sources.cases {
        for key in &case.front.sources {
            if !bib.contains(key) {
                let at = case.doc.text.find(key.as_str()).map(|i| i..i + key.len());
                diags.push(
                    Diagnostic::error(&case.doc.path, at, format!("unknown source key `{key}` in front matter"))
                        .with_hint(format!("keys come from {BIB_PATH}")),
                );
            }
        }
    }
}

/// What a final build refuses: every problem as an error at its place.
fn final_gates(project: &Project, prepared: &Prepared) -> Diagnostics {
    let mut diags = Vec::new();
    let mut paths: Vec<&PathBuf> = prepared.fragments.keys().collect();
    paths.sort();
    for path in &paths {
        for mark in &prepared.fragments[*path].converted.critic {
            diags.push(
                Diagnostic::error(*path, Some(mark.range.clone()), format!("a CriticMarkup {} remains", mark.name))
                    .with_hint("accept or reject the suggestion, or delete the note, before the final build"),
            );
        }
        for image in &prepared.fragments[*path].converted.images_without_alt {
            diags.push(
                Diagnostic::error(*path, Some(image.range.clone()), format!("image `{}` has no alt text", image.name))
                    .with_hint("give a caption or fig-alt=\"...\": PDF/UA needs a text alternative"),
            );
        }
        diags.extend(crate::charts::charts_without_alt(&prepared.fragments[*path].rendered, path, &project.root));
    }
    let datasets = std::fs::read_to_string(project.root.join(crate::tables::DATASETS_PATH)).unwrap_or_default();
    for table in prepared.tables.iter().filter(|t| t.illustrative) {
        let at = datasets.find(&format!("\"{}\"", table.name)).map(|i| i..i + table.name.len() + 2);
        diags.push(
            Diagnostic::error(crate::tables::DATASETS_PATH, at, format!("dataset `{}` is illustrative", table.name))
                .with_hint("replace it with real data (and set illustrative = false) or remove it and its tables before the final build"),
        );
    }
    let config_text = std::fs::read_to_string(project.root.join(CONFIG_PATH)).unwrap_or_default();
    diags.extend(project.config.sheet_gaps(&config_text, true));
    for lang in ["fi", "sv", "en"] {
        if !prepared.sources.abstracts.iter().any(|a| a.lang == lang) {
            diags.push(
                Diagnostic::error(
                    format!("report/abstracts/{lang}.md"),
                    None,
                    format!("the {lang} abstract is missing"),
                )
                .with_hint("the description sheets need abstracts in Finnish, Swedish and English"),
            );
        }
    }
    diags
}

/// In a draft, notes are welcome; images without alt text are worth a warning.
fn draft_notes(prepared: &Prepared) -> Diagnostics {
    let mut diags = Vec::new();
    for fragment in prepared.fragments.values() {
        for image in &fragment.converted.images_without_alt {
            diags.push(
                Diagnostic::warning(
                    &fragment.path,
                    Some(image.range.clone()),
                    format!("image `{}` has no alt text", image.name),
                )
                .with_hint("a final build refuses it"),
            );
        }
    }
    diags
}

/// Warns about datasets no Markdown source or template mentions (by
/// `"name"` in a function call or `data.name`): described but never shown.
fn check_datasets_used(root: &Path, prepared: &Prepared, diags: &mut Diagnostics) {
    let mut texts: Vec<String> =
        prepared.fragments.values().map(|f| std::fs::read_to_string(root.join(&f.path)).unwrap_or_default()).collect();
    if let Ok(entries) = std::fs::read_dir(root.join(TEMPLATES_DIR)) {
        texts.extend(entries.flatten().filter_map(|e| std::fs::read_to_string(e.path()).ok()));
    }
    let datasets = std::fs::read_to_string(root.join(crate::tables::DATASETS_PATH)).unwrap_or_default();
    for table in prepared.tables.iter() {
        let quoted = format!("\"{}\"", table.name);
        let dotted = format!("data.{}", table.name);
        let bracketed = format!("data[{quoted}]");
        let used = texts.iter().any(|t| t.contains(&quoted) || t.contains(&bracketed) || t.contains(&dotted));
        if !used {
            let at = datasets.find(&quoted).map(|i| i..i + quoted.len());
            diags.push(
                Diagnostic::warning(
                    crate::tables::DATASETS_PATH,
                    at,
                    format!("dataset `{}` is never used", table.name),
                )
                .with_hint("show it with table() or chart(), or remove it from datasets.toml"),
            );
        }
    }
}

/// The label of a recommendation: `rec-s1` for id `S1`.
pub fn recommendation_label(id: &str) -> String {
    format!("rec-{}", id.to_lowercase())
}

/// The candidate closest to `name` by edit distance, if close enough.
fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (similar::TextDiff::from_chars(name, c).ratio(), c))
        .filter(|(r, _)| *r >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Context for Markdown templates: config, cases and recommendations (front
/// matter only; `data` is a global).
fn markdown_context(project: &Project, sources: &Sources) -> Value {
    let cases: Vec<Value> = sources
        .cases
        .iter()
        .map(|c| merge(Value::from_serialize(&c.front), [("label", Value::from(format!("sec-case-{}", c.front.id)))]))
        .collect();
    let recs: Vec<Value> = sources
        .recommendations
        .iter()
        .map(|r| merge(Value::from_serialize(&r.front), [("label", Value::from(recommendation_label(&r.front.id)))]))
        .collect();
    Value::from_serialize(BTreeMap::from([
        ("config", Value::from_serialize(&project.config)),
        ("cases", Value::from(cases)),
        ("recommendations", Value::from(recs)),
    ]))
}

/// A map value with extra entries.
fn merge<const N: usize>(value: Value, extra: [(&str, Value); N]) -> Value {
    let mut map: BTreeMap<String, Value> = BTreeMap::new();
    if let Ok(iter) = value.try_iter() {
        for key in iter {
            if let Ok(v) = value.get_item(&key) {
                map.insert(key.to_string(), v);
            }
        }
    }
    for (k, v) in extra {
        map.insert(k.to_string(), v);
    }
    Value::from_serialize(map)
}

/// Context for output templates.
fn output_context(project: &Project, prepared: &Prepared) -> Value {
    let typst_of = |path: &Path| fragment_typst(prepared, path);
    let chapters: Vec<Value> = prepared
        .sources
        .chapters
        .iter()
        .map(|c| {
            Value::from_serialize(BTreeMap::from([
                ("path", Value::from(c.doc.path.display().to_string())),
                ("typst", typst_of(&c.doc.path)),
                (
                    "include",
                    match c.front.include {
                        Some(Include::Cases) => Value::from("cases"),
                        Some(Include::Recommendations) => Value::from("recommendations"),
                        None => Value::from(()),
                    },
                ),
                ("appendix", Value::from(c.front.appendix)),
                (
                    "title",
                    Value::from(
                        prepared
                            .fragments
                            .get(&c.doc.path)
                            .and_then(|f| f.converted.headings.first().cloned())
                            .unwrap_or_default(),
                    ),
                ),
            ]))
        })
        .collect();
    let cases: Vec<Value> = prepared.sources.cases.iter().map(|c| case_value(c, prepared)).collect();
    let recs: Vec<Value> = prepared.sources.recommendations.iter().map(|r| recommendation_value(r, prepared)).collect();
    let brief = prepared
        .sources
        .brief
        .as_ref()
        .map(|b| merge(Value::from_serialize(&b.front), [("typst", typst_of(&b.doc.path))]))
        .unwrap_or(Value::from(()));
    let abstracts: BTreeMap<String, Value> = prepared
        .sources
        .abstracts
        .iter()
        .map(|a| (a.lang.clone(), merge(Value::from_serialize(&a.front), [("typst", typst_of(&a.doc.path))])))
        .collect();
    let (y, m, d) = project.config.ymd();
    let bibliography = prepared
        .bibliography
        .path
        .as_ref()
        .map(|p| Value::from(format!("/{}", p.display())))
        .unwrap_or(Value::from(()));
    Value::from_serialize(BTreeMap::from([
        ("config", Value::from_serialize(&project.config)),
        ("chapters", Value::from(chapters)),
        ("cases", Value::from(cases)),
        ("recommendations", Value::from(recs)),
        ("brief", brief),
        ("abstracts", Value::from_serialize(abstracts)),
        ("bibliography", bibliography),
        (
            "published",
            Value::from_serialize(BTreeMap::from([
                ("year", Value::from(y)),
                ("month", Value::from(m)),
                ("day", Value::from(d)),
                ("fi", Value::from(format!("{d}.{m}.{y}"))),
            ])),
        ),
    ]))
}

/// The day a build runs: SOURCE_DATE_EPOCH if set, else today (UTC).
fn build_date() -> Datetime {
    let ts = source_date_epoch().unwrap_or_else(|| chrono::Utc::now().timestamp());
    crate::compile::datetime_from_epoch(ts)
        .and_then(|d| Datetime::from_ymd(d.year()?, d.month()?, d.day()?))
        .unwrap_or_else(|| Datetime::from_ymd(1970, 1, 1).expect("constant date"))
}

/// A case study for templates: front matter, label and converted text.
fn case_value(case: &crate::chapters::Case, prepared: &Prepared) -> Value {
    merge(
        Value::from_serialize(&case.front),
        [
            ("label", Value::from(format!("sec-case-{}", case.front.id))),
            ("typst", fragment_typst(prepared, &case.doc.path)),
            ("marker", source_marker(&case.doc, "name")),
        ],
    )
}

/// A recommendation for templates: front matter, label and converted text.
fn recommendation_value(rec: &crate::chapters::Recommendation, prepared: &Prepared) -> Value {
    merge(
        Value::from_serialize(&rec.front),
        [
            ("label", Value::from(recommendation_label(&rec.front.id))),
            ("typst", fragment_typst(prepared, &rec.doc.path)),
            ("marker", source_marker(&rec.doc, "title")),
        ],
    )
}

/// A `// source:` marker naming the front-matter line `key:` of `doc`, for
/// a template to write before the heading it makes from that field (so
/// Typst errors and layout faults there land on that line).
fn source_marker(doc: &Document, key: &str) -> Value {
    let line = doc.text.lines().position(|l| l.starts_with(&format!("{key}:"))).map_or(1, |i| i + 1);
    let path: String = doc.path.display().to_string().replace('\\', "/").chars().filter(|c| !c.is_control()).collect();
    Value::from_safe_string(format!("{}{path}:{line}", crate::compile::SOURCE_MARKER))
}

/// The converted Typst of a document, marked safe for templates.
fn fragment_typst(prepared: &Prepared, path: &Path) -> Value {
    Value::from_safe_string(prepared.fragments.get(path).map(|f| f.typst.clone()).unwrap_or_default())
}

/// The date typst sees: SOURCE_DATE_EPOCH if set, else the date in report.toml.
fn build_time(project: &Project) -> Time {
    if let Some(ts) = source_date_epoch()
        && let Ok(time) = Time::fixed_timestamp(ts)
    {
        return time;
    }
    Time::fixed(document_date(project)).expect("validated date")
}

fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()
}

/// For final builds without SOURCE_DATE_EPOCH, pins it to the last commit's
/// time, so a final build is reproducible from its commit. Call before any
/// thread is started.
pub fn pin_source_date(root: &Path) {
    if std::env::var_os("SOURCE_DATE_EPOCH").is_none()
        && let Some(t) = last_commit_time(root)
    {
        // SAFETY: called from main before the pipeline starts threads.
        unsafe { std::env::set_var("SOURCE_DATE_EPOCH", t.to_string()) };
    }
}

/// The document's date for PDF metadata.
fn document_date(project: &Project) -> Datetime {
    if let Some(d) = source_date_epoch().and_then(crate::compile::datetime_from_epoch) {
        return d;
    }
    let (y, m, d) = project.config.ymd();
    Datetime::from_ymd(y, m, d).unwrap_or_else(|| Datetime::from_ymd(1970, 1, 1).expect("constant date"))
}

/// Renders and compiles one output to PDF bytes. When the compile fails in
/// build mode, the generated Typst is written beside the PDF's path so the
/// positions in Typst's messages can be opened.
fn build_output(
    project: &Project,
    shared: &Arc<Shared>,
    job: &Job,
    source: String,
    out_dir: &Path,
    options: &RunOptions,
    previous: Option<typst::syntax::Source>,
) -> JobResult {
    let mode = options.mode;
    let started = Instant::now();
    let spec = &job.spec;
    let template_path = Path::new(TEMPLATES_DIR).join(&spec.template);
    let template_text = std::fs::read_to_string(project.root.join(&template_path)).unwrap_or_default();
    let world = ReportWorld::with_previous(shared.clone(), &main_vpath(spec), source, previous);
    let main = Some(world.main_source().clone());
    let origin = Origin { template_path: &template_path, template_text: &template_text };
    let (doc, mut diags) = compile_document(&world, &origin);
    let pdf_path = out_dir.join(&spec.file);
    let Some(doc) = doc else {
        if mode == Mode::Build {
            let _ = write_atomic(&pdf_path.with_extension("typ"), world.main_source().text().as_bytes());
        }
        return (None, diags, main);
    };
    // The layout preflight: stranded headings, captions apart, broken
    // short tables, hyphenated headings, blank pages, empty lists.
    diags.extend(crate::layout::preflight(&doc, &world, &origin, &spec.name, options.final_mode));
    let pages = page_count(&doc);
    if let Some(budget) = spec.page_budget
        && pages > budget
    {
        let at = std::fs::read_to_string(project.root.join(CONFIG_PATH))
            .ok()
            .and_then(|t| t.find("page-budget").map(|i| i..i + 11));
        diags.push(
            Diagnostic::error(
                CONFIG_PATH,
                at,
                format!(
                    "output `{}` has {pages} pages, {} over its page budget of {budget}",
                    spec.name,
                    pages - budget
                ),
            )
            .with_hint("shorten the text, or raise page-budget in report.toml"),
        );
        return (None, diags, main);
    }
    let standards = typst_pdf::PdfStandards::new(&spec.standards).unwrap_or_default();
    match export_pdf(&world, &doc, &spec.name, document_date(project), standards) {
        Ok(pdf) => {
            let report = OutputReport {
                name: spec.name.clone(),
                path: pdf_path,
                pages,
                bytes: pdf.len(),
                compile_time: started.elapsed(),
            };
            let built = Built {
                report,
                pdf,
                numbers: heading_numbers(&doc),
                main_vpath: main_vpath(spec),
                main_text: world.main_source().text().to_string(),
            };
            (Some(built), diags, main)
        }
        Err(mut errs) => {
            diags.append(&mut errs);
            (None, diags, main)
        }
    }
}
