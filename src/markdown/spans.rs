//! Pandoc's bracketed spans, `[text]{.smallcaps}`, `[på svenska]{lang=sv}`,
//! found among a container's inline nodes.
//!
//! comrak leaves a `[…]` that is not a link as text, so a span is a `[` in
//! one text node and its matching `]{…}` in the same or a later one, with
//! any inline nodes between: the span holds them. `.smallcaps`,
//! `.underline` and `.mark` draw their text so; `lang` (`sv`, `sv-FI`)
//! makes the text that language, which reaches the PDF's tags and switches
//! smart quotes inside; `.content-visible` / `.content-hidden` keep or drop
//! it as for divs. Any other class or attribute is reported, and the text
//! kept.

use super::attributes::{Attrs, parse_braced_or_empty};
use super::escape::string_literal;
use super::inlines::TextRun;
use super::{Converter, Node};

/// A container's inline content: text (with where it starts) or a node.
#[derive(Clone)]
pub(super) enum Piece<'a> {
    Text { text: String, line: usize, column: usize },
    Node(Node<'a>),
}

impl<'a> Piece<'a> {
    /// The text piece from byte `from` on (`None` if nothing is left).
    fn text_from(text: &str, line: usize, column: usize, from: usize) -> Option<Piece<'a>> {
        (from < text.len()).then(|| Piece::Text { text: text[from..].to_string(), line, column: column + from })
    }

    fn text_until(text: &str, line: usize, column: usize, to: usize) -> Option<Piece<'a>> {
        (to > 0).then(|| Piece::Text { text: text[..to].to_string(), line, column })
    }
}

/// A span found: where its `[` and `]` are (piece, byte), its attributes and
/// the bytes they take after the `]`.
struct Found {
    open: (usize, usize),
    close: (usize, usize),
    attrs: Attrs,
    attrs_len: usize,
}

/// The first span in `pieces` whose `[` comes first.
fn find_span(pieces: &[Piece<'_>]) -> Option<Found> {
    for (pi, piece) in pieces.iter().enumerate() {
        let Piece::Text { text, .. } = piece else { continue };
        for (off, _) in text.match_indices('[') {
            if let Some(found) = matching_close(pieces, (pi, off)) {
                return Some(found);
            }
        }
    }
    None
}

/// The `]` that matches the `[` at `open`, if attributes follow it.
fn matching_close(pieces: &[Piece<'_>], open: (usize, usize)) -> Option<Found> {
    let mut depth = 0usize;
    for (pi, piece) in pieces.iter().enumerate().skip(open.0) {
        let Piece::Text { text, .. } = piece else { continue };
        let from = if pi == open.0 { open.1 } else { 0 };
        for (off, c) in text[from..].char_indices() {
            match c {
                '[' => depth += 1,
                ']' => {
                    depth -= 1;
                    if depth == 0 {
                        let after = &text[from + off + 1..];
                        let (attrs, attrs_len) = parse_braced_or_empty(after)?;
                        return Some(Found { open, close: (pi, from + off), attrs, attrs_len });
                    }
                }
                _ => {}
            }
        }
    }
    None
}

/// Splits `pieces` at a found span: before, inside, after.
fn split<'a>(pieces: &[Piece<'a>], f: &Found) -> (Vec<Piece<'a>>, Vec<Piece<'a>>, Vec<Piece<'a>>) {
    let text_of = |i: usize| match &pieces[i] {
        Piece::Text { text, line, column } => (text.clone(), *line, *column),
        Piece::Node(_) => unreachable!("spans open and close in text"),
    };
    let (open_text, ol, oc) = text_of(f.open.0);
    let (close_text, cl, cc) = text_of(f.close.0);
    let mut before: Vec<Piece<'a>> = pieces[..f.open.0].to_vec();
    before.extend(Piece::text_until(&open_text, ol, oc, f.open.1));
    let mut inside = Vec::new();
    if f.open.0 == f.close.0 {
        inside.extend(Piece::text_from(&open_text[..f.close.1], ol, oc, f.open.1 + 1));
    } else {
        inside.extend(Piece::text_from(&open_text, ol, oc, f.open.1 + 1));
        inside.extend(pieces[f.open.0 + 1..f.close.0].iter().cloned());
        inside.extend(Piece::text_until(&close_text, cl, cc, f.close.1));
    }
    let mut after: Vec<Piece<'a>> = Vec::new();
    after.extend(Piece::text_from(&close_text, cl, cc, f.close.1 + 1 + f.attrs_len));
    after.extend(pieces[f.close.0 + 1..].iter().cloned());
    (before, inside, after)
}

/// Where the bracketed citation groups (`[see *this* @key]`) begin whose
/// brackets hold an inline node (emphasis, code, maths) besides their
/// keys: the converter reads a group within one run of text only.
fn split_citation_groups(pieces: &[Piece<'_>]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    // The innermost open bracket: where it is, whether a key followed it,
    // and whether a node did.
    let mut open: Option<((usize, usize), bool, bool)> = None;
    for piece in pieces {
        match piece {
            Piece::Text { text, line, column } => {
                for (i, c) in text.char_indices() {
                    match c {
                        '[' => open = Some(((*line, *column + i), false, false)),
                        ']' => {
                            if let Some((at, true, true)) = open.take() {
                                found.push(at);
                            }
                        }
                        '@' => {
                            let starts = text[..i]
                                .chars()
                                .next_back()
                                .is_none_or(|b| b.is_whitespace() || matches!(b, '[' | '-' | ';'));
                            let key = text[i + 1..].chars().next().is_some_and(|k| k.is_alphanumeric() || k == '_');
                            if let Some(o) = open.as_mut().filter(|_| starts && key) {
                                o.1 = true;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Piece::Node(_) => {
                if let Some(o) = open.as_mut() {
                    o.2 = true;
                }
            }
        }
    }
    found
}

impl<'a> Converter<'a, '_> {
    /// Converts a container's inline content, spans included.
    pub(super) fn pieces(&mut self, pieces: &[Piece<'a>]) {
        let Some(found) = find_span(pieces) else {
            self.plain_pieces(pieces);
            return;
        };
        let (before, inside, after) = split(pieces, &found);
        self.plain_pieces(&before);
        let (line, column) = match &pieces[found.open.0] {
            Piece::Text { line, column, .. } => (*line, *column + found.open.1),
            Piece::Node(_) => (1, 1),
        };
        let range = self.source_range(line, column, 1);
        self.span(&found.attrs, &inside, range);
        self.pieces(&after);
    }

    /// Converts inline content without spans: adjacent text as one run (so
    /// `[@a; @b]` is seen whole), nodes one by one.
    fn plain_pieces(&mut self, pieces: &[Piece<'a>]) {
        for (line, column) in split_citation_groups(pieces).into_iter().filter(|_| self.opts.resolve_citations) {
            let range = self.source_range(line, column, 1);
            self.warn(range, "a citation group with formatting, code or maths in it is not read as one")
                .hints
                .push("its brackets print as text and its keys as in-text citations; Pandoc reads it, but kooste reads a group's prefix, locator and suffix as plain text: write them without formatting".into());
        }
        let mut run = TextRun::default();
        for piece in pieces {
            match piece {
                Piece::Text { text, line, column } => run.push(text, *line, *column),
                Piece::Node(node) => {
                    if !run.text.is_empty() {
                        self.text_run(&std::mem::take(&mut run));
                    }
                    self.inline(node);
                }
            }
        }
        if !run.text.is_empty() {
            self.text_run(&run);
        }
    }

    /// Writes a span with its attributes around `inside`.
    fn span(&mut self, attrs: &Attrs, inside: &[Piece<'a>], range: std::ops::Range<usize>) {
        let mut attrs = attrs.clone();
        if !self.visible(&mut attrs, &range) {
            return;
        }
        let attrs = &attrs;
        let mut closes = 0;
        for class in &attrs.classes {
            let open = match class.as_str() {
                "smallcaps" => "#smallcaps[",
                "underline" => "#underline[",
                "mark" => "#highlight[",
                "column-margin" | "aside" => self.margin_open(true),
                other => {
                    self.warn(range.clone(), format!("span class `{other}` is not supported; its text is kept"))
                        .hints
                        .push("spans know .smallcaps, .underline, .mark, .aside, .column-margin and lang=…".into());
                    continue;
                }
            };
            self.raw(open);
            closes += 1;
        }
        let mut lang_pushed = false;
        for (key, value) in &attrs.pairs {
            if key == "lang"
                && let Some(call) = lang_call(value)
            {
                self.raw(&call);
                self.lang.push(value.clone());
                lang_pushed = true;
                closes += 1;
                continue;
            }
            let message = if key == "lang" {
                format!("`lang={value}` is not a language code such as `sv` or `sv-FI`; the text is kept")
            } else {
                format!("span attribute `{key}` is not supported; its text is kept")
            };
            self.warn(range.clone(), message);
        }
        if let Some(id) = &attrs.id {
            self.warn(range.clone(), format!("span id `#{id}` is not supported; link to a heading or figure instead"));
        }
        self.pieces(inside);
        if lang_pushed {
            self.lang.pop();
        }
        for _ in 0..closes {
            self.raw("]");
        }
        if closes > 0 {
            self.expr_end();
        }
    }
}

/// `#text(lang: "sv", region: "FI")[` for a BCP 47 tag `sv-FI`; `None` if
/// the tag is not a language code.
pub(super) fn lang_call(tag: &str) -> Option<String> {
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next()?;
    let region = parts.next();
    let lang_ok = (2..=3).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_alphabetic());
    let region_ok = region.is_none_or(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()));
    if !lang_ok || !region_ok || parts.next().is_some() {
        return None;
    }
    let lang = string_literal(&lang.to_ascii_lowercase());
    Some(match region {
        Some(r) => format!("#text(lang: {lang}, region: {})[", string_literal(&r.to_ascii_uppercase())),
        None => format!("#text(lang: {lang})["),
    })
}
