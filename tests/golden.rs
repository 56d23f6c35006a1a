//! Golden tests of the Markdown → Typst converter: each
//! `tests/golden/NAME.md` converts (as `kooste convert` does) to exactly
//! `tests/golden/NAME.typ`, and that Typst compiles without errors.
//! `UPDATE_GOLDEN=1 cargo test --test golden` rewrites the `.typ` files.

mod support;

use std::path::Path;
use std::sync::Arc;

use kooste::compile::world::{ReportWorld, Shared};
use typst_kit::datetime::Time;

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

    let shared = Arc::new(Shared::new(&dir, Time::fixed_timestamp(0).unwrap()));
    let mut failures = Vec::new();
    for name in names.iter().filter(|n| n.ends_with(".md")) {
        let md = std::fs::read_to_string(dir.join(name)).unwrap();
        let (typst, _warnings) = kooste::cmd::convert::standalone(&dir, Path::new(name), &md);
        let golden = dir.join(name.trim_end_matches(".md").to_string() + ".typ");
        if update {
            std::fs::write(&golden, &typst).unwrap();
        } else {
            let expected = std::fs::read_to_string(&golden).unwrap_or_default();
            if expected != typst {
                failures.push(format!("{name}: output differs from {}\n--- got ---\n{typst}", golden.display()));
            }
        }
        let world = ReportWorld::new(shared.clone(), "/golden-main.typ", typst);
        let result = typst::compile::<typst_layout::PagedDocument>(&world).output;
        if let Err(errors) = result {
            failures.push(format!(
                "{name}: does not compile: {:?}",
                errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
