//! minijinja over the project: Markdown sources are rendered as templates
//! before they are parsed, and each output's template under `templates/`
//! renders the converted chapters into one Typst source.
//!
//! One [`Renderer`] (one minijinja environment) serves the whole build.
//! Values are escaped by default: in Markdown templates for Markdown, in
//! Typst templates for Typst markup, so a `*` or `#` in a CSV cell or in
//! report.toml prints as itself. Generated Typst (converted chapters, tables)
//! is marked safe and passes through.
//!
//! Template comments are `{## … ##}`: Jinja's `{# … #}` would swallow
//! Quarto-style `{#sec-id}` attributes.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Enumerator, Kwargs, Object, ObjectRepr, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior};

use crate::diagnostics::{Diagnostic, offset_of};
use crate::markdown::{BLOCK_TOKEN, escape_text, string_literal};
use crate::tables::{Cell, ColumnType, Table};

/// The folder of output templates and style files, relative to the root.
pub const TEMPLATES_DIR: &str = "templates";

thread_local! {
    /// Typst blocks generated while rendering one Markdown template; the
    /// text refers to them by `<!--kooste:block:N-->` tokens.
    static BLOCKS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// Labels defined by generated blocks (`table(..., id="tbl-x")`).
    static LABELS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// Blocks that are charts without an author-written `alt`.
    static NO_ALT: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// A rendered Markdown template.
#[derive(Debug, Clone, Default)]
pub struct RenderedMarkdown {
    /// Markdown text with block tokens.
    pub text: String,
    /// For each line of `text` (0-based), the template line (1-based) it came
    /// from; empty when the lines correspond one to one.
    pub line_map: Vec<usize>,
    /// Generated Typst blocks referred to by tokens in `text`.
    pub blocks: Vec<String>,
    /// Labels the generated blocks define.
    pub labels: Vec<String>,
    /// Indices in `blocks` of charts whose alternative text is generated.
    pub charts_without_alt: Vec<usize>,
}

impl RenderedMarkdown {
    /// The 1-based template line of the block `index`'s token (where its
    /// `{{ chart(...) }}` or `{{ table(...) }}` call stands).
    pub fn block_line(&self, index: usize) -> Option<usize> {
        let at = self.text.find(&format!("<!--{BLOCK_TOKEN}{index}-->"))?;
        let line = self.text[..at].matches('\n').count();
        Some(if self.line_map.is_empty() { line + 1 } else { self.line_map.get(line).copied().unwrap_or(1) })
    }
}

/// The minijinja environment with kooste's filters and functions.
pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    /// Creates the environment; `tables` back `data`, `table()` and the aggregates.
    pub fn new(root: &Path, tables: Arc<Vec<Table>>) -> Renderer {
        let mut env = Environment::new();
        let syntax =
            SyntaxConfig::builder().comment_delimiters("{##", "##}").build().expect("constant delimiters are valid");
        env.set_syntax(syntax);
        env.set_debug(true);
        env.set_keep_trailing_newline(true);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".md") {
                AutoEscape::Custom("markdown")
            } else if name.ends_with(".typ") || name.ends_with(".typ.j2") {
                AutoEscape::Custom("typst")
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(|out, state, value| {
            if value.is_safe() || value.is_undefined() {
                return minijinja::escape_formatter(out, state, value);
            }
            let text = if value.is_none() { String::new() } else { value.to_string() };
            let escaped = match state.auto_escape() {
                AutoEscape::Custom("markdown") => escape_markdown(&text),
                AutoEscape::Custom("typst") => escape_text(&text, true),
                _ => text,
            };
            out.write_str(&escaped).map_err(|e| Error::new(ErrorKind::WriteFailure, e.to_string()))
        });

        // Templates under templates/ only: include/extends cannot leave it.
        let dir = root.join(TEMPLATES_DIR);
        env.set_loader(move |name| {
            if name.contains("..") || name.starts_with('/') || name.contains('\\') {
                return Ok(None);
            }
            match std::fs::read_to_string(dir.join(name)) {
                Ok(text) => Ok(Some(text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Error::new(ErrorKind::InvalidOperation, format!("cannot read template {name} ({e})"))),
            }
        });

        env.add_filter("num", |v: f64, decimals: Option<usize>| format_number(v, decimals, 1000));
        env.add_filter("pct", |v: f64, decimals: Option<usize>| {
            format!("{}\u{a0}%", format_number(v * 100.0, Some(decimals.unwrap_or(0)), 1000))
        });
        env.add_filter("str", |v: Value| {
            Value::from_safe_string(string_literal(&if v.is_none() { String::new() } else { v.to_string() }))
        });
        env.add_filter("typst", |v: &str| Value::from_safe_string(escape_text(v, true)));

        env.add_global("data", data_value(&tables));
        for (name, agg) in [("sum", Agg::Sum), ("mean", Agg::Mean), ("min", Agg::Min), ("max", Agg::Max)] {
            let tables = tables.clone();
            env.add_function(name, move |dataset: &str, column: &str| aggregate(&tables, dataset, column, agg));
        }
        {
            let tables = tables.clone();
            env.add_function("count", move |dataset: &str| find(&tables, dataset).map(|t| t.rows.len()));
        }
        {
            let tables = tables.clone();
            env.add_function("chart", move |state: &State, dataset: &str, kwargs: Kwargs| {
                chart(state, &tables, dataset, kwargs)
            });
        }
        env.add_function("table", move |state: &State, dataset: &str, kwargs: Kwargs| {
            table(state, &tables, dataset, kwargs)
        });
        Renderer { env }
    }

    /// Renders a Markdown source (chapter, case, …) with `ctx`; `name` is its
    /// project-relative path.
    pub fn render_markdown(&self, name: &Path, body: &str, ctx: &Value) -> Result<RenderedMarkdown, Diagnostic> {
        BLOCKS.with(|b| b.borrow_mut().clear());
        LABELS.with(|l| l.borrow_mut().clear());
        NO_ALT.with(|n| n.borrow_mut().clear());
        let name_str = name.to_string_lossy().replace('\\', "/");
        let result = self.env.render_named_str(&name_str, body, ctx);
        let blocks = BLOCKS.with(|b| std::mem::take(&mut *b.borrow_mut()));
        let labels = LABELS.with(|l| std::mem::take(&mut *l.borrow_mut()));
        let charts_without_alt = NO_ALT.with(|n| std::mem::take(&mut *n.borrow_mut()));
        let text = result.map_err(|err| template_error(name, body, &err))?;
        let line_map = line_map(body, &text);
        Ok(RenderedMarkdown { text, line_map, blocks, labels, charts_without_alt })
    }

    /// Renders the output template `templates/<template>` with `ctx`.
    pub fn render_output(&self, root: &Path, template: &str, ctx: &Value) -> Result<String, Diagnostic> {
        let rel = Path::new(TEMPLATES_DIR).join(template);
        let tmpl = self.env.get_template(template).map_err(|err| {
            if err.kind() == ErrorKind::TemplateNotFound && err.name().is_none_or(|n| n == template) {
                Diagnostic::error(
                    crate::project::CONFIG_PATH,
                    None,
                    format!("template `{template}` not found in templates/"),
                )
                .with_hint("check the template name of this [[output]] in report.toml")
            } else {
                template_error_in_file(root, &err, &rel)
            }
        })?;
        tmpl.render(ctx).map_err(|err| template_error_in_file(root, &err, &rel))
    }
}

/// A minijinja error in a Markdown template whose text is `body`.
fn template_error(path: &Path, body: &str, err: &Error) -> Diagnostic {
    let range = err.range().filter(|r| r.end <= body.len()).or_else(|| {
        err.line().map(|l| {
            let start = offset_of(body, l, 1);
            start..crate::diagnostics::line_range(body, start).end
        })
    });
    // A tag left open reads on into the following lines, and minijinja
    // fails where the text stops looking like an expression. Point at the
    // opening tag instead, and say where minijinja stopped.
    let unclosed = match (&range, err.kind()) {
        (Some(r), ErrorKind::SyntaxError) => unclosed_tag_before(body, r.start),
        _ => None,
    };
    let mut diag = match (unclosed, &range) {
        (Some(open), Some(at)) => {
            let stopped = body[..at.start].matches('\n').count() + 1;
            Diagnostic::error(path, Some(open..open + 2), format!("template: {}", describe(err))).with_hint(format!(
                "this `{}` is not closed: the template reads on to line {stopped}, where it stops making sense",
                &body[open..open + 2]
            ))
        }
        _ => Diagnostic::error(path, range, format!("template: {}", describe(err))),
    };
    if let Some(hint) = hint_for(err) {
        diag = diag.with_hint(hint);
    }
    diag
}

/// The offset of the last `{{` or `{%` before `at` that is still open
/// there (no `}}` or `%}` after it), on an earlier line than `at`.
fn unclosed_tag_before(body: &str, at: usize) -> Option<usize> {
    let before = body.get(..at)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    [("{{", "}}"), ("{%", "%}")]
        .iter()
        .filter_map(|(open, close)| {
            let i = before.rfind(open)?;
            (!before[i..].contains(close)).then_some(i)
        })
        .max()
        .filter(|&i| i < line_start)
}

/// A minijinja error in an output template (or a template it includes).
fn template_error_in_file(root: &Path, err: &Error, fallback: &Path) -> Diagnostic {
    let path = err.name().map(|n| Path::new(TEMPLATES_DIR).join(n)).unwrap_or_else(|| fallback.to_path_buf());
    let text = std::fs::read_to_string(root.join(&path)).unwrap_or_default();
    template_error(&path, &text, err)
}

fn describe(err: &Error) -> String {
    let kind = err.kind().to_string();
    match err.detail() {
        Some(detail) => format!("{kind}: {detail}"),
        None => kind,
    }
}

fn hint_for(err: &Error) -> Option<String> {
    match err.kind() {
        ErrorKind::UndefinedError => {
            Some("check the spelling; datasets are `data.<name>`, front matter fields `case.<field>`".into())
        }
        ErrorKind::SyntaxError => Some("template tags are {{ … }}, {% … %} and comments {## … ##}".into()),
        _ => None,
    }
}

/// Maps each rendered line to the template line it came from. Lines that
/// loops or functions add map to the line of the tag that made them.
pub fn line_map(template: &str, rendered: &str) -> Vec<usize> {
    if template.lines().count() == rendered.lines().count() {
        return Vec::new();
    }
    let diff = similar::TextDiff::from_lines(template, rendered);
    let mut map = vec![1; rendered.lines().count()];
    for op in diff.ops() {
        match *op {
            similar::DiffOp::Equal { old_index, new_index, len } => {
                for k in 0..len {
                    map[new_index + k] = old_index + k + 1;
                }
            }
            similar::DiffOp::Insert { old_index, new_index, new_len } => {
                for k in 0..new_len {
                    map[new_index + k] = old_index.max(1);
                }
            }
            similar::DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                for k in 0..new_len {
                    map[new_index + k] = old_index + k.min(old_len.saturating_sub(1)) + 1;
                }
            }
            similar::DiffOp::Delete { .. } => {}
        }
    }
    map
}

/// Escapes text for Markdown so that data never becomes emphasis, links,
/// HTML, citations, table cell breaks or (at the start of a line) lists and
/// headings. Characters that are inert inside a line, such as `-` in
/// `ruotsin-alueforum`, stay as they are, so values can also build labels
/// (`@sec-case-{{ c.id }}`).
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in s.chars().enumerate() {
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '!' | '{' | '}' | '@' | '#' | '$'
            | '^' => true,
            '-' | '+' | '=' | ':' => i == 0,
            '.' | ')' => digits > 0 && i == digits,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        if c == '\n' || c == '\r' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// Finnish number formatting: decimal comma, no-break space between groups
/// of three digits from `group_from` up, U+2212 for minus. `decimals`
/// `None` gives at most two decimals without trailing zeros.
pub fn format_number(value: f64, decimals: Option<usize>, group_from: u64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let fixed = match decimals {
        Some(d) => format!("{:.*}", d.min(10), value.abs()),
        None => {
            let s = format!("{:.2}", value.abs());
            let s = s.trim_end_matches('0').trim_end_matches('.');
            s.to_string()
        }
    };
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let grouped = if int.parse::<u64>().is_ok_and(|n| n >= group_from) {
        let mut g = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                g.push('\u{a0}');
            }
            g.push(ch);
        }
        g
    } else {
        int.to_string()
    };
    let negative = value < 0.0 && fixed.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = String::new();
    if negative {
        out.push('\u{2212}');
    }
    out.push_str(&grouped);
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

fn find<'t>(tables: &'t [Table], name: &str) -> Result<&'t Table, Error> {
    tables.iter().find(|t| t.name == name).ok_or_else(|| {
        let known: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        Error::new(ErrorKind::InvalidOperation, format!("unknown dataset `{name}` (known: {})", known.join(", ")))
    })
}

fn find_column(table: &Table, column: &str) -> Result<usize, Error> {
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
        && !crate::markdown::is_label_name(id)
    {
        return Err(Error::new(ErrorKind::InvalidOperation, format!("`{id}` is not a valid label")));
    }

    let mut caption = caption.unwrap_or_else(|| table.title.clone());
    if table.illustrative {
        caption.push_str(" (havainnollistava aineisto)");
    }
    let typst = table_typst(table, &indices, headers.as_deref(), &caption, id.as_deref());

    if let Some(id) = id {
        LABELS.with(|l| l.borrow_mut().push(id));
    }
    Ok(generated_block(state, typst))
}

/// `chart("dataset", kind="bar", x="col", y="col" or ["a", "b"], caption=…,
/// id="fig-…", alt=…, y_label=…, percent=false, data_table=false)`: a
/// numbered vector chart (with `data_table`, its values in a table under it).
fn chart(state: &State, tables: &[Table], dataset: &str, kwargs: Kwargs) -> Result<Value, Error> {
    let table = find(tables, dataset)?;
    let kind_name: String = kwargs.get::<Option<String>>("kind")?.unwrap_or_else(|| "bar".into());
    let kind = crate::charts::ChartKind::from_name(&kind_name).ok_or_else(|| {
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
    let spec = crate::charts::ChartSpec {
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
    let chart = crate::charts::chart_typst(table, &spec).map_err(|e| Error::new(ErrorKind::InvalidOperation, e))?;
    if let Some(id) = spec.id.clone() {
        LABELS.with(|l| l.borrow_mut().push(id));
    }
    let block = generated_block(state, chart.typst);
    if spec.alt.is_none() {
        let index = BLOCKS.with(|b| b.borrow().len()).checked_sub(1);
        if let Some(index) = index.filter(|_| matches!(state.auto_escape(), AutoEscape::Custom("markdown"))) {
            NO_ALT.with(|n| n.borrow_mut().push(index));
        }
    }
    Ok(block)
}

/// Generated Typst as a template value: a token standing for the block in
/// Markdown templates, the Typst itself in Typst templates.
fn generated_block(state: &State, typst: String) -> Value {
    if matches!(state.auto_escape(), AutoEscape::Custom("markdown")) {
        let index = BLOCKS.with(|b| {
            let mut b = b.borrow_mut();
            b.push(typst);
            b.len() - 1
        });
        // On its own line this is an HTML block that the converter replaces.
        Value::from_safe_string(format!("<!--{BLOCK_TOKEN}{index}-->"))
    } else {
        Value::from_safe_string(typst)
    }
}

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
    let columns = crate::table_layout::columns(&texts);
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
    let footer_from = crate::table_layout::footer_from(texts.len() - 1);
    for (r, row) in texts[1..].iter().enumerate() {
        if Some(r) == footer_from {
            out.push_str("    table.footer(repeat: false,\n");
        }
        out.push_str("    ");
        for text in row {
            out.push('[');
            out.push_str(&escape_text(text, true));
            out.push_str("], ");
        }
        out.push('\n');
    }
    if footer_from.is_some() {
        out.push_str("    ),\n");
    }
    out.push_str("  )");
    out.push_str(&crate::markdown::source_line(&table.source));
    out.push_str("],\n)");
    if let Some(id) = id {
        out.push_str(&format!(" #label({})", string_literal(id)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finnish_numbers() {
        assert_eq!(format_number(1234.5, Some(1), 1000), "1\u{a0}234,5");
        assert_eq!(format_number(-0.5, None, 1000), "\u{2212}0,5");
        assert_eq!(format_number(2009.0, None, 10_000), "2009");
        assert_eq!(format_number(1_000_000.0, Some(0), 1000), "1\u{a0}000\u{a0}000");
        assert_eq!(format_number(-0.001, Some(1), 1000), "0,0");
    }

    #[test]
    fn markdown_escaping() {
        assert_eq!(escape_markdown("*a* | #b [c](d) @k"), "\\*a\\* \\| \\#b \\[c\\](d) \\@k");
        assert_eq!(escape_markdown("- x-y"), "\\- x-y");
        assert_eq!(escape_markdown("19. maaliskuuta"), "19\\. maaliskuuta");
    }

    #[test]
    fn quarto_attributes_survive_templating() {
        let renderer = Renderer::new(Path::new("."), Arc::new(Vec::new()));
        let out = renderer
            .render_markdown(Path::new("a.md"), "# A {#sec-a}\n{## hidden ##}\n![x](y.png){#fig-y}\n", &Value::from(()))
            .unwrap();
        assert_eq!(out.text, "# A {#sec-a}\n\n![x](y.png){#fig-y}\n");
    }

    #[test]
    fn values_are_escaped_for_markdown() {
        let renderer = Renderer::new(Path::new("."), Arc::new(Vec::new()));
        let ctx = Value::from_serialize(BTreeMap::from([("x", "*bold* #h")]));
        let out = renderer.render_markdown(Path::new("a.md"), "{{ x }}", &ctx).unwrap();
        assert_eq!(out.text, "\\*bold\\* \\#h");
    }

    #[test]
    fn template_error_has_position() {
        let renderer = Renderer::new(Path::new("."), Arc::new(Vec::new()));
        let body = "line one\n{{ nope( }}\n";
        let err = renderer.render_markdown(Path::new("a.md"), body, &Value::from(())).unwrap_err();
        assert_eq!(err.location(body).split(':').nth(1), Some("2"), "{err:?}");
    }

    #[test]
    fn line_map_follows_loops() {
        let map = line_map("a\n{% for i in x %}\nrow\n{% endfor %}\nb\n", "a\n\nrow\n\nrow\n\nb\n");
        assert_eq!(map.first(), Some(&1));
        assert_eq!(map.last(), Some(&5));
    }
}
