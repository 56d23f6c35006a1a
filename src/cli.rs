//! Command-line types (clap derive) and nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::diagnostics::Format;

/// Builds a commissioned study's final report and policy brief to PDF from
/// Markdown, CSV data and templates, in one process: no typst CLI, no pandoc,
/// no network.
#[derive(Debug, Parser)]
#[command(name = "kooste", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What kooste does.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build every output (the report and the brief) to PDF.
    Build(BuildArgs),
    /// Run the whole pipeline, compile included, without writing anything.
    Check(CheckArgs),
    /// Build, then rebuild whenever a file under report/, data/ or
    /// templates/ changes (new files included). Stop with Ctrl-C.
    Watch(WatchArgs),
    /// Build a changes PDF of the report between two git revisions
    /// (out/report-diff.pdf): added text marked, deleted text struck
    /// through, and a first page listing the changed sections.
    Diff(DiffArgs),
    /// Bring comments reviewers made on draft PDFs (highlights, strike-outs,
    /// sticky notes, insertions) into today's Markdown as CriticMarkup.
    Review(ReviewArgs),
    /// Create a new report project in DIR that builds at once.
    Init(InitArgs),
    /// Print the Typst for one Markdown file (no templating): a standalone
    /// document, for debugging and tests.
    Convert(ConvertArgs),
    /// Print where typst breaks each word at a line end (its hyphenation
    /// patterns for LANG): the word, a tab, and the word with a hyphen at
    /// each break point. Words come from the arguments, else one per line
    /// from standard input. `scripts/hyphenation.py` compares them with
    /// Voikko to write report/hyphenation.txt.
    Hyphenate(HyphenateArgs),
}

/// Options shared by every command that reads a project.
#[derive(Debug, Args, Clone)]
pub struct ProjectArgs {
    /// The project folder (holding report/report.toml); default: the current
    /// folder or the nearest parent that has one.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// How to print problems: `human` with source excerpts, or `short`
    /// `path:line:col: error: message` lines.
    #[arg(long, value_enum, default_value_t = Format::Human, value_name = "FORMAT")]
    pub diagnostic_format: Format,
}

/// Where PDFs go and which ones to build; shared by build and watch.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Folder for the PDFs, relative to the project root.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,

    /// Build only this output (repeatable), e.g. `--only brief`.
    #[arg(long, value_name = "NAME")]
    pub only: Vec<String>,

    #[command(flatten)]
    pub release: ReleaseArgs,

    /// Let typst format citations and the bibliography, as `typst compile`
    /// would. By default kooste formats them itself with the same library
    /// (hayagriva), which gives the same text and is much faster on long
    /// documents; use this for templates whose imported files style `cite`.
    #[arg(long)]
    pub typst_citations: bool,
}

/// `kooste build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub project: ProjectArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Print a JSON summary (outputs, pages, bytes, timings, problems) on
    /// standard output, for CI tools.
    #[arg(long)]
    pub json: bool,

    /// Also write the generated Typst of every output, with the files it
    /// reads, into DIR, so that `typst compile --root DIR
    /// DIR/templates/<name>.generated.typ` builds it on its own.
    #[arg(long, value_name = "DIR")]
    pub emit_typst: Option<PathBuf>,
}

/// Draft or final output.
#[derive(Debug, Args, Clone, Default)]
pub struct ReleaseArgs {
    /// Final deliverables: no watermark, and the build fails on anything a
    /// commissioner must not receive (CriticMarkup notes and suggestions,
    /// illustrative data, images without alt text, empty description-sheet
    /// fields). The default is a draft with a "LUONNOS" watermark and a build
    /// stamp.
    #[arg(long = "final")]
    pub final_mode: bool,
}

/// `kooste watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub project: ProjectArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `kooste check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub project: ProjectArgs,

    /// Check only this output (repeatable), e.g. `--only brief`.
    #[arg(long, value_name = "NAME")]
    pub only: Vec<String>,

    #[command(flatten)]
    pub release: ReleaseArgs,

    /// Print a JSON summary (outputs, pages, problems) on standard output,
    /// as `kooste build --json` does.
    #[arg(long)]
    pub json: bool,
}

/// `kooste diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub project: ProjectArgs,

    /// The old revision, e.g. `HEAD~1`, a tag or a commit.
    pub rev: String,

    /// The new revision; default: the working tree.
    pub rev2: Option<String>,

    /// Where to write the changes PDF, relative to the project root.
    #[arg(long, value_name = "FILE", default_value = "out/report-diff.pdf")]
    pub out: PathBuf,
}

/// `kooste review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub project: ProjectArgs,

    /// Reviewed draft PDFs (the report, the brief or case sheets), one per
    /// reviewer or several from one.
    #[arg(required = true, value_name = "FILE.pdf")]
    pub pdfs: Vec<PathBuf>,

    /// Print where each comment would go and change no file.
    #[arg(long)]
    pub dry_run: bool,
}

/// `kooste init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the project in (created if missing).
    pub dir: PathBuf,
}

/// `kooste hyphenate`.
#[derive(Debug, Args)]
pub struct HyphenateArgs {
    /// The language's patterns, an ISO 639-1 code.
    #[arg(long, default_value = "fi", value_name = "LANG")]
    pub lang: String,

    /// The words; none: read them from standard input.
    pub words: Vec<String>,
}

/// `kooste convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The Markdown file to convert.
    pub file: PathBuf,

    /// Also compile the Typst and write it as a PDF to FILE (the Typst is
    /// then not printed): a quick look at one file, and a check that what
    /// kooste makes of it compiles.
    #[arg(long, value_name = "FILE")]
    pub pdf: Option<PathBuf>,

    /// How to print problems.
    #[arg(long, value_enum, default_value_t = Format::Human, value_name = "FORMAT")]
    pub diagnostic_format: Format,
}
