//! The drawing: from a chart's rows ([`ChartData`]) and value axis
//! ([`Scale`]), the Typst `let` bindings that hold the data (ticks, series,
//! and per kind the bars, dots or lines, as string literals and fractions of
//! the value axis) and the Typst program that draws them ([`Marks`]), plus
//! the helpers every kind shares ([`COMMON_TYPST`]).

use std::fmt::Write as _;

use super::data::ChartData;
use super::scale::Scale;
use super::{ChartKind, ChartSpec};
use crate::markup::escape::string_literal;

/// Series colours, 6.5:1 to 8.9:1 on white (so white value labels on them pass too).
pub(super) const COLORS: [&str; 6] = ["#0b4f71", "#8a3b12", "#2d6a2e", "#5b3a8c", "#8c1d40", "#4a5560"];

/// Line dash patterns per series (with the marker shapes, series differ without colour).
const DASHES: [&str; 6] = ["solid", "dashed", "dotted", "dash-dotted", "densely-dashed", "loosely-dotted"];

/// A chart's drawing as Typst.
pub(super) struct Marks {
    /// The data as Typst `let` bindings, one a line.
    pub(super) data: String,
    /// The Typst that draws `data`, run inside `layout(size => …)`.
    pub(super) drawing: &'static str,
}

impl Marks {
    /// The drawing of `data` on `scale` as `spec` describes it.
    pub(super) fn new(spec: &ChartSpec, data: &ChartData, scale: &Scale) -> Marks {
        let mut out = common_bindings(spec, data, scale);
        let drawing = match spec.kind {
            ChartKind::Line => {
                line_bindings(&mut out, data, scale);
                LINE_TYPST
            }
            ChartKind::Bar | ChartKind::StackedBar | ChartKind::Dot => {
                hbar_bindings(&mut out, spec, data, scale);
                HBAR_TYPST
            }
        };
        Marks { data: out, drawing }
    }
}

/// The bindings every kind has: `ticks` (position and label), `zero`, `series` and `ylabel`.
fn common_bindings(spec: &ChartSpec, data: &ChartData, scale: &Scale) -> String {
    let mut out = String::new();
    let ticks: Vec<String> = scale
        .ticks
        .iter()
        .map(|&t| format!("({}, {})", float(scale.frac(t)), string_literal(&scale.tick_label(t))))
        .collect();
    let _ = writeln!(out, "  let ticks = ({},)", ticks.join(", "));
    let _ = writeln!(out, "  let zero = {}", float(scale.frac(0.0)));
    let series: Vec<String> = data
        .series
        .iter()
        .enumerate()
        .map(|(k, s)| format!("(label: {}, color: rgb(\"{}\"), dash: \"{}\")", string_literal(s), COLORS[k], DASHES[k]))
        .collect();
    let _ = writeln!(out, "  let series = ({},)", series.join(", "));
    let _ = writeln!(out, "  let ylabel = {}", spec.y_label.as_deref().map_or("none".to_string(), string_literal));
    out
}

/// A line chart's bindings: `xs` (fractions of the x axis), `xlabels`,
/// `lines` (per series, a fraction of the value axis or `none` per x) and `legend`.
fn line_bindings(out: &mut String, data: &ChartData, scale: &Scale) {
    let cats = &data.cats;
    let xs: Vec<f64> = if let Some(xv) = &data.numeric_x {
        let (a, b) = (xv[0], xv[xv.len() - 1]);
        xv.iter().map(|&x| if b > a { (x - a) / (b - a) } else { 0.5 }).collect()
    } else if cats.len() == 1 {
        vec![0.5]
    } else {
        (0..cats.len()).map(|i| i as f64 / (cats.len() - 1) as f64).collect()
    };
    let _ = writeln!(out, "  let xs = ({},)", xs.iter().map(|&x| float(x)).collect::<Vec<_>>().join(", "));
    let _ = writeln!(out, "  let xlabels = {}", literal_list(cats));
    let lines: Vec<String> = (0..data.series.len())
        .map(|k| {
            let ys: Vec<String> =
                data.values.iter().map(|v| v[k].map_or("none".to_string(), |x| float(scale.frac(x)))).collect();
            format!("({},)", ys.join(", "))
        })
        .collect();
    let _ = writeln!(out, "  let lines = ({},)", lines.join(", "));
    let _ = writeln!(out, "  let legend = {}", data.series.len() > 1);
}

/// A horizontal chart's bindings: `mode` (`bar`, `stacked` or `dot`),
/// `legend`, and `rows`, each with its category, its items (series, start
/// and end as fractions of the value axis, value label) and any total.
fn hbar_bindings(out: &mut String, spec: &ChartSpec, data: &ChartData, scale: &Scale) {
    // Totals at the ends of stacked bars, unless every one is 100 %.
    let totals = spec.kind == ChartKind::StackedBar
        && data.series.len() > 1
        && !(spec.percent && data.totals.iter().all(|t| (t - 1.0).abs() < 0.005));
    let rows: Vec<String> = (0..data.cats.len()).map(|r| hbar_row(spec.kind, data, scale, r, totals)).collect();
    let mode = match spec.kind {
        ChartKind::Bar => "bar",
        ChartKind::StackedBar => "stacked",
        _ => "dot",
    };
    let _ = writeln!(out, "  let mode = \"{mode}\"");
    let _ = writeln!(out, "  let legend = {}", data.series.len() > 1);
    let _ = writeln!(out, "  let rows = (\n{}\n  )", rows.join("\n"));
}

/// Row `r` of a horizontal chart as a Typst dictionary, with its `total` when `totals`.
fn hbar_row(kind: ChartKind, data: &ChartData, scale: &Scale, r: usize, totals: bool) -> String {
    let mut items = Vec::new();
    let mut cum = 0.0;
    for (k, v) in data.values[r].iter().enumerate() {
        let Some(v) = *v else { continue };
        let (a, b) = match kind {
            ChartKind::StackedBar => {
                let a = cum;
                cum += v;
                (scale.frac(a), scale.frac(cum))
            }
            ChartKind::Dot => (scale.frac(v), scale.frac(v)),
            _ => (scale.frac(0.0), scale.frac(v)),
        };
        items.push(format!("(s: {k}, a: {}, b: {}, l: {})", float(a), float(b), string_literal(&scale.label(v))));
    }
    let total = if totals {
        let t = data.totals[r];
        format!("(b: {}, l: {})", float(scale.frac(t)), string_literal(&scale.label(t)))
    } else {
        "none".to_string()
    };
    format!(
        "    (cat: {}, items: ({}{}), total: {total}),",
        string_literal(&data.cats[r]),
        items.join(", "),
        if items.len() == 1 { "," } else { "" }
    )
}

/// A Typst array of string literals (`("a",)` for one).
fn literal_list(items: &[String]) -> String {
    let mut s = items.iter().map(|i| string_literal(i)).collect::<Vec<_>>().join(", ");
    if items.len() == 1 {
        s.push(',');
    }
    format!("({s})")
}

/// A float literal for Typst (always with a point or exponent, never NaN).
fn float(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    // Six decimals are far below a hundredth of a point on a page.
    let s = format!("{:.6}", v);
    let s = s.trim_end_matches('0');
    let s = if s.ends_with('.') { format!("{s}0") } else { s.to_string() };
    if s == "-0.0" { "0.0".to_string() } else { s }
}

/// Helpers shared by all kinds.
pub(super) const COMMON_TYPST: &str = r##"  let ink = rgb("#1a1a1a")
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
