//! The layout preflight: the compiled [`PagedDocument`]'s pages, read back
//! for the faults a publication designer would mark, each at its page and at
//! the author's source line.
//!
//! [`read`] walks every page frame in order with the introspection tags
//! typst leaves in them (`Tag::Start` / `Tag::End` around every locatable
//! or tagged element), so each run of text is known to lie inside a heading,
//! a figure caption, a table cell, an outline, a footnote or a page's
//! header and footer (artifacts). That gives a small [`Layout`]: the
//! elements of interest with the page each starts on, and the text pieces
//! in reading order with their page and baseline. [`faults`] then finds:
//!
//! - a heading, a recommendation header or a callout title (a block
//!   labelled `<kooste-keep>`) followed by fewer than two lines on its page;
//! - a caption on another page than its table or figure;
//! - a table of at most [`SHORT_TABLE`] body rows split across pages, or a
//!   part of a longer table with fewer than [`MIN_ROWS`] body rows;
//! - a hyphenated line (the soft hyphen typst inserts at a break) in a
//!   heading, a contents or list entry, a table header or a title (text
//!   labelled `<kooste-title>`);
//! - a blank page (nothing but header, footer, page number, watermark),
//!   unless the source asks for print-style recto starts (`to: "odd"`);
//! - a list of figures or tables (an outline) without entries;
//! - in [`lines`]: a word split across pages, a spaced compound broken at
//!   its space or hyphen, an acronym split, three hyphenated lines in a
//!   row, a heading's one-word last line, a word broken in a body cell, a
//!   page left a quarter empty before a figure that did not fit.
//!
//! [`fixes`] mends some of them in a final build.
//!
//! [`preflight`] maps each fault's element to the author's file through the
//! `// source:` markers of the generated main source (as Typst errors are
//! mapped) and returns diagnostics: warnings in a draft, errors in a final
//! build.

use std::collections::HashMap;

use typst::WorldExt as _;
use typst::foundations::{Content, StyleChain, Styles};
use typst::introspection::{Location, Tag};
use typst::layout::{Abs, Frame, FrameItem, Transform};
use typst::model::TableElem;
use typst::model::{FigureCaption, FigureElem, FootnoteEntry, HeadingElem, OutlineElem, OutlineEntry, TableCell};
use typst::pdf::{ArtifactElem, TableCellKind};
use typst::syntax::Span;
use typst_layout::PagedDocument;

use crate::compile::Origin;
use crate::compile::world::ReportWorld;
use crate::diagnostics::{Diagnostic, Diagnostics};

mod faults;
pub mod fixes;
mod lines;
mod tables;

pub use faults::faults;
use faults::hint;

pub use crate::markup::table_layout::{MIN_ROWS, SHORT_TABLE};
/// A heading keeps at least this many lines of what follows on its page.
pub const MIN_LINES: usize = 2;
/// The label that makes a block a header of what follows (callout titles,
/// the facts box under a recommendation heading).
pub const KEEP_LABEL: &str = "kooste-keep";
/// The label that marks a title whose lines must not be hyphenated.
pub const TITLE_LABEL: &str = "kooste-title";

/// The soft hyphen, which typst also writes where it hyphenates a word.
use crate::markup::hyphenation::SOFT_HYPHEN;

/// An element the preflight looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Heading {
        title: String,
        level: usize,
    },
    /// A block labelled `<kooste-keep>`: a header of what follows.
    Keep,
    /// Text labelled `<kooste-title>`.
    Title,
    Figure,
    Caption,
    Table,
    Cell {
        row: usize,
        header: bool,
        repeated: bool,
    },
    Outline,
    OutlineEntry,
    Footnote,
    /// Page header, footer, background: not content.
    Artifact,
}

/// One element of interest, in the order its start tag appears.
#[derive(Debug, Clone)]
pub struct Element {
    pub kind: Kind,
    /// Where the element was written (in the generated main source or a
    /// style file).
    pub span: Span,
    /// Where its body was written: for an element a style function builds
    /// (a recommendation card's heading), the template's call with the text.
    pub body_span: Span,
    /// The nearest enclosing element of interest.
    pub parent: Option<usize>,
    /// 0-based page of the start tag.
    pub page: usize,
}

/// A run of text (or an image) on a page, in reading order.
#[derive(Debug, Clone)]
pub struct Piece {
    /// 0-based page.
    pub page: usize,
    /// Baseline (text) or top (image), from the top of the page.
    pub y: Abs,
    /// The innermost element of interest the piece lies in.
    pub element: Option<usize>,
    /// The text; empty for an image.
    pub text: String,
    pub image: bool,
    /// Where its first glyph (or the image) was written.
    pub span: Span,
    /// Where its last letter was written (before a hyphen typst added):
    /// the span of its text and the offset in it.
    pub end: Option<(Span, u16)>,
}

/// A document's pages as the preflight sees them.
#[derive(Debug, Default)]
pub struct Layout {
    pub elements: Vec<Element>,
    /// Text and images outside artifacts, in reading order.
    pub pieces: Vec<Piece>,
    /// Per page: whether anything but artifacts is drawn on it.
    pub drawn: Vec<bool>,
    /// Per figure element: the page it is drawn on first and the top and
    /// bottom of what it draws there (text, pictures, shapes).
    pub extents: HashMap<usize, (usize, Abs, Abs)>,
}

/// What is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// A heading or header with fewer than two lines after it on its page.
    StrandedHeading,
    /// A caption on another page than its table or figure.
    CaptionApart,
    /// A short table broken across pages.
    ShortTableSplit,
    /// A part of a broken table with too few rows.
    TablePartTooShort,
    /// A hyphenated line in a heading, contents entry, table header or title.
    Hyphenated,
    BlankPage,
    /// A list of figures or tables with no entries.
    EmptyList,
    /// A hyphenated word whose parts are on two pages.
    SplitAcrossPages,
    /// A spaced compound broken at its space (a line starts "-ohjelma") or
    /// after its hyphen (a line ends "kaupunki -").
    SpacedCompoundSplit,
    /// An acronym broken at a line's end ("MA-NE").
    AcronymSplit,
    /// Three or more hyphenated lines in a row.
    HyphenLadder,
    /// A heading whose last line is one word.
    HeadingRunt,
    /// A word broken in a table's body cell.
    BrokenCellWord,
    /// A page left more than a quarter empty before a figure or table that
    /// went on to the next page.
    UnderfullPage,
}

impl FaultKind {
    /// Whether a final build mends the fault (layout::fixes).
    pub fn mended(self) -> bool {
        matches!(
            self,
            FaultKind::TablePartTooShort
                | FaultKind::SplitAcrossPages
                | FaultKind::HyphenLadder
                | FaultKind::AcronymSplit
                | FaultKind::UnderfullPage
        )
    }
}

/// One fault, at an element (or a page) of the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    /// 1-based page number.
    pub page: usize,
    /// The element at fault (an index into [`Layout::elements`]); none for
    /// a blank page.
    pub element: Option<usize>,
    /// The author's text at fault (a line's first or last run), when it
    /// is more precise than the element's place.
    pub span: Option<Span>,
    /// The piece whose last word a final build keeps whole to mend the
    /// fault (a word split across pages or in a ladder of hyphens).
    pub word: Option<usize>,
    /// What a reader sees, without the page (added by [`preflight`]).
    pub message: String,
}

/// Reads the laid-out pages of `doc`.
pub fn read(doc: &PagedDocument) -> Layout {
    let mut reader = Reader::default();
    for (page, p) in doc.pages().iter().enumerate() {
        reader.layout.drawn.push(false);
        reader.walk(&p.frame, Transform::identity(), page);
    }
    reader.layout
}

#[derive(Default)]
struct Reader {
    layout: Layout,
    /// Open elements of interest (indices), innermost last.
    open: Vec<(Location, usize)>,
    /// Every element's index by location, for logical parents of frames.
    by_location: HashMap<Location, usize>,
}

impl Reader {
    fn walk(&mut self, frame: &Frame, ts: Transform, page: usize) {
        for (pos, item) in frame.items() {
            match item {
                FrameItem::Group(group) => {
                    let ts = ts.pre_concat(Transform::translate(pos.x, pos.y)).pre_concat(group.transform);
                    // A frame laid out elsewhere that belongs to an element
                    // (the rest of a broken cell) counts as inside it.
                    let parent = group
                        .parent
                        .as_ref()
                        .and_then(|p| self.by_location.get(&p.location).map(|&i| (p.location, i)))
                        .filter(|(loc, _)| !self.open.iter().any(|(l, _)| l == loc));
                    if let Some(parent) = parent {
                        self.open.push(parent);
                    }
                    self.walk(&group.frame, ts, page);
                    if let Some((loc, _)) = parent {
                        self.close(loc);
                    }
                }
                FrameItem::Text(text) => {
                    if !self.in_artifact() {
                        let y = pos.transform(ts).y;
                        self.extend_figure(page, y - text.size, y);
                        let span = text.glyphs.first().map_or(Span::detached(), |g| g.span.0);
                        let end = text
                            .glyphs
                            .iter()
                            .rev()
                            .find(|g| !matches!(&text.text[g.range()], "\u{ad}" | "-" | "\u{2010}"))
                            .map(|g| g.span);
                        self.push_piece(page, y, text.text.to_string(), false, span);
                        if let Some(last) = self.layout.pieces.last_mut() {
                            last.end = end;
                        }
                    }
                }
                FrameItem::Image(_, size, span) => {
                    if !self.in_artifact() {
                        let y = pos.transform(ts).y;
                        self.extend_figure(page, y, y + size.y);
                        self.push_piece(page, y, String::new(), true, *span);
                    }
                }
                FrameItem::Shape(shape, _) => {
                    if !self.in_artifact() {
                        self.layout.drawn[page] = true;
                        let bbox = shape.bbox(false);
                        let (top, bottom) = (pos.transform(ts).y + bbox.min.y, pos.transform(ts).y + bbox.max.y);
                        self.extend_figure(page, top, bottom);
                    }
                }
                FrameItem::Tag(Tag::Start(content, _)) => self.start(content, page),
                FrameItem::Tag(Tag::End(loc, ..)) => self.close(*loc),
                FrameItem::Link(..) => {}
            }
        }
    }

    /// Grows the extent of the innermost open figure on `page`.
    fn extend_figure(&mut self, page: usize, top: Abs, bottom: Abs) {
        let figure = self.open.iter().rev().map(|(_, i)| *i).find(|&i| self.layout.elements[i].kind == Kind::Figure);
        let Some(figure) = figure else { return };
        let extent = self.layout.extents.entry(figure).or_insert((page, top, bottom));
        if extent.0 == page {
            extent.1 = extent.1.min(top);
            extent.2 = extent.2.max(bottom);
        }
    }

    fn in_artifact(&self) -> bool {
        self.open.iter().any(|(_, i)| self.layout.elements[*i].kind == Kind::Artifact)
    }

    fn push_piece(&mut self, page: usize, y: Abs, text: String, image: bool, span: Span) {
        self.layout.drawn[page] = true;
        let element = self.open.last().map(|(_, i)| *i);
        self.layout.pieces.push(Piece { page, y, element, text, image, span, end: None });
    }

    fn start(&mut self, content: &Content, page: usize) {
        let Some(kind) = classify(content) else { return };
        let Some(loc) = content.location() else { return };
        let index = self.layout.elements.len();
        let parent = self.open.last().map(|(_, i)| *i);
        let body_span = match content.get_by_name("body") {
            Ok(typst::foundations::Value::Content(body)) => body.span(),
            _ => Span::detached(),
        };
        self.layout.elements.push(Element { kind, span: content.span(), body_span, parent, page });
        self.by_location.insert(loc, index);
        self.open.push((loc, index));
    }

    fn close(&mut self, loc: Location) {
        if let Some(at) = self.open.iter().rposition(|(l, _)| *l == loc) {
            self.open.remove(at);
        }
    }
}

/// The kind of an element the preflight looks at; `None` for the rest.
fn classify(content: &Content) -> Option<Kind> {
    let label = content.label().map(|l| l.resolve().as_str().to_string());
    if label.as_deref() == Some(KEEP_LABEL) {
        return Some(Kind::Keep);
    }
    if label.as_deref() == Some(TITLE_LABEL) {
        return Some(Kind::Title);
    }
    if let Some(heading) = content.to_packed::<HeadingElem>() {
        let styles = Styles::new();
        let level = heading.resolve_level(StyleChain::new(&styles)).get();
        return Some(Kind::Heading { title: one_line(&heading.body.plain_text()), level });
    }
    if content.is::<FigureElem>() {
        return Some(Kind::Figure);
    }
    if content.is::<FigureCaption>() {
        return Some(Kind::Caption);
    }
    if content.is::<TableElem>() {
        return Some(Kind::Table);
    }
    if let Some(cell) = content.to_packed::<TableCell>() {
        let styles = Styles::new();
        let chain = StyleChain::new(&styles);
        let row = cell.y.get(chain).custom().unwrap_or(0);
        let header = matches!(cell.kind.get(chain), typst::foundations::Smart::Custom(TableCellKind::Header(..)));
        let repeated = cell.is_repeated.get(chain);
        return Some(Kind::Cell { row, header, repeated });
    }
    if content.is::<OutlineElem>() {
        return Some(Kind::Outline);
    }
    if content.is::<OutlineEntry>() {
        return Some(Kind::OutlineEntry);
    }
    if content.is::<FootnoteEntry>() {
        return Some(Kind::Footnote);
    }
    if content.is::<ArtifactElem>() {
        return Some(Kind::Artifact);
    }
    None
}

/// Whitespace folded, at most 70 characters.
fn one_line(text: &str) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match folded.char_indices().nth(70) {
        Some((i, _)) => format!("{}…", &folded[..i]),
        None => folded,
    }
}

/// The place in the generated main source an element stands for: its own
/// span or its body's, else its nearest enclosing element's, else the
/// author's text that follows it (a style file's box, such as a callout's
/// title), else its own.
fn author_span(layout: &Layout, element: usize, main: typst::syntax::FileId) -> typst::syntax::Span {
    let mut at = Some(element);
    while let Some(i) = at {
        let el = &layout.elements[i];
        if el.span.id() == Some(main) {
            return el.span;
        }
        if el.body_span.id() == Some(main) {
            return el.body_span;
        }
        at = el.parent;
    }
    // Built wholly by a style file (a callout's title): the author's text
    // that follows it.
    let mut pieces = layout.pieces.iter().skip_while(|p| p.element != Some(element));
    pieces.find(|p| p.span.id() == Some(main)).map_or(layout.elements[element].span, |p| p.span)
}

/// Whether the syntax tree under `node` breaks pages to a parity
/// (`pagebreak(to: "odd")`, `to: "even"`).
fn breaks_to_parity(node: &typst::syntax::SyntaxNode) -> bool {
    use typst::syntax::ast::{Arg, Expr, FuncCall};
    let parity = node.cast::<FuncCall>().is_some_and(|call| {
        matches!(call.callee(), Expr::Ident(name) if name.as_str() == "pagebreak")
            && call.args().items().any(|arg| matches!(arg, Arg::Named(named) if named.name().as_str() == "to"))
    });
    parity || node.children().any(breaks_to_parity)
}

/// The layout faults of one compiled output as diagnostics at the author's
/// lines: warnings in a draft, errors when `final_mode`.
pub fn preflight(
    doc: &PagedDocument,
    world: &ReportWorld,
    origin: &Origin,
    output: &str,
    final_mode: bool,
) -> Diagnostics {
    // Print-style recto starts leave blank versos on purpose.
    let allow_blank = breaks_to_parity(world.main_source().root());
    let layout = read(doc);
    let main_id = typst::World::main(world);
    // What a final build mends (layout::fixes) a draft only notes, once.
    let (mended, faults): (Vec<Fault>, Vec<Fault>) =
        faults(&layout, allow_blank).into_iter().partition(|f| !final_mode && f.kind.mended());
    let mut diags: Diagnostics = faults
        .into_iter()
        .map(|fault| {
            // An element a style function builds is reported where the
            // template passed its text, else where its nearest enclosing
            // element was written (a callout's title box: the callout).
            let own = fault.span.filter(|s| world.range(*s).is_some());
            let span = own.or_else(|| fault.element.map(|e| author_span(&layout, e, main_id)));
            let (path, range) = match span.and_then(|s| s.id().zip(world.range(s))) {
                Some((id, range)) => crate::compile::map_span(world, origin, id, range, &mut Vec::new()),
                None => (origin.template_path.to_path_buf(), None),
            };
            let message = format!("{output} p. {}: {}", fault.page, fault.message);
            let diag = if final_mode {
                Diagnostic::error(path, range, message)
            } else {
                Diagnostic::warning(path, range, message)
            };
            diag.with_hint(hint(fault.kind)).on_page(fault.page)
        })
        .collect();
    if !mended.is_empty() {
        const LISTED: usize = 4;
        let mut list: Vec<String> =
            mended.iter().take(LISTED).map(|f| format!("p. {}: {}", f.page, f.message)).collect();
        if mended.len() > LISTED {
            list.push(format!("and {} more", mended.len() - LISTED));
        }
        diags.push(
            Diagnostic::note(
                "",
                None,
                format!(
                    "{output}: a final build mends {}: {}",
                    crate::diagnostics::count(mended.len(), "place"),
                    list.join("; ")
                ),
            )
            .with_hint("it keeps split words whole, lets a figure that left a page empty float, and starts tables that begin too late on the next page; `kooste check --final` shows what is left"),
        );
    }
    diags
}

#[cfg(test)]
mod tests;
