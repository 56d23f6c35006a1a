//! Loading: the project's files → typed inputs, every problem reported.
//! Load owns every read of a project file that the stages after it use:
//! they consult [`Inputs`], never the disk (the Typst world reads what a
//! compile asks for through typst-kit's store).
//!
//! [`project`] reads `report/report.toml` into a [`project::Project`];
//! [`sources`] the Markdown under `report/` (front matter included);
//! [`datasets`] the CSV files described by `data/datasets.toml`;
//! [`bibliography`] `report/references.bib`; [`templates`] the texts under
//! `templates/`; [`tree`] walks the project's folders; the hyphenation
//! exceptions come from `report/hyphenation.txt`. [`load`] reads all
//! but report.toml into one [`Inputs`].

pub mod bibliography;
pub mod csl;
pub mod datasets;
pub mod front;
pub mod hyphenation;
pub mod identifiers;
pub mod include;
pub mod meta;
pub mod project;
pub mod quarto_keys;
pub mod sources;
pub mod templates;
pub mod tree;

use std::path::Path;
use std::sync::Arc;

use minijinja::Value;

use crate::diagnostics::{Diagnostic, Diagnostics};

/// The hyphenation exceptions, relative to the project root.
pub const HYPHENATION_PATH: &str = "report/hyphenation.txt";

/// Quarto's variables file, relative to the project root.
pub const VARIABLES_PATH: &str = "report/_variables.yml";

/// Everything a project's files hold besides its configuration.
#[derive(Debug, Default)]
pub struct Inputs {
    pub sources: sources::Sources,
    pub tables: Vec<datasets::Table>,
    /// What datasets.toml describes: names, places, which failed to load.
    pub datasets: datasets::Described,
    pub bibliography: bibliography::Bibliography,
    pub templates: Arc<templates::Templates>,
    /// The values `{{< var key >}}` reads (`report/_variables.yml`), if
    /// the file exists and parses.
    pub variables: Option<Value>,
    /// The files under report/, data/ and templates/.
    pub files: tree::Files,
    /// Where words of the document's language may break
    /// (`report/hyphenation.txt`, if present).
    pub hyphenation: Arc<hyphenation::Exceptions>,
}

/// Loads the Markdown sources, the datasets, the bibliography, the
/// templates and the variables under `root`, with every problem in all of
/// them.
pub fn load(root: &Path) -> (Inputs, Diagnostics) {
    let (sources, mut diags) = sources::load_sources(root);
    let (tables, datasets, mut table_diags) = datasets::load_tables(root);
    diags.append(&mut table_diags);
    let (bibliography, mut bib_diags) = bibliography::load_references(root);
    diags.append(&mut bib_diags);
    let variables = load_variables(root, &mut diags);
    let templates = Arc::new(templates::Templates::load(root));
    let files = tree::Files::load(root);
    let hyphenation = Arc::new(load_hyphenation(root, &mut diags));
    (Inputs { sources, tables, datasets, bibliography, templates, variables, files, hyphenation }, diags)
}

/// The hyphenation exceptions; none when the file is missing or has an
/// error (each reported in `diags`, at its word).
fn load_hyphenation(root: &Path, diags: &mut Diagnostics) -> hyphenation::Exceptions {
    let Ok(text) = std::fs::read_to_string(root.join(HYPHENATION_PATH)) else { return Default::default() };
    hyphenation::Exceptions::parse(&text).unwrap_or_else(|problems| {
        for (range, message) in problems {
            diags.push(Diagnostic::error(HYPHENATION_PATH, Some(range), message).with_hint(
                "write each word with a hyphen at every point where it may break: `ta-lous-ar-vi-o`; a word written without hyphens never breaks",
            ));
        }
        Default::default()
    })
}

/// Quarto's `_variables.yml`, parsed; `None` when there is none or it has
/// an error (reported in `diags`).
fn load_variables(root: &Path, diags: &mut Diagnostics) -> Option<Value> {
    let text = std::fs::read_to_string(root.join(VARIABLES_PATH)).ok()?;
    match parse_variables(&text) {
        Ok(value) => Some(value),
        Err(message) => {
            diags.push(
                Diagnostic::error(VARIABLES_PATH, None, format!("cannot read the variables: {message}"))
                    .with_hint("the file maps names to values, as Quarto's _variables.yml: `name: value`"),
            );
            None
        }
    }
}

/// Parses `_variables.yml` into the value `{{< var >}}` reads.
pub fn parse_variables(yaml: &str) -> Result<Value, String> {
    let parsed: yaml_serde::Value = yaml_serde::from_str(yaml).map_err(|e| e.to_string())?;
    match parsed {
        yaml_serde::Value::Mapping(_) | yaml_serde::Value::Null => Ok(Value::from_serialize(&parsed)),
        _ => Err("the file must be a mapping of names to values".into()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn variables_are_a_mapping() {
        assert!(super::parse_variables("- a\n").is_err());
        assert!(super::parse_variables("a:\n  b: 1\n").is_ok());
    }
}
