//! The `data` global and the aggregate functions (`sum`, `mean`, `min`,
//! `max`, `count`): datasets as template values, built lazily so a large
//! dataset costs no memory until a template reads it.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr, Value};
use minijinja::{Environment, Error, ErrorKind};

use crate::load::datasets::{Cell, ColumnType, Table};

/// Adds `data` and the aggregate functions to `env`.
pub fn register(env: &mut Environment<'static>, tables: &Arc<Vec<Table>>) {
    env.add_global("data", data_value(tables));
    for (name, agg) in [("sum", Agg::Sum), ("mean", Agg::Mean), ("min", Agg::Min), ("max", Agg::Max)] {
        let tables = tables.clone();
        env.add_function(name, move |dataset: &str, column: &str| aggregate(&tables, dataset, column, agg));
    }
    let tables = tables.clone();
    env.add_function("count", move |dataset: &str| find(&tables, dataset).map(|t| t.rows.len()));
}

pub fn find<'t>(tables: &'t [Table], name: &str) -> Result<&'t Table, Error> {
    tables.iter().find(|t| t.name == name).ok_or_else(|| {
        let known: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        Error::new(ErrorKind::InvalidOperation, format!("unknown dataset `{name}` (known: {})", known.join(", ")))
            .with_source(UnknownDataset(name.to_string()))
    })
}

/// The typed cause of an "unknown dataset" error: the name asked for.
#[derive(Debug)]
pub struct UnknownDataset(pub String);

impl std::fmt::Display for UnknownDataset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no dataset is named `{}`", self.0)
    }
}

impl std::error::Error for UnknownDataset {}

impl UnknownDataset {
    /// The cause of `err`, when it is an unknown dataset.
    pub fn of(err: &Error) -> Option<&UnknownDataset> {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
        while let Some(c) = cause {
            if let Some(unknown) = c.downcast_ref::<UnknownDataset>() {
                return Some(unknown);
            }
            cause = c.source();
        }
        None
    }
}

pub fn find_column(table: &Table, column: &str) -> Result<usize, Error> {
    table.column(column).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("dataset `{}` has no column `{column}` (columns: {})", table.name, table.headers.join(", ")),
        )
    })
}

#[derive(Clone, Copy)]
enum Agg {
    Sum,
    Mean,
    Min,
    Max,
}

/// An aggregate over a numeric column; empty cells are skipped.
fn aggregate(tables: &[Table], dataset: &str, column: &str, agg: Agg) -> Result<Value, Error> {
    let table = find(tables, dataset)?;
    let i = find_column(table, column)?;
    if table.types[i] == ColumnType::Text {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("column `{column}` of `{dataset}` is text, not numeric"),
        ));
    }
    let values: Vec<f64> = table.rows.iter().filter_map(|r| r[i].as_f64()).collect();
    if values.is_empty() {
        return Err(Error::new(ErrorKind::InvalidOperation, format!("column `{column}` of `{dataset}` has no values")));
    }
    let result = match agg {
        Agg::Sum => values.iter().sum(),
        Agg::Mean => values.iter().sum::<f64>() / values.len() as f64,
        Agg::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
        Agg::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    };
    let integral = table.types[i] == ColumnType::Integer && !matches!(agg, Agg::Mean);
    Ok(if integral { Value::from(result as i64) } else { Value::from(result) })
}

/// `data`: every dataset, with its rows as maps from column name to value.
/// Built lazily: a row becomes a template value only when a template reads
/// it, so a large dataset costs no memory until it is used.
fn data_value(tables: &Arc<Vec<Table>>) -> Value {
    Value::from_object(DataObject(tables.clone()))
}

/// The `data` object: dataset name → [`TableObject`].
#[derive(Debug)]
struct DataObject(Arc<Vec<Table>>);

impl Object for DataObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let index = self.0.iter().position(|t| Some(t.name.as_str()) == key.as_str())?;
        Some(Value::from_object(TableObject(self.0.clone(), index)))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.0.iter().map(|t| Value::from(t.name.clone())).collect())
    }
}

/// One dataset: `title`, `source`, `illustrative`, `columns`, `rows`.
#[derive(Debug)]
struct TableObject(Arc<Vec<Table>>, usize);

impl Object for TableObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let table = &self.0[self.1];
        Some(match key.as_str()? {
            "title" => Value::from(table.title.clone()),
            "source" => Value::from(table.source.clone()),
            "illustrative" => Value::from(table.illustrative),
            "columns" => Value::from_serialize(&table.headers),
            "rows" => Value::from_object(RowsObject(self.0.clone(), self.1)),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["title", "source", "illustrative", "columns", "rows"])
    }
}

/// The rows of a dataset, each made a map when it is read.
#[derive(Debug)]
struct RowsObject(Arc<Vec<Table>>, usize);

impl Object for RowsObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let table = &self.0[self.1];
        let row = table.rows.get(key.as_usize()?)?;
        let map: BTreeMap<&str, &Cell> = table.headers.iter().map(String::as_str).zip(row.iter()).collect();
        Some(Value::from_serialize(&map))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0[self.1].rows.len())
    }
}
