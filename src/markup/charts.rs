//! Charts from a [`Table`]: native Typst vector graphics, no packages, no images.
//!
//! [`chart_typst`] turns a dataset and a [`ChartSpec`] into one numbered
//! figure (`#figure(kind: image, …) #label("fig-…")`) that fills the text
//! column, in the document's fonts, with the dataset's source line under the
//! drawing, just as [`crate::markup::table::table_typst`] does for tables.
//!
//! The work is split in two:
//!
//! - Rust does everything that depends on the data: validation, the value
//!   domain and its "nice" ticks, Finnish number formatting
//!   ([`format_number`]), value labels, and the alternative text. The data
//!   reaches Typst only as string literals ([`string_literal`]) and as
//!   fractions of the value axis (plain float literals), so no value can run
//!   as Typst.
//! - Typst does the geometry, inside `layout(size => …)` so the chart is
//!   exactly as wide as the column (15,5 cm in the report, 16,6 cm in the
//!   brief), and with `measure` so that long category labels wrap in a label
//!   column of at most 36 % of the width, value labels go inside a bar only
//!   when they fit, and axis labels never overlap.
//!
//! Design: [`ChartKind::Bar`] and [`ChartKind::StackedBar`] are horizontal
//! (long Finnish category names read on the left), several `y` columns in a
//! bar chart give grouped bars; [`ChartKind::Dot`] is a horizontal
//! Cleveland dot plot (several series are joined by a grey line per row);
//! [`ChartKind::Line`] has the value axis on the left, its `x` spaced by
//! value when the x column is numeric (years) and evenly otherwise, and a
//! distinct marker shape and dash pattern for each series so the series can
//! be told apart without colour. Bars and dot plots are not broken across
//! pages. Series colours have 6.5:1 to 8.9:1 contrast on white (WCAG AA
//! for text and graphics, also for the white value labels on them); text is
//! the document's ink, tick labels its muted grey (7.6:1).
//!
//! Accessibility: Typst 0.15's `figure` has an `alt` parameter for
//! non-image content; screen readers read it and the caption and skip the
//! drawing. kooste passes [`ChartSpec::alt`] there, or, when the author gave
//! none, a Finnish description generated from the data (kind, caption,
//! largest and smallest value of each series, the value axis title) that
//! ends with the source line, which would otherwise be skipped with the
//! drawing.

use std::fmt::Write as _;

use crate::load::datasets::{Cell, ColumnType, Table};
use crate::markup::escape::{escape_text, is_label_name, string_literal};
use crate::markup::numbers::format_number;

/// The kind of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Horizontal bars; several `y` columns give grouped bars.
    Bar,
    /// Horizontal bars with the `y` columns stacked, totals at the ends.
    StackedBar,
    /// A line per `y` column over `x` (spaced by value when `x` is numeric).
    Line,
    /// A horizontal dot plot; several `y` columns are joined per row.
    Dot,
}

impl ChartKind {
    /// The kind called `name` (`bar`, `stacked-bar`, `line`, `dot`).
    pub fn from_name(name: &str) -> Option<ChartKind> {
        match name {
            "bar" => Some(ChartKind::Bar),
            "stacked-bar" | "stacked" | "stackedbar" => Some(ChartKind::StackedBar),
            "line" => Some(ChartKind::Line),
            "dot" => Some(ChartKind::Dot),
            _ => None,
        }
    }

    /// The Finnish name used in generated alternative text.
    fn finnish(self) -> &'static str {
        match self {
            ChartKind::Bar => "Pylväskaavio",
            ChartKind::StackedBar => "Pinottu pylväskaavio",
            ChartKind::Line => "Viivakaavio",
            ChartKind::Dot => "Pistekaavio",
        }
    }
}

/// What to draw.
#[derive(Debug, Clone)]
pub struct ChartSpec {
    pub kind: ChartKind,
    /// The category (or x) column.
    pub x: String,
    /// One or more numeric columns: the series.
    pub y: Vec<String>,
    /// The caption, without "(havainnollistava aineisto)": that is added
    /// when the dataset is illustrative.
    pub caption: String,
    /// A label such as `fig-rahoitus`.
    pub id: Option<String>,
    /// Alternative text; generated from the data when `None`.
    pub alt: Option<String>,
    /// The title of the value axis (e.g. "euroa").
    pub y_label: Option<String>,
    /// The values are fractions and print as percentages (0.25 → 25 %).
    pub percent: bool,
    /// Also print the values as a compact table under the figure, for
    /// readers who cannot see the drawing.
    pub data_table: bool,
}

/// A generated chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// The whole figure, label included.
    pub typst: String,
    /// The alternative text the figure carries.
    pub alt: String,
}

/// Series colours, 6.5:1 to 8.9:1 on white (so white value labels on them pass too).
const COLORS: [&str; 6] = ["#0b4f71", "#8a3b12", "#2d6a2e", "#5b3a8c", "#8c1d40", "#4a5560"];

/// Line dash patterns per series (with the marker shapes, series differ without colour).
const DASHES: [&str; 6] = ["solid", "dashed", "dotted", "dash-dotted", "densely-dashed", "loosely-dotted"];

/// The Typst of a chart figure for `table` as `spec` describes it.
pub fn chart_typst(table: &Table, spec: &ChartSpec) -> Result<Chart, String> {
    let columns = || table.headers.join(", ");
    if table.rows.is_empty() {
        return Err(format!("dataset `{}` has no rows: there is nothing to chart", table.name));
    }
    let xi = table
        .column(&spec.x)
        .ok_or_else(|| format!("dataset `{}` has no column `{}` (columns: {})", table.name, spec.x, columns()))?;
    if spec.y.is_empty() {
        return Err(format!(
            "a chart needs at least one value column in `y` (columns of `{}`: {})",
            table.name,
            columns()
        ));
    }
    if spec.y.len() > COLORS.len() {
        return Err(format!("a chart can show at most {} series; `y` names {}", COLORS.len(), spec.y.len()));
    }
    let mut yi = Vec::with_capacity(spec.y.len());
    for name in &spec.y {
        let i = table
            .column(name)
            .ok_or_else(|| format!("dataset `{}` has no column `{name}` (columns: {})", table.name, columns()))?;
        if table.types[i] == ColumnType::Text {
            let numeric: Vec<&str> = table
                .headers
                .iter()
                .zip(&table.types)
                .filter(|(_, t)| **t != ColumnType::Text)
                .map(|(h, _)| h.as_str())
                .collect();
            return Err(format!(
                "column `{name}` of `{}` is text, not numeric; a chart's `y` must be numeric (numeric columns: {})",
                table.name,
                if numeric.is_empty() { "none".to_string() } else { numeric.join(", ") }
            ));
        }
        if table.rows.iter().all(|r| r[i].as_f64().is_none()) {
            return Err(format!("column `{name}` of `{}` has no values to chart", table.name));
        }
        yi.push(i);
    }
    if let Some(id) = &spec.id
        && !is_label_name(id)
    {
        return Err(format!("`{id}` is not a valid label (use letters, digits, `-` and `_`, e.g. `fig-rahoitus`)"));
    }

    // Rows in drawing order: a line over a numeric x runs in x order.
    let mut rows: Vec<&Vec<Cell>> = table.rows.iter().collect();
    let numeric_x = spec.kind == ChartKind::Line && table.types[xi] != ColumnType::Text;
    if numeric_x {
        if let Some(r) = rows.iter().find(|r| r[xi].as_f64().is_none()) {
            return Err(format!(
                "column `{}` of `{}` has an empty value (row with {}): a line chart needs every x",
                spec.x,
                table.name,
                describe_row(table, r)
            ));
        }
        rows.sort_by(|a, b| a[xi].as_f64().partial_cmp(&b[xi].as_f64()).unwrap_or(std::cmp::Ordering::Equal));
    }
    let cats: Vec<String> = rows.iter().map(|r| cell_text(&r[xi])).collect();
    let values: Vec<Vec<Option<f64>>> = rows.iter().map(|r| yi.iter().map(|&i| r[i].as_f64()).collect()).collect();
    let series: Vec<String> = yi.iter().map(|&i| table.labels[i].clone()).collect();

    if spec.kind == ChartKind::StackedBar
        && let Some((r, _)) = values.iter().enumerate().find(|(_, v)| v.iter().flatten().any(|&x| x < 0.0))
    {
        return Err(format!(
            "a stacked bar chart needs values of 0 or more; the row `{}` has a negative value",
            cats[r]
        ));
    }

    // The value domain.
    let all = values.iter().flatten().flatten().copied();
    let (mut lo, mut hi) = (all.clone().fold(f64::INFINITY, f64::min), all.fold(f64::NEG_INFINITY, f64::max));
    let totals: Vec<f64> = values.iter().map(|v| v.iter().flatten().sum()).collect();
    match spec.kind {
        ChartKind::Bar => (lo, hi) = (lo.min(0.0), hi.max(0.0)),
        ChartKind::StackedBar => (lo, hi) = (0.0, totals.iter().copied().fold(0.0, f64::max)),
        // Lines and dots need not start at zero, but do when the data is not far from it.
        ChartKind::Line | ChartKind::Dot => {
            if lo > 0.0 && lo <= hi * 0.5 {
                lo = 0.0;
            } else if hi < 0.0 && hi >= lo * 0.5 {
                hi = 0.0;
            }
            // Away from zero, keep the smallest value off the axis line.
            let span = hi - lo;
            if lo != 0.0 && hi != 0.0 {
                if hi > 0.0 {
                    lo -= span * 0.04;
                } else {
                    hi += span * 0.04;
                }
            }
        }
    }
    if lo == hi {
        if lo == 0.0 {
            hi = 1.0;
        } else if lo > 0.0 {
            lo = 0.0;
        } else {
            hi = 0.0;
        }
    }
    let integral = !spec.percent && yi.iter().all(|&i| table.types[i] == ColumnType::Integer);
    let ticks = nice_ticks(lo, hi, integral);
    let (t0, t1) = (ticks[0], ticks[ticks.len() - 1]);
    let frac = |v: f64| ((v - t0) / (t1 - t0)).clamp(0.0, 1.0);
    let scale = if spec.percent { 100.0 } else { 1.0 };
    let tick_decimals =
        (0..=6).find(|&d| is_whole((ticks[1] - ticks[0]) * scale * 10f64.powi(d))).unwrap_or(6) as usize;
    let fmt = |v: f64, d: usize| {
        let s = format_number(v * scale, Some(d), 10_000);
        if spec.percent { format!("{s}\u{a0}%") } else { s }
    };
    // Value labels show as many decimals as the data needs (at most 2, 1 for percentages).
    let max_dec = if spec.percent { 1 } else { 2 };
    let value_decimals = values
        .iter()
        .flatten()
        .flatten()
        .map(|&v| format_number(v * scale, None, u64::MAX).split_once(',').map_or(0, |(_, f)| f.len()))
        .max()
        .unwrap_or(0)
        .min(max_dec);
    let label = |v: f64| fmt(v, value_decimals);

    let mut caption = spec.caption.clone();
    if table.illustrative {
        caption.push_str(" (havainnollistava aineisto)");
    }
    let alt = match &spec.alt {
        Some(alt) => alt.clone(),
        None => generate_alt(&AltData {
            spec,
            table,
            caption: &caption,
            cats: &cats,
            series: &series,
            values: &values,
            totals: &totals,
            label: &label,
            x_years: year_column(table, xi),
            y_years: yi.iter().all(|&i| year_column(table, i)),
        }),
    };

    // The data, as Typst code.
    let mut data = String::new();
    let lit_list = |items: &[String]| {
        let mut s = items.iter().map(|i| string_literal(i)).collect::<Vec<_>>().join(", ");
        if items.len() == 1 {
            s.push(',');
        }
        format!("({s})")
    };
    let ticks_typst: Vec<String> =
        ticks.iter().map(|&t| format!("({}, {})", float(frac(t)), string_literal(&fmt(t, tick_decimals)))).collect();
    let _ = writeln!(data, "  let ticks = ({},)", ticks_typst.join(", "));
    let _ = writeln!(data, "  let zero = {}", float(frac(0.0)));
    let series_typst: Vec<String> = series
        .iter()
        .enumerate()
        .map(|(k, s)| format!("(label: {}, color: rgb(\"{}\"), dash: \"{}\")", string_literal(s), COLORS[k], DASHES[k]))
        .collect();
    let _ = writeln!(data, "  let series = ({},)", series_typst.join(", "));
    let _ = writeln!(data, "  let ylabel = {}", spec.y_label.as_deref().map_or("none".to_string(), string_literal));
    let legend = series.len() > 1;

    let drawing = match spec.kind {
        ChartKind::Line => {
            let xs: Vec<f64> = if numeric_x {
                let xv: Vec<f64> = rows.iter().map(|r| r[xi].as_f64().unwrap_or(0.0)).collect();
                let (a, b) = (xv[0], xv[xv.len() - 1]);
                xv.iter().map(|&x| if b > a { (x - a) / (b - a) } else { 0.5 }).collect()
            } else if cats.len() == 1 {
                vec![0.5]
            } else {
                (0..cats.len()).map(|i| i as f64 / (cats.len() - 1) as f64).collect()
            };
            let _ = writeln!(data, "  let xs = ({},)", xs.iter().map(|&x| float(x)).collect::<Vec<_>>().join(", "));
            let _ = writeln!(data, "  let xlabels = {}", lit_list(&cats));
            let lines: Vec<String> = (0..series.len())
                .map(|k| {
                    let ys: Vec<String> =
                        values.iter().map(|v| v[k].map_or("none".to_string(), |x| float(frac(x)))).collect();
                    format!("({},)", ys.join(", "))
                })
                .collect();
            let _ = writeln!(data, "  let lines = ({},)", lines.join(", "));
            let _ = writeln!(data, "  let legend = {legend}");
            LINE_TYPST
        }
        ChartKind::Bar | ChartKind::StackedBar | ChartKind::Dot => {
            let mut rows_typst = Vec::new();
            for (r, cat) in cats.iter().enumerate() {
                let mut items = Vec::new();
                let mut cum = 0.0;
                for (k, v) in values[r].iter().enumerate() {
                    let Some(v) = *v else { continue };
                    let (a, b) = match spec.kind {
                        ChartKind::StackedBar => {
                            let a = cum;
                            cum += v;
                            (frac(a), frac(cum))
                        }
                        ChartKind::Dot => (frac(v), frac(v)),
                        _ => (frac(0.0), frac(v)),
                    };
                    items.push(format!("(s: {k}, a: {}, b: {}, l: {})", float(a), float(b), string_literal(&label(v))));
                }
                let total = if spec.kind == ChartKind::StackedBar
                    && series.len() > 1
                    && !(spec.percent && totals.iter().all(|t| (t - 1.0).abs() < 0.005))
                {
                    format!("(b: {}, l: {})", float(frac(totals[r])), string_literal(&label(totals[r])))
                } else {
                    "none".to_string()
                };
                rows_typst.push(format!(
                    "    (cat: {}, items: ({}{}), total: {total}),",
                    string_literal(cat),
                    items.join(", "),
                    if items.len() == 1 { "," } else { "" }
                ));
            }
            let mode = match spec.kind {
                ChartKind::Bar => "bar",
                ChartKind::StackedBar => "stacked",
                _ => "dot",
            };
            let _ = writeln!(data, "  let mode = \"{mode}\"");
            let _ = writeln!(data, "  let legend = {legend}");
            let _ = writeln!(data, "  let rows = (\n{}\n  )", rows_typst.join("\n"));
            HBAR_TYPST
        }
    };

    let mut out = String::new();
    // With its values as a table, the figure and the table stay together.
    if spec.data_table {
        out.push_str("#block(width: 100%, breakable: false)[");
    }
    out.push_str("#figure(kind: image, caption: [");
    out.push_str(&escape_text(&caption, false));
    out.push_str("], alt: ");
    out.push_str(&string_literal(&alt));
    out.push_str(", {\n");
    out.push_str(&data);
    out.push_str(COMMON_TYPST);
    out.push_str("  block(width: 100%, breakable: false, {\n    block(width: 100%, below: 0.9em, {\n      set text(size: 9pt, fill: ink, hyphenate: false)\n      set par(justify: false, first-line-indent: 0pt, leading: 0.4em, spacing: 0.5em)\n      set align(left)\n      layout(size => {\n");
    out.push_str(drawing);
    out.push_str("      })\n    })\n    block(width: 100%, above: 0.9em, align(left, text(size: 0.85em)[Lähde: ");
    out.push_str(&escape_text(&table.source, false));
    out.push_str("]))\n  })\n})");
    if let Some(id) = &spec.id {
        let _ = write!(out, " #label({})", string_literal(id));
    }
    if spec.data_table {
        let x_label = table.column(&spec.x).map_or(spec.x.as_str(), |i| table.labels[i].as_str());
        out.push_str(&data_table_typst(x_label, &cats, &series, &values, &label));
        out.push(']');
    }
    Ok(Chart { typst: out, alt })
}

/// Helpers shared by all kinds.
const COMMON_TYPST: &str = r##"  let ink = rgb("#1a1a1a")
  let muted = rgb("#4a5560")
  let gridc = rgb("#d9dee2")
  // A series marker, 2r × 2r: circle, square, diamond, triangle, ring, hollow square.
  let marker(k, r: 3.3pt) = {
    let c = series.at(k).color
    let edge = 0.6pt + white
    let k = calc.rem(k, 6)
    box(width: 2 * r, height: 2 * r, align(center + horizon, if k == 0 {
      circle(radius: r, fill: c, stroke: edge)
    } else if k == 1 {
      rect(width: 1.75 * r, height: 1.75 * r, fill: c, stroke: edge)
    } else if k == 2 {
      polygon(fill: c, stroke: edge, (r, 0pt), (2 * r, r), (r, 2 * r), (0pt, r))
    } else if k == 3 {
      polygon(fill: c, stroke: edge, (r, 0pt), (2 * r, 1.8 * r), (0pt, 1.8 * r))
    } else if k == 4 {
      circle(radius: r * 0.8, fill: white, stroke: 1.4pt + c)
    } else {
      rect(width: 1.5 * r, height: 1.5 * r, fill: white, stroke: 1.4pt + c)
    }))
  }
"##;

/// Horizontal bars, stacked bars and dot plots. Geometry: category labels
/// in a column on the left (at most 36 % of the width, wrapped), the plot
/// area to its right, the value axis at the bottom, a legend on top.
const HBAR_TYPST: &str = r##"        let W = size.width
        let small = 8pt
        let th = measure(text("0")).height
        let tsmall = measure(text(size: small, "0")).height
        let nser = series.len()
        let labw = l => measure(text(size: small, l)).width
        // Category label column.
        let cat-w = calc.min(W * 0.36, calc.max(..rows.map(r => measure(text(r.cat)).width)))
        let cat-h = rows.map(r => measure(block(width: cat-w, align(right, text(r.cat)))).height)
        // Bar band per row: one bar, grouped bars or a dot.
        let bar-h = if mode == "bar" and nser > 1 { 9pt } else { 13pt }
        let band = if mode == "bar" { nser * bar-h + (nser - 1) * 1.5pt } else if mode == "dot" { 11pt } else { bar-h }
        let gap = if mode == "bar" and nser > 1 { 9pt } else { 7pt }
        let rows-h = cat-h.map(h => calc.max(h, band) + gap)
        let plot-h = rows-h.sum()
        // The plot is as wide as it can be with every value label outside its
        // bar still inside the column, and half of the last tick label.
        let ends = rows.map(r => {
          let e = if mode == "bar" or (mode == "dot" and nser == 1) { r.items.map(i => (i.b, labw(i.l) + 6pt, i.b < i.a)) } else { () }
          if r.total != none { e.push((r.total.b, labw(r.total.l) + 6pt, false)) }
          e
        }).join()
        let last-tick = measure(text(ticks.last().at(1))).width / 2
        let width-for(x0) = {
          let avail = W - x0
          calc.min(avail - last-tick - 1pt, ..ends.filter(e => not e.at(2) and e.at(0) > 0.001).map(e => (avail - e.at(1)) / e.at(0)))
        }
        // A negative bar's label outside it goes left: make room where it does not fit inside.
        let x0 = cat-w + 8pt
        let neg-w = calc.max(0pt, ..ends.filter(e => e.at(2)).map(e => {
          let pw = width-for(x0 + e.at(1))
          if (zero - e.at(0)) * pw >= e.at(1) { 0pt } else { e.at(1) - e.at(0) * pw }
        }))
        let x0 = x0 + neg-w
        let pw = width-for(x0)
        let X = f => x0 + f * pw
        // Legend.
        if legend {
          block(inset: (left: x0), below: 0.8em, {
            series.enumerate().map(((k, s)) => box({
              if mode == "dot" { box(baseline: 1.5pt, marker(k)) } else { box(baseline: 0.5pt, rect(width: 8pt, height: 8pt, fill: s.color)) }
              h(4pt)
              text(s.label)
            })).join([#h(12pt) ])
          })
        }
        let H = plot-h + 6pt + th + if ylabel != none { 5pt + th } else { 0pt }
        box(width: W, height: H, {
          // Grid lines at the ticks, then the value axis with ticks and labels.
          for (f, l) in ticks {
            place(top + left, line(start: (X(f), 0pt), end: (X(f), plot-h), stroke: 0.5pt + gridc))
            place(top + left, line(start: (X(f), plot-h), end: (X(f), plot-h + 3pt), stroke: 0.6pt + ink))
            let w = measure(text(l)).width
            place(top + left, dx: X(f) - w / 2, dy: plot-h + 5pt, text(fill: muted, l))
          }
          place(top + left, line(start: (x0, plot-h), end: (x0 + pw, plot-h), stroke: 0.6pt + ink))
          if ylabel != none {
            let w = measure(text(ylabel)).width
            place(top + left, dx: calc.max(0pt, x0 + pw / 2 - w / 2), dy: plot-h + 8pt + th, text(fill: ink, ylabel))
          }
          let y = 0pt
          for (r, row) in rows.enumerate() {
            let h = rows-h.at(r)
            let cy = y + h / 2
            place(top + left, dy: cy - cat-h.at(r) / 2, block(width: cat-w, align(right, text(row.cat))))
            if mode == "dot" {
              place(top + left, line(start: (x0, cy), end: (x0 + pw, cy), stroke: (paint: gridc, thickness: 0.6pt, dash: "dotted")))
              if nser > 1 and row.items.len() > 1 {
                let fs = row.items.map(i => i.b)
                place(top + left, line(start: (X(calc.min(..fs)), cy), end: (X(calc.max(..fs)), cy), stroke: 1.6pt + rgb("#9aa8b3")))
              }
              for i in row.items {
                place(top + left, dx: X(i.b) - 3.3pt, dy: cy - 3.3pt, marker(i.s))
                if nser == 1 {
                  place(top + left, dx: X(i.b) + 6pt, dy: cy - tsmall / 2, text(size: small, i.l))
                }
              }
            } else {
              let btop = cy - band / 2
              for (n, i) in row.items.enumerate() {
                let (a, b) = (calc.min(i.a, i.b), calc.max(i.a, i.b))
                let by = if mode == "bar" { btop + i.s * (bar-h + 1.5pt) } else { btop }
                let w = X(b) - X(a)
                place(top + left, dx: X(a), dy: by, rect(width: w, height: bar-h, fill: series.at(i.s).color, stroke: if mode == "stacked" { 0.5pt + white } else { none }))
                let lw = labw(i.l)
                let ly = by + bar-h / 2 - tsmall / 2
                if lw + 6pt <= w {
                  // Inside: at the end of a bar, centred in a stacked segment.
                  let lx = if mode == "stacked" { X(a) + (w - lw) / 2 } else if i.b >= i.a { X(b) - 3pt - lw } else { X(a) + 3pt }
                  place(top + left, dx: lx, dy: ly, text(size: small, fill: white, i.l))
                } else if mode == "bar" {
                  let lx = if i.b >= i.a { X(b) + 3pt } else { X(a) - 3pt - lw }
                  place(top + left, dx: lx, dy: ly, text(size: small, i.l))
                }
              }
              if row.total != none {
                place(top + left, dx: X(row.total.b) + 4pt, dy: cy - tsmall / 2, text(size: small, weight: "bold", row.total.l))
              }
            }
            y += h
          }
          // The category axis at zero (dot plots need none).
          if mode != "dot" {
            place(top + left, line(start: (X(zero), 0pt), end: (X(zero), plot-h), stroke: 0.8pt + ink))
          }
        })
"##;

/// Line charts. Geometry: the value axis on the left with its title above
/// it, horizontal grid lines, x labels under the points (skipped where they
/// would overlap), a legend on top.
const LINE_TYPST: &str = r##"        let W = size.width
        let th = measure(text("0")).height
        let nser = series.len()
        let n = xs.len()
        // Left: tick labels; right: half of the last x label.
        let tick-w = calc.max(..ticks.map(t => measure(text(t.at(1))).width))
        let x0 = tick-w + 8pt
        let inner = if n > 1 { 10pt } else { 0pt }
        let slot = if n > 1 { (W - x0 - 2 * inner) * calc.min(..range(1, n).map(i => xs.at(i) - xs.at(i - 1))) } else { W - x0 }
        let xl = xlabels.map(l => {
          let w = measure(text(l)).width
          let bw = calc.min(w, calc.max(slot - 6pt, 40pt))
          block(width: bw, align(center, text(fill: muted, l)))
        })
        let xl-w = xl.map(b => measure(b).width)
        let xl-h = calc.max(..xl.map(b => measure(b).height))
        let rm = calc.max(4pt, xl-w.last() / 2 - inner)
        let pw = W - x0 - rm
        let X = f => x0 + inner + f * (pw - 2 * inner)
        let y0 = if ylabel != none { th + 8pt } else { th / 2 + 2pt }
        let ph = calc.min(calc.max(W * 0.4, 140pt), 220pt)
        let Y = f => y0 + (1 - f) * ph
        if legend {
          block(inset: (left: x0), below: 0.8em, {
            series.enumerate().map(((k, s)) => box({
              box(baseline: 1.5pt, width: 22pt, height: 6.6pt, {
                place(top + left, line(start: (0pt, 3.3pt), end: (22pt, 3.3pt), stroke: (paint: s.color, thickness: 1.4pt, dash: s.dash)))
                place(top + left, dx: 11pt - 3.3pt, marker(k))
              })
              h(4pt)
              text(s.label)
            })).join([#h(12pt) ])
          })
        }
        box(width: W, height: y0 + ph + 6pt + xl-h, {
          if ylabel != none {
            place(top + left, text(fill: ink, ylabel))
          }
          for (f, l) in ticks {
            place(top + left, line(start: (x0, Y(f)), end: (x0 + pw, Y(f)), stroke: 0.5pt + gridc))
            place(top + left, line(start: (x0 - 3pt, Y(f)), end: (x0, Y(f)), stroke: 0.6pt + ink))
            let w = measure(text(l)).width
            place(top + left, dx: x0 - 5pt - w, dy: Y(f) - th / 2, text(fill: muted, l))
          }
          if zero > 0 and zero < 1 {
            place(top + left, line(start: (x0, Y(zero)), end: (x0 + pw, Y(zero)), stroke: 0.8pt + ink))
          }
          place(top + left, line(start: (x0, y0), end: (x0, y0 + ph), stroke: 0.6pt + ink))
          place(top + left, line(start: (x0, y0 + ph), end: (x0 + pw, y0 + ph), stroke: 0.6pt + ink))
          // X labels, skipping any that would overlap the previous one.
          let last = -100cm
          for (i, f) in xs.enumerate() {
            let x = X(f)
            place(top + left, line(start: (x, y0 + ph), end: (x, y0 + ph + 3pt), stroke: 0.6pt + ink))
            let w = xl-w.at(i)
            let lx = calc.min(x - w / 2, W - w)
            if lx >= last + 5pt {
              place(top + left, dx: lx, dy: y0 + ph + 5pt, xl.at(i))
              last = lx + w
            }
          }
          // The lines, broken where a value is missing, then the markers.
          for (k, ys) in lines.enumerate() {
            let s = series.at(k)
            let parts = ()
            let pen = false
            for (i, f) in ys.enumerate() {
              if f == none { pen = false; continue }
              let p = (X(xs.at(i)), Y(f))
              parts.push(if pen { curve.line(p) } else { curve.move(p) })
              pen = true
            }
            place(top + left, curve(stroke: (paint: s.color, thickness: 1.6pt, dash: s.dash, join: "round", cap: "round"), ..parts))
            for (i, f) in ys.enumerate() {
              if f != none { place(top + left, dx: X(xs.at(i)) - 3.3pt, dy: Y(f) - 3.3pt, marker(k)) }
            }
          }
        })
"##;

/// A float literal for Typst (always with a point or exponent, never NaN).
fn float(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    // Six decimals are far below a hundredth of a point on a page.
    let s = format!("{:.6}", v);
    let s = s.trim_end_matches('0');
    let s = if s.ends_with('.') { format!("{s}0") } else { s.to_string() };
    if s == "-0.0" { "0.0".to_string() } else { s }
}

fn is_whole(v: f64) -> bool {
    (v - v.round()).abs() < 1e-6 * v.abs().max(1.0)
}

/// 4 to 6 round ticks (steps 1, 2, 2.5 or 5 × 10ⁿ) covering `lo..=hi`;
/// with `integral` values the step is a whole number.
pub fn nice_ticks(lo: f64, hi: f64, integral: bool) -> Vec<f64> {
    let span = hi - lo;
    let base = 10f64.powf((span / 5.0).log10().floor() - 1.0);
    let mut best: Option<(f64, i64, f64, usize)> = None;
    for e in 0..4 {
        let mag = base * 10f64.powi(e);
        for m in [1.0, 2.0, 2.5, 5.0] {
            let step = m * mag;
            if integral && (step < 1.0 || !is_whole(step)) {
                continue;
            }
            let k0 = (lo / step + 1e-9).floor() as i64;
            let k1 = (hi / step - 1e-9).ceil() as i64;
            let n = (k1 - k0 + 1) as usize;
            if !(4..=6).contains(&n) {
                continue;
            }
            let covered = (k1 - k0) as f64 * step;
            let score =
                (n as f64 - 5.0).abs() * 0.5 + (covered - span) / covered * 3.0 + if m == 2.5 { 0.4 } else { 0.0 };
            if best.is_none_or(|b| score < b.0) {
                best = Some((score, k0, step, n));
            }
        }
    }
    match best {
        Some((_, k0, step, n)) => (0..n).map(|i| (k0 + i as i64) as f64 * step).collect(),
        // Only tiny integral ranges fail (e.g. 0..=2): steps of one.
        None => {
            let (a, b) = (lo.floor(), hi.ceil().max(lo.floor() + 3.0));
            (a as i64..=b as i64).map(|k| k as f64).collect()
        }
    }
}

/// A category as text: numbers in Finnish (years stay ungrouped).
fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => "–".to_string(),
        Cell::Int(n) => format_number(*n as f64, Some(0), 10_000),
        Cell::Num(n) => format_number(*n, None, 10_000),
        Cell::Text(t) => t.clone(),
    }
}

fn describe_row(table: &Table, row: &[Cell]) -> String {
    table
        .headers
        .iter()
        .zip(row)
        .find(|(_, c)| matches!(c, Cell::Text(_)))
        .map_or("no text".into(), |(h, c)| format!("{h} = {}", cell_text(c)))
}

/// Whether column `i` holds years: whole numbers from 1800 to 2100.
fn year_column(table: &Table, i: usize) -> bool {
    table.types[i] == ColumnType::Integer
        && table.rows.iter().filter_map(|r| r[i].as_f64()).all(|v| (1800.0..=2100.0).contains(&v))
        && table.rows.iter().any(|r| r[i].as_f64().is_some())
}

/// What the generated alternative text is made from.
struct AltData<'a> {
    spec: &'a ChartSpec,
    table: &'a Table,
    caption: &'a str,
    /// Categories (x values) in drawing order.
    cats: &'a [String],
    series: &'a [String],
    /// Per category, per series.
    values: &'a [Vec<Option<f64>>],
    totals: &'a [f64],
    label: &'a dyn Fn(f64) -> String,
    /// The x column holds years: the chart is a time series.
    x_years: bool,
    /// The value columns hold years (founding years, say): times, not magnitudes.
    y_years: bool,
}

/// Categories listed in full up to this many; beyond, the ends.
const ALT_LIST: usize = 12;

/// The Finnish alternative text generated from the data: a draft's
/// fallback (a final build asks for the author's). It reads a year column
/// as time: on the x axis as a range and a trend per series, as values as
/// dates in order; other categories are named with their values.
fn generate_alt(d: &AltData) -> String {
    let mut alt = format!("{}: {}.", d.spec.kind.finnish(), d.caption.trim_end_matches('.'));
    let x_label = d.table.column(&d.spec.x).map_or(d.spec.x.as_str(), |i| d.table.labels[i].as_str());
    if d.x_years && d.cats.len() > 1 {
        let _ = write!(alt, " {x_label} {}–{}.", d.cats[0], d.cats[d.cats.len() - 1]);
        for (k, s) in d.series.iter().enumerate() {
            let points: Vec<(&String, f64)> =
                d.cats.iter().zip(d.values).filter_map(|(c, v)| v[k].map(|x| (c, x))).collect();
            let _ = write!(alt, " {}", trend(s, &points, d.label));
        }
    } else if d.y_years {
        for (k, s) in d.series.iter().enumerate() {
            let mut dated: Vec<(&String, f64)> =
                d.cats.iter().zip(d.values).filter_map(|(c, v)| v[k].map(|x| (c, x))).collect();
            dated.sort_by(|a, b| a.1.total_cmp(&b.1));
            let of = if d.series.len() > 1 { format!(" ({s})") } else { String::new() };
            let shown = listing(&dated, |(c, x)| format!("{c} {}", *x as i64));
            let _ = write!(alt, " Aikajärjestyksessä{of}: {shown}.");
            if let (Some(first), Some(last)) = (dated.first(), dated.last()) {
                let _ = write!(
                    alt,
                    " Varhaisin {} ({}), viimeisin {} ({}).",
                    first.0, first.1 as i64, last.0, last.1 as i64
                );
            }
        }
    } else {
        for (k, s) in d.series.iter().enumerate() {
            let mut ranked: Vec<(&String, f64)> =
                d.cats.iter().zip(d.values).filter_map(|(c, v)| v[k].map(|x| (c, x))).collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
            let name = if d.series.len() > 1 { s.clone() } else { "Arvot".into() };
            let shown = listing(&ranked, |(c, x)| format!("{c} {}", (d.label)(*x)));
            let _ = write!(alt, " {name} suurimmasta pienimpään: {shown}.");
        }
        if d.spec.kind == ChartKind::StackedBar && d.series.len() > 1 {
            let mut ranked: Vec<(&String, f64)> = d.cats.iter().zip(d.totals.iter().copied()).collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
            let shown = listing(&ranked, |(c, x)| format!("{c} {}", (d.label)(*x)));
            let _ = write!(alt, " Yhteensä: {shown}.");
        }
    }
    if let Some(y) = &d.spec.y_label
        && !d.y_years
    {
        let _ = write!(alt, " Arvoakseli: {y}.");
    }
    let _ = write!(alt, " Lähde: {}.", d.table.source.trim_end_matches('.'));
    if d.spec.data_table {
        alt.push_str(" Arvot ovat myös taulukkona kuvion alla.");
    }
    alt
}

/// Items joined with commas; past [`ALT_LIST`], the first and last three
/// and how many lie between.
fn listing<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
    if items.len() <= ALT_LIST {
        return items.iter().map(&show).collect::<Vec<_>>().join(", ");
    }
    let head: Vec<String> = items[..3].iter().map(&show).collect();
    let tail: Vec<String> = items[items.len() - 3..].iter().map(&show).collect();
    format!("{}, … ({} muuta), {}", head.join(", "), items.len() - 6, tail.join(", "))
}

/// One series over time: where it starts and ends, whether it rises or
/// falls, and its peak when that lies between.
fn trend(name: &str, points: &[(&String, f64)], label: &dyn Fn(f64) -> String) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return format!("{name}: ei arvoja.");
    };
    let (lo, hi) = points.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let span = (hi - lo).max(f64::EPSILON);
    let direction = if (last.1 - first.1).abs() <= span * 0.1 {
        "pysyy lähes ennallaan"
    } else if last.1 > first.1 {
        "nousee"
    } else {
        "laskee"
    };
    let mut text = format!("{name} {direction}: {} ({}) – {} ({}).", label(first.1), first.0, label(last.1), last.0);
    let peak = points.iter().max_by(|a, b| a.1.total_cmp(&b.1)).expect("non-empty");
    if peak.1 > first.1.max(last.1) {
        let _ = write!(text, " Suurin {} ({}).", label(peak.1), peak.0);
    }
    let low = points.iter().min_by(|a, b| a.1.total_cmp(&b.1)).expect("non-empty");
    if low.1 < first.1.min(last.1) {
        let _ = write!(text, " Pienin {} ({}).", label(low.1), low.0);
    }
    text
}

/// The chart's values as a compact table (x label and one column per
/// series) under the figure: an ordinary tagged table a screen reader
/// reads, while the figure itself carries the alternative text.
fn data_table_typst(
    x_label: &str,
    cats: &[String],
    series: &[String],
    values: &[Vec<Option<f64>>],
    label: &dyn Fn(f64) -> String,
) -> String {
    let mut out = String::from("\n  #block(width: 100%, above: 0.6em)[#set text(size: 8pt)\n  #table(columns: (auto,");
    out.push_str(&" auto,".repeat(series.len()));
    out.push_str("), align: (left,");
    out.push_str(&" right,".repeat(series.len()));
    out.push_str("), inset: (x: 4pt, y: 2.5pt),\n    table.header(repeat: true, ");
    for name in std::iter::once(x_label).chain(series.iter().map(String::as_str)) {
        let _ = write!(out, "[{}], ", escape_text(name, false));
    }
    out.push_str("),\n");
    for (cat, row) in cats.iter().zip(values) {
        let _ = write!(out, "    [{}], ", escape_text(cat, true));
        for v in row {
            let _ = write!(out, "[{}], ", v.map_or("–".to_string(), |x| escape_text(&label(x), true)));
        }
        out.push('\n');
    }
    out.push_str("  )]");
    out
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use typst::layout::{Frame, FrameItem};
    use typst_kit::datetime::Time;
    use typst_layout::PagedDocument;

    use super::*;
    use crate::compile::world::{ReportWorld, Shared};

    fn table() -> Table {
        let rows = vec![
            ("Maakuntien liitot", 2015, 0.83, 0.47, 36),
            ("Kunnat ja kehitysyhtiöt", 2016, 0.71, 0.68, 88),
            ("#x *y*", 2017, 0.66, 0.59, 29),
            ("Ministeriöt, valtion virastot ja muut valtion keskushallinnon toimijat", 2018, 0.76, 0.38, 21),
            ("Järjestöt", 2019, 0.50, 0.74, 18),
        ];
        Table {
            name: "kysely".into(),
            path: PathBuf::from("data/kysely.csv"),
            title: "Kysely".into(),
            source: "Kooste-työryhmän kysely 2020 [$x]".into(),
            illustrative: true,
            headers: vec!["ryhma".into(), "vuosi".into(), "hyoty".into(), "este".into(), "vastaajia".into()],
            labels: vec![
                "Ryhmä".into(),
                "Vuosi".into(),
                "Hyötyy".into(),
                "Resurssit esteenä".into(),
                "Vastaajia".into(),
            ],
            types: vec![
                ColumnType::Text,
                ColumnType::Integer,
                ColumnType::Number,
                ColumnType::Number,
                ColumnType::Integer,
            ],
            rows: rows
                .into_iter()
                .map(|(a, b, c, d, e)| {
                    vec![Cell::Text(a.into()), Cell::Int(b), Cell::Num(c), Cell::Num(d), Cell::Int(e)]
                })
                .collect(),
        }
    }

    fn spec(kind: ChartKind, x: &str, y: &[&str]) -> ChartSpec {
        ChartSpec {
            kind,
            x: x.into(),
            y: y.iter().map(|s| s.to_string()).collect(),
            caption: "Verkostotyön #hyödyt".into(),
            id: Some("fig-kysely".into()),
            alt: None,
            y_label: None,
            percent: true,
            data_table: false,
        }
    }

    fn specs() -> Vec<(&'static str, ChartSpec)> {
        let mut bar = spec(ChartKind::Bar, "ryhma", &["vastaajia"]);
        bar.percent = false;
        bar.y_label = Some("vastaajaa".into());
        let mut line = spec(ChartKind::Line, "vuosi", &["hyoty", "este"]);
        line.y_label = Some("osuus vastaajista".into());
        vec![
            ("bar", bar),
            ("stacked-bar", spec(ChartKind::StackedBar, "ryhma", &["hyoty", "este"])),
            ("line", line),
            ("dot", spec(ChartKind::Dot, "ryhma", &["hyoty", "este"])),
        ]
    }

    fn root() -> PathBuf {
        std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).unwrap()
    }

    /// Compiles a chart in a page set up like the report's.
    fn compile(typst: &str) -> Result<PagedDocument, Vec<String>> {
        let source = format!(
            "#set page(paper: \"a4\", margin: (left: 3cm, right: 2.5cm, y: 2.8cm))\n\
             #set text(font: (\"Libertinus Serif\", \"New Computer Modern\"), size: 11pt, lang: \"fi\")\n\
             #set figure.caption(position: top)\n\
             #show figure.where(kind: image): set figure(supplement: \"Kuvio\")\n\
             #show figure: set block(breakable: true)\n\
             {}\n\n{typst}\n",
            if typst.contains("#label(\"fig-kysely\")") { "Katso @fig-kysely." } else { "" }
        );
        let shared = Arc::new(Shared::new(&root(), Time::fixed_timestamp(0).unwrap()));
        let world = ReportWorld::new(shared, "/chart-test.typ", source);
        use typst::WorldExt as _;
        let source = world.main_source().clone();
        let warned = typst::compile::<PagedDocument>(&world);
        assert!(
            warned.warnings.is_empty(),
            "warnings: {:?}",
            warned.warnings.iter().map(|w| w.message.as_str()).collect::<Vec<_>>()
        );
        warned.output.map_err(|errors| {
            errors
                .iter()
                .map(|e| {
                    let line =
                        world.range(e.span).and_then(|r| source.lines().byte_to_line(r.start)).map_or(0, |l| l + 1);
                    format!("line {line}: {}", e.message)
                })
                .collect()
        })
    }

    fn texts(frame: &Frame, out: &mut String) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Text(t) => out.push_str(t.text.as_str()),
                FrameItem::Group(g) => texts(&g.frame, out),
                _ => {}
            }
        }
    }

    #[test]
    fn data_is_escaped() {
        let chart = chart_typst(&table(), &spec(ChartKind::Bar, "ryhma", &["hyoty"])).unwrap();
        assert!(chart.typst.contains(r##"cat: "#x *y*""##), "{}", chart.typst);
        assert!(chart.typst.contains(r"caption: [Verkostotyön \#hyödyt (havainnollistava aineisto)]"));
        assert!(chart.typst.contains(r"Lähde: Kooste-työryhmän kysely 2020 \[\$x\]"));
        assert!(chart.typst.ends_with(r#" #label("fig-kysely")"#));
        // And it prints as written.
        let doc = compile(&chart.typst).unwrap();
        let mut text = String::new();
        for page in doc.pages() {
            texts(&page.frame, &mut text);
        }
        assert!(text.contains("#x *y*"), "{text}");
        assert!(text.contains("[$x]"), "{text}");

        // Quotes, backslashes and code in any label stay text.
        let mut t = table();
        t.rows[0][0] = Cell::Text("Liitot \"A\" \\ #let x = 1 ]) #panic()".into());
        t.labels[2] = "Hyöty\") #panic(\"".into();
        let chart = chart_typst(&t, &spec(ChartKind::Line, "ryhma", &["hyoty", "este"])).unwrap();
        let doc = compile(&chart.typst).unwrap();
        let mut text = String::new();
        for page in doc.pages() {
            texts(&page.frame, &mut text);
        }
        assert!(text.contains("Hyöty\") #panic(\""), "{text}");
    }

    #[test]
    fn every_kind_compiles() {
        for (name, spec) in specs() {
            let chart = chart_typst(&table(), &spec).unwrap();
            if let Err(errors) = compile(&chart.typst) {
                panic!("{name} does not compile: {errors:?}\n{}", chart.typst);
            }
        }
    }

    #[test]
    fn one_series_and_negative_values_compile() {
        let mut t = table();
        t.rows[1][3] = Cell::Num(-0.2);
        t.rows[2][2] = Cell::Empty;
        for kind in [ChartKind::Bar, ChartKind::Line, ChartKind::Dot] {
            for y in [&["hyoty"][..], &["hyoty", "este"]] {
                let mut s = spec(kind, "ryhma", y);
                s.id = None;
                let chart = chart_typst(&t, &s).unwrap();
                if let Err(errors) = compile(&chart.typst) {
                    panic!("{kind:?} {y:?}: {errors:?}\n{}", chart.typst);
                }
            }
        }
    }

    #[test]
    fn generated_alt_names_categories_with_their_values() {
        let chart = chart_typst(&table(), &spec(ChartKind::Bar, "ryhma", &["hyoty"])).unwrap();
        assert!(
            chart.alt.starts_with("Pylväskaavio: Verkostotyön #hyödyt (havainnollistava aineisto)."),
            "{}",
            chart.alt
        );
        assert!(
            chart.alt.contains(
                "Arvot suurimmasta pienimpään: Maakuntien liitot 83\u{a0}%, Ministeriöt, valtion virastot ja muut \
                 valtion keskushallinnon toimijat 76\u{a0}%, Kunnat ja kehitysyhtiöt 71\u{a0}%, #x *y* 66\u{a0}%, \
                 Järjestöt 50\u{a0}%."
            ),
            "{}",
            chart.alt
        );
        assert!(chart.alt.contains("Lähde: Kooste-työryhmän kysely 2020 [$x]."), "{}", chart.alt);
        assert!(chart.typst.contains(&format!("alt: {}", string_literal(&chart.alt))));

        let stacked = chart_typst(&table(), &spec(ChartKind::StackedBar, "ryhma", &["hyoty", "este"])).unwrap();
        assert!(stacked.alt.contains("Hyötyy suurimmasta pienimpään: Maakuntien liitot 83"), "{}", stacked.alt);
        assert!(stacked.alt.contains("Resurssit esteenä suurimmasta pienimpään: Järjestöt 74"), "{}", stacked.alt);
        assert!(stacked.alt.contains("Yhteensä: Kunnat ja kehitysyhtiöt 139"), "{}", stacked.alt);

        let mut own = spec(ChartKind::Dot, "ryhma", &["hyoty"]);
        own.alt = Some("Oma kuvaus".into());
        assert_eq!(chart_typst(&table(), &own).unwrap().alt, "Oma kuvaus");
    }

    #[test]
    fn generated_alt_reads_years_as_time() {
        // Years as values (founding years): in order, never "largest".
        let mut founded = spec(ChartKind::Dot, "ryhma", &["vuosi"]);
        founded.percent = false;
        founded.y_label = Some("perustamisvuosi".into());
        let alt = chart_typst(&table(), &founded).unwrap().alt;
        assert!(
            alt.contains("Aikajärjestyksessä: Maakuntien liitot 2015, Kunnat ja kehitysyhtiöt 2016, #x *y* 2017"),
            "{alt}"
        );
        assert!(alt.contains("Varhaisin Maakuntien liitot (2015), viimeisin Järjestöt (2019)."), "{alt}");
        assert!(!alt.contains("suurin") && !alt.contains("Arvoakseli"), "{alt}");
        // Years on the x axis: the range and each series' trend.
        let line = chart_typst(&table(), &spec(ChartKind::Line, "vuosi", &["hyoty", "este"])).unwrap().alt;
        assert!(line.contains("Vuosi 2015–2019."), "{line}");
        assert!(line.contains("Hyötyy laskee: 83\u{a0}% (2015) – 50\u{a0}% (2019)."), "{line}");
        assert!(
            line.contains("Resurssit esteenä nousee: 47\u{a0}% (2015) – 74\u{a0}% (2019). Pienin 38\u{a0}% (2018)."),
            "{line}"
        );
    }

    #[test]
    fn data_table_prints_the_values_under_the_figure() {
        let mut s = spec(ChartKind::Bar, "ryhma", &["hyoty", "este"]);
        s.data_table = true;
        let chart = chart_typst(&table(), &s).unwrap();
        assert!(chart.alt.ends_with("Arvot ovat myös taulukkona kuvion alla."), "{}", chart.alt);
        assert!(chart.typst.contains("table.header(repeat: true, [Ryhmä], [Hyötyy], [Resurssit esteenä], )"));
        let doc = compile(&chart.typst).unwrap();
        let mut text = String::new();
        for page in doc.pages() {
            texts(&page.frame, &mut text);
        }
        assert!(text.contains("Resurssit esteenä") && text.contains("47"), "{text}");
    }

    #[test]
    fn errors_for_authors() {
        let err = chart_typst(&table(), &spec(ChartKind::Bar, "ryhmä", &["hyoty"])).unwrap_err();
        assert!(
            err.contains("no column `ryhmä`") && err.contains("columns: ryhma, vuosi, hyoty, este, vastaajia"),
            "{err}"
        );
        let err = chart_typst(&table(), &spec(ChartKind::Bar, "ryhma", &["osuus"])).unwrap_err();
        assert!(err.contains("no column `osuus`"), "{err}");
        let err = chart_typst(&table(), &spec(ChartKind::Line, "vuosi", &["ryhma"])).unwrap_err();
        assert!(
            err.contains("`ryhma` of `kysely` is text, not numeric") && err.contains("vuosi, hyoty, este, vastaajia"),
            "{err}"
        );
        let mut empty = table();
        empty.rows.clear();
        let err = chart_typst(&empty, &spec(ChartKind::Dot, "ryhma", &["hyoty"])).unwrap_err();
        assert!(err.contains("has no rows"), "{err}");
        let mut bad = spec(ChartKind::Bar, "ryhma", &["hyoty"]);
        bad.id = Some("fig x".into());
        assert!(chart_typst(&table(), &bad).unwrap_err().contains("not a valid label"));
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(nice_ticks(0.0, 88.0, true), [0.0, 25.0, 50.0, 75.0, 100.0]);
        assert_eq!(nice_ticks(0.0, 0.83, false), [0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(nice_ticks(0.0, 23.0, true), [0.0, 5.0, 10.0, 15.0, 20.0, 25.0]);
        assert_eq!(nice_ticks(2015.0, 2019.0, true), [2015.0, 2016.0, 2017.0, 2018.0, 2019.0]);
        assert_eq!(nice_ticks(0.0, 2.0, true), [0.0, 1.0, 2.0, 3.0]);
        let t = nice_ticks(-0.2, 0.74, false);
        assert!((4..=6).contains(&t.len()) && t[0] <= -0.2 && *t.last().unwrap() >= 0.74 && t.contains(&0.0), "{t:?}");
        let t = nice_ticks(0.0, 190_000.0, true);
        assert!((4..=6).contains(&t.len()) && t[0] == 0.0 && *t.last().unwrap() >= 190_000.0, "{t:?}");
    }

    /// Writes /tmp/chart-<kind>.pdf for each kind, in the report's own style:
    /// `cargo test --release --lib charts::tests::render_pdfs -- --ignored`.
    #[test]
    #[ignore]
    fn render_pdfs() {
        let root = root();
        let mut cases = specs();
        let mut t = table();
        t.source =
            "Kooste-työryhmän laatima havainnollistava paikkamerkkiaineisto; ei todellista kyselyaineistoa".into();
        let mut bars = spec(ChartKind::Bar, "ryhma", &["hyoty", "este"]);
        bars.id = Some("fig-grouped".into());
        cases.push(("grouped-bar", bars));
        let mut one_dot = spec(ChartKind::Dot, "ryhma", &["hyoty"]);
        one_dot.id = Some("fig-dot1".into());
        cases.push(("dot-one", one_dot));
        let mut cases: Vec<(&str, Table, ChartSpec)> = cases.into_iter().map(|(n, s)| (n, t.clone(), s)).collect();
        // A long yearly series with large numbers and a gap.
        let mut years = t.clone();
        years.headers = vec!["vuosi".into(), "menot".into(), "tulot".into()];
        years.labels = vec!["Vuosi".into(), "Menot".into(), "Tulot".into()];
        years.types = vec![ColumnType::Integer, ColumnType::Integer, ColumnType::Integer];
        years.rows = (2000..=2020)
            .map(|y| {
                let k = (y - 2000) as f64;
                let tulot = if y == 2010 { Cell::Empty } else { Cell::Int(1_200_000 + (k * 41_000.0) as i64) };
                vec![Cell::Int(y), Cell::Int(900_000 + (k * k * 3_100.0) as i64), tulot]
            })
            .collect();
        let mut years_spec = spec(ChartKind::Line, "vuosi", &["menot", "tulot"]);
        (years_spec.percent, years_spec.y_label, years_spec.id) = (false, Some("euroa".into()), None);
        cases.push(("line-years", years, years_spec));
        // Negative and tiny values: labels outside the bars, on both sides.
        let mut neg = t.clone();
        neg.rows[1][3] = Cell::Num(-0.2);
        neg.rows[4][3] = Cell::Num(0.01);
        neg.rows[2][2] = Cell::Empty;
        let mut neg_spec = spec(ChartKind::Bar, "ryhma", &["hyoty", "este"]);
        neg_spec.id = None;
        cases.push(("bar-negative", neg.clone(), neg_spec));
        let mut line_text = spec(ChartKind::Line, "ryhma", &["este"]);
        line_text.id = None;
        cases.push(("line-categories", neg, line_text));
        // The project's own data, when it is there.
        let (tables, _) = crate::load::datasets::load_tables(&root);
        let find = |n: &str| tables.iter().find(|t| t.name == n).cloned();
        if let Some(rahoitus) = find("rahoitus") {
            let mut s = spec(ChartKind::Bar, "skenaario", &["toimintakulut"]);
            (s.percent, s.y_label, s.id) = (false, Some("euroa vuodessa".into()), None);
            cases.push(("rahoitus", rahoitus, s));
        }
        if let Some(mallit) = find("mallit") {
            let mut s = spec(
                ChartKind::StackedBar,
                "malli",
                &["omistajuus", "vertaisoppiminen", "kansallinen_kytkenta", "avoimuus", "jatkuvuus", "kustannus"],
            );
            (s.percent, s.y_label, s.id) = (false, Some("pisteet".into()), None);
            cases.push(("mallit", mallit, s));
        }
        for (name, t, spec) in cases {
            let chart = chart_typst(&t, &spec).unwrap();
            let source = format!(
                "#import \"/templates/style.typ\": *\n#show: report-style.with(title: \"Testi\")\n= Luku\n\n{}\n\nTekstiä kuvion jälkeen.\n",
                chart.typst
            );
            let shared = Arc::new(Shared::new(&root, Time::fixed_timestamp(0).unwrap()));
            let world = ReportWorld::new(shared, "/chart-test.typ", source);
            let doc = typst::compile::<PagedDocument>(&world)
                .output
                .unwrap_or_else(|e| panic!("{name}: {e:?}\n{}", chart.typst));
            let pdf = typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).unwrap_or_else(|e| panic!("{e:?}"));
            std::fs::write(Path::new(&format!("/tmp/chart-{name}.pdf")), pdf).unwrap();
        }
    }
}
