//! `table()` and `chart()`: template functions that generate Typst blocks
//! from datasets. In a Markdown template a block stands in the text as a
//! `<!--kooste:block:N-->` token, collected with the labels it defines in
//! the render's [`Generated`] (a minijinja temp object, so each render has
//! its own); in a Typst template the block is the Typst itself.

use std::sync::{Arc, Mutex};

use minijinja::value::{Kwargs, Object, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State};

use super::data::{find, find_column};
use crate::load::datasets::Table;
use crate::markdown::BLOCK_TOKEN;
use crate::markup::table::table_typst;

/// Adds `table()` and `chart()` to `env`.
pub fn register(env: &mut Environment<'static>, tables: &Arc<Vec<Table>>) {
    {
        let tables = tables.clone();
        env.add_function("chart", move |state: &State, dataset: &str, kwargs: Kwargs| {
            chart(state, &tables, dataset, kwargs)
        });
    }
    let tables = tables.clone();
    env.add_function("table", move |state: &State, dataset: &str, kwargs: Kwargs| {
        table(state, &tables, dataset, kwargs)
    });
}

/// The name of the render's [`Collector`] temp object.
const COLLECTOR: &str = "kooste.generated";

/// What the template functions of one render generated.
#[derive(Debug, Default)]
pub struct Generated {
    /// Typst blocks, addressed by `<!--kooste:block:N-->` tokens in the text.
    pub blocks: Vec<String>,
    /// Labels those blocks define (`table(..., id="tbl-x")`).
    pub labels: Vec<String>,
    /// Indices in `blocks` of charts whose alternative text is generated.
    pub charts_without_alt: Vec<usize>,
    /// Indices in `blocks` of tables too wide for the page even at the
    /// smallest size, with the characters they need and a line holds.
    pub wide_tables: Vec<(usize, usize, usize)>,
}

/// Collects [`Generated`] during one render.
#[derive(Debug, Default)]
struct Collector(Mutex<Generated>);

impl Object for Collector {}

impl Collector {
    fn of(state: &State) -> Arc<Collector> {
        state.get_or_set_temp_object(COLLECTOR, Collector::default)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Generated) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}

/// What the render behind `state` generated (empty if nothing was).
pub fn take_generated(state: &State) -> Generated {
    match state.get_temp(COLLECTOR).and_then(|v| v.downcast_object::<Collector>()) {
        Some(collector) => collector.with(std::mem::take),
        None => Generated::default(),
    }
}

/// `table("dataset", caption=…, id="tbl-…", columns=[…], headers=[…])`: a
/// numbered table figure with a header row and the dataset's source line.
fn table(state: &State, tables: &[Table], dataset: &str, kwargs: Kwargs) -> Result<Value, Error> {
    let table = find(tables, dataset)?;
    let caption: Option<String> = kwargs.get("caption")?;
    let id: Option<String> = kwargs.get("id")?;
    let columns: Option<Vec<String>> = kwargs.get("columns")?;
    let headers: Option<Vec<String>> = kwargs.get("headers")?;
    kwargs.assert_all_used()?;

    let indices: Vec<usize> = match &columns {
        Some(cols) => cols.iter().map(|c| find_column(table, c)).collect::<Result<_, _>>()?,
        None => (0..table.headers.len()).collect(),
    };
    if let Some(h) = &headers
        && h.len() != indices.len()
    {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("headers has {} names for {} columns", h.len(), indices.len()),
        ));
    }
    if let Some(id) = &id
        && !crate::markup::escape::is_label_name(id)
    {
        return Err(Error::new(ErrorKind::InvalidOperation, format!("`{id}` is not a valid label")));
    }

    let mut caption = caption.unwrap_or_else(|| table.title.clone());
    if table.illustrative {
        caption.push_str(" (havainnollistava aineisto)");
    }
    let (typst, too_wide) = table_typst(table, &indices, headers.as_deref(), &caption, id.as_deref());

    if let Some(id) = id {
        Collector::of(state).with(|g| g.labels.push(id));
    }
    let block = generated_block(state, typst);
    if let Some((need, holds)) = too_wide
        && matches!(state.auto_escape(), AutoEscape::Custom("markdown"))
    {
        Collector::of(state).with(|g| g.wide_tables.push((g.blocks.len() - 1, need, holds)));
    }
    Ok(block)
}

/// `chart("dataset", kind="bar", x="col", y="col" or ["a", "b"], caption=…,
/// id="fig-…", alt=…, y_label=…, percent=false, data_table=false)`: a
/// numbered vector chart (with `data_table`, its values in a table under it).
fn chart(state: &State, tables: &[Table], dataset: &str, kwargs: Kwargs) -> Result<Value, Error> {
    let table = find(tables, dataset)?;
    let kind_name: String = kwargs.get::<Option<String>>("kind")?.unwrap_or_else(|| "bar".into());
    let kind = crate::markup::charts::ChartKind::from_name(&kind_name).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("unknown chart kind `{kind_name}` (kinds: bar, stacked-bar, line, dot)"),
        )
    })?;
    let x: String = kwargs.get("x")?;
    let y: Value = kwargs.get("y")?;
    let y: Vec<String> = match y.as_str() {
        Some(one) => vec![one.to_string()],
        None => y.try_iter()?.map(|v| v.to_string()).collect(),
    };
    let caption: Option<String> = kwargs.get("caption")?;
    let spec = crate::markup::charts::ChartSpec {
        kind,
        x,
        y,
        caption: caption.unwrap_or_else(|| table.title.clone()),
        id: kwargs.get("id")?,
        alt: kwargs.get("alt")?,
        y_label: kwargs.get("y_label")?,
        percent: kwargs.get::<Option<bool>>("percent")?.unwrap_or(false),
        data_table: kwargs.get::<Option<bool>>("data_table")?.unwrap_or(false),
    };
    kwargs.assert_all_used()?;
    let chart =
        crate::markup::charts::chart_typst(table, &spec).map_err(|e| Error::new(ErrorKind::InvalidOperation, e))?;
    if let Some(id) = spec.id.clone() {
        Collector::of(state).with(|g| g.labels.push(id));
    }
    let block = generated_block(state, chart.typst);
    if spec.alt.is_none() && matches!(state.auto_escape(), AutoEscape::Custom("markdown")) {
        Collector::of(state).with(|g| {
            let index = g.blocks.len() - 1;
            g.charts_without_alt.push(index);
        });
    }
    Ok(block)
}

/// Generated Typst as a template value: a token standing for the block in
/// Markdown templates, the Typst itself in Typst templates.
fn generated_block(state: &State, typst: String) -> Value {
    if matches!(state.auto_escape(), AutoEscape::Custom("markdown")) {
        let index = Collector::of(state).with(|g| {
            g.blocks.push(typst);
            g.blocks.len() - 1
        });
        // On its own line this is an HTML block that the converter replaces.
        Value::from_safe_string(format!("<!--{BLOCK_TOKEN}{index}-->"))
    } else {
        Value::from_safe_string(typst)
    }
}
