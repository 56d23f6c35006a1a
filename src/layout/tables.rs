//! Long tables that start too late on a page, found after a compile.
//!
//! style.typ lets typst break a long table where it falls (a short one is
//! kept whole; the last rows of a long one are a footer typst keeps
//! together). What it cannot know without measuring is whether the first
//! part, at the foot of a page, keeps [`MIN_ROWS`] rows: measuring every
//! table in Typst (its height, where it would break, the footnotes above
//! it) cost a third of a build's memory. Instead the paged backend reads
//! the laid-out pages, and a table whose first part is too short gets a
//! weak page break before it in the generated source; the job compiles
//! again, incrementally, and the table starts on the next page.

use std::collections::BTreeMap;

use typst::syntax::{LinkedNode, Source, SyntaxKind};

use super::fixes::Edit;
use super::{Kind, Layout};
use crate::markup::table_layout::{MIN_ROWS, SHORT_TABLE};

/// What a weak page break before a table is written as.
const BREAK: &str = "#pagebreak(weak: true)";

/// A weak page break before each long table (written at the top level of
/// `main`) whose first page holds fewer than MIN_ROWS of its body rows.
pub fn short_starts(layout: &Layout, main: &Source) -> Vec<Edit> {
    let mut starts = Vec::new();
    for (t, el) in layout.elements.iter().enumerate() {
        if el.kind != Kind::Table {
            continue;
        }
        let mut rows: BTreeMap<usize, usize> = BTreeMap::new();
        for cell in layout.elements.iter().filter(|x| x.parent == Some(t)) {
            if let Kind::Cell { row, header: false, repeated: false } = cell.kind {
                rows.entry(row).or_insert(cell.page);
            }
        }
        let Some(&first_page) = rows.values().min() else { continue };
        let on_first = rows.values().filter(|&&p| p == first_page).count();
        if rows.len() <= SHORT_TABLE || on_first >= MIN_ROWS || on_first == rows.len() {
            continue;
        }
        let figure = layout.around(Some(t), |k| *k == Kind::Figure).unwrap_or(t);
        let span = layout.elements[figure].span;
        if span.id() != Some(main.id()) {
            continue;
        }
        if let Some(at) = top_level_call(main, span) {
            starts.push(at);
        }
    }
    starts.into_iter().map(|at| Edit { range: at..at, text: BREAK.to_string() }).collect()
}

/// The offset of the `#` before the call `span` names, when the call
/// stands in the document's own markup (not inside another call's
/// arguments, where a page break is not allowed).
pub(super) fn top_level_call(main: &Source, span: typst::syntax::Span) -> Option<usize> {
    let root = LinkedNode::new(main.root());
    let node = root.find(span)?;
    let mut parent = node.parent();
    while let Some(p) = parent {
        if matches!(p.kind(), SyntaxKind::FuncCall | SyntaxKind::Args | SyntaxKind::Code | SyntaxKind::CodeBlock) {
            return None;
        }
        parent = p.parent();
    }
    let start = node.offset();
    main.text()[..start].ends_with('#').then(|| start - 1)
}
