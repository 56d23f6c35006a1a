//! Figure and table divs (`::: {#fig-x layout-ncol=2}`, `::: {#tbl-x}`):
//! Quarto's figures with subfigures and captioned tables.
//!
//! The div's last paragraph, unless it is an image alone, is the caption.
//! In a figure div every other block is a panel, laid out in a grid of
//! `layout-ncol` columns (or as many as `layout-nrow` rows need); an image
//! alone in its panel is a subfigure, `figure(kind: "kooste-subfigure")`,
//! captioned "(a) …" below it, and its own `{#fig-…}` label is referenced
//! as the figure's number and its letter ("3.2a"): its numbering displays
//! the parent figure's counter at the parent's label, so it follows
//! whatever numbering the template gives figures.

use comrak::nodes::NodeValue;

use super::attributes::Attrs;
use super::divs::take;
use super::escape::string_literal;
use super::{Converter, Node, Range};

/// The subfigures' caption, "(a) text", below each panel.
const SUBFIGURE_RULES: &str = "#show figure.where(kind: \"kooste-subfigure\"): set figure.caption(position: bottom)\n\
     #show figure.caption.where(kind: \"kooste-subfigure\"): it => [(#context it.counter.display(\"a\")) #it.body]\n";

/// The numbering of a subfigure of the figure labelled `parent`.
pub(super) fn subfigure_numbering(parent: &str) -> String {
    format!(
        "n => [#counter(figure.where(kind: image)).display(at: label({}))#numbering(\"a\", n)]",
        string_literal(parent)
    )
}

/// The caption paragraph of a figure or table div: its last block, if that
/// is a paragraph and not an image alone.
fn caption_of<'a>(node: Node<'a>) -> Option<Node<'a>> {
    let last = node.last_child()?;
    if !matches!(last.data().value, NodeValue::Paragraph) || node.first_child().is_some_and(|f| f.same_node(last)) {
        return None;
    }
    let only_image = last.children().count() == 1
        && last.first_child().is_some_and(|c| matches!(c.data().value, NodeValue::Image(_)));
    (!only_image).then_some(last)
}

impl<'a> Converter<'a, '_> {
    /// `::: {#fig-x}`: a figure of panels with the last paragraph as caption.
    pub(super) fn figure_div(&mut self, node: Node<'a>, id: &str, mut attrs: Attrs, range: Range<usize>) {
        let caption = caption_of(node);
        let panels: Vec<Node<'a>> = node.children().filter(|c| caption.is_none_or(|cap| !c.same_node(cap))).collect();
        let columns = self.layout_columns(&mut attrs, panels.len(), &range);
        self.unsupported(&attrs, &range, "figure div");
        self.define_label(id, range.clone());
        self.raw("#figure(kind: image, [\n");
        self.raw(SUBFIGURE_RULES);
        self.raw(&format!("#grid(columns: {columns}, column-gutter: 1em, row-gutter: 1em, align: bottom,\n"));
        let outer = self.subfigure.replace(id.to_string());
        for panel in panels {
            self.raw("[");
            self.block(panel, true, None);
            self.raw("],\n");
        }
        self.subfigure = outer;
        self.raw(")]");
        self.caption_arg(caption);
        self.raw(&format!(") #label({})", string_literal(id)));
        self.expr_end();
    }

    /// `::: {#tbl-x}`: the content as a table figure with its caption.
    pub(super) fn table_div(&mut self, node: Node<'a>, id: &str, mut attrs: Attrs, range: Range<usize>) {
        let caption = caption_of(node);
        self.table_widths = take(&mut attrs, "tbl-colwidths");
        self.unsupported(&attrs, &range, "table div");
        self.define_label(id, range.clone());
        self.raw("#figure(kind: table, block(width: 100%)[\n");
        let mut first = true;
        for child in node.children().filter(|c| caption.is_none_or(|cap| !c.same_node(cap))) {
            if !first {
                self.raw("\n\n");
            }
            first = false;
            self.block(child, true, None);
        }
        self.raw("\n]");
        self.table_widths = None;
        self.caption_arg(caption);
        self.raw(&format!(") #label({})", string_literal(id)));
        self.expr_end();
    }

    /// `, caption: [...]` for a caption paragraph, if any.
    pub(super) fn caption_arg(&mut self, caption: Option<Node<'a>>) {
        if let Some(caption) = caption {
            // A table's caption written Pandoc's way (`: Caption`) in a
            // `{#tbl-x}` div: the colon is syntax, not text.
            if let Some(first) = caption.first_child() {
                let mut data = first.data_mut();
                if let NodeValue::Text(text) = &data.value
                    && let Some(rest) = text.strip_prefix(": ").or_else(|| text.strip_prefix("Table: "))
                {
                    let rest = rest.to_string();
                    data.value = NodeValue::Text(rest.into());
                }
            }
            self.raw(", caption: [");
            self.prev = None;
            self.unbroken += 1;
            self.inlines(caption);
            self.unbroken -= 1;
            self.raw("]");
        }
    }

    /// The grid's columns from `layout-ncol` / `layout-nrow` (one row by
    /// default), as a Typst array of equal fractions.
    fn layout_columns(&mut self, attrs: &mut Attrs, panels: usize, range: &Range<usize>) -> String {
        let number = |v: Option<String>| v.and_then(|v| v.trim().parse::<usize>().ok()).filter(|&n| n > 0);
        let ncol = take(attrs, "layout-ncol");
        let nrow = take(attrs, "layout-nrow");
        if take(attrs, "layout").is_some() {
            self.warn(range.clone(), "`layout=\"[[…]]\"` is not supported; use layout-ncol or layout-nrow");
        }
        let columns = match (number(ncol.clone()), number(nrow.clone())) {
            (Some(n), _) => n,
            (None, Some(rows)) => panels.div_ceil(rows),
            (None, None) => {
                if ncol.is_some() || nrow.is_some() {
                    self.warn(range.clone(), "layout-ncol and layout-nrow take a whole number");
                }
                panels
            }
        };
        let columns = columns.clamp(1, panels.max(1));
        format!("({})", vec!["1fr"; columns].join(", ") + if columns == 1 { "," } else { "" })
    }
}
