//! The layout preflight on fixture projects: `tests/fixtures/layout` has a
//! template without keep rules, and `kooste check` must name each fault at
//! its page and at the author's line; with the repository's templates the
//! same chapter has none.

use crate::support::*;

const CHAPTER: &str = "report/chapters/01-sivut.md";
/// The chapter of line faults: raw Typst in narrow boxes and on a small
/// page sets what kooste's own Markdown never does.
const LINES: &str = "report/chapters/02-rivit.md";

/// The 1-based line of the `nth` (from 0) line of `rel` that starts with `prefix`.
fn line_of(p: &TempProject, rel: &str, prefix: &str, nth: usize) -> usize {
    let text = String::from_utf8(p.read(rel)).unwrap();
    let found = text.lines().enumerate().filter(|(_, l)| l.starts_with(prefix)).nth(nth);
    found.unwrap_or_else(|| panic!("no `{prefix}` number {nth} in {rel}")).0 + 1
}

/// `kooste check` on the layout fixture with `template` as its report's.
fn check_with(template: &str, extra: &[&str]) -> (TempProject, String) {
    let p = TempProject::fixture("layout");
    let config = String::from_utf8(p.read("report/report.toml")).unwrap().replace("bare.typ.j2", template);
    p.write("report/report.toml", &config);
    let mut args = vec!["check"];
    args.extend_from_slice(extra);
    let out = p.run(&args);
    let err = stderr(&out);
    (p, err)
}

#[test]
fn rules_off_each_fault_is_named_at_its_page_and_line() {
    let (p, err) = check_with("bare.typ.j2", &[]);
    // The start of a warning at the `nth` line of `file` that starts with
    // `prefix`, on `page`.
    let at = |file: &str, prefix: &str, nth: usize, page: usize| {
        format!("{file}:{}:1: warning: report p. {page}: ", line_of(&p, file, prefix, nth))
    };
    let expect = [
        // The heading whose (unbreakable) table went overleaf.
        format!("{}heading \"Mallien kuvausrunko\" ends its page", at(CHAPTER, "## Mallien kuvausrunko", 0, 1)),
        // A caption left at the foot of p. 2, its table on p. 3.
        format!(
            "{}the caption of \"Taulukko 1: Taulukko, jonka otsikko jää edelliselle sivulle\" is on p. 2 and its table on p. 3",
            at(CHAPTER, "| Tunnus", 1, 2)
        ),
        // A six-row table over two pages.
        format!(
            "{}table \"Taulukko 2: Lyhyt taulukko kahdella sivulla\" of 6 rows is split over pp. 4–5",
            at(CHAPTER, "| Tunnus", 2, 4)
        ),
        // A hyphenated heading.
        format!(
            "{}heading \"Verkostoyhteistyön toimintamallivaihtoehtojen kustannusvaikuttavuusarv…\" is hyphenated after",
            at(CHAPTER, "## Verkostoyhteistyön", 0, 5)
        ),
        // The template's own faults, at the template's lines.
        format!(
            "templates/bare.typ.j2:{}:1: warning: report p. 9: list \"Kuviot\" has no entries",
            line_of(&p, "templates/bare.typ.j2", "#outline", 0)
        ),
        "templates/bare.typ.j2:1:1: warning: report p. 10: the page is blank".to_string(),
    ];
    let lines = [
        // A spaced compound broken after its hyphen, and at its space.
        format!("{}\"kaupunki -ohjelmassa\" breaks after its hyphen", at(LINES, "Kestävä kaupunki", 0, 5)),
        format!(
            "{}a line starts with \"-ohjelmassa\": the spaced compound before it broke at its space",
            at(LINES, "Kestävä kaupunki", 1, 5)
        ),
        // Words broken in the body cells of a table without the rule.
        format!(
            "{}\"kehittämisyhti-öt\" is broken in a body cell of a table without caption",
            at(LINES, "| A |", 0, 5)
        ),
        format!("{}\"maakuntalii-tot\" is broken in a body cell of a table without caption", at(LINES, "| B |", 0, 5)),
        format!(
            "{}heading \"Miten alueiden kehittäjät voivat oppia toisiltaan ja tehdä yhteistyötä…\" ends in a line of one word, \"rajojen\"",
            at(LINES, "## Miten", 0, 5)
        ),
    ];
    for line in &lines {
        assert!(err.contains(line.as_str()), "no `{line}` in:\n{err}");
    }
    // And a second broken cell in row B.
    let expect: Vec<String> = expect.into_iter().chain(lines).collect();
    assert_eq!(err.matches(" warning: report p. ").count(), expect.len() + 1, "{err}");
    // What a final build mends, a draft notes once: a split acronym, three
    // hyphenated lines in a row (twice), on a small page a hyphenated word
    // over a page break, and a tall figure that could not stay and left
    // most of p. 8 empty.
    let note = "note: report: a final build mends 5 places: p. 5: the acronym in \"SAN-Kin\" is split; \
                p. 5: 3 lines in a row end in a hyphen; p. 6: 3 lines in a row end in a hyphen; \
                p. 6: \"muodosta-vat\" is split across pp. 6–7; and 1 more";
    assert!(err.contains(note), "no `{note}` in:\n{err}");
    for line in &expect {
        assert!(err.contains(line.as_str()), "no `{line}` in:\n{err}");
    }
}

/// A final build mends a word split across pages, a ladder of hyphens
/// and a split acronym (it keeps the word whole and compiles again) and a
/// figure that left its page empty (it floats); the rest it reports, as
/// errors.
#[test]
fn a_final_check_mends_split_words_ladders_and_acronyms() {
    let (_, err) = check_with("bare.typ.j2", &["--final"]);
    for mended in ["is split across pp.", "lines in a row end in a hyphen", "the acronym in", "% empty"] {
        assert!(!err.contains(mended), "`{mended}` was not mended:\n{err}");
    }
    for left in ["breaks after its hyphen", "is broken in a body cell", "ends in a line of one word"] {
        assert!(err.contains("error: report p. ") && err.contains(left), "no `{left}` in:\n{err}");
    }
}

#[test]
fn rules_off_faults_are_errors_in_a_final_check() {
    let (p, err) = check_with("bare.typ.j2", &["--final"]);
    let line = line_of(&p, CHAPTER, "## Mallien kuvausrunko", 0);
    let want = format!("{CHAPTER}:{line}:1: error: report p. 1: heading \"Mallien kuvausrunko\" ends its page");
    assert!(err.contains(&want), "no `{want}` in:\n{err}");
}

/// An output over its page budget is not exported, but its layout faults
/// are still said, with the budget's error.
#[test]
fn faults_are_reported_with_a_page_budget_error() {
    let p = TempProject::fixture("layout");
    let config =
        p.read_string("report/report.toml").replace("file = \"report.pdf\"", "file = \"report.pdf\"\npage-budget = 1");
    p.write("report/report.toml", &config);
    let out = p.run(&["check"]);
    must_fail(&out, 1);
    let err = stderr(&out);
    let line = line_of(&p, CHAPTER, "## Mallien kuvausrunko", 0);
    let fault = format!("{CHAPTER}:{line}:1: warning: report p. 1: heading \"Mallien kuvausrunko\" ends its page");
    assert!(err.contains(&fault), "no `{fault}` in:\n{err}");
    let budget = errors(&out);
    assert!(budget.len() == 1 && budget[0].contains("over its page budget of 1"), "{err}");
}

#[test]
fn the_repository_templates_keep_the_same_chapter_in_order() {
    // The chapter without its raw spacing (which leaves pages empty by
    // itself), with the repository's templates.
    let p = TempProject::fixture("layout");
    let config = String::from_utf8(p.read("report/report.toml")).unwrap().replace("bare.typ.j2", "report.typ.j2");
    p.write("report/report.toml", &config);
    for chapter in [CHAPTER, LINES] {
        let text = String::from_utf8(p.read(chapter)).unwrap();
        let without: Vec<&str> = text.split("```").enumerate().filter(|(i, _)| i % 2 == 0).map(|(_, s)| s).collect();
        p.write(chapter, &without.concat());
    }
    let out = p.run(&["check"]);
    must_succeed(&out);
    assert!(!stderr(&out).contains("report p. "), "layout faults with the repository's templates:\n{}", stderr(&out));
}

#[test]
fn json_lists_layout_faults_with_their_page() {
    let p = TempProject::fixture("layout");
    let out = p.run(&["build", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let problems = json["problems"].as_array().expect("problems");
    let heading = problems
        .iter()
        .find(|p| p["message"].as_str().is_some_and(|m| m.contains("\"Mallien kuvausrunko\" ends its page")))
        .unwrap_or_else(|| panic!("no stranded heading in {problems:?}"));
    assert_eq!(heading["path"], CHAPTER);
    assert_eq!(heading["page"], 1);
}

#[test]
fn final_refuses_a_chart_without_its_own_alt_text() {
    let p = TempProject::fixture("sample");
    let chapter = "report/chapters/01-johdanto.md";
    p.append(
        chapter,
        "\n{{ chart(\"verkostot\", kind=\"bar\", x=\"nimi\", y=\"perustettu\", caption=\"Perustamisvuodet\") }}\n",
    );
    let line = String::from_utf8(p.read(chapter)).unwrap().lines().count();
    let out = p.run(&["check", "--final"]);
    // The sample also has review marks and an illustrative dataset, which a
    // final build refuses too; this is the chart's own error.
    must_fail(&out, 1);
    must_contain(&out, &format!("{chapter}:{line}:1: error: chart has no alt text of its own"));
    // With an alt of its own, that error is gone (a draft never asks).
    let text = String::from_utf8(p.read(chapter)).unwrap().replace(
        "caption=\"Perustamisvuodet\"",
        "caption=\"Perustamisvuodet\", alt=\"Verkostot perustettiin vuosina 2009–2015.\"",
    );
    p.write(chapter, &text);
    let out = p.run(&["check", "--final"]);
    assert!(!stderr(&out).contains("chart has no alt text"), "{}", stderr(&out));
}

#[test]
fn description_sheets_are_wholly_in_their_language() {
    let p = TempProject::fixture("sample");
    // A working group's name is translated; a person's is not.
    let config =
        p.read_string("report/report.toml").replace("[meta.en]\n", "[meta.en]\nauthors = [\"Test working group\"]\n");
    p.write("report/report.toml", &config);
    must_succeed(&p.run(&["build", "--only", "report"]));
    let text = fold(&pdf_text(&p.path().join("out/report.pdf")));
    let sheet = |start: &str, end: &str| {
        let from = text.find(start).unwrap_or_else(|| panic!("no `{start}` in the report"));
        let to = text[from..].find(end).map_or(text.len(), |i| from + i);
        text[from..to].to_string()
    };
    let sv = sheet("Presentationsblad", "Description sheet");
    for want in [
        "Utgivare Kooste",
        "Publikationens titel Testrapport: Ett litet exempelprojekt för kooste-tester",
        "Testserie 1/2020",
        "Tema Testtema",
        "Författare Testi Tekijä",
        "Språk finska",
        "Referat",
    ] {
        assert!(sv.contains(want), "the sv sheet lacks `{want}`:\n{sv}");
    }
    for finnish in ["Julkaisija", "Testisarja", "Testiteema", "suomi", "Tiivistelmä"] {
        assert!(!sv.contains(finnish), "the sv sheet has Finnish `{finnish}`:\n{sv}");
    }
    let en = sheet("Description sheet", "Sisällys");
    for want in [
        "Published by Kooste",
        "Authors Test working group",
        "Title of publication Test report: A small sample project for kooste tests",
        "Test series 1/2020",
        "Subject Test theme",
        "Language Finnish",
    ] {
        assert!(en.contains(want), "the en sheet lacks `{want}`:\n{en}");
    }
    // The Finnish sheet's title is the cover's title and subtitle.
    let fi = sheet("Kuvailulehti", "Presentationsblad");
    assert!(fi.contains("Julkaisun nimi Testiraportti: Pieni näyteprojekti kooste-testeille"), "{fi}");
}

#[test]
fn a_missing_swedish_name_prints_the_finnish_one_with_a_warning() {
    let p = TempProject::fixture("sample");
    let config = String::from_utf8(p.read("report/report.toml")).unwrap().replace("series = \"Testserie\"\n", "");
    p.write("report/report.toml", &config);
    let out = p.run(&["check"]);
    must_succeed(&out);
    assert!(
        stderr(&out).contains("warning: `series` in sv is missing: the sv description sheet prints the Finnish one"),
        "{}",
        stderr(&out)
    );
    let out = p.run(&["check", "--final"]);
    must_fail(&out, 1);
    let line = p.line_of("report/report.toml", "[meta.sv]");
    must_contain(
        &out,
        &format!(
            "report/report.toml:{line}:1: error: `series` in sv is missing: the sv description sheet prints the Finnish one"
        ),
    );
}

/// A long table whose first part would stand at a page's foot with fewer
/// than 3 rows: a draft leaves it there and warns; a final build starts it
/// on the next page (a second, incremental compile: layout::tables).
#[test]
fn a_final_build_moves_a_table_that_starts_too_late() {
    let p = TempProject::fixture("layout");
    let config = String::from_utf8(p.read("report/report.toml")).unwrap().replace("bare.typ.j2", "report.typ.j2");
    p.write("report/report.toml", &config);
    std::fs::remove_file(p.path().join(LINES)).unwrap();
    let rows: String = (1..=14).map(|i| format!("| Alue {i} | {i} |\n")).collect();
    let table = format!("| Alue | Arvo |\n|---|--:|\n{rows}\n: Pitkä taulukko {{#tbl-pitka}}\n");
    let filler = "Täytettä, jotta taulukko alkaa sivun alalaidasta ja vain osa sen riveistä mahtuu samalle sivulle. ";
    // Find a text length that leaves the table 1 or 2 rows on its first page.
    let found = (4..60).step_by(2).find_map(|lines| {
        let text = format!("# Luku\n\n{}\n\n{table}", (0..lines).map(|_| filler).collect::<Vec<_>>().join("\n\n"));
        p.write(CHAPTER, &text);
        let out = p.run(&["check"]);
        let err = stderr(&out);
        let short = err.contains("\"Taulukko 1.1: Pitkä taulukko\" has only");
        short.then_some((text, err))
    });
    let (text, err) = found.expect("no filler length left the table too few rows on its first page");
    assert!(err.contains("note: report: a final build mends 1 place: p. "), "{err}");
    p.write(CHAPTER, &text);
    let out = p.run(&["build", "--final"]);
    let err = stderr(&out);
    assert!(!err.contains("Pitkä taulukko\" has only"), "the final build left the table where it fell:\n{err}");
    // The table starts on a page of its own top: its caption is the first
    // text there.
    let pdf = p.path().join("out/report.pdf");
    let page = (1..=pdf_pages(&pdf))
        .find(|&n| {
            let text = pdf_text_of_pages(&pdf, Some((n, n)));
            text.contains("Pitkä taulukko") && text.contains("Alue 1")
        })
        .unwrap();
    let on_page = pdf_text_of_pages(&pdf, Some((page, page)));
    assert!(on_page.contains("Alue 3"), "fewer than 3 rows with the caption on p. {page}:\n{on_page}");
}

/// The description sheets' labels, and the fields of facts boxes and
/// recommendation cards, are their rows' header cells in the tagged PDF
/// (TH with /Scope /Row), so a screen reader names the field of each value.
#[test]
fn description_sheet_labels_are_row_headers() {
    let p = built();
    let pdf = p.path().join(REPORT);
    let qdf = p.path().join("report-qdf.pdf");
    let status =
        std::process::Command::new("qpdf").args(["--qdf", "--object-streams=disable"]).arg(&pdf).arg(&qdf).status();
    if status.is_err() {
        cannot_check("the tag check needs qpdf, which is not installed (.ci/run installs it)");
        return;
    }
    let raw = String::from_utf8_lossy(&std::fs::read(&qdf).unwrap()).into_owned();
    // Three sheets (fi, sv, en) of at least ten fields each, and the facts
    // of each case and recommendation.
    let rows = raw.matches("/Scope /Row").count();
    assert!(rows >= 30, "{rows} row header cells");
    // The brief's recommendation cards: a heading, then a table of fields.
    let brief = p.path().join("report-brief-qdf.pdf");
    std::process::Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(p.path().join(BRIEF))
        .arg(&brief)
        .status()
        .unwrap();
    let raw = String::from_utf8_lossy(&std::fs::read(&brief).unwrap()).into_owned();
    assert!(raw.matches("/Scope /Row").count() >= 2, "the recommendation card has no row headers");
}
