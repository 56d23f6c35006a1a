//! kooste builds a commissioned study's deliverables (the final report and
//! the policy brief, plus batch sheets such as one per case study) from one
//! repository, entirely in process.
//!
//! The pipeline, with the module of each stage and the typed value it hands
//! to the next ([`pipeline`] runs them):
//!
//! ```text
//! cmd::*       clap arguments ─────────────────────────────→ settings::Settings
//! load         report/report.toml                         → load::project::Project
//!              report/**/*.md, data/*.csv, references.bib → load::Inputs
//! convert      each source rendered by minijinja (render)
//!              and converted to Typst (markdown, markup)  → convert::Prepared (Fragments)
//! checks       labels, citations, datasets, gates         → Diagnostics
//! outputs      one Job per PDF; its template rendered,
//!              citations formatted (outputs::citations)   → generated Typst (String)
//! compile      sandboxed World (compile::world)           → PagedDocument → PDF bytes
//! layout       the laid-out pages read back (preflight)   → page faults as Diagnostics
//! write        all-or-nothing PDF set, --emit-typst       → files on disk
//! report       summaries, progress, JSON                  → the terminal
//! ```
//!
//! Beside the stages: [`source_map`] writes and reads the `// source:`
//! markers that take a Typst error back to the author's line;
//! [`diagnostics`] is the one type and printer for every problem;
//! [`changes`] marks what changed between two revisions (for `kooste diff`);
//! [`compile::session`] keeps the Typst world alive between watch builds;
//! [`review`] brings reviewers' PDF comments back into the Markdown.
//! Nothing below [`cmd`] sees clap, and only [`report`] and [`diagnostics`]
//! print.

pub mod changes;
pub mod checks;
pub mod cli;
pub mod cmd;
pub mod compile;
pub mod convert;
pub mod diagnostics;
pub mod dialect;
pub mod layout;
pub mod load;
pub mod markdown;
pub mod markup;
pub mod outputs;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod review;
pub mod settings;
pub mod source_map;
pub mod write;
