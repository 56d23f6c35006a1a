//! The checked data of a chart: from a [`Table`] and a [`ChartSpec`], the
//! column indices ([`Columns`], or an author-facing error naming the columns
//! there are) and then the rows in drawing order ([`ChartData`]: category
//! texts, the values per row and series, row totals, series and x labels,
//! and whether the columns hold years).

use super::marks::COLORS;
use super::{ChartKind, ChartSpec};
use crate::load::datasets::{Cell, ColumnType, Table};
use crate::markup::numbers::format_number;

/// The columns a chart draws, found and checked.
pub(super) struct Columns {
    /// The index of the category (or x) column.
    pub(super) x: usize,
    /// The indices of the value columns, one per series, in `spec.y` order.
    pub(super) y: Vec<usize>,
}

impl Columns {
    /// Finds `spec.x` and `spec.y` in `table`: there must be rows, and from
    /// one to [`COLORS`]`.len()` numeric `y` columns, each with a value.
    pub(super) fn find(table: &Table, spec: &ChartSpec) -> Result<Columns, String> {
        if table.rows.is_empty() {
            return Err(format!("dataset `{}` has no rows: there is nothing to chart", table.name));
        }
        let x = table.column(&spec.x).ok_or_else(|| {
            format!("dataset `{}` has no column `{}` (columns: {})", table.name, spec.x, columns(table))
        })?;
        if spec.y.is_empty() {
            return Err(format!(
                "a chart needs at least one value column in `y` (columns of `{}`: {})",
                table.name,
                columns(table)
            ));
        }
        if spec.y.len() > COLORS.len() {
            return Err(format!("a chart can show at most {} series; `y` names {}", COLORS.len(), spec.y.len()));
        }
        let y = spec.y.iter().map(|name| value_column(table, name)).collect::<Result<Vec<_>, _>>()?;
        Ok(Columns { x, y })
    }
}

/// The comma-separated column names of `table`, for error messages.
fn columns(table: &Table) -> String {
    table.headers.join(", ")
}

/// The index of the numeric column `name`, which must have at least one value.
fn value_column(table: &Table, name: &str) -> Result<usize, String> {
    let i = table
        .column(name)
        .ok_or_else(|| format!("dataset `{}` has no column `{name}` (columns: {})", table.name, columns(table)))?;
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
    Ok(i)
}

/// A chart's rows in drawing order, as the marks, the scale and the
/// alternative text need them.
pub(super) struct ChartData {
    /// The category (or x) of each row, as text.
    pub(super) cats: Vec<String>,
    /// The value of each series in each row (`values[row][series]`), `None` where empty.
    pub(super) values: Vec<Vec<Option<f64>>>,
    /// The sum of each row's values.
    pub(super) totals: Vec<f64>,
    /// The label of each series (the display names of the `y` columns).
    pub(super) series: Vec<String>,
    /// The display name of the x column.
    pub(super) x_label: String,
    /// The x value of each row, for a line chart over a numeric x column
    /// (rows are then sorted by it); `None` for every other chart.
    pub(super) numeric_x: Option<Vec<f64>>,
    /// Every value column holds integers.
    pub(super) integer_columns: bool,
    /// The x column holds years: the chart is a time series.
    pub(super) x_years: bool,
    /// The value columns hold years (founding years, say): times, not magnitudes.
    pub(super) y_years: bool,
}

impl ChartData {
    /// The rows of `table` in the `columns` found for `spec`. A line over a
    /// numeric x runs in x order and needs every x; a stacked bar chart
    /// needs values of zero or more.
    pub(super) fn new(table: &Table, spec: &ChartSpec, columns: &Columns) -> Result<ChartData, String> {
        let (xi, yi) = (columns.x, &columns.y);
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
        let totals: Vec<f64> = values.iter().map(|v| v.iter().flatten().sum()).collect();
        Ok(ChartData {
            cats,
            values,
            totals,
            series,
            x_label: table.labels[xi].clone(),
            numeric_x: numeric_x.then(|| rows.iter().map(|r| r[xi].as_f64().unwrap_or(0.0)).collect()),
            integer_columns: yi.iter().all(|&i| table.types[i] == ColumnType::Integer),
            x_years: year_column(table, xi),
            y_years: yi.iter().all(|&i| year_column(table, i)),
        })
    }
}

/// Whether column `i` holds years: whole numbers from 1800 to 2100.
fn year_column(table: &Table, i: usize) -> bool {
    table.types[i] == ColumnType::Integer
        && table.rows.iter().filter_map(|r| r[i].as_f64()).all(|v| (1800.0..=2100.0).contains(&v))
        && table.rows.iter().any(|r| r[i].as_f64().is_some())
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

/// A row for an error message: its first text column, `header = value`.
fn describe_row(table: &Table, row: &[Cell]) -> String {
    table
        .headers
        .iter()
        .zip(row)
        .find(|(_, c)| matches!(c, Cell::Text(_)))
        .map_or("no text".into(), |(h, c)| format!("{h} = {}", cell_text(c)))
}
