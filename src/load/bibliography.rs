//! `report/references.bib` (or `.json`, `.yaml`, `.yml`: [`super::csl`])
//! → the set of citation keys and the parsed entries (which `citations`
//! formats).
//!
//! The file is parsed with hayagriva, the same BibTeX reader typst's
//! `bibliography` uses, so a file that loads here loads in the compile; its
//! errors come out with their positions in the .bib file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hayagriva::io::BibLaTeXError;

use crate::diagnostics::{Diagnostic, Diagnostics, line_col};
use crate::load::sources::decode_text;

/// Where the bibliography lives, relative to the project root: BibTeX or
/// BibLaTeX, or one of the formats after it.
pub const BIB_PATH: &str = "report/references.bib";

/// The bibliography files a project may have (one of them), as Pandoc and
/// Quarto read them: BibTeX/BibLaTeX, CSL-JSON, and YAML (CSL-YAML or
/// Hayagriva's, told apart by their shape).
pub const BIB_PATHS: &[&str] =
    &["report/references.bib", "report/references.json", "report/references.yaml", "report/references.yml"];

/// The loaded bibliography.
#[derive(Debug, Clone, Default)]
pub struct Bibliography {
    /// Path relative to the project root; `None` when the project has none.
    pub path: Option<PathBuf>,
    /// Every key, with the byte offset of its entry in the file.
    pub keys: BTreeMap<String, usize>,
    /// Every key, with the line of its entry.
    pub lines: BTreeMap<String, usize>,
    /// The entries, as hayagriva parsed them.
    pub library: Arc<hayagriva::Library>,
    /// A hash of the file's text, which names these entries across builds.
    pub id: u128,
    /// The file exists but did not parse (its errors are reported): which
    /// keys it has is unknown, so no citation is reported as unknown.
    pub broken: bool,
    /// Whether typst reads the file itself (BibTeX, Hayagriva YAML), as it
    /// does with `--typst-citations`; CSL-JSON and CSL-YAML only kooste reads.
    pub typst_reads: bool,
}

impl Bibliography {
    /// Whether `key` names an entry.
    pub fn contains(&self, key: &str) -> bool {
        self.keys.contains_key(key)
    }
}

/// Loads the project's bibliography (`report/references.bib`, `.json`,
/// `.yaml` or `.yml`), if it has one.
pub fn load_references(root: &Path) -> (Bibliography, Diagnostics) {
    let present: Vec<&str> = BIB_PATHS.iter().copied().filter(|p| root.join(p).is_file()).collect();
    let Some(&first) = present.first() else {
        return (Bibliography::default(), Vec::new());
    };
    let rel = Path::new(first);
    if let Some(second) = present.get(1) {
        let diag = Diagnostic::error(second, None, format!("a second bibliography beside {first}"))
            .with_hint("a project has one bibliography; merge the entries into one file and remove the other");
        return (Bibliography { broken: true, ..Bibliography::default() }, vec![diag]);
    }
    let Ok(bytes) = std::fs::read(root.join(rel)) else {
        return (Bibliography::default(), Vec::new());
    };
    let text = match decode_text(rel, bytes) {
        Ok(text) => text,
        Err(diag) => return (Bibliography::default(), vec![*diag]),
    };
    let parsed = match rel.extension().and_then(|e| e.to_str()) {
        Some("json") => super::csl::parse_json(&text).map(|(parsed, warnings)| (parsed, warnings, false)),
        Some("yaml" | "yml") => super::csl::parse_yaml(&text),
        _ => parse(&text).map(|parsed| (parsed, Vec::new(), true)),
    };
    match parsed {
        Ok(((keys, library), warnings, typst_reads)) => {
            let lines = keys.iter().map(|(key, &at)| (key.clone(), line_col(&text, at).0)).collect();
            let id = typst::utils::hash128(&text);
            let library = Arc::new(library);
            let diags =
                warnings.into_iter().map(|(range, message)| Diagnostic::warning(rel, Some(range), message)).collect();
            let bib =
                Bibliography { path: Some(rel.to_path_buf()), keys, lines, library, id, broken: false, typst_reads };
            (bib, diags)
        }
        Err(errors) => {
            let bibtex = rel.extension().is_some_and(|e| e == "bib");
            let diags = errors
                .into_iter()
                .map(|(range, message)| match unclosed_brace(&text, range.start).filter(|_| bibtex) {
                    Some(open) => Diagnostic::error(rel, Some(open..open + 1), "BibTeX: this `{` is never closed")
                        .with_hint(format!(
                            "close it with `}}`; the parser read on to line {}",
                            line_col(&text, range.start).0
                        )),
                    None => Diagnostic::error(rel, Some(range), message),
                })
                .take(if bibtex { 1 } else { 20 })
                .collect();
            (Bibliography { broken: true, ..Bibliography::default() }, diags)
        }
    }
}

/// Keys with the byte offsets of their entries, and the entries.
pub type Parsed = (BTreeMap<String, usize>, hayagriva::Library);

/// Parses BibTeX text into its keys (with their offsets) and its entries.
pub fn parse(text: &str) -> Result<Parsed, Vec<(std::ops::Range<usize>, String)>> {
    let library = hayagriva::io::from_biblatex_str(text).map_err(|errors| {
        errors
            .into_iter()
            .map(|err| match &err {
                BibLaTeXError::Parse(e) => (after_previous_token(text, e.span.clone()), format!("BibTeX: {}", e.kind)),
                BibLaTeXError::Type(e) => (e.span.clone(), format!("BibTeX: {}", e.kind)),
            })
            .collect::<Vec<_>>()
    })?;
    let keys = library
        .keys()
        .map(|key| {
            let at = text.find(&format!("{{{key},")).map_or(0, |i| i + 1);
            (key.to_string(), at)
        })
        .collect();
    Ok((keys, library))
}

/// A parse error's place: where something was expected is right after
/// the last thing written (a missing comma belongs at the end of its
/// line, not where the parser met the next field).
fn after_previous_token(text: &str, span: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let start = span.start.min(text.len());
    let before = text[..start].trim_end();
    if before.len() < start && text[before.len()..start].contains('\n') { before.len()..before.len() } else { span }
}

/// The `{` left open that explains a parse failure at `failed`, if one
/// does: in the entries up to the failure, a field whose braces are still
/// open where the next field (or the entry's closing `}` line) begins, or
/// an entry that never closes. The parser itself reports where it gave up,
/// often lines below.
fn unclosed_brace(text: &str, failed: usize) -> Option<usize> {
    let field_start = |line: &str| {
        let t = line.trim_start();
        let name_len = t.find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')).unwrap_or(t.len());
        name_len > 0 && t[name_len..].trim_start().starts_with('=')
    };
    let mut stack: Vec<usize> = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if pos > failed && stack.is_empty() {
            break;
        }
        let entry_start = line.starts_with('@');
        let at_field_level = entry_start || field_start(line) || line.trim() == "}";
        if at_field_level && !stack.is_empty() {
            // A new field or entry: only the entry's own brace may be open.
            let culprit = if entry_start { stack.last() } else { stack.get(1..).and_then(<[usize]>::last) };
            if let Some(&open) = culprit {
                return Some(open);
            }
        }
        if entry_start {
            stack.clear();
        }
        let mut escaped = false;
        for (i, c) in line.char_indices() {
            match c {
                '{' if !escaped => stack.push(pos + i),
                '}' if !escaped => {
                    stack.pop();
                }
                _ => {}
            }
            escaped = c == '\\' && !escaped;
        }
        pos += line.len();
    }
    // An entry that never closes.
    stack.first().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_errors() {
        let (keys, _) =
            parse("@online{tem2019, title = {X}, author = {{TEM}}, year = {2019}, url = {https://tem.fi}}\n").unwrap();
        assert_eq!(keys.get("tem2019"), Some(&8));
        let errors = parse("@online{x, title = {X}\n").unwrap_err();
        assert!(!errors.is_empty());
    }

    #[test]
    fn an_unclosed_brace_is_found_where_it_opens() {
        let text = "@book{a,\n  title = {Kirja,\n  year = {2019}\n}\n\n@book{b, title = {B}, year = {2020}}\n";
        let err = parse(text).unwrap_err();
        let (range, _) = &err[0];
        assert_eq!(unclosed_brace(text, range.start), Some(text.find("{Kirja").unwrap()), "{err:?}");
        // A missing comma is placed after the key, on its own line.
        let text = "@book{a\n  title = {Kirja},\n  year = {2019}\n}\n";
        let err = parse(text).unwrap_err();
        assert_eq!(err[0].0.start, "@book{a".len(), "{err:?}");
        assert_eq!(unclosed_brace(text, err[0].0.start), None);
        // An entry without its closing brace.
        let text = "@book{a,\n  title = {Kirja},\n\n@book{b, title = {B}}\n";
        assert_eq!(unclosed_brace(text, text.len()), Some(5));
    }
}
