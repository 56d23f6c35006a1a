//! An annotation's place on a page → the characters of the Markdown (at the
//! draft's commit) that were laid out there.
//!
//! The rebuilt draft's pages are walked once ([`Layout::new`]): every glyph
//! with its box in page coordinates (group transforms applied) and the byte
//! in the generated main source its span points at. The glyphs under a
//! highlight's quads (or nearest a note's point) are then split by the
//! `// source: path:line` block they come from; within a block their words
//! are looked up in the Markdown ([`super::words`]), taking the same
//! occurrence as in the laid-out block (the third "ja" stays the third).
//! Text of a block made by a `table()` or `chart()` call is data: it is
//! traced to its dataset's CSV line instead.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use typst::layout::{Frame, FrameItem, Point, Transform};
use typst::syntax::{Source, Span, SpanKind};
use typst_layout::PagedDocument;

use super::annotations::Rect;
use super::words::{Projection, balance, letters, with_punctuation};
use crate::diagnostics::offset_of;

/// One laid-out glyph.
#[derive(Debug, Clone)]
pub struct Glyph {
    pub page: usize,
    /// Centre of the glyph (x), and the middle of its lower-case letters (y).
    pub cx: f64,
    pub cy: f64,
    /// Left and right edges (x).
    pub x0: f64,
    pub x1: f64,
    /// Font size, for spacing decisions.
    pub size: f64,
    /// The characters it shows.
    pub text: String,
    /// Byte in the generated main source, when the glyph comes from it.
    pub offset: Option<usize>,
}

/// A `// source:` marker: where its block starts in the main source.
#[derive(Debug, Clone)]
struct Marker {
    at: usize,
    /// The Markdown file and line; `None` after an end marker.
    place: Option<(PathBuf, usize)>,
}

/// Where a comment's words are at the draft's commit.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    /// Characters of a Markdown file.
    Text { path: PathBuf, range: Range<usize> },
    /// A line of a dataset's CSV file (1-based), shown by the `table()` or
    /// `chart()` call at `call` (Markdown path and line).
    Data { path: PathBuf, line: Option<usize>, call: (PathBuf, usize) },
}

/// Why words could not be traced.
#[derive(Debug, Clone, PartialEq)]
pub enum Miss {
    /// No laid-out text under the annotation.
    NoText,
    /// The text comes from the template (title page, headers, sheets).
    Template,
    /// The words were not found in the Markdown block at this place.
    NotFound(PathBuf, usize),
}

/// A rebuilt draft's glyphs and source markers, with the files it was
/// built from.
pub struct Layout<'a> {
    glyphs: Vec<Glyph>,
    markers: Vec<Marker>,
    /// The snapshot the draft was rebuilt from.
    root: &'a Path,
    /// Dataset name → CSV path, for text from tables and charts.
    datasets: HashMap<String, PathBuf>,
}

impl<'a> Layout<'a> {
    /// Walks every page of `doc`; `main` is the source its spans point into.
    pub fn new(doc: &PagedDocument, main: &Source, root: &'a Path, datasets: HashMap<String, PathBuf>) -> Self {
        let mut glyphs = Vec::new();
        let mut spans: HashMap<Span, Option<usize>> = HashMap::new();
        for (index, page) in doc.pages().iter().enumerate() {
            let origin = Transform::translate(page.bleed.left, page.bleed.top);
            walk(&page.frame, origin, index, main, &mut spans, &mut glyphs);
        }
        Layout { glyphs, markers: markers(main.text()), root, datasets }
    }

    /// The glyphs on `page` whose centres lie in one of `quads`, in
    /// reading order.
    pub fn select(&self, page: usize, quads: &[Rect]) -> Vec<usize> {
        (0..self.glyphs.len())
            .filter(|&i| {
                let g = &self.glyphs[i];
                g.page == page && quads.iter().any(|q| q.contains(g.cx, g.cy, 0.5))
            })
            .collect()
    }

    /// The word (its glyphs) nearest to `point` on `page`, and whether the
    /// point lies after its middle.
    pub fn word_near(&self, page: usize, point: (f64, f64)) -> Option<(Vec<usize>, bool)> {
        let distance = |g: &Glyph| (g.cy - point.1).abs() * 3.0 + (g.cx - point.0).abs();
        let nearest = (0..self.glyphs.len())
            .filter(|&i| self.glyphs[i].page == page && self.glyphs[i].text.chars().any(char::is_alphanumeric))
            .min_by(|&a, &b| distance(&self.glyphs[a]).total_cmp(&distance(&self.glyphs[b])))?;
        let is_letter = |i: usize| {
            let g = &self.glyphs[i];
            g.page == page && g.text.chars().all(char::is_alphanumeric) && g.offset.is_some()
        };
        let mut start = nearest;
        while start > 0 && is_letter(start - 1) && self.adjacent(start - 1, start) {
            start -= 1;
        }
        let mut end = nearest + 1;
        while end < self.glyphs.len() && is_letter(end) && self.adjacent(end - 1, end) {
            end += 1;
        }
        let (first, last) = (&self.glyphs[start], &self.glyphs[end - 1]);
        let after = point.0 > (first.cx + last.cx) / 2.0;
        Some(((start..end).collect(), after))
    }

    /// Whether glyph `b` directly follows glyph `a` on the same line.
    fn adjacent(&self, a: usize, b: usize) -> bool {
        let (a, b) = (&self.glyphs[a], &self.glyphs[b]);
        (a.cy - b.cy).abs() < a.size * 0.3 && b.cx > a.cx && b.cx - a.cx < a.size * 1.2
    }

    /// The text `glyphs` show, with spaces where the line breaks or a gap
    /// is wider than a glyph.
    pub fn shown(&self, glyphs: &[usize]) -> String {
        let mut out = String::new();
        for (k, &i) in glyphs.iter().enumerate() {
            let gap = k > 0 && {
                let (a, b) = (&self.glyphs[glyphs[k - 1]], &self.glyphs[i]);
                !self.adjacent(glyphs[k - 1], i) || b.x0 - a.x1 > a.size * 0.15
            };
            if gap && !out.ends_with(' ') {
                out.push(' ');
            }
            out.push_str(&self.glyphs[i].text);
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The glyphs split by the source block they come from, in reading order;
    /// glyphs without a source position form runs of their own.
    pub fn blocks(&self, glyphs: &[usize]) -> Vec<(Option<usize>, Vec<usize>)> {
        let mut out: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
        for &i in glyphs {
            let block = self.glyphs[i].offset.map(|o| self.marker_of(o));
            match out.last_mut() {
                Some((b, run)) if *b == block => run.push(i),
                _ => out.push((block, vec![i])),
            }
        }
        out
    }

    /// The index of the marker whose block holds main-source byte `offset`.
    fn marker_of(&self, offset: usize) -> usize {
        self.markers.partition_point(|m| m.at <= offset).saturating_sub(1)
    }

    /// Where the words of `glyphs` (one block's run from [`Layout::blocks`])
    /// are at the draft's commit.
    pub fn place(&self, block: Option<usize>, glyphs: &[usize]) -> Result<Place, Miss> {
        let block = block.ok_or(Miss::Template)?;
        let marker = self.markers.get(block).ok_or(Miss::Template)?;
        let (path, line) = marker.place.clone().ok_or(Miss::Template)?;
        let text = std::fs::read_to_string(self.root.join(&path)).map_err(|_| Miss::NotFound(path.clone(), line))?;
        let mut shown = self.shown(glyphs);
        // Heading and list numbers are laid out, not written.
        while let Some((first, rest)) = shown.split_once(' ')
            && !first.is_empty()
            && first.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ')'))
        {
            shown = rest.to_string();
        }
        let words = letters(&shown);
        if words.is_empty() {
            return Err(Miss::NoText);
        }
        let start = offset_of(&text, line, 1);
        let end = self.block_end(block, &path, line, &text);
        let line_text = &text[start..text[start..].find('\n').map_or(text.len(), |i| start + i)];
        if let Some(call) = data_call(line_text) {
            return Ok(self.data_place(&call, &words, (path, line)));
        }
        let occurrence = self.occurrence(block, glyphs, &words);
        // Marks cannot go around template control flow (a table row made
        // by a `{% for %}` loop, say).
        let usable = |r: &Range<usize>| !text[r.clone()].contains("{%");
        let mut found = Projection::markdown(&text[start..end], start).find(&words);
        found.retain(usable);
        let range = match found.get(occurrence).or(found.last()) {
            Some(range) => range.clone(),
            // A footnote's text is laid out in the paragraph that cites it
            // but written elsewhere: look in the whole file, nearest first.
            None => Projection::markdown(&text, 0)
                .find(&words)
                .into_iter()
                .filter(usable)
                .min_by_key(|r| r.start.abs_diff(start))
                .ok_or(Miss::NotFound(path.clone(), line))?,
        };
        let range = balance(&text, with_punctuation(&text, range, &shown));
        Ok(Place::Text { path, range })
    }

    /// Where a block's Markdown ends: at the next block of the same file
    /// below it, else at the end of the file.
    fn block_end(&self, block: usize, path: &Path, line: usize, text: &str) -> usize {
        self.markers[block + 1..]
            .iter()
            .find_map(|m| m.place.as_ref().filter(|(p, l)| p == path && *l > line).map(|(_, l)| *l))
            .map_or(text.len(), |l| offset_of(text, l, 1))
    }

    /// How many times the words appear in the laid-out block before the
    /// selection (0 for the first).
    fn occurrence(&self, block: usize, glyphs: &[usize], words: &[char]) -> usize {
        let Some(first) = glyphs.iter().find_map(|&i| self.glyphs[i].offset) else { return 0 };
        let from = self.markers[block].at;
        let mut before: Vec<(usize, usize)> = (0..self.glyphs.len())
            .filter_map(|i| self.glyphs[i].offset.filter(|&o| o >= from && o < first).map(|o| (o, i)))
            .collect();
        before.sort();
        let prefix: String = before.iter().map(|&(_, i)| self.glyphs[i].text.as_str()).collect();
        let mut all = letters(&prefix);
        let cut = all.len();
        all.extend_from_slice(words);
        (0..cut).filter(|&s| all[s..].starts_with(words)).count()
    }

    /// The CSV line of a dataset that shows `words`, for text laid out by a
    /// `table()` or `chart()` call.
    fn data_place(&self, dataset: &str, words: &[char], call: (PathBuf, usize)) -> Place {
        let Some(csv) = self.datasets.get(dataset) else {
            return Place::Data { path: call.0.clone(), line: None, call };
        };
        let text = std::fs::read_to_string(self.root.join(csv)).unwrap_or_default();
        let line = text.lines().position(|l| letters(l).windows(words.len()).any(|w| w == words)).map(|i| i + 1);
        Place::Data { path: csv.clone(), line, call }
    }
}

/// The dataset named by a `table("…")` or `chart("…")` call in a line.
fn data_call(line: &str) -> Option<String> {
    if !line.contains("{{") && !line.contains("{%") {
        return None;
    }
    for call in ["table(", "chart("] {
        if let Some(at) = line.find(call) {
            let args = line[at + call.len()..].trim_start();
            let quote = args.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            return args[1..].split(quote).next().map(str::to_string);
        }
    }
    None
}

/// Every `// source:` marker of the main source.
fn markers(text: &str) -> Vec<Marker> {
    let mut out = vec![Marker { at: 0, place: None }];
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if let Some(place) = crate::source_map::parse_marker(line) {
            out.push(Marker { at: pos + line.len(), place });
        }
        pos += line.len();
    }
    out
}

/// Collects the glyphs of `frame` under transform `ts`.
fn walk(
    frame: &Frame,
    ts: Transform,
    page: usize,
    main: &Source,
    spans: &mut HashMap<Span, Option<usize>>,
    out: &mut Vec<Glyph>,
) {
    for (pos, item) in frame.items() {
        let here = ts.pre_concat(Transform::translate(pos.x, pos.y));
        match item {
            FrameItem::Group(group) => walk(&group.frame, here.pre_concat(group.transform), page, main, spans, out),
            FrameItem::Text(text) => {
                let size = text.size;
                let mut x = typst::layout::Abs::zero();
                for glyph in &text.glyphs {
                    let advance = glyph.x_advance.at(size);
                    let left = x + glyph.x_offset.at(size);
                    let at = Point::new(left + advance / 2.0, -size * 0.3).transform(here);
                    let (x0, x1) = (
                        Point::new(left, -size * 0.3).transform(here),
                        Point::new(left + advance, -size * 0.3).transform(here),
                    );
                    x += advance;
                    let (span, within) = glyph.span;
                    let offset = *spans.entry(span).or_insert_with(|| span_start(main, span));
                    out.push(Glyph {
                        page,
                        cx: at.x.to_pt(),
                        cy: at.y.to_pt(),
                        x0: x0.x.to_pt(),
                        x1: x1.x.to_pt(),
                        size: size.to_pt(),
                        text: text.text.get(glyph.range()).unwrap_or_default().to_string(),
                        offset: offset.map(|o| o + usize::from(within)),
                    });
                }
            }
            _ => {}
        }
    }
}

/// The byte where `span` starts in the main source, if it points there.
fn span_start(main: &Source, span: Span) -> Option<usize> {
    match span.get() {
        SpanKind::Number { id, num } if id == main.id() => main.range(num, None).map(|r| r.start),
        SpanKind::Range { id, range } if id == main.id() => Some(range.start),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_indexed() {
        let text = "#x\n// source: report/a.md:3\nyksi\n// source: end\nkoodi\n";
        let m = markers(text);
        assert_eq!(m.len(), 3);
        assert_eq!(m[1].place, Some((PathBuf::from("report/a.md"), 3)));
        assert_eq!(&text[m[1].at..m[1].at + 4], "yksi");
        assert_eq!(m[2].place, None);
    }

    #[test]
    fn data_calls_name_their_dataset() {
        assert_eq!(data_call("{{ table(\"verkostot\", caption=\"V\") }}").as_deref(), Some("verkostot"));
        assert_eq!(data_call("{{ chart('osuudet') }}").as_deref(), Some("osuudet"));
        assert_eq!(data_call("table(\"x\") in prose"), None);
    }
}
