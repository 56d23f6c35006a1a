//! `kooste review`: drafts built in a temporary git repository, annotated in
//! code the way PDF readers annotate (lopdf), then reviewed with the real
//! binary after the chapter was edited and committed again.
//!
//! Word positions come from poppler's `pdftotext -bbox`, so the quads are
//! where a reader's text selection would put them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::*;
use lopdf::{Dictionary, Document, Object, ObjectId};

const CHAPTER: &str = "report/chapters/05-arviointi.md";

/// The chapter reviewers comment on: short paragraphs, then one long
/// enough to run over a page break.
fn chapter() -> String {
    let tokens: Vec<String> = (1..=1500).map(|i| format!("s{i:04}")).collect();
    let long: Vec<String> = tokens.chunks(10).map(|c| c.join(" ")).collect();
    format!(
        "# Arviointi {{#sec-arviointi}}\n\n\
         Alku kertoo yhteistyön tavoitteista ja keinoista.\n\n\
         Rahoitus jäi vaatimattomaksi kaikissa verkostoissa vuonna 2019.\n\n\
         Poistuva lause kertoo asiasta, joka poistetaan myöhemmin.\n\n\
         Pitkä kappale: {} loppu.\n",
        long.join("\n")
    )
}

/// The chapter as edited after the draft: a paragraph added above, a line
/// changed around the commented words, a paragraph deleted.
fn edited(text: &str) -> String {
    text.replace("{#sec-arviointi}\n\n", "{#sec-arviointi}\n\nUusi johdantokappale lisättiin luonnoksen jälkeen.\n\n")
        .replace("Alku kertoo yhteistyön", "Alku kertoo nyt yhteistyön")
        .replace("Poistuva lause kertoo asiasta, joka poistetaan myöhemmin.\n\n", "")
}

/// A fixture project in its own git repository.
struct Repo {
    p: TempProject,
}

impl Repo {
    fn new() -> Repo {
        let p = TempProject::fixture("sample");
        p.write(CHAPTER, &chapter());
        let repo = Repo { p };
        repo.git(&["init", "-q"]);
        repo.commit("luonnos");
        repo
    }

    fn path(&self) -> &Path {
        self.p.path()
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(self.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-qm", message]);
    }

    /// Builds the drafts and keeps a copy of the report as the reviewer's.
    fn draft(&self, name: &str) -> PathBuf {
        must_succeed(&self.p.run(&["build"]));
        let copy = self.path().join(name);
        std::fs::copy(self.path().join("out/report.pdf"), &copy).unwrap();
        copy
    }

    fn review(&self, pdfs: &[&Path], extra: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kooste"));
        cmd.arg("review").arg("--root").arg(self.path()).args(["--diagnostic-format", "short"]).args(extra);
        cmd.args(pdfs);
        cmd.env("GIT_CEILING_DIRECTORIES", self.path().parent().unwrap());
        cmd.env("SOURCE_DATE_EPOCH", "1582848000");
        cmd.output().unwrap()
    }

    fn chapter(&self) -> String {
        String::from_utf8(self.p.read(CHAPTER)).unwrap()
    }
}

/// A word on a page, in points from the top-left corner.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    page: usize,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

/// Every word of a PDF with its box, and each page's height.
fn words(pdf: &Path) -> (Vec<Word>, Vec<f64>) {
    let out = Command::new("pdftotext").args(["-bbox", "-enc", "UTF-8"]).arg(pdf).arg("-").output().unwrap();
    let html = String::from_utf8_lossy(&out.stdout);
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    let (mut words, mut heights) = (Vec::new(), Vec::new());
    for line in html.lines().map(str::trim) {
        if line.starts_with("<page ") {
            heights.push(attr(line, "height"));
        } else if let Some(rest) = line.strip_prefix("<word ") {
            let text = rest.split('>').nth(1).unwrap().trim_end_matches("</word").to_string();
            let text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
            let page = heights.len() - 1;
            words.push(Word {
                text,
                page,
                x0: attr(line, "xMin"),
                y0: attr(line, "yMin"),
                x1: attr(line, "xMax"),
                y1: attr(line, "yMax"),
            });
        }
    }
    (words, heights)
}

/// The first run of words reading `phrase`.
fn find<'a>(words: &'a [Word], phrase: &str) -> &'a [Word] {
    let want: Vec<&str> = phrase.split(' ').collect();
    let at = (0..words.len())
        .find(|&i| want.iter().enumerate().all(|(k, w)| words.get(i + k).is_some_and(|x| x.text == *w)))
        .unwrap_or_else(|| panic!("`{phrase}` is not in the PDF"));
    &words[at..at + want.len()]
}

/// Adds annotations to a PDF as a reader does.
struct Annotator {
    doc: Document,
    heights: Vec<f64>,
}

impl Annotator {
    fn open(pdf: &Path, heights: Vec<f64>) -> Annotator {
        Annotator { doc: Document::load(pdf).unwrap(), heights }
    }

    /// Adds `dict` to `page`'s /Annots.
    fn add(&mut self, page: usize, mut dict: Dictionary) -> ObjectId {
        dict.set("Type", Object::Name(b"Annot".to_vec()));
        dict.set("F", 4);
        let page_id = *self.doc.get_pages().get(&(page as u32 + 1)).unwrap();
        let id = self.doc.add_object(dict);
        let page = self.doc.get_dictionary_mut(page_id).unwrap();
        match page.get_mut(b"Annots") {
            Ok(Object::Array(list)) => list.push(Object::Reference(id)),
            _ => page.set("Annots", vec![Object::Reference(id)]),
        }
        id
    }

    /// Text markup (Highlight, StrikeOut, …) over `words`, one quad per word.
    fn markup(&mut self, subtype: &str, words: &[Word], author: &str, contents: &str) -> ObjectId {
        let h = self.heights[words[0].page];
        let mut quads = Vec::new();
        for w in words {
            quads.extend([w.x0, h - w.y0, w.x1, h - w.y0, w.x0, h - w.y1, w.x1, h - w.y1]);
        }
        let xs = words.iter().flat_map(|w| [w.x0, w.x1]);
        let rect = [
            xs.clone().fold(f64::INFINITY, f64::min),
            h - words.iter().map(|w| w.y1).fold(f64::NEG_INFINITY, f64::max),
            xs.fold(f64::NEG_INFINITY, f64::max),
            h - words.iter().map(|w| w.y0).fold(f64::INFINITY, f64::min),
        ];
        let mut d = Dictionary::new();
        d.set("Subtype", Object::Name(subtype.as_bytes().to_vec()));
        d.set("Rect", numbers(&rect));
        d.set("QuadPoints", numbers(&quads));
        d.set("T", lopdf::text_string(author));
        if !contents.is_empty() {
            d.set("Contents", lopdf::text_string(contents));
        }
        self.add(words[0].page, d)
    }

    /// A point annotation at the end of `word`: a caret over the gap, or
    /// a note icon whose top-left corner is where the reviewer clicked.
    fn at_end(&mut self, subtype: &str, word: &Word, author: &str, contents: &str) -> ObjectId {
        let h = self.heights[word.page];
        let middle = h - (word.y0 + word.y1) / 2.0;
        let rect = match subtype {
            "Caret" => [word.x1 - 1.0, h - word.y1, word.x1 + 5.0, h - word.y0],
            _ => [word.x1 - 1.0, middle - 20.0, word.x1 + 19.0, middle],
        };
        let mut d = Dictionary::new();
        d.set("Subtype", Object::Name(subtype.as_bytes().to_vec()));
        d.set("Rect", numbers(&rect));
        d.set("T", lopdf::text_string(author));
        d.set("Contents", lopdf::text_string(contents));
        self.add(word.page, d)
    }

    /// A replacement as Acrobat makes it: a caret with the new text, and a
    /// strike-out over the old one grouped with it.
    fn replace(&mut self, old: &[Word], new: &str, author: &str) {
        let caret = self.at_end("Caret", old.last().unwrap(), author, new);
        let strike = self.markup("StrikeOut", old, author, "");
        let d = self.doc.get_dictionary_mut(strike).unwrap();
        d.set("IRT", Object::Reference(caret));
        d.set("RT", Object::Name(b"Group".to_vec()));
    }

    fn save(&mut self, path: &Path) {
        self.doc.save(path).unwrap();
    }
}

fn numbers(values: &[f64]) -> Object {
    Object::Array(values.iter().map(|v| Object::Real(*v as f32)).collect())
}

/// The chapter's long-paragraph words that a line break and a page break
/// fall between.
fn breaks(all: &[Word]) -> ((Word, Word), (Word, Word)) {
    let token = |t: &str| t.len() == 5 && t.starts_with('s') && t[1..].chars().all(|c| c.is_ascii_digit());
    let tokens: Vec<&Word> = all.iter().filter(|w| token(&w.text)).collect();
    let pair = |pred: &dyn Fn(&Word, &Word) -> bool| {
        tokens.windows(2).skip(15).find(|p| pred(p[0], p[1])).map(|p| (p[0].clone(), p[1].clone())).unwrap()
    };
    let line = pair(&|a, b| a.page == b.page && b.y0 > a.y1);
    let page = pair(&|a, b| b.page == a.page + 1);
    (line, page)
}

/// Today's text with every CriticMarkup mark taken out again.
fn unmark(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{>>") {
            rest = &after[after.find("<<}").unwrap() + 3..];
        } else if let Some(after) = tail.strip_prefix("{~~") {
            let old_end = after.find("~>").unwrap();
            out.push_str(&after[..old_end]);
            rest = &after[after.find("~~}").unwrap() + 3..];
        } else if ["{==", "{--"].iter().any(|m| tail.starts_with(m)) {
            rest = &tail[3..];
        } else {
            out.push('{');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out.replace("==}", "").replace("--}", "")
}

#[test]
fn comments_land_at_their_words_after_the_chapter_changed() {
    let repo = Repo::new();
    let pdf_a = repo.draft("arvioija.pdf");
    let pdf_b = repo.path().join("toinen.pdf");
    std::fs::copy(&pdf_a, &pdf_b).unwrap();
    let (all, heights) = words(&pdf_a);
    let ((l1, l2), (p1, p2)) = breaks(&all);

    let mut a = Annotator::open(&pdf_a, heights.clone());
    a.markup("Highlight", find(&all, "yhteistyön tavoitteista"), "Arvioija", "Mitkä tavoitteet?");
    a.markup("StrikeOut", &find(&all, "kaikissa verkostoissa")[..1], "Arvioija", "");
    a.at_end("Text", &find(&all, "2019.")[0], "Arvioija", "Lähde puuttuu.");
    a.replace(&find(&all, "Rahoitus jäi")[..1], "Resursointi", "Arvioija");
    a.markup("Highlight", find(&all, "Poistuva lause"), "Arvioija", "Tarpeeton?");
    a.markup("Highlight", &[l1.clone(), l2.clone()], "Arvioija", "Rivinvaihto");
    a.markup("Highlight", std::slice::from_ref(&p1), "Arvioija", "Sivunvaihto");
    a.markup("Highlight", std::slice::from_ref(&p2), "Arvioija", "");
    a.markup("Highlight", find(&all, "Beeta"), "Arvioija", "Onko tämä oikein?");
    a.save(&pdf_a);
    let mut b = Annotator::open(&pdf_b, heights);
    b.markup("Highlight", find(&all, "yhteistyön tavoitteista"), "Toinen", "Samaa mieltä.");
    b.save(&pdf_b);

    // A case sheet is reviewed alike: its stamp names the batch output.
    let sheet = repo.path().join("alfa-arvio.pdf");
    std::fs::copy(repo.path().join("out/cases/alfa.pdf"), &sheet).unwrap();
    let (sheet_words, sheet_heights) = words(&sheet);
    let mut s = Annotator::open(&sheet, sheet_heights);
    s.markup("Highlight", find(&sheet_words, "testitapaus"), "Arvioija", "Tarkenna.");
    s.save(&sheet);

    let today = edited(&repo.chapter());
    repo.p.write(CHAPTER, &today);
    repo.commit("muokattu");

    let dry = repo.review(&[&pdf_a, &pdf_b], &["--dry-run"]);
    must_succeed(&dry);
    assert!(stderr(&dry).contains("would write"), "{}", stderr(&dry));
    assert_eq!(repo.chapter(), today, "a dry run changes nothing");

    let out = repo.review(&[&pdf_a, &pdf_b, &sheet], &[]);
    must_succeed(&out);
    let case = String::from_utf8(repo.p.read("report/cases/01-alfa.md")).unwrap();
    assert!(case.contains("Alfa on {==testitapaus==}{>>Arvioija: Tarkenna.<<} [@tem2019]."), "{case}");
    let log = stderr(&out);
    let text = repo.chapter();
    for expected in [
        "{==yhteistyön tavoitteista==}{>>Arvioija: Mitkä tavoitteet?<<}{>>Toinen: Samaa mieltä.<<}".to_string(),
        "{~~Rahoitus~>Resursointi~~} jäi vaatimattomaksi {--kaikissa--} verkostoissa".into(),
        "vuonna 2019{>>Arvioija: Lähde puuttuu.<<}.".into(),
        format!("{{=={}", l1.text),
        format!("{}==}}{{>>Arvioija: Rivinvaihto<<}}", l2.text),
        format!("{{=={}", p1.text),
        format!("{}==}}{{>>Arvioija: Sivunvaihto<<}}", p2.text),
    ] {
        assert!(text.contains(&expected), "`{expected}` missing in:\n{text}\n{log}");
    }
    assert_eq!(unmark(&text), today, "only marks were added");
    assert!(log.contains("Poistuva lause") && log.contains("not placed") && log.contains("Tarpeeton?"), "{log}");
    assert!(log.contains("data/verkostot.csv:3:") && log.contains("Onko tämä oikein?"), "{log}");
    assert!(log.contains(&format!("{CHAPTER}:")) && log.contains("note: comment by Arvioija"), "{log}");

    let again = repo.review(&[&pdf_a, &pdf_b], &[]);
    must_succeed(&again);
    assert_eq!(repo.chapter(), text, "a second run adds nothing");
    assert!(stderr(&again).contains("already in the text"), "{}", stderr(&again));

    // The marks are CriticMarkup the draft shows and a final build refuses.
    must_succeed(&repo.p.run(&["build"]));
    assert!(fold(&pdf_text(&repo.path().join("out/report.pdf"))).contains("Mitkä tavoitteet?"));
    let final_build = repo.p.run(&["check", "--final"]);
    fails_saying(&final_build, 1, &format!("{CHAPTER}:"));
    assert!(stderr(&final_build).contains("CriticMarkup"), "{}", stderr(&final_build));
}

#[test]
fn a_pdf_without_a_stamp_is_refused() {
    let p = TempProject::fixture("sample");
    must_succeed(&p.run(&["build"]));
    let out = Command::new(env!("CARGO_BIN_EXE_kooste"))
        .arg("review")
        .arg("--root")
        .arg(p.path())
        .arg(p.path().join("out/report.pdf"))
        .env("GIT_CEILING_DIRECTORIES", p.path().parent().unwrap())
        .output()
        .unwrap();
    fails_saying(&out, 1, "has no kooste stamp");
}

#[test]
fn a_draft_from_another_repository_is_refused() {
    let first = Repo::new();
    first.p.write(CHAPTER, &edited(&chapter()));
    first.commit("vain täällä");
    let pdf = first.draft("arvioija.pdf");
    let other = Repo::new();
    let out = other.review(&[&pdf], &[]);
    fails_saying(&out, 1, "which this repository does not have");
    let missing = other.review(&[&other.path().join("nothing.pdf")], &[]);
    fails_saying(&missing, 2, "cannot read");
}

/// Exit `code`, with `fragment` in what kooste printed (review's refusals
/// name the PDF and the commit, which differ from run to run).
#[track_caller]
fn fails_saying(out: &Output, code: i32, fragment: &str) {
    must_fail(out, code);
    let printed = stderr(out);
    assert!(printed.contains(fragment), "stderr lacks {fragment:?}:\n{printed}");
}

/// The stamp lives in kooste's XMP properties, declared as a PDF/A
/// extension schema; the Keywords are the report's keywords alone, and the
/// file's cross-references still point at their objects after the XMP grew.
#[test]
fn the_stamp_is_in_xmp_and_keywords_are_the_reports() {
    let repo = Repo::new();
    let toml = String::from_utf8(repo.p.read("report/report.toml")).unwrap();
    repo.p.write(
        "report/report.toml",
        &toml.replacen("file = \"report.pdf\"\n", "file = \"report.pdf\"\nstandards = [\"a-2a\"]\n", 1),
    );
    repo.commit("PDF/A");
    let draft = repo.draft("draft.pdf");
    let doc = Document::load(&draft).unwrap();
    let info = doc.trailer.get(b"Info").and_then(Object::as_reference).unwrap();
    let keywords = doc.get_dictionary(info).unwrap().get(b"Keywords").unwrap();
    assert_eq!(lopdf::decode_text_string(keywords).unwrap(), "testi");
    let meta = doc.catalog().unwrap().get(b"Metadata").and_then(Object::as_reference).unwrap();
    let xmp = String::from_utf8_lossy(&doc.get_object(meta).unwrap().as_stream().unwrap().content).into_owned();
    let head = repo.git(&["rev-parse", "HEAD"]);
    assert!(xmp.contains(&format!("<kooste:commit>{}</kooste:commit>", head.trim())), "{xmp}");
    assert!(xmp.contains("<kooste:output>report</kooste:output>"));
    assert!(xmp.contains("<kooste:dirty>False</kooste:dirty>"));
    assert!(xmp.contains("<pdfaSchema:prefix>kooste</pdfaSchema:prefix>"));
    assert!(xmp.contains("<pdf:Keywords>testi</pdf:Keywords>"));
    // qpdf finds no damage (a wrong offset would be "reconstructing").
    let check = Command::new("qpdf").arg("--check").arg(&draft).output().unwrap();
    let said = String::from_utf8_lossy(&check.stdout).into_owned() + &String::from_utf8_lossy(&check.stderr);
    assert!(check.status.success() && !said.contains("WARNING"), "{said}");
}
