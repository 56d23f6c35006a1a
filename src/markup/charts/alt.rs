//! The generated alternative text: from a chart's kind, caption and rows
//! ([`ChartData`]) and its value labels ([`Scale`]), a Finnish description
//! that ends with the dataset's source line, which screen readers would
//! otherwise skip with the drawing. It is a draft's fallback (a final build
//! asks for the author's). A year column reads as time: on the x axis as a
//! range and a trend per series, as values as dates in order; other
//! categories are named with their values, largest first.

use std::fmt::Write as _;

use super::data::ChartData;
use super::scale::Scale;
use super::{ChartKind, ChartSpec};
use crate::load::datasets::Table;

/// A category and a value in it.
type Point<'a> = (&'a String, f64);

/// Categories listed in full up to this many; beyond, the ends.
const ALT_LIST: usize = 12;

/// The Finnish alternative text of the chart of `table` as `spec` describes it, under `caption`.
pub(super) fn generate_alt(spec: &ChartSpec, table: &Table, caption: &str, data: &ChartData, scale: &Scale) -> String {
    let mut alt = format!("{}: {}.", spec.kind.finnish(), caption.trim_end_matches('.'));
    if data.x_years && data.cats.len() > 1 {
        time_series(&mut alt, data, scale);
    } else if data.y_years {
        dates_in_order(&mut alt, data);
    } else {
        values_ranked(&mut alt, spec.kind, data, scale);
    }
    if let Some(y) = &spec.y_label
        && !data.y_years
    {
        let _ = write!(alt, " Arvoakseli: {y}.");
    }
    let _ = write!(alt, " Lähde: {}.", table.source.trim_end_matches('.'));
    if spec.data_table {
        alt.push_str(" Arvot ovat myös taulukkona kuvion alla.");
    }
    alt
}

/// Years on the x axis: their range, then each series' [`trend`].
fn time_series(alt: &mut String, data: &ChartData, scale: &Scale) {
    let cats = &data.cats;
    let _ = write!(alt, " {} {}–{}.", data.x_label, cats[0], cats[cats.len() - 1]);
    for (k, s) in data.series.iter().enumerate() {
        let _ = write!(alt, " {}", trend(s, &points(data, k), scale));
    }
}

/// Years as values (founding years, say): per series, the categories in
/// time order, and the earliest and the latest.
fn dates_in_order(alt: &mut String, data: &ChartData) {
    for (k, s) in data.series.iter().enumerate() {
        let mut dated = points(data, k);
        dated.sort_by(|a, b| a.1.total_cmp(&b.1));
        let of = if data.series.len() > 1 { format!(" ({s})") } else { String::new() };
        let shown = listing(&dated, |(c, x)| format!("{c} {}", *x as i64));
        let _ = write!(alt, " Aikajärjestyksessä{of}: {shown}.");
        if let (Some(first), Some(last)) = (dated.first(), dated.last()) {
            let _ =
                write!(alt, " Varhaisin {} ({}), viimeisin {} ({}).", first.0, first.1 as i64, last.0, last.1 as i64);
        }
    }
}

/// Other values: per series, the categories from the largest value to
/// the smallest, and for stacked bars the totals likewise.
fn values_ranked(alt: &mut String, kind: ChartKind, data: &ChartData, scale: &Scale) {
    for (k, s) in data.series.iter().enumerate() {
        let mut ranked = points(data, k);
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let name = if data.series.len() > 1 { s.clone() } else { "Arvot".into() };
        let shown = listing(&ranked, |(c, x)| format!("{c} {}", scale.label(*x)));
        let _ = write!(alt, " {name} suurimmasta pienimpään: {shown}.");
    }
    if kind == ChartKind::StackedBar && data.series.len() > 1 {
        let mut ranked: Vec<Point> = data.cats.iter().zip(data.totals.iter().copied()).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let shown = listing(&ranked, |(c, x)| format!("{c} {}", scale.label(*x)));
        let _ = write!(alt, " Yhteensä: {shown}.");
    }
}

/// The categories where series `k` has a value, with the value, in drawing order.
fn points(data: &ChartData, k: usize) -> Vec<Point<'_>> {
    data.cats.iter().zip(&data.values).filter_map(|(c, v)| v[k].map(|x| (c, x))).collect()
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
fn trend(name: &str, points: &[Point], scale: &Scale) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return format!("{name}: ei arvoja.");
    };
    let label = |v: f64| scale.label(v);
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
