//! The faults a typesetter finds in lines and pages: a word split across
//! pages, a spaced compound broken at its space or hyphen, an acronym
//! split, three or more hyphenated lines in a row, a heading whose last
//! line is one word, a broken word in a table's body cell, and a page left
//! more than a quarter empty because the figure or table after it moved on.
//!
//! Lines are rebuilt from the pieces: pieces in reading order with nearly
//! the same baseline (a superscript's shift is within [`SAME_LINE`]) on the
//! same page form a line; a line ends hyphenated when its last text ends in
//! typst's soft hyphen.

use typst::layout::Abs;
use typst::syntax::Span;

use super::{Fault, FaultKind, Kind, Layout, Piece, SOFT_HYPHEN};

/// Baselines this close belong to one line (footnote marks and other
/// superscripts are raised less than this; lines are further apart).
const SAME_LINE: f64 = 4.0;
/// Hyphenated lines in a row that a typesetter accepts.
const MAX_HYPHENS_IN_A_ROW: usize = 2;
/// The share of the text area a page may leave empty before a figure or
/// table that went on to the next page.
const MAX_EMPTY: f64 = 0.25;

/// A line of text: pieces `first..=last` of the layout, on `page`.
#[derive(Debug, Clone)]
struct Line {
    page: usize,
    first: usize,
    last: usize,
}

impl Layout {
    /// The body's lines (footnotes and artifacts aside), in reading order.
    fn lines(&self) -> Vec<Line> {
        let mut lines: Vec<Line> = Vec::new();
        let mut baseline = Abs::zero();
        for (i, p) in self.pieces.iter().enumerate() {
            if p.image || p.text.trim().is_empty() || self.in_footnote(p) || self.in_cell(p).is_some() {
                continue;
            }
            match lines.last_mut() {
                Some(line) if line.page == p.page && (p.y - baseline).abs().to_pt() <= SAME_LINE => line.last = i,
                _ => {
                    lines.push(Line { page: p.page, first: i, last: i });
                    baseline = p.y;
                }
            }
        }
        lines
    }

    fn in_cell(&self, p: &Piece) -> Option<usize> {
        self.around(p.element, |k| matches!(k, Kind::Cell { .. }))
    }

    fn in_footnote(&self, p: &Piece) -> bool {
        self.around(p.element, |k| *k == Kind::Footnote).is_some()
    }

    /// The text of pieces `first..=last` of a line.
    fn line_text(&self, line: &Line) -> String {
        self.pieces[line.first..=line.last].iter().map(|p| p.text.as_str()).collect()
    }

    /// Whether the line ends in a hyphen typst set.
    fn hyphenated(&self, line: &Line) -> bool {
        self.pieces[line.last].text.trim_end().ends_with(SOFT_HYPHEN)
    }
}

/// The last word of a hyphenated line with the first of the next: the
/// broken word as "alue-kehittäjät".
fn broken_word(before: &str, after: &str) -> String {
    let head = before.trim_end().trim_end_matches(SOFT_HYPHEN).split_whitespace().last().unwrap_or("");
    let tail = after.split_whitespace().next().unwrap_or("");
    let tail: String = tail.chars().take_while(|c| c.is_alphanumeric() || *c == '-').collect();
    format!("{head}-{tail}")
}

/// A fault at a piece's place in the author's text.
fn at(layout: &Layout, kind: FaultKind, piece: usize, message: String) -> Fault {
    let p = &layout.pieces[piece];
    Fault { kind, page: p.page + 1, element: p.element, span: Some(p.span), word: None, message }
}

/// Every line and page fault of `layout`.
pub fn line_faults(layout: &Layout, out: &mut Vec<Fault>) {
    let lines = layout.lines();
    let texts: Vec<String> = lines.iter().map(|l| layout.line_text(l)).collect();
    let mut run = 0;
    for (n, line) in lines.iter().enumerate() {
        let text = &texts[n];
        // A spaced compound broke at its space ("-ohjelmassa" opens a
        // line) or after its hyphen (a line ends in "kaupunki -").
        let word: String = text.trim_start().chars().take_while(|c| !c.is_whitespace()).collect();
        // (An address broken before a hyphen is no compound: typst breaks
        // a URL before its hyphens, so the line before ends in the
        // address's first part.)
        let is_address = |w: &str| w.contains(['/', '.', '_', '=', '@']);
        let before = n.checked_sub(1).and_then(|p| texts[p].split_whitespace().last()).unwrap_or("");
        let address = is_address(&word) || is_address(before);
        let mut chars = word.chars();
        if chars.next() == Some('-') && chars.next().is_some_and(char::is_lowercase) && !address {
            out.push(at(
                layout,
                FaultKind::SpacedCompoundSplit,
                line.first,
                format!("a line starts with \"{word}\": the spaced compound before it broke at its space"),
            ));
        }
        let next_text = texts.get(n + 1).map_or("", String::as_str);
        let trimmed = text.trim_end();
        if trimmed.ends_with(" -") && next_text.trim_start().chars().next().is_some_and(char::is_lowercase) {
            let before = trimmed[..trimmed.len() - 2].split_whitespace().last().unwrap_or("");
            let after: String = next_text.trim_start().chars().take_while(|c| c.is_alphanumeric()).collect();
            out.push(at(
                layout,
                FaultKind::SpacedCompoundSplit,
                line.last,
                format!("\"{before} -{after}\" breaks after its hyphen"),
            ));
        }
        let hyphenated = layout.hyphenated(line);
        run = if hyphenated { run + 1 } else { 0 };
        if run == MAX_HYPHENS_IN_A_ROW + 1 {
            let mut fault = at(
                layout,
                FaultKind::HyphenLadder,
                lines[n - MAX_HYPHENS_IN_A_ROW].first,
                format!("{} lines in a row end in a hyphen", MAX_HYPHENS_IN_A_ROW + 1),
            );
            // Mended by keeping the middle line's last word whole.
            fault.word = Some(lines[n - 1].last);
            out.push(fault);
        }
        if !hyphenated {
            continue;
        }
        let Some(next) = lines.get(n + 1) else { continue };
        let word = broken_word(text, next_text);
        let (head, tail) = word.split_once('-').unwrap_or((&word, ""));
        if head.chars().last().is_some_and(char::is_uppercase) && tail.chars().next().is_some_and(char::is_uppercase) {
            let mut fault =
                at(layout, FaultKind::AcronymSplit, line.last, format!("the acronym in \"{word}\" is split"));
            fault.word = Some(line.last);
            out.push(fault);
        }
        if next.page > line.page {
            let mut fault = at(
                layout,
                FaultKind::SplitAcrossPages,
                line.last,
                format!("\"{word}\" is split across pp. {}–{}", line.page + 1, next.page + 1),
            );
            fault.word = Some(line.last);
            out.push(fault);
        }
    }
    broken_cells(layout, out);
    heading_runts(layout, &lines, out);
    underfull_pages(layout, out);
}

/// Words broken in tables' body cells: a cell's text run that ends in a
/// hyphen, with the cell's next run.
fn broken_cells(layout: &Layout, out: &mut Vec<Fault>) {
    for (i, p) in layout.pieces.iter().enumerate() {
        let Some(cell) = layout.in_cell(p) else { continue };
        if !matches!(layout.elements[cell].kind, Kind::Cell { header: false, .. })
            || !p.text.trim_end().ends_with(SOFT_HYPHEN)
        {
            continue;
        }
        let rest =
            layout.pieces[i + 1..].iter().find(|n| layout.in_cell(n) == Some(cell)).map_or("", |n| n.text.as_str());
        // The line's text in the cell up to the hyphen (typst may set the
        // hyphen as a run of its own).
        let start = (0..i)
            .rev()
            .take_while(|&j| {
                let q = &layout.pieces[j];
                layout.in_cell(q) == Some(cell) && (q.y - p.y).abs().to_pt() <= SAME_LINE
            })
            .last()
            .unwrap_or(i);
        let head: String = layout.pieces[start..=i].iter().map(|q| q.text.as_str()).collect();
        let table = layout.around(Some(cell), |k| *k == Kind::Table).unwrap_or(cell);
        out.push(at(
            layout,
            FaultKind::BrokenCellWord,
            i,
            format!("\"{}\" is broken in a body cell of {}", broken_word(&head, rest), layout.describe(table)),
        ));
    }
}

/// Headings whose last line is one word.
fn heading_runts(layout: &Layout, lines: &[Line], out: &mut Vec<Fault>) {
    // Each heading's lines, in one pass over the lines.
    let mut by_heading: std::collections::BTreeMap<usize, Vec<&Line>> = std::collections::BTreeMap::new();
    for line in lines {
        if let Some(e) = layout.around(layout.pieces[line.first].element, |k| matches!(k, Kind::Heading { .. })) {
            by_heading.entry(e).or_default().push(line);
        }
    }
    for (e, own) in by_heading {
        if layout.around(layout.elements[e].parent, |k| matches!(k, Kind::Outline | Kind::Artifact)).is_some() {
            continue;
        }
        let [.., before, last] = own.as_slice() else { continue };
        let text = layout.line_text(last);
        if text.split_whitespace().count() == 1 && before.page == last.page {
            out.push(Fault {
                kind: FaultKind::HeadingRunt,
                page: last.page + 1,
                element: Some(e),
                span: None,
                word: None,
                message: format!("{} ends in a line of one word, \"{}\"", layout.describe(e), text.trim()),
            });
        }
    }
}

/// Pages left more than [`MAX_EMPTY`] of the text area empty whose next
/// page opens with a figure or table: it did not fit, and the space it
/// left was not filled with the text after it.
fn underfull_pages(layout: &Layout, out: &mut Vec<Fault>) {
    // The text area: from the usual top of a page (the median of each
    // page's highest piece) to the lowest piece of any page (footnotes and
    // pictures, with their tops, count).
    // Per page, in one pass: the highest and lowest piece, and the
    // highest piece itself.
    let pages = layout.drawn.len();
    let mut high: Vec<Option<&Piece>> = vec![None; pages];
    let mut low: Vec<Option<Abs>> = vec![None; pages];
    for p in &layout.pieces {
        if high[p.page].is_none_or(|h| p.y < h.y) {
            high[p.page] = Some(p);
        }
        if low[p.page].is_none_or(|l| p.y > l) {
            low[p.page] = Some(p.y);
        }
    }
    let mut tops: Vec<f64> = high.iter().flatten().map(|p| p.y.to_pt()).collect();
    tops.sort_by(f64::total_cmp);
    let (Some(&top), Some(bottom)) =
        (tops.get(tops.len() / 2), low.iter().flatten().map(|y| y.to_pt()).reduce(f64::max))
    else {
        return;
    };
    let (top, bottom) = (Abs::pt(top), Abs::pt(bottom));
    let height = (bottom - top).to_pt();
    if height <= 0.0 {
        return;
    }
    for page in 0..pages.saturating_sub(1) {
        let Some(last) = low[page] else { continue };
        let empty = (bottom - last).to_pt() / height;
        if empty <= MAX_EMPTY {
            continue;
        }
        // What opens the next page: a figure or table that moved on (not
        // a chapter, which starts a page of its own).
        let Some(first) = high[page + 1] else { continue };
        let figure = layout.around(first.element, |k| *k == Kind::Figure);
        let chapter = layout.around(first.element, |k| matches!(k, Kind::Heading { level: 1, .. })).is_some();
        let Some(figure) = figure.filter(|_| !chapter) else { continue };
        // A figure that starts on this page did not move; one that would
        // have fitted in the space left was sent on by a page break.
        if layout.elements[figure].page == page {
            continue;
        }
        let tall = layout.extents.get(&figure).map_or(Abs::zero(), |(_, top, bottom)| *bottom - *top);
        if tall.to_pt() < (bottom - last).to_pt() {
            continue;
        }
        out.push(Fault {
            kind: FaultKind::UnderfullPage,
            page: page + 1,
            element: Some(figure),
            span: None::<Span>,
            word: None,
            message: format!(
                "the page is {:.0} % empty: {} went on to p. {}",
                empty * 100.0,
                layout.describe(figure),
                page + 2
            ),
        });
    }
}
