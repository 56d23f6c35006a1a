//! The HTML editions in a real browser (`tests/browser/check.cjs`: Debian's
//! chromium through puppeteer-core, with axe-core): no WCAG 2.1 A/AA
//! violation and none of axe's best practices (content outside landmarks,
//! skipped heading levels), no request off the file system, no sideways scrolling of the
//! page at 320 px, no in-page link to nowhere, every figure with a text
//! alternative, every table with header cells, and the same contents and
//! figure captions as the PDF of the same output.
//!
//! `.ci/run` installs chromium and the npm packages and points
//! `KOOSTE_BROWSER_TESTS` at their folder; elsewhere the test says it cannot
//! check (and fails under CI).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// The folder holding `node_modules/` with puppeteer-core and axe-core.
fn browser_tools() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("KOOSTE_BROWSER_TESTS")?);
    (dir.join("node_modules/puppeteer-core").is_dir() && Path::new("/usr/bin/chromium").exists()).then_some(dir)
}

/// What chromium saw of the page `html`.
fn in_browser(tools: &Path, html: &Path, shots: Option<&Path>) -> serde_json::Value {
    let mut cmd = Command::new("node");
    cmd.arg(repo().join("tests/browser/check.cjs")).arg(html).env("NODE_PATH", tools.join("node_modules"));
    if let Some(dir) = shots {
        cmd.arg(dir);
    }
    let out = cmd.output().expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|_| panic!("check.cjs: {text}\n{}", stderr(&out)))
}

/// The titles of a PDF's bookmarks, depth first.
fn bookmarks(pdf: &Path) -> Vec<String> {
    let out = Command::new("qpdf").args(["--json=2", "--json-key=outlines"]).arg(pdf).output().expect("qpdf runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("qpdf's JSON");
    fn walk(items: &serde_json::Value, out: &mut Vec<String>) {
        for item in items.as_array().into_iter().flatten() {
            out.push(item["title"].as_str().unwrap_or_default().to_string());
            walk(&item["kids"], out);
        }
    }
    let mut titles = Vec::new();
    walk(&json["outlines"], &mut titles);
    titles
}

/// The figure and table numbers a text gives captions for ("Taulukko 3.1:").
fn caption_numbers(text: &str) -> std::collections::BTreeSet<String> {
    let words = ["Taulukko ", "Kuvio "];
    let mut out = std::collections::BTreeSet::new();
    for word in words {
        for (at, _) in text.match_indices(word) {
            let rest = &text[at + word.len()..];
            let number: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            if !number.is_empty() && rest[number.len()..].starts_with(':') {
                out.insert(format!("{word}{number}"));
            }
        }
    }
    out
}

/// Every check of one page; `pdf` is the PDF of the same output, whose
/// contents (bookmarks) and captions the page must show.
#[track_caller]
fn assert_accessible(seen: &serde_json::Value, pdf: &Path, contents: bool) {
    let name = pdf.display();
    assert_eq!(seen["violations"], serde_json::json!([]), "{name}: axe violations");
    assert_eq!(seen["external"], serde_json::json!([]), "{name}: requests off the file system");
    assert_eq!(seen["overflow_320"], false, "{name}: the page scrolls sideways at 320 px");
    assert_eq!(seen["broken_links"], serde_json::json!([]), "{name}: in-page links to nowhere");
    assert_eq!(seen["figures_without_alt"], 0, "{name}: figures without a text alternative");
    assert_eq!(seen["tables_without_th"], 0, "{name}: tables without header cells");
    assert_eq!(seen["th_without_scope"], 0, "{name}: header cells without scope");
    assert_eq!(seen["h1"], 1, "{name}: one h1");
    assert_eq!(seen["lang"], "fi", "{name}: the root's lang");
    assert_eq!(seen["skip_link"], true, "{name}: a skip link");
    let captions: Vec<&str> = seen["figcaptions"].as_array().unwrap().iter().filter_map(|c| c.as_str()).collect();
    assert_eq!(caption_numbers(&captions.join(" ")), caption_numbers(&pdf_text(pdf)), "{name}: figures and tables");
    if contents {
        let nav: Vec<String> =
            seen["contents"].as_array().unwrap().iter().filter_map(|c| c.as_str().map(str::to_string)).collect();
        assert_eq!(nav, bookmarks(pdf), "{name}: the contents are the PDF's bookmarks");
    }
}

#[test]
fn the_studys_web_editions_pass_in_a_browser() {
    let Some(tools) = browser_tools() else {
        cannot_check("KOOSTE_BROWSER_TESTS (npm puppeteer-core and axe-core) and /usr/bin/chromium");
        return;
    };
    let out_dir = tempfile::tempdir().unwrap();
    let out = kooste().args(["build", "--root"]).arg(repo()).arg("--out").arg(out_dir.path()).output().unwrap();
    must_succeed(&out);
    let shots = std::env::var_os("KOOSTE_SHOTS").map(PathBuf::from);
    let report = in_browser(&tools, &out_dir.path().join("report.html"), shots.as_deref());
    assert_accessible(&report, &out_dir.path().join("report.pdf"), true);
    let langs: Vec<&str> = report["marked_langs"].as_array().unwrap().iter().filter_map(|l| l.as_str()).collect();
    assert!(langs.contains(&"sv") && langs.contains(&"en"), "the abstracts in their languages: {langs:?}");
    let brief = in_browser(&tools, &out_dir.path().join("policy-brief.html"), None);
    assert_accessible(&brief, &out_dir.path().join("policy-brief.pdf"), false);
    // A draft says so; the page is one file that holds its stylesheet.
    let html = std::fs::read_to_string(out_dir.path().join("report.html")).unwrap();
    assert!(html.contains("class=\"kooste-banner\"") && html.contains("<style>") && html.contains("DC.title"));
}

/// A final build's web edition has no draft marks (the study with the
/// series office's numbers filled in).
#[test]
fn a_final_web_edition_has_no_draft_marks() {
    let dir = tempfile::tempdir().unwrap();
    for part in ["report", "data", "templates"] {
        copy_dir(&repo().join(part), &dir.path().join(part));
    }
    let config = std::fs::read_to_string(dir.path().join("report/report.toml")).unwrap();
    let config = config
        .replace("isbn = \"\"", "isbn = \"978-952-00-0000-4\"")
        .replace("issn = \"\"", "issn = \"2342-6799\"")
        .replace("urn = \"\"", "urn = \"URN:ISBN:978-952-00-0000-4\"")
        .replace("number = \"00/2020\"", "number = \"1/2020\"")
        .replace("project-number = \"\"", "project-number = \"VN/0000/2019\"");
    std::fs::write(dir.path().join("report/report.toml"), config).unwrap();
    let out = kooste().args(["build", "--final", "--only", "report-web", "--root"]).arg(dir.path()).output().unwrap();
    must_succeed(&out);
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(!html.contains("class=\"kooste-banner\"") && !html.contains("LUONNOS"), "draft marks in a final edition");
    assert!(!html.contains("class=\"kooste-critic\"") && !html.contains("noindex"));
    assert!(html.contains("content=\"ISBN 978-952-00-0000-4\""), "the identifiers in <head>");
    // The colophon at the foot: identifiers, the licence with its deed, the disclaimer.
    let colophon = &html[html.find("class=\"kooste-colophon\"").expect("a colophon")..];
    for want in
        ["978-952-00-0000-4", "https://creativecommons.org/licenses/by/4.0/deed.fi", "valtioneuvoston näkemystä"]
    {
        assert!(colophon.replace('\u{ad}', "").contains(want), "the colophon lacks {want}: {colophon}");
    }
}

/// Quarto's `when-format` divs: the web page has what is for HTML, the PDF
/// what is for PDF, from one build.
#[test]
fn when_format_divs_go_to_their_format() {
    let p = TempProject::fixture("sample");
    p.append(
        "report/report.toml",
        "\n[[output]]\nname = \"report-web\"\nformat = \"html\"\ntemplate = \"report.html.typ.j2\"\nfile = \"report.html\"\n",
    );
    p.append_lines(
        CHAPTER,
        b"::: {.content-visible when-format=\"html\"}\nVain verkkosivulla.\n:::\n\n::: {.content-visible when-format=\"pdf\"}\nVain PDF-tiedostossa.\n:::\n",
        true,
    );
    must_succeed(&p.run(&["build"]));
    let html = std::fs::read_to_string(p.path().join("out/report.html")).unwrap();
    assert!(html.contains("Vain verkkosivulla.") && !html.contains("Vain PDF-tiedostossa."));
    let pdf = fold(&pdf_text(&p.path().join(REPORT)));
    assert!(pdf.contains("Vain PDF-tiedostossa.") && !pdf.contains("Vain verkkosivulla."), "{pdf}");
}

/// With the web edition's address in report.toml, the PDF's description
/// sheets link to it, in each sheet's language.
#[test]
fn the_pdf_names_its_web_edition() {
    let p = TempProject::fixture("sample");
    let config = p.read_string("report/report.toml").replacen(
        "[series]\n",
        "[series]\nweb = \"https://julkaisut.example.fi/r\"\n",
        1,
    );
    p.write("report/report.toml", &config);
    must_succeed(&p.run(&["build", "--only", "report"]));
    let text = fold(&pdf_text(&p.path().join(REPORT)));
    for name in ["Verkkojulkaisu https://julkaisut.example.fi/r", "Webbversion https://", "Web edition https://"] {
        assert!(text.contains(name), "{name}: {text}");
    }
}
