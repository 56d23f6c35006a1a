//! The description sheets' metadata: `[meta]` in report.toml (the VN TEAS
//! fields the top level lacks) and `[meta.sv]`, `[meta.en]` (each sheet's
//! names in its language), with the checks that find the sheets' gaps.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::project::{CONFIG_PATH, Config};
use crate::diagnostics::{Diagnostic, Diagnostics};

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
    /// The authors as this language's sheet names them, for a group whose
    /// name is translated ("Kooste working group"); empty: the
    /// `[[author]]` names, as personal names need no translating.
    #[serde(default)]
    pub authors: Vec<String>,
}

impl Config {
    /// The description sheets' empty fields in report.toml: in a
    /// final build each identifier and name is an error; a Swedish or
    /// English name left out (the Finnish one prints) is a warning in a
    /// draft and an error in a final build.
    pub fn sheet_gaps(&self, final_mode: bool) -> Diagnostics {
        let mut diags = Vec::new();
        // The value of `key` in `section` (the top level when empty), else
        // the section itself, else nowhere.
        let key_at = |section: &str, key: &str| {
            let path = if section.is_empty() { key.to_string() } else { format!("{section}.{key}") };
            self.spans.value(&path).or_else(|| self.spans.value(section)).or_else(|| self.spans.value("meta"))
        };
        if final_mode {
            let series = &self.series;
            let meta = &self.meta;
            for (section, key, value) in [
                ("series", "name", &series.name),
                ("series", "number", &series.number),
                ("series", "isbn", &series.isbn),
                ("series", "issn", &series.issn),
                ("series", "urn", &series.urn),
                ("", "publisher", &self.publisher),
                ("meta", "theme", &meta.theme),
                ("meta", "project-number", &meta.project_number),
                ("meta", "distributor", &meta.distributor),
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
            let section = format!("meta.{lang}");
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
                    diags.push(diag.with_hint(format!("add {key} = \"…\" under [{section}] in report.toml")));
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
}
