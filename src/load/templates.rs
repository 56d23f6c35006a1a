//! `templates/` → [`Templates`]: the text of every template and style file
//! (minijinja output templates, the Typst files they import, CSL styles),
//! read once per run. The renderer, the dialect (which `kooste-…`
//! functions the templates define), the checks (which datasets a template
//! names) and the diagnostics of a compile (template lines) read them
//! from here. Vendored packages (`templates/packages/`) and files that
//! are not UTF-8 text (fonts, images) are the Typst world's to read.

use std::collections::BTreeMap;
use std::path::Path;

use super::tree::{Entry, walk};

/// The templates folder, relative to the project root.
pub const TEMPLATES_DIR: &str = "templates";
/// Where vendored Typst packages live: `templates/packages/<namespace>/<name>/<version>/`.
pub const PACKAGES_DIR: &str = "templates/packages";

/// The text files under `templates/`, by their path relative to it (`/`
/// separated: `report.typ.j2`, `partials/cover.typ.j2`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Templates {
    texts: BTreeMap<String, String>,
}

impl Templates {
    /// Reads the text files under `root/templates`.
    pub fn load(root: &Path) -> Templates {
        let texts = walk(root, &[TEMPLATES_DIR])
            .into_iter()
            .filter(|Entry { rel, is_dir, .. }| !is_dir && !rel.starts_with(PACKAGES_DIR))
            .filter_map(|entry| {
                let text = std::fs::read_to_string(root.join(&entry.rel)).ok()?;
                let name = entry.rel.strip_prefix(TEMPLATES_DIR).ok()?.to_str()?.replace('\\', "/");
                Some((name, text))
            })
            .collect();
        Templates { texts }
    }

    /// Templates from names and texts (tests, `kooste convert`).
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = (&'a str, &'a str)>) -> Templates {
        Templates { texts: texts.into_iter().map(|(n, t)| (n.to_string(), t.to_string())).collect() }
    }

    /// The text of `name` (relative to templates/).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.texts.get(name).map(String::as_str)
    }

    /// The files directly in templates/ (not in a subfolder), by name.
    pub fn top_level(&self) -> impl Iterator<Item = (&str, &str)> {
        self.texts.iter().filter(|(name, _)| !name.contains('/')).map(|(n, t)| (n.as_str(), t.as_str()))
    }
}
