//! What a final build refuses, and what a draft only warns about →
//! diagnostics at each place: CriticMarkup left in the text, images without
//! alt text, charts without their author's alt text, illustrative datasets, empty description-sheet fields, placeholder
//! identifiers and example addresses (`load::identifiers`), missing
//! abstracts, and outputs over their page budget.

use std::path::{Path, PathBuf};

use crate::convert::Prepared;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::datasets::DATASETS_PATH;
use crate::load::project::{CONFIG_PATH, OutputSpec, Project};
use crate::render::RenderedMarkdown;

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
        let text = prepared.sources.documents().into_iter().find(|d| d.path == **path).map_or("", |d| d.text.as_str());
        diags.extend(charts_without_alt(&prepared.fragments[*path].rendered, path, text));
    }
    for table in prepared.tables.iter().filter(|t| t.illustrative) {
        let at = prepared.datasets.at(&table.name);
        diags.push(
            Diagnostic::error(DATASETS_PATH, at, format!("dataset `{}` is illustrative", table.name))
                .with_hint("replace it with real data (and set illustrative = false) or remove it and its tables before the final build"),
        );
    }
    diags.extend(project.config.sheet_gaps(true));
    diags.extend(project.config.identifier_faults(true));
    diags.extend(key_message_count(prepared, true));
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

/// In a draft, notes are welcome; images without alt text, description
/// sheets that fall back to Finnish and abstract titles the sheets do not
/// print are worth a warning.
pub fn draft_notes(project: &Project, prepared: &Prepared) -> Diagnostics {
    let mut diags = project.config.sheet_gaps(false);
    diags.extend(project.config.identifier_faults(false));
    diags.extend(key_message_count(prepared, false));
    diags.extend(
        project.config.abstract_titles(
            prepared
                .sources
                .abstracts
                .iter()
                .map(|a| (a.lang.as_str(), a.doc.path.as_path(), a.doc.text.as_str(), a.front.title.as_str())),
        ),
    );
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

/// The brief's key messages, when there are not 3 to 5: an error in a
/// final build, else a warning.
fn key_message_count(prepared: &Prepared, final_mode: bool) -> Option<Diagnostic> {
    let brief = prepared.sources.brief.as_ref()?;
    let count = brief.front.key_messages.len();
    if (3..=5).contains(&count) {
        return None;
    }
    let key = ["key_messages", "key-messages"].into_iter().find_map(|k| Some((brief.doc.text.find(k)?, k.len())));
    let message =
        format!("the brief has {}; a final brief has 3 to 5", crate::diagnostics::count(count, "key message"));
    let at = key.map(|(i, len)| i..i + len);
    let diag = if final_mode {
        Diagnostic::error(&brief.doc.path, at, message)
    } else {
        Diagnostic::warning(&brief.doc.path, at, message)
    };
    Some(diag.with_hint("keep the messages a reader must take away, one sentence each"))
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
            format!(
                "output `{}` has {}, {} over its page budget of {budget}",
                spec.name,
                crate::diagnostics::count(pages, "page"),
                pages - budget
            ),
        )
        .with_hint("shorten the text, or raise page-budget in report.toml"),
    )
}

/// A final build's errors for the charts of one rendered Markdown file
/// (`path`, whose text is `text`) whose alternative text was generated: at
/// the line of each `chart(...)` call.
fn charts_without_alt(rendered: &RenderedMarkdown, path: &Path, text: &str) -> Diagnostics {
    rendered
        .charts_without_alt
        .iter()
        .map(|&index| {
            let at = rendered.block_line(index).map(|line| {
                let start = crate::diagnostics::offset_of(text, line, 1);
                crate::diagnostics::line_range(text, start)
            });
            Diagnostic::error(path, at, "chart has no alt text of its own")
                .with_hint("write alt=\"…\" in chart(...): what the chart shows, in a sentence or two; the generated description is a draft's fallback")
        })
        .collect()
}

/// typst reads BibTeX and Hayagriva YAML only: with `--typst-citations`
/// a CSL bibliography is an error (kooste's own pass reads it).
pub fn typst_reads(bibliography: &crate::load::bibliography::Bibliography) -> Option<Diagnostic> {
    let path = bibliography.path.as_ref().filter(|_| !bibliography.typst_reads)?;
    Some(
        Diagnostic::error(path, None, "typst cannot read a CSL bibliography (--typst-citations)")
            .with_hint("build without --typst-citations (kooste formats CSL-JSON and CSL-YAML), or use BibTeX"),
    )
}
