//! `kooste watch` on a copy of the sample: each kind of edit reaches the
//! PDF, through the watch build's reuse of unchanged outputs and of
//! unchanged conversions, and a broken edit leaves the last good PDF.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::*;

/// A running `kooste watch` and everything it has printed.
struct Watch {
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Watch {
    fn start(p: &TempProject) -> Watch {
        let mut child =
            p.command(&["watch"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("kooste watch starts");
        let log = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut log = log.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        let watch = Watch { child, log };
        watch.wait_for_builds(1);
        watch
    }

    fn builds(&self) -> usize {
        self.log.lock().unwrap().matches("Waiting for changes").count()
    }

    /// Waits until `n` builds have finished (at most a minute).
    #[track_caller]
    fn wait_for_builds(&self, n: usize) {
        let start = Instant::now();
        while self.builds() < n {
            assert!(start.elapsed() < Duration::from_secs(60), "no build {n}; the log:\n{}", self.log.lock().unwrap());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Makes an edit with `edit` and waits for the builds it starts: at
    /// least one, and then until no other follows for half a second (a
    /// watcher may see a file's truncation and its writing apart).
    #[track_caller]
    fn after(&self, edit: impl FnOnce()) -> String {
        let before = self.builds();
        let from = self.log.lock().unwrap().len();
        // File times have a coarse grain on some file systems.
        std::thread::sleep(Duration::from_millis(20));
        edit();
        self.wait_for_builds(before + 1);
        loop {
            let seen = self.builds();
            std::thread::sleep(Duration::from_millis(500));
            if self.builds() == seen {
                break;
            }
        }
        self.log.lock().unwrap()[from..].to_string()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn every_kind_of_edit_reaches_the_pdf() {
    let p = TempProject::fixture("sample");
    let watch = Watch::start(&p);
    let report = p.path().join(REPORT);
    assert!(pdf_text(&report).contains("Johdanto"), "the first build wrote the report");

    // A chapter's text.
    let log = watch.after(|| p.append(CHAPTER, "\nVAHTITESTI ensimmäinen lisäys.\n"));
    assert!(log.contains("wrote out/report.pdf"), "{log}");
    assert!(fold(&pdf_text(&report)).contains("VAHTITESTI ensimmäinen lisäys."));

    // A dataset the chapter's table shows: the chapter itself is unchanged,
    // so its conversion must not be reused.
    let csv = p.read_string(CSV).replace("Alfa *tähti*", "Gamma *uusi*");
    let log = watch.after(|| p.write(CSV, &csv));
    assert!(log.contains("wrote out/report.pdf"), "{log}");
    assert!(fold(&pdf_text(&report)).contains("Gamma *uusi*"), "the table shows the new row");

    // A case's front matter, which other documents' templates may read.
    let case = "report/cases/01-alfa.md";
    let front = p.read_string(case);
    let name = front.lines().find_map(|l| l.strip_prefix("name: ")).expect("the case has a name").to_string();
    let renamed = front.replacen(&format!("name: {name}"), "name: Uusi tapausnimi", 1);
    watch.after(|| p.write(case, &renamed));
    assert!(fold(&pdf_text(&report)).contains("Uusi tapausnimi"), "the case's new name is printed");

    // A broken edit reports its line and keeps the last good PDF.
    let good = std::fs::read(&report).unwrap();
    let log = watch.after(|| p.append(CHAPTER, "\n{{ table(\"ei-ole\") }}\n"));
    assert!(log.contains(&format!("{CHAPTER}:")) && log.contains("error"), "{log}");
    assert_eq!(std::fs::read(&report).unwrap(), good, "the last good PDF stays");

    // Mended, the next build writes again.
    let text = p.read_string(CHAPTER).replace("\n{{ table(\"ei-ole\") }}\n", "\nVAHTITESTI korjattu.\n");
    let log = watch.after(|| p.write(CHAPTER, &text));
    assert!(log.contains("wrote out/report.pdf"), "{log}");
    assert!(fold(&pdf_text(&report)).contains("VAHTITESTI korjattu."));
}

/// A copy of the sample fixture with the repository's templates, loaded.
fn sample() -> (TempProject, kooste::load::project::Project) {
    let p = TempProject::fixture("sample");
    let project = kooste::load::project::Project::load(Some(p.path())).unwrap();
    (p, project)
}

fn reused(report: &kooste::report::RunReport) -> Vec<(String, bool)> {
    report.outputs.iter().map(|o| (o.name.clone(), o.reused)).collect()
}

/// The pipeline with one session for several builds, as `kooste watch`
/// runs it: an unchanged output keeps its PDF.
#[test]
fn watch_builds_compile_only_what_changed() {
    use kooste::diagnostics::has_errors;
    use kooste::pipeline::run_in;
    use kooste::session::Session;
    use kooste::settings::{Mode, Settings};

    let (p, project) = sample();
    let settings = Settings { watch: true, epoch: Some(1_582_848_000), ..Settings::new(Mode::Build) };
    let mut session = Session::default();
    let first = run_in(&project, &settings, &mut session).unwrap();
    assert!(!has_errors(&first.diagnostics), "{:?}", first.diagnostics);
    assert!(first.outputs.iter().all(|o| !o.reused && o.path.is_file()));

    // An edit to one chapter: only the report compiles again.
    let chapter = std::fs::read_dir(p.path().join("report/chapters")).unwrap().flatten().next().unwrap().path();
    let mut text = std::fs::read_to_string(&chapter).unwrap();
    text.push_str("\nLisätty kappale.\n");
    std::fs::write(&chapter, text).unwrap();
    let second = run_in(&project, &settings, &mut session).unwrap();
    let changed: Vec<String> = reused(&second).into_iter().filter(|(_, r)| !r).map(|(n, _)| n).collect();
    assert_eq!(changed, ["report"], "{:?}", reused(&second));

    // A style file every output reads: everything compiles again.
    let style = p.path().join("templates/style.typ");
    let mut text = std::fs::read_to_string(&style).unwrap();
    text.push_str("\n// changed\n");
    std::fs::write(&style, text).unwrap();
    let third = run_in(&project, &settings, &mut session).unwrap();
    assert!(third.outputs.iter().all(|o| !o.reused), "{:?}", reused(&third));

    // A plain build reuses nothing.
    let plain = Settings { watch: false, ..settings };
    let fourth = run_in(&project, &plain, &mut session).unwrap();
    assert!(fourth.outputs.iter().all(|o| !o.reused), "{:?}", reused(&fourth));
}
