//! `kooste build` (every output to PDF) and `kooste check` (the same
//! pipeline, compile included, writing nothing).

use crate::cli::{BuildArgs, CheckArgs};
use crate::settings::{Mode, Settings};
use crate::{pipeline, report};

/// `kooste build`: builds the outputs, prints the summary (and `--json`).
pub fn build(args: BuildArgs) -> u8 {
    let project = match super::open(&args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let settings = super::build_settings(&project, &args.output, args.emit_typst);
    if !args.json {
        report::progress(&project.root, project.config.outputs.len());
    }
    let result = pipeline::run(&project, &settings);
    if args.json {
        report::json(&project.root, &result);
    }
    report::summary(&project.root, args.project.diagnostic_format, result, Mode::Build)
}

/// `kooste check`: runs everything a build runs and writes nothing.
pub fn check(args: CheckArgs) -> u8 {
    let project = match super::open(&args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let settings = Settings { only: args.only.clone(), ..Settings::new(Mode::Check) }
        .final_build(&project.root, args.release.final_mode);
    let result = pipeline::run(&project, &settings);
    if args.json {
        report::json(&project.root, &result);
    }
    report::summary(&project.root, args.project.diagnostic_format, result, Mode::Check)
}
