//! `report/references.bib` → the set of citation keys and the parsed
//! entries (which `citations` formats).
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

/// Where the bibliography lives, relative to the project root.
pub const BIB_PATH: &str = "report/references.bib";

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
}

impl Bibliography {
    /// Whether `key` names an entry.
    pub fn contains(&self, key: &str) -> bool {
        self.keys.contains_key(key)
    }
}

/// Loads report/references.bib, if the project has one.
pub fn load_references(root: &Path) -> (Bibliography, Diagnostics) {
    let rel = Path::new(BIB_PATH);
    let Ok(bytes) = std::fs::read(root.join(rel)) else {
        return (Bibliography::default(), Vec::new());
    };
    let text = match decode_text(rel, bytes) {
        Ok(text) => text,
        Err(diag) => return (Bibliography::default(), vec![*diag]),
    };
    match parse(&text) {
        Ok((keys, library)) => {
            let lines = keys.iter().map(|(key, &at)| (key.clone(), line_col(&text, at).0)).collect();
            let id = typst::utils::hash128(&text);
            (Bibliography { path: Some(rel.to_path_buf()), keys, lines, library: Arc::new(library), id }, Vec::new())
        }
        Err(errors) => {
            let diags =
                errors.into_iter().map(|(range, message)| Diagnostic::error(rel, Some(range), message)).collect();
            (Bibliography::default(), diags)
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
                BibLaTeXError::Parse(e) => (e.span.clone(), format!("BibTeX: {}", e.kind)),
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
}
