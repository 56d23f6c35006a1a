//! `cargo bench --bench build`: how much the pipeline adds on top of the
//! Typst compiler, how it scales, what it costs in memory, how fast the
//! watch path rebuilds and how well batch outputs run in parallel.
//!
//! Three projects are measured, each on a scratch copy: the repository's own
//! (or `KOOSTE_BENCH_ROOT`) and projects of about 100 and 400 pages written
//! by `examples/genproject.rs` (`KOOSTE_BENCH_PAGES=100,400`; empty skips
//! them). `KOOSTE_BENCH_RUNS` runs (default 5); each run measures every
//! project once, and within a project both sides of every ratio back to
//! back, so that a busy shared machine weighs on both alike. Times are
//! medians; ratios are medians of the per-run ratios. In-process runs start
//! with typst's memoization caches emptied (cold). Per project and run:
//! - the whole `kooste build` process, started as a user would, and its peak
//!   memory (RSS high-water mark, from `/usr/bin/time`, or from VmHWM in
//!   /proc while it runs when that is not installed); the same with
//!   `--only report`;
//! - Typst alone in a process per output (this binary re-run as
//!   `examples/typst_alone.rs`, standing in for the typst CLI) on exactly
//!   the Typst kooste generated (`--emit-typst`): time and peak memory;
//! - the pipeline in process (load, template, convert, compile, PDF), cold,
//!   and then the incremental rebuild of the watch path: `pipeline::run_in`
//!   with the same `Session` after a paragraph is appended to a chapter;
//! - Typst alone in process (compile + PDF export with kooste's PDF options)
//!   per output, with fonts already loaded;
//! - the batch output (one sheet per case): `kooste build --only cases` with
//!   RAYON_NUM_THREADS=1 and with the default thread count, the pipeline in
//!   process on a one-thread rayon pool and on the global pool, and Typst
//!   alone on the sheets one after another and with `par_iter`;
//!
//! then prints the ratios against the targets. See BENCHMARKS.md.

#[path = "../examples/genproject.rs"]
mod genproject;
#[path = "../examples/typst_alone.rs"]
mod typst_alone;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kooste::compile::world::{ReportWorld, Shared};
use kooste::load::project::Project;
use kooste::pipeline;
use kooste::session::Session;
use kooste::settings::{Mode, Settings};
use typst_kit::datetime::Time;

/// Set in the environment of the child that compiles Typst alone.
const TYPST_ALONE_ENV: &str = "KOOSTE_BENCH_TYPST_ALONE";
const EPOCH: i64 = 1582848000;

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// One process run: wall time and peak RSS in kB.
struct ProcRun {
    wall: Duration,
    peak_kb: Option<u64>,
    /// User + system CPU time of the child (all its threads).
    cpu: Option<Duration>,
}

/// Clock ticks per second of /proc's CPU times.
fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// User + system CPU time of a process (all threads) from /proc/<pid>/stat.
fn proc_cpu(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(Duration::from_secs_f64(ticks / clock_ticks()))
}

/// This process's CPU time so far: in-process runs are timed by its delta,
/// which a busy machine disturbs much less than wall time.
fn self_cpu() -> Duration {
    proc_cpu("self").unwrap_or_default()
}

/// How the peak memory of a child is read.
#[derive(Clone, Copy, PartialEq)]
enum MemProbe {
    /// GNU time's `%M` (maximum resident set size, kB).
    GnuTime,
    /// VmHWM from /proc/<pid>/status, polled every 2 ms while it runs.
    ProcPoll,
}

fn mem_probe() -> MemProbe {
    let ok = Command::new("/usr/bin/time").args(["-f", "%M", "true"]).output().is_ok_and(|o| o.status.success());
    if ok { MemProbe::GnuTime } else { MemProbe::ProcPoll }
}

/// Runs `program args` with `envs`, timing it and reading its peak memory.
fn run_process(probe: MemProbe, program: &Path, args: &[String], envs: &[(&str, String)]) -> ProcRun {
    let mem_file = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = match probe {
        MemProbe::GnuTime => {
            let mut c = Command::new("/usr/bin/time");
            c.args(["-f", "%M %U %S", "-o"]).arg(mem_file.path()).arg(program);
            c
        }
        MemProbe::ProcPoll => Command::new(program),
    };
    cmd.args(args).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let mut hwm = 0;
    let mut polled_cpu = None;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if probe == MemProbe::ProcPoll {
            if let Ok(s) = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
                && let Some(kb) = s
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            {
                hwm = hwm.max(kb);
            }
            polled_cpu = proc_cpu(&child.id().to_string()).or(polled_cpu);
            std::thread::sleep(Duration::from_millis(2));
        } else {
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    let wall = start.elapsed();
    if !status.success() {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            use std::io::Read as _;
            let _ = e.read_to_string(&mut err);
        }
        panic!("{} {} failed: {err}", program.display(), args.join(" "));
    }
    let (peak_kb, cpu) = match probe {
        MemProbe::GnuTime => {
            let text = std::fs::read_to_string(mem_file.path()).unwrap_or_default();
            let v: Vec<f64> =
                text.lines().last().unwrap_or_default().split_whitespace().filter_map(|x| x.parse().ok()).collect();
            match v[..] {
                [kb, user, sys] => (Some(kb as u64), Some(Duration::from_secs_f64(user + sys))),
                _ => (None, None),
            }
        }
        // The last sample before the child exited: slightly low.
        MemProbe::ProcPoll => ((hwm > 0).then_some(hwm), polled_cpu),
    };
    ProcRun { wall, peak_kb, cpu }
}

/// One output as built: name, pages, PDF size, emitted main file, standards.
struct OutputInfo {
    name: String,
    pages: usize,
    bytes: usize,
    /// The emitted main file, relative to the emit folder.
    main: String,
    standards: Vec<String>,
}

/// A project set up for measuring: a copy of it (edited by the incremental
/// runs), the outputs it builds and the Typst it emitted.
struct Setup {
    label: String,
    /// The project measured (a copy; see [`setup`]).
    root: PathBuf,
    /// The folder it was copied from.
    source: PathBuf,
    project: Project,
    outputs: Vec<OutputInfo>,
    emit_root: PathBuf,
    /// The same outputs emitted with `--typst-citations`: the Typst a
    /// typst user would compile, `#cite` and `#bibliography` left to typst.
    emit_cites_root: PathBuf,
    /// The chapter the incremental runs append to.
    chapter: PathBuf,
    /// The batch output's name, if the project has one.
    batch: Option<String>,
    scratch: tempfile::TempDir,
}

/// What one run measured for one project.
#[derive(Default)]
struct Run {
    process: Duration,
    process_peak: Option<u64>,
    process_cpu: Option<Duration>,
    only_report: Duration,
    only_report_peak: Option<u64>,
    /// Per output: (process wall time, peak kB, CPU time) of Typst alone.
    typst_proc: Vec<(Duration, Option<u64>, Option<Duration>)>,
    pipeline: Duration,
    pipeline_cpu: Duration,
    prepare: Duration,
    incremental: Duration,
    /// Per output: (compile only, compile + PDF, CPU time of compile +
    /// PDF), Typst alone in process.
    typst: Vec<(Duration, Duration, Duration)>,
    /// Per output: compile + PDF and its CPU time, Typst alone in process
    /// on the Typst with typst's own citations.
    typst_cites: Vec<(Duration, Duration)>,
    batch: Option<BatchRun>,
}

/// The batch output (one PDF per case), serial and parallel, in one run.
#[derive(Clone, Copy)]
struct BatchRun {
    /// `kooste build --only cases` with RAYON_NUM_THREADS=1, and default.
    process_serial: Duration,
    process_parallel: Duration,
    /// Their CPU time (all threads).
    process_serial_cpu: Option<Duration>,
    process_parallel_cpu: Option<Duration>,
    /// The pipeline in process with only the batch output, on a
    /// one-thread rayon pool and on the global pool.
    pipeline_serial: Duration,
    pipeline_parallel: Duration,
    /// Typst alone on the batch outputs' sources, one after another and
    /// with rayon's `par_iter`: the most parallelism can gain.
    typst_serial: Duration,
    typst_parallel: Duration,
}

/// Output name → PDF standards, read from report.toml.
fn standards_of(root: &Path) -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(root.join("report/report.toml")).unwrap();
    let value: toml::Value = toml::from_str(&text).unwrap();
    value
        .get("output")
        .and_then(|o| o.as_array())
        .map(|outputs| {
            outputs
                .iter()
                .map(|o| {
                    let name = o.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_string();
                    let std: Vec<String> = o
                        .get("standards")
                        .and_then(|s| s.as_array())
                        .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
                        .unwrap_or_default();
                    (name, std)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn options(out_dir: PathBuf) -> Settings {
    Settings { out_dir, ..Settings::new(Mode::Build) }
}

/// Copies the project (report/, data/, templates/) to a scratch folder,
/// builds it once with `--emit-typst` and finds the emitted main files.
/// Everything is measured on the copy, so the incremental runs can edit it.
fn setup(label: &str, source: &Path) -> Setup {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().join("project");
    for dir in ["report", "data", "templates"] {
        if source.join(dir).is_dir() {
            copy_dir(&source.join(dir), &root.join(dir));
        }
    }
    let project = Project::load(Some(&root)).unwrap_or_else(|_| panic!("no project at {}", source.display()));
    let root = project.root.clone();
    let emit_dir = scratch.path().join("emit");
    comemo::evict(0);
    let report = pipeline::run(
        &project,
        &Settings { emit_typst: Some(emit_dir.clone()), ..options(scratch.path().join("out")) },
    )
    .unwrap();
    assert!(!kooste::diagnostics::has_errors(&report.diagnostics), "{:?}", report.diagnostics);
    let emit_cites_dir = scratch.path().join("emit-cites");
    comemo::evict(0);
    let cites = pipeline::run(
        &project,
        &Settings {
            emit_typst: Some(emit_cites_dir.clone()),
            typst_citations: true,
            ..options(scratch.path().join("out"))
        },
    )
    .unwrap();
    assert!(!kooste::diagnostics::has_errors(&cites.diagnostics), "{:?}", cites.diagnostics);
    let standards = standards_of(&root);
    let templates: Vec<(String, String)> =
        project.config.outputs.iter().map(|o| (o.name.clone(), o.template.clone())).collect();
    let outputs: Vec<OutputInfo> = report
        .outputs
        .iter()
        .map(|o| {
            let (spec, id) = match o.name.split_once('/') {
                Some((s, id)) => (s.to_string(), Some(id)),
                None => (o.name.clone(), None),
            };
            let template = &templates.iter().find(|t| t.0 == spec).expect("output of the config").1;
            let stem = template.trim_end_matches(".j2").trim_end_matches(".typ");
            let main = match id {
                Some(id) => format!("templates/{stem}.{id}.generated.typ"),
                None => format!("templates/{stem}.generated.typ"),
            };
            assert!(emit_dir.join(&main).is_file(), "no emitted {main}");
            let standards = standards.iter().find(|s| s.0 == spec).map(|s| s.1.clone()).unwrap_or_default();
            OutputInfo { name: o.name.clone(), pages: o.pages, bytes: o.bytes, main, standards }
        })
        .collect();
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(root.join("report/chapters"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    chapters.sort();
    let chapter = chapters.get(1).or(chapters.first()).expect("a chapter").clone();
    let batch = project.config.outputs.iter().find(|o| o.each.is_some()).map(|o| o.name.clone());
    Setup {
        label: label.to_string(),
        root,
        source: source.to_path_buf(),
        project,
        outputs,
        emit_root: emit_dir.canonicalize().unwrap(),
        emit_cites_root: emit_cites_dir.canonicalize().unwrap(),
        chapter,
        batch,
        scratch,
    }
}

/// One run over one project: every figure, measured back to back so that
/// the two sides of each ratio see the same load on a shared machine.
fn measure_run(s: &Setup, i: usize, probe: MemProbe, exe: &Path, self_exe: &Path) -> Run {
    let progress = |what: &str| eprintln!("[run {} · {}] {what}", i + 1, s.label);
    let out_dir = s.scratch.path().join("out");
    let epoch = [("SOURCE_DATE_EPOCH", EPOCH.to_string())];
    let build_args = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = vec![
            "build".into(),
            "--root".into(),
            s.root.display().to_string(),
            "--out".into(),
            out_dir.display().to_string(),
        ];
        a.extend(extra.iter().map(|x| x.to_string()));
        a
    };
    let mut run = Run::default();

    // 1. The whole process, as `kooste build` runs for a user, and with
    //    --only report; then Typst alone in a process per output (the
    //    typst CLI's situation), for time and peak memory.
    progress("kooste build process; --only report; typst alone processes");
    let full = run_process(probe, exe, &build_args(&[]), &epoch);
    (run.process, run.process_peak, run.process_cpu) = (full.wall, full.peak_kb, full.cpu);
    let only = run_process(probe, exe, &build_args(&["--only", "report"]), &epoch);
    (run.only_report, run.only_report_peak) = (only.wall, only.peak_kb);
    for o in &s.outputs {
        let mut args = vec![
            s.emit_root.display().to_string(),
            o.main.clone(),
            "--ident".into(),
            o.name.clone(),
            "--out".into(),
            s.scratch.path().join("alone.pdf").display().to_string(),
        ];
        for st in &o.standards {
            args.push("--standard".into());
            args.push(st.clone());
        }
        let envs = [("SOURCE_DATE_EPOCH", EPOCH.to_string()), (TYPST_ALONE_ENV, "1".to_string())];
        let r = run_process(probe, self_exe, &args, &envs);
        run.typst_proc.push((r.wall, r.peak_kb, r.cpu));
    }

    // 2. The pipeline in process, cold (caches emptied, a new session),
    //    then, in the same session, the rebuild `kooste watch` does after a
    //    paragraph is appended to a chapter (evicting what the last build
    //    did not use, as watch does).
    progress("pipeline in process, cold, then incremental");
    let opts = options("out".into());
    let mut session = Session::default();
    comemo::evict(0);
    let (start, cpu) = (Instant::now(), self_cpu());
    let report = pipeline::run_in(&s.project, &opts, &mut session).unwrap();
    run.pipeline = start.elapsed();
    run.pipeline_cpu = self_cpu().saturating_sub(cpu);
    run.prepare = report.prepare_time;
    assert!(!kooste::diagnostics::has_errors(&report.diagnostics), "{:?}", report.diagnostics);
    {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new().append(true).open(&s.chapter).unwrap();
        write!(
            f,
            "\nLisätty kappale {i} mittausta varten: verkostot oppivat toisiltaan, ja tieto kulkee alueelta toiselle.\n"
        )
        .unwrap();
    }
    comemo::evict(10);
    let start = Instant::now();
    let project = Project::load(Some(&s.root)).unwrap();
    let report = pipeline::run_in(&project, &opts, &mut session).unwrap();
    run.incremental = start.elapsed();
    assert!(!kooste::diagnostics::has_errors(&report.diagnostics));
    drop(session);

    // 3. Typst alone in process on exactly the Typst kooste generated:
    //    compile + PDF export per output, a fresh world and emptied caches
    //    each time, fonts loaded once.
    progress("typst alone in process");
    let shared = Arc::new(Shared::new(&s.emit_root, Time::fixed_timestamp(EPOCH).unwrap()));
    let sources: Vec<(String, String, String, typst_pdf::PdfStandards)> = s
        .outputs
        .iter()
        .map(|o| {
            (
                o.name.clone(),
                format!("/{}", o.main),
                std::fs::read_to_string(s.emit_root.join(&o.main)).unwrap(),
                typst_alone::standards(&o.standards).unwrap(),
            )
        })
        .collect();
    for ((name, vpath, text, std), o) in sources.iter().zip(&s.outputs) {
        comemo::evict(0);
        let world = ReportWorld::new(shared.clone(), vpath, text.clone());
        let (start, cpu) = (Instant::now(), self_cpu());
        let doc = typst::compile::<typst_layout::PagedDocument>(&world).output.expect("compiles");
        let layout = start.elapsed();
        let pdf = typst_pdf::pdf(&doc, &typst_alone::pdf_options(name, std.clone())).expect("exports");
        run.typst.push((layout, start.elapsed(), self_cpu().saturating_sub(cpu)));
        if i == 0 && pdf.len() != o.bytes {
            eprintln!(
                "warning: typst alone wrote {} bytes for `{name}`, kooste {}: the two compiles differ",
                pdf.len(),
                o.bytes
            );
        }
    }

    // 3b. The same with typst formatting the citations (`#cite` left in).
    progress("typst alone in process, typst's own citations");
    let shared_cites = Arc::new(Shared::new(&s.emit_cites_root, Time::fixed_timestamp(EPOCH).unwrap()));
    for o in &s.outputs {
        let text = std::fs::read_to_string(s.emit_cites_root.join(&o.main)).unwrap();
        comemo::evict(0);
        let world = ReportWorld::new(shared_cites.clone(), &format!("/{}", o.main), text);
        let (start, cpu) = (Instant::now(), self_cpu());
        let doc = typst::compile::<typst_layout::PagedDocument>(&world).output.expect("compiles");
        let std = typst_alone::standards(&o.standards).unwrap();
        typst_pdf::pdf(&doc, &typst_alone::pdf_options(&o.name, std)).expect("exports");
        run.typst_cites.push((start.elapsed(), self_cpu().saturating_sub(cpu)));
    }
    drop(shared_cites);

    // 4. The batch output, serial and parallel: the process, the pipeline
    //    in process, and Typst alone.
    if let Some(batch) = &s.batch {
        progress("batch output, serial and parallel");
        let args = build_args(&["--only", batch]);
        let serial = run_process(
            probe,
            exe,
            &args,
            &[("SOURCE_DATE_EPOCH", EPOCH.to_string()), ("RAYON_NUM_THREADS", "1".into())],
        );
        let parallel = run_process(probe, exe, &args, &epoch);
        let only = Settings { only: vec![batch.clone()], ..options(out_dir.clone()) };
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let in_process = |pool: Option<&rayon::ThreadPool>| -> Duration {
            comemo::evict(0);
            let start = Instant::now();
            let report = match pool {
                Some(pool) => pool.install(|| pipeline::run(&s.project, &only)),
                None => pipeline::run(&s.project, &only),
            }
            .unwrap();
            assert!(!kooste::diagnostics::has_errors(&report.diagnostics));
            start.elapsed()
        };
        let pipeline_serial = in_process(Some(&one));
        let pipeline_parallel = in_process(None);
        let items: Vec<_> = sources.iter().filter(|x| x.0.starts_with(&format!("{batch}/"))).collect();
        let compile_one = |(name, vpath, text, std): &&(String, String, String, typst_pdf::PdfStandards)| {
            typst_alone::compile(shared.clone(), vpath, text.clone(), std.clone(), name).expect("compiles");
        };
        let typst_time = |parallel: bool| {
            use rayon::prelude::*;
            comemo::evict(0);
            let start = Instant::now();
            if parallel {
                items.par_iter().for_each(compile_one);
            } else {
                items.iter().for_each(compile_one);
            }
            start.elapsed()
        };
        let typst_serial = typst_time(false);
        let typst_parallel = typst_time(true);
        run.batch = Some(BatchRun {
            process_serial: serial.wall,
            process_parallel: parallel.wall,
            process_serial_cpu: serial.cpu,
            process_parallel_cpu: parallel.cpu,
            pipeline_serial,
            pipeline_parallel,
            typst_serial,
            typst_parallel,
        });
    }
    comemo::evict(0);
    run
}

/// Everything measured for one project over all runs: medians of the
/// absolute figures, and medians of the per-run ratios.
struct Figures {
    label: String,
    root: PathBuf,
    outputs: Vec<OutputInfo>,
    runs: Vec<Run>,
}

fn med<T>(runs: &[Run], f: impl Fn(&Run) -> T) -> T
where
    T: PartialOrd + Copy,
{
    let mut xs: Vec<T> = runs.iter().map(f).collect();
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    xs[xs.len() / 2]
}

fn med_opt(runs: &[Run], f: impl Fn(&Run) -> Option<f64>) -> Option<f64> {
    let mut xs: Vec<f64> = runs.iter().filter_map(f).collect();
    xs.sort_by(|a, b| a.total_cmp(b));
    xs.get(xs.len() / 2).copied()
}

impl Run {
    fn typst_sum(&self) -> Duration {
        self.typst.iter().map(|t| t.1).sum()
    }
    fn typst_cites_sum(&self) -> Duration {
        self.typst_cites.iter().map(|t| t.0).sum()
    }
    fn typst_cites_cpu_sum(&self) -> Duration {
        self.typst_cites.iter().map(|t| t.1).sum()
    }
    fn typst_max(&self) -> Duration {
        self.typst.iter().map(|t| t.1).max().unwrap_or_default()
    }
    fn typst_proc_sum(&self) -> Duration {
        self.typst_proc.iter().map(|t| t.0).sum()
    }
    fn typst_cpu_sum(&self) -> Duration {
        self.typst.iter().map(|t| t.2).sum()
    }
    fn typst_proc_cpu_sum(&self) -> Option<Duration> {
        self.typst_proc.iter().map(|t| t.2).sum()
    }
    fn typst_peak(&self) -> Option<u64> {
        self.typst_proc.iter().filter_map(|t| t.1).max()
    }
}

impl Figures {
    fn report_index(&self) -> Option<usize> {
        self.outputs.iter().position(|o| o.name == "report")
    }
    fn report_pages(&self) -> usize {
        self.report_index().map_or(0, |i| self.outputs[i].pages)
    }
    fn secs(&self, f: impl Fn(&Run) -> Duration) -> f64 {
        secs(med(&self.runs, f))
    }
    fn ratio(&self, f: impl Fn(&Run) -> f64) -> f64 {
        med(&self.runs, f)
    }
    fn typst_report_peak(&self, r: &Run) -> Option<u64> {
        self.report_index().and_then(|i| r.typst_proc[i].1)
    }
    fn pipeline_over_serial(&self) -> f64 {
        self.ratio(|r| secs(r.pipeline) / secs(r.typst_sum()))
    }
    fn pipeline_over_serial_cpu(&self) -> f64 {
        self.ratio(|r| secs(r.pipeline_cpu) / secs(r.typst_cpu_sum()))
    }
    fn pipeline_over_slowest(&self) -> f64 {
        self.ratio(|r| secs(r.pipeline) / secs(r.typst_max()))
    }
    fn mem_all(&self) -> Option<f64> {
        med_opt(&self.runs, |r| ratio(r.process_peak, r.typst_peak()))
    }
    fn mem_report(&self) -> Option<f64> {
        med_opt(&self.runs, |r| ratio(r.only_report_peak, self.typst_report_peak(r)))
    }
    fn incremental_ratio(&self) -> f64 {
        self.ratio(|r| secs(r.incremental) / secs(r.pipeline))
    }
    fn batch(&self, f: impl Fn(&BatchRun) -> f64) -> Option<f64> {
        med_opt(&self.runs, |r| r.batch.as_ref().map(&f))
    }
}

/// The per-project block (the format this benchmark has always printed).
fn print_project(f: &Figures, runs: usize) {
    println!(
        "kooste benchmark: {} [{}] ({} runs, medians, caches emptied before each run)",
        f.root.display(),
        f.label,
        runs
    );
    println!("machine: {} cores", std::thread::available_parallelism().map_or(1, |n| n.get()));
    let batch_outputs = f.outputs.iter().filter(|o| o.name.contains('/')).count();
    for o in f.outputs.iter().filter(|o| !o.name.contains('/')) {
        println!("  output {}: {} pages, {} kB", o.name, o.pages, o.bytes / 1024);
    }
    if batch_outputs > 0 {
        let pages: Vec<usize> = f.outputs.iter().filter(|o| o.name.contains('/')).map(|o| o.pages).collect();
        println!(
            "  + {batch_outputs} batch outputs, {}–{} pages each",
            pages.iter().min().unwrap(),
            pages.iter().max().unwrap()
        );
    }
    println!();
    println!("{:<48} {:>8}", "stage", "seconds");
    println!("{:<48} {:>8.3}", "load + render + convert (before compiling)", f.secs(|r| r.prepare));
    for (k, o) in f.outputs.iter().enumerate().filter(|(_, o)| !o.name.contains('/')) {
        println!("{:<48} {:>8.3}", format!("typst alone: compile of `{}`", o.name), f.secs(|r| r.typst[k].0));
        println!("{:<48} {:>8.3}", format!("typst alone: compile + PDF of `{}`", o.name), f.secs(|r| r.typst[k].1));
    }
    if batch_outputs > 0 {
        let batch = |r: &Run| -> Duration {
            r.typst.iter().zip(&f.outputs).filter(|(_, o)| o.name.contains('/')).map(|(t, _)| t.1).sum()
        };
        println!(
            "{:<48} {:>8.3}",
            format!("typst alone: compile + PDF of {batch_outputs} batch outputs"),
            f.secs(batch)
        );
    }
    println!("{:<48} {:>8.3}", "typst alone: all outputs one after another", f.secs(Run::typst_sum));
    println!("{:<48} {:>8.3}", "kooste pipeline in process (outputs parallel)", f.secs(|r| r.pipeline));
    println!("{:<48} {:>8.3}", "kooste build process (cold start to PDFs)", f.secs(|r| r.process));
    println!();
    println!("ratio pipeline / typst alone, serial outputs:   {:.2}", f.pipeline_over_serial());
    println!("ratio pipeline / typst alone, slowest output:   {:.2}", f.pipeline_over_slowest());
    println!(
        "ratio process / typst alone, serial outputs:    {:.2}",
        f.ratio(|r| secs(r.process) / secs(r.typst_sum()))
    );
    println!();
}

fn mb(kb: Option<u64>) -> String {
    kb.map_or("n/a".into(), |k| format!("{:.0}", k as f64 / 1024.0))
}

fn ratio(a: Option<u64>, b: Option<u64>) -> Option<f64> {
    Some(a? as f64 / b? as f64)
}

fn fmt_ratio3(r: Option<f64>) -> String {
    r.map_or("n/a".into(), |r| format!("{r:.3}"))
}

/// Idle CPU over one second, in cores (from /proc/stat): how much of the
/// machine other work leaves free, for the parallel figures.
fn idle_cores() -> String {
    let sample = || -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let v: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
        Some((v.iter().sum(), v.get(3)? + v.get(4).unwrap_or(&0)))
    };
    let (Some((t0, i0)), _) = (sample(), std::thread::sleep(Duration::from_secs(1))) else { return "n/a".into() };
    let Some((t1, i1)) = sample() else { return "n/a".into() };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    format!("{:.2}", (i1 - i0) as f64 / (t1 - t0).max(1) as f64 * cores)
}

/// The 1, 5 and 15 minute load averages: other work on a shared machine.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn main() {
    // The child that compiles Typst alone (see examples/typst_alone.rs).
    if std::env::var_os(TYPST_ALONE_ENV).is_some() {
        let result = typst_alone::Args::parse(std::env::args().skip(1)).and_then(|a| typst_alone::run(&a));
        if let Err(e) = result {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
        return;
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = std::env::var_os("KOOSTE_BENCH_ROOT").map(PathBuf::from).unwrap_or_else(|| manifest.clone());
    let runs: usize = std::env::var("KOOSTE_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(5).max(1);
    let sizes: Vec<usize> = std::env::var("KOOSTE_BENCH_PAGES")
        .unwrap_or_else(|_| "100,400".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    // SAFETY: set before any other thread exists.
    unsafe { std::env::set_var("SOURCE_DATE_EPOCH", EPOCH.to_string()) };
    // Copies of the binaries: the target folder is shared, and a `cargo
    // build` elsewhere must not swap them in the middle of a run.
    let bins = tempfile::tempdir().unwrap();
    let exe = bins.path().join("kooste");
    std::fs::copy(env!("CARGO_BIN_EXE_kooste"), &exe).expect("the kooste binary (cargo bench builds it)");
    let self_exe = bins.path().join("typst-alone");
    std::fs::copy(std::env::current_exe().unwrap(), &self_exe).unwrap();
    let probe = mem_probe();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let load_before = loadavg();
    let idle_before = idle_cores();
    let generated = tempfile::tempdir().unwrap();
    let mut sources: Vec<(String, PathBuf)> = vec![("repository".into(), root.clone())];
    for &pages in &sizes {
        let dir = generated.path().join(format!("gen{pages}"));
        let s = genproject::generate(&dir, pages, &manifest).expect("generate a project");
        eprintln!("generated {pages}-page project: {} chapters, {} cases, {} words", s.chapters, s.cases, s.words);
        sources.push((format!("generated {pages}p"), dir));
    }
    let setups: Vec<Setup> = sources.iter().map(|(label, dir)| setup(label, dir)).collect();
    // Runs outside, projects inside: each run measures every project once,
    // so slow phases of a shared machine spread over all of them.
    let mut all: Vec<Vec<Run>> = setups.iter().map(|_| Vec::new()).collect();
    for i in 0..runs {
        for (k, s) in setups.iter().enumerate() {
            all[k].push(measure_run(s, i, probe, &exe, &self_exe));
        }
    }
    let figures: Vec<Figures> = setups
        .into_iter()
        .zip(all)
        .map(|(s, runs)| Figures { label: s.label, root: s.source, outputs: s.outputs, runs })
        .collect();

    for f in &figures {
        print_project(f, runs);
    }

    // The summary table.
    println!(
        "summary: {runs} runs per figure; times are medians, ratios are medians of the per-run ratios (both sides measured back to back); \
         {cores} cores ({}); peak memory from {}",
        cpu_model(),
        if probe == MemProbe::GnuTime { "/usr/bin/time %M (max RSS)" } else { "VmHWM in /proc/<pid>/status" }
    );
    let w = 50;
    print!("{:<w$}", "");
    for f in &figures {
        print!(" {:>16}", f.label);
    }
    println!();
    let row = |name: &str, cell: &dyn Fn(&Figures) -> String| {
        print!("{name:<w$}");
        for f in &figures {
            print!(" {:>16}", cell(f));
        }
        println!();
    };
    let t = |v: f64| format!("{v:.3}");
    let x = |v: f64| format!("{v:.2}");
    let opt = |v: Option<f64>, d: usize| v.map_or("-".into(), |v| format!("{v:.d$}"));
    row("report pages", &|f| f.report_pages().to_string());
    row("outputs (PDFs)", &|f| f.outputs.len().to_string());
    row("kooste build process, s", &|f| t(f.secs(|r| r.process)));
    row("kooste build --only report process, s", &|f| t(f.secs(|r| r.only_report)));
    row("pipeline in process, s", &|f| t(f.secs(|r| r.pipeline)));
    row("  of which load + render + convert, s", &|f| t(f.secs(|r| r.prepare)));
    row("typst alone in process, serial sum, s", &|f| t(f.secs(Run::typst_sum)));
    row("typst alone in process, slowest output, s", &|f| t(f.secs(Run::typst_max)));
    row("typst alone processes, serial sum, s", &|f| t(f.secs(Run::typst_proc_sum)));
    row("typst alone, own citations, serial sum, s", &|f| t(f.secs(Run::typst_cites_sum)));
    row("ratio pipeline / typst serial", &|f| x(f.pipeline_over_serial()));
    row("ratio pipeline / typst own citations serial", &|f| {
        x(f.ratio(|r| secs(r.pipeline) / secs(r.typst_cites_sum())))
    });
    row("ratio pipeline / typst slowest output", &|f| x(f.pipeline_over_slowest()));
    row("ratio process / typst processes serial", &|f| x(f.ratio(|r| secs(r.process) / secs(r.typst_proc_sum()))));
    row("CPU time: kooste build process, s", &|f| opt(med_opt(&f.runs, |r| r.process_cpu.map(secs)), 3));
    row("CPU time: typst alone processes, sum, s", &|f| opt(med_opt(&f.runs, |r| r.typst_proc_cpu_sum().map(secs)), 3));
    row("CPU time: pipeline in process, s", &|f| t(f.secs(|r| r.pipeline_cpu)));
    row("CPU time: typst alone in process, sum, s", &|f| t(f.secs(Run::typst_cpu_sum)));
    row("CPU ratio pipeline / typst alone", &|f| x(f.pipeline_over_serial_cpu()));
    row("CPU ratio pipeline / typst own citations", &|f| {
        x(f.ratio(|r| secs(r.pipeline_cpu) / secs(r.typst_cites_cpu_sum())))
    });
    row("CPU ratio process / typst alone processes", &|f| {
        opt(med_opt(&f.runs, |r| Some(secs(r.process_cpu?) / secs(r.typst_proc_cpu_sum()?))), 2)
    });
    row("peak RSS kooste build (all outputs), MB", &|f| {
        mb(med_opt(&f.runs, |r| r.process_peak.map(|k| k as f64)).map(|k| k as u64))
    });
    row("peak RSS kooste build --only report, MB", &|f| {
        mb(med_opt(&f.runs, |r| r.only_report_peak.map(|k| k as f64)).map(|k| k as u64))
    });
    row("peak RSS typst alone, report, MB", &|f| {
        mb(med_opt(&f.runs, |r| f.typst_report_peak(r).map(|k| k as f64)).map(|k| k as u64))
    });
    row("peak RSS typst alone, largest of outputs, MB", &|f| {
        mb(med_opt(&f.runs, |r| r.typst_peak().map(|k| k as f64)).map(|k| k as u64))
    });
    row("memory: build all / typst alone largest", &|f| opt(f.mem_all(), 3));
    row("memory: build --only report / typst report", &|f| opt(f.mem_report(), 3));
    row("watch path: rebuild after edit, s", &|f| t(f.secs(|r| r.incremental)));
    row("ratio rebuild / cold pipeline", &|f| x(f.incremental_ratio()));
    row("ratio rebuild / cold process", &|f| x(f.ratio(|r| secs(r.incremental) / secs(r.process))));
    row("case sheets (batch outputs)", &|f| f.outputs.iter().filter(|o| o.name.contains('/')).count().to_string());
    row("build --only cases, RAYON_NUM_THREADS=1, s", &|f| opt(f.batch(|b| secs(b.process_serial)), 3));
    row("build --only cases, default threads, s", &|f| opt(f.batch(|b| secs(b.process_parallel)), 3));
    row("batch speedup, process", &|f| opt(f.batch(|b| secs(b.process_serial) / secs(b.process_parallel)), 2));
    row("  CPU time serial / parallel, s", &|f| {
        format!(
            "{} / {}",
            opt(med_opt(&f.runs, |r| r.batch?.process_serial_cpu.map(secs)), 2),
            opt(med_opt(&f.runs, |r| r.batch?.process_parallel_cpu.map(secs)), 2)
        )
    });
    row("pipeline --only cases, 1-thread pool, s", &|f| opt(f.batch(|b| secs(b.pipeline_serial)), 3));
    row("pipeline --only cases, default pool, s", &|f| opt(f.batch(|b| secs(b.pipeline_parallel)), 3));
    row("batch speedup, in process", &|f| opt(f.batch(|b| secs(b.pipeline_serial) / secs(b.pipeline_parallel)), 2));
    row("typst alone, batch outputs serial, s", &|f| opt(f.batch(|b| secs(b.typst_serial)), 3));
    row("typst alone, batch outputs parallel, s", &|f| opt(f.batch(|b| secs(b.typst_parallel)), 3));
    row("batch speedup, typst alone", &|f| opt(f.batch(|b| secs(b.typst_serial) / secs(b.typst_parallel)), 2));
    println!();

    // Scaling, 400 pages against 100, run by run.
    let small = figures.iter().find(|f| f.label == "generated 100p");
    let large = figures.iter().find(|f| f.label == "generated 400p");
    let mut scaling = None;
    if let (Some(s), Some(l)) = (small, large) {
        let per_run = |g: &dyn Fn(&Run) -> f64| -> f64 {
            let mut v: Vec<f64> = s.runs.iter().zip(&l.runs).map(|(a, b)| g(b) / g(a)).collect();
            v.sort_by(|a, b| a.total_cmp(b));
            v[v.len() / 2]
        };
        println!(
            "scaling 400p / 100p (report pages {} / {} = {:.2}; medians of per-run ratios):",
            l.report_pages(),
            s.report_pages(),
            l.report_pages() as f64 / s.report_pages() as f64
        );
        println!("  kooste build process     {:.2}", per_run(&|r| secs(r.process)));
        println!("  pipeline in process      {:.2}", per_run(&|r| secs(r.pipeline)));
        println!("  pipeline, CPU time       {:.2}", per_run(&|r| secs(r.pipeline_cpu)));
        println!("  load + render + convert  {:.2}", per_run(&|r| secs(r.prepare)));
        println!("  typst alone, serial      {:.2}", per_run(&|r| secs(r.typst_sum())));
        println!("  typst alone, slowest     {:.2}", per_run(&|r| secs(r.typst_max())));
        println!("  typst alone, CPU time    {:.2}", per_run(&|r| secs(r.typst_cpu_sum())));
        println!("  typst, own citations     {:.2}", per_run(&|r| secs(r.typst_cites_sum())));
        println!("  peak RSS kooste build    {:.2}", per_run(&|r| r.process_peak.unwrap_or(1) as f64));
        println!();
        scaling = Some((per_run(&|r| secs(r.pipeline)), per_run(&|r| secs(r.pipeline_cpu))));
    }

    // Against the targets: a target is met when every project meets it.
    println!("{:<44} {:>8}  {:<34} verdict", "target", "limit", "measured (per project)");
    let verdict = |vals: &[Option<f64>], ok: &dyn Fn(f64) -> bool| {
        let known: Vec<f64> = vals.iter().flatten().copied().collect();
        if known.is_empty() {
            "n/a"
        } else if known.iter().all(|v| ok(*v)) {
            "met"
        } else {
            "MISSED"
        }
    };
    let target = |name: &str, limit: &str, vals: Vec<Option<f64>>, ok: &dyn Fn(f64) -> bool| {
        let shown: Vec<String> = vals.iter().map(|v| fmt_ratio3(*v)).collect();
        println!("{:<44} {:>8}  {:<34} {}", name, limit, shown.join(" / "), verdict(&vals, ok));
    };
    target(
        "pipeline / typst alone, serial outputs",
        "<= 1.10",
        figures.iter().map(|f| Some(f.pipeline_over_serial())).collect(),
        &|v| v <= 1.10,
    );
    target(
        "pipeline / typst alone, CPU time",
        "<= 1.10",
        figures.iter().map(|f| Some(f.pipeline_over_serial_cpu())).collect(),
        &|v| v <= 1.10,
    );
    target(
        "pipeline / typst alone, slowest output",
        "<= 1.10",
        figures.iter().map(|f| Some(f.pipeline_over_slowest())).collect(),
        &|v| v <= 1.10,
    );
    target("pipeline time 400p / 100p", "<= 4.5", vec![scaling.map(|s| s.0)], &|v| v <= 4.5);
    target("pipeline CPU time 400p / 100p", "<= 4.5", vec![scaling.map(|s| s.1)], &|v| v <= 4.5);
    target(
        "memory: build all / typst alone largest",
        "<= 1.10",
        figures.iter().map(Figures::mem_all).collect(),
        &|v| v <= 1.10,
    );
    target(
        "memory: --only report / typst report",
        "<= 1.10",
        figures.iter().map(Figures::mem_report).collect(),
        &|v| v <= 1.10,
    );
    target(
        "watch rebuild / cold pipeline",
        "<= 0.30",
        figures.iter().map(|f| Some(f.incremental_ratio())).collect(),
        &|v| v <= 0.30,
    );
    target(
        &format!("batch speedup (process), {cores} cores"),
        ">= 1.70",
        figures.iter().map(|f| f.batch(|b| secs(b.process_serial) / secs(b.process_parallel))).collect(),
        &|v| v >= 1.70,
    );
    target(
        &format!("batch speedup (in process), {cores} cores"),
        ">= 1.70",
        figures.iter().map(|f| f.batch(|b| secs(b.pipeline_serial) / secs(b.pipeline_parallel))).collect(),
        &|v| v >= 1.70,
    );
    target(
        "(reference) batch speedup, typst alone",
        ">= 1.70",
        figures.iter().map(|f| f.batch(|b| secs(b.typst_serial) / secs(b.typst_parallel))).collect(),
        &|v| v >= 1.70,
    );
    println!("load average before / after: {load_before} / {}", loadavg());
    println!("idle cores (of {cores}) over 1 s before / after: {idle_before} / {}", idle_cores());
    println!("(projects in order: {})", figures.iter().map(|f| f.label.as_str()).collect::<Vec<_>>().join(", "));
}
