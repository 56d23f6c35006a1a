//! The faults of a [`Layout`]: one detector per kind, each reading the
//! elements and pieces that [`super::read`] collected.

use std::collections::BTreeSet;

use typst::layout::Abs;

use super::{Fault, FaultKind, Kind, Layout, MIN_LINES, MIN_ROWS, Piece, SHORT_TABLE, SOFT_HYPHEN, one_line};

impl Layout {
    /// Whether element `e` is `ancestor` or lies inside it.
    fn within(&self, mut e: usize, ancestor: usize) -> bool {
        loop {
            if e == ancestor {
                return true;
            }
            match self.elements[e].parent {
                Some(p) => e = p,
                None => return false,
            }
        }
    }

    /// The innermost element around (or at) `e` that `pick` accepts.
    pub(super) fn around(&self, e: Option<usize>, pick: impl Fn(&Kind) -> bool) -> Option<usize> {
        let mut e = e?;
        loop {
            if pick(&self.elements[e].kind) {
                return Some(e);
            }
            e = self.elements[e].parent?;
        }
    }

    /// Whether piece `p` lies inside element `e`.
    fn piece_in(&self, p: &Piece, e: usize) -> bool {
        p.element.is_some_and(|x| self.within(x, e))
    }

    /// The text of element `e`'s pieces on its first page with any, folded.
    fn text_of(&self, e: usize) -> String {
        let mut pieces = self.pieces.iter().filter(|p| self.piece_in(p, e));
        let Some(first) = pieces.next() else { return String::new() };
        let mut text = first.text.clone();
        for p in pieces.take_while(|p| p.page == first.page) {
            text.push(' ');
            text.push_str(&p.text);
        }
        one_line(&text.replace(SOFT_HYPHEN, ""))
    }

    /// A short name of element `e` for messages.
    pub(super) fn describe(&self, e: usize) -> String {
        match &self.elements[e].kind {
            Kind::Heading { title, .. } => format!("heading \"{title}\""),
            Kind::Keep => format!("header \"{}\"", self.text_of(e)),
            Kind::Title => format!("title \"{}\"", self.text_of(e)),
            Kind::Outline => {
                // An outline's name is its title heading.
                let title = (e + 1..self.elements.len()).take_while(|&x| self.within(x, e)).find_map(|x| {
                    match &self.elements[x].kind {
                        Kind::Heading { title, .. } => Some(title.clone()),
                        _ => None,
                    }
                });
                format!("list \"{}\"", title.unwrap_or_else(|| self.text_of(e)))
            }
            Kind::Table | Kind::Figure => {
                let figure = self.around(Some(e), |k| *k == Kind::Figure);
                let caption = figure.and_then(|f| {
                    (0..self.elements.len())
                        .find(|&c| self.elements[c].kind == Kind::Caption && self.elements[c].parent == Some(f))
                });
                let table = self.elements[e].kind == Kind::Table;
                match (caption, table) {
                    (Some(c), true) => format!("table \"{}\"", self.text_of(c)),
                    (Some(c), false) => format!("\"{}\"", self.text_of(c)),
                    (None, _) => "a table without caption".to_string(),
                }
            }
            _ => self.text_of(e),
        }
    }
}

/// Every fault in `layout`; blank pages are faults unless `allow_blank`.
pub fn faults(layout: &Layout, allow_blank: bool) -> Vec<Fault> {
    let mut out = Vec::new();
    stranded_headings(layout, &mut out);
    captions_apart(layout, &mut out);
    split_tables(layout, &mut out);
    hyphenated(layout, &mut out);
    super::lines::line_faults(layout, &mut out);
    if !allow_blank {
        for (page, drawn) in layout.drawn.iter().enumerate() {
            if !drawn {
                out.push(Fault {
                    kind: FaultKind::BlankPage,
                    page: page + 1,
                    element: None,
                    span: None,
                    word: None,
                    message: "the page is blank".into(),
                });
            }
        }
    }
    for (e, el) in layout.elements.iter().enumerate() {
        if el.kind == Kind::Outline
            && !layout.elements.iter().any(|x| x.kind == Kind::OutlineEntry && x.parent == Some(e))
        {
            out.push(Fault {
                kind: FaultKind::EmptyList,
                page: el.page + 1,
                element: Some(e),
                span: None,
                word: None,
                message: format!("{} has no entries", layout.describe(e)),
            });
        }
    }
    out.sort_by_key(|f| f.page);
    out
}

/// Headings and `<kooste-keep>` headers with fewer than [`MIN_LINES`] lines
/// after them on their page (and something after them in the document).
fn stranded_headings(layout: &Layout, out: &mut Vec<Fault>) {
    let pieces = &layout.pieces;
    let is_header = |k: &Kind| matches!(k, Kind::Heading { .. } | Kind::Keep);
    // Headings first: a box right after one is part of its header.
    let mut order: Vec<usize> = (0..layout.elements.len()).collect();
    order.sort_by_key(|&e| layout.elements[e].kind == Kind::Keep);
    let mut absorbed = BTreeSet::new();
    for e in order {
        let el = &layout.elements[e];
        if !is_header(&el.kind) || layout.around(el.parent, is_header).is_some() || absorbed.contains(&e) {
            continue;
        }
        // Skip headers inside others, in outlines and in artifacts.
        if layout.around(el.parent, |k| matches!(k, Kind::Outline | Kind::Artifact | Kind::Footnote)).is_some() {
            continue;
        }
        let Some(last) = pieces.iter().rposition(|p| layout.piece_in(p, e)) else { continue };
        // A header directly followed by a `<kooste-keep>` box (a
        // recommendation's facts) keeps that box and two lines after it.
        let mut end = last;
        while let Some(next) = pieces.get(end + 1) {
            let keep = layout.around(next.element, |k| *k == Kind::Keep);
            match keep {
                Some(k) if k > e => {
                    absorbed.insert(k);
                    end = pieces.iter().rposition(|p| layout.piece_in(p, k)).unwrap_or(end + 1);
                }
                _ => break,
            }
        }
        let page = pieces[last].page;
        let after = &pieces[end + 1..];
        let body = |p: &&Piece| layout.around(p.element, |k| *k == Kind::Footnote).is_none();
        // A fault only when what follows went on to a later page: not at the
        // end of the document, nor before a chapter, which starts a page.
        let overleaf = after.iter().filter(body).find(|p| p.page > page);
        let chapter = |p: &Piece| layout.around(p.element, |k| matches!(k, Kind::Heading { level: 1, .. })).is_some();
        if overleaf.is_none_or(chapter) {
            continue;
        }
        let mut lines = 0;
        let mut prev: Option<Abs> = None;
        for p in after.iter().filter(body).take_while(|p| p.page == page) {
            if p.image {
                lines += MIN_LINES;
            } else if prev.is_none_or(|y| (y - p.y).abs() > Abs::pt(1.0)) {
                lines += 1;
            }
            prev = Some(p.y);
            if lines >= MIN_LINES {
                break;
            }
        }
        if lines < MIN_LINES {
            let what =
                if lines == 0 { "ends its page".to_string() } else { "has only one line after it on its page".into() };
            out.push(Fault {
                kind: FaultKind::StrandedHeading,
                page: page + 1,
                element: Some(e),
                span: None,
                word: None,
                message: format!("{} {what}", layout.describe(e)),
            });
        }
    }
}

/// Captions on another page than the first (caption above) or last
/// (caption below) piece of their figure's body.
fn captions_apart(layout: &Layout, out: &mut Vec<Fault>) {
    for (c, el) in layout.elements.iter().enumerate() {
        let (Kind::Caption, Some(figure)) = (&el.kind, el.parent) else { continue };
        let in_caption: Vec<usize> =
            (0..layout.pieces.len()).filter(|&i| layout.piece_in(&layout.pieces[i], c)).collect();
        let in_body: Vec<usize> = (0..layout.pieces.len())
            .filter(|&i| layout.piece_in(&layout.pieces[i], figure) && !layout.piece_in(&layout.pieces[i], c))
            .collect();
        let (Some(&cap_first), Some(&body_first)) = (in_caption.first(), in_body.first()) else { continue };
        let (cap_page, body_page) = if cap_first < body_first {
            (layout.pieces[cap_first].page, layout.pieces[body_first].page)
        } else {
            (layout.pieces[cap_first].page, layout.pieces[*in_body.last().expect("non-empty")].page)
        };
        if cap_page != body_page {
            out.push(Fault {
                kind: FaultKind::CaptionApart,
                page: cap_page + 1,
                element: Some(figure),
                span: None,
                word: None,
                message: format!(
                    "the caption of {} is on p. {} and its {} on p. {}",
                    layout.describe(figure),
                    cap_page + 1,
                    if layout.elements.iter().any(|x| x.kind == Kind::Table && x.parent == Some(figure)) {
                        "table"
                    } else {
                        "figure"
                    },
                    body_page + 1
                ),
            });
        }
    }
}

/// Short tables split across pages, and parts of long ones with too few rows.
fn split_tables(layout: &Layout, out: &mut Vec<Fault>) {
    for (t, el) in layout.elements.iter().enumerate() {
        if el.kind != Kind::Table {
            continue;
        }
        // Body rows: the first page each row's cells start on.
        let mut rows: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
        for cell in layout.elements.iter().filter(|x| x.parent == Some(t)) {
            if let Kind::Cell { row, header: false, repeated: false } = cell.kind {
                rows.entry(row).or_insert(cell.page);
            }
        }
        let pages: BTreeSet<usize> = rows.values().copied().collect();
        if pages.len() < 2 {
            continue;
        }
        let figure = layout.around(Some(t), |k| *k == Kind::Figure).unwrap_or(t);

        let (first, last) = (*pages.first().expect("two pages"), *pages.last().expect("two pages"));
        let n = rows.len();
        if n <= SHORT_TABLE {
            out.push(Fault {
                kind: FaultKind::ShortTableSplit,
                page: first + 1,
                element: Some(figure),
                span: None,
                word: None,
                message: format!("{} of {n} rows is split over pp. {}–{}", layout.describe(t), first + 1, last + 1),
            });
            continue;
        }
        for page in &pages {
            let count = rows.values().filter(|p| *p == page).count();
            if count < MIN_ROWS {
                out.push(Fault {
                    kind: FaultKind::TablePartTooShort,
                    page: page + 1,
                    element: Some(figure),
                    span: None,
                    word: None,
                    message: format!("{} has only {count} of its {n} rows on p. {}", layout.describe(t), page + 1),
                });
            }
        }
    }
}

/// Lines ending in typst's soft hyphen inside headings, outlines, table
/// header cells and titles; one fault per element.
fn hyphenated(layout: &Layout, out: &mut Vec<Fault>) {
    let checked =
        |k: &Kind| matches!(k, Kind::Heading { .. } | Kind::Outline | Kind::Title | Kind::Cell { header: true, .. });
    let mut seen = BTreeSet::new();
    for (i, piece) in layout.pieces.iter().enumerate() {
        if !piece.text.ends_with(SOFT_HYPHEN) {
            continue;
        }
        let Some(e) = layout.around(piece.element, checked) else { continue };
        // Entries of an outline are reported one by one.
        let at = layout.around(piece.element, |k| *k == Kind::OutlineEntry).unwrap_or(e);
        if !seen.insert(at) {
            continue;
        }
        let before = piece.text.trim_end_matches(SOFT_HYPHEN);
        let before = if before.is_empty() { layout.pieces[..i].last().map_or("", |p| p.text.as_str()) } else { before };
        let fragment = before.split_whitespace().last().unwrap_or("");
        let whose = match &layout.elements[e].kind {
            Kind::Outline => format!("an entry of {}", layout.describe(e)),
            Kind::Cell { .. } => {
                let table = layout.around(Some(e), |k| *k == Kind::Table).unwrap_or(e);
                format!("the header of {}", layout.describe(table))
            }
            _ => layout.describe(e),
        };
        let entry = if at != e { format!(" (\"{}\")", layout.text_of(at)) } else { String::new() };
        out.push(Fault {
            kind: FaultKind::Hyphenated,
            page: piece.page + 1,
            element: Some(at),
            span: None,
            word: None,
            message: format!("{whose}{entry} is hyphenated after \"{fragment}-\""),
        });
    }
}

/// How to fix a fault.
pub(super) fn hint(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::StrandedHeading => {
            "the template's headings should keep with what follows (`show heading: set block(sticky: true)`)"
        }
        FaultKind::CaptionApart => {
            "captions should keep with their figure (`show figure.caption: set block(sticky: true)`)"
        }
        FaultKind::ShortTableSplit => "a table of up to 8 rows should not break (style.typ's `keep-table` rule)",
        FaultKind::TablePartTooShort => {
            "each part of a broken table should keep 3 rows: a final build starts such a table on the next page \
             (a draft leaves it where it falls); inside a box or list, move the table out of it"
        }
        FaultKind::Hyphenated => {
            "headings, contents, table headers and titles should not hyphenate (`set text(hyphenate: false)`)"
        }
        FaultKind::BlankPage => "remove the empty page or its forced break; recto starts need `pagebreak(to: \"odd\")`",
        FaultKind::EmptyList => "show a list of figures or tables only when it has entries (`context query(...)`)",
        FaultKind::SplitAcrossPages => {
            "a final build keeps the word whole; to choose yourself, reword the paragraph or list the word in report/hyphenation.txt without break points"
        }
        FaultKind::SpacedCompoundSplit => {
            "kooste joins a spaced compound's hyphen to both words (a no-break space before, a word joiner after); in raw Typst write `kaupunki~-#sym.wj;ohjelma`"
        }
        FaultKind::AcronymSplit => {
            "acronyms should not hyphenate (kooste sets those in Markdown in `text(hyphenate: false)`); a final build keeps it whole"
        }
        FaultKind::HyphenLadder => {
            "a final build keeps the middle line's word whole; to choose yourself, reword or list a word in report/hyphenation.txt"
        }
        FaultKind::HeadingRunt => {
            "a heading's lines should be balanced (`show heading: set text(costs: (runt: 200000%))` with optimized line breaks)"
        }
        FaultKind::BrokenCellWord => {
            "table cells should not hyphenate (`show table: set text(hyphenate: false)`); give the column room for its longest word"
        }
        FaultKind::UnderfullPage => {
            "a final build lets the figure float (`placement: auto`), so the text after it fills this page"
        }
    }
}
