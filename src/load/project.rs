//! The project root and `report/report.toml`, read into a validated
//! [`Project`].
//!
//! The configuration is strict: an unknown key, a wrong type or a missing
//! required field is a [`Diagnostic`] with the position in report.toml.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::meta::Meta;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// Where the configuration lives, relative to the project root.
pub const CONFIG_PATH: &str = "report/report.toml";

/// A project ready for loading: its root folder and its configuration.
#[derive(Debug, Clone)]
pub struct Project {
    /// Absolute, canonical project root.
    pub root: PathBuf,
    pub config: Config,
}

/// `report/report.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    pub title: String,
    #[serde(default)]
    pub subtitle: String,
    /// Publication date, `YYYY-MM-DD`; also the document date when
    /// SOURCE_DATE_EPOCH is not set.
    pub date: toml::value::Datetime,
    /// Document language, an ISO 639-1 code such as `fi`.
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default, rename = "author")]
    pub authors: Vec<Author>,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Who commissioned the study.
    #[serde(default)]
    pub commissioner: String,
    #[serde(default)]
    pub publisher: String,
    /// The place of publication, printed with the publisher and year in
    /// the colophon ("Helsinki").
    #[serde(default)]
    pub place: String,
    /// The report's series, its identifiers and the publication's terms.
    #[serde(default)]
    pub series: Series,
    /// The policy brief's own series (a brief is not a number of the
    /// report's series): name, number and its own ISSN.
    #[serde(default)]
    pub brief_series: Option<Series>,
    /// Contact details printed in the brief.
    #[serde(default)]
    pub contact: String,
    /// The description sheet's further fields and the Swedish and English
    /// names of everything above that is in Finnish.
    #[serde(default)]
    pub meta: Meta,
    /// Make each in-text citation a link to its bibliography entry (as
    /// Pandoc's `link-citations`). Off by default: in typst 0.15 links to
    /// labels are expensive (the study's report: 1.3 s with, 0.9 s without).
    #[serde(default)]
    pub link_citations: bool,
    /// How cross-references print (`[crossref]`).
    #[serde(default)]
    pub crossref: Crossref,
    /// The environment variables `{{< env NAME >}}` may read (Quarto reads
    /// any; kooste only these, so a build cannot leak the rest).
    #[serde(default)]
    pub environment: Vec<String>,
    /// Any further fields templates may use (`config.extra.x`).
    #[serde(default)]
    pub extra: toml::Table,
    #[serde(rename = "output")]
    pub outputs: Vec<OutputSpec>,
    /// Where each key of report.toml stands, for diagnostics.
    #[serde(skip)]
    pub spans: Spans,
}

/// The document languages kooste has its texts for (quotes, callout
/// titles, the reference list's heading, description sheets).
pub const LANGUAGES: &[&str] = &["fi", "sv", "en"];

fn default_language() -> String {
    "fi".into()
}

/// One author with an optional affiliation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Author {
    pub name: String,
    #[serde(default)]
    pub affiliation: String,
}

/// `[crossref]`: how `@fig-x`, `@tbl-x`, `@sec-x`, `@eq-x` print.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Crossref {
    /// Quarto's reading (the default): `@fig-x` prints the kind's prefix
    /// and the number ("Kuvio 3.1"), `[-@fig-x]` the number alone, `@Fig-x`
    /// the prefix capitalised. `false`: every reference prints the number
    /// alone, for texts that inflect the noun themselves ("Taulukossa
    /// @tbl-x", "luvun @sec-x"), as Finnish and Swedish prose does.
    #[serde(default = "yes")]
    pub prefix: bool,
}

impl Default for Crossref {
    fn default() -> Self {
        Crossref { prefix: true }
    }
}

fn yes() -> bool {
    true
}

/// The publication series and its identifiers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Series {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub number: String,
    /// ISBN of the PDF.
    #[serde(default)]
    pub isbn: String,
    /// ISSN of the series in PDF.
    #[serde(default)]
    pub issn: String,
    /// ISBN of a printed edition (empty: no print).
    #[serde(default)]
    pub isbn_print: String,
    /// ISSN of the printed series (empty: no print).
    #[serde(default)]
    pub issn_print: String,
    /// The URN of the PDF (its permanent address).
    #[serde(default)]
    pub urn: String,
    /// The web edition's address, once published: the description sheets
    /// of the PDF link to it.
    #[serde(default)]
    pub web: String,
    /// The licence the publication is under, as its short name
    /// (`CC BY 4.0`); the colophon names it in full and links to it.
    #[serde(default)]
    pub licence: String,
    /// Who laid the publication out (the colophon's layout credit).
    #[serde(default)]
    pub layout: String,
    /// The series' standard disclaimer, in the document's language.
    #[serde(default)]
    pub disclaimer: String,
}

/// What an output is published as: the backend that builds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Paged: compiled by typst and exported by typst-pdf.
    #[default]
    Pdf,
    /// A web page: compiled by typst's HTML export into one file that
    /// holds its stylesheet, images and charts.
    Html,
}

impl Format {
    /// The names a Quarto `when-format` (or `unless-format`) may give it.
    pub fn quarto_names(self) -> &'static [&'static str] {
        match self {
            Format::Pdf => &["pdf", "typst"],
            Format::Html => &["html", "html5", "html4"],
        }
    }

    /// The extension of its files.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Html => "html",
        }
    }
}

/// One document to build: a template rendered to Typst and compiled.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OutputSpec {
    /// Short name used by `--only`; for one item of a batch output, the
    /// output's name and the item's id (`cases/01-reglab`), as templates
    /// and the build stamp show it.
    pub name: String,
    /// What it is published as (`pdf`, the default).
    #[serde(default)]
    pub format: Format,
    /// Template file under `templates/`.
    pub template: String,
    /// PDF path relative to the output folder.
    pub file: String,
    /// PDF standards the output must conform to, e.g. `["ua-1", "a-2a"]`.
    #[serde(default)]
    pub standards: Vec<typst_pdf::PdfStandard>,
    /// Most pages the output may have; more fails the build.
    #[serde(default)]
    pub page_budget: Option<usize>,
    /// A batch output: the template is rendered once per item of
    /// `cases`, `recommendations` or `data.<dataset>` (one per row), with
    /// the item as `item`; `file` then contains `{id}`.
    #[serde(default)]
    pub each: Option<String>,
    /// Heading levels that get a PDF bookmark (1: chapters only).
    #[serde(default = "default_bookmark_depth")]
    pub bookmark_depth: u8,
    /// Its place among the `[[output]]` tables (0-based), for positions.
    #[serde(skip)]
    pub index: usize,
}

fn default_bookmark_depth() -> u8 {
    2
}

/// Where the values of report.toml stand: dotted paths such as
/// `publisher`, `series.isbn` or `output.2.page-budget` (the third
/// `[[output]]`) → byte ranges, from the toml parser's spans.
#[derive(Debug, Clone, Default)]
pub struct Spans(BTreeMap<String, Range<usize>>);

/// A value of any type, kept only for its span.
type At = toml::Spanned<serde::de::IgnoredAny>;

/// The tables whose keys [`Spans`] records below the top level.
#[derive(Deserialize)]
struct Nested {
    #[serde(default)]
    series: BTreeMap<String, At>,
    #[serde(default, rename = "brief-series")]
    brief_series: BTreeMap<String, At>,
    #[serde(default)]
    output: Vec<BTreeMap<String, At>>,
    #[serde(default)]
    meta: NestedMeta,
}

/// The keys of `[meta]` (its language tables among them).
#[derive(Deserialize)]
struct MetaKeys {
    #[serde(default)]
    meta: BTreeMap<String, At>,
}

/// `[meta]` and the language tables under it.
#[derive(Deserialize, Default)]
struct NestedMeta {
    #[serde(default)]
    sv: Option<toml::Spanned<BTreeMap<String, At>>>,
    #[serde(default)]
    en: Option<toml::Spanned<BTreeMap<String, At>>>,
}

impl Spans {
    /// The spans of the values in `text` (empty when it does not parse).
    pub fn parse(text: &str) -> Spans {
        let mut spans = BTreeMap::new();
        if let Ok(top) = toml::from_str::<BTreeMap<String, At>>(text) {
            spans.extend(top.into_iter().map(|(key, at)| (key, at.span())));
        }
        if let Ok(nested) = toml::from_str::<Nested>(text) {
            spans.extend(nested.series.into_iter().map(|(key, at)| (format!("series.{key}"), at.span())));
            spans.extend(nested.brief_series.into_iter().map(|(key, at)| (format!("brief-series.{key}"), at.span())));
            for (i, table) in nested.output.into_iter().enumerate() {
                spans.extend(table.into_iter().map(|(key, at)| (format!("output.{i}.{key}"), at.span())));
            }
            if let Ok(meta) = toml::from_str::<MetaKeys>(text) {
                spans.extend(meta.meta.into_iter().map(|(key, at)| (format!("meta.{key}"), at.span())));
            }
            for (lang, table) in [("sv", nested.meta.sv), ("en", nested.meta.en)] {
                let Some(table) = table else { continue };
                spans.insert(format!("meta.{lang}"), table.span());
                let table = table.into_inner();
                spans.extend(table.into_iter().map(|(key, at)| (format!("meta.{lang}.{key}"), at.span())));
            }
        }
        Spans(spans)
    }

    /// The range of the value at `path`.
    pub fn value(&self, path: &str) -> Option<Range<usize>> {
        self.0.get(path).cloned()
    }

    /// The range of `key`'s value in the `index`-th `[[output]]`.
    pub fn output(&self, index: usize, key: &str) -> Option<Range<usize>> {
        self.value(&format!("output.{index}.{key}"))
    }
}

impl Config {
    /// Parses and validates report.toml text; positions refer to `text`.
    pub fn parse(text: &str) -> Result<Config, Diagnostics> {
        let config: Config = toml::from_str(text).map_err(|err| {
            let mut diag = Diagnostic::error(CONFIG_PATH, err.span(), err.message().to_string());
            if err.message().contains("unknown field") {
                diag = diag.with_hint("see docs/authoring.md for the keys report.toml accepts");
            }
            vec![diag]
        })?;
        let mut config = config;
        config.spans = Spans::parse(text);
        for (index, out) in config.outputs.iter_mut().enumerate() {
            out.index = index;
        }
        let diags = config.validate();
        if diags.is_empty() { Ok(config) } else { Err(diags) }
    }

    /// Reads and parses report.toml under `root`.
    pub fn from_file(root: &Path) -> Result<Config, Diagnostics> {
        let path = root.join(CONFIG_PATH);
        let bytes = std::fs::read(&path).map_err(|err| {
            vec![
                Diagnostic::error(CONFIG_PATH, None, format!("cannot read the configuration ({err})"))
                    .with_hint("run kooste in a project folder, give --root, or create one with `kooste init`"),
            ]
        })?;
        let text = String::from_utf8(bytes).map_err(|err| {
            let at = err.utf8_error().valid_up_to();
            vec![Diagnostic::error(CONFIG_PATH, Some(at..at + 1), "report.toml is not valid UTF-8")]
        })?;
        Self::parse(&text)
    }

    fn validate(&self) -> Diagnostics {
        let mut diags = Vec::new();
        let spans = &self.spans;
        if self.outputs.is_empty() {
            diags.push(
                Diagnostic::error(CONFIG_PATH, None, "no outputs are defined")
                    .with_hint("add an [[output]] table with name, template and file"),
            );
        }
        let mut names = BTreeSet::new();
        for out in &self.outputs {
            if !names.insert(out.name.as_str()) {
                diags.push(Diagnostic::error(
                    CONFIG_PATH,
                    spans.output(out.index, "name"),
                    format!("output name `{}` is used twice", out.name),
                ));
            }
            diags.extend(self.validate_output(out));
        }
        for out in self.outputs.iter().filter(|o| !(1..=6).contains(&o.bookmark_depth)) {
            diags.push(Diagnostic::error(
                CONFIG_PATH,
                spans.output(out.index, "bookmark-depth"),
                format!("output `{}`: bookmark-depth must be 1 to 6 (heading levels)", out.name),
            ));
        }
        if !LANGUAGES.contains(&self.language.as_str()) {
            diags.push(
                Diagnostic::error(
                    CONFIG_PATH,
                    spans.value("language"),
                    format!("language `{}` is not one kooste writes", self.language),
                )
                .with_hint(format!("use one of {} (ISO 639-1)", LANGUAGES.join(", "))),
            );
        }
        if self.date.date.is_none() {
            diags.push(Diagnostic::error(
                CONFIG_PATH,
                spans.value("date"),
                "date must contain a calendar date (YYYY-MM-DD)",
            ));
        }
        diags
    }

    /// The problems of one `[[output]]`: its file, standards, collection
    /// and template name.
    fn validate_output(&self, out: &OutputSpec) -> Diagnostics {
        let mut diags = Vec::new();
        let spans = &self.spans;
        let extension = out.format.extension();
        if !out.file.ends_with(&format!(".{extension}"))
            || Path::new(&out.file).is_absolute()
            || out.file.contains("..")
        {
            diags.push(
                Diagnostic::error(
                    CONFIG_PATH,
                    spans.output(out.index, "file"),
                    format!("output file `{}` is not a relative .{extension} path", out.file),
                )
                .with_hint("write a path such as \"report.pdf\"; it is placed in the output folder"),
            );
        }
        if let Err(err) = typst_pdf::PdfStandards::new(&out.standards) {
            diags.push(Diagnostic::error(
                CONFIG_PATH,
                spans.output(out.index, "standards"),
                format!("output `{}`: {}", out.name, err.message()),
            ));
        }
        if let Some(each) = &out.each {
            let known = each == "cases"
                || each == "recommendations"
                || each.strip_prefix("data.").is_some_and(|d| !d.is_empty());
            if !known {
                diags.push(
                    Diagnostic::error(
                        CONFIG_PATH,
                        spans.output(out.index, "each"),
                        format!("output `{}`: each = \"{each}\" is not a collection", out.name),
                    )
                    .with_hint("use \"cases\", \"recommendations\" or \"data.<dataset>\""),
                );
            }
            if !out.file.contains("{id}") {
                diags.push(
                    Diagnostic::error(
                        CONFIG_PATH,
                        spans.output(out.index, "file"),
                        format!("output `{}` is built once per item, so its file needs `{{id}}`", out.name),
                    )
                    .with_hint("for example file = \"cases/{id}.pdf\""),
                );
            }
        }
        if out.template.contains("..") || Path::new(&out.template).is_absolute() {
            diags.push(Diagnostic::error(
                CONFIG_PATH,
                spans.output(out.index, "template"),
                format!("template `{}` must be a file name under templates/", out.template),
            ));
        }
        diags
    }

    /// The publication date as (year, month, day).
    pub fn ymd(&self) -> (i32, u8, u8) {
        let d = self.date.date.expect("validated in Config::parse");
        (i32::from(d.year), d.month, d.day)
    }
}

impl Project {
    /// Finds the project at `root` (or the current folder) and reads its
    /// configuration.
    pub fn load(root: Option<&Path>) -> Result<Project, ProjectError> {
        let root = match root {
            Some(root) => root.to_path_buf(),
            None => find_root(&std::env::current_dir().map_err(|e| ProjectError::Io(e.to_string()))?)
                .ok_or_else(|| ProjectError::Io("no report/report.toml here or in any parent folder".into()))?,
        };
        let root = root
            .canonicalize()
            .map_err(|e| ProjectError::Io(format!("cannot open project folder {} ({e})", root.display())))?;
        if !root.join(CONFIG_PATH).is_file() {
            return Err(ProjectError::Io(format!("{} has no {CONFIG_PATH}", root.display())));
        }
        let config = Config::from_file(&root).map_err(ProjectError::Input)?;
        Ok(Project { root, config })
    }
}

/// Why a project could not be opened.
#[derive(Debug)]
pub enum ProjectError {
    /// The folder or file could not be read (exit code 2).
    Io(String),
    /// report.toml has problems (exit code 1).
    Input(Diagnostics),
}

/// The nearest folder at or above `start` that holds report/report.toml.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|dir| dir.join(CONFIG_PATH).is_file()).map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
title = "Otsikko"
date = 2020-02-28
[[output]]
name = "report"
template = "report.typ.j2"
file = "report.pdf"
"#;

    #[test]
    fn minimal_config_gets_defaults() {
        let config = Config::parse(MINIMAL).unwrap();
        assert_eq!(config.language, "fi");
        assert_eq!(config.ymd(), (2020, 2, 28));
        assert!(config.authors.is_empty());
    }

    #[test]
    fn unknown_key_is_an_error_with_position() {
        let text = format!("titel = \"x\"\n{MINIMAL}");
        let diags = Config::parse(&text).unwrap_err();
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.contains("unknown field"), "{}", diags[0].message);
        assert_eq!(diags[0].range, Some(0..5));
    }

    #[test]
    fn positions_name_the_output_they_belong_to() {
        let text = format!("{MINIMAL}[[output]]\nname = \"brief\"\ntemplate = \"b.typ.j2\"\nfile = \"brief.doc\"\n");
        let diags = Config::parse(&text).unwrap_err();
        assert_eq!(diags.len(), 1, "{diags:?}");
        let at = diags[0].range.clone().unwrap();
        assert_eq!(&text[at], "\"brief.doc\"");
        let config = Config::parse(&format!("{MINIMAL}page-budget = 3\n")).unwrap();
        let at = config.spans.output(0, "page-budget").unwrap();
        assert_eq!(config.outputs[0].index, 0);
        assert_eq!(&format!("{MINIMAL}page-budget = 3\n")[at], "3");
    }

    #[test]
    fn duplicate_outputs_and_bad_files_are_errors() {
        let text = format!("{MINIMAL}[[output]]\nname = \"report\"\ntemplate = \"x\"\nfile = \"../x.doc\"\n");
        let diags = Config::parse(&text).unwrap_err();
        assert_eq!(diags.len(), 2, "{diags:?}");
    }
}
