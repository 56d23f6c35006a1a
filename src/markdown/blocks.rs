//! Block nodes → Typst: paragraphs, headings, quotes, lists, code, raw
//! Typst, HTML blocks and tables with their `: Caption {#tbl-id}`.

use std::ops::Range;

use comrak::nodes::{ListType, NodeValue, TableAlignment};

use super::attributes::{Attrs, caption_attributes, parse_braced};
use super::escape::{is_label_name, string_literal};
use super::html::strip_tags;
use super::inlines::plain_text;
use super::{BLOCK_TOKEN, Converter, LabelUse, MAX_DEPTH, Node};
use crate::markup::table::source_line;
use crate::markup::table_layout::{self, Align};

impl<'a> Converter<'a, '_> {
    /// Converts the block children of `node`; `loose` separates them with
    /// paragraph breaks.
    pub(super) fn blocks(&mut self, node: Node<'a>, loose: bool) {
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

    pub(super) fn block(&mut self, node: Node<'a>, loose: bool, caption: Option<Node<'a>>) {
        let value = node.data().value.clone();
        match value {
            NodeValue::Document => self.blocks(node, true),
            NodeValue::Paragraph => self.paragraph(node),
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
            NodeValue::CodeBlock(code) => self.code_block(node, &code),
            NodeValue::HtmlBlock(html) => {
                self.marker(node);
                self.html_block(node, &html.literal);
            }
            NodeValue::Table(table) => {
                self.marker(node);
                self.table(node, &table.alignments, caption);
            }
            NodeValue::BlockDirective(directive) => {
                self.marker(node);
                self.div(node, &directive.info);
            }
            NodeValue::DescriptionList => {
                self.marker(node);
                self.description_list(node);
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
    pub(super) fn raw_typst(&mut self, node: Node<'a>, code: &str) {
        let fence_line = node.data().sourcepos.start.line;
        let source = typst::syntax::Source::detached(code);
        let (errors, _) = source.root().errors_and_warnings();
        if errors.is_empty() {
            self.raw_typst_labels(fence_line + 1, code, source.root());
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

    /// A heading with its Pandoc attributes: `{#sec-x}` labels it,
    /// `.unnumbered` (or `-`) leaves it unnumbered, `.unlisted` out of the
    /// table of contents.
    fn heading(&mut self, node: Node<'a>, level: u8) {
        let mut attrs = node
            .data()
            .attrs
            .as_ref()
            .map(|a| Attrs { id: a.id.clone(), classes: a.classes.clone(), pairs: a.pairs.clone() })
            .unwrap_or_default();
        if let Some(more) = trailing_attributes(node) {
            attrs.id = attrs.id.or(more.id);
            attrs.classes.extend(more.classes);
            attrs.pairs.extend(more.pairs);
        }
        let range = self.node_range(node);
        let mut args = format!("level: {level}");
        for class in &attrs.classes {
            match class.as_str() {
                "unnumbered" => args.push_str(", numbering: none"),
                "unlisted" => args.push_str(", outlined: false"),
                other => {
                    self.warn(range.clone(), format!("heading class `{other}` is not supported; ignored"))
                        .hints
                        .push("headings know {#sec-id}, {.unnumbered} (or {-}) and {.unlisted}".into());
                }
            }
        }
        for (key, _) in &attrs.pairs {
            self.warn(range.clone(), format!("heading attribute `{key}` is not supported; ignored"));
        }
        self.raw(&format!("#heading({args})["));
        self.prev = None;
        self.unbroken += 1;
        self.inlines(node);
        self.unbroken -= 1;
        self.raw("]");
        self.expr_end();
        if level == 1 {
            self.out.headings.push(plain_text(node));
        }
        if attrs.id.is_none() && self.opts.resolve_citations {
            // Pandoc's auto_identifiers: links may name the heading by its
            // text (`[…](#tables)`).
            let mut id = super::attributes::auto_identifier(&plain_text(node));
            if self.heading_ids.contains(&id) {
                let base = id.clone();
                id = (1..).map(|n| format!("{base}-{n}")).find(|c| !self.heading_ids.contains(c)).unwrap_or(base);
            }
            self.heading_ids.insert(id.clone());
            self.out.auto_defines.push(LabelUse { name: id.clone(), range: range.clone() });
            self.raw(&format!(" #label({})", string_literal(&id)));
        }
        if let Some(id) = attrs.id {
            self.heading_ids.insert(id.clone());
            self.define_label(&id, range.clone());
            self.raw(&format!(" #label({})", string_literal(&id)));
            // `#label("x")` after content attaches like `<x>`; keep it explicit
            // so any characters in the id are safe.
            self.raw("");
        }
    }

    /// A definition list: each term in bold, its definitions indented below.
    fn description_list(&mut self, node: Node<'a>) {
        self.raw("#terms(separator: linebreak(), hanging-indent: 1.5em,\n");
        for item in node.children() {
            let tight = matches!(&item.data().value, NodeValue::DescriptionItem(d) if d.tight);
            let parts: Vec<Node<'a>> = item.children().collect();
            let is_term = |n: &Node<'a>| matches!(n.data().value, NodeValue::DescriptionTerm);
            self.raw("terms.item([");
            for term in parts.iter().filter(|n| is_term(n)) {
                self.blocks(term, false);
            }
            self.raw("], [");
            for (i, details) in parts.iter().filter(|n| !is_term(n)).enumerate() {
                if i > 0 {
                    self.raw("\n\n");
                }
                self.blocks(details, !tight);
            }
            self.raw("]),\n");
        }
        self.raw(")");
        self.expr_end();
    }

    /// Registers the labels (`<fig-x>`) a raw Typst block attaches, so that
    /// Markdown may refer to them (`@fig-x`) and a duplicate is found;
    /// `first_line` is the converted-text line of the block's first line.
    fn raw_typst_labels(&mut self, first_line: usize, code: &str, root: &typst::syntax::SyntaxNode) {
        let mut stack = vec![typst::syntax::LinkedNode::new(root)];
        while let Some(node) = stack.pop() {
            if node.kind() == typst::syntax::SyntaxKind::Label {
                let at = node.offset();
                let line = code[..at].matches('\n').count();
                let column = at - code[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
                let text = node.get().leaf_text().to_string();
                let name = text.trim_start_matches('<').trim_end_matches('>').to_string();
                let range = self.source_range(first_line + line, column, text.len());
                self.define_label(&name, range);
            }
            stack.extend(node.children().rev());
        }
    }

    /// A page break; nothing on a web page, which has no pages (the
    /// conversion then depends on the format).
    pub(super) fn page_break(&mut self) {
        self.out.format_dependent = true;
        if self.opts.dialect.format != crate::load::project::Format::Html {
            self.raw("#pagebreak()");
        }
    }

    pub(super) fn define_label(&mut self, name: &str, range: Range<usize>) {
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
        // Widths and alignment from the cells' text (markup::table_layout).
        let texts: Vec<Vec<String>> = node.children().map(|row| row.children().map(plain_text).collect()).collect();
        let asked: Vec<Option<Align>> = alignments.iter().map(asked_alignment).collect();
        let align: Vec<String> =
            table_layout::alignments(&texts, &asked).iter().map(|a| a.typst().to_string()).collect();
        let attrs = caption_attributes(caption);
        let attr = |name: &str| attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let (label, source) = (attr("#"), attr("source"));
        // A short table without a caption stays in one piece (a captioned
        // one is a figure: the template's keep rules decide).
        let short = caption.is_none() && texts.len() <= 1 + table_layout::SHORT_TABLE;
        let mut widths = table_layout::columns(&texts);
        self.too_wide(widths.too_wide, node);
        // Quarto's `tbl-colwidths="[75,25]"` (on the caption or the table
        // div): each column's share of the width.
        if let Some(shares) = self.column_shares(attr("tbl-colwidths"), columns, caption.unwrap_or(node)) {
            widths.widths = shares;
        }
        let wrapped = caption.is_some() || short || widths.text_size.is_some();
        if caption.is_some() {
            self.raw("#figure(kind: table, block(width: 100%)[");
        } else if short {
            self.raw("#block(breakable: false, width: 100%)[");
        } else if wrapped {
            self.raw("#block(width: 100%)[");
        }
        self.raw(&widths.size_rule());
        let headerless = node.first_child().is_some_and(|row| is_empty_row(row));
        self.table_open(headerless, &format!("columns: {}, align: {},\n", widths.widths, table_layout::tuple(&align)));
        // The last rows of a long table are a footer that is not repeated:
        // typst keeps it in one piece, so the last page has enough rows.
        let rows = node.children().count();
        let footer_from = table_layout::footer_from(rows.saturating_sub(1)).map(|r| r + 1);
        for (i, row) in node.children().enumerate() {
            let header = matches!(row.data().value, NodeValue::TableRow(true));
            if is_empty_row(row) {
                continue;
            }
            if header {
                self.raw("table.header(");
            }
            if Some(i) == footer_from {
                self.raw("table.footer(repeat: false,\n");
            }
            let mut count = 0;
            // No cell of a table breaks a word (style.typ, table_layout).
            self.unbroken += 1;
            for cell in row.children() {
                self.raw("[");
                self.prev = None;
                self.inlines(cell);
                self.raw("], ");
                count += 1;
            }
            self.unbroken -= 1;
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
        self.table_close(headerless);
        if wrapped && caption.is_none() {
            self.raw("]");
        }
        if let Some(caption) = caption {
            if let Some(source) = &source {
                self.raw(&source_line(source));
            }
            self.raw("], caption: [");
            self.unbroken += 1;
            self.caption_inlines(caption);
            self.unbroken -= 1;
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
                self.prose(&t);
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
                    // A data table (`{{ table(...) }}`) too wide for the page.
                    let wide =
                        self.opts.wide_blocks.iter().find(|w| w.0 == index).map(|&(_, need, holds)| (need, holds));
                    self.too_wide(wide, node);
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

/// The index in a `<!--kooste:block:N-->` token.
pub(super) fn block_token(html: &str) -> Option<usize> {
    html.strip_prefix("<!--")?.strip_suffix("-->")?.trim().strip_prefix(BLOCK_TOKEN)?.parse().ok()
}

/// A drawn checkbox for a task-list item.
fn task_box(checked: bool) -> String {
    let mark = if checked { "#place(center + horizon, text(size: 0.7em, sym.checkmark))" } else { "" };
    format!("#box(width: 0.8em, height: 0.8em, stroke: 0.6pt, baseline: 0.1em)[{mark}]#h(0.4em)")
}

/// Attributes comrak leaves in a heading's text (`{-}`, or ids it does not
/// read, such as `{#sec-ä}`): parsed, and removed from the text.
fn trailing_attributes(node: Node<'_>) -> Option<Attrs> {
    let last = node.last_child()?;
    let mut data = last.data_mut();
    let NodeValue::Text(text) = &data.value else { return None };
    let trimmed = text.trim_end();
    let open = trimmed.rfind('{')?;
    let (attrs, len) = parse_braced(&trimmed[open..])?;
    if open + len != trimmed.len() {
        return None;
    }
    let kept = trimmed[..open].trim_end().to_string();
    data.value = NodeValue::Text(kept.into());
    Some(attrs)
}

/// A Pandoc grid table's border line, `+---+:==+`: Pandoc reads a table
/// there, comrak a paragraph.
pub(super) fn is_grid_table_border(line: &str) -> bool {
    let line = line.trim();
    line.len() >= 3
        && line.starts_with('+')
        && line.ends_with('+')
        && line.contains(['-', '='])
        && line.chars().all(|c| matches!(c, '+' | '-' | '=' | ':'))
}

/// The alignment a pipe table's delimiter row asks for, if any.
fn asked_alignment(alignment: &TableAlignment) -> Option<Align> {
    match alignment {
        TableAlignment::Left => Some(Align::Left),
        TableAlignment::Center => Some(Align::Center),
        TableAlignment::Right => Some(Align::Right),
        TableAlignment::None => None,
    }
}

/// The first LaTeX command (`\\vspace`, `\\begin`) a paragraph's text starts a
/// line with, if any: Pandoc would pass it to LaTeX and drop it elsewhere.
fn latex_command(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix('\\')?;
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        (name.len() >= 2).then(|| format!("\\{name}"))
    })
}

impl<'a> Converter<'a, '_> {
    /// A paragraph; a raw LaTeX page break alone is a page break.
    fn paragraph(&mut self, node: Node<'a>) {
        self.marker(node);
        self.prev = None;
        // Raw LaTeX page breaks that Quarto authors write out of
        // habit (Pandoc passes them to LaTeX only): page breaks.
        let text = super::inlines::plain_text(node);
        if matches!(text.trim(), "\\newpage" | "\\pagebreak" | "\\clearpage") {
            self.page_break();
            return;
        }
        if let Some(command) = latex_command(&text) {
            let range = self.node_range(node);
            self.warn(range, format!("raw LaTeX `{command}` is printed as written"))
                .hints
                .push("kooste writes Typst, not LaTeX: write it in Markdown, or in a ```{=typst} block".into());
        }
        if is_grid_table_border(text.split_whitespace().next().unwrap_or("")) {
            let range = self.node_range(node);
            self.warn(range, "a grid table (`+---+---+`) is not read as a table; it is printed as text")
                .hints
                .push("write it as a pipe table (`| a | b |` lines under a `|---|---|` line)".into());
        }
        let start = self.out.typst.len();
        let before = self.settled_later;
        self.inlines(node);
        // A paragraph with a cross-reference or a footnote: typst sets it
        // again in its second layout pass (the reference's text, the
        // footnote's number and their links come from the pass before),
        // so the template's `kooste-par` sets it roughly in the first
        // (words.typ). Templates older than it keep the paragraph as is.
        if self.settled_later > before && self.templates_define("par") {
            self.out.typst.insert_str(start, "#kooste-par[");
            self.out.typst.push(']');
            self.expr_end();
        }
    }
}

/// A table row with nothing in its cells: as a header row, Pandoc drops it
/// (no empty header cells, repeated on every page).
fn is_empty_row(row: Node<'_>) -> bool {
    matches!(row.data().value, NodeValue::TableRow(true)) && row.children().all(|cell| cell.first_child().is_none())
}

impl Converter<'_, '_> {
    /// Opens a `table(` call with `args`; a table without a header row
    /// goes inside the template's `kooste-headerless`, which sets its
    /// first row as the others (a style marks row 0 as the header).
    pub(super) fn table_open(&mut self, headerless: bool, args: &str) {
        let wrap = headerless && self.templates_define("headerless");
        self.raw(if wrap { "#kooste-headerless[#table(" } else { "#table(" });
        self.raw(args);
    }

    /// Closes what [`Self::table_open`] opened.
    pub(super) fn table_close(&mut self, headerless: bool) {
        let wrap = headerless && self.templates_define("headerless");
        self.raw(if wrap { ")]" } else { ")" });
    }
}
