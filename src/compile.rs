//! Generated Typst → `PagedDocument` (typst-layout) → PDF bytes (typst-pdf)
//! → a file written atomically.
//!
//! Typst diagnostics whose span lies in the generated main source are mapped
//! back to the author's file: the converter writes a `// source: path:line`
//! comment before each block, so an error in converted Markdown lands on its
//! Markdown line; an error in the template's own code lands on the template
//! line (found by aligning the template with its output).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Datetime, Smart};
use typst::syntax::FileId;
use typst::{World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandards, Timestamp};

use crate::diagnostics::{Diagnostic, Diagnostics, line_range, offset_of, severity_of};
use crate::world::{ReportWorld, project_path};

/// The comment the converter writes before each block.
pub const SOURCE_MARKER: &str = "// source: ";
/// The marker that ends a converted fragment: what follows is template code.
pub const END_MARKER: &str = "// source: end";

/// Where the generated main source came from, for mapping diagnostics.
pub struct Origin<'a> {
    /// The output template, relative to the root (e.g. `templates/report.typ.j2`).
    pub template_path: &'a Path,
    /// The template's text.
    pub template_text: &'a str,
}

/// Compiles the world's main source; errors and warnings come back mapped to
/// the author's files.
pub fn compile_document(world: &ReportWorld, origin: &Origin) -> (Option<PagedDocument>, Diagnostics) {
    // A bug in the compiler must not take the whole build down without a
    // word: it becomes an error like any other, and no PDF is written.
    let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| typst::compile::<PagedDocument>(world)));
    let Warned { output, warnings } = match compiled {
        Ok(warned) => warned,
        Err(payload) => return (None, vec![internal_error("compiling", origin.template_path, payload)]),
    };
    let mut diags: Diagnostics = warnings.iter().map(|w| map_diagnostic(world, origin, w)).collect();
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

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// flushed to disk, then renamed over the target. A failure leaves the
/// previous file as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    stage(path, bytes)?.commit()
}

/// Writes several files so that either all of them are replaced or none:
/// every temporary file is written and flushed first, and only then are
/// they renamed over their targets.
pub fn write_all_atomic(files: &[(&Path, &[u8])]) -> anyhow::Result<()> {
    // What would make a rename fail is checked before any rename happens.
    for (path, _) in files {
        if path.is_dir() {
            anyhow::bail!("failed to write {} (Is a directory)", path.display());
        }
    }
    let staged = files.iter().map(|(path, bytes)| stage(path, bytes)).collect::<anyhow::Result<Vec<_>>>()?;
    for file in staged {
        file.commit()?;
    }
    Ok(())
}

/// A file written in full beside its target, waiting to be renamed.
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
}

impl Staged {
    /// Renames the temporary file over the target.
    pub fn commit(self) -> anyhow::Result<()> {
        use anyhow::Context as _;
        let path = self.path;
        self.tmp.persist(&path).map_err(|e| e.error).with_context(|| format!("failed to write {}", path.display()))?;
        Ok(())
    }
}

/// Writes `bytes` to a flushed temporary file beside `path`.
fn stage(path: &Path, bytes: &[u8]) -> anyhow::Result<Staged> {
    use anyhow::Context as _;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create output folder {}", dir.display()))?;
    remove_stale_temporaries(dir);
    let mut tmp = tempfile::Builder::new()
        .prefix(TMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("failed to create a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes).with_context(|| format!("failed to write {}", path.display()))?;
    tmp.as_file().sync_all().with_context(|| format!("failed to write {}", path.display()))?;
    // Temporary files are private (0600); a deliverable is readable like
    // any file the user creates.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    Ok(Staged { tmp, path: path.to_path_buf() })
}

/// The prefix of kooste's temporary files.
const TMP_PREFIX: &str = ".kooste-";

/// Removes temporary files that a killed build left behind. Only old ones:
/// a build running at the same time may be writing a fresh one.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 600);
        if name.starts_with(TMP_PREFIX) && name.ends_with(".tmp") && old {
            let _ = std::fs::remove_file(entry.path());
        }
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
    match find_marker(text, range.start) {
        Some((path, line, delta)) => {
            let line = line + delta;
            let src = std::fs::read_to_string(world.shared().root.join(&path)).unwrap_or_default();
            let start = offset_of(&src, line, 1);
            let end = line_range(&src, start).end;
            hints.push("in the Typst generated from this Markdown; `kooste build` keeps it in out/<name>.typ when a build fails".into());
            (path, Some(start..end.max(start)))
        }
        None if !origin.template_text.is_empty() => {
            let (gen_line, _) = crate::diagnostics::line_col(text, range.start);
            let map = crate::render::line_map(origin.template_text, text);
            let line = if map.is_empty() { gen_line } else { map.get(gen_line - 1).copied().unwrap_or(1) };
            let start = offset_of(origin.template_text, line, 1);
            let end = line_range(origin.template_text, start).end;
            (origin.template_path.to_path_buf(), Some(start..end.max(start)))
        }
        None => (PathBuf::new(), None),
    }
}

/// The nearest `// source: path:line` marker above `offset` and how many
/// lines below it `offset` lies; `None` when the nearest marker is the end
/// marker (or there is none).
pub fn find_marker(text: &str, offset: usize) -> Option<(PathBuf, usize, usize)> {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let mut pos = before.len();
    loop {
        let found = before[..pos].rfind(SOURCE_MARKER)?;
        let line_start = before[..found].rfind('\n').map_or(0, |i| i + 1);
        // Only a marker at the start of a line counts.
        if before[line_start..found].trim().is_empty() {
            let line_end = text[found..].find('\n').map_or(text.len(), |i| found + i);
            let spec = &text[found + SOURCE_MARKER.len()..line_end];
            if spec.trim() == "end" {
                return None;
            }
            let (path, line) = spec.rsplit_once(':')?;
            let line: usize = line.trim().parse().ok()?;
            let delta = text[line_end.min(offset)..offset].matches('\n').count().saturating_sub(1);
            let delta = if offset > line_end { delta } else { 0 };
            return Some((PathBuf::from(path), line, delta));
        }
        pos = found;
    }
}

/// Number of pages of a document.
pub fn page_count(doc: &PagedDocument) -> usize {
    doc.pages().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_map_lines() {
        let text = "#set x\n// source: report/a.md:10\nline one\nline two\n// source: end\ntail";
        let at = text.find("line two").unwrap();
        assert_eq!(find_marker(text, at), Some((PathBuf::from("report/a.md"), 10, 1)));
        let at = text.find("line one").unwrap();
        assert_eq!(find_marker(text, at), Some((PathBuf::from("report/a.md"), 10, 0)));
        assert_eq!(find_marker(text, text.find("tail").unwrap()), None);
        assert_eq!(find_marker(text, 2), None);
    }
}
