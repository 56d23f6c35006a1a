//! The value axis: from a chart's kind and values ([`ChartData`]), the
//! value domain, its round ticks ([`nice_ticks`]), the position of any
//! value as a fraction of the axis, and the Finnish tick and value labels
//! ([`Scale`]).

use super::ChartKind;
use super::data::ChartData;
use crate::markup::numbers::format_number;

/// A chart's value axis: its ticks and how values on it print.
pub(super) struct Scale {
    /// The ticks, ascending; the first and last are the ends of the axis.
    pub(super) ticks: Vec<f64>,
    /// The values are fractions and print as percentages.
    percent: bool,
    /// What values are multiplied by to print: 100 for percentages, else 1.
    factor: f64,
    /// The decimals of the tick labels: as many as the tick step needs.
    tick_decimals: usize,
    /// The decimals of the value labels: as many as the data needs (at most 2, 1 for percentages).
    value_decimals: usize,
}

impl Scale {
    /// The value axis for `data` drawn as `kind`; `percent` values print as percentages.
    pub(super) fn new(kind: ChartKind, data: &ChartData, percent: bool) -> Scale {
        let (lo, hi) = domain(kind, data);
        let integral = !percent && data.integer_columns;
        let ticks = nice_ticks(lo, hi, integral);
        let factor = if percent { 100.0 } else { 1.0 };
        let tick_decimals =
            (0..=6).find(|&d| is_whole((ticks[1] - ticks[0]) * factor * 10f64.powi(d))).unwrap_or(6) as usize;
        let max_dec = if percent { 1 } else { 2 };
        let value_decimals = data
            .values
            .iter()
            .flatten()
            .flatten()
            .map(|&v| format_number(v * factor, None, u64::MAX).split_once(',').map_or(0, |(_, f)| f.len()))
            .max()
            .unwrap_or(0)
            .min(max_dec);
        Scale { ticks, percent, factor, tick_decimals, value_decimals }
    }

    /// Where `v` lies on the axis, from 0 (first tick) to 1 (last tick), clamped.
    pub(super) fn frac(&self, v: f64) -> f64 {
        let (t0, t1) = (self.ticks[0], self.ticks[self.ticks.len() - 1]);
        ((v - t0) / (t1 - t0)).clamp(0.0, 1.0)
    }

    /// `v` in Finnish with `decimals` decimals, as a percentage when the scale's values are.
    fn format(&self, v: f64, decimals: usize) -> String {
        let s = format_number(v * self.factor, Some(decimals), 10_000);
        if self.percent { format!("{s}\u{a0}%") } else { s }
    }

    /// The label of tick `t`.
    pub(super) fn tick_label(&self, t: f64) -> String {
        self.format(t, self.tick_decimals)
    }

    /// The label of the value `v` (on a bar or dot, and in the alternative text).
    pub(super) fn label(&self, v: f64) -> String {
        self.format(v, self.value_decimals)
    }
}

/// The range of values the axis must cover: bars from zero, stacked bars
/// up to the largest total, lines and dots around the data (from zero when
/// the data is not far from it); never empty.
fn domain(kind: ChartKind, data: &ChartData) -> (f64, f64) {
    let all = data.values.iter().flatten().flatten().copied();
    let (mut lo, mut hi) = (all.clone().fold(f64::INFINITY, f64::min), all.fold(f64::NEG_INFINITY, f64::max));
    match kind {
        ChartKind::Bar => (lo, hi) = (lo.min(0.0), hi.max(0.0)),
        ChartKind::StackedBar => (lo, hi) = (0.0, data.totals.iter().copied().fold(0.0, f64::max)),
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
    (lo, hi)
}

/// Whether `v` is a whole number, within rounding error.
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

#[cfg(test)]
mod tests {
    use super::nice_ticks;

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
}
