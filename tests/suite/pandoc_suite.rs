//! Pandoc's own Markdown test suite (`test/testsuite.txt` in pandoc's
//! source), section by section, against Pandoc's HTML for it
//! (`test/writer.html5`).
//!
//! Pandoc is GPL, so its files are not in this repository: CI fetches
//! Debian's pandoc source package (`apt-get source --download-only pandoc`,
//! see `.ci/run`) and points `KOOSTE_PANDOC_TESTS` at its `test/` folder.
//! Without it this test says so and passes, except under CI (`CI=true`),
//! where it fails.
//!
//! Each section under a level-1 heading converts as `kooste convert` does,
//! in English (the suite's language) with smart punctuation, and compiles;
//! the text of its pages must equal the visible text of Pandoc's HTML for
//! the section, whitespace removed. The sections where kooste and Pandoc
//! agree are listed in [`AGREE`] and asserted; the others are printed with
//! the reason they differ ([`DIFFER`]), so a change in either shows.

use std::path::Path;
use std::sync::Arc;

use crate::conformance::html_text;
use crate::support::{frame_text, squash};
use kooste::compile::world::{ReportWorld, Shared};
use kooste::markdown::Dialect;
use typst_kit::datetime::Time;

/// Sections whose text kooste and Pandoc agree on.
const AGREE: &[&str] = &["Code Blocks", "Definition Lists", "Smart quotes, ellipses, dashes"];

/// Sections that differ, and why.
const DIFFER: &[(&str, &str)] = &[
    ("Headers", "the section holds a level-1 heading of its own, where this test splits Pandoc's HTML"),
    ("Paragraphs", "CommonMark (kooste) lets a list interrupt a paragraph, Pandoc does not"),
    ("Block Quotes", "CommonMark (kooste) lets a block quote interrupt a paragraph (`2\\n> 1.`), Pandoc does not"),
    ("Lists", "Pandoc's fancy list markers (A., i., (a), #.) are Pandoc's own; kooste numbers 1. and 1) lists"),
    ("HTML Blocks", "kooste drops raw HTML tags and keeps their text, where HTML output keeps the markup"),
    (
        "Inline Markup",
        "Pandoc's escaped space `\\ ` (a no-break space, allowed in `^a\\ b^`) is CommonMark's backslash",
    ),
    (
        "LaTeX",
        "kooste typesets the maths (Pandoc's HTML keeps display maths as TeX) and prints raw TeX (`\\cite`) with a warning",
    ),
    ("Special Characters", "HTML entities and the PDF's drawing of backslashes differ"),
    ("Links", "kooste prints a link's text; Pandoc's HTML keeps titles and reference-style forms it resolves"),
    ("Images", "missing images print kooste's placeholder [alt]; HTML shows none of its alt text"),
    ("Footnotes", "footnotes are laid out at the page foot, their numbers drawn twice"),
];

/// The suite's sections: (title, Markdown), split at `# ` headings, each
/// with the suite's link reference definitions (a section may use one
/// defined in another).
fn markdown_sections(text: &str) -> Vec<(String, String)> {
    let definitions: String = text
        .split_inclusive('\n')
        .filter(|l| l.trim_start().starts_with('[') && l.contains("]: ") && !l.contains("[^"))
        // Indented four spaces it is code; a title holding quotes is Pandoc's own.
        .filter(|l| !l.starts_with("    ") && l.matches('"').count() <= 2)
        .collect();
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(title) = line.strip_prefix("# ") {
            sections.push((title.trim().to_string(), format!("{definitions}\n")));
        }
        if let Some((_, body)) = sections.last_mut() {
            body.push_str(line);
        }
    }
    sections
}

/// Pandoc's HTML for each section: from its `<h1` to the next.
fn html_sections(html: &str) -> Vec<(String, String)> {
    let body = html.split("<body>").nth(1).unwrap_or(html);
    let body = body.split("<section class=\"footnotes").next().unwrap_or(body);
    body.split("<h1")
        .skip(1)
        .map(|part| {
            let title = part.split_once('>').map_or("", |(_, r)| r).split("</h1>").next().unwrap_or("");
            (squash(&html_text(title)), format!("<h1{part}"))
        })
        .collect()
}

#[test]
fn pandoc_test_suite_sections_keep_pandocs_text() {
    let Some(dir) = std::env::var_os("KOOSTE_PANDOC_TESTS").map(std::path::PathBuf::from) else {
        crate::support::cannot_check("KOOSTE_PANDOC_TESTS is not set (.ci/run sets it to pandoc's test/ folder)");
        return;
    };
    let (Ok(markdown), Ok(html)) =
        (std::fs::read_to_string(dir.join("testsuite.txt")), std::fs::read_to_string(dir.join("writer.html5")))
    else {
        crate::support::cannot_check(&format!("{} has no testsuite.txt and writer.html5", dir.display()));
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let root_path = root.path().canonicalize().unwrap();
    let shared = Arc::new(Shared::new(&root_path, Time::fixed_timestamp(0).unwrap()));
    let dialect = Dialect { lang: "en".into(), ..Dialect::default() };
    let expected = html_sections(&html);
    let mut agreed = Vec::new();
    for (title, md) in markdown_sections(&markdown) {
        let (typst, _) = kooste::cmd::convert::standalone_with(&root_path, Path::new("testsuite.md"), &md, &dialect);
        let typst = typst.replace("#set text(lang: \"fi\")", "#set text(lang: \"en\")");
        let world = ReportWorld::new(shared.clone(), "/pandoc-main.typ", typst);
        let doc = typst::compile::<typst_layout::PagedDocument>(&world).output;
        let doc =
            doc.unwrap_or_else(|e| panic!("section {title} does not compile: {:?}", e.first().map(|d| &d.message)));
        let mut got = String::new();
        for page in doc.pages() {
            frame_text(&page.frame, &mut got);
        }
        let got = squash(&got);
        let want = expected.iter().find(|(t, _)| *t == squash(&title)).map(|(_, h)| squash(&html_text(h)));
        let agrees = want.as_deref() == Some(got.as_str());
        let reason = DIFFER.iter().find(|(t, _)| *t == title).map(|(_, r)| *r);
        println!(
            "{title}: {}",
            if agrees { "agrees".to_string() } else { format!("differs ({})", reason.unwrap_or("?")) }
        );
        if agrees {
            agreed.push(title.clone());
        } else {
            println!("  got:  {got}\n  want: {}", want.unwrap_or_default());
        }
    }
    println!("pandoc test suite: {} sections agree", agreed.len());
    for title in AGREE {
        assert!(agreed.iter().any(|a| a == title), "section `{title}` no longer agrees with Pandoc (see above)");
    }
}
