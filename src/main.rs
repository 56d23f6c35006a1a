//! The `kooste` binary: parse the command line, dispatch, print diagnostics,
//! return the exit code (0 success, 1 input errors, 2 usage or I/O errors).

use std::process::ExitCode;

use clap::Parser;
use kooste::cli::{BuildArgs, CheckArgs, Cli, Command, ConvertArgs, ProjectArgs, WatchArgs};
use kooste::cli::{DiffArgs, InitArgs, OutputArgs};
use kooste::diagnostics::{self, has_errors};
use kooste::pipeline::{self, Mode, RunOptions};
use kooste::project::{Project, ProjectError};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Build(args) => build(args),
        Command::Check(args) => check(args),
        Command::Watch(args) => watch(args),
        Command::Convert(args) => convert(args),
        Command::Init(args) => init(args),
        Command::Diff(args) => diff(args),
    };
    ExitCode::from(code)
}

/// Opens the project, printing why it cannot be opened.
fn open(args: &ProjectArgs) -> Result<Project, u8> {
    match Project::load(args.root.as_deref()) {
        Ok(project) => Ok(project),
        Err(ProjectError::Io(message)) => {
            eprintln!("error: {message}");
            eprintln!("  hint: run kooste in a project folder or pass --root DIR");
            Err(2)
        }
        Err(ProjectError::Input(diags)) => {
            let root = args.root.clone().unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
            let root = kooste::project::find_root(&root).unwrap_or(root);
            diagnostics::emit(&root, &diags, args.diagnostic_format);
            Err(1)
        }
    }
}

/// The pipeline options of build and watch; a final build pins the date to
/// the last commit first.
fn build_options(project: &Project, output: OutputArgs, emit_typst: Option<std::path::PathBuf>) -> RunOptions {
    if output.release.final_mode {
        pipeline::pin_source_date(&project.root);
    }
    RunOptions {
        mode: Mode::Build,
        out_dir: output.out,
        only: output.only,
        final_mode: output.release.final_mode,
        emit_typst,
        changes: None,
        typst_citations: output.typst_citations,
    }
}

fn build(args: BuildArgs) -> u8 {
    let project = match open(&args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let options = build_options(&project, args.output, args.emit_typst);
    // On a terminal, say what is happening; CI logs get only the results.
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) && !args.json {
        let n = project.config.outputs.len();
        eprintln!("building {n} output{} of {} …", if n == 1 { "" } else { "s" }, project.root.display());
    }
    let result = pipeline::run(&project, &options);
    if args.json {
        print_json(&project, &result);
    }
    finish(&project, &args.project, result, Mode::Build)
}

fn watch(args: WatchArgs) -> u8 {
    let project = match open(&args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let options = build_options(&project, args.output, None);
    match kooste::watch::watch(&project.root, options, args.project.diagnostic_format) {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("error: {err:#}");
            2
        }
    }
}

fn check(args: CheckArgs) -> u8 {
    let project = match open(&args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if args.release.final_mode {
        pipeline::pin_source_date(&project.root);
    }
    let options = RunOptions {
        mode: Mode::Check,
        out_dir: "out".into(),
        only: Vec::new(),
        final_mode: args.release.final_mode,
        emit_typst: None,
        changes: None,
        typst_citations: false,
    };
    finish(&project, &args.project, pipeline::run(&project, &options), Mode::Check)
}

/// Prints the diagnostics and a summary of a run; returns the exit code.
fn finish(project: &Project, args: &ProjectArgs, result: anyhow::Result<pipeline::RunReport>, mode: Mode) -> u8 {
    let report = match result {
        Ok(report) => report,
        Err(err) => {
            eprintln!("error: {err:#}");
            return 2;
        }
    };
    diagnostics::emit(&project.root, &report.diagnostics, args.diagnostic_format);
    if has_errors(&report.diagnostics) {
        let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
        eprintln!("{errors} error{} found; no PDF was written", if errors == 1 { "" } else { "s" });
        return 1;
    }
    for out in &report.outputs {
        let path = out.path.strip_prefix(&project.root).unwrap_or(&out.path);
        let verb = if mode == Mode::Build { "wrote" } else { "checked" };
        eprintln!(
            "{verb} {} ({} pages, {} kB, {:.2} s)",
            path.display(),
            out.pages,
            out.bytes / 1024,
            out.compile_time.as_secs_f64()
        );
    }
    0
}

/// The `--json` summary: outputs, pages, bytes, timings and problems.
fn print_json(project: &Project, result: &anyhow::Result<pipeline::RunReport>) {
    let summary = match result {
        Ok(report) => {
            let problems: Vec<serde_json::Value> = report
                .diagnostics
                .iter()
                .map(|d| {
                    let text = diagnostics::read_lossy(&project.root.join(&d.path));
                    let (line, column) = diagnostics::line_col(&text, d.range.as_ref().map_or(0, |r| r.start));
                    serde_json::json!({
                        "severity": if d.is_error() { "error" } else { "warning" },
                        "path": d.path.display().to_string(),
                        "line": line,
                        "column": column,
                        "message": d.message,
                        "hints": d.hints,
                        "page": d.page,
                    })
                })
                .collect();
            serde_json::json!({
                "ok": !has_errors(&report.diagnostics),
                "outputs": report.outputs.iter().map(|o| serde_json::json!({
                    "name": o.name,
                    "path": o.path.strip_prefix(&project.root).unwrap_or(&o.path).display().to_string(),
                    "pages": o.pages,
                    "bytes": o.bytes,
                    "seconds": o.compile_time.as_secs_f64(),
                })).collect::<Vec<_>>(),
                "prepare_seconds": report.prepare_time.as_secs_f64(),
                "batch_recompiled": report.batch_recompiled,
                "errors": report.diagnostics.iter().filter(|d| d.is_error()).count(),
                "warnings": report.diagnostics.iter().filter(|d| !d.is_error()).count(),
                "problems": problems,
            })
        }
        Err(err) => serde_json::json!({ "ok": false, "outputs": [], "fatal": format!("{err:#}") }),
    };
    println!("{}", serde_json::to_string_pretty(&summary).expect("JSON values serialize"));
}

fn diff(args: DiffArgs) -> u8 {
    let project = match open(&args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    match kooste::diff::diff(&project.root, &args.rev, args.rev2.as_deref(), &args.out) {
        Ok((report, changes, target)) => {
            diagnostics::emit(&project.root, &report.diagnostics, args.project.diagnostic_format);
            if has_errors(&report.diagnostics) {
                eprintln!("the changes PDF could not be built (paths above are in a temporary copy of the sources)");
                return 1;
            }
            let shown = target.strip_prefix(&project.root).unwrap_or(&target);
            eprintln!(
                "wrote {} ({} changed source{})",
                shown.display(),
                changes.len(),
                if changes.len() == 1 { "" } else { "s" }
            );
            0
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            2
        }
    }
}

fn init(args: InitArgs) -> u8 {
    match kooste::init::init(&args.dir) {
        Ok(()) => {
            eprintln!("created a kooste project in {}", args.dir.display());
            eprintln!("  build it: cd {} && kooste build", args.dir.display());
            0
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            2
        }
    }
}

fn convert(args: ConvertArgs) -> u8 {
    let (root, rel) = match kooste::convert::locate(&args.file) {
        Ok(found) => found,
        Err(err) => {
            eprintln!("error: cannot open {} ({err})", args.file.display());
            return 2;
        }
    };
    let bytes = match std::fs::read(root.join(&rel)) {
        Ok(bytes) => bytes,
        Err(err) => {
            eprintln!("error: cannot read {} ({err})", args.file.display());
            return 2;
        }
    };
    let text = match kooste::chapters::decode_text(&rel, bytes) {
        Ok(text) => text,
        Err(diag) => {
            diagnostics::emit(&root, &[*diag], args.diagnostic_format);
            return 1;
        }
    };
    let (typst, diags) = kooste::convert::standalone(&root, &rel, &text);
    diagnostics::emit(&root, &diags, args.diagnostic_format);
    print!("{typst}");
    if has_errors(&diags) { 1 } else { 0 }
}
