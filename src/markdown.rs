//! Markdown → Typst markup, over comrak's AST. Pure: no I/O.
//!
//! Every CommonMark and GFM construct converts to Typst; every character of
//! the author's text is escaped so that it prints literally and never runs as
//! Typst code. The only ways into raw Typst are a fenced ```` ```{=typst} ````
//! block and the blocks that kooste's own template functions generate
//! (tables from data), which arrive as tokens in HTML comments.
//!
//! On top of CommonMark the converter understands Quarto's syntax:
//! `{#sec-id}` on headings, `![caption](path){#fig-id fig-alt="..."}`,
//! citations `[@key]`, `[@key, s. 12]`, `[@a; @b]`, narrative `@key`, and
//! cross-references `@sec-…`, `@fig-…`, `@tbl-…`. It records which labels it
//! defines and which it uses, so the pipeline can check them across all
//! documents and report unknown ones at the author's line.
//!
//! Before each block it writes a `// source: path:line` comment, so a Typst
//! error in generated code can be traced back to the Markdown line.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use comrak::nodes::{AstNode, ListType, NodeValue, TableAlignment};
use comrak::{Arena, Options};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::table_layout::{self, Align};

/// The prefix of tokens that stand for generated Typst blocks (see
/// `render::table`): `<!--kooste:block:N-->`.
pub const BLOCK_TOKEN: &str = "kooste:block:";

/// Label prefixes that make `@name` a cross-reference rather than a citation.
pub const REF_PREFIXES: &[&str] = &["sec-", "fig-", "tbl-", "eq-", "lst-", "rec-"];

/// What to do with an image whose file is missing or remote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingImage {
    /// An error: the build cannot produce a faithful document.
    Error,
    /// A visible placeholder with the alt text and a warning (`kooste convert`).
    Placeholder,
}

/// Settings for one conversion.
pub struct ConvertOptions<'a> {
    /// The source file, relative to the project root (for markers and diagnostics).
    pub path: &'a Path,
    /// The file's text as the author wrote it (for diagnostic positions).
    pub source: &'a str,
    /// For each line of the converted text (0-based), the line of `source`
    /// (1-based) it came from; empty means the same line.
    pub line_map: &'a [usize],
    /// Generated Typst blocks, addressed by the tokens in the text.
    pub blocks: &'a [String],
    /// Prefix that makes footnote labels unique across documents.
    pub label_prefix: &'a str,
    /// Tells whether a project-relative image path (`/report/x.png`) exists.
    pub image_exists: &'a dyn Fn(&str) -> bool,
    pub missing_image: MissingImage,
    /// Turn `[@key]` and `@label` into citations and references; when false
    /// they print as written (`kooste convert` has no bibliography).
    pub resolve_citations: bool,
}

/// A label defined or used, with its position in the source file.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelUse {
    pub name: String,
    pub range: Range<usize>,
}

/// The result of converting one document.
#[derive(Debug, Clone, Default)]
pub struct Converted {
    /// Typst markup.
    pub typst: String,
    /// Labels this document defines (headings, figures, captioned tables).
    pub defines: Vec<LabelUse>,
    /// Cross-references it makes.
    pub references: Vec<LabelUse>,
    /// Citation keys it cites.
    pub citations: Vec<LabelUse>,
    /// Images it includes, as project-relative paths.
    pub images: Vec<LabelUse>,
    /// Images with neither a caption nor `fig-alt` (no text alternative).
    pub images_without_alt: Vec<LabelUse>,
    /// CriticMarkup notes and suggestions left in the text (`{>>…<<}`,
    /// `{++…++}`, …): name is the kind, range the opening mark.
    pub critic: Vec<LabelUse>,
    /// Level-1 headings' plain text, in order (for running headers and tests).
    pub headings: Vec<String>,
    /// Warnings and errors found while converting.
    pub diagnostics: Diagnostics,
}

/// comrak's options: CommonMark plus the GFM extensions and attributes.
pub fn comrak_options() -> Options<'static> {
    let mut options = Options::default();
    options.extension.strikethrough = true;
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.tasklist = true;
    options.extension.footnotes = true;
    options.extension.header_attributes = true;
    options.extension.link_attributes = true;
    options.parse.escaped_char_spans = true;
    options
}

/// Converts Markdown text to Typst markup.
pub fn to_typst(markdown: &str, opts: &ConvertOptions) -> Converted {
    let arena = Arena::new();
    // `{~~old~>new~~}` would parse as GFM strikethrough; as a deletion and
    // an insertion it goes through the same path as the other marks.
    let rewritten;
    let markdown = if opts.resolve_citations && markdown.contains("{~~") {
        rewritten = rewrite_substitutions(markdown);
        rewritten.as_str()
    } else {
        markdown
    };
    let root = comrak::parse_document(&arena, markdown, &comrak_options());
    let mut footnotes = HashMap::new();
    for node in root.descendants() {
        if let NodeValue::FootnoteDefinition(def) = &node.data().value {
            footnotes.insert(def.name.clone(), node);
        }
    }
    let mut conv = Converter {
        opts,
        out: Converted::default(),
        footnotes,
        footnotes_seen: HashMap::new(),
        after_expr: false,
        critic: Vec::new(),
        depth: 0,
    };
    conv.blocks(root, true);
    let mut out = conv.out;
    while out.typst.ends_with("\n\n") {
        out.typst.pop();
    }
    out
}

struct Converter<'a, 'o> {
    opts: &'o ConvertOptions<'o>,
    out: Converted,
    footnotes: HashMap<String, &'a AstNode<'a>>,
    /// Footnote name → label of its first rendering.
    footnotes_seen: HashMap<String, String>,
    /// The last thing written was an embedded expression (`#f[..]`), which a
    /// following `.`, `(` or `[` would continue.
    after_expr: bool,
    /// CriticMarkup marks opened and not yet closed, innermost last.
    critic: Vec<Critic>,
    /// How deeply blocks are nested here (quotes in quotes, lists in lists).
    depth: usize,
}

/// The deepest nesting of block quotes and lists the converter follows.
/// Deeper input is an error: no document needs it, and following it would
/// only exhaust the stack (the converter and typst both recurse).
pub const MAX_DEPTH: usize = 24;

/// The kinds of CriticMarkup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Critic {
    Insert,
    Delete,
    Highlight,
    Comment,
}

impl Critic {
    const ALL: [Critic; 4] = [Critic::Insert, Critic::Delete, Critic::Highlight, Critic::Comment];

    fn open_mark(self) -> &'static str {
        match self {
            Critic::Insert => "{++",
            Critic::Delete => "{--",
            Critic::Highlight => "{==",
            Critic::Comment => "{>>",
        }
    }

    fn close_mark(self) -> &'static str {
        match self {
            Critic::Insert => "++}",
            Critic::Delete => "--}",
            Critic::Highlight => "==}",
            Critic::Comment => "<<}",
        }
    }

    /// What the mark is called in messages.
    fn name(self) -> &'static str {
        match self {
            Critic::Insert => "suggested insertion",
            Critic::Delete => "suggested deletion",
            Critic::Highlight => "highlight",
            Critic::Comment => "note",
        }
    }

    /// The Typst that opens the mark's rendering; `close` ends it.
    fn open_typst(self) -> &'static str {
        match self {
            Critic::Insert => "#underline(stroke: 0.8pt + rgb(\"#1f6b2a\"))[#text(fill: rgb(\"#1f6b2a\"))[",
            Critic::Delete => "#strike(stroke: 0.8pt + rgb(\"#a01c1c\"))[#text(fill: rgb(\"#a01c1c\"))[",
            Critic::Highlight => "#highlight(fill: rgb(\"#fff0a8\"))[",
            Critic::Comment => "#highlight(fill: rgb(\"#e3ecf7\"))[#text(size: 0.85em, fill: rgb(\"#173f6b\"))[Huom.: ",
        }
    }

    fn close_typst(self) -> &'static str {
        match self {
            Critic::Highlight => "]",
            _ => "]]",
        }
    }
}

/// Rewrites `{~~old~>new~~}` as `{--old--}{++new++}`, keeping line breaks.
fn rewrite_substitutions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{~~") {
        let after = &rest[start + 3..];
        match (after.find("~>"), after.find("~~}")) {
            (Some(arrow), Some(end)) if arrow < end => {
                out.push_str(&rest[..start]);
                out.push_str("{--");
                out.push_str(&after[..arrow]);
                out.push_str("--}{++");
                out.push_str(&after[arrow + 2..end]);
                out.push_str("++}");
                rest = &after[end + 3..];
            }
            _ => {
                out.push_str(&rest[..start + 3]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

type Node<'a> = &'a AstNode<'a>;

impl<'a> Converter<'a, '_> {
    // ----- output primitives -------------------------------------------------

    /// Writes Typst code as is.
    fn raw(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.after_expr && s.starts_with(['.', '(', '[', ';']) {
            self.out.typst.push(';');
        }
        self.out.typst.push_str(s);
        self.after_expr = false;
    }

    /// Writes an embedded expression such as `#emph[...]`, closed by `expr_end`.
    fn expr_end(&mut self) {
        self.after_expr = true;
    }

    /// Writes author text, escaped so that it prints literally.
    fn text(&mut self, s: &str) {
        let escaped = escape_text(s, self.at_line_start());
        self.raw(&escaped);
    }

    /// Whether the next character starts a line of markup (where `-`, `+`,
    /// `=`, `/` and `1.` would start lists and headings).
    fn at_line_start(&self) -> bool {
        let t = self.out.typst.trim_end_matches([' ', '\t']);
        t.is_empty() || t.ends_with('\n') || t.ends_with('[')
    }

    fn newline(&mut self) {
        self.raw("\n");
    }

    // ----- positions ----------------------------------------------------------

    /// The source-file line of a converted-text line.
    fn source_line(&self, line: usize) -> usize {
        self.opts.line_map.get(line.saturating_sub(1)).copied().unwrap_or(line)
    }

    /// Byte range in the source file for a converted-text line and byte column.
    fn source_range(&self, line: usize, column: usize, len: usize) -> Range<usize> {
        let src_line = self.source_line(line);
        let column = if src_line == line || self.opts.line_map.is_empty() { column } else { 1 };
        let start = crate::diagnostics::offset_of(self.opts.source, src_line, column);
        let end = (start + len.max(1)).min(self.opts.source.len());
        start..end.max(start)
    }

    fn node_range(&self, node: Node<'a>) -> Range<usize> {
        let pos = node.data().sourcepos;
        self.source_range(pos.start.line, pos.start.column, 1)
    }

    fn marker(&mut self, node: Node<'a>) {
        let line = node.data().sourcepos.start.line;
        self.marker_at(line);
    }

    /// Writes a marker for converted-text line `line`.
    fn marker_at(&mut self, line: usize) {
        // Right after `[` (a list item, a footnote) the comment's line break
        // would add a space at the start of the content; the enclosing
        // block's marker names the line well enough.
        if self.out.typst.trim_end_matches([' ', '\t']).ends_with('[') {
            return;
        }
        let line = self.source_line(line);
        if !self.at_line_start() {
            self.newline();
        }
        let path = self.opts.path.display().to_string().replace('\\', "/");
        self.raw(&format!("// source: {path}:{line}\n"));
    }

    fn warn(&mut self, range: Range<usize>, message: impl Into<String>) -> &mut Diagnostic {
        self.out.diagnostics.push(Diagnostic::warning(self.opts.path, Some(range), message));
        self.out.diagnostics.last_mut().expect("just pushed")
    }

    fn error(&mut self, range: Range<usize>, message: impl Into<String>) -> &mut Diagnostic {
        self.out.diagnostics.push(Diagnostic::error(self.opts.path, Some(range), message));
        self.out.diagnostics.last_mut().expect("just pushed")
    }

    // ----- blocks -------------------------------------------------------------

    /// Converts the block children of `node`; `loose` separates them with
    /// paragraph breaks.
    fn blocks(&mut self, node: Node<'a>, loose: bool) {
        if self.depth >= MAX_DEPTH {
            let range = self.node_range(node);
            self.error(range, format!("blocks are nested more than {MAX_DEPTH} levels deep"))
                .hints
                .push("flatten the nested quotes or lists; their text from here on is left out".into());
            return;
        }
        self.depth += 1;
        self.blocks_at_depth(node, loose);
        self.depth -= 1;
    }

    fn blocks_at_depth(&mut self, node: Node<'a>, loose: bool) {
        let mut first = true;
        let children: Vec<Node<'a>> = node.children().collect();
        let mut skip_next = false;
        for (i, child) in children.iter().enumerate() {
            if skip_next {
                skip_next = false;
                continue;
            }
            if matches!(child.data().value, NodeValue::FootnoteDefinition(_)) {
                continue;
            }
            if !first {
                self.raw(if loose { "\n\n" } else { "\n" });
            }
            first = false;
            // A table followed by a `: Caption {#tbl-id}` paragraph.
            let caption = match &child.data().value {
                NodeValue::Table(_) => children.get(i + 1).and_then(|n| table_caption(n)),
                _ => None,
            };
            if caption.is_some() {
                skip_next = true;
            }
            self.block(child, loose, caption);
        }
    }

    fn block(&mut self, node: Node<'a>, loose: bool, caption: Option<Node<'a>>) {
        let value = node.data().value.clone();
        match value {
            NodeValue::Document => self.blocks(node, true),
            NodeValue::Paragraph => {
                self.marker(node);
                self.inlines(node);
            }
            NodeValue::Heading(h) => {
                self.marker(node);
                self.heading(node, h.level);
            }
            NodeValue::ThematicBreak => {
                self.marker(node);
                self.raw("#line(length: 100%, stroke: 0.5pt)");
            }
            NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) => {
                self.marker(node);
                self.raw("#quote(block: true)[\n");
                self.blocks(node, true);
                self.raw("\n]");
                self.expr_end();
            }
            NodeValue::List(list) => {
                self.marker(node);
                self.list(node, list.list_type, list.start, list.tight);
            }
            NodeValue::Item(_) | NodeValue::TaskItem(_) => {
                // Items are handled by `list`; one outside a list still converts.
                self.blocks(node, loose);
            }
            NodeValue::CodeBlock(code) => {
                let info = code.info.trim();
                if info == "{=typst}" {
                    self.raw_typst(node, &code.literal);
                } else {
                    self.marker(node);
                    let lang =
                        info.split_whitespace().next().unwrap_or("").trim_start_matches('{').trim_end_matches('}');
                    let lang = lang.trim_start_matches('.');
                    self.raw("#raw(block: true, ");
                    if !lang.is_empty() {
                        self.raw(&format!("lang: {}, ", string_literal(lang)));
                    }
                    let literal = code.literal.strip_suffix('\n').unwrap_or(&code.literal);
                    self.raw(&string_literal(literal));
                    self.raw(")");
                    self.expr_end();
                }
            }
            NodeValue::HtmlBlock(html) => {
                self.marker(node);
                self.html_block(node, &html.literal);
            }
            NodeValue::Table(table) => {
                self.marker(node);
                self.table(node, &table.alignments, caption);
            }
            NodeValue::FootnoteDefinition(_) => {}
            NodeValue::FrontMatter(_) => {}
            // Extensions that are not enabled never appear; convert their
            // children so no text is lost should one turn up.
            _ => self.blocks(node, loose),
        }
    }

    /// A ```` ```{=typst} ```` block: passed through, after a syntax check
    /// so that a mistake is reported at its own line instead of breaking
    /// everything after it.
    fn raw_typst(&mut self, node: Node<'a>, code: &str) {
        let fence_line = node.data().sourcepos.start.line;
        let source = typst::syntax::Source::detached(code);
        let (errors, _) = source.root().errors_and_warnings();
        if errors.is_empty() {
            self.marker_at(fence_line + 1);
            self.raw(code);
            return;
        }
        for error in errors {
            let offset = match error.span.get() {
                typst::syntax::DiagSpanKind::Number { num, sub_range, .. } => {
                    source.range(num, sub_range).map_or(0, |r| r.start)
                }
                typst::syntax::DiagSpanKind::Range { range, .. } => range.start,
                typst::syntax::DiagSpanKind::Detached => 0,
            };
            let (line, column) = crate::diagnostics::line_col(code, offset);
            let range = self.source_range(fence_line + line, column, 1);
            let hints = error.hints.iter().map(|h| h.v.to_string()).collect::<Vec<_>>();
            let diag = self.error(range, format!("raw Typst block: {}", error.message));
            diag.hints.extend(hints);
        }
    }

    fn heading(&mut self, node: Node<'a>, level: u8) {
        let id = node.data().attrs.as_ref().and_then(|a| a.id.clone());
        self.raw(&format!("#heading(level: {level})["));
        self.inlines(node);
        self.raw("]");
        self.expr_end();
        if level == 1 {
            self.out.headings.push(plain_text(node));
        }
        if let Some(id) = id {
            let range = self.node_range(node);
            self.define_label(&id, range.clone());
            self.raw(&format!(" #label({})", string_literal(&id)));
            // `#label("x")` after content attaches like `<x>`; keep it explicit
            // so any characters in the id are safe.
            self.raw("");
        }
    }

    fn define_label(&mut self, name: &str, range: Range<usize>) {
        if !is_label_name(name) {
            self.error(range, format!("`{name}` is not a valid label"))
                .hints
                .push("labels may contain letters, digits, `-`, `_`, `.` and `:`".into());
            return;
        }
        self.out.defines.push(LabelUse { name: name.to_string(), range });
    }

    fn list(&mut self, node: Node<'a>, kind: ListType, start: usize, tight: bool) {
        match kind {
            ListType::Bullet => self.raw(&format!("#list(tight: {tight},\n")),
            ListType::Ordered => self.raw(&format!("#enum(tight: {tight}, start: {start},\n")),
        }
        for item in node.children() {
            self.raw("[");
            if let NodeValue::TaskItem(task) = &item.data().value {
                let checked = task.symbol.is_some_and(|c| c != ' ');
                self.raw(&task_box(checked));
            }
            self.blocks(item, !tight);
            self.raw("],\n");
        }
        self.raw(")");
        self.expr_end();
    }

    fn table(&mut self, node: Node<'a>, alignments: &[TableAlignment], caption: Option<Node<'a>>) {
        let columns = alignments.len().max(1);
        // Widths and alignment from the cells' text (crate::table_layout).
        let texts: Vec<Vec<String>> = node.children().map(|row| row.children().map(plain_text).collect()).collect();
        let asked: Vec<Option<Align>> = alignments
            .iter()
            .map(|a| match a {
                TableAlignment::Left => Some(Align::Left),
                TableAlignment::Center => Some(Align::Center),
                TableAlignment::Right => Some(Align::Right),
                TableAlignment::None => None,
            })
            .collect();
        let align: Vec<String> =
            table_layout::alignments(&texts, &asked).iter().map(|a| a.typst().to_string()).collect();
        let attrs = caption_attributes(caption);
        let label = attrs.iter().find(|(k, _)| k == "#").map(|(_, v)| v.clone());
        let source = attrs.iter().find(|(k, _)| k == "source").map(|(_, v)| v.clone());
        // A short table without a caption stays in one piece (a captioned
        // one is a figure: the template's keep rules decide).
        let short = caption.is_none() && texts.len() <= 1 + crate::layout::SHORT_TABLE;
        let widths = table_layout::columns(&texts);
        let wrapped = caption.is_some() || short || widths.text_size.is_some();
        if caption.is_some() {
            self.raw("#figure(kind: table, block(width: 100%)[");
        } else if short {
            self.raw("#block(breakable: false, width: 100%)[");
        } else if wrapped {
            self.raw("#block(width: 100%)[");
        }
        self.raw(&widths.size_rule());
        self.raw(&format!("#table(columns: {}, align: {},\n", widths.widths, table_layout::tuple(&align)));
        // The last rows of a long table are a footer that is not repeated:
        // typst keeps it in one piece, so the last page has enough rows.
        let rows = node.children().count();
        let footer_from = table_layout::footer_from(rows.saturating_sub(1)).map(|r| r + 1);
        for (i, row) in node.children().enumerate() {
            let header = matches!(row.data().value, NodeValue::TableRow(true));
            if header {
                self.raw("table.header(");
            }
            if Some(i) == footer_from {
                self.raw("table.footer(repeat: false,\n");
            }
            let mut count = 0;
            for cell in row.children() {
                self.raw("[");
                self.inlines(cell);
                self.raw("], ");
                count += 1;
            }
            // GFM pads short rows; the AST already has every cell, but be safe.
            for _ in count..columns {
                self.raw("[], ");
            }
            if header {
                self.raw("repeat: true),");
            }
            self.raw("\n");
        }
        if footer_from.is_some() {
            self.raw("),\n");
        }
        self.raw(")");
        if wrapped && caption.is_none() {
            self.raw("]");
        }
        if let Some(caption) = caption {
            if let Some(source) = &source {
                self.raw(&source_line(source));
            }
            self.raw("], caption: [");
            self.caption_inlines(caption);
            self.raw("])");
            if let Some(label) = label {
                let range = self.node_range(caption);
                self.define_label(&label, range);
                self.raw(&format!(" #label({})", string_literal(&label)));
            }
        }
        self.expr_end();
    }

    /// The inlines of a `: Caption {#tbl-id}` paragraph, without the leading
    /// `: ` and the trailing attributes.
    fn caption_inlines(&mut self, para: Node<'a>) {
        let children: Vec<Node<'a>> = para.children().collect();
        for (i, child) in children.iter().enumerate() {
            if let NodeValue::Text(text) = &child.data().value {
                let mut t: &str = text;
                if i == 0 {
                    t = t.trim_start_matches(':').trim_start();
                }
                if i + 1 == children.len()
                    && let Some(open) = t.rfind('{')
                    && t.trim_end().ends_with('}')
                {
                    t = t[..open].trim_end();
                }
                let t = t.to_string();
                self.text(&t);
                continue;
            }
            self.inline(child);
        }
    }

    fn html_block(&mut self, node: Node<'a>, html: &str) {
        let trimmed = html.trim();
        if let Some(index) = block_token(trimmed) {
            match self.opts.blocks.get(index) {
                Some(block) => {
                    let block = block.clone();
                    self.raw(&block);
                    self.expr_end();
                }
                None => {
                    let range = self.node_range(node);
                    self.error(range, "unknown generated block")
                        .hints
                        .push("this token is written by kooste's template functions; do not type it".into());
                }
            }
            return;
        }
        if trimmed.starts_with("<!--") && trimmed.ends_with("-->") {
            return;
        }
        let text = strip_tags(html);
        let range = self.node_range(node);
        self.warn(range, "raw HTML is not supported in PDF output; its tags are dropped and its text kept")
            .hints
            .push("use Markdown, or a ```{=typst} block for layout".into());
        let text = text.trim();
        if !text.is_empty() {
            for (i, line) in text.lines().enumerate() {
                if i > 0 {
                    self.newline();
                }
                self.text(line);
            }
        }
    }

    // ----- inlines ------------------------------------------------------------

    fn inlines(&mut self, node: Node<'a>) {
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
        let mut i = 0;
        while i < children.len() {
            // Adjacent text nodes form one run, so `[@a; @b]` is seen whole.
            if matches!(children[i].data().value, NodeValue::Text(_)) {
                let mut run = TextRun::default();
                while i < children.len() {
                    let data = children[i].data();
                    let NodeValue::Text(text) = &data.value else { break };
                    run.push(text, data.sourcepos.start.line, data.sourcepos.start.column);
                    drop(data);
                    i += 1;
                }
                self.text_run(&run);
                continue;
            }
            self.inline(children[i]);
            i += 1;
        }
    }

    fn inline(&mut self, node: Node<'a>) {
        let value = node.data().value.clone();
        match value {
            NodeValue::Text(text) => {
                let mut run = TextRun::default();
                let pos = node.data().sourcepos.start;
                run.push(&text, pos.line, pos.column);
                self.text_run(&run);
            }
            NodeValue::SoftBreak => self.newline(),
            NodeValue::LineBreak => self.raw("\\\n"),
            NodeValue::Code(code) => {
                self.raw(&format!("#raw({})", string_literal(&code.literal)));
                self.expr_end();
            }
            NodeValue::Emph => self.wrap("#emph[", node),
            NodeValue::Strong => self.wrap("#strong[", node),
            NodeValue::Strikethrough => self.wrap("#strike[", node),
            NodeValue::Escaped => {
                // A backslash-escaped character: always literal.
                let text = plain_text(node);
                self.text(&text);
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
            NodeValue::Link(link) => self.link(node, &link.url),
            NodeValue::Image(link) => self.image(node, &link.url, false),
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

    fn link(&mut self, node: Node<'a>, url: &str) {
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
        if node.children().next().is_none() {
            self.text(url);
        } else {
            self.inlines(node);
        }
        self.raw("]");
        self.expr_end();
    }

    fn image(&mut self, node: Node<'a>, url: &str, _block: bool) {
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
        let figure = alone && (attrs.id.is_some() || !caption_text.is_empty());
        if figure {
            self.raw("#figure(");
        } else {
            self.raw("#box(");
        }
        match (&path, &problem) {
            (Some(p), None) => {
                self.out.images.push(LabelUse { name: p.clone(), range: range.clone() });
                let size = if figure { "width: 100%" } else { "height: 1em" };
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

    /// Writes a run of text, turning citations and cross-references into Typst.
    fn text_run(&mut self, run: &TextRun) {
        let text = run.text.as_str();
        if !self.opts.resolve_citations {
            self.text(text);
            return;
        }
        let mut rest = 0;
        let mut i = 0;
        let bytes = text.as_bytes();
        while i < bytes.len() {
            match bytes[i] {
                b'{' | b'+' | b'-' | b'=' | b'<' => {
                    if let Some(kind) = Critic::ALL.iter().copied().find(|k| text[i..].starts_with(k.open_mark())) {
                        self.text(&text[rest..i]);
                        let range = run.range(self, i, 3);
                        self.out.critic.push(LabelUse { name: kind.name().to_string(), range });
                        self.raw(kind.open_typst());
                        self.critic.push(kind);
                        i += 3;
                        rest = i;
                        continue;
                    }
                    if let Some(&kind) = self.critic.last()
                        && text[i..].starts_with(kind.close_mark())
                    {
                        self.text(&text[rest..i]);
                        self.critic.pop();
                        self.raw(kind.close_typst());
                        self.expr_end();
                        i += 3;
                        rest = i;
                        continue;
                    }
                }
                b'[' => {
                    if let Some((len, items)) = parse_citation_group(&text[i..]) {
                        self.text(&text[rest..i]);
                        for (key_offset, key, locator) in items {
                            let range = run.range(self, i + key_offset, key.len() + 1);
                            self.cite_or_ref(&key, locator.as_deref(), false, range);
                        }
                        i += len;
                        rest = i;
                        continue;
                    }
                }
                b'@' => {
                    let word_before = text[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_');
                    if !word_before && let Some(key) = parse_key(&text[i + 1..]) {
                        self.text(&text[rest..i]);
                        let range = run.range(self, i, key.len() + 1);
                        self.cite_or_ref(key, None, true, range);
                        i += 1 + key.len();
                        rest = i;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.text(&text[rest..]);
    }

    fn cite_or_ref(&mut self, key: &str, locator: Option<&str>, narrative: bool, range: Range<usize>) {
        if REF_PREFIXES.iter().any(|p| key.starts_with(p)) {
            self.out.references.push(LabelUse { name: key.to_string(), range });
            self.raw(&format!("#ref(label({}))", string_literal(key)));
            self.expr_end();
            return;
        }
        self.out.citations.push(LabelUse { name: key.to_string(), range });
        let mut call = format!("#cite(label({})", string_literal(key));
        if narrative {
            call.push_str(", form: \"prose\"");
        }
        if let Some(locator) = locator {
            let _ = write!(call, ", supplement: [{}]", escape_text(locator, false));
        }
        call.push(')');
        self.raw(&call);
        self.expr_end();
    }
}

/// Adjacent text nodes joined, remembering where each piece came from.
#[derive(Default)]
struct TextRun {
    text: String,
    /// (offset in `text`, line, column) of each piece.
    pieces: Vec<(usize, usize, usize)>,
}

impl TextRun {
    fn push(&mut self, text: &str, line: usize, column: usize) {
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

/// Parses `[@a; @b, s. 12]` at the start of `text`: its length and the items
/// (offset of `@` in the group, key, locator).
fn parse_citation_group(text: &str) -> Option<(usize, Vec<(usize, String, Option<String>)>)> {
    let close = text.find(']')?;
    let inner = &text[1..close];
    if !inner.trim_start().starts_with('@') || text[close + 1..].starts_with('(') {
        return None;
    }
    let mut items = Vec::new();
    let mut offset = 1;
    for part in inner.split(';') {
        let lead = part.len() - part.trim_start().len();
        let trimmed = part.trim();
        let after_at = trimmed.strip_prefix('@')?;
        let key = parse_key(after_at)?;
        let rest = after_at[key.len()..].trim();
        let locator = match rest.strip_prefix(',') {
            Some(loc) if !loc.trim().is_empty() => Some(loc.trim().to_string()),
            None if rest.is_empty() => None,
            _ => return None,
        };
        items.push((offset + lead, key.to_string(), locator));
        offset += part.len() + 1;
    }
    Some((close + 1, items))
}

/// A citation key or label name at the start of `text`, Pandoc-style:
/// letters, digits and `_`, with `-`, `.`, `:` inside but not at the end.
fn parse_key(text: &str) -> Option<&str> {
    let first = text.chars().next()?;
    if !(first.is_alphanumeric() || first == '_') {
        return None;
    }
    let end = text.find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))).unwrap_or(text.len());
    let key = text[..end].trim_end_matches(['.', ':', '-']);
    (!key.is_empty()).then_some(key)
}

/// Whether `name` can be a Typst label written `<name>`.
pub fn is_label_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

fn sanitize_label(name: &str) -> String {
    name.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect()
}

/// A caption paragraph for a table: `: Caption {#tbl-id}`.
fn table_caption<'a>(node: Node<'a>) -> Option<Node<'a>> {
    if !matches!(node.data().value, NodeValue::Paragraph) {
        return None;
    }
    let first = node.first_child()?;
    match &first.data().value {
        NodeValue::Text(t) if t.starts_with(": ") || t.as_ref() == ":" => Some(node),
        _ => None,
    }
}

/// The attributes in a caption paragraph's trailing `{#tbl-id source="…"}`:
/// `("#", id)` and `(key, value)` pairs.
fn caption_attributes(caption: Option<Node<'_>>) -> Vec<(String, String)> {
    let Some(last) = caption.and_then(|c| c.last_child()) else { return Vec::new() };
    let data = last.data();
    let NodeValue::Text(t) = &data.value else { return Vec::new() };
    let t = t.trim_end();
    let Some(inner) = t.rfind('{').and_then(|open| t[open + 1..].strip_suffix('}')) else { return Vec::new() };
    parse_attributes(inner)
}

/// Parses `#id key="quoted value" key=value` into pairs.
fn parse_attributes(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if let Some(id) = rest.strip_prefix('#') {
            let end = id.find(char::is_whitespace).unwrap_or(id.len());
            out.push(("#".to_string(), id[..end].to_string()));
            rest = id[end..].trim_start();
            continue;
        }
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_string();
        let after = &rest[eq + 1..];
        let (value, next) = match after.strip_prefix('"') {
            Some(q) => match q.find('"') {
                Some(end) => (q[..end].to_string(), &q[end + 1..]),
                None => (q.to_string(), ""),
            },
            None => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (after[..end].to_string(), &after[end..])
            }
        };
        out.push((key, value));
        rest = next.trim_start();
    }
    out
}

/// The Typst of a table's or chart's source line, under its body.
pub fn source_line(source: &str) -> String {
    format!("\n  #align(left, text(size: 0.85em)[Lähde: {}])", escape_text(source, false))
}

/// The index in a `<!--kooste:block:N-->` token.
fn block_token(html: &str) -> Option<usize> {
    html.strip_prefix("<!--")?.strip_suffix("-->")?.trim().strip_prefix(BLOCK_TOKEN)?.parse().ok()
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

/// Removes HTML markup, keeping the text between it, as a browser would:
/// tags (up to the `>` outside quoted attribute values), comments,
/// processing instructions, declarations and CDATA sections. A `<` that
/// starts none of them is text; an unterminated tag runs to the end.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        match markup_len(after) {
            Some(len) => rest = &after[len..],
            None => {
                out.push('<');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The length of the HTML markup at the start of `s` (which starts with
/// `<`), or `None` if that `<` is text.
fn markup_len(s: &str) -> Option<usize> {
    let through = |from: usize, end: &str| s[from..].find(end).map_or(s.len(), |i| from + i + end.len());
    for (open, close) in [("<!-->", ""), ("<!--->", ""), ("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>")] {
        if s.starts_with(open) {
            return Some(if close.is_empty() { open.len() } else { through(open.len(), close) });
        }
    }
    let name = if s.starts_with("</") || s.starts_with("<!") { 2 } else { 1 };
    if !s[name..].starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut quote = None;
    let mut after_equals = false;
    for (i, c) in s.char_indices().skip(name) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '>' => return Some(i + 1),
            None if after_equals && (c == '"' || c == '\'') => quote = Some(c),
            None => {}
        }
        if !c.is_whitespace() {
            after_equals = quote.is_none() && c == '=';
        }
    }
    Some(s.len())
}

/// A drawn checkbox for a task-list item.
fn task_box(checked: bool) -> String {
    let mark = if checked { "#place(center + horizon, text(size: 0.7em, sym.checkmark))" } else { "" };
    format!("#box(width: 0.8em, height: 0.8em, stroke: 0.6pt, baseline: 0.1em)[{mark}]#h(0.4em)")
}

/// A Typst string literal holding `s` exactly.
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Escapes author text for Typst markup so that every character prints as
/// written. `line_start` says the text begins a line, where `-`, `+`, `=`,
/// `/` and `12.` would otherwise start lists and headings.
pub fn escape_text(s: &str, line_start: bool) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let chars: Vec<char> = s.chars().collect();
    // At a line start, a run of digits followed by `.` would be an enum marker.
    let digits = if line_start { chars.iter().take_while(|c| c.is_ascii_digit()).count() } else { 0 };
    let mut at_start = line_start;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let escape = match c {
            '\\' | '#' | '$' | '*' | '_' | '`' | '<' | '>' | '@' | '[' | ']' | '~' | '\'' | '"' | '/' | '=' | '+' => {
                true
            }
            '-' => at_start || next.is_none_or(|n| n == '-' || n == '?' || n.is_numeric() || n.is_whitespace()),
            '.' => next == Some('.') || (digits > 0 && i == digits),
            ':' => false,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        if !c.is_whitespace() {
            at_start = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(md: &str) -> Converted {
        let opts = ConvertOptions {
            path: Path::new("report/chapters/x.md"),
            source: md,
            line_map: &[],
            blocks: &[],
            label_prefix: "x",
            image_exists: &|_| true,
            missing_image: MissingImage::Error,
            resolve_citations: true,
        };
        to_typst(md, &opts)
    }

    #[test]
    fn empty_link_destination_is_plain_text() {
        let out = convert("[link]() and [](<>)\n");
        assert!(!out.typst.contains("#link(\"\")"), "{}", out.typst);
        assert!(out.typst.contains("link and"), "{}", out.typst);
    }

    #[test]
    fn strip_tags_reads_html_markup() {
        assert_eq!(strip_tags("<?php echo '>'; ?>okay"), "okay");
        assert_eq!(strip_tags("<a title=\"x>y\">link</a> 1 < 2"), "link 1 < 2");
        assert_eq!(strip_tags("<!-->a<!--->b<!-- c -->d<![CDATA[ e > f ]]>g"), "abdg");
        assert_eq!(strip_tags("<div id=\"foo\"\n*hi*\n"), "");
    }

    #[test]
    fn escapes_every_special_character() {
        let out = escape_text("# $ * _ ` < > @ [ ] ~ \\ ' \" / = + -- ... 1.5 -3", false);
        assert_eq!(
            out,
            "\\# \\$ \\* \\_ \\` \\< \\> \\@ \\[ \\] \\~ \\\\ \\' \\\" \\/ \\= \\+ \\-\\- \\.\\.. 1.5 \\-3"
        );
    }

    #[test]
    fn line_start_hazards() {
        assert_eq!(escape_text("19. maaliskuuta", true), "19\\. maaliskuuta");
        assert_eq!(escape_text("19. maaliskuuta", false), "19. maaliskuuta");
        assert_eq!(escape_text("- x", true), "\\- x");
        assert_eq!(escape_text("a-b", false), "a-b");
    }

    #[test]
    fn citations_and_references() {
        let out = convert("See [@a; @b, s. 12] and @c and @sec-x, not a\\@b or x@y.\n");
        assert_eq!(out.citations.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(out.references[0].name, "sec-x");
        assert!(out.typst.contains("#cite(label(\"b\"), supplement: [s. 12])"), "{}", out.typst);
        assert!(out.typst.contains("#cite(label(\"c\"), form: \"prose\")"));
        assert!(out.typst.contains("a\\@b"));
    }

    #[test]
    fn heading_attributes_define_labels() {
        let out = convert("# Johdanto {#sec-johdanto}\n");
        assert_eq!(out.defines[0].name, "sec-johdanto");
        assert!(out.typst.contains("#heading(level: 1)[Johdanto] #label(\"sec-johdanto\")"), "{}", out.typst);
    }

    #[test]
    fn expression_followed_by_dot_is_terminated() {
        let out = convert("*a*.b and `c`(d)\n");
        assert!(out.typst.contains("#emph[a];.b"), "{}", out.typst);
        assert!(out.typst.contains("#raw(\"c\");(d)"), "{}", out.typst);
    }

    #[test]
    fn critic_markup_renders_and_is_recorded() {
        let out = convert("A {>>note<<} and {~~old~>new~~} and {==mark==}.\n");
        let kinds: Vec<&str> = out.critic.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(kinds, ["note", "suggested deletion", "suggested insertion", "highlight"]);
        assert!(out.typst.contains("Huom.: note]]"), "{}", out.typst);
        // An unclosed mark is closed at the end of its paragraph, with a warning.
        let out = convert("Open {++never closed.\n");
        assert!(out.typst.ends_with("never closed.]]"), "{}", out.typst);
        assert_eq!(out.diagnostics.len(), 1);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let md = format!("{}deep\n", "> ".repeat(10_000));
        let out = convert(&md);
        assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
        assert!(out.diagnostics[0].message.contains("nested more than"));
    }

    #[test]
    fn resolve_image_paths() {
        assert_eq!(
            resolve_image(Path::new("report/chapters/a.md"), "../figures/x.png").as_deref(),
            Some("/report/figures/x.png")
        );
        assert_eq!(resolve_image(Path::new("report/chapters/a.md"), "https://x/y.png"), None);
        assert_eq!(
            resolve_image(Path::new("report/a.md"), "../../../etc/passwd").as_deref(),
            Some("/../../etc/passwd")
        );
    }
}
