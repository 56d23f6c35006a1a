//! Quarto's `.list-table` div (the list-table filter Quarto documents):
//! a table written as a bullet list of rows, each a bullet list of cells,
//! so a cell can hold paragraphs and lists. `header-rows` (1 by default),
//! `widths="1,2"` and `aligns="l,r"` are read; a paragraph before the list
//! is the caption, and `#tbl-x` numbers it. Also the checks all tables
//! share: `tbl-colwidths`, and a table too wide for the page.

use comrak::nodes::NodeValue;

use super::attributes::Attrs;
use super::divs::take;
use super::escape::string_literal;
use super::{Converter, Node, Range};
use crate::markup::table_layout;

impl<'a> Converter<'a, '_> {
    pub(super) fn list_table(&mut self, node: Node<'a>, id: Option<String>, mut attrs: Attrs, range: Range<usize>) {
        attrs.classes.retain(|c| c != "list-table");
        let Some(list) = node.children().find(|c| matches!(c.data().value, NodeValue::List(_))) else {
            self.warn(range, "a `.list-table` div without a list of rows prints as it is")
                .hints
                .push("write each row as `* - cell` with its cells as a nested list `  - cell`".into());
            self.blocks(node, true);
            return;
        };
        let caption =
            node.children().take_while(|c| !c.same_node(list)).find(|c| matches!(c.data().value, NodeValue::Paragraph));
        let rows: Vec<Vec<Node<'a>>> = list
            .children()
            .map(|row| {
                row.children()
                    .find(|c| matches!(c.data().value, NodeValue::List(_)))
                    .map(|cells| cells.children().collect())
                    .unwrap_or_default()
            })
            .collect();
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let header_rows = take(&mut attrs, "header-rows").and_then(|n| n.trim().parse::<usize>().ok()).unwrap_or(1);
        let widths = match take(&mut attrs, "widths") {
            Some(w) => table_layout::shares(&format!("[{w}]"), columns).unwrap_or_else(|| {
                self.warn(
                    range.clone(),
                    format!("`widths=\"{w}\"` does not give the {columns} columns their widths; ignored"),
                );
                format!("{columns}")
            }),
            None => {
                let texts: Vec<Vec<String>> =
                    rows.iter().map(|r| r.iter().map(|c| super::inlines::plain_text(c)).collect()).collect();
                let columns = table_layout::columns(&texts);
                self.too_wide(columns.too_wide, node);
                columns.widths
            }
        };
        let aligns = take(&mut attrs, "aligns").map(|a| {
            let all: Vec<String> = a
                .split(',')
                .map(|x| match x.trim() {
                    "r" => "right",
                    "c" => "center",
                    _ => "left",
                })
                .map(String::from)
                .collect();
            table_layout::tuple(&all)
        });
        for unread in ["header-cols", "width"] {
            if take(&mut attrs, unread).is_some() {
                self.warn(range.clone(), format!("list-table attribute `{unread}` is not supported; ignored"));
            }
        }
        self.unsupported(&attrs, &range, "list-table");
        let figure = caption.is_some() || id.is_some();
        if figure {
            self.raw("#figure(kind: table, block(width: 100%)[");
        }
        self.table_open(
            header_rows == 0,
            &format!("columns: {widths}, align: {},\n", aligns.as_deref().unwrap_or("left")),
        );
        for (i, row) in rows.iter().enumerate() {
            let header = i < header_rows;
            if header && i == 0 {
                self.raw("table.header(");
            }
            // No cell of a table breaks a word (style.typ, table_layout).
            self.unbroken += 1;
            for cell in row {
                self.raw("[");
                self.blocks(cell, false);
                self.raw("], ");
            }
            self.unbroken -= 1;
            for _ in row.len()..columns {
                self.raw("[], ");
            }
            if header && (i + 1 == header_rows || i + 1 == rows.len()) {
                self.raw("repeat: true),");
            }
            self.raw("\n");
        }
        self.table_close(header_rows == 0);
        if figure {
            self.raw("]");
            self.caption_arg(caption);
            self.raw(")");
            if let Some(id) = id {
                self.define_label(&id, range);
                self.raw(&format!(" #label({})", string_literal(&id)));
            }
        }
        self.expr_end();
    }

    /// The `columns:` value of a table's `tbl-colwidths` (`asked`, else
    /// its div's), or a warning at `at` when it does not fit its columns.
    pub(super) fn column_shares(&mut self, asked: Option<String>, columns: usize, at: Node<'a>) -> Option<String> {
        let asked = asked.or_else(|| self.table_widths.take())?;
        let shares = table_layout::shares(&asked, columns);
        if shares.is_none() {
            let range = self.node_range(at);
            let example = vec!["…"; columns].join(",");
            self.warn(
                range,
                format!(
                    "`tbl-colwidths=\"{asked}\"` does not give the table's {columns} columns their widths; ignored"
                ),
            )
            .hints
            .push(format!("give one number per column, as shares of the width: `tbl-colwidths=\"[{example}]\"`"));
        }
        shares
    }

    /// A warning at `node` when its table's columns do not fit the page
    /// even at the smallest size (a web page scrolls a wide table; a
    /// landscape page holds it).
    pub(super) fn too_wide(&mut self, too_wide: Option<(usize, usize)>, node: Node<'a>) {
        let paged = self.opts.dialect.format != crate::load::project::Format::Html;
        let Some((need, holds)) = too_wide.filter(|_| self.landscape == 0 && paged) else { return };
        let range = self.node_range(node);
        self.warn(
            range,
            format!(
                "the table is too wide for the page: its columns' longest words need about {need} characters, \
                 a line holds {holds} even at the smallest size"
            ),
        )
        .hints
        .push("set it on a landscape page (`::: {.landscape}` around it), or split it into two tables".into());
    }
}
