//! The mistakes a new user makes, each with one outcome: exit 1 and exactly
//! one error at the author's line (no follow-on error, the last good PDFs
//! untouched), or, where a draft should build, exit 0 with a warning there.

use crate::support::*;

/// The warnings printed, as `path:line:col: warning: message` lines.
fn warnings(out: &std::process::Output) -> Vec<String> {
    stderr(out).lines().filter(|l| l.contains(": warning: ")).map(|l| l.trim_end().to_string()).collect()
}

/// Builds and expects success with exactly the warnings `expected`.
#[track_caller]
fn builds_with_warnings(p: &TempProject, args: &[&str], expected: &[&str]) {
    let out = p.run(args);
    must_succeed(&out);
    assert_eq!(warnings(&out), expected, "stderr:\n{}", tail(&stderr(&out)));
}

const CASES: &str = "report/chapters/03-tapaukset.md";
const RECS: &str = "report/chapters/04-suositukset.md";

#[test]
fn a_reference_to_a_code_cells_figure_says_kooste_runs_no_code() {
    // Quarto makes `#| label: fig-x` a figure of the cell's output; kooste
    // runs no code, so the reference has nothing to name, and says why.
    let p = built();
    let before = p.pdfs();
    p.append_lines(CASES, b"```{python}\n#| label: fig-kasvu\nplot()\n```\n", true);
    let line = p.append_lines(CASES, b"Katso @fig-kasvu.\n", true);
    p.rebuild_fails(&before, &[&format!("{CASES}:{line}:7: error: unknown cross-reference `@fig-kasvu`")]);
    // The hint is printed with the human format (the short format has no hints).
    let out =
        kooste().args(["build", "--root"]).arg(p.path()).env("GIT_CEILING_DIRECTORIES", p.outside()).output().unwrap();
    must_fail(&out, 1);
    must_contain(
        &out,
        &format!(
            "   = hint: `fig-kasvu` labels the output of a code cell in {CASES}, which kooste does not make \
             (it runs no code): make it in the data pipeline and show it with chart() or table() under this label"
        ),
    );
}

#[test]
fn a_reference_to_a_callout_another_output_has_is_an_error_at_its_line() {
    // The callout is the report's; the brief cannot number it.
    let p = built();
    let before = p.pdfs();
    p.append_lines(CASES, b"::: {#tip-x .callout-tip}\nVinkki.\n:::\n", true);
    let line = p.append_lines("report/brief.md", b"Katso @tip-x.\n", true);
    p.rebuild_fails(
        &before,
        &[&format!("report/brief.md:{line}:1: error: label `<tip-x>` does not exist in the document")],
    );
}

#[test]
fn front_matter_that_never_closes_is_an_error_at_its_first_line() {
    let p = built();
    let before = p.pdfs();
    p.write(CASES, "---\ninclude: cases\n# Tapaukset {#sec-tapaukset}\n\nTapaukset alla.\n");
    p.rebuild_fails(&before, &[&format!("{CASES}:1:1: error: this front matter block is never closed")]);
}

#[test]
fn a_chapter_without_a_level_one_heading_warns() {
    let p = built();
    p.write(RECS, "---\ninclude: recommendations\n---\nSuositukset alla, ilman otsikkoa.\n");
    builds_with_warnings(
        &p,
        &["build"],
        &[&format!(
            "{RECS}:4:1: warning: this chapter has no level-1 heading: its text runs on under the previous chapter's title"
        )],
    );
}

#[test]
fn a_chapter_takes_its_title_from_front_matter_as_quarto_does() {
    let p = built();
    p.write(RECS, "---\ntitle: Suositukset Quarton tapaan\ninclude: recommendations\n---\nSuositukset alla.\n");
    builds_with_warnings(&p, &["build"], &[]);
    let text = fold(&pdf_text(&p.path().join(REPORT)));
    assert!(text.contains("Suositukset Quarton tapaan"), "{text}");
}

#[test]
fn quartos_document_keys_warn_each_and_unknown_keys_are_all_errors() {
    let p = built();
    // Any option of Quarto's schema (`fig-width`, `mainfont`), not only
    // the commonest.
    p.write(
        CASES,
        "---\ninclude: cases\nauthor: Minä\ndate: 2020-01-01\nfig-width: 6\nmainfont: Cabin\n---\n# Tapaukset {#sec-tapaukset}\n",
    );
    builds_with_warnings(
        &p,
        &["build"],
        &[
            &format!("{CASES}:3:1: warning: front matter: `author` is not used in a chapter"),
            &format!("{CASES}:4:1: warning: front matter: `date` is not used in a chapter"),
            &format!("{CASES}:5:1: warning: front matter: `fig-width` is not used in a chapter"),
            &format!("{CASES}:6:1: warning: front matter: `mainfont` is not used in a chapter"),
        ],
    );
    let before = p.pdfs();
    p.write(CASES, "---\ninclude: cases\ncolour: red\nsize: 3\n---\n# Tapaukset {#sec-tapaukset}\n");
    let expected = "expected one of `title`, `include`, `appendix`";
    p.rebuild_fails(
        &before,
        &[
            &format!("{CASES}:3:1: error: front matter: unknown field `colour`, {expected}"),
            &format!("{CASES}:4:1: error: front matter: unknown field `size`, {expected}"),
        ],
    );
}

#[test]
fn a_missing_comma_in_the_bibliography_is_one_error() {
    let p = built();
    let before = p.pdfs();
    let bib = p.read_string("report/references.bib").replacen("@online{tem2019,", "@online{tem2019", 1);
    p.write("report/references.bib", &bib);
    p.rebuild_fails(&before, &["report/references.bib:1:16: error: BibTeX: expected comma"]);
}

#[test]
fn an_unclosed_brace_in_the_bibliography_is_reported_where_it_opens() {
    let p = built();
    let before = p.pdfs();
    let bib =
        p.read_string("report/references.bib").replacen("title = {Kasvusopimukset},", "title = {Kasvusopimukset,", 1);
    p.write("report/references.bib", &bib);
    p.rebuild_fails(&before, &["report/references.bib:3:11: error: BibTeX: this `{` is never closed"]);
}

#[test]
fn every_ragged_row_is_reported_and_nothing_that_follows_from_them() {
    let p = built();
    let before = p.pdfs();
    let first = p.append_lines(CSV, b"Ragged;1\nToinen;2;3;4;5\n", false);
    p.rebuild_fails(
        &before,
        &[
            &format!("{CSV}:{first}:1: error: this row has 2 fields, the header has 4"),
            &format!("{CSV}:{}:1: error: this row has 5 fields, the header has 4", first + 1),
        ],
    );
}

#[test]
fn template_syntax_in_code_prints_as_written() {
    let p = built();
    p.append_lines(CHAPTER, "Koodina `{{ data.x }}` ja `{% if %}`.\n".as_bytes(), true);
    builds_with_warnings(&p, &["build"], &[]);
    let text = fold(&pdf_text(&p.path().join(REPORT)));
    assert!(text.contains("{{ data.x }}") && text.contains("{% if %}"), "{text}");
}

#[test]
fn a_draft_builds_with_an_image_without_alt_text_and_a_final_build_refuses_it() {
    let p = built();
    std::fs::copy(repo().join("tests/fixtures/images/pixel.png"), p.path().join("report/chapters/kuva.png")).unwrap();
    let line = p.append_lines(CHAPTER, b"![](kuva.png)\n", true);
    builds_with_warnings(&p, &["build"], &[&format!("{CHAPTER}:{line}:1: warning: image `kuva.png` has no alt text")]);
    let out = p.run(&["build", "--final"]);
    must_fail(&out, 1);
    assert!(
        errors(&out).contains(&format!("{CHAPTER}:{line}:1: error: image `kuva.png` has no alt text")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_template_name_is_reported_at_its_key() {
    let p = built();
    let before = p.pdfs();
    let config =
        p.read_string("report/report.toml").replace("template = \"report.typ.j2\"", "template = \"raport.typ.j2\"");
    p.write("report/report.toml", &config);
    let line = p.line_of("report/report.toml", "raport.typ.j2");
    p.rebuild_fails(
        &before,
        &[&format!("report/report.toml:{line}:12: error: template `raport.typ.j2` not found in templates/")],
    );
}

#[test]
fn an_unknown_language_lists_the_languages() {
    let p = built();
    let config = p.read_string("report/report.toml").replace("language = \"fi\"", "language = \"suomi\"");
    p.write("report/report.toml", &config);
    let out = p.run(&["build"]);
    must_fail_with(&out, 1, &["report/report.toml:4:12: error: language `suomi` is not one kooste writes"]);
}

#[test]
fn key_messages_are_three_to_five_in_a_final_build() {
    let p = built();
    let brief = p
        .read_string("report/brief.md")
        .replace("key_messages:\n", "key_messages:\n  - Neljäs.\n  - Viides.\n  - Kuudes.\n");
    p.write("report/brief.md", &brief);
    builds_with_warnings(
        &p,
        &["build", "--only", "brief"],
        &["report/brief.md:4:1: warning: the brief has 6 key messages; a final brief has 3 to 5"],
    );
    let out = p.run(&["check", "--final", "--only", "brief"]);
    must_fail(&out, 1);
    assert!(
        errors(&out).contains(
            &"report/brief.md:4:1: error: the brief has 6 key messages; a final brief has 3 to 5".to_string()
        )
    );
}

#[test]
fn check_takes_only_and_json() {
    let p = built();
    let out = p.run(&["check", "--only", "brief", "--json"]);
    must_succeed(&out);
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let names: Vec<&str> = summary["outputs"].as_array().unwrap().iter().filter_map(|o| o["name"].as_str()).collect();
    assert_eq!(names, ["brief"], "{summary:#}");
}

#[test]
fn diff_says_in_one_line_what_is_wrong_with_a_revision() {
    let p = built();
    git_init_commit(p.path());
    let out = kooste().args(["diff", "HEAD~5"]).current_dir(p.path()).output().unwrap();
    must_fail(&out, 2);
    assert_eq!(errors(&out), ["error: no commit HEAD~5 in this repository; it has 1 commit"], "{}", stderr(&out));
}

#[test]
fn tex_maths_is_typeset_and_what_it_cannot_read_is_an_error() {
    let p = built();
    p.append_lines(CHAPTER, b"Kaava $E=mc^2$ tekstiss\xc3\xa4.\n", true);
    builds_with_warnings(&p, &["build"], &[]);
    let text = pdf_text(&p.path().join(REPORT));
    assert!(!text.contains("$E=mc^2$") && text.contains("= "), "{text}");
    let before = p.pdfs();
    let line = p.append_lines(CHAPTER, b"Outo $\\tikz{x}$.\n", true);
    p.rebuild_fails(
        &before,
        &[&format!("{CHAPTER}:{line}:6: error: TeX maths: TeX command `\\tikz` is not one kooste typesets")],
    );
}

/// A one-line callout at a page's foot: the layout warning is at the
/// callout's line in the chapter, not in templates/style.typ, which draws
/// its title.
#[test]
fn a_callout_titles_layout_fault_is_at_the_authors_line() {
    let p = built();
    let filler: String =
        (1..=50).map(|i| format!("\nTäyte kappale numero {i}, jossa on hieman tekstiä rivin täytteeksi.\n")).collect();
    p.append(CHAPTER, &filler);
    let line = p.append_lines(CHAPTER, b"::: {.callout-note}\nYksi rivi.\n:::\n\nLoppu.\n", true);
    let out = p.run(&["build", "--only", "report"]);
    must_succeed(&out);
    let warnings = warnings(&out);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with(&format!("{CHAPTER}:{line}:1: warning: report p. ")), "{warnings:?}");
}

#[test]
fn a_reference_to_an_unnumbered_section_is_an_error_at_its_line() {
    // `@sec-x` goes through the template's `kooste-sec-ref`; typst's
    // error for a heading without a number stays at the author's line,
    // not in words.typ.
    let p = built();
    let before = p.pdfs();
    let chapter = "report/chapters/01-johdanto.md";
    p.append(chapter, "\n## Liite {.unnumbered #sec-liite}\n\nKatso @sec-liite.\n");
    let line = p.line_of(chapter, "Katso @sec-liite.");
    p.rebuild_fails(&before, &[&format!("{chapter}:{line}:1: error: cannot reference heading without numbering")]);
}
