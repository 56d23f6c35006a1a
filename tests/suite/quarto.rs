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

/// The quarto fixture with `chapter` appended to its chapter and a web
/// edition, built: its report's PDF text (folded) and web page.
fn built_with_web(chapter: &str) -> (String, String) {
    let p = TempProject::fixture("quarto");
    p.append(CHAPTER, chapter);
    p.append(
        "report/report.toml",
        "\n[[output]]\nname = \"web\"\nformat = \"html\"\ntemplate = \"report.html.typ.j2\"\nfile = \"report.html\"\n",
    );
    must_succeed(&p.run(&["build"]));
    let text = fold(&pdf_text(&p.path().join("out/report.pdf")));
    (text, std::fs::read_to_string(p.path().join("out/report.html")).unwrap())
}

#[test]
fn callouts_with_an_id_are_numbered_and_referred_to_as_in_quarto() {
    let (text, html) = built_with_web(
        "\n::: {#tip-eka .callout-tip}\n## Ensimmäinen\n\nTeksti.\n:::\n\n::: {#tip-toka .callout-tip}\nToinen.\n:::\n\n\
         ::: {#wrn-x .callout-warning}\nVaroitus.\n:::\n\nKatso @tip-toka, [-@tip-eka] ja [ohje @wrn-x].\n",
    );
    // Each kind numbered on its own, per chapter as figures are (as Quarto
    // numbers them in a book); unnumbered callouts (the fixture's own) are
    // not counted.
    for shown in [
        "Vinkki 1.1: Ensimmäinen",
        "Vinkki 1.2 Toinen.",
        "Varoitus 1.1 Varoitus.",
        "Katso Vinkki 1.2, 1.1 ja ohje 1.1.",
    ] {
        assert!(text.contains(shown), "`{shown}` missing:\n{text}");
    }
    assert!(html.contains("<a href=\"#tip-toka\">Vinkki\u{a0}1.2</a>") && html.contains("id=\"tip-toka\""), "{html}");
}

#[test]
fn theorem_blocks_are_numbered_and_referred_to_as_in_quarto() {
    let (text, html) = built_with_web(
        "\n::: {#def-verkosto}\n## Verkosto\n\nToimijoiden joukko.\n:::\n\n::: {#exm-eka}\nEnsimmäinen esimerkki.\n:::\n\n\
         Katso @def-verkosto ja [esimerkki @exm-eka].\n",
    );
    for shown in [
        "Määritelmä 1.1 (Verkosto). Toimijoiden joukko.",
        "Esimerkki 1.1. Ensimmäinen esimerkki.",
        "Katso Määritelmä 1.1 ja esimerkki 1.1.",
    ] {
        assert!(text.contains(shown), "`{shown}` missing:\n{text}");
    }
    assert!(
        html.contains("<a href=\"#def-verkosto\">Määritelmä\u{a0}1.1</a>") && html.contains("id=\"def-verkosto\""),
        "{html}"
    );
}

#[test]
fn listings_are_numbered_and_referred_to_as_in_quarto() {
    let p = TempProject::fixture("quarto");
    p.append(
        CHAPTER,
        "\n```{#lst-kysely .sql lst-cap=\"Asiakkaiden kysely\"}\nSELECT * FROM asiakkaat\n```\n\n\
         ```{python}\n#| lst-label: lst-laskenta\n#| lst-cap: Laskenta\nprint(1 + 1)\n```\n\n\
         Katso @lst-kysely ja @lst-laskenta.\n\n# Toinen luku\n\n```{#lst-toinen .sql lst-cap=\"Toisen luvun kysely\"}\nSELECT 1\n```\n",
    );
    let out = p.run(&["build"]);
    must_succeed(&out);
    let text = fold(&pdf_text(&p.path().join("out/report.pdf")));
    for shown in [
        "Listaus 1.1: Asiakkaiden kysely",
        "SELECT * FROM asiakkaat",
        "Listaus 1.2: Laskenta",
        "Katso Listaus 1.1 ja Listaus 1.2.",
    ] {
        assert!(text.contains(shown), "`{shown}` missing:\n{text}");
    }
    // Numbered per chapter, as figures and tables are.
    assert!(text.contains("Listaus 2.1: Toisen luvun kysely"), "{text}");
    assert!(!text.contains("lst-"), "{text}");
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
    // (Words hyphenated at a line end read whole.)
    let text = fold(&pdf_text(&pdf)).replace("\u{ad} ", "");

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
    // Quarto's references: the kind's prefix, a subfigure's with its
    // figure's, `[-@fig-x]` the number alone, `@Tbl-x` capitalised.
    assert!(text.contains("Kuvio 1.1 on kahdesta osasta, Kuvio 1.1a ja 1.1b."), "{text}");
    assert!(text.contains("(a) Vasen kuva") && text.contains("(b) Oikea kuva"), "{text}");
    assert!(text.contains("Kuvio 1.1: Kaksi kuvaa rinnakkain."), "{text}");
    assert!(text.contains("Taulukko 1.1: Pieni taulukko.") && text.contains("Taulukko 1.1: yksi rivi."), "{text}");
    // Profiles: draft text in the draft only.
    assert!(text.contains("LUONNOSTEKSTI") && !text.contains("LOPULLINENTEKSTI"), "{text}");
    assert!(
        text.contains("Tietolaatikko Laatikon sisältö.") && text.contains("Tuntemattoman luokan sisältö."),
        "{text}"
    );

    // The page break, and the wide table on a landscape page of its own.
    assert!(page_of(&pdf, "on kahdesta osasta") > page_of(&pdf, "Määritelmä"), "no page break");
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

/// The text of the PDF region `x..x+w`, `y..y+h` (points) of page `page`.
fn region_text(pdf: &Path, page: usize, (x, y, w, h): (f64, f64, f64, f64)) -> String {
    let page = page.to_string();
    let [x, y, w, h] = [x, y, w, h].map(|v| (v as i64).to_string());
    let out = Command::new("pdftotext")
        .args(["-raw", "-f", &page, "-l", &page, "-x", &x, "-y", &y, "-W", &w, "-H", &h])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The second chapter uses each construct of issue #21 at once: an include,
/// TeX maths (with its source as alternative text) and a numbered equation
/// referred to, Quarto's reference prefixes (suppressed, capitalised),
/// citations with prefixes and locators from a CSL-JSON bibliography,
/// `tbl-colwidths`, margin notes in the margin, a list table, a keycap,
/// a raw `\newpage` and a hidden code cell.
#[test]
fn every_quarto_construct_reads_back_as_quarto_means_it() {
    let p = TempProject::fixture("quarto");
    let out = p.run(&["build"]);
    must_succeed(&out);
    let chapter = "report/chapters/02-rakenteet.qmd";
    // The code cell warns once, naming its engine; nothing else in this
    // chapter is left unsaid.
    let warnings: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.contains(chapter) || l.contains("references.json"))
        .map(String::from)
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("`python` code cells are not run"), "{warnings:?}");

    let pdf = p.path().join("out/report.pdf");
    let text = fold(&pdf_text(&pdf));
    assert!(text.contains("Sisällytetty KAPPALE omasta tiedostostaan."), "{text}");
    for syntax in ["$", "\\frac", "{#", "{.", "@", "[-", "{{<", "#|", "PIILOKOODI", "* -", "tbl-colwidths", "\\newpage"]
    {
        assert!(!text.contains(syntax), "`{syntax}` printed:\n{text}");
    }
    // Maths typeset: an equation numbered, referred to with its prefix
    // and without.
    assert!(text.contains("𝑎2 + 𝑏2 = 𝑐2"), "{text}");
    assert!(text.contains("(1)") && text.contains("kaavasta Yhtälö 1, numero yksin 1."), "{text}");
    // Quarto's prefixes: a section's, a capitalised table's.
    assert!(text.contains("Alaluku 2.1 käsittelee kaavoja ja Taulukko 2.1 osuuksia."), "{text}");
    // Citations from the CSL-JSON file: prefixes inside the parentheses,
    // the locator, the year alone; both works in the reference list.
    assert!(text.contains("(ks. TEM, 2018; myös Virtanen, 2019, s. 33–35)"), "{text}");
    assert!(text.contains("Virtasen mukaan (2019) verkostot"), "{text}");
    assert!(text.contains("Virtanen, A. (2019). Verkostot aluekehittämisessä. Alue ja ympäristö, 48(2)"), "{text}");
    // The list table, numbered after the table div; the keycap.
    assert!(
        text.contains("Taulukko 2.2: Listataulukko.") && text.contains("Toimijoiden LISTASOLU yhteistyö"),
        "{text}"
    );
    // (pdftotext puts a space after the keycap's frame.)
    assert!(text.contains("Tallenna painamalla Ctrl-S"), "{text}");
    // `\newpage`: the next paragraph on a page of its own.
    assert!(page_of(&pdf, "Uudella sivulla") > page_of(&pdf, "Tallenna painamalla"), "no page break");

    // Margin notes in the outside margin (widened to 5.5 cm): the right
    // one on an odd page, the left one on an even page; not in the text.
    let page = page_of(&pdf, "REUNAHUOMAUTUS");
    let (w, h) = page_sizes(&pdf)[page - 1];
    let margin = 5.5 / 2.54 * 72.0;
    let outside = if page % 2 == 1 { (w - margin, 0.0, margin, h) } else { (0.0, 0.0, margin, h) };
    let body = if page % 2 == 1 { (0.0, 0.0, w - margin, h) } else { (margin, 0.0, w - margin, h) };
    for note in ["REUNAHUOMAUTUS", "SIVUHUOMAUTUS"] {
        assert!(region_text(&pdf, page, outside).contains(note), "{note} is not in the margin of p. {page}");
        assert!(!region_text(&pdf, page, body).contains(note), "{note} is in the text of p. {page}");
    }
    // The two notes stand one below the other, not on top of each other.
    let margin_text = region_text(&pdf, page, outside);
    assert!(
        margin_text.contains("REUNAHUOMAUTUS marginaa") && margin_text.contains("\nSIVUHUOMAUTUS"),
        "{margin_text}"
    );

    // Each equation's TeX source is its alternative text in the tags.
    let qdf = p.path().join("report-qdf.pdf");
    if Command::new("qpdf").args(["--qdf", "--object-streams=disable"]).arg(&pdf).arg(&qdf).status().is_err() {
        crate::support::cannot_check("the alt-text check needs qpdf, which is not installed (.ci/run installs it)");
        return;
    }
    let raw = String::from_utf8_lossy(&std::fs::read(&qdf).unwrap()).into_owned();
    assert!(raw.contains("/Alt (a^2 + b^2 = c^2)"), "inline maths has no alt text");
    assert!(
        raw.contains("/Alt (\\\\bar{x} = \\\\frac{1}{n} \\\\sum_{i=1}^{n} x_i)"),
        "the display equation has no alt text"
    );

    // Any other front-matter key is metadata in a Quarto document; one
    // close to a key kooste reads is a misspelling, an error.
    let text = String::from_utf8(p.read(chapter)).unwrap();
    p.write(chapter, &text.replace("title: Rakenteet", "titel: Rakenteet"));
    let out = p.run(&["build"]);
    must_fail_with(
        &out,
        1,
        &[&format!(
            "{chapter}:2:1: error: front matter: unknown field `titel`, expected one of `title`, `include`, `appendix`"
        )],
    );
}

/// A CSL-YAML and a Hayagriva YAML bibliography load as the CSL-JSON one
/// does; a broken one is one error at its line; two bibliographies are an
/// error.
#[test]
fn bibliographies_in_each_format() {
    let p = TempProject::fixture("quarto");
    std::fs::remove_file(p.path().join("report/references.json")).unwrap();
    p.write(
        "report/references.yaml",
        "references:\n- id: virtanen2019\n  type: article-journal\n  title: Verkostot aluekehittämisessä\n  \
         author:\n  - family: Virtanen\n    given: Anna\n  container-title: Alue ja ympäristö\n  issued: 2019\n\
         - id: tem2018\n  type: report\n  title: Aluekehittämisen tilannekuva\n  author:\n  - literal: TEM\n  issued: 2018\n",
    );
    must_succeed(&p.run(&["build", "--only", "report"]));
    let text = fold(&pdf_text(&p.path().join("out/report.pdf")));
    assert!(text.contains("(ks. TEM, 2018; myös Virtanen, 2019, s. 33–35)"), "{text}");
    // CSL needs kooste's citation pass: typst reads only BibTeX and Hayagriva.
    must_fail_with(
        &p.run(&["build", "--typst-citations"]),
        1,
        &["report/references.yaml:1:1: error: typst cannot read a CSL bibliography (--typst-citations)"],
    );

    p.write(
        "report/references.yaml",
        "virtanen2019:\n  type: Article\n  title: Verkostot aluekehittämisessä\n  author: Virtanen, Anna\n  date: 2019\n  \
         parent:\n    type: Periodical\n    title: Alue ja ympäristö\n\
         tem2018:\n  type: Report\n  title: Aluekehittämisen tilannekuva\n  author: TEM\n  date: 2018\n",
    );
    must_succeed(&p.run(&["build", "--only", "report"]));
    let text = fold(&pdf_text(&p.path().join("out/report.pdf")));
    assert!(text.contains("(ks. TEM, 2018; myös Virtanen, 2019, s. 33–35)"), "{text}");
    must_succeed(&p.run(&["build", "--only", "report", "--typst-citations"]));

    // A date Hayagriva cannot read: one error, at the entry's line.
    p.write("report/references.yaml", "tem2018:\n  type: Report\n  title: X\n  date: ei vuotta\n");
    let out = p.run(&["build"]);
    let errors = errors(&out);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("report/references.yaml:4:"), "{errors:?}");

    p.write("report/references.bib", "@book{x, title = {X}, year = {2020}}\n");
    must_fail_with(
        &p.run(&["build"]),
        1,
        &["report/references.yaml:1:1: error: a second bibliography beside report/references.bib"],
    );
}
