//! Cross-document checks on the converted sources → diagnostics: every
//! cross-reference names a label and every citation a BibTeX entry, no label
//! is defined twice, every entry is cited and every dataset used. The gates
//! a final build (or a draft) applies are in [`gates`].

pub mod gates;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::convert::Prepared;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::bibliography::BIB_PATH;
use crate::load::datasets::DATASETS_PATH;
use crate::load::sources::{case_label, recommendation_label};
use crate::markdown::LabelUse;

/// Runs the cross-document checks over `prepared`.
pub fn cross_document(prepared: &Prepared, diags: &mut Diagnostics) {
    // A case whose front matter failed has no label; references to case
    // labels would only repeat that error.
    let cases_failed = diags.iter().any(|d| d.is_error() && d.path.starts_with("report/cases"));
    check_labels(prepared, cases_failed, diags);
    check_datasets_used(prepared, diags);
}

/// Checks that every cross-reference names a label and every citation a
/// BibTeX entry, and that no label is defined twice.
pub fn check_labels(prepared: &Prepared, cases_failed: bool, diags: &mut Diagnostics) {
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
        define(&case_label(&case.front.id), &case.doc.path, 0..0, diags);
    }
    for rec in &prepared.sources.recommendations {
        define(&recommendation_label(&rec.front.id), &rec.doc.path, 0..0, diags);
    }

    let bib = &prepared.bibliography;
    for path in &paths {
        let fragment = &prepared.fragments[*path];
        for LabelUse { name, range } in &fragment.converted.references {
            if !(defined.contains_key(name) || cases_failed && name.starts_with("sec-case-")) {
                let mut diag =
                    Diagnostic::error(*path, Some(range.clone()), format!("unknown cross-reference `@{name}`"));
                diag = match closest(name, defined.keys().map(String::as_str)) {
                    Some(similar) => diag.with_hint(format!("did you mean `@{similar}`?")),
                    None => diag.with_hint(
                        "labels come from {#sec-…} on headings, {#fig-…} on images, id=\"tbl-…\" in table() and <fig-…> in ```{=typst} blocks",
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
    let cited = prepared.cited_keys();
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

/// Warns about datasets no Markdown source or template mentions (by
/// `"name"` in a function call or `data.name`): described but never shown.
pub fn check_datasets_used(prepared: &Prepared, diags: &mut Diagnostics) {
    // Every document, also one whose template failed to render: the
    // datasets it names are used (its error says what is wrong).
    let mut texts: Vec<&str> = prepared.sources.documents().iter().map(|d| d.text.as_str()).collect();
    texts.extend(prepared.templates.top_level().map(|(_, text)| text));
    for table in prepared.tables.iter() {
        let quoted = format!("\"{}\"", table.name);
        let dotted = format!("data.{}", table.name);
        let bracketed = format!("data[{quoted}]");
        let used = texts.iter().any(|t| t.contains(&quoted) || t.contains(&bracketed) || t.contains(&dotted));
        if !used {
            let at = prepared.datasets.at(&table.name);
            diags.push(
                Diagnostic::warning(DATASETS_PATH, at, format!("dataset `{}` is never used", table.name))
                    .with_hint("show it with table() or chart(), or remove it from datasets.toml"),
            );
        }
    }
}

/// The candidate closest to `name` by edit distance, if close enough.
fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (similar::TextDiff::from_chars(name, c).ratio(), c))
        .filter(|(r, _)| *r >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
