//! A reviewed PDF (bytes) → its kooste stamp and its reviewers' comments.
//!
//! Reads the annotations PDF readers write (ISO 32000 §12.5.6) with lopdf:
//! Highlight, Underline and Squiggly (a comment on text), StrikeOut (a
//! deletion), Caret (an insertion), a Caret and a StrikeOut tied together by
//! `/IRT` (a replacement, as readers make for "replace text"), Text (a sticky
//! note), FreeText (a note typed on the page), and replies (`/IRT` without
//! `/RT /Group`), which join the comment they answer. Coordinates are turned
//! from PDF user space (origin bottom-left, y up) into Typst's page space
//! (origin top-left, y down), both in points.

use std::collections::{BTreeMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};

pub use crate::compile::stamp::Stamp;

/// The keyword prefixes of the stamp before it moved to kooste's XMP
/// properties: PDFs built then are still read.
const STAMP_COMMIT: &str = "kooste-commit:";
const STAMP_OUTPUT: &str = "kooste-output:";
const STAMP_DIRTY: &str = "kooste-dirty";

/// A rectangle in Typst page coordinates (points, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    /// Whether `(x, y)` lies inside, with `slack` points around.
    pub fn contains(&self, x: f64, y: f64, slack: f64) -> bool {
        x >= self.x0 - slack && x <= self.x1 + slack && y >= self.y0 - slack && y <= self.y1 + slack
    }
}

/// What a reviewer asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Mark the text, with the comment if there is one.
    Highlight,
    /// Delete the text (a strike-out).
    Delete,
    /// Replace the text with this (a strike-out grouped with a caret).
    Replace(String),
    /// Insert this at the point (a caret).
    Insert(String),
    /// A note at the point (a sticky note or a text box).
    Note,
}

/// One reviewer's comment, made of one annotation or a group of them.
#[derive(Debug, Clone)]
pub struct Comment {
    pub action: Action,
    /// The annotation's subtype, as the reader wrote it (for messages).
    pub subtype: String,
    /// 0-based page index.
    pub page: usize,
    /// The text the comment covers (from `/QuadPoints`), for text markup.
    pub quads: Vec<Rect>,
    /// The point it was made at (caret, note icon, text box).
    pub point: (f64, f64),
    /// `/T`: who made it.
    pub author: String,
    /// `/Contents`, or the first reply when that is empty.
    pub text: String,
    /// Further replies: author and text.
    pub replies: Vec<(String, String)>,
}

/// A reviewed PDF: its stamp, its page count and its comments.
#[derive(Debug)]
pub struct ReviewedPdf {
    pub stamp: Option<Stamp>,
    pub pages: usize,
    pub comments: Vec<Comment>,
    /// Annotations that are no comment kooste can act on: page and subtype.
    pub ignored: Vec<(usize, String)>,
}

/// One annotation as read from a page.
#[derive(Debug, Clone)]
struct Raw {
    id: ObjectId,
    subtype: String,
    page: usize,
    quads: Vec<Rect>,
    rect: Rect,
    author: String,
    contents: String,
    irt: Option<ObjectId>,
    group: bool,
}

/// Reads a PDF's stamp and comments; the error says why it is no PDF.
pub fn read(bytes: &[u8]) -> Result<ReviewedPdf, String> {
    let doc = Document::load_mem(bytes).map_err(|e| format!("not a readable PDF ({e})"))?;
    let stamp = read_stamp(&doc);
    let pages = doc.get_pages();
    let mut raws = Vec::new();
    for (index, (_, page_id)) in pages.iter().enumerate() {
        let Ok(page) = doc.get_dictionary(*page_id) else { continue };
        let height = media_box(&doc, page).map_or(842.0, |b| b.3);
        let left = media_box(&doc, page).map_or(0.0, |b| b.0);
        let Ok(annots) = page.get(b"Annots").and_then(|a| deref(&doc, a).as_array().cloned()) else { continue };
        for annot in annots {
            let Ok(id) = annot.as_reference() else { continue };
            let Ok(dict) = doc.get_dictionary(id) else { continue };
            raws.push(raw(&doc, id, dict, index, left, height));
        }
    }
    let (comments, ignored) = group(raws);
    Ok(ReviewedPdf { stamp, pages: pages.len(), comments, ignored })
}

/// Follows a reference, or returns the object itself.
fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    doc.dereference(object).map(|(_, o)| o).unwrap_or(object)
}

/// A page's `/MediaBox` (inherited from its parents), as x0, y0, x1, y1.
fn media_box(doc: &Document, page: &Dictionary) -> Option<(f64, f64, f64, f64)> {
    let mut node = page;
    for _ in 0..32 {
        if let Ok(bx) = node.get(b"MediaBox") {
            let n: Vec<f64> = deref(doc, bx)
                .as_array()
                .ok()?
                .iter()
                .filter_map(|o| deref(doc, o).as_float().ok())
                .map(f64::from)
                .collect();
            return (n.len() == 4).then(|| (n[0], n[1], n[2], n[3]));
        }
        node =
            node.get(b"Parent").ok().and_then(|p| p.as_reference().ok()).and_then(|id| doc.get_dictionary(id).ok())?;
    }
    None
}

/// Reads one annotation dictionary.
fn raw(doc: &Document, id: ObjectId, dict: &Dictionary, page: usize, left: f64, height: f64) -> Raw {
    let text =
        |key: &[u8]| dict.get(key).ok().and_then(|o| lopdf::decode_text_string(deref(doc, o)).ok()).unwrap_or_default();
    let numbers = |key: &[u8]| -> Vec<f64> {
        dict.get(key)
            .ok()
            .and_then(|o| deref(doc, o).as_array().ok())
            .map(|a| a.iter().filter_map(|o| deref(doc, o).as_float().ok()).map(f64::from).collect())
            .unwrap_or_default()
    };
    // PDF space → page space: x from the left edge, y down from the top.
    let flip = |xs: &[f64], ys: &[f64]| Rect {
        x0: xs.iter().copied().fold(f64::INFINITY, f64::min) - left,
        x1: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max) - left,
        y0: height - ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        y1: height - ys.iter().copied().fold(f64::INFINITY, f64::min),
    };
    let r = numbers(b"Rect");
    let rect =
        if r.len() == 4 { flip(&[r[0], r[2]], &[r[1], r[3]]) } else { Rect { x0: 0.0, y0: 0.0, x1: 0.0, y1: 0.0 } };
    let quads = numbers(b"QuadPoints")
        .chunks_exact(8)
        .map(|q| flip(&[q[0], q[2], q[4], q[6]], &[q[1], q[3], q[5], q[7]]))
        .collect();
    let subtype =
        dict.get(b"Subtype").and_then(|o| deref(doc, o).as_name()).map(|n| String::from_utf8_lossy(n).into_owned());
    let rt = dict.get(b"RT").and_then(|o| deref(doc, o).as_name()).map(|n| n.to_vec()).ok();
    Raw {
        id,
        subtype: subtype.unwrap_or_default(),
        page,
        quads,
        rect,
        author: clean_text(&text(b"T")),
        contents: clean_text(&text(b"Contents")),
        irt: dict.get(b"IRT").and_then(Object::as_reference).ok(),
        group: rt.as_deref() == Some(b"Group"),
    }
}

/// A comment's text on one line: line breaks become spaces, and the
/// trailing whitespace readers leave goes.
fn clean_text(text: &str) -> String {
    text.split(['\r', '\n']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The kooste stamp in the document's XMP properties (or, from PDFs built
/// before they existed, in its keywords). A stamp without a commit (built
/// outside git) cannot be reviewed and counts as none.
fn read_stamp(doc: &Document) -> Option<Stamp> {
    let xmp = doc
        .catalog()
        .ok()
        .and_then(|catalog| catalog.get(b"Metadata").ok())
        .and_then(|m| deref(doc, m).as_stream().ok())
        .map(|stream| {
            let content = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
            String::from_utf8_lossy(&content).into_owned()
        })
        .unwrap_or_default();
    if let Some(stamp) = crate::compile::stamp::read(&xmp) {
        return (!stamp.commit.is_empty() && stamp.commit.chars().all(|c| c.is_ascii_hexdigit())).then_some(stamp);
    }
    let info = doc.trailer.get(b"Info").ok().map(|o| deref(doc, o)).and_then(|o| o.as_dict().ok());
    let keywords = info
        .and_then(|i| i.get(b"Keywords").ok())
        .and_then(|k| lopdf::decode_text_string(deref(doc, k)).ok())
        .unwrap_or_default();
    parse_stamp(&keywords).or_else(|| parse_stamp(&xmp))
}

/// The stamp in a keywords text of older PDFs (`kooste-commit:…, kooste-output:…`).
pub fn parse_stamp(keywords: &str) -> Option<Stamp> {
    let token = |prefix: &str| {
        let at = keywords.find(prefix)? + prefix.len();
        let value: String =
            keywords[at..].chars().take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ';' | '<')).collect();
        Some(value)
    };
    let commit = token(STAMP_COMMIT).filter(|c| !c.is_empty() && c.chars().all(|c| c.is_ascii_hexdigit()))?;
    let output = token(STAMP_OUTPUT).unwrap_or_else(|| "report".into());
    Some(Stamp { commit, output, dirty: keywords.contains(STAMP_DIRTY) })
}

/// Annotations → comments: replies join their parents, a caret and a
/// strike-out tied together become one replacement.
fn group(raws: Vec<Raw>) -> (Vec<Comment>, Vec<(usize, String)>) {
    let by_id: BTreeMap<ObjectId, &Raw> = raws.iter().map(|r| (r.id, r)).collect();
    let mut used: HashSet<ObjectId> = HashSet::new();
    let mut replies: BTreeMap<ObjectId, Vec<&Raw>> = BTreeMap::new();
    // A caret and a strike-out linked by /IRT (either way): a replacement.
    let mut pairs: BTreeMap<ObjectId, ObjectId> = BTreeMap::new();
    for r in &raws {
        let Some(parent) = r.irt.and_then(|id| by_id.get(&id)) else { continue };
        let kinds = (r.subtype.as_str(), parent.subtype.as_str());
        if matches!(kinds, ("Caret", "StrikeOut") | ("StrikeOut", "Caret")) {
            let (strike, caret) = if r.subtype == "StrikeOut" { (r.id, parent.id) } else { (parent.id, r.id) };
            pairs.insert(strike, caret);
            used.insert(caret);
        } else if !r.group {
            replies.entry(parent.id).or_default().push(r);
            used.insert(r.id);
        }
    }
    let mut comments = Vec::new();
    let mut ignored = Vec::new();
    for r in &raws {
        if used.contains(&r.id) || r.subtype == "Popup" || r.subtype == "Link" || r.subtype == "Widget" {
            continue;
        }
        let mut thread: Vec<(String, String)> = Vec::new();
        if !r.contents.is_empty() {
            thread.push((r.author.clone(), r.contents.clone()));
        }
        let mut new_text = None;
        if let Some(caret) = pairs.get(&r.id).and_then(|id| by_id.get(id)) {
            new_text = Some(caret.contents.clone());
            thread.clear();
        }
        for reply in replies.get(&r.id).into_iter().flatten() {
            if !reply.contents.is_empty() {
                thread.push((reply.author.clone(), reply.contents.clone()));
            }
        }
        let action = match (r.subtype.as_str(), new_text) {
            ("StrikeOut", Some(new)) => Action::Replace(new),
            ("StrikeOut", None) => Action::Delete,
            ("Highlight" | "Underline" | "Squiggly", _) => Action::Highlight,
            ("Caret", _) => {
                Action::Insert(std::mem::take(&mut thread).into_iter().next().map(|t| t.1).unwrap_or_default())
            }
            ("Text" | "FreeText", _) => Action::Note,
            // Other markup (shapes, ink, stamps) with words in it: a note.
            (_, _) if !thread.is_empty() => Action::Note,
            _ => {
                ignored.push((r.page, r.subtype.clone()));
                continue;
            }
        };
        let (author, text) = if thread.is_empty() { (r.author.clone(), String::new()) } else { thread.remove(0) };
        let point = match r.subtype.as_str() {
            "Caret" => ((r.rect.x0 + r.rect.x1) / 2.0, (r.rect.y0 + r.rect.y1) / 2.0),
            _ => (r.rect.x0, r.rect.y0),
        };
        let point = match pairs.get(&r.id).and_then(|id| by_id.get(id)) {
            Some(caret) => ((caret.rect.x0 + caret.rect.x1) / 2.0, caret.rect.y0),
            None => point,
        };
        comments.push(Comment {
            action,
            subtype: r.subtype.clone(),
            page: r.page,
            quads: r.quads.clone(),
            point,
            author,
            text,
            replies: thread,
        });
    }
    (comments, ignored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_is_parsed_from_keywords() {
        let s = parse_stamp("raportti, kooste-commit:0123abcd, kooste-output:cases/alfa").unwrap();
        assert_eq!(s, Stamp { commit: "0123abcd".into(), output: "cases/alfa".into(), dirty: false });
        assert!(parse_stamp("raportti").is_none());
        assert!(parse_stamp("kooste-commit:xyz").is_none());
        assert!(parse_stamp("kooste-commit:ab kooste-dirty").unwrap().dirty);
    }

    fn raw(id: u32, subtype: &str, contents: &str, irt: Option<u32>, group: bool) -> Raw {
        let rect = Rect { x0: 10.0, y0: 20.0, x1: 30.0, y1: 40.0 };
        Raw {
            id: (id, 0),
            subtype: subtype.into(),
            page: 0,
            quads: vec![rect],
            rect,
            author: "A".into(),
            contents: contents.into(),
            irt: irt.map(|i| (i, 0)),
            group,
        }
    }

    #[test]
    fn replies_and_replacements_are_grouped() {
        let (comments, ignored) = group(vec![
            raw(1, "Highlight", "", None, false),
            raw(2, "Text", "vastaus", Some(1), false),
            raw(3, "Caret", "uusi", None, false),
            raw(4, "StrikeOut", "", Some(3), true),
            raw(5, "Popup", "", Some(1), false),
            raw(6, "Ink", "", None, false),
            raw(7, "Squiggly", "sanamuoto", None, false),
            raw(8, "FreeText", "laatikko", None, false),
            raw(9, "Caret", "lisäys", None, false),
        ]);
        assert_eq!(comments.len(), 5, "{comments:?}");
        assert_eq!((comments[2].action.clone(), comments[2].text.as_str()), (Action::Highlight, "sanamuoto"));
        assert_eq!((comments[3].action.clone(), comments[3].text.as_str()), (Action::Note, "laatikko"));
        assert_eq!(comments[4].action, Action::Insert("lisäys".into()));
        assert_eq!(comments[0].action, Action::Highlight);
        assert_eq!(comments[0].text, "vastaus");
        assert_eq!(comments[1].action, Action::Replace("uusi".into()));
        assert_eq!(ignored, vec![(0, "Ink".to_string())]);
    }

    #[test]
    fn comment_text_is_one_line() {
        assert_eq!(clean_text("yksi\r\n kaksi \r"), "yksi kaksi");
    }
}
