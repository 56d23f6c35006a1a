//! The one place that prints: what a run produced ([`RunReport`]), and its
//! summary, progress line and `--json` form, through the one diagnostics
//! printer. Commands return exit codes; only this module writes to the
//! terminal (diagnostics through [`crate::diagnostics::emit`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::diagnostics::{self, Diagnostic, Diagnostics, Format, count, has_errors};
use crate::settings::Mode;

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
    /// A watch build found its inputs unchanged and kept the PDF on disk.
    pub reused: bool,
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
    /// In a layout run (`Mode::Layout`): each output's laid-out document.
    pub documents: Vec<LaidOut>,
}

/// One output laid out, with the generated main source its spans point into.
pub struct LaidOut {
    pub name: String,
    pub doc: typst_layout::PagedDocument,
    pub main: typst::syntax::Source,
}

impl std::fmt::Debug for LaidOut {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "LaidOut({}, {} pages)", self.name, self.doc.pages().len())
    }
}

/// The exit code of a failed run that found problems in the input.
pub const INPUT_ERRORS: u8 = 1;
/// The exit code of a run stopped by a usage or I/O error.
pub const FATAL: u8 = 2;

/// Prints an application error (a folder is missing, a file cannot be
/// written) with its hints; returns the exit code 2.
pub fn fatal(err: &anyhow::Error, hints: &[&str]) -> u8 {
    eprintln!("error: {err:#}");
    for hint in hints {
        eprintln!("  hint: {hint}");
    }
    FATAL
}

/// Prints problems found in the input.
pub fn problems(root: &Path, diags: &[Diagnostic], format: Format) {
    diagnostics::emit(root, diags, format);
}

/// On a terminal, says a build has started; CI logs get only the results.
pub fn progress(root: &Path, outputs: usize) {
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        eprintln!("building {outputs} output{} of {} …", plural(outputs), root.display());
    }
}

/// Prints the diagnostics and a summary of a build or check; returns the
/// exit code.
pub fn summary(root: &Path, format: Format, result: anyhow::Result<RunReport>, mode: Mode) -> u8 {
    let report = match result {
        Ok(report) => report,
        Err(err) => return fatal(&err, &[]),
    };
    diagnostics::emit(root, &report.diagnostics, format);
    if has_errors(&report.diagnostics) {
        let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
        eprintln!("{} found; no PDF was written", count(errors, "error"));
        return INPUT_ERRORS;
    }
    for out in &report.outputs {
        let path = out.path.strip_prefix(root).unwrap_or(&out.path);
        let verb = if mode == Mode::Build { "wrote" } else { "checked" };
        eprintln!(
            "{verb} {} ({}{} kB, {:.2} s)",
            path.display(),
            if out.pages == 0 { String::new() } else { format!("{}, ", count(out.pages, "page")) },
            out.bytes / 1024,
            out.compile_time.as_secs_f64()
        );
    }
    0
}

/// A watch build's result, and that the loop waits for the next change.
pub fn watch_result(root: &Path, format: Format, result: anyhow::Result<RunReport>, elapsed: Duration) {
    match result {
        Ok(report) => {
            diagnostics::emit(root, &report.diagnostics, format);
            if has_errors(&report.diagnostics) {
                eprintln!("build failed; the last good PDFs stay. Waiting for changes…");
            } else {
                for out in &report.outputs {
                    let path = out.path.strip_prefix(root).unwrap_or(&out.path);
                    let verb = if out.reused { "unchanged" } else { "wrote" };
                    let size =
                        if out.pages == 0 { format!("{} kB", out.bytes / 1024) } else { count(out.pages, "page") };
                    eprintln!("{verb} {} ({size})", path.display());
                }
                eprintln!("built in {:.2} s. Waiting for changes…", elapsed.as_secs_f64());
            }
        }
        Err(err) => eprintln!("error: {err:#}"),
    }
}

/// The `--json` summary on standard output: outputs, pages, bytes, timings
/// and problems.
pub fn json(root: &Path, result: &anyhow::Result<RunReport>) {
    let summary = match result {
        Ok(report) => {
            let problems: Vec<serde_json::Value> = report.diagnostics.iter().map(|d| problem_json(root, d)).collect();
            serde_json::json!({
                "ok": !has_errors(&report.diagnostics),
                "outputs": report.outputs.iter().map(|o| serde_json::json!({
                    "name": o.name,
                    "path": o.path.strip_prefix(root).unwrap_or(&o.path).display().to_string(),
                    "pages": o.pages,
                    "bytes": o.bytes,
                    "seconds": o.compile_time.as_secs_f64(),
                })).collect::<Vec<_>>(),
                "prepare_seconds": report.prepare_time.as_secs_f64(),
                "batch_recompiled": report.batch_recompiled,
                "errors": report.diagnostics.iter().filter(|d| d.is_error()).count(),
                "warnings": report.diagnostics.iter().filter(|d| !d.is_error()).count(),
                "problems": problems,
            })
        }
        Err(err) => serde_json::json!({ "ok": false, "outputs": [], "fatal": format!("{err:#}") }),
    };
    println!("{}", serde_json::to_string_pretty(&summary).expect("JSON values serialize"));
}

/// One problem in the JSON summary, with its line and column.
fn problem_json(root: &Path, d: &Diagnostic) -> serde_json::Value {
    let text = diagnostics::read_lossy(&root.join(&d.path));
    let (line, column) = diagnostics::line_col(&text, d.range.as_ref().map_or(0, |r| r.start));
    serde_json::json!({
        "severity": if d.is_error() { "error" } else { "warning" },
        "path": d.path.display().to_string(),
        "line": line,
        "column": column,
        "message": d.message,
        "hints": d.hints,
        "page": d.page,
    })
}

/// What `kooste diff` wrote, or why the changes PDF could not be built.
pub fn diff_result(root: &Path, format: Format, report: &RunReport, changes: usize, target: &Path) -> u8 {
    diagnostics::emit(root, &report.diagnostics, format);
    if has_errors(&report.diagnostics) {
        eprintln!("the changes PDF could not be built (paths above are in a temporary copy of the sources)");
        return INPUT_ERRORS;
    }
    let shown = target.strip_prefix(root).unwrap_or(target);
    eprintln!(
        "wrote {} ({changes} changed source{}; the list of changed sections follows the description sheets)",
        shown.display(),
        plural(changes)
    );
    0
}

/// What `kooste review` placed and listed; returns the exit code.
pub fn review_result(root: &Path, format: Format, review: &Reviewed, dry_run: bool) -> u8 {
    diagnostics::emit(root, review.diagnostics, format);
    let verb = if dry_run { "would change" } else { "changed" };
    eprintln!(
        "{} comment{} placed, {} listed; {verb} {} file{}",
        review.placed,
        plural(review.placed),
        review.listed,
        review.files,
        plural(review.files)
    );
    0
}

/// What a `kooste review` run did, for its summary line.
pub struct Reviewed<'a> {
    /// Every placement (notes) and every comment it could not place (warnings).
    pub diagnostics: &'a [Diagnostic],
    pub placed: usize,
    pub listed: usize,
    /// Markdown files changed (or that a dry run would change).
    pub files: usize,
}

/// What `kooste init` made.
pub fn initialised(dir: &Path) -> u8 {
    eprintln!("created a kooste project in {}", dir.display());
    eprintln!("  build it: cd {} && kooste build", dir.display());
    0
}

/// Typst for `kooste convert`, on standard output.
pub fn typst(text: &str) {
    print!("{text}");
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
