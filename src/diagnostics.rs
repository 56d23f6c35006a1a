//! Problems in the author's input, collected from every stage and printed
//! through one emitter.
//!
//! Every loader turns parser errors (TOML, YAML, CSV, BibTeX, minijinja,
//! Typst) into a [`Diagnostic`]: a path relative to the project root, a byte
//! range in that file, a message and hints. [`emit`] prints them with
//! codespan-reporting in the style of typst's own messages (with 1-based
//! columns, which typst-kit's printer does not give), so a CSV error looks
//! like a Typst error, and `--diagnostic-format short` gives
//! `path:line:col: error: message` lines.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;
use typst::diag::Severity as TypstSeverity;
use typst_kit::diagnostics::termcolor::{ColorChoice, StandardStream, WriteColor};

/// `n` and a noun that takes an `s` in the plural: "1 page", "3 pages".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// How bad a problem is: errors fail the run (exit 1), warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Error,
    Warning,
    /// Information, such as where `kooste review` placed a comment.
    Note,
}

/// One problem in the author's input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub severity: Severity,
    /// File relative to the project root, with `/` separators; empty when the
    /// problem belongs to no file.
    pub path: PathBuf,
    /// Byte range in that file; `None` points at the whole file.
    pub range: Option<Range<usize>>,
    pub message: String,
    pub hints: Vec<String>,
    /// The page of a compiled output the problem is on (layout faults).
    pub page: Option<usize>,
}

impl Diagnostic {
    /// An error at `range` in `path`.
    pub fn error(path: impl Into<PathBuf>, range: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Error, path: path.into(), range, message: message.into(), hints: vec![], page: None }
    }

    /// A warning at `range` in `path`.
    pub fn warning(path: impl Into<PathBuf>, range: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            path: path.into(),
            range,
            message: message.into(),
            hints: vec![],
            page: None,
        }
    }

    /// A note at `range` in `path`.
    pub fn note(path: impl Into<PathBuf>, range: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Note, path: path.into(), range, message: message.into(), hints: vec![], page: None }
    }

    /// Adds a hint line shown under the message.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Sets the page of a compiled output the problem is on.
    pub fn on_page(mut self, page: usize) -> Self {
        self.page = Some(page);
        self
    }

    /// Whether this is an error rather than a warning.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col` of the start of the range, read from `text` (the file's
    /// content); used by tests and by the JSON summary.
    pub fn location(&self, text: &str) -> String {
        let (line, col) = line_col(text, self.range.as_ref().map_or(0, |r| r.start));
        format!("{}:{line}:{col}", self.path.display())
    }
}

/// A list of problems from one or more stages, in the order they were found.
pub type Diagnostics = Vec<Diagnostic>;

/// Whether any of `diags` is an error.
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}

/// 1-based line and character column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

/// Byte offset of 1-based `line` and 1-based byte `column` in `text`, clamped
/// to the end of that line (so a column from a rewritten line stays inside it).
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    floor_char_boundary(text, (start + column.max(1) - 1).min(end))
}

/// The byte range of the whole line that holds `offset`, without its newline.
pub fn line_range(text: &str, offset: usize) -> Range<usize> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    start..end
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Which form diagnostics are printed in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source excerpts with the problem underlined, like rustc and typst.
    #[default]
    Human,
    /// One `path:line:col: severity: message` line per problem.
    Short,
}

/// Prints `diags` to standard error, resolving paths against `root`.
pub fn emit(root: &Path, diags: &[Diagnostic], format: Format) {
    let choice = if std::io::stderr().is_terminal() { ColorChoice::Auto } else { ColorChoice::Never };
    let mut stream = StandardStream::stderr(choice);
    emit_to(&mut stream, root, diags, format);
}

/// Writes `diags` to `dest`; the printer behind [`emit`], separate for tests.
///
/// Printed with codespan-reporting in the same style as typst's own
/// messages. typst-kit's `emit` would do, but it prints 0-based columns
/// (typst-kit 0.15.1), and editors expect `path:line:col` 1-based.
pub fn emit_to(dest: &mut dyn WriteColor, root: &Path, diags: &[Diagnostic], format: Format) {
    let mut files = SimpleFiles::new();
    let mut ids: HashMap<PathBuf, usize> = HashMap::new();
    let config = term::Config {
        tab_width: 2,
        display_style: match format {
            Format::Human => term::DisplayStyle::Rich,
            Format::Short => term::DisplayStyle::Short,
        },
        ..Default::default()
    };
    for d in diags {
        let mut out = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
            Severity::Note => CsDiagnostic::note(),
        }
        .with_notes(d.hints.iter().map(|h| format!("hint: {h}")).collect());
        let file = if d.path.as_os_str().is_empty() {
            None
        } else {
            Some(*ids.entry(d.path.clone()).or_insert_with(|| {
                files.add(d.path.display().to_string().replace('\\', "/"), read_lossy(&root.join(&d.path)))
            }))
        };
        match file {
            Some(id) => {
                let len = files.get(id).map_or(0, |f| f.source().len());
                let range = d.range.clone().unwrap_or(0..0);
                let start =
                    floor_char_boundary(files.get(id).map_or("", |f| f.source().as_str()), range.start.min(len));
                let end = floor_char_boundary(files.get(id).map_or("", |f| f.source().as_str()), range.end.min(len))
                    .max(start);
                out = out.with_message(d.message.clone()).with_labels(vec![Label::primary(id, start..end)]);
            }
            None => out = out.with_message(d.message.clone()),
        }
        if term::emit(dest, &config, &files, &out).is_err() {
            let _ = writeln!(dest, "{}: {}", d.path.display(), d.message);
        }
    }
}

/// A file's text for excerpts: every byte that is not valid UTF-8 (or is a
/// NUL) becomes one `?`, so byte offsets stay those of the file.
pub fn read_lossy(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&chunk.valid().replace('\0', "?"));
        out.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    out
}

/// Converts a typst severity to ours.
pub fn severity_of(s: TypstSeverity) -> Severity {
    match s {
        TypstSeverity::Error => Severity::Error,
        TypstSeverity::Warning => Severity::Warning,
    }
}

/// The candidate closest to `name` by edit distance, if close enough.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (similar::TextDiff::from_chars(name, c).ratio(), c))
        .filter(|(r, _)| *r >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\nää x\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 3));
        assert_eq!(line_col(text, 100), (3, 1));
    }

    #[test]
    fn offset_of_clamps_to_line() {
        let text = "abc\ndef\n";
        assert_eq!(offset_of(text, 2, 1), 4);
        assert_eq!(offset_of(text, 2, 99), 7);
        assert_eq!(offset_of(text, 9, 1), 8);
    }

    #[test]
    fn short_format_names_path_line_col() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "one\ntwo three\n").unwrap();
        let diag = Diagnostic::error("a.md", Some(8..13), "bad thing").with_hint("fix it");
        let mut out = typst_kit::diagnostics::termcolor::NoColor::new(Vec::new());
        emit_to(&mut out, dir.path(), &[diag], Format::Short);
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(text.contains("a.md:2:5: error: bad thing"), "{text}");
    }
}
