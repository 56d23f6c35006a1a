//! CSV files under `data/`, described by `data/datasets.toml` → typed [`Table`]s.
//!
//! Accepts what Finnish spreadsheet exports produce: `,` or `;` delimiters,
//! a UTF-8 BOM, CRLF line ends, decimal commas and spaces as thousands
//! separators in numeric columns. Every problem (ragged rows, a text value in
//! a numeric column, a missing file) is a [`Diagnostic`] at its line and
//! column in the CSV or in datasets.toml.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::sources::decode_text;

/// Where the dataset descriptions live, relative to the project root.
pub const DATASETS_PATH: &str = "data/datasets.toml";

/// `data/datasets.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatasetsFile {
    #[serde(default)]
    dataset: Vec<DatasetSpec>,
}

/// One `[[dataset]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct DatasetSpec {
    name: toml::Spanned<String>,
    file: String,
    title: String,
    source: String,
    #[serde(default)]
    illustrative: bool,
    #[serde(default)]
    columns: BTreeMap<String, ColumnType>,
    /// Display names for column headers in tables and charts.
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

/// The type of a column: declared in datasets.toml or inferred from the values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnType {
    Text,
    Integer,
    Number,
}

/// One value of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Empty,
    Int(i64),
    Num(f64),
    Text(String),
}

impl Cell {
    /// The numeric value, if the cell holds one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Int(i) => Some(*i as f64),
            Cell::Num(n) => Some(*n),
            _ => None,
        }
    }
}

/// A loaded dataset.
#[derive(Debug, Clone)]
pub struct Table {
    /// The name templates use.
    pub name: String,
    /// CSV path relative to the project root.
    pub path: PathBuf,
    pub title: String,
    /// Source line printed under tables and charts.
    pub source: String,
    /// Made-up or placeholder data: flagged in captions, refused by final builds.
    pub illustrative: bool,
    pub headers: Vec<String>,
    /// Display name of each column (from `[dataset.labels]`, else its name).
    pub labels: Vec<String>,
    pub types: Vec<ColumnType>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Index of the column called `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }
}

/// What data/datasets.toml describes, for the stages after load: each
/// entry's name, where it stands, and whether its table loaded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Described {
    pub entries: Vec<DatasetEntry>,
}

/// One `[[dataset]]` entry as described.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetEntry {
    pub name: String,
    /// The name's value in datasets.toml (quotes included).
    pub at: Range<usize>,
    /// Whether its CSV file loaded into a table.
    pub loaded: bool,
}

impl Described {
    /// Where the dataset `name` is described.
    pub fn at(&self, name: &str) -> Option<Range<usize>> {
        self.entries.iter().find(|e| e.name == name).map(|e| e.at.clone())
    }

    /// Whether `name` is described but its table failed to load (its error
    /// is reported already).
    pub fn failed(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.name == name && !e.loaded)
    }
}

/// Loads every dataset described in data/datasets.toml.
pub fn load_tables(root: &Path) -> (Vec<Table>, Described, Diagnostics) {
    let mut diags = Vec::new();
    let mut described = Described::default();
    let path = root.join(DATASETS_PATH);
    if !path.exists() {
        return (Vec::new(), described, diags);
    }
    let (text, file) = match read_datasets_file(&path) {
        Ok(read) => read,
        Err(diag) => return (Vec::new(), described, vec![diag]),
    };
    let mut tables: Vec<Table> = Vec::new();
    for spec in file.dataset {
        let (name, at) = (spec.name.get_ref().clone(), spec.name.span());
        if tables.iter().any(|t| t.name == name) {
            diags.push(Diagnostic::error(DATASETS_PATH, Some(at), format!("dataset name `{name}` is used twice")));
            continue;
        }
        let loaded = match load_dataset(root, spec, &text) {
            Ok((table, mut unknown_columns)) => {
                diags.append(&mut unknown_columns);
                tables.push(table);
                true
            }
            Err(mut errs) => {
                diags.append(&mut errs);
                false
            }
        };
        described.entries.push(DatasetEntry { name, at, loaded });
    }
    (tables, described, diags)
}

/// Reads and parses data/datasets.toml at `path`: its text and its entries.
fn read_datasets_file(path: &Path) -> Result<(String, DatasetsFile), Diagnostic> {
    let text = std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|b| decode_text(Path::new(DATASETS_PATH), b).map_err(|d| d.message))
        .map_err(|err| Diagnostic::error(DATASETS_PATH, None, format!("cannot read datasets ({err})")))?;
    let file: DatasetsFile =
        toml::from_str(&text).map_err(|err| Diagnostic::error(DATASETS_PATH, err.span(), err.message().to_string()))?;
    Ok((text, file))
}

/// Loads the CSV file of one `[[dataset]]` entry; `text` is datasets.toml's.
/// A problem in the entry or the file is an error (several for a CSV with
/// several bad values); columns declared but not in the file come as errors
/// beside the table, which loads all the same.
fn load_dataset(root: &Path, spec: DatasetSpec, text: &str) -> Result<(Table, Diagnostics), Diagnostics> {
    let at = |needle: &str| text.find(needle).map(|i| i..i + needle.len());
    if spec.file.contains("..") || Path::new(&spec.file).is_absolute() {
        return Err(vec![Diagnostic::error(
            DATASETS_PATH,
            at(&spec.file),
            format!("dataset file `{}` must be inside data/", spec.file),
        )]);
    }
    let rel = Path::new("data").join(&spec.file);
    let bytes = std::fs::read(root.join(&rel)).map_err(|err| {
        vec![
            Diagnostic::error(
                DATASETS_PATH,
                at(&format!("\"{}\"", spec.file)),
                format!("cannot read {} ({err})", rel.display()),
            )
            .with_hint("check the file name in datasets.toml"),
        ]
    })?;
    let csv_text = decode_text(&rel, bytes).map_err(|diag| vec![*diag])?;
    let (headers, types, rows) = parse_csv(&rel, &csv_text, &spec.columns)?;
    let unknown: Diagnostics = spec
        .columns
        .keys()
        .chain(spec.labels.keys())
        .filter(|name| !headers.contains(name))
        .map(|name| {
            Diagnostic::error(DATASETS_PATH, at(name), format!("column `{name}` is not in {}", rel.display()))
                .with_hint(format!("the columns are: {}", headers.join(", ")))
        })
        .collect();
    let labels = headers.iter().map(|h| spec.labels.get(h).cloned().unwrap_or_else(|| h.clone())).collect();
    let table = Table {
        labels,
        name: spec.name.into_inner(),
        path: rel,
        title: spec.title,
        source: spec.source,
        illustrative: spec.illustrative,
        headers,
        types,
        rows,
    };
    Ok((table, unknown))
}

/// The delimiter of a CSV text: `;` when the header line has more of them than `,`.
pub fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    if header.matches(';').count() > header.matches(',').count() { b';' } else { b',' }
}

type Parsed = (Vec<String>, Vec<ColumnType>, Vec<Vec<Cell>>);

/// How many ragged rows of one file are reported one by one.
const RAGGED_SHOWN: usize = 20;

/// Parses CSV text into headers, column types and typed rows.
pub fn parse_csv(rel: &Path, text: &str, declared: &BTreeMap<String, ColumnType>) -> Result<Parsed, Diagnostics> {
    let delimiter = sniff_delimiter(text);
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(err) => return Err(vec![csv_error(rel, text, &err)]),
    };
    let mut diags = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            diags.push(Diagnostic::error(rel, Some(0..0), format!("column {} has no name in the header row", i + 1)));
        } else if headers[..i].contains(h) {
            diags.push(Diagnostic::error(rel, Some(0..0), format!("column `{h}` appears twice in the header row")));
        }
    }
    // One compact record per row (a single buffer each) until the types
    // are known; a 50 MB export must not cost gigabytes.
    let mut raw_rows: Vec<csv::StringRecord> = Vec::new();
    // Every ragged row is reported (the reader goes on after one), up to
    // RAGGED_SHOWN; the rest are counted on the last one shown.
    let mut ragged = 0;
    for record in reader.records() {
        match record {
            Ok(record) => {
                raw_rows.push(record);
            }
            Err(err) if matches!(err.kind(), csv::ErrorKind::UnequalLengths { .. }) => {
                ragged += 1;
                if ragged <= RAGGED_SHOWN {
                    diags.push(csv_error(rel, text, &err));
                }
            }
            Err(err) => {
                diags.push(csv_error(rel, text, &err));
                break;
            }
        }
    }
    if ragged > RAGGED_SHOWN
        && let Some(last) = diags.last_mut()
    {
        last.hints.push(format!("{} more rows of this file have a wrong number of fields", ragged - RAGGED_SHOWN));
    }
    if !diags.is_empty() {
        return Err(diags);
    }

    // Types: declared ones win; others are inferred from the values.
    let types: Vec<ColumnType> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            declared.get(h).copied().unwrap_or_else(|| {
                let values = raw_rows.iter().map(|r| r[i].trim()).filter(|v| !v.is_empty());
                infer_type(values)
            })
        })
        .collect();

    let mut rows = Vec::with_capacity(raw_rows.len());
    for fields in raw_rows {
        let start = fields.position().map_or(0, |p| p.byte() as usize);
        let mut row = Vec::with_capacity(fields.len());
        for (i, value) in fields.iter().enumerate() {
            match parse_cell(value, types[i]) {
                Ok(cell) => row.push(cell),
                Err(expected) => {
                    let at = field_offset(text, start, i, delimiter as char);
                    diags.push(
                        Diagnostic::error(
                            rel,
                            Some(at..at + value.len().max(1)),
                            format!("`{value}` is not {expected} (column `{}`)", headers[i]),
                        )
                        .with_hint(format!(
                            "column `{}` is {}; fix the value or change its type in data/datasets.toml",
                            headers[i],
                            type_name(types[i])
                        )),
                    );
                    row.push(Cell::Empty);
                }
            }
        }
        rows.push(row);
    }
    if diags.is_empty() { Ok((headers, types, rows)) } else { Err(diags) }
}

fn type_name(t: ColumnType) -> &'static str {
    match t {
        ColumnType::Text => "text",
        ColumnType::Integer => "declared integer",
        ColumnType::Number => "declared number",
    }
}

fn infer_type<'a>(mut values: impl Iterator<Item = &'a str> + Clone) -> ColumnType {
    if values.clone().next().is_none() {
        return ColumnType::Text;
    }
    if values.clone().all(|v| parse_int(v).is_some()) {
        ColumnType::Integer
    } else if values.all(|v| parse_number(v).is_some()) {
        ColumnType::Number
    } else {
        ColumnType::Text
    }
}

/// Parses one value; the error names what was expected.
fn parse_cell(value: &str, ty: ColumnType) -> Result<Cell, &'static str> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(Cell::Empty);
    }
    match ty {
        ColumnType::Text => Ok(Cell::Text(value.to_string())),
        ColumnType::Integer => parse_int(trimmed).map(Cell::Int).ok_or("an integer"),
        ColumnType::Number => parse_number(trimmed).map(Cell::Num).ok_or("a number"),
    }
}

/// Removes spaces (also no-break ones) used as thousands separators.
fn strip_groups(value: &str) -> String {
    value.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')).collect()
}

/// An integer, allowing `1 234` and a leading `−` (U+2212).
pub fn parse_int(value: &str) -> Option<i64> {
    strip_groups(value).replace('\u{2212}', "-").parse().ok()
}

/// A number, allowing a decimal comma (`12,5`) and spaces as thousands
/// separators; rejects NaN and infinities.
pub fn parse_number(value: &str) -> Option<f64> {
    let mut v = strip_groups(value).replace('\u{2212}', "-");
    if v.contains(',') {
        if v.contains('.') {
            return None;
        }
        v = v.replace(',', ".");
    }
    if !v.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')) {
        return None;
    }
    v.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Byte offset of field `index` in the record that starts at `start`.
fn field_offset(text: &str, start: usize, index: usize, delimiter: char) -> usize {
    let mut field = 0;
    let mut quoted = false;
    for (i, c) in text[start.min(text.len())..].char_indices() {
        if field == index {
            return start + i;
        }
        match c {
            '"' => quoted = !quoted,
            c if c == delimiter && !quoted => field += 1,
            '\n' if !quoted => break,
            _ => {}
        }
    }
    start
}

fn csv_error(rel: &Path, text: &str, err: &csv::Error) -> Diagnostic {
    let at = err.position().map_or(0, |p| p.byte() as usize).min(text.len());
    match err.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => Diagnostic::error(
            rel,
            Some(crate::diagnostics::line_range(text, at)),
            format!(
                "this row has {}, the header has {expected_len}",
                crate::diagnostics::count(*len as usize, "field")
            ),
        )
        .with_hint("every row needs as many fields as the header; quote values that contain the delimiter"),
        csv::ErrorKind::Utf8 { .. } => Diagnostic::error(rel, Some(at..at + 1), "invalid UTF-8 in CSV file"),
        _ => Diagnostic::error(rel, Some(at..at + 1), format!("cannot parse CSV ({err})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Parsed, Diagnostics> {
        parse_csv(Path::new("data/x.csv"), text, &BTreeMap::new())
    }

    #[test]
    fn finnish_export_with_semicolons_and_decimal_commas() {
        let (headers, types, rows) = parse("nimi;osuus;määrä\r\nA;12,5;1 234\r\nB;3;5\r\n").unwrap();
        assert_eq!(headers, ["nimi", "osuus", "määrä"]);
        assert_eq!(types, [ColumnType::Text, ColumnType::Number, ColumnType::Integer]);
        assert_eq!(rows[0][1], Cell::Num(12.5));
        assert_eq!(rows[0][2], Cell::Int(1234));
    }

    #[test]
    fn every_ragged_row_is_reported_up_to_a_cap() {
        let text = "a,b\n1,2\n3,4,5\n6\n7,8\n";
        let diags = parse(text).unwrap_err();
        let places: Vec<String> = diags.iter().map(|d| d.location(text)).collect();
        assert_eq!(places, ["data/x.csv:3:1", "data/x.csv:4:1"]);
        let many = format!("a,b\n{}", "1,2,3\n".repeat(25));
        let diags = parse(&many).unwrap_err();
        assert_eq!(diags.len(), RAGGED_SHOWN);
        assert!(diags.last().unwrap().hints.iter().any(|h| h.starts_with("5 more rows")), "{diags:?}");
    }

    #[test]
    fn ragged_row_names_its_line() {
        let text = "a,b\n1,2\n3,4,5\n";
        let diags = parse(text).unwrap_err();
        assert_eq!(diags[0].location(text), "data/x.csv:3:1");
        assert!(diags[0].message.contains("3 fields"));
    }

    #[test]
    fn text_in_numeric_column_names_line_and_column() {
        let mut declared = BTreeMap::new();
        declared.insert("b".to_string(), ColumnType::Number);
        let text = "a,b\nx,1\ny,abc\n";
        let diags = parse_csv(Path::new("data/x.csv"), text, &declared).unwrap_err();
        assert_eq!(diags[0].location(text), "data/x.csv:3:3");
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("1\u{a0}234,5"), Some(1234.5));
        assert_eq!(parse_number("−2"), Some(-2.0));
        assert_eq!(parse_number("1.2,3"), None);
        assert_eq!(parse_number("NaN"), None);
    }
}
