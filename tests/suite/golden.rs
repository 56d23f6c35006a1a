//! Golden tests of the Markdown → Typst converter: each
//! `tests/golden/NAME.md` converts (as `kooste convert` does) to exactly
//! `tests/golden/NAME.typ`, and that Typst compiles without errors.
//!
//! The converter's problems are part of the golden file: a trailing block of
//! `// warning: NAME.md:line:col: message` comment lines (`// error: …` for
//! errors), so a new, lost or moved warning fails the test like changed
//! markup, and the file still compiles by hand.
//!
//! On a mismatch the test prints a unified diff, expected (`-`) against got
//! (`+`). `UPDATE_GOLDEN=1 cargo test golden` rewrites the `.typ` files.

use similar::TextDiff;

use crate::support::{self, Problem, Typst};

/// The golden text of one conversion: the Typst, then one comment line per
/// problem.
fn golden_text(typst: &str, problems: &[Problem]) -> String {
    let mut text = typst.to_string();
    if !problems.is_empty() {
        text.push('\n');
    }
    for p in problems {
        // A message with a line break continues on comment lines of its own.
        let message = p.message.replace('\n', "\n//   ");
        text.push_str(&format!("// {}: {}: {message}\n", p.severity, p.location));
    }
    text
}

#[test]
fn golden_files_match_and_compile() {
    let dir = support::repo().join("tests/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
    names.sort();

    // A .typ without its .md is a leftover: fail rather than ignore it.
    for name in names.iter().filter(|n| n.ends_with(".typ")) {
        let md = name.trim_end_matches(".typ").to_string() + ".md";
        assert!(names.contains(&md), "tests/golden/{name} has no {md}");
    }

    let typst_world = Typst::new(&dir.canonicalize().unwrap(), 0);
    let mut failures = Vec::new();
    for name in names.iter().filter(|n| n.ends_with(".md")) {
        let md = std::fs::read_to_string(dir.join(name)).unwrap();
        let (typst, problems) = support::convert_markdown(&dir, name, &md);
        let got = golden_text(&typst, &problems);
        let typ = name.trim_end_matches(".md").to_string() + ".typ";
        let golden = dir.join(&typ);
        if update {
            std::fs::write(&golden, &got).unwrap();
        } else {
            match std::fs::read_to_string(&golden) {
                Err(_) => failures.push(format!("{name}: no tests/golden/{typ} (UPDATE_GOLDEN=1 writes it)")),
                Ok(expected) if expected != got => {
                    let diff = TextDiff::from_lines(&expected, &got)
                        .unified_diff()
                        .context_radius(3)
                        .header(&format!("tests/golden/{typ} (expected)"), &format!("{name} converted (got)"))
                        .to_string();
                    failures.push(format!("{name}: the conversion differs from tests/golden/{typ}\n{diff}"));
                }
                Ok(_) => {}
            }
        }
        // The golden file as written, comment block included, compiles.
        if let Err(errors) = typst_world.compile("/golden-main.typ", got) {
            failures.push(format!("{name}: does not compile: {errors:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The comment block is what the test compares: a warning changes the golden
/// text, and the text still parses as Typst with nothing visible added.
#[test]
fn golden_text_keeps_problems_as_trailing_comments() {
    let problems = [
        Problem { severity: "warning", location: "a.md:3:1".into(), message: "raw HTML `<b>` is dropped".into() },
        Problem { severity: "error", location: "a.md:4:2".into(), message: "two\nlines".into() },
    ];
    let text = golden_text("Text\n", &problems);
    assert_eq!(text, "Text\n\n// warning: a.md:3:1: raw HTML `<b>` is dropped\n// error: a.md:4:2: two\n//   lines\n");
    assert_eq!(golden_text("Text\n", &[]), "Text\n");
    let root = typst::syntax::parse(&text);
    assert!(root.errors_and_warnings().0.is_empty());
}
