//! Markdown sources under `report/` → typed documents with front matter.
//!
//! Reads the chapters, case studies, recommendations, the brief and the
//! abstracts. Front matter (YAML between `---` lines) is parsed into strict
//! structs; its errors are reported at their position in the file. The body
//! keeps the file's line numbering: the front matter is replaced by blank
//! lines, so every later position (template, Markdown, Typst) is a position
//! in the author's file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use super::front::front_matter_range;
use super::front::parse_front;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// One Markdown file: where it is, its text and its front matter.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path relative to the project root, with `/` separators.
    pub path: PathBuf,
    /// The whole file as written.
    pub text: String,
    /// The body with the front matter blanked out (same line numbers as `text`).
    pub body: String,
    /// Where the lines of `text` come from, when it includes other files
    /// (`{{< include >}}`, spliced into `text`).
    pub includes: Option<super::include::Origins>,
}

/// A chapter of the report (`report/chapters/*.md`).
#[derive(Debug, Clone)]
pub struct Chapter {
    pub doc: Document,
    pub front: ChapterFront,
}

/// Front matter of a chapter; all optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChapterFront {
    /// The chapter's title, as Quarto reads it: it becomes the chapter's
    /// level-1 heading when the text has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Render a collection right after this chapter: `cases` or `recommendations`.
    pub include: Option<Include>,
    /// The chapter belongs to the appendices (lettered, after the references).
    pub appendix: bool,
}

/// A collection a chapter can pull in after its own text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Include {
    Cases,
    Recommendations,
}

/// A case study (`report/cases/*.md`): front matter is data for tables.
#[derive(Debug, Clone)]
pub struct Case {
    pub doc: Document,
    pub front: CaseFront,
}

/// Front matter of a case study.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFront {
    /// Short ASCII id; the case's label is `sec-case-<id>`.
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub founded: Option<i64>,
    #[serde(default)]
    pub funding: String,
    #[serde(default)]
    pub members: String,
    #[serde(default)]
    pub themes: Vec<String>,
    /// BibTeX keys of the sources the case is built from.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A recommendation (`report/recommendations/*.md`), shared by report and brief.
#[derive(Debug, Clone)]
pub struct Recommendation {
    pub doc: Document,
    pub front: RecommendationFront,
}

/// Front matter of a recommendation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendationFront {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub actors: Vec<String>,
    #[serde(default)]
    pub timeframe: String,
    /// What is done, in one sentence (the brief's recommendations panel).
    #[serde(default)]
    pub action: String,
    /// Who decides on it: the body that can say yes.
    #[serde(default)]
    pub decides: String,
    /// What it costs and who pays, in words (figures from the report).
    #[serde(default)]
    pub cost: String,
    /// Research questions answered, such as `TK1`.
    #[serde(default)]
    pub questions: Vec<String>,
    /// Whether the brief shows this recommendation.
    #[serde(default = "yes")]
    pub brief: bool,
}

/// The label of a recommendation: `rec-s1` for id `S1`.
pub fn recommendation_label(id: &str) -> String {
    format!("rec-{}", id.to_lowercase())
}

/// The label of a case study's section: `sec-case-reglab` for id `reglab`.
pub fn case_label(id: &str) -> String {
    format!("sec-case-{id}")
}

fn yes() -> bool {
    true
}

/// The policy brief's own text (`report/brief.md`).
#[derive(Debug, Clone)]
pub struct Brief {
    pub doc: Document,
    pub front: BriefFront,
}

/// Front matter of the brief.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BriefFront {
    pub title: String,
    pub subtitle: String,
    #[serde(alias = "key-messages")]
    pub key_messages: Vec<String>,
}

/// An abstract in one language (`report/abstracts/<lang>.md`).
#[derive(Debug, Clone)]
pub struct Abstract {
    /// Language code from the file name.
    pub lang: String,
    pub doc: Document,
    pub front: AbstractFront,
}

/// Front matter of an abstract.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AbstractFront {
    pub title: String,
    pub keywords: Vec<String>,
}

/// Every Markdown source of the project.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub chapters: Vec<Chapter>,
    pub cases: Vec<Case>,
    pub recommendations: Vec<Recommendation>,
    pub brief: Option<Brief>,
    pub abstracts: Vec<Abstract>,
    /// The sources that could not be read or whose front matter failed
    /// (their errors are reported): what they define and cite is unknown.
    pub failed: Vec<PathBuf>,
}

impl Sources {
    /// Every document, in the order the converter numbers them: chapters,
    /// cases, recommendations, the brief, the abstracts.
    pub fn documents(&self) -> Vec<&Document> {
        self.chapters
            .iter()
            .map(|c| &c.doc)
            .chain(self.cases.iter().map(|c| &c.doc))
            .chain(self.recommendations.iter().map(|r| &r.doc))
            .chain(self.brief.iter().map(|b| &b.doc))
            .chain(self.abstracts.iter().map(|a| &a.doc))
            .collect()
    }
}

/// Loads every Markdown source under `root/report`, reporting every problem.
pub fn load_sources(root: &Path) -> (Sources, Diagnostics) {
    let mut diags = Vec::new();
    let mut sources = Sources::default();

    for mut doc in read_folder(root, "report/chapters", &mut diags) {
        if let Some(front) = parse_front(&doc, "a chapter", &mut diags, Some(ChapterFront::default())) {
            if let Some(title) = &front.title
                && !title_as_heading(&mut doc, title)
            {
                let at = front_key_range(&doc.text, "title");
                diags.push(
                    Diagnostic::warning(
                        &doc.path,
                        at,
                        "front matter: `title` is not used: the chapter has its own level-1 heading",
                    )
                    .with_hint("remove one of the two; the heading is the chapter's title"),
                );
            }
            sources.chapters.push(Chapter { doc, front });
        }
    }
    if sources.chapters.is_empty() && diags.is_empty() {
        diags.push(
            Diagnostic::error("report/chapters", None, "the report has no chapters")
                .with_hint("add Markdown files such as report/chapters/01-johdanto.md"),
        );
    }
    for doc in read_folder(root, "report/cases", &mut diags) {
        if let Some(front) = parse_front::<CaseFront>(&doc, "a case study", &mut diags, None) {
            check_id(&doc, &front.id, &mut diags);
            sources.cases.push(Case { doc, front });
        }
    }
    for doc in read_folder(root, "report/recommendations", &mut diags) {
        if let Some(front) = parse_front::<RecommendationFront>(&doc, "a recommendation", &mut diags, None) {
            sources.recommendations.push(Recommendation { doc, front });
        }
    }
    // Quarto's `.qmd` is read wherever `.md` is (`brief.md` first).
    if let Some(brief) = super::tree::brief_path(root)
        && let Some(doc) = read_document(root, &brief, &mut diags)
        && let Some(front) = parse_front(&doc, "the brief", &mut diags, Some(BriefFront::default()))
    {
        sources.brief = Some(Brief { doc, front });
    }
    for doc in read_folder(root, "report/abstracts", &mut diags) {
        let lang = doc.path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        if let Some(front) = parse_front(&doc, "an abstract", &mut diags, Some(AbstractFront::default())) {
            sources.abstracts.push(Abstract { lang, doc, front });
        }
    }

    let loaded: Vec<&Path> = sources.documents().iter().map(|d| d.path.as_path()).collect();
    sources.failed = super::tree::source_paths(root).into_iter().filter(|p| !loaded.contains(&p.as_path())).collect();
    check_unique(sources.cases.iter().map(|c| (&c.doc, c.front.id.as_str())), "case study id", &mut diags);
    check_unique(
        sources.recommendations.iter().map(|r| (&r.doc, r.front.id.as_str())),
        "recommendation id",
        &mut diags,
    );
    (sources, diags)
}

/// The `.md` and `.qmd` files of one folder, sorted by file name.
fn read_folder(root: &Path, folder: &str, diags: &mut Diagnostics) -> Vec<Document> {
    super::tree::markdown_in(root, folder).into_iter().filter_map(|rel| read_document(root, &rel, diags)).collect()
}

/// Reads one Markdown file; reports unreadable, binary and non-UTF-8 files.
pub fn read_document(root: &Path, rel: &Path, diags: &mut Diagnostics) -> Option<Document> {
    let bytes = match std::fs::read(root.join(rel)) {
        Ok(bytes) => bytes,
        Err(err) => {
            diags.push(Diagnostic::error(rel, None, format!("cannot read file ({err})")));
            return None;
        }
    };
    let text = match decode_text(rel, bytes) {
        Ok(text) => text,
        Err(diag) => {
            diags.push(*diag);
            return None;
        }
    };
    let (text, includes) = super::include::expand(rel, &text, &|file| read_text(root, file), diags);
    let body = blank_front_matter(&text);
    Some(Document { path: rel.to_path_buf(), text, body, includes })
}

/// A project file's text, for an include (the root's symlinks that lead
/// out are refused, as the Typst world refuses them).
pub fn read_text(root: &Path, rel: &Path) -> Result<String, String> {
    let real = root.join(rel).canonicalize().map_err(|e| e.to_string())?;
    let canonical_root = root.canonicalize().map_err(|e| e.to_string())?;
    if !real.starts_with(&canonical_root) {
        return Err("it leads outside the project folder".into());
    }
    let bytes = std::fs::read(&real).map_err(|e| e.to_string())?;
    decode_text(rel, bytes).map_err(|d| d.message)
}

/// Decodes a text file as UTF-8 (a BOM is dropped), with a positioned error
/// for invalid bytes or binary content.
pub fn decode_text(rel: &Path, bytes: Vec<u8>) -> Result<String, Box<Diagnostic>> {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(Box::new(
            Diagnostic::error(rel, Some(at..at + 1), "this is a binary file, not text (it contains a NUL byte)")
                .with_hint("only UTF-8 text files belong here; move the file elsewhere"),
        ));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                // Keep byte offsets stable for diagnostics: a space of the
                // same length is invisible to every later parser.
                text.replace_range(..3, "   ");
            }
            Ok(text)
        }
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            Err(Box::new(
                Diagnostic::error(rel, Some(at..at + 1), "invalid UTF-8 in text file")
                    .with_hint("save the file as UTF-8 in your editor"),
            ))
        }
    }
}

/// The text with its front matter (delimiters included) replaced by empty
/// lines, so line numbers stay those of the file.
pub fn blank_front_matter(text: &str) -> String {
    let Some(range) = front_matter_range(text) else {
        return text.to_string();
    };
    let end_line = text[range.end..].find('\n').map_or(text.len(), |i| range.end + i);
    let newlines = text[..end_line].matches('\n').count();
    let mut body = "\n".repeat(newlines);
    body.push_str(&text[end_line..]);
    body
}

/// Quarto's `title:` of a chapter whose text has no level-1 heading: the
/// heading `# title`, written on the front matter's `title:` line of the
/// body (blank there), so it is that line's. False when the text has a
/// heading of its own.
pub fn title_as_heading(doc: &mut Document, title: &str) -> bool {
    let mut fenced = false;
    let has_heading = doc.body.lines().any(|line| {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
        }
        !fenced && (line.starts_with("# ") || line.trim_end() == "#")
    });
    if has_heading {
        return false;
    }
    let Some(line) = doc.text.lines().position(|l| l.starts_with("title:")) else {
        return true;
    };
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut lines: Vec<&str> = doc.body.split('\n').collect();
    let heading = format!("# {title}");
    if lines.get(line).is_some_and(|l| l.is_empty()) {
        lines[line] = &heading;
        doc.body = lines.join("\n");
    }
    true
}

/// Where the front matter of `text` writes `key:`.
fn front_key_range(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let front = front_matter_range(text)?;
    let at = text[front.clone()].find(&format!("{key}:"))?;
    Some(front.start + at..front.start + at + key.len())
}

/// Ids end up in labels and file names: ASCII letters, digits and hyphens.
fn check_id(doc: &Document, id: &str, diags: &mut Diagnostics) {
    let ok = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        let range = front_key_range(&doc.text, "id");
        diags.push(
            Diagnostic::error(
                &doc.path,
                range,
                format!("id `{id}` may only contain ASCII letters, digits, `-` and `_`"),
            )
            .with_hint("the id becomes a label (sec-case-<id>) and a file name"),
        );
    }
}

fn check_unique<'a>(items: impl Iterator<Item = (&'a Document, &'a str)>, what: &str, diags: &mut Diagnostics) {
    let mut seen: Vec<(&str, &PathBuf)> = Vec::new();
    for (doc, id) in items {
        if let Some((_, first)) = seen.iter().find(|(seen_id, _)| *seen_id == id) {
            diags.push(
                Diagnostic::error(&doc.path, front_matter_range(&doc.text), format!("{what} `{id}` is used twice"))
                    .with_hint(format!("{} uses it already", first.display())),
            );
        } else {
            seen.push((id, &doc.path));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_blanked_keeping_lines() {
        let text = "---\nid: a\nname: B\n---\n# Title\n";
        assert_eq!(front_matter_range(text), Some(4..18));
        let body = blank_front_matter(text);
        assert_eq!(body, "\n\n\n\n# Title\n");
    }

    #[test]
    fn unknown_front_matter_key_points_into_the_file() {
        let doc = Document {
            path: "report/cases/a.md".into(),
            text: "---\nid: a\nname: B\ncolour: red\n---\n".into(),
            body: String::new(),
            includes: None,
        };
        let mut diags = Vec::new();
        assert!(parse_front::<CaseFront>(&doc, "a case study", &mut diags, None).is_none());
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.contains("unknown field `colour`"), "{}", diags[0].message);
        let (line, _) = crate::diagnostics::line_col(&doc.text, diags[0].range.clone().unwrap().start);
        assert_eq!(line, 4);
    }

    #[test]
    fn invalid_utf8_and_binary_are_reported() {
        let err = decode_text(Path::new("a.md"), b"ok\n\xff".to_vec()).unwrap_err();
        assert_eq!(err.range, Some(3..4));
        let err = decode_text(Path::new("a.md"), b"x\0y".to_vec()).unwrap_err();
        assert!(err.message.contains("binary"));
    }

    #[test]
    fn yaml_errors_point_at_their_line() {
        let cases = [
            ("---\nid: a\nname: B\nfounded: soon\n---\n", 4, "invalid type"),
            ("---\nid: a\nname: [B, C\n---\n", 3, ""),
            ("---\nid: a\nname: B\n  themes: x\n---\n", 4, ""),
        ];
        for (text, line, message) in cases {
            let doc =
                Document { path: "report/cases/a.md".into(), text: text.into(), body: String::new(), includes: None };
            let mut diags = Vec::new();
            assert!(parse_front::<CaseFront>(&doc, "a case study", &mut diags, None).is_none(), "{text}");
            assert_eq!(diags.len(), 1, "{text}");
            assert!(diags[0].message.contains(message), "{}", diags[0].message);
            assert!(!diags[0].message.contains(" at line "), "{}", diags[0].message);
            let (at, _) = crate::diagnostics::line_col(&doc.text, diags[0].range.clone().unwrap().start);
            assert_eq!(at, line, "{text}: {}", diags[0].message);
        }
    }
}
