//! Golden tests of the Markdown → Typst converter: each
//! `tests/golden/NAME.md` converts (as `kooste convert` does) to exactly
//! `tests/golden/NAME.typ`, and that Typst compiles without errors.
//!
//! On a mismatch the test prints a unified diff, expected (`-`) against got
//! (`+`). `UPDATE_GOLDEN=1 cargo test golden` rewrites the `.typ` files.

use similar::TextDiff;

use crate::support::{self, Typst};

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
        let (got, _problems) = support::convert_markdown(&dir, name, &md);
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
        if let Err(errors) = typst_world.compile("/golden-main.typ", got) {
            failures.push(format!("{name}: does not compile: {errors:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
