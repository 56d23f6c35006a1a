//! Compiling: generated Typst in a sandboxed [`world::ReportWorld`] →
//! `PagedDocument` (typst-layout) → PDF bytes (typst-pdf). The world's
//! stores live in the run's session between watch builds.
//!
//! Typst diagnostics whose span lies in the generated main source are mapped
//! back to the author's file: the converter writes a `// source: path:line`
//! comment before each block, so an error in converted Markdown lands on its
//! Markdown line; an error in the template's own code lands on the template
//! line (found by aligning the template with its output).

pub mod stamp;
pub mod world;

use std::path::{Path, PathBuf};

use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Datetime, Smart};
use typst::syntax::FileId;
use typst::{World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandards, Timestamp};

use crate::diagnostics::{Diagnostic, Diagnostics, severity_of};
use crate::source_map;
use world::{ReportWorld, project_path};

/// Where the generated main source came from, for mapping diagnostics.
pub struct Origin<'a> {
    /// The output template, relative to the root (e.g. `templates/report.typ.j2`).
    pub template_path: &'a Path,
    /// The template's text.
    pub template_text: &'a str,
}

/// Compiles the world's main source to a paged document; errors and
/// warnings come back mapped to the author's files.
pub fn compile_document(world: &ReportWorld, origin: &Origin) -> (Option<PagedDocument>, Diagnostics) {
    compile_to::<PagedDocument>(world, origin)
}

/// The notice typst attaches to every HTML compile (its HTML export is
/// young); kooste's HTML editions are tested on their own, so it is not
/// repeated to the author.
const HTML_NOTICE: &str = "html export is under active development and incomplete";

/// Compiles the world's main source to an HTML document.
pub fn compile_html(world: &ReportWorld, origin: &Origin) -> (Option<typst_html::HtmlDocument>, Diagnostics) {
    compile_to::<typst_html::HtmlDocument>(world, origin)
}

/// Compiles the world's main source to a document of kind `D`.
fn compile_to<D: typst::foundations::Output>(world: &ReportWorld, origin: &Origin) -> (Option<D>, Diagnostics) {
    // A bug in the compiler must not take the whole build down without a
    // word: it becomes an error like any other, and nothing is written.
    let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| typst::compile::<D>(world)));
    let Warned { output, warnings } = match compiled {
        Ok(warned) => warned,
        Err(payload) => return (None, vec![internal_error("compiling", origin.template_path, payload)]),
    };
    let mut diags: Diagnostics = warnings
        .iter()
        .filter(|w| !(w.span.is_detached() && w.message == HTML_NOTICE))
        .map(|w| map_diagnostic(world, origin, w))
        .collect();
    match output {
        Ok(doc) => (Some(doc), diags),
        Err(errors) => {
            diags.extend(errors.iter().map(|e| map_diagnostic(world, origin, e)));
            (None, diags)
        }
    }
}

/// Renders a document to PDF bytes.
pub fn export_pdf(
    world: &ReportWorld,
    doc: &PagedDocument,
    ident: &str,
    date: Datetime,
    standards: PdfStandards,
) -> Result<Vec<u8>, Diagnostics> {
    let options = pdf_options(ident, date, standards);
    let origin = Origin { template_path: Path::new(""), template_text: "" };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| typst_pdf::pdf(doc, &options))) {
        Ok(result) => result.map_err(|errors| errors.iter().map(|e| map_diagnostic(world, &origin, e)).collect()),
        Err(payload) => Err(vec![internal_error("exporting the PDF of", Path::new(""), payload)]),
    }
}

/// Serialises an HTML document.
pub fn export_html(world: &ReportWorld, doc: &typst_html::HtmlDocument) -> Result<String, Diagnostics> {
    let options = typst_html::HtmlOptions { pretty: false };
    let origin = Origin { template_path: Path::new(""), template_text: "" };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| typst_html::html(doc, &options))) {
        Ok(result) => result.map_err(|errors| errors.iter().map(|e| map_diagnostic(world, &origin, e)).collect()),
        Err(payload) => Err(vec![internal_error("writing the HTML of", Path::new(""), payload)]),
    }
}

/// An error for a panic inside typst, with what it said.
fn internal_error(doing: &str, template: &Path, payload: Box<dyn std::any::Any + Send>) -> Diagnostic {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    Diagnostic::error(
        template,
        None,
        format!("the Typst compiler failed while {doing} this output (internal error: {what})"),
    )
    .with_hint("this is a bug in typst, not in your text; the last good PDFs are untouched")
    .with_hint("try `kooste build --only NAME` to find the output, and simplify the last edit to find the construct")
}

/// The PDF options kooste exports with: a stable identifier per output, the
/// document date as timestamp, the requested standards, tagged.
pub fn pdf_options(ident: &str, date: Datetime, standards: PdfStandards) -> PdfOptions {
    PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        timestamp: Some(Timestamp::new_utc(date)),
        standards,
        tagged: true,
        ..PdfOptions::default()
    }
}

/// Converts one typst diagnostic, mapping spans in the generated source.
fn map_diagnostic(world: &ReportWorld, origin: &Origin, diag: &SourceDiagnostic) -> Diagnostic {
    let severity = severity_of(diag.severity);
    let mut message = diag.message.to_string();
    let mut hints: Vec<String> = diag.hints.iter().map(|h| h.v.to_string()).collect();
    let located = diag.span.id().and_then(|id| world.range(diag.span).map(|r| (id, r)));

    // Errors inside library calls often point into the standard library; the
    // trace has the call site in our sources.
    let located = located.or_else(|| {
        diag.trace.iter().rev().find_map(|t| {
            let id = t.span.id()?;
            world.range(t.span).map(|r| (id, r))
        })
    });

    if let Some(hint) = located.as_ref().and_then(|(id, range)| missing_font_hint(world, *id, range.clone())) {
        hints.push(hint);
    }
    let (path, range) = match located {
        Some((id, range)) => map_span(world, origin, id, range, &mut hints),
        None => (PathBuf::new(), None),
    };
    if path.as_os_str().is_empty()
        && let Some(id) = diag.span.id()
        && project_path(id).is_none()
    {
        message = format!("{message} (in package {:?})", id.root());
    }
    Diagnostic { severity, path, range, message, hints, page: None }
}

/// Where fonts come from, when the problem's place is a string naming a
/// font family the world does not have.
fn missing_font_hint(world: &ReportWorld, id: FileId, range: std::ops::Range<usize>) -> Option<String> {
    let source = world.source(id).ok()?;
    let text = source.text().get(range)?;
    let family = text.strip_prefix('"')?.strip_suffix('"')?;
    (!family.is_empty() && !world.book().contains_family(&family.to_lowercase())).then(|| {
        format!(
            "kooste has typst's embedded fonts and those in report/fonts/; put the files of `{family}` (.ttf, .otf) there"
        )
    })
}

/// Maps a range in file `id` to the author's file and range: through the
/// `// source:` markers in the generated main source, the template's lines
/// for template code, and as it is for other project files. A hint for
/// converted Markdown is pushed to `hints`.
pub fn map_span(
    world: &ReportWorld,
    origin: &Origin,
    id: FileId,
    range: std::ops::Range<usize>,
    hints: &mut Vec<String>,
) -> (PathBuf, Option<std::ops::Range<usize>>) {
    if id != world.main() {
        return match project_path(id) {
            Some(path) => (path, Some(range)),
            None => (PathBuf::new(), None),
        };
    }
    let text = world.main_source().text();
    let template = (!origin.template_text.is_empty()).then_some((origin.template_path, origin.template_text));
    let read = |path: &Path| world.shared().read_text(path).unwrap_or_default();
    match source_map::locate(text, range.start, template, read) {
        Some(place) => {
            if place.from_markdown {
                hints.push("in the Typst generated from this Markdown; a failed `kooste build` keeps it beside the output's file, with the extension .typ".into());
            }
            (place.path, Some(place.range))
        }
        None => (PathBuf::new(), None),
    }
}

/// Number of pages of a document.
pub fn page_count(doc: &PagedDocument) -> usize {
    doc.pages().len()
}
