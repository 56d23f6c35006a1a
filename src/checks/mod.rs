//! Cross-document checks on the converted sources → diagnostics: every
//! cross-reference names a label and every citation a BibTeX entry, no label
//! is defined twice, every entry is cited and every dataset used. The gates
//! a final build (or a draft) applies are in [`gates`].

pub mod gates;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::convert::Prepared;
use crate::diagnostics::{Diagnostic, Diagnostics, closest};
use crate::load::bibliography::BIB_PATH;
use crate::load::datasets::DATASETS_PATH;
use crate::load::sources::{case_label, recommendation_label};
use crate::markdown::LabelUse;

/// Runs the cross-document checks over `prepared`.
pub fn cross_document(prepared: &Prepared, diags: &mut Diagnostics) {
    // A case whose front matter failed has no label; references to case
    // labels would only repeat that error.
    let cases_failed = prepared.sources.failed.iter().any(|p| p.starts_with("report/cases"));
    check_labels(prepared, cases_failed, diags);
    check_datasets_used(prepared, diags);
    check_chapter_headings(prepared, diags);
}

/// Warns about a chapter with no level-1 heading: the report's structure
/// comes from them, so its text would run on under the previous chapter's
/// title.
pub fn check_chapter_headings(prepared: &Prepared, diags: &mut Diagnostics) {
    for chapter in &prepared.sources.chapters {
        let Some(fragment) = prepared.fragments.get(&chapter.doc.path) else { continue };
        if !fragment.converted.headings.is_empty() {
            continue;
        }
        // The first line of text after the front matter (the body keeps
        // the file's lines), as a range in the file.
        let body = &chapter.doc.body;
        let line = body[..body.len() - body.trim_start().len()].matches('\n').count() + 1;
        let start = crate::diagnostics::offset_of(&chapter.doc.text, line, 1);
        let end = crate::diagnostics::line_range(&chapter.doc.text, start).end;
        diags.push(
            Diagnostic::warning(
                &chapter.doc.path,
                Some(start..end),
                "this chapter has no level-1 heading: its text runs on under the previous chapter's title",
            )
            .with_hint("begin it with `# Title {#sec-id}`, or give it `title:` in its front matter as Quarto does"),
        );
    }
}

/// Checks that every cross-reference names a label and every citation a
/// BibTeX entry, and that no label is defined twice. What follows from an
/// error reported already is not reported again: citations when the
/// bibliography did not parse, cross-references and uncited entries when a
/// document failed to render (its labels and citations are unknown).
pub fn check_labels(prepared: &Prepared, cases_failed: bool, diags: &mut Diagnostics) {
    let defined = defined_labels(prepared, diags);
    let some_failed = !prepared.sources.failed.is_empty()
        || prepared.sources.documents().iter().any(|d| !prepared.fragments.contains_key(&d.path));
    let bib = &prepared.bibliography;
    let bib_path = bib.path.as_deref().map_or(BIB_PATH.to_string(), |p| p.display().to_string());
    // Headings' automatic identifiers, with the files that have each.
    let mut automatic: BTreeMap<&str, Vec<&Path>> = BTreeMap::new();
    for fragment in prepared.fragments_in_order() {
        for LabelUse { name, .. } in &fragment.converted.auto_defines {
            automatic.entry(name.as_str()).or_default().push(&fragment.path);
        }
    }
    // Labels of code cells' output, with the file of each.
    let mut cell_labels: BTreeMap<&str, &Path> = BTreeMap::new();
    for fragment in prepared.fragments_in_order() {
        for LabelUse { name, .. } in &fragment.converted.cell_labels {
            cell_labels.entry(name).or_insert(&fragment.path);
        }
    }
    for fragment in prepared.fragments_in_order() {
        let path = &fragment.path;
        for LabelUse { name, range } in &fragment.converted.references {
            let follows = some_failed || cases_failed && name.starts_with("sec-case-");
            if !defined.contains_key(name)
                && let Some(files) = automatic.get(name.as_str())
            {
                if files.len() > 1 {
                    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                    diags.push(
                        Diagnostic::error(path, Some(range.clone()), format!("`#{name}` names a heading in {} files", files.len()))
                            .with_hint(format!(
                                "headings titled alike in {} have the same identifier; give the one meant its own: `## Otsikko {{#sec-{name}}}`",
                                names.join(" and ")
                            )),
                    );
                }
                continue;
            }
            if !defined.contains_key(name) && !follows {
                let mut diag =
                    Diagnostic::error(path, Some(range.clone()), format!("unknown cross-reference `@{name}`"));
                let cell = cell_labels.get(name.as_str());
                diag = match closest(name, defined.keys().map(String::as_str)) {
                    _ if let Some(cell) = cell => diag.with_hint(format!(
                        "`{name}` labels the output of a code cell in {}, which kooste does not make (it runs no code): \
                         make it in the data pipeline and show it with chart() or table() under this label",
                        cell.display()
                    )),
                    Some(similar) => diag.with_hint(format!("did you mean `@{similar}`?")),
                    None => diag.with_hint(
                        "labels come from {#sec-…} on headings, {#fig-…} on images, id=\"tbl-…\" in table() and <fig-…> in ```{=typst} blocks",
                    ),
                };
                diags.push(diag);
            }
        }
        for LabelUse { name, range } in &fragment.converted.citations {
            if !bib.contains(name) && !bib.broken {
                let mut diag = Diagnostic::error(path, Some(range.clone()), format!("unknown citation key `{name}`"));
                diag = match closest(name, bib.keys.keys().map(String::as_str)) {
                    Some(similar) => diag.with_hint(format!("did you mean `{similar}`? keys come from {bib_path}")),
                    None => diag
                        .with_hint(format!("add an entry with this key to {bib_path}, or write \\@ for a literal @")),
                };
                diags.push(diag);
            }
        }
    }
    if !some_failed {
        check_uncited(prepared, diags);
    }
    for case in prepared.sources.cases.iter().filter(|_| !bib.broken) {
        for key in &case.front.sources {
            if !bib.contains(key) {
                let at = case.doc.text.find(key.as_str()).map(|i| i..i + key.len());
                diags.push(
                    Diagnostic::error(&case.doc.path, at, format!("unknown source key `{key}` in front matter"))
                        .with_hint(format!("keys come from {bib_path}")),
                );
            }
        }
    }
}

/// Every label the project defines, with where; an error for each defined
/// twice.
fn defined_labels(prepared: &Prepared, diags: &mut Diagnostics) -> BTreeMap<String, (PathBuf, Range<usize>)> {
    let mut defined: BTreeMap<String, (PathBuf, Range<usize>)> = BTreeMap::new();
    let mut define = |name: &str, path: &Path, range: Range<usize>, diags: &mut Diagnostics| {
        if let Some((first, _)) = defined.get(name) {
            diags
                .push(Diagnostic::error(path, Some(range), format!("label `{name}` is defined twice")).with_hint(
                    format!("{} defines it already; labels must be unique in the project", first.display()),
                ));
        } else {
            defined.insert(name.to_string(), (path.to_path_buf(), range));
        }
    };
    for fragment in prepared.fragments_in_order() {
        for LabelUse { name, range } in &fragment.converted.defines {
            define(name, &fragment.path, range.clone(), diags);
        }
        for name in &fragment.rendered.labels {
            define(name, &fragment.path, 0..0, diags);
        }
    }
    for case in &prepared.sources.cases {
        define(&case_label(&case.front.id), &case.doc.path, 0..0, diags);
    }
    for rec in &prepared.sources.recommendations {
        define(&recommendation_label(&rec.front.id), &rec.doc.path, 0..0, diags);
    }
    defined
}

/// Entries nobody cites would print in no bibliography: say so.
fn check_uncited(prepared: &Prepared, diags: &mut Diagnostics) {
    let cited = prepared.cited_keys();
    let bib = &prepared.bibliography;
    let Some(bib_path) = &bib.path else { return };
    for (key, at) in &bib.keys {
        if !cited.contains(key.as_str()) {
            diags.push(
                Diagnostic::warning(bib_path, Some(*at..*at + key.len()), format!("reference `{key}` is never cited"))
                    .with_hint("cite it with [@key] or remove the entry"),
            );
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
