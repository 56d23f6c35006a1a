//! What a final build mends after a compile, in the generated source, and
//! compiles again (incrementally): a long table whose first part at a
//! page's foot is too short gets a weak page break before it
//! ([`super::tables`]); a word split across pages, an acronym split at a
//! line's end and the middle word of three hyphenated lines in a row are
//! kept whole (`#text(hyphenate: false)`, without the exceptions' soft
//! hyphens), so the paragraph breaks its lines anew; a figure or table
//! that did not fit and left its page more than a quarter empty floats
//! (`placement: auto`), so the text after it fills the page. What is left
//! after the second compile the preflight reports.
//!
//! Drafts do not mend: the second compile costs memory (a generated
//! 400-page report: 1.25 GB against 0.87 GB), and a draft's preflight
//! warns of each fault at the author's line instead.

use std::ops::Range;

use typst::syntax::{LinkedNode, Side, Source, SyntaxKind};
use typst_layout::PagedDocument;

use super::{FaultKind, faults, read, tables};
use crate::markup::hyphenation::{SOFT_HYPHEN, SOFT_HYPHEN_MARKUP};

/// A change to the generated main source.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// `main` mended, or `None` when nothing needs mending.
pub fn mend(doc: &PagedDocument, main: &Source) -> Option<String> {
    let layout = read(doc);
    let mut edits = tables::short_starts(&layout, main);
    for fault in faults(&layout, true) {
        if fault.kind == FaultKind::UnderfullPage
            && let Some(figure) = fault.element
        {
            edits.extend(float(main, layout.elements[figure].span));
            continue;
        }
        let Some(piece) = fault.word else { continue };
        // A break at a listed point ends the line with the soft hyphen's
        // own run: the word's letters are in the run before it.
        let letters = (0..=piece).rev().take(2).find_map(|i| layout.pieces[i].end);
        let Some((span, offset)) = letters else { continue };
        if span.id() != Some(main.id()) {
            continue;
        }
        let Some(range) = main.find(span).map(|node| node.range()) else { continue };
        edits.extend(keep_whole(main, range.start + usize::from(offset)));
    }
    apply(main.text(), edits)
}

/// The edit that makes the figure call `span` names float, when it is
/// written `#figure(` at the top level of `main` (a float inside a
/// container is not allowed).
fn float(main: &Source, span: typst::syntax::Span) -> Option<Edit> {
    use typst::syntax::ast::{Arg, FuncCall};
    let at = tables::top_level_call(main, span)?;
    // A figure that says where it goes is left as written.
    let node = main.find(span)?;
    let placed = node.cast::<FuncCall>().is_some_and(|call| {
        call.args().items().any(|arg| matches!(arg, Arg::Named(named) if named.name().as_str() == "placement"))
    });
    if placed {
        return None;
    }
    let call = "#figure(";
    main.text()[at..].starts_with(call).then(|| {
        let at = at + call.len();
        Edit { range: at..at, text: "placement: auto, ".into() }
    })
}

/// The edit that keeps the word around byte `at` of `main` whole: the
/// letters and soft-hyphen runs on either side, in markup text only.
fn keep_whole(main: &Source, at: usize) -> Option<Edit> {
    let text = main.text();
    let root = LinkedNode::new(main.root());
    let leaf = root.leaf_at(at + 1, Side::Before)?;
    if leaf.kind() != SyntaxKind::Text {
        return None;
    }
    let letter = |c: char| c.is_alphanumeric() || c == SOFT_HYPHEN;
    let mut start = at;
    loop {
        if text[..start].ends_with(SOFT_HYPHEN_MARKUP) {
            start -= SOFT_HYPHEN_MARKUP.len();
        } else if let Some(c) = text[..start].chars().next_back().filter(|&c| letter(c)) {
            start -= c.len_utf8();
        } else {
            break;
        }
    }
    let mut end = at;
    loop {
        if text[end..].starts_with(SOFT_HYPHEN_MARKUP) {
            end += SOFT_HYPHEN_MARKUP.len();
        } else if let Some(c) = text[end..].chars().next().filter(|&c| letter(c)) {
            end += c.len_utf8();
        } else {
            break;
        }
    }
    let word = text[start..end].replace(SOFT_HYPHEN_MARKUP, "").replace(SOFT_HYPHEN, "");
    (word.chars().count() > 1).then(|| Edit { range: start..end, text: format!("#text(hyphenate: false)[{word}];") })
}

/// `text` with `edits` made (from the last, so offsets hold); `None` when
/// there are none. Overlapping edits keep the first.
fn apply(text: &str, mut edits: Vec<Edit>) -> Option<String> {
    if edits.is_empty() {
        return None;
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits.dedup();
    let mut out = text.to_string();
    let mut limit = usize::MAX;
    for edit in edits.into_iter().rev() {
        if edit.range.end > limit {
            continue;
        }
        limit = edit.range.start;
        out.replace_range(edit.range, &edit.text);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_with_soft_hyphen_runs_is_kept_whole() {
        let text = format!("Tapaus osoittaa pysy{SOFT_HYPHEN_MARKUP}vän tietopankin arvon.\n");
        let main = Source::detached(text.clone());
        let at = text.find("pysy").unwrap() + 2;
        let edit = keep_whole(&main, at).unwrap();
        assert_eq!(&text[edit.range.clone()], format!("pysy{SOFT_HYPHEN_MARKUP}vän"));
        assert_eq!(edit.text, "#text(hyphenate: false)[pysyvän];");
        let mended = apply(&text, vec![edit]).unwrap();
        assert_eq!(mended, "Tapaus osoittaa #text(hyphenate: false)[pysyvän]; tietopankin arvon.\n");
    }

    #[test]
    fn code_is_not_edited() {
        let text = "#let x = \"pysyvän\"\n";
        let main = Source::detached(text);
        assert_eq!(keep_whole(&main, text.find("pysy").unwrap() + 2), None);
    }

    #[test]
    fn a_figure_floats_unless_it_is_placed() {
        let text = "#figure(rect(), caption: [A])\n\n#figure(rect(), placement: top, caption: [B])\n";
        let main = Source::detached(text);
        let spans: Vec<typst::syntax::Span> = main
            .root()
            .children()
            .filter(|n| n.kind() == SyntaxKind::FuncCall)
            .map(typst::syntax::SyntaxNode::span)
            .collect();
        assert_eq!(spans.len(), 2);
        let edit = float(&main, spans[0]).unwrap();
        assert_eq!((edit.range.start, edit.text.as_str()), (8, "placement: auto, "));
        assert_eq!(float(&main, spans[1]), None);
    }

    #[test]
    fn edits_apply_from_the_end() {
        let edits = vec![Edit { range: 0..1, text: "AA".into() }, Edit { range: 2..3, text: "C".into() }];
        assert_eq!(apply("abc", edits).as_deref(), Some("AAbC"));
        assert_eq!(apply("abc", vec![]), None);
    }
}
