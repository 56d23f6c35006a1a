//! The project root and `report/report.toml`, read into a validated
//! [`Project`].
//!
//! The configuration is strict: an unknown key, a wrong type or a missing
//! required field is a [`Diagnostic`] with the position in report.toml.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

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
    #[serde(default)]
    pub series: Series,
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
    /// Any further fields templates may use (`config.extra.x`).
    #[serde(default)]
    pub extra: toml::Table,
    #[serde(rename = "output")]
    pub outputs: Vec<OutputSpec>,
}

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
}

/// `[meta]`: the description sheet's fields that the top level lacks (VN
/// TEAS sheets), in Finnish, and `[meta.sv]`, `[meta.en]`: the Swedish and
/// English sheets' names, each field falling back to the Finnish one.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Meta {
    /// The theme of the research plan the study answers (teema).
    #[serde(default)]
    pub theme: String,
    /// The project or diary number (diaari-/hankenumero).
    #[serde(default)]
    pub project_number: String,
    /// Who distributes or sells the publication (julkaisun jakaja/myynti).
    #[serde(default)]
    pub distributor: String,
    #[serde(default)]
    pub sv: LangMeta,
    #[serde(default)]
    pub en: LangMeta,
}

/// One language's names of the publication's metadata; empty means "not
/// given" (the Finnish value prints, with a warning).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LangMeta {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub subtitle: String,
    #[serde(default)]
    pub publisher: String,
    /// The series' name.
    #[serde(default)]
    pub series: String,
    #[serde(default)]
    pub commissioner: String,
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub distributor: String,
}

/// One PDF to build: a template rendered to Typst and compiled.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OutputSpec {
    /// Short name used by `--only`.
    pub name: String,
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
}

fn default_bookmark_depth() -> u8 {
    2
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
        let diags = config.validate(text);
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

    fn validate(&self, text: &str) -> Diagnostics {
        let mut diags = Vec::new();
        let at = |needle: &str| text.find(needle).map(|i| i..i + needle.len());
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
                    at(&format!("\"{}\"", out.name)),
                    format!("output name `{}` is used twice", out.name),
                ));
            }
            if !out.file.ends_with(".pdf") || Path::new(&out.file).is_absolute() || out.file.contains("..") {
                diags.push(
                    Diagnostic::error(
                        CONFIG_PATH,
                        at(&out.file),
                        format!("output file `{}` is not a relative .pdf path", out.file),
                    )
                    .with_hint("write a path such as \"report.pdf\"; it is placed in the output folder"),
                );
            }
            if let Err(err) = typst_pdf::PdfStandards::new(&out.standards) {
                diags.push(Diagnostic::error(
                    CONFIG_PATH,
                    at("standards"),
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
                            at(each),
                            format!("output `{}`: each = \"{each}\" is not a collection", out.name),
                        )
                        .with_hint("use \"cases\", \"recommendations\" or \"data.<dataset>\""),
                    );
                }
                if !out.file.contains("{id}") {
                    diags.push(
                        Diagnostic::error(
                            CONFIG_PATH,
                            at(&out.file),
                            format!("output `{}` is built once per item, so its file needs `{{id}}`", out.name),
                        )
                        .with_hint("for example file = \"cases/{id}.pdf\""),
                    );
                }
            }
            if out.template.contains("..") || Path::new(&out.template).is_absolute() {
                diags.push(Diagnostic::error(
                    CONFIG_PATH,
                    at(&out.template),
                    format!("template `{}` must be a file name under templates/", out.template),
                ));
            }
        }
        for out in self.outputs.iter().filter(|o| !(1..=6).contains(&o.bookmark_depth)) {
            diags.push(Diagnostic::error(
                CONFIG_PATH,
                at("bookmark-depth"),
                format!("output `{}`: bookmark-depth must be 1 to 6 (heading levels)", out.name),
            ));
        }
        if self.date.date.is_none() {
            diags.push(Diagnostic::error(CONFIG_PATH, at("date"), "date must contain a calendar date (YYYY-MM-DD)"));
        }
        diags
    }

    /// The description sheets' empty fields in `text` (report.toml): in a
    /// final build each identifier and name is an error; a Swedish or
    /// English name left out (the Finnish one prints) is a warning in a
    /// draft and an error in a final build.
    pub fn sheet_gaps(&self, text: &str, final_mode: bool) -> Diagnostics {
        let mut diags = Vec::new();
        // `key =` inside `section` (the top level when empty), else the
        // section's header, else nowhere.
        let key_at = |section: &str, key: &str| {
            let header = text.find(section).filter(|_| !section.is_empty());
            let from = if section.is_empty() { 0 } else { header? + section.len() };
            let rest = &text[from..];
            let body = &rest[..rest.find("\n[").unwrap_or(rest.len())];
            match body.find(&format!("{key} =")) {
                Some(i) => Some(from + i..from + i + key.len()),
                None => header.map(|h| h..h + section.len()),
            }
        };
        if final_mode {
            let series = &self.series;
            let meta = &self.meta;
            for (section, key, value) in [
                ("[series]", "name", &series.name),
                ("[series]", "number", &series.number),
                ("[series]", "isbn", &series.isbn),
                ("[series]", "issn", &series.issn),
                ("[series]", "urn", &series.urn),
                ("", "publisher", &self.publisher),
                ("[meta]", "theme", &meta.theme),
                ("[meta]", "project-number", &meta.project_number),
                ("[meta]", "distributor", &meta.distributor),
            ] {
                if value.trim().is_empty() {
                    diags.push(
                        Diagnostic::error(
                            CONFIG_PATH,
                            key_at(section, key),
                            format!("description-sheet field `{key}` is empty"),
                        )
                        .with_hint("the description sheets of a final publication need every identifier"),
                    );
                }
            }
        }
        for (lang, names) in [("sv", &self.meta.sv), ("en", &self.meta.en)] {
            let section = format!("[meta.{lang}]");
            for (key, value, finnish) in [
                ("title", &names.title, &self.title),
                ("subtitle", &names.subtitle, &self.subtitle),
                ("publisher", &names.publisher, &self.publisher),
                ("series", &names.series, &self.series.name),
                ("commissioner", &names.commissioner, &self.commissioner),
                ("theme", &names.theme, &self.meta.theme),
                ("distributor", &names.distributor, &self.meta.distributor),
            ] {
                if value.trim().is_empty() && !finnish.trim().is_empty() {
                    let message =
                        format!("`{key}` in {lang} is missing: the {lang} description sheet prints the Finnish one");
                    let at = key_at(&section, key);
                    let diag = if final_mode {
                        Diagnostic::error(CONFIG_PATH, at, message)
                    } else {
                        Diagnostic::warning(CONFIG_PATH, at, message)
                    };
                    diags.push(diag.with_hint(format!("add {key} = \"…\" under {section} in report.toml")));
                }
            }
        }
        diags
    }

    /// The title a description sheet in `lang` prints: the cover's title
    /// and subtitle, in that language (Finnish where not given).
    pub fn sheet_title(&self, lang: &str) -> String {
        let names = match lang {
            "sv" => Some(&self.meta.sv),
            "en" => Some(&self.meta.en),
            _ => None,
        };
        let pick = |own: Option<&String>, fi: &String| own.filter(|v| !v.trim().is_empty()).unwrap_or(fi).clone();
        let title = pick(names.map(|n| &n.title), &self.title);
        let subtitle = pick(names.map(|n| &n.subtitle), &self.subtitle);
        if subtitle.is_empty() { title } else { format!("{title}: {subtitle}") }
    }

    /// Warnings for abstracts whose front-matter `title` differs from the
    /// title their description sheet prints (`sheet_title`): each item is
    /// the abstract's language, path, file text and title.
    pub fn abstract_titles<'a>(
        &self,
        abstracts: impl Iterator<Item = (&'a str, &'a Path, &'a str, &'a str)>,
    ) -> Diagnostics {
        abstracts
            .filter(|(lang, _, _, title)| !title.trim().is_empty() && title.trim() != self.sheet_title(lang))
            .map(|(lang, path, text, _)| {
                let at = text.find("title:").map(|i| i..i + 5);
                Diagnostic::warning(
                    path,
                    at,
                    format!(
                        "the {lang} description sheet prints the cover's title, not this one: \"{}\"",
                        self.sheet_title(lang)
                    ),
                )
                .with_hint(if lang == "fi" {
                    "remove this title, or change title and subtitle in report.toml".to_string()
                } else {
                    format!("remove this title, or change title and subtitle under [meta.{lang}] in report.toml")
                })
            })
            .collect()
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
    fn duplicate_outputs_and_bad_files_are_errors() {
        let text = format!("{MINIMAL}[[output]]\nname = \"report\"\ntemplate = \"x\"\nfile = \"../x.doc\"\n");
        let diags = Config::parse(&text).unwrap_err();
        assert_eq!(diags.len(), 2, "{diags:?}");
    }
}
