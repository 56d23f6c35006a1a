//! `cargo bench`: how much the pipeline adds on top of the Typst compiler.
//!
//! For the repository's own project it measures, as medians of several runs
//! with typst's memoization caches emptied before each (cold):
//! - the whole `kooste build` process, started as a user would;
//! - the pipeline in process (load, template, convert, compile, PDF);
//! - the Typst compile alone (compile + PDF export) of exactly the Typst
//!   kooste generates, per output and summed, with fonts already loaded;
//! and prints the ratios. Set `KOOSTE_BENCH_ROOT` to measure another project
//! and `KOOSTE_BENCH_RUNS` for the number of runs (default 5).

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kooste::pipeline::{self, Mode, RunOptions};
use kooste::project::Project;
use kooste::world::{ReportWorld, Shared};
use typst_kit::datetime::Time;

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn main() {
    let root = std::env::var_os("KOOSTE_BENCH_ROOT").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let runs: usize = std::env::var("KOOSTE_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    // SAFETY: set before any other thread exists.
    unsafe { std::env::set_var("SOURCE_DATE_EPOCH", "1582848000") };
    let project = Project::load(Some(&root)).unwrap_or_else(|_| panic!("no project at {}", root.display()));
    let out_dir = tempfile::tempdir().unwrap();

    // 1. The whole process, as `kooste build` runs for a user.
    let exe = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/kooste");
    let process = if exe.exists() {
        let times: Vec<Duration> = (0..runs)
            .map(|_| {
                let start = Instant::now();
                let status = Command::new(&exe).args(["build", "--root"]).arg(&root).arg("--out").arg(out_dir.path()).output().unwrap();
                assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
                start.elapsed()
            })
            .collect();
        Some(median(times))
    } else {
        eprintln!("(build target/release/kooste with `cargo build --release` to time the process too)");
        None
    };

    // 2. The pipeline in process, cold.
    let options = RunOptions { mode: Mode::Build, out_dir: out_dir.path().to_path_buf(), only: vec![], final_mode: false, emit_typst: None, changes: None };
    let mut prepare = Vec::new();
    let pipeline_times: Vec<Duration> = (0..runs)
        .map(|_| {
            comemo::evict(0);
            let start = Instant::now();
            let report = pipeline::run(&project, &options).unwrap();
            assert!(!kooste::diagnostics::has_errors(&report.diagnostics));
            prepare.push(report.prepare_time);
            start.elapsed()
        })
        .collect();

    // 3. Typst alone on the generated sources: render them once, then time
    //    compile + PDF export per output with a fresh world each run.
    let (prepared, diags) = pipeline::prepare(&project);
    assert!(!kooste::diagnostics::has_errors(&diags));
    let sources = pipeline::render_sources(&project, &prepared).expect("templates render");
    let shared = Arc::new(Shared::new(&project.root, Time::fixed_timestamp(1582848000).unwrap()));
    let mut per_output = Vec::new();
    let mut pages = Vec::new();
    let mut layout_only = Vec::new();
    for (name, vpath, text) in &sources {
        let times: Vec<Duration> = (0..runs)
            .map(|_| {
                comemo::evict(0);
                let world = ReportWorld::new(shared.clone(), vpath, text.clone());
                let start = Instant::now();
                let doc = typst::compile::<typst_layout::PagedDocument>(&world).output.expect("compiles");
                layout_only.push((name.clone(), start.elapsed()));
                let pdf = typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).expect("exports");
                let t = start.elapsed();
                if pages.iter().all(|(n, _, _)| n != name) {
                    pages.push((name.clone(), doc.pages().len(), pdf.len()));
                }
                t
            })
            .collect();
        per_output.push((name.clone(), median(times)));
    }
    let typst_sum: Duration = per_output.iter().map(|(_, d)| *d).sum();
    let typst_max = per_output.iter().map(|(_, d)| *d).max().unwrap_or_default();
    let pipeline_med = median(pipeline_times);

    println!("kooste benchmark: {} ({} runs, medians, caches emptied before each run)", root.display(), runs);
    println!("machine: {} cores", std::thread::available_parallelism().map_or(1, |n| n.get()));
    for (name, n, bytes) in &pages {
        println!("  output {name}: {n} pages, {} kB", bytes / 1024);
    }
    println!();
    println!("{:<48} {:>8}", "stage", "seconds");
    println!("{:<48} {:>8.3}", "load + render + convert (before compiling)", secs(median(prepare)));
    for (name, d) in &per_output {
        let layout = median(layout_only.iter().filter(|(n, _)| n == name).map(|(_, d)| *d).collect());
        println!("{:<48} {:>8.3}", format!("typst alone: compile of `{name}`"), secs(layout));
        println!("{:<48} {:>8.3}", format!("typst alone: compile + PDF of `{name}`"), secs(*d));
    }
    println!("{:<48} {:>8.3}", "typst alone: all outputs one after another", secs(typst_sum));
    println!("{:<48} {:>8.3}", "kooste pipeline in process (outputs parallel)", secs(pipeline_med));
    if let Some(p) = process {
        println!("{:<48} {:>8.3}", "kooste build process (cold start to PDFs)", secs(p));
    }
    println!();
    println!("ratio pipeline / typst alone, serial outputs:   {:.2}", secs(pipeline_med) / secs(typst_sum));
    println!("ratio pipeline / typst alone, slowest output:   {:.2}", secs(pipeline_med) / secs(typst_max));
    if let Some(p) = process {
        println!("ratio process / typst alone, serial outputs:    {:.2}", secs(p) / secs(typst_sum));
    }
}
