//! The project's settings for the author language → one
//! [`markdown::Dialect`](crate::markdown::Dialect) per build.
//!
//! From `report/report.toml` the document language (smart quotes, callout
//! titles) and the values `{{< meta key >}}` reads; from the build mode the
//! Quarto profile (`final` with `--final`, else `draft`); from
//! `report/_variables.yml`, if present, the values `{{< var key >}}` reads;
//! from the templates' Typst files the `kooste-…` functions they define
//! (`kooste-callout`, `kooste-div-CLASS`), so that a div's class is drawn
//! by the template or reported.

use std::path::Path;

use minijinja::Value;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::project::Config;
use crate::markdown::{Dialect, Profile, shortcodes, template_functions};
use crate::render::TEMPLATES_DIR;

/// Quarto's variables file, relative to the project root.
pub const VARIABLES_PATH: &str = "report/_variables.yml";

/// The dialect of a build of the project at `root`.
pub fn load(root: &Path, config: &Config, final_mode: bool) -> (Dialect, Diagnostics) {
    let mut diags = Vec::new();
    let vars = match std::fs::read_to_string(root.join(VARIABLES_PATH)) {
        Ok(text) => match shortcodes::parse_variables(&text) {
            Ok(value) => Some(value),
            Err(message) => {
                diags.push(
                    Diagnostic::error(VARIABLES_PATH, None, format!("cannot read the variables: {message}"))
                        .with_hint("the file maps names to values, as Quarto's _variables.yml: `name: value`"),
                );
                None
            }
        },
        Err(_) => None,
    };
    let dialect = Dialect {
        lang: config.language.clone(),
        smart: true,
        profile: if final_mode { Profile::Final } else { Profile::Draft },
        meta: Value::from_serialize(config),
        vars,
        templates: Some(template_names(root)),
    };
    (dialect, diags)
}

/// The `kooste-…` functions defined in `templates/*.typ` and `*.typ.j2`.
fn template_names(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(TEMPLATES_DIR)) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.ends_with(".typ") || n.ends_with(".typ.j2")))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .flat_map(|text| template_functions(&text))
        .collect();
    names.sort();
    names.dedup();
    names
}
