//! kooste builds a commissioned study's deliverables (the final report and
//! the policy brief, plus batch sheets such as one per case study) from one
//! repository, entirely in process.
//!
//! The pipeline, with the module of each stage and the typed value it hands
//! to the next ([`pipeline`] runs them; [`session`] holds what one run, or
//! a watch session of runs, keeps):
//!
//! ```text
//! cmd::*       clap arguments ─────────────────────────────→ settings::Settings
//! load         report/report.toml                         → load::project::Project
//!              report/**/*.md, data/*.csv, references.bib,
//!              templates/, _variables.yml, the file tree  → load::Inputs
//! dialect      report.toml, templates, variables, format  → markdown::Dialect
//! convert      each source rendered by minijinja (render)
//!              and converted to Typst (markdown, markup)  → convert::Prepared (Fragments)
//! checks       labels, citations, datasets, gates         → Diagnostics
//! outputs      one Job per document; its template
//!              rendered, citations formatted
//!              (outputs::citations)                       → generated Typst (String)
//! pipeline     each job built by its format's backend:
//!   compile    sandboxed World (compile::world)           → PagedDocument
//!   layout     the laid-out pages read back (preflight)   → page faults as Diagnostics
//!   compile    export                                     → write::Artifact (PDF bytes)
//! write        all-or-nothing artifact set, --emit-typst  → files on disk
//! report       summaries, progress, JSON                  → the terminal
//! ```
//!
//! Beside the stages: [`source_map`] writes and reads the `// source:`
//! markers that take a Typst error back to the author's line;
//! [`diagnostics`] is the one type and printer for every problem;
//! [`changes`] marks what changed between two revisions (for `kooste diff`);
//! [`git`] is the one way kooste runs git; [`review`] brings reviewers' PDF
//! comments back into the Markdown. Only [`load`] reads project files
//! (and the Typst world, through typst-kit's store, what a compile asks
//! for); only [`write`] writes deliverables. Nothing below [`cmd`] sees
//! clap, and only [`report`] and [`diagnostics`] print.

pub mod changes;
pub mod checks;
pub mod cli;
pub mod cmd;
pub mod compile;
pub mod convert;
pub mod diagnostics;
pub mod dialect;
pub mod git;
pub mod html;
pub mod layout;
pub mod load;
pub mod markdown;
pub mod markup;
pub mod outputs;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod review;
pub mod session;
pub mod settings;
pub mod source_map;
pub mod write;
