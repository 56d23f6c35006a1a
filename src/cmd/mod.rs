//! One module per command, each with one entry function that takes its
//! clap arguments and returns the exit code: 0 success (warnings allowed),
//! 1 problems in the input, 2 usage or I/O errors.

pub mod build;
pub mod convert;
pub mod diff;
pub mod hyphenate;
pub mod init;
pub mod review;
pub mod watch;

use crate::cli::{Command, OutputArgs, ProjectArgs};
use crate::load::project::{Project, ProjectError, find_root};
use crate::report;
use crate::settings::{Mode, Settings};

/// Runs the command the user gave.
pub fn dispatch(command: Command) -> u8 {
    match command {
        Command::Build(args) => build::build(args),
        Command::Check(args) => build::check(args),
        Command::Watch(args) => watch::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Init(args) => init::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Review(args) => review::run(args),
        Command::Hyphenate(args) => hyphenate::run(args),
    }
}

/// Opens the project, printing why it cannot be opened (the exit code).
fn open(args: &ProjectArgs) -> Result<Project, u8> {
    match Project::load(args.root.as_deref()) {
        Ok(project) => Ok(project),
        Err(ProjectError::Io(message)) => {
            Err(report::fatal(&anyhow::anyhow!(message), &["run kooste in a project folder or pass --root DIR"]))
        }
        Err(ProjectError::Input(diags)) => {
            let root = args.root.clone().unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
            let root = find_root(&root).unwrap_or(root);
            report::problems(&root, &diags, args.diagnostic_format);
            Err(report::INPUT_ERRORS)
        }
    }
}

/// The settings of build and watch, from their shared output options.
fn build_settings(project: &Project, output: &OutputArgs, emit_typst: Option<std::path::PathBuf>) -> Settings {
    Settings {
        out_dir: output.out.clone(),
        only: output.only.clone(),
        emit_typst,
        typst_citations: output.typst_citations,
        ..Settings::new(Mode::Build)
    }
    .final_build(&project.root, output.release.final_mode)
}
