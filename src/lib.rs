//! kooste builds a commissioned study's deliverables (the final report and
//! the policy brief) from one repository, entirely in process.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`project`]: find the root and read `report/report.toml` → [`project::Project`].
//! 2. [`chapters`]: Markdown under `report/` with front matter → [`chapters::Sources`].
//! 3. [`tables`]: CSV under `data/`, described by `data/datasets.toml` → [`tables::Table`]s.
//! 4. [`references`]: `report/references.bib` → citation keys and entries.
//! 5. [`render`]: each Markdown source is a minijinja template, rendered with
//!    the data as context (numbers in the text come from data).
//! 6. [`markdown`]: the rendered Markdown → Typst markup over comrak's AST,
//!    with every character escaped; labels and citations are checked.
//! 7. [`render`] again: each output's template under `templates/` places the
//!    converted text → one Typst source per output.
//! 8. [`citations`]: that source's `cite` and `bibliography` calls → the
//!    formatted text (hayagriva, once per output, in linear time).
//! 9. [`world`] and [`compile`]: the source compiles in a sandboxed
//!    `typst::World` → `PagedDocument` → PDF, written atomically.
//! 10. [`layout`]: the laid-out pages are read back for page faults
//!    (stranded headings, captions apart, broken short tables, hyphenated
//!    headings, blank pages), reported at the author's lines.
//!
//! [`pipeline`] runs the stages (all outputs in parallel with rayon; batch
//! outputs with the report's heading numbers predicted by [`numbers`]),
//! [`diagnostics`] prints every problem at its place in the author's files,
//! and [`watch`] rebuilds on change with the Typst world kept alive.

pub mod chapters;
pub mod charts;
pub mod citations;
pub mod cli;
pub mod compile;
pub mod convert;
pub mod diagnostics;
pub mod diff;
pub mod init;
pub mod layout;
pub mod markdown;
pub mod numbers;
pub mod pipeline;
pub mod project;
pub mod references;
pub mod render;
pub mod table_layout;
pub mod tables;
pub mod watch;
pub mod world;
