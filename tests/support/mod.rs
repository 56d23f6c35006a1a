//! Helpers shared by the integration tests: temporary copies of fixture
//! projects and runs of the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture project copied into a temporary folder, with the repository's
/// templates, so tests exercise the real templates.
pub struct TempProject {
    pub dir: tempfile::TempDir,
}

impl TempProject {
    /// Copies `tests/fixtures/<name>` and `templates/`.
    pub fn fixture(name: &str) -> TempProject {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(&repo().join("tests/fixtures").join(name), dir.path());
        copy_dir(&repo().join("templates"), &dir.path().join("templates"));
        TempProject { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `kooste ARGS --root <project>` (the root flag only for
    /// project commands).
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kooste"));
        cmd.args(args);
        if matches!(args.first(), Some(&"build") | Some(&"check")) {
            cmd.arg("--root").arg(self.path()).arg("--diagnostic-format").arg("short");
        }
        // The fixture is no git checkout: the stamp must not depend on the
        // repository the tests run in.
        cmd.env("GIT_CEILING_DIRECTORIES", self.path().parent().unwrap_or(self.path()));
        cmd.env("SOURCE_DATE_EPOCH", "1582848000");
        cmd.output().expect("run kooste")
    }

    /// Appends `text` to the project file `rel`.
    pub fn append(&self, rel: &str, text: &str) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).open(self.path().join(rel)).expect("open for append");
        f.write_all(text.as_bytes()).expect("append");
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.path().join(rel)).unwrap_or_default()
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

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

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
pub fn must_succeed(out: &Output) {
    assert!(out.status.success(), "kooste failed ({:?}):\n{}", out.status.code(), stderr(out));
}

#[track_caller]
pub fn must_fail_with(out: &Output, code: i32, needle: &str) {
    assert_eq!(out.status.code(), Some(code), "unexpected exit code; stderr:\n{}", stderr(out));
    assert!(stderr(out).contains(needle), "stderr lacks `{needle}`:\n{}", stderr(out));
}

/// The text of a PDF, through poppler's pdftotext (installed by .ci/run).
#[track_caller]
pub fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
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
