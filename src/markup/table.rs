//! Data tables as Typst: a numbered table figure with a repeated header
//! row, columns as wide as their content, numbers end-aligned and formatted in Finnish, every value escaped,
//! and the dataset's source line under it.

use crate::load::datasets::{Cell, ColumnType, Table};
use crate::markup::escape::{escape_text, string_literal};
use crate::markup::numbers::format_number;
use crate::markup::table_layout;

/// The Typst of a data table: values escaped, numbers right-aligned and
/// formatted in Finnish; with it, for a table too wide for the page even at
/// the smallest size, the characters its words need and a line holds.
pub fn table_typst(
    table: &Table,
    indices: &[usize],
    headers: Option<&[String]>,
    caption: &str,
    id: Option<&str>,
) -> (String, Option<(usize, usize)>) {
    let numeric: Vec<bool> = indices.iter().map(|&i| table.types[i] != ColumnType::Text).collect();
    // A number column shows as many decimals as its values need (at most 2).
    let decimals: Vec<usize> = indices
        .iter()
        .map(|&i| {
            table
                .rows
                .iter()
                .filter_map(|r| match r[i] {
                    Cell::Num(n) => Some(format_number(n, None, u64::MAX).split_once(',').map_or(0, |(_, f)| f.len())),
                    _ => None,
                })
                .max()
                .unwrap_or(0)
        })
        .collect();
    let align: Vec<&str> = numeric.iter().map(|&n| if n { "right" } else { "left" }).collect();
    let cell_text = |row: &[Cell], k: usize, i: usize| match &row[i] {
        Cell::Empty => String::from("–"),
        Cell::Int(n) => format_number(*n as f64, Some(0), 10_000),
        Cell::Num(n) => format_number(*n, Some(decimals[k]), 10_000),
        Cell::Text(t) => t.clone(),
    };
    let header: Vec<String> =
        indices.iter().enumerate().map(|(k, &i)| headers.map_or(table.labels[i].clone(), |h| h[k].clone())).collect();
    let texts: Vec<Vec<String>> = std::iter::once(header.clone())
        .chain(table.rows.iter().map(|row| indices.iter().enumerate().map(|(k, &i)| cell_text(row, k, i)).collect()))
        .collect();
    let mut out = String::new();
    out.push_str("#figure(kind: table, caption: [");
    out.push_str(&escape_text(caption, false));
    let columns = table_layout::columns(&texts);
    out.push_str("],\n  block(width: 100%)[");
    out.push_str(&columns.size_rule());
    out.push_str("#table(\n    columns: ");
    out.push_str(&columns.widths);
    out.push_str(",\n    align: (");
    out.push_str(&align.join(", "));
    if align.len() == 1 {
        out.push(',');
    }
    out.push_str("),\n    table.header(repeat: true, ");
    for name in &header {
        out.push_str("[*");
        out.push_str(&escape_text(name, false));
        out.push_str("*], ");
    }
    out.push_str("),\n");
    // The last rows of a long table: a footer typst keeps in one piece.
    let footer_from = table_layout::footer_from(texts.len() - 1);
    for (r, row) in texts[1..].iter().enumerate() {
        if Some(r) == footer_from {
            out.push_str("    table.footer(repeat: false,\n");
        }
        out.push_str("    ");
        for text in row {
            out.push('[');
            // Body cells break no word (the columns are wide enough), so
            // the exceptions' soft hyphens stay out; acronyms and spaced
            // compounds are still kept whole.
            out.push_str(&super::hyphenation::markup(text, None, true));
            out.push_str("], ");
        }
        out.push('\n');
    }
    if footer_from.is_some() {
        out.push_str("    ),\n");
    }
    out.push_str("  )");
    out.push_str(&source_line(&table.source));
    out.push_str("],\n)");
    if let Some(id) = id {
        out.push_str(&format!(" #label({})", string_literal(id)));
    }
    (out, columns.too_wide)
}

/// The Typst of a table's or chart's source line, under its body.
pub fn source_line(source: &str) -> String {
    format!("\n  #align(left, text(size: 0.85em)[Lähde: {}])", escape_text(source, false))
}
