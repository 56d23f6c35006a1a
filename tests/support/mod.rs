//! What every area of the integration tests shares: temporary copies of
//! fixture projects, runs of the real binary, assertions on a run's outcome,
//! and the two library calls that golden, conformance and property tests
//! cannot avoid ([`convert_markdown`] and [`Typst::compile`]).
//!
//! Invariants of a run: `SOURCE_DATE_EPOCH` is pinned (the stamp and the
//! document date are those of 28 February 2020), git stops at the project
//! folder (a fixture is no checkout), and `build` / `check` print the short
//! diagnostic format, `path:line:col: error: message`, one problem a line.
//! System fonts need no pinning: kooste loads only typst's embedded fonts and
//! `report/fonts/` (see `Shared::new` in `src/world.rs`), never the system's.
//!
//! The library calls live here alone so that a module moved in `src/` is a
//! one-line fix in this file; everything else goes through the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

/// `SOURCE_DATE_EPOCH` of every run: 2020-02-28 00:00:00 UTC.
pub const EPOCH: &str = "1582848000";

/// The report PDF of the sample fixture, relative to its root.
pub const REPORT: &str = "out/report.pdf";
/// The brief PDF of the sample fixture.
pub const BRIEF: &str = "out/policy-brief.pdf";
/// The sample fixture's first chapter, the usual place to break things.
pub const CHAPTER: &str = "report/chapters/01-johdanto.md";
/// The sample fixture's one CSV file.
pub const CSV: &str = "data/verkostot.csv";

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The kooste binary with the pinned environment, and no arguments yet.
pub fn kooste() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kooste"));
    cmd.env("SOURCE_DATE_EPOCH", EPOCH);
    cmd
}

// ----- projects ---------------------------------------------------------------

/// A fixture project copied into `<temp>/project`, with the repository's
/// templates, so tests exercise the real templates. The temporary folder
/// around it ([`TempProject::outside`]) is outside the project root and is
/// removed with it: the place for files the sandbox must not let through.
pub struct TempProject {
    /// Holds the project folder; removed on drop.
    dir: tempfile::TempDir,
    /// `<dir>/project`, canonical, so it matches the paths kooste prints.
    root: PathBuf,
}

impl TempProject {
    /// Copies `tests/fixtures/<name>` and `templates/`.
    pub fn fixture(name: &str) -> TempProject {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("canonical temp dir").join("project");
        copy_dir(&repo().join("tests/fixtures").join(name), &root);
        copy_dir(&repo().join("templates"), &root.join("templates"));
        TempProject { dir, root }
    }

    /// Copies `tests/fixtures/broken/<name>/` over the project: each broken
    /// fixture holds the few whole files of `sample` that carry its one defect.
    #[track_caller]
    pub fn overlay(&self, name: &str) {
        let overlay = repo().join("tests/fixtures/broken").join(name);
        assert!(overlay.is_dir(), "no broken fixture {}", overlay.display());
        copy_dir(&overlay, &self.root);
    }

    /// The project root.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The temporary folder holding the project: outside its root.
    pub fn outside(&self) -> &Path {
        self.root.parent().unwrap_or(self.dir.path())
    }

    /// `kooste ARGS`, plus `--root <project> --diagnostic-format short` for
    /// the project commands `build` and `check`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = kooste();
        cmd.args(args);
        if matches!(args.first(), Some(&"build") | Some(&"check") | Some(&"watch")) {
            cmd.arg("--root").arg(self.path()).arg("--diagnostic-format").arg("short");
        }
        // The fixture is no git checkout: the stamp must not depend on the
        // repository the tests run in.
        cmd.env("GIT_CEILING_DIRECTORIES", self.outside());
        cmd
    }

    /// Runs [`TempProject::command`] to the end.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run kooste")
    }

    /// The report and brief PDFs as they are now.
    pub fn pdfs(&self) -> (Vec<u8>, Vec<u8>) {
        (self.read(REPORT), self.read(BRIEF))
    }

    /// Rebuilds a broken project: must fail with exit 1 and exactly the
    /// error lines `expected`, and leave the PDFs of the last good build
    /// (`before`, from [`TempProject::pdfs`]) untouched.
    #[track_caller]
    pub fn rebuild_fails(&self, before: &(Vec<u8>, Vec<u8>), expected: &[&str]) -> Output {
        let out = self.run(&["build"]);
        must_fail_with(&out, 1, expected);
        assert!(*before == self.pdfs(), "a failed build changed the PDFs");
        out
    }

    /// Appends `text` to the project file `rel`.
    pub fn append(&self, rel: &str, text: &str) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).open(self.path().join(rel)).expect("open for append");
        f.write_all(text.as_bytes()).expect("append");
    }

    /// Appends raw `bytes` to the project file `rel` as new lines of their
    /// own (after a blank line when `paragraph`), and returns the 1-based
    /// line on which `bytes` start.
    pub fn append_lines(&self, rel: &str, bytes: &[u8], paragraph: bool) -> usize {
        let mut content = self.read(rel);
        if !content.is_empty() && !content.ends_with(b"\n") {
            content.push(b'\n');
        }
        if paragraph {
            content.push(b'\n');
        }
        let line = content.iter().filter(|&&b| b == b'\n').count() + 1;
        content.extend_from_slice(bytes);
        std::fs::write(self.path().join(rel), content).expect("write");
        line
    }

    /// The bytes of project file `rel`; empty when it does not exist.
    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.path().join(rel)).unwrap_or_default()
    }

    /// The text of project file `rel`, which must exist and be UTF-8.
    #[track_caller]
    pub fn read_string(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Writes project file `rel`, creating its folders.
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// The 1-based number of the first line of `rel` that contains `needle`.
    #[track_caller]
    pub fn line_of(&self, rel: &str, needle: &str) -> usize {
        let text = self.read_string(rel);
        text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{rel} has no line with {needle:?}")) + 1
    }
}

/// The sample fixture, built: the last good PDFs that a broken build
/// afterwards must leave alone.
pub fn built() -> TempProject {
    let p = TempProject::fixture("sample");
    must_succeed(&p.run(&["build"]));
    p
}

/// Copies the folder `from` into `to`, skipping any `out/` (built PDFs).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() == "out" {
                continue;
            }
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

// ----- outcomes ---------------------------------------------------------------

/// Standard error of a run, lossily decoded.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The last lines of a long text, for failure messages.
pub fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// The process ended on its own (no signal such as SIGABRT from a stack
/// overflow) and printed no panic.
#[track_caller]
pub fn no_crash(out: &Output) {
    let err = stderr(out);
    assert!(out.status.code().is_some(), "kooste was killed by a signal ({:?}); stderr:\n{}", out.status, tail(&err));
    assert!(!err.contains("panicked"), "kooste panicked:\n{}", tail(&err));
    assert!(!err.contains("overflowed its stack"), "kooste overflowed its stack:\n{}", tail(&err));
}

/// Exit 0 without a crash.
#[track_caller]
pub fn must_succeed(out: &Output) {
    no_crash(out);
    assert_eq!(out.status.code(), Some(0), "kooste failed; stderr:\n{}", tail(&stderr(out)));
}

/// Exactly exit `code` (1: problems in the input, 2: usage or I/O), without
/// a crash.
#[track_caller]
pub fn must_fail(out: &Output, code: i32) {
    no_crash(out);
    assert_eq!(out.status.code(), Some(code), "unexpected exit code; stderr:\n{}", tail(&stderr(out)));
}

/// Standard error has a line that is exactly `line` (trailing spaces aside):
/// a whole `path:line:col: error: message`, never a fragment of one.
#[track_caller]
pub fn must_contain(out: &Output, line: &str) {
    let err = stderr(out);
    assert!(err.lines().any(|l| l.trim_end() == line), "stderr has no line\n  {line}\nstderr:\n{}", tail(&err));
}

/// The `error:` lines of the short format (`path:line:col: error: …` and
/// `error: …` for application errors), in order.
pub fn errors(out: &Output) -> Vec<String> {
    stderr(out)
        .lines()
        .filter(|l| l.starts_with("error: ") || l.contains(": error: "))
        .map(|l| l.trim_end().to_string())
        .collect()
}

/// Exit `code`, and the errors printed are exactly `expected`, in order:
/// each problem reported once, at its place, and nothing else failing.
#[track_caller]
pub fn must_fail_with(out: &Output, code: i32, expected: &[&str]) {
    must_fail(out, code);
    assert_eq!(errors(out), expected, "the errors differ; stderr:\n{}", tail(&stderr(out)));
}

// ----- PDFs -------------------------------------------------------------------

/// The text of a PDF, through poppler's pdftotext (installed by .ci/run).
#[track_caller]
pub fn pdf_text(path: &Path) -> String {
    pdf_text_of_pages(path, None)
}

/// The text of pages `first..=last` of a PDF (all pages for `None`).
#[track_caller]
pub fn pdf_text_of_pages(path: &Path, pages: Option<(usize, usize)>) -> String {
    let mut cmd = Command::new("pdftotext");
    cmd.arg("-enc").arg("UTF-8");
    if let Some((first, last)) = pages {
        cmd.arg("-f").arg(first.to_string()).arg("-l").arg(last.to_string());
    }
    let out = cmd
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext is needed for PDF text checks (apt-get install poppler-utils)");
    assert!(out.status.success(), "pdftotext failed on {}", path.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The page count of a PDF, through poppler's pdfinfo.
#[track_caller]
pub fn pdf_pages(path: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(path).output().expect("pdfinfo (poppler-utils) is needed");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in pdfinfo output:\n{text}"))
}

/// Whitespace folded to single spaces, for comparing extracted text.
pub fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ----- the library: the only calls into kooste's modules ----------------------

/// One problem the converter reported.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// `path:line:col` in the converted file.
    pub location: String,
    pub message: String,
}

/// Converts Markdown `text`, known as `path` relative to `root`, to a
/// standalone Typst document exactly as `kooste convert` does; with the
/// converter's problems.
pub fn convert_markdown(root: &Path, path: &str, text: &str) -> (String, Vec<Problem>) {
    convert_markdown_with(root, path, text, &kooste::markdown::Dialect::default())
}

/// [`convert_markdown`] with smart punctuation off: the CommonMark and GFM
/// specifications compare literal text, and Pandoc's `smart` is not theirs.
pub fn convert_markdown_literal(root: &Path, path: &str, text: &str) -> (String, Vec<Problem>) {
    let dialect = kooste::markdown::Dialect { smart: false, ..Default::default() };
    convert_markdown_with(root, path, text, &dialect)
}

fn convert_markdown_with(
    root: &Path,
    path: &str,
    text: &str,
    dialect: &kooste::markdown::Dialect,
) -> (String, Vec<Problem>) {
    let (typst, diags) = kooste::cmd::convert::standalone_with(root, Path::new(path), text, dialect);
    let problems = diags
        .iter()
        .map(|d| Problem {
            severity: if d.is_error() { "error" } else { "warning" },
            location: d.location(text),
            message: d.message.clone(),
        })
        .collect();
    (typst, problems)
}

/// The embedded Typst compiler in kooste's sandboxed world rooted at one
/// folder, with fonts loaded once for every compile.
pub struct Typst {
    shared: Arc<kooste::compile::world::Shared>,
}

impl Typst {
    /// A world rooted at `root` (canonical), with the date at `epoch`.
    pub fn new(root: &Path, epoch: i64) -> Typst {
        let time = typst_kit::datetime::Time::fixed_timestamp(epoch).expect("valid timestamp");
        Typst { shared: Arc::new(kooste::compile::world::Shared::new(root, time)) }
    }

    /// Compiles `text` as the main file `vpath` (e.g. `/main.typ`): the
    /// document, or the error messages.
    pub fn compile(&self, vpath: &str, text: String) -> Result<typst_layout::PagedDocument, Vec<String>> {
        let world = kooste::compile::world::ReportWorld::new(self.shared.clone(), vpath, text);
        typst::compile::<typst_layout::PagedDocument>(&world)
            .output
            .map_err(|errors| errors.iter().map(|e| e.message.to_string()).collect())
    }
}

/// The text of a laid-out frame, in reading order, appended to `out`
/// (pieces run together: compare it [`squash`]ed).
pub fn frame_text(frame: &typst::layout::Frame, out: &mut String) {
    for (_, item) in frame.items() {
        match item {
            typst::layout::FrameItem::Group(group) => frame_text(&group.frame, out),
            typst::layout::FrameItem::Text(text) => out.push_str(&text.text),
            _ => {}
        }
    }
}

/// `s` with every whitespace character removed, for comparing texts that
/// a PDF and an HTML page break and space differently.
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A test that cannot check something because `what` is missing: under CI
/// (`CI=true`, as `.ci/run` runs) that is a failure, since CI installs every
/// tool and fetches every file the tests need; elsewhere the test says so
/// and goes on without that check.
pub fn cannot_check(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("cannot check under CI: {what} (.ci/run must install or fetch it)");
    }
    println!("skipped: {what}");
}

/// Runs `git -C root ARGS` as a test's committer; it must succeed.
#[track_caller]
pub fn git(root: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Makes `root` a git repository with everything in it committed.
pub fn git_init_commit(root: &Path) {
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "one"]);
}
