//! The citation pass applied to one output's generated Typst: its citations
//! and reference list formatted as text with the project's year-suffix
//! letters ([`citations::format`] with [`Prepared::works`]), and an error at
//! the .bib entry for every pair of works a reference list would still print
//! under one label, whoever formats them (kooste's pass, or typst with
//! `--typst-citations`).

use std::path::{Path, PathBuf};

use super::citations::{self, Collision, LabelCache};
use crate::convert::Prepared;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::bibliography::{BIB_PATH, Bibliography};
use crate::render::TEMPLATES_DIR;

/// `source`, a generated main file, with its citations and bibliography
/// formatted (with the run's letters, kept in `labels`), and an error for
/// each pair of works its reference list would still print under one label.
pub fn format_citations(
    read: &(dyn Fn(&Path) -> Option<String> + Sync),
    prepared: &Prepared,
    (labels, cache): (&LabelCache, &citations::Cache),
    html: bool,
    source: String,
    lang: &str,
    link: bool,
) -> (String, Diagnostics) {
    let bib = &prepared.bibliography;
    let Some(path) = &bib.path else { return (source, Vec::new()) };
    let options = citations::Options {
        lang,
        link,
        works: &prepared.works,
        labels: Some(labels),
        library_id: Some(bib.id),
        style_file: Some(&|name: &str| read_style(read, name)),
        cache,
        html,
    };
    let pass = citations::format(&source, &format!("/{}", path.display()), &bib.library, &options);
    let hint = "works of one author and year are lettered 2019a, 2019b, … after their year; \
                one without a year cannot be: give it its year, or remove a duplicate entry";
    (pass.text, pass.collisions.iter().map(|c| label_collision(bib, c, hint)).collect())
}

/// The text of the style file `name` a generated main file in templates/
/// names: relative to templates/, or to the project root with a leading
/// `/`, never outside the project (as the Typst world reads files).
fn read_style(read: &dyn Fn(&Path) -> Option<String>, name: &str) -> Option<String> {
    let rel = Path::new(name);
    if rel.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
        return None;
    }
    match name.strip_prefix('/') {
        Some(from_root) => read(Path::new(from_root)),
        None => read(&Path::new(TEMPLATES_DIR).join(rel)),
    }
}

/// A problem for each pair of works typst, formatting the citations of
/// `source` itself (`--typst-citations`), would list under one label: a
/// warning in a draft (the author cannot mend typst's lettering, only
/// build without the flag), an error in a final build.
pub fn typst_label_collisions(
    bib: &Bibliography,
    source: &str,
    lang: &str,
    cache: &citations::Cache,
    final_mode: bool,
) -> Diagnostics {
    let Some(path) = &bib.path else { return Vec::new() };
    let collisions = citations::typst_collisions(source, &format!("/{}", path.display()), &bib.library, lang, cache);
    let hint = "typst 0.15 (hayagriva 0.10.1) letters works of one author and year for at most three such \
                groups in a document (typst/hayagriva#507); build without --typst-citations and kooste \
                letters them all";
    collisions
        .iter()
        .map(|c| label_collision(bib, c, hint))
        .map(|d| if final_mode { d } else { Diagnostic::warning(d.path, d.range, d.message).with_hint(hint) })
        .collect()
}

/// The error for two works a reference list prints with one label, at the
/// entry of the one later in the .bib file, naming the earlier: the same
/// error whichever order an output's list puts them in, so that it is said
/// once.
fn label_collision(bib: &Bibliography, collision: &Collision, hint: &str) -> Diagnostic {
    let path = bib.path.clone().unwrap_or_else(|| PathBuf::from(BIB_PATH));
    let Collision { first, second, label } = collision;
    let offset = |key: &String| bib.keys.get(key).copied().unwrap_or(usize::MAX);
    let (first, second) = if offset(first) <= offset(second) { (first, second) } else { (second, first) };
    let at = bib.keys.get(second).map(|&at| at..at + second.len());
    let first_line = bib.lines.get(first).map_or(String::new(), |line| format!(" (line {line})"));
    Diagnostic::error(
        path,
        at,
        format!("`{second}` and `{first}`{first_line} print the same label in a reference list: {label}"),
    )
    .with_hint(hint.to_string())
}
