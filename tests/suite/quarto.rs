//! A chapter written the Quarto way (`tests/fixtures/quarto`, a `.qmd`
//! chapter) builds, and its PDF shows each construct with Quarto's meaning:
//! the real binary, the real templates, the PDF read back with poppler's
//! pdftotext and pdfinfo (and qpdf for the tag structure).

use std::path::Path;
use std::process::Command;

use crate::support::*;

const CHAPTER: &str = "report/chapters/01-quarto.qmd";

/// The text of pages `first..=last` of a PDF.
fn pages_text(pdf: &Path, first: usize, last: usize) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-f", &first.to_string(), "-l", &last.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The 1-based page that shows `needle` first.
fn page_of(pdf: &Path, needle: &str) -> usize {
    (1..=pdf_pages(pdf)).find(|&p| fold(&pages_text(pdf, p, p)).contains(needle)).unwrap_or(0)
}

/// Each page's size in points, from pdfinfo.
fn page_sizes(pdf: &Path) -> Vec<(f64, f64)> {
    let pages = pdf_pages(pdf).to_string();
    let out = Command::new("pdfinfo").args(["-f", "1", "-l", &pages]).arg(pdf).output().expect("pdfinfo");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains("size:"))
        .filter_map(|l| {
            let size = l.split("size:").nth(1)?;
            let mut nums = size.split_whitespace().filter_map(|w| w.parse::<f64>().ok());
            Some((nums.next()?, nums.next()?))
        })
        .collect()
}

/// How many marked-content spans and structure elements of the PDF say
/// /Lang (sv), through qpdf
/// (installed by .ci/run); `None` without qpdf (a failure under CI).
fn swedish_tags(p: &TempProject, pdf: &Path) -> Option<usize> {
    let qdf = p.path().join("report-qdf.pdf");
    let status = Command::new("qpdf").args(["--qdf", "--object-streams=disable"]).arg(pdf).arg(&qdf).status();
    if status.is_err() {
        crate::support::cannot_check("the /Lang check needs qpdf, which is not installed (.ci/run installs it)");
        return None;
    }
    let raw = std::fs::read(&qdf).unwrap();
    // Typst marks a span's language on its marked content (`/Span <</Lang
    // (sv)>> BDC`), a structure element's in its dictionary.
    let text = String::from_utf8_lossy(&raw);
    Some(text.matches("/Lang(sv)").count() + text.matches("/Lang (sv)").count())
}

#[test]
fn quarto_chapter_builds_with_quartos_meaning() {
    let p = TempProject::fixture("quarto");
    let out = p.run(&["build"]);
    must_succeed(&out);
    let err = stderr(&out);
    // The unknown class warns at its line; nothing else is left unsaid.
    assert!(err.contains(&format!("{CHAPTER}:83:1: warning: div class `sivupalkki` is not supported")), "{err}");
    let pdf = p.path().join("out/report.pdf");
    let text = fold(&pdf_text(&pdf));

    // No syntax printed.
    for syntax in [":::", "{.", "{#", "{{<", "callout", "^[", "~", "[Kela]", "lang=", "when-profile"] {
        assert!(!text.contains(syntax), "`{syntax}` printed:\n{text}");
    }
    // Callouts: each kind's label, with the author's titles.
    for shown in ["Huomautus", "Vinkki: Vinkki otsikolla", "Tärkeää: Tärkeä: otsikko", "Varoitus", "Varo: Varo tätä"]
    {
        assert!(text.contains(shown), "callout `{shown}` missing:\n{text}");
    }
    // Smart punctuation in Finnish, shortcodes' values as text.
    for shown in ["”Quarton tapaan” –", "kirjoittavat…", "’heittomerkki’", "2019–2020", "em dash — tässä"]
    {
        assert!(text.contains(shown), "`{shown}` missing:\n{text}");
    }
    assert!(text.contains("Sarja on Testisarja ja hanke Verkostohanke ”2020”."), "{text}");
    // Unnumbered heading; the next one takes its number.
    assert!(
        text.contains("Tausta") && !text.contains("1.1 Tausta") && text.contains("1.1 Kuvat ja taulukot"),
        "{text}"
    );
    // Spans, sub- and superscript, the inline note as a footnote, the term.
    for shown in
        ["CO2", "m2", "poistettu", "på ”svenska” här", "tärkeä", "huomautus1", "Tämä on sisäinen alaviite.", "Termi"]
    {
        assert!(text.contains(shown), "`{shown}` missing:\n{text}");
    }
    // The figure div: one figure, two subfigures referenced as 1.1a, 1.1b.
    assert!(text.contains("Kuviossa 1.1 on kaksi osaa, 1.1a ja 1.1b."), "{text}");
    assert!(text.contains("(a) Vasen kuva") && text.contains("(b) Oikea kuva"), "{text}");
    assert!(text.contains("Kuvio 1.1: Kaksi kuvaa rinnakkain."), "{text}");
    assert!(text.contains("Taulukko 1.1: Pieni taulukko.") && text.contains("Taulukossa 1.1 on yksi rivi."), "{text}");
    // Profiles: draft text in the draft only.
    assert!(text.contains("LUONNOSTEKSTI") && !text.contains("LOPULLINENTEKSTI"), "{text}");
    assert!(
        text.contains("Tietolaatikko Laatikon sisältö.") && text.contains("Tuntemattoman luokan sisältö."),
        "{text}"
    );

    // The page break, and the wide table on a landscape page of its own.
    assert!(page_of(&pdf, "Kuviossa 1.1 on kaksi osaa") > page_of(&pdf, "Määritelmä"), "no page break");
    let sizes = page_sizes(&pdf);
    let wide = page_of(&pdf, "Uusimaa");
    let (w, h) = sizes[wide - 1];
    assert!(w > h, "the wide table's page {wide} is {w}×{h}, not landscape");
    assert!(sizes.iter().filter(|(w, h)| w > h).count() == 1, "{sizes:?}");

    // The Swedish span carries /Lang (sv) in the tagged PDF: more
    // than the same chapter without it (the Swedish description sheet has
    // its own).
    let with_span = swedish_tags(&p, &pdf);
    let chapter = String::from_utf8(p.read(CHAPTER)).unwrap();
    p.write(CHAPTER, &chapter.replace("[på \"svenska\" här]{lang=\"sv\"}", "på \"svenska\" här"));
    must_succeed(&p.run(&["build"]));
    let without = swedish_tags(&p, &pdf);
    if let (Some(with_span), Some(without)) = (with_span, without) {
        assert!(with_span > without, "the sv span adds no /Lang (sv): {with_span} with, {without} without");
    }
    p.write(CHAPTER, &chapter);

    // The final build leaves the draft-only text out and shows the final one.
    let out = p.run(&["build", "--final"]);
    must_succeed(&out);
    let text = fold(&pdf_text(&pdf));
    assert!(!text.contains("LUONNOSTEKSTI") && text.contains("LOPULLINENTEKSTI"), "{text}");
}

/// `{{< include >}}` as Quarto reads it: the file's text spliced in where
/// the shortcode stands (relative to the including file, nested, before
/// templating), a `_` file never a chapter of its own, and every problem in
/// included text at the included file's own line.
#[test]
fn included_files_are_spliced_in_and_report_at_their_own_lines() {
    let p = crate::support::TempProject::fixture("sample");
    p.write(
        "report/chapters/_osa.qmd",
        "Osan teksti {{ count(\"verkostot\") }} riviä.\n\n{{< include ../_sisempi.md >}}\n",
    );
    p.write("report/_sisempi.md", "Sisempi kappale.\n");
    p.append_lines("report/chapters/01-johdanto.md", b"{{< include _osa.qmd >}}\n", true);
    let out = p.run(&["build"]);
    crate::support::must_succeed(&out);
    let text = crate::support::fold(&crate::support::pdf_text(&p.path().join(crate::support::REPORT)));
    assert!(text.contains("Osan teksti 2 riviä.") && text.contains("Sisempi kappale."), "{text}");
    // An error in the included file is at its own line; a Typst error in a
    // raw block there, too (through the `// source:` markers).
    p.write(
        "report/_sisempi.md",
        "Sisempi kappale.\n\nKatso @sec-olematon.\n\n```{=typst}\n#olematon-funktio()\n```\n",
    );
    let out = p.run(&["build"]);
    crate::support::must_fail_with(
        &out,
        1,
        &["report/_sisempi.md:3:7: error: unknown cross-reference `@sec-olematon`"],
    );
    p.write("report/_sisempi.md", "Sisempi kappale.\n\n```{=typst}\n#olematon-funktio()\n```\n");
    let out = p.run(&["build"]);
    let errors = crate::support::errors(&out);
    assert!(errors.len() == 1 && errors[0].starts_with("report/_sisempi.md:4:"), "{errors:?}");
}

/// `kooste convert` on a file of a Quarto project (`_quarto.yml`): meta
/// from its front matter over `_quarto.yml`, var from `_variables.yml`, and
/// includes relative to the project root (`/…`) or climbing to it (`../…`).
#[test]
fn convert_reads_a_file_of_a_quarto_project() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("docs/guide")).unwrap();
    std::fs::write(root.join("_quarto.yml"), "project:\n  type: website\nauthor: Projektin tekijä\n").unwrap();
    std::fs::write(root.join("_variables.yml"), "version: 1.2\n").unwrap();
    std::fs::write(root.join("docs/_yhteinen.md"), "Yhteinen kappale.\n").unwrap();
    std::fs::write(
        root.join("docs/guide/sivu.qmd"),
        "---\ntitle: Opas\n---\n\nOtsikko {{< meta title >}}, tekijä {{< meta author >}}, versio {{< var version >}}.\n\n\
         {{< include ../_yhteinen.md >}}\n\n{{< include /docs/_yhteinen.md >}}\n",
    )
    .unwrap();
    let out = kooste().arg("convert").arg(root.join("docs/guide/sivu.qmd")).output().unwrap();
    must_succeed(&out);
    let typst = String::from_utf8(out.stdout).unwrap();
    assert!(typst.contains("Otsikko Opas, tekijä Projektin tekijä, versio 1.2."), "{typst}");
    assert_eq!(typst.matches("Yhteinen kappale.").count(), 2, "{typst}");
    assert!(!typst.contains("title: Opas"), "front matter is not text: {typst}");
}
