//! Unit tests of the converter.

use std::path::Path;

use super::html::strip_tags;
use super::*;

fn convert(md: &str) -> Converted {
    let opts = ConvertOptions {
        path: Path::new("report/chapters/x.md"),
        source: md,
        line_map: &[],
        blocks: &[],
        label_prefix: "x",
        image_exists: &|_| true,
        missing_image: MissingImage::Error,
        resolve_citations: true,
    };
    to_typst(md, &opts)
}

#[test]
fn empty_link_destination_is_plain_text() {
    let out = convert("[link]() and [](<>)\n");
    assert!(!out.typst.contains("#link(\"\")"), "{}", out.typst);
    assert!(out.typst.contains("link and"), "{}", out.typst);
}

#[test]
fn strip_tags_reads_html_markup() {
    assert_eq!(strip_tags("<?php echo '>'; ?>okay"), "okay");
    assert_eq!(strip_tags("<a title=\"x>y\">link</a> 1 < 2"), "link 1 < 2");
    assert_eq!(strip_tags("<!-->a<!--->b<!-- c -->d<![CDATA[ e > f ]]>g"), "abdg");
    assert_eq!(strip_tags("<div id=\"foo\"\n*hi*\n"), "");
}

#[test]
fn citations_and_references() {
    let out = convert("See [@a; @b, s. 12] and @c and @sec-x, not a\\@b or x@y.\n");
    assert_eq!(out.citations.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
    assert_eq!(out.references[0].name, "sec-x");
    assert!(out.typst.contains("#cite(label(\"b\"), supplement: [s. 12])"), "{}", out.typst);
    assert!(out.typst.contains("#cite(label(\"c\"), form: \"prose\")"));
    assert!(out.typst.contains("a\\@b"));
}

#[test]
fn heading_attributes_define_labels() {
    let out = convert("# Johdanto {#sec-johdanto}\n");
    assert_eq!(out.defines[0].name, "sec-johdanto");
    assert!(out.typst.contains("#heading(level: 1)[Johdanto] #label(\"sec-johdanto\")"), "{}", out.typst);
}

#[test]
fn expression_followed_by_dot_is_terminated() {
    let out = convert("*a*.b and `c`(d)\n");
    assert!(out.typst.contains("#emph[a];.b"), "{}", out.typst);
    assert!(out.typst.contains("#raw(\"c\");(d)"), "{}", out.typst);
}

#[test]
fn critic_markup_renders_and_is_recorded() {
    let out = convert("A {>>note<<} and {~~old~>new~~} and {==mark==}.\n");
    let kinds: Vec<&str> = out.critic.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(kinds, ["note", "suggested deletion", "suggested insertion", "highlight"]);
    assert!(out.typst.contains("Huom.: note]]"), "{}", out.typst);
    // An unclosed mark is closed at the end of its paragraph, with a warning.
    let out = convert("Open {++never closed.\n");
    assert!(out.typst.ends_with("never closed.]]"), "{}", out.typst);
    assert_eq!(out.diagnostics.len(), 1);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let md = format!("{}deep\n", "> ".repeat(10_000));
    let out = convert(&md);
    assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
    assert!(out.diagnostics[0].message.contains("nested more than"));
}

#[test]
fn resolve_image_paths() {
    assert_eq!(
        resolve_image(Path::new("report/chapters/a.md"), "../figures/x.png").as_deref(),
        Some("/report/figures/x.png")
    );
    assert_eq!(resolve_image(Path::new("report/chapters/a.md"), "https://x/y.png"), None);
    assert_eq!(resolve_image(Path::new("report/a.md"), "../../../etc/passwd").as_deref(), Some("/../../etc/passwd"));
}
