//! Data tables as Typst: a numbered table figure with a repeated header
//! row, numbers end-aligned and formatted in Finnish, every value escaped,
//! and the dataset's source line under it.

use crate::load::datasets::{Cell, ColumnType, Table};
use crate::markup::escape::{escape_text, string_literal};
use crate::markup::numbers::format_number;

/// The Typst of a data table: values escaped, numbers right-aligned and
/// formatted in Finnish.
pub fn table_typst(
    table: &Table,
    indices: &[usize],
    headers: Option<&[String]>,
    caption: &str,
    id: Option<&str>,
) -> String {
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
    let mut out = String::new();
    out.push_str("#figure(kind: table, caption: [");
    out.push_str(&escape_text(caption, false));
    out.push_str("],\n  block(width: 100%)[#table(\n    columns: ");
    out.push_str(&indices.len().to_string());
    out.push_str(",\n    align: (");
    out.push_str(&align.join(", "));
    if align.len() == 1 {
        out.push(',');
    }
    out.push_str("),\n    table.header(repeat: true, ");
    for (k, &i) in indices.iter().enumerate() {
        let name = headers.map_or(table.labels[i].as_str(), |h| h[k].as_str());
        out.push_str("[*");
        out.push_str(&escape_text(name, false));
        out.push_str("*], ");
    }
    out.push_str("),\n");
    for row in &table.rows {
        out.push_str("    ");
        for (k, &i) in indices.iter().enumerate() {
            let text = match &row[i] {
                Cell::Empty => String::from("–"),
                Cell::Int(n) => format_number(*n as f64, Some(0), 10_000),
                Cell::Num(n) => format_number(*n, Some(decimals[k]), 10_000),
                Cell::Text(t) => t.clone(),
            };
            out.push('[');
            out.push_str(&escape_text(&text, true));
            out.push_str("], ");
        }
        out.push('\n');
    }
    out.push_str("  )");
    out.push_str(&source_line(&table.source));
    out.push_str("],\n)");
    if let Some(id) = id {
        out.push_str(&format!(" #label({})", string_literal(id)));
    }
    out
}

/// The Typst of a table's or chart's source line, under its body.
pub fn source_line(source: &str) -> String {
    format!("\n  #align(left, text(size: 0.85em)[Lähde: {}])", escape_text(source, false))
}
