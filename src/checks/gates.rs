//! What a final build refuses, and what a draft only warns about →
//! diagnostics at each place: CriticMarkup left in the text, images without
//! alt text, illustrative datasets, empty description-sheet fields, missing
//! abstracts, and outputs over their page budget.

use std::path::PathBuf;

use crate::convert::Prepared;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::datasets::DATASETS_PATH;
use crate::load::project::{CONFIG_PATH, OutputSpec, Project};

/// What a final build refuses: every problem as an error at its place.
pub fn final_gates(project: &Project, prepared: &Prepared) -> Diagnostics {
    let mut diags = Vec::new();
    let mut paths: Vec<&PathBuf> = prepared.fragments.keys().collect();
    paths.sort();
    for path in &paths {
        for mark in &prepared.fragments[*path].converted.critic {
            diags.push(
                Diagnostic::error(*path, Some(mark.range.clone()), format!("a CriticMarkup {} remains", mark.name))
                    .with_hint("accept or reject the suggestion, or delete the note, before the final build"),
            );
        }
        for image in &prepared.fragments[*path].converted.images_without_alt {
            diags.push(
                Diagnostic::error(*path, Some(image.range.clone()), format!("image `{}` has no alt text", image.name))
                    .with_hint("give a caption or fig-alt=\"...\": PDF/UA needs a text alternative"),
            );
        }
    }
    let datasets = std::fs::read_to_string(project.root.join(DATASETS_PATH)).unwrap_or_default();
    for table in prepared.tables.iter().filter(|t| t.illustrative) {
        let at = datasets.find(&format!("\"{}\"", table.name)).map(|i| i..i + table.name.len() + 2);
        diags.push(
            Diagnostic::error(DATASETS_PATH, at, format!("dataset `{}` is illustrative", table.name))
                .with_hint("replace it with real data (and set illustrative = false) or remove it and its tables before the final build"),
        );
    }
    let series = &project.config.series;
    for (key, value) in [
        ("name", &series.name),
        ("number", &series.number),
        ("isbn", &series.isbn),
        ("issn", &series.issn),
        ("urn", &series.urn),
        ("publisher", &project.config.publisher),
    ] {
        if value.trim().is_empty() {
            let path = if key == "publisher" { key.to_string() } else { format!("series.{key}") };
            let at = project.config.spans.value(&path);
            diags.push(
                Diagnostic::error(CONFIG_PATH, at, format!("description-sheet field `{key}` is empty"))
                    .with_hint("the description sheets of a final publication need every identifier"),
            );
        }
    }
    for lang in ["fi", "sv", "en"] {
        if !prepared.sources.abstracts.iter().any(|a| a.lang == lang) {
            diags.push(
                Diagnostic::error(
                    format!("report/abstracts/{lang}.md"),
                    None,
                    format!("the {lang} abstract is missing"),
                )
                .with_hint("the description sheets need abstracts in Finnish, Swedish and English"),
            );
        }
    }
    diags
}

/// In a draft, notes are welcome; images without alt text are worth a warning.
pub fn draft_notes(prepared: &Prepared) -> Diagnostics {
    let mut diags = Vec::new();
    for fragment in prepared.fragments.values() {
        for image in &fragment.converted.images_without_alt {
            diags.push(
                Diagnostic::warning(
                    &fragment.path,
                    Some(image.range.clone()),
                    format!("image `{}` has no alt text", image.name),
                )
                .with_hint("a final build refuses it"),
            );
        }
    }
    diags
}

/// An error when the output `spec` came out at `pages`, over its page budget.
pub fn page_budget(project: &Project, spec: &OutputSpec, pages: usize) -> Option<Diagnostic> {
    let budget = spec.page_budget?;
    if pages <= budget {
        return None;
    }
    let at = project.config.spans.output(spec.index, "page-budget");
    Some(
        Diagnostic::error(
            CONFIG_PATH,
            at,
            format!("output `{}` has {pages} pages, {} over its page budget of {budget}", spec.name, pages - budget),
        )
        .with_hint("shorten the text, or raise page-budget in report.toml"),
    )
}
