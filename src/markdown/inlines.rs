//! Inline nodes → Typst: text with citations, cross-references and
//! CriticMarkup, emphasis, code, links, images and footnotes.

use std::ops::Range;
use std::path::{Path, PathBuf};

use comrak::nodes::{AstNode, NodeValue};

use super::blocks::block_token;
use super::citations::{
    Affixes, CitationItem, CiteForm, bare_locator, is_cross_reference, parse_citation_group, parse_key,
};
use super::escape::string_literal;
use super::figures::subfigure_numbering;
use super::spans::Piece;
use super::{Converter, Critic, LabelUse, MissingImage, Node, shortcodes};

impl<'a> Converter<'a, '_> {
    pub(super) fn inlines(&mut self, node: Node<'a>) {
        let children: Vec<Node<'a>> = node.children().collect();
        // CriticMarkup marks must close in the container they open in, or
        // the Typst would not nest; close leftovers here and say so.
        let depth = self.critic.len();
        self.inline_children(&children);
        while self.critic.len() > depth {
            let kind = self.critic.pop().expect("checked length");
            self.raw(kind.close_typst());
            self.expr_end();
            let range = self.node_range(node);
            self.warn(
                range,
                format!(
                    "{} opened with `{}` is not closed with `{}` in the same paragraph or span",
                    kind.name(),
                    kind.open_mark(),
                    kind.close_mark()
                ),
            );
        }
    }

    fn inline_children(&mut self, children: &[Node<'a>]) {
        // `$$…$$ {#eq-x}`: the label leaves the text before it is read;
        // so does a raw inline's `{=format}`.
        for pair in children.windows(2) {
            if matches!(&pair[0].data().value, NodeValue::Code(_))
                && let Some(format) = raw_format(pair[1])
            {
                self.raw_inlines.push((node_id(pair[0]), format));
            }
            if matches!(&pair[0].data().value, NodeValue::Math(m) if m.display_math)
                && let Some(label) = equation_label(pair[1])
            {
                self.equation_labels.push((node_id(pair[0]), label));
            }
        }
        let pieces: Vec<Piece<'a>> = children
            .iter()
            .map(|&child| {
                let data = child.data();
                match &data.value {
                    NodeValue::Text(text) => Piece::Text {
                        text: text.to_string(),
                        line: data.sourcepos.start.line,
                        column: data.sourcepos.start.column,
                    },
                    _ => Piece::Node(child),
                }
            })
            .collect();
        self.pieces(&pieces);
    }

    pub(super) fn inline(&mut self, node: Node<'a>) {
        let value = node.data().value.clone();
        match value {
            NodeValue::Text(text) => {
                let mut run = TextRun::default();
                let pos = node.data().sourcepos.start;
                run.push(&text, pos.line, pos.column);
                self.text_run(&run);
            }
            NodeValue::SoftBreak => {
                self.newline();
                self.prev = Some(' ');
            }
            NodeValue::LineBreak => {
                self.raw("\\\n");
                self.prev = Some(' ');
            }
            NodeValue::Code(code) => self.code_span(node, &code.literal),
            NodeValue::Math(math) => {
                self.math(node, &math.literal, math.display_math);
                // `$x$'s`: an apostrophe follows, as after a word.
                self.prev = Some('\u{FFFC}');
            }
            NodeValue::Emph => self.wrap("#emph[", node),
            NodeValue::Strong => self.wrap("#strong[", node),
            NodeValue::Strikethrough => self.wrap("#strike[", node),
            // Pandoc's sub- and superscripts hold no unescaped space
            // (`a~b c~d` is text).
            NodeValue::Subscript | NodeValue::Superscript if plain_text(node).contains(char::is_whitespace) => {
                let mark = if matches!(value, NodeValue::Subscript) { "~" } else { "^" };
                self.text(mark);
                self.inlines(node);
                self.text(mark);
            }
            NodeValue::Subscript => self.wrap("#sub[", node),
            NodeValue::Superscript => self.wrap("#super[", node),
            NodeValue::Escaped => {
                // A backslash-escaped character: always literal, also where
                // its neighbours would make it Typst's `...` or `--`.
                let text = plain_text(node);
                if text == "." || text == "-" {
                    self.raw(&format!("\\{text}"));
                    self.prev = text.chars().next();
                } else {
                    self.text(&text);
                }
            }
            NodeValue::HtmlInline(html) => {
                let trimmed = html.trim();
                if let Some(index) = block_token(trimmed)
                    && let Some(block) = self.opts.blocks.get(index)
                {
                    let block = block.clone();
                    self.raw(&block);
                    self.expr_end();
                } else if !(trimmed.starts_with("<!--") && trimmed.ends_with("-->")) {
                    let range = self.node_range(node);
                    self.warn(range, format!("raw HTML `{trimmed}` is not supported in PDF output and is dropped"));
                }
            }
            NodeValue::Link(link) => {
                let url = self.destination(&link.url, &self.node_range(node));
                self.link(node, &url);
            }
            NodeValue::Image(link) => {
                let url = self.destination(&link.url, &self.node_range(node));
                self.image(node, &url);
            }
            NodeValue::FootnoteReference(r) => self.footnote(node, &r.name),
            NodeValue::Raw(raw) => self.raw(&raw),
            _ => self.inlines(node),
        }
    }

    fn wrap(&mut self, open: &str, node: Node<'a>) {
        self.raw(open);
        self.inlines(node);
        self.raw("]");
        self.expr_end();
    }

    /// Warns for the attributes of a link or image that kooste does not act
    /// on (`known` are the ones it does).
    fn unread_attributes(&mut self, node: Node<'a>, what: &str, known: &[&str]) {
        let Some(attrs) = node.data().attrs.clone() else { return };
        let range = self.node_range(node);
        let classes = attrs.classes.iter().map(|c| format!(".{c}"));
        let pairs = attrs.pairs.iter().map(|(k, _)| k.clone()).filter(|k| !known.contains(&k.as_str()));
        let id = attrs.id.iter().filter(|_| !known.contains(&"#")).map(|i| format!("#{i}"));
        for name in classes.chain(pairs).chain(id).collect::<Vec<_>>() {
            self.warn(range.clone(), format!("{what} attribute `{name}` is not supported; ignored"));
        }
    }

    fn link(&mut self, node: Node<'a>, url: &str) {
        self.unread_attributes(node, "link", &[]);
        // `[foo]()`, `[foo](<>)`, `[foo]: <>`: CommonMark allows an empty
        // destination, Typst's `link` does not; there is nothing to link to.
        if url.is_empty() {
            self.inlines(node);
            return;
        }
        if let Some(label) = url.strip_prefix('#').filter(|l| !l.is_empty() && self.opts.resolve_citations) {
            let range = self.node_range(node);
            self.out.references.push(LabelUse { name: label.to_string(), range });
            self.raw(&format!("#link(label({}))[", string_literal(label)));
        } else {
            self.raw(&format!("#link({})[", string_literal(url)));
        }
        // An autolink's text is its URL: no smart punctuation there.
        let text = plain_text(node);
        let autolink = !text.is_empty() && url.ends_with(&text);
        if node.children().next().is_none() {
            self.text(url);
        } else {
            self.plain += usize::from(autolink);
            self.inlines(node);
            self.plain -= usize::from(autolink);
        }
        self.raw("]");
        self.expr_end();
    }

    /// Inline code, or a raw inline (`` `…`{=format} ``).
    fn code_span(&mut self, node: Node<'a>, code: &str) {
        let literal = self.as_written(code);
        let id = node_id(node);
        if let Some(i) = self.raw_inlines.iter().position(|(n, _)| *n == id) {
            // Pandoc's raw inline (`` `<b>`{=html} ``): Typst's is
            // passed on, another format's left out, with a word.
            let (_, format) = self.raw_inlines.remove(i);
            if format == "typst" {
                let range = self.node_range(node);
                if typst::syntax::parse(&literal).errors_and_warnings().0.is_empty() {
                    self.raw(&literal);
                } else {
                    self.error(range, "this raw Typst does not parse")
                        .hints
                        .push("check its brackets and quotes; it is passed on as it is written".into());
                }
            } else {
                let range = self.node_range(node);
                self.warn(range, format!("raw `{format}` inline is left out: it is for another format"));
            }
            return;
        }
        self.raw(&format!("#raw({})", string_literal(&literal)));
        self.expr_end();
        self.prev = literal.chars().next_back().or(self.prev);
    }

    /// TeX maths (Pandoc's `$…$`, `$$…$$`) as a Typst equation with the
    /// source as its alternative text; `$$…$$ {#eq-x}` is numbered and
    /// labelled. What the TeX reader cannot read is an error at its place.
    fn math(&mut self, node: Node<'a>, tex: &str, display: bool) {
        let range = self.node_range(node);
        let id = node_id(node);
        let label = self.equation_labels.iter().position(|(n, _)| *n == id).map(|i| self.equation_labels.remove(i).1);
        match crate::markup::texmath::to_typst(tex) {
            Ok(typst) => {
                let numbering = if label.is_some() { ", numbering: \"(1)\"" } else { "" };
                let alt = string_literal(tex.trim());
                self.raw(&format!("#math.equation(block: {display}{numbering}, alt: {alt}, ${typst}$)"));
                if let Some(label) = label {
                    self.define_label(&label, range.clone());
                    self.raw(&format!("#label({})", string_literal(&label)));
                }
                self.expr_end();
            }
            Err(why) => {
                self.error(range, format!("TeX maths: {why}")).hints.push(
                    "write it with the commands kooste typesets (docs/authoring.md), or in a ```{=typst} block".into(),
                );
                self.text(tex);
            }
        }
    }

    /// An image's size arguments: Pandoc's `width` and `height` (a
    /// length that is none warns), else the figure's width or a line's
    /// height.
    fn image_size(&mut self, attrs: &comrak::nodes::Attributes, range: &Range<usize>, figure: bool) -> String {
        for (key, value) in attrs.pairs.iter().filter(|(k, v)| (k == "width" || k == "height") && length(v).is_none()) {
            self.warn(range.clone(), format!("image {key} `{value}` is not a length; ignored"))
                .hints
                .push("write it as Pandoc does: 50%, 300px, 5cm, 2in".into());
        }
        let given = |key: &str| attrs.pairs.iter().find(|(k, _)| k == key).and_then(|(_, v)| length(v));
        match (given("width"), given("height")) {
            (Some(w), Some(h)) => format!("width: {w}, height: {h}, fit: \"contain\""),
            (Some(w), None) => format!("width: {w}"),
            (None, Some(h)) => format!("height: {h}"),
            (None, None) if figure => "width: 100%".into(),
            (None, None) => "height: 1em".into(),
        }
    }

    fn image(&mut self, node: Node<'a>, url: &str) {
        self.unread_attributes(node, "image", &["#", "fig-alt", "width", "height"]);
        let attrs = node.data().attrs.clone().unwrap_or_default();
        let caption_text = plain_text(node);
        let alt = attrs
            .pairs
            .iter()
            .find(|(k, _)| k == "fig-alt")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| caption_text.clone());
        let range = self.node_range(node);
        if alt.trim().is_empty() {
            self.out.images_without_alt.push(LabelUse { name: url.to_string(), range: range.clone() });
        }
        let alone =
            node.parent().is_some_and(|p| matches!(p.data().value, NodeValue::Paragraph) && p.children().count() == 1);
        let path = resolve_image(self.opts.path, url);
        let problem = match &path {
            None => Some(format!("image `{url}` is remote; kooste builds offline")),
            Some(p) if p.starts_with("/../") => Some(format!("image `{url}` is outside the project folder")),
            Some(p) if !(self.opts.image_exists)(p) => Some(format!("image `{url}` not found")),
            Some(_) => None,
        };
        if let Some(label) = &attrs.id {
            self.define_label(label, range.clone());
        }
        let figure = alone && (self.subfigure.is_some() || attrs.id.is_some() || !caption_text.is_empty());
        if figure && let Some(parent) = &self.subfigure {
            let numbering = subfigure_numbering(parent);
            self.raw(&format!("#figure(kind: \"kooste-subfigure\", supplement: none, numbering: {numbering}, "));
        } else if figure {
            self.raw("#figure(");
        } else {
            self.raw("#box(");
        }
        match (&path, &problem) {
            (Some(p), None) => {
                self.out.images.push(LabelUse { name: p.clone(), range: range.clone() });
                let size = self.image_size(&attrs, &range, figure);
                // A draft builds without alt text (a warning says so, and a
                // final build refuses it); PDF/UA still needs one.
                let alt = if alt.trim().is_empty() { url.to_string() } else { alt.clone() };
                self.raw(&format!("image({}, {size}, alt: {})", string_literal(p), string_literal(&alt)));
            }
            (_, problem) => {
                let problem = problem.clone().unwrap_or_default();
                match self.opts.missing_image {
                    MissingImage::Error => {
                        let hint = if path.is_none() {
                            "download the image into report/figures/ and link to it there"
                        } else {
                            "image paths are relative to the Markdown file; check the file name"
                        };
                        self.error(range.clone(), problem).hints.push(hint.into());
                    }
                    MissingImage::Placeholder => {
                        self.warn(range.clone(), format!("{problem}; a placeholder is shown"));
                    }
                }
                self.raw("rect(stroke: 0.5pt + gray, inset: 4pt)[");
                self.text(&format!("[{}]", if alt.is_empty() { "image" } else { alt.as_str() }));
                self.raw("]");
            }
        }
        if figure && !caption_text.is_empty() {
            self.raw(", caption: [");
            self.inlines(node);
            self.raw("]");
        }
        self.raw(")");
        if figure && let Some(label) = &attrs.id {
            self.raw(&format!(" #label({})", string_literal(label)));
        }
        self.expr_end();
    }

    fn footnote(&mut self, node: Node<'a>, name: &str) {
        self.settled_later += 1;
        if let Some(label) = self.footnotes_seen.get(name) {
            let label = label.clone();
            self.raw(&format!("#footnote(label({}))", string_literal(&label)));
            self.expr_end();
            return;
        }
        let Some(def) = self.footnotes.get(name).copied() else {
            let range = self.node_range(node);
            self.error(range, format!("footnote `{name}` has no definition"));
            return;
        };
        let label = format!("fn-{}-{}", self.opts.label_prefix, sanitize_label(name));
        self.footnotes_seen.insert(name.to_string(), label.clone());
        self.raw("#footnote[");
        self.blocks(def, true);
        self.raw(&format!("]#label({})", string_literal(&label)));
        self.expr_end();
    }

    /// Writes a run of text, turning citations, cross-references,
    /// CriticMarkup and shortcodes into Typst.
    pub(super) fn text_run(&mut self, run: &TextRun) {
        let text = run.text.as_str();
        let resolve = self.opts.resolve_citations;
        let mut rest = 0;
        let mut i = 0;
        let bytes = text.as_bytes();
        while i < bytes.len() {
            let found = match bytes[i] {
                0xEE => shortcodes::token_at(&text[i..]).map(|(index, len)| {
                    self.prose(&text[rest..i]);
                    let range = run.range(self, i, len);
                    self.shortcode(index, range);
                    len
                }),
                b'{' | b'+' | b'-' | b'=' | b'<' if resolve => self.critic_mark(run, rest, i),
                b'[' if resolve => parse_citation_group(&text[i..]).map(|(len, items)| {
                    self.prose(&text[rest..i]);
                    // `-@key` goes through the citation pass, in its
                    // group's parentheses with its prefix and locator
                    // (templates without `kooste-cite-year`: the year in
                    // parentheses of its own).
                    let grouped = self.templates_define("cite-year");
                    // A suffix (`[@key ja muut]`) goes after the item where
                    // templates define `kooste-cite-suffix`; elsewhere it
                    // follows the style's locator delimiter, as before.
                    let suffixes = self.templates_define("cite-suffix");
                    for CitationItem { offset, key, prefix, mut locator, mut suffix, suppress } in items {
                        if !suffixes && locator.is_none() {
                            locator = suffix.take();
                        }
                        let range = run.range(self, i + offset, key.len() + 1);
                        let form = match (suppress, grouped) {
                            (true, true) => CiteForm::YearInGroup,
                            (true, false) => CiteForm::Year,
                            (false, _) => CiteForm::Normal,
                        };
                        let affixes = Affixes {
                            prefix: prefix.as_deref(),
                            locator: locator.as_deref(),
                            suffix: suffix.as_deref(),
                        };
                        self.cite_or_ref(&key, affixes, form, range);
                    }
                    len
                }),
                b'@' if resolve => {
                    let word_before = text[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_');
                    parse_key(&text[i + 1..]).filter(|_| !word_before).map(|key| {
                        self.prose(&text[rest..i]);
                        let range = run.range(self, i, key.len() + 1);
                        // Pandoc's `@key [p. 33]`: the brackets after an
                        // in-text citation are its locator (not after a
                        // cross-reference, which Quarto gives none).
                        let after = i + 1 + key.len();
                        let bare = bare_locator(&text[after..]).filter(|_| !is_cross_reference(key));
                        let affixes = Affixes { locator: bare.map(|(_, locator)| locator), ..Affixes::default() };
                        self.cite_or_ref(key, affixes, CiteForm::Prose, range);
                        1 + key.len() + bare.map_or(0, |(len, _)| len)
                    })
                }
                _ => None,
            };
            match found {
                Some(len) => {
                    i += len;
                    rest = i;
                }
                None => i += 1,
            }
        }
        self.prose(&text[rest..]);
    }

    /// A CriticMarkup mark at byte `i` of the run: written (with the text
    /// before it from `rest`), and its length.
    fn critic_mark(&mut self, run: &TextRun, rest: usize, i: usize) -> Option<usize> {
        let text = run.text.as_str();
        if let Some(kind) = Critic::ALL.iter().copied().find(|k| text[i..].starts_with(k.open_mark())) {
            self.prose(&text[rest..i]);
            let range = run.range(self, i, 3);
            self.out.critic.push(LabelUse { name: kind.name().to_string(), range });
            self.raw(kind.open_typst());
            self.critic.push(kind);
            return Some(3);
        }
        let &kind = self.critic.last()?;
        if !text[i..].starts_with(kind.close_mark()) {
            return None;
        }
        self.prose(&text[rest..i]);
        self.critic.pop();
        self.raw(kind.close_typst());
        self.expr_end();
        Some(3)
    }
}

/// Adjacent text nodes joined, remembering where each piece came from.
#[derive(Default)]
pub(super) struct TextRun {
    pub text: String,
    /// (offset in `text`, line, column) of each piece.
    pieces: Vec<(usize, usize, usize)>,
}

impl TextRun {
    pub fn push(&mut self, text: &str, line: usize, column: usize) {
        self.pieces.push((self.text.len(), line, column));
        self.text.push_str(text);
    }

    /// The source range of `len` bytes at `offset` in the run.
    fn range(&self, conv: &Converter, offset: usize, len: usize) -> Range<usize> {
        let (start, line, column) =
            self.pieces.iter().rev().find(|(start, ..)| *start <= offset).copied().unwrap_or((0, 1, 1));
        conv.source_range(line, column + (offset - start), len)
    }
}

fn sanitize_label(name: &str) -> String {
    name.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect()
}

/// The project-relative path (`/report/figures/x.png`) of an image URL
/// written in the Markdown file at `path`; `None` for a remote URL.
pub fn resolve_image(path: &Path, url: &str) -> Option<String> {
    if url.contains("://") || url.starts_with("//") || url.starts_with("data:") {
        return None;
    }
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let joined: PathBuf = if let Some(abs) = url.strip_prefix('/') {
        PathBuf::from(abs)
    } else {
        path.parent().unwrap_or(Path::new("")).join(url)
    };
    // Normalise `..` and `.` lexically; typst refuses anything that still
    // escapes the root.
    let mut parts: Vec<String> = Vec::new();
    for comp in joined.components() {
        match comp {
            std::path::Component::ParentDir => {
                if parts.last().is_none_or(|p| p == "..") {
                    parts.push("..".into());
                } else {
                    parts.pop();
                }
            }
            std::path::Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// The text content of a node and its descendants.
pub fn plain_text<'a>(node: &'a AstNode<'a>) -> String {
    let mut out = String::new();
    for d in node.descendants() {
        match &d.data().value {
            NodeValue::Text(t) => out.push_str(t),
            NodeValue::Code(c) => out.push_str(&c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => out.push(' '),
            _ => {}
        }
    }
    out
}

/// A node's identity while its tree lives.
fn node_id(node: Node<'_>) -> usize {
    node as *const _ as usize
}

/// The `{#eq-x}` at the start of the text node `next` (written right after
/// display maths), taken out of that text.
fn equation_label(next: Node<'_>) -> Option<String> {
    let mut data = next.data_mut();
    let NodeValue::Text(text) = &data.value else { return None };
    let trimmed = text.trim_start();
    let inner = trimmed.strip_prefix("{#")?;
    let end = inner.find('}')?;
    let label = inner[..end].trim();
    if !label.starts_with("eq-") {
        return None;
    }
    let label = label.to_string();
    let rest = inner[end + 1..].to_string();
    data.value = NodeValue::Text(rest.into());
    Some(label)
}

/// A Pandoc image size (`50%`, `300px`, `5cm`, `2in`, `120`) as a Typst
/// length: pixels at 96 per inch, as Pandoc counts them.
fn length(value: &str) -> Option<String> {
    let value = value.trim();
    let split = value.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse().ok().filter(|n: &f64| *n > 0.0)?;
    Some(match unit {
        "%" => format!("{number}%"),
        "" | "px" => format!("{}pt", number * 0.75),
        "cm" | "mm" | "in" | "pt" | "em" => format!("{number}{unit}"),
        _ => return None,
    })
}

/// The `{=format}` at the start of the text node `next` (written right
/// after inline code), taken out of that text.
fn raw_format(next: Node<'_>) -> Option<String> {
    let mut data = next.data_mut();
    let NodeValue::Text(text) = &data.value else { return None };
    let inner = text.strip_prefix("{=")?;
    let end = inner.find('}')?;
    let format = &inner[..end];
    if format.is_empty() || !format.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return None;
    }
    let format = format.to_string();
    let rest = inner[end + 1..].to_string();
    data.value = NodeValue::Text(rest.into());
    Some(format)
}
