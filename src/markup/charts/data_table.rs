//! The values as a table: from a chart's rows ([`ChartData`]) and value
//! labels ([`Scale`]), a compact Typst `table` (the x label and one column
//! per series, a row per category) that goes under the figure when
//! [`ChartSpec::data_table`](super::ChartSpec::data_table) asks for it.

use std::fmt::Write as _;

use super::data::ChartData;
use super::scale::Scale;
use crate::markup::escape::escape_text;

/// The chart's values as a compact table under the figure: an ordinary
/// tagged table a screen reader reads, while the figure itself carries the
/// alternative text. Empty values print as a dash.
pub(super) fn data_table_typst(data: &ChartData, scale: &Scale) -> String {
    let series = &data.series;
    let mut out = String::from("\n  #block(width: 100%, above: 0.6em)[#set text(size: 8pt)\n  #table(columns: (auto,");
    out.push_str(&" auto,".repeat(series.len()));
    out.push_str("), align: (left,");
    out.push_str(&" right,".repeat(series.len()));
    out.push_str("), inset: (x: 4pt, y: 2.5pt),\n    table.header(repeat: true, ");
    for name in std::iter::once(data.x_label.as_str()).chain(series.iter().map(String::as_str)) {
        let _ = write!(out, "[{}], ", escape_text(name, false));
    }
    out.push_str("),\n");
    for (cat, row) in data.cats.iter().zip(&data.values) {
        let _ = write!(out, "    [{}], ", escape_text(cat, true));
        for v in row {
            let _ = write!(out, "[{}], ", v.map_or("–".to_string(), |x| escape_text(&scale.label(x), true)));
        }
        out.push('\n');
    }
    out.push_str("  )]");
    out
}
