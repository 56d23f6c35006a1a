//! Loading: the project's files → typed inputs, every problem reported.
//!
//! [`project`] reads `report/report.toml` into a [`project::Project`];
//! [`sources`] the Markdown under `report/` (front matter included);
//! [`datasets`] the CSV files described by `data/datasets.toml`;
//! [`bibliography`] `report/references.bib`. [`load`] reads the last three
//! into one [`Inputs`].

pub mod bibliography;
pub mod datasets;
pub mod meta;
pub mod project;
pub mod sources;

use std::path::Path;

use crate::diagnostics::Diagnostics;

/// Everything a project's files hold besides its configuration.
#[derive(Debug, Default)]
pub struct Inputs {
    pub sources: sources::Sources,
    pub tables: Vec<datasets::Table>,
    pub bibliography: bibliography::Bibliography,
}

/// Loads the Markdown sources, the datasets and the bibliography under
/// `root`, with every problem in all of them.
pub fn load(root: &Path) -> (Inputs, Diagnostics) {
    let (sources, mut diags) = sources::load_sources(root);
    let (tables, mut table_diags) = datasets::load_tables(root);
    diags.append(&mut table_diags);
    let (bibliography, mut bib_diags) = bibliography::load_references(root);
    diags.append(&mut bib_diags);
    (Inputs { sources, tables, bibliography }, diags)
}
