//! The project's settings for the author language → one
//! [`markdown::Dialect`](crate::markdown::Dialect) per build, made from what
//! load read (no file is read here).
//!
//! From `report/report.toml` the document language (smart quotes, callout
//! titles) and the values `{{< meta key >}}` reads; from the build mode the
//! Quarto profile (`final` with `--final`, else `draft`); from
//! `report/_variables.yml`, if present, the values `{{< var key >}}` reads;
//! from the templates' Typst files the `kooste-…` functions they define
//! (`kooste-callout`, `kooste-div-CLASS`), so that a div's class is drawn
//! by the template or reported.

use minijinja::Value;

use crate::load::project::{Config, Format};
use crate::load::templates::Templates;
use crate::markdown::{Dialect, Profile, template_functions};

/// The dialect of a build of a project with `config`, `templates` and
/// Quarto `variables`, converting for `format`.
pub fn dialect(
    config: &Config,
    templates: &Templates,
    variables: Option<Value>,
    final_mode: bool,
    format: Format,
) -> Dialect {
    Dialect {
        lang: config.language.clone(),
        smart: true,
        profile: if final_mode { Profile::Final } else { Profile::Draft },
        meta: Value::from_serialize(config),
        vars: variables,
        templates: Some(template_names(templates)),
        format,
        ref_prefix: config.crossref.prefix,
        hyphenation: Default::default(),
        // The variables the project names, as the build's environment has
        // them; never the whole environment.
        env: config.environment.iter().filter_map(|n| Some((n.clone(), std::env::var(n).ok()?))).collect(),
    }
}

/// The `kooste-…` functions defined in `templates/*.typ` and `*.typ.j2`.
fn template_names(templates: &Templates) -> Vec<String> {
    let mut names: Vec<String> = templates
        .top_level()
        .filter(|(name, _)| name.ends_with(".typ") || name.ends_with(".typ.j2"))
        .flat_map(|(_, text)| template_functions(text))
        .collect();
    names.sort();
    names.dedup();
    names
}
