//! CSL-JSON and CSL-YAML bibliographies (the formats Pandoc and Quarto read
//! besides BibTeX) and Hayagriva YAML (typst's own) → hayagriva entries.
//!
//! A CSL item's variables are mapped to hayagriva's fields the way
//! hayagriva maps them back when it formats (its `csl/taxonomy.rs`): the
//! container (`container-title`, with `volume` and `issue` for a journal)
//! becomes the entry's parent of the kind its CSL type implies, `publisher`
//! and `publisher-place` one publisher, `DOI`/`ISBN`/`ISSN`/`number`
//! serial numbers, `URL` with `accessed` the address. Each item is then
//! read by hayagriva's own YAML reader (JSON is YAML), so a value it
//! refuses is an error at that item. A variable no reference list prints
//! (`abstract`, `keyword`, …) is passed over; any other variable kooste
//! does not map warns once, at its first use.

use std::collections::BTreeMap;
use std::ops::Range;

use serde_json::{Map, Value, json};

use super::bibliography::Parsed;

/// Problems with a bibliography: byte ranges in its text and messages.
pub type Problems = Vec<(Range<usize>, String)>;

/// Variables reference lists do not print; read and passed over.
const NOT_PRINTED: &[&str] = &[
    "abstract",
    "keyword",
    "citation-key",
    "citation-label",
    "source",
    "custom",
    "annote",
    "dimensions",
    "scale",
    "medium",
    "status",
    "references",
];

/// A CSL-JSON bibliography (an array of items).
pub fn parse_json(text: &str) -> Result<(Parsed, Problems), Problems> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let at = offset_of(text, e.line(), e.column());
        vec![(at..at, format!("CSL-JSON: {e}"))]
    })?;
    let Value::Array(items) = value else {
        return Err(vec![(0..0, "CSL-JSON: a bibliography is an array of items (`[{\"id\": …}, …]`)".into())]);
    };
    convert(text, &items, Syntax::Json)
}

/// A YAML bibliography: CSL-YAML (a list of items, or `references:` with
/// one, as Pandoc writes it) or Hayagriva YAML (a map from keys to
/// entries, as typst reads it).
/// The bool says whether typst reads the file itself (Hayagriva YAML).
pub fn parse_yaml(text: &str) -> Result<(Parsed, Problems, bool), Problems> {
    let value: yaml_serde::Value = yaml_serde::from_str(text).map_err(|e| {
        let at = e.location().map_or(0, |l| l.index());
        vec![(at..at, format!("YAML: {e}"))]
    })?;
    let items = match &value {
        yaml_serde::Value::Sequence(_) => Some(value.clone()),
        yaml_serde::Value::Mapping(map) => map.get("references").filter(|r| r.is_sequence()).cloned(),
        _ => None,
    };
    match items {
        Some(items) => {
            let items = match serde_json::to_value(&items) {
                Ok(Value::Array(items)) => items,
                _ => return Err(vec![(0..0, "CSL-YAML: its items cannot be read as CSL".into())]),
            };
            convert(text, &items, Syntax::Yaml).map(|(parsed, warnings)| (parsed, warnings, false))
        }
        None => {
            let library = hayagriva::io::from_yaml_str(text).map_err(|e| {
                let at = e.location().map_or(0, |l| l.index());
                vec![(at..at, format!("Hayagriva YAML: {e}"))]
            })?;
            let keys = library.keys().map(|key| (key.to_string(), yaml_key_offset(text, key))).collect();
            Ok(((keys, library), Vec::new(), true))
        }
    }
}

#[derive(Clone, Copy)]
enum Syntax {
    Json,
    Yaml,
}

/// The items as a hayagriva library, each at its `id` in the text.
fn convert(text: &str, items: &[Value], syntax: Syntax) -> Result<(Parsed, Problems), Problems> {
    let mut errors = Problems::new();
    let mut warnings = Problems::new();
    let mut unmapped: BTreeMap<String, ()> = BTreeMap::new();
    let mut entries = Map::new();
    let mut keys = BTreeMap::new();
    let mut search_from = 0;
    for (n, item) in items.iter().enumerate() {
        let Some(fields) = item.as_object() else {
            errors.push((0..0, format!("CSL: item {} is not an object of variables", n + 1)));
            continue;
        };
        let id = match fields.get("id") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(x)) => x.to_string(),
            _ => {
                errors.push((search_from..search_from, format!("CSL: item {} has no `id`", n + 1)));
                continue;
            }
        };
        let at = id_offset(text, &id, search_from, syntax);
        search_from = at;
        let mut unknown = Vec::new();
        let entry = entry(fields, &mut unknown);
        for var in unknown {
            if unmapped.insert(var.clone(), ()).is_none() {
                let place = field_offset(text, &var, at, syntax);
                warnings.push((
                    place..place + var.len(),
                    format!("CSL variable `{var}` is not read by kooste; no reference list prints it"),
                ));
            }
        }
        // hayagriva reads each entry on its own, so that a value it
        // refuses is reported at its item.
        let one = Value::Object(Map::from_iter([(id.clone(), entry.clone())]));
        if let Err(e) = hayagriva::io::from_yaml_str(&one.to_string()) {
            errors.push((at..at + id.len(), format!("CSL item `{id}`: {}", strip_location(&e.to_string()))));
            continue;
        }
        if entries.insert(id.clone(), entry).is_some() {
            errors.push((at..at + id.len(), format!("CSL: `{id}` is the id of two items")));
        }
        keys.insert(id, at);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let library = hayagriva::io::from_yaml_str(&Value::Object(entries).to_string())
        .map_err(|e| vec![(0..0, format!("CSL: {e}"))])?;
    Ok(((keys, library), warnings))
}

/// Where a CSL variable that is plain text goes in a Hayagriva entry.
#[derive(Clone, Copy)]
enum Target {
    Entry,
    Parent,
    Serial,
    Publisher,
    Url,
}

/// CSL's text variables, each with its Hayagriva place and field.
const TEXT_VARIABLES: &[(&str, Target, &str)] = &[
    ("title", Target::Entry, "title"),
    ("edition", Target::Entry, "edition"),
    ("note", Target::Entry, "note"),
    ("genre", Target::Entry, "genre"),
    ("archive", Target::Entry, "archive"),
    ("archive_location", Target::Entry, "archive-location"),
    ("archive-location", Target::Entry, "archive-location"),
    ("call-number", Target::Entry, "call-number"),
    ("page", Target::Entry, "page-range"),
    ("number-of-pages", Target::Entry, "page-total"),
    ("number-of-volumes", Target::Entry, "volume-total"),
    ("event-place", Target::Entry, "location"),
    ("authority", Target::Entry, "organization"),
    ("container-title", Target::Parent, "title"),
    ("DOI", Target::Serial, "doi"),
    ("doi", Target::Serial, "doi"),
    ("ISBN", Target::Serial, "isbn"),
    ("isbn", Target::Serial, "isbn"),
    ("ISSN", Target::Serial, "issn"),
    ("issn", Target::Serial, "issn"),
    ("PMID", Target::Serial, "pmid"),
    ("PMCID", Target::Serial, "pmcid"),
    ("number", Target::Serial, "serial"),
    ("publisher", Target::Publisher, "name"),
    ("publisher-place", Target::Publisher, "location"),
    ("URL", Target::Url, "value"),
    ("url", Target::Url, "value"),
];

/// Names whose role hayagriva has no field of its own for.
const ROLES: &[&str] = &["translator", "director", "interviewer", "recipient", "composer", "illustrator"];

/// A Hayagriva entry being built from a CSL item.
#[derive(Default)]
struct Built {
    entry: Map<String, Value>,
    parent: Map<String, Value>,
    serial: Map<String, Value>,
    publisher: Map<String, Value>,
    url: Map<String, Value>,
}

impl Built {
    fn map(&mut self, target: Target) -> &mut Map<String, Value> {
        match target {
            Target::Entry => &mut self.entry,
            Target::Parent => &mut self.parent,
            Target::Serial => &mut self.serial,
            Target::Publisher => &mut self.publisher,
            Target::Url => &mut self.url,
        }
    }

    /// Takes one CSL variable; false when kooste does not map it.
    fn take(&mut self, var: &str, value: &Value, volume_on_parent: bool) -> bool {
        if let Some((_, target, field)) = TEXT_VARIABLES.iter().find(|(v, ..)| *v == var) {
            self.map(*target).insert(field.to_string(), json!(scalar(value)));
            return true;
        }
        match var {
            "id" | "type" | "title-short" | "shortTitle" => {}
            "author" | "editor" => {
                self.entry.insert(var.to_string(), Value::Array(names(value)));
            }
            role if ROLES.contains(&role) => {
                let list = self.entry.entry("affiliated").or_insert_with(|| json!([]));
                if let Value::Array(list) = list {
                    list.push(json!({"role": capitalised(role), "names": names(value)}));
                }
            }
            "container-author" => {
                self.parent.insert("author".into(), Value::Array(names(value)));
            }
            "issued" | "accessed" => {
                if let Some(date) = date(value) {
                    let (map, field) =
                        if var == "issued" { (&mut self.entry, "date") } else { (&mut self.url, "date") };
                    map.insert(field.into(), json!(date));
                }
            }
            // A journal's volume and issue are its own: hayagriva reads them there.
            "volume" | "issue" => {
                let map = if volume_on_parent { &mut self.parent } else { &mut self.entry };
                map.insert(var.to_string(), json!(scalar(value)));
            }
            // A language tag ("fi", "en-GB") tags the entry's title; a
            // name ("English", as Zotero may write) is not one.
            "language" if is_language_tag(&scalar(value)) => {
                self.entry.insert("language".into(), json!(scalar(value)));
            }
            other => return NOT_PRINTED.contains(&other),
        }
        true
    }
}

/// One CSL item as a Hayagriva YAML entry; `unknown` gets the variables
/// it does not map.
fn entry(fields: &Map<String, Value>, unknown: &mut Vec<String>) -> Value {
    let csl_type = fields.get("type").and_then(Value::as_str).unwrap_or("document");
    let (kind, parent_kind) = kinds(csl_type);
    let mut built = Built::default();
    built.entry.insert("type".into(), json!(kind));
    let on_parent = matches!(parent_kind, Some("periodical" | "newspaper"));
    for (var, value) in fields {
        if !built.take(var, value, on_parent) {
            unknown.push(var.clone());
        }
    }
    let Built { mut entry, mut parent, serial, publisher, url } = built;
    if !serial.is_empty() {
        entry.insert("serial-number".into(), Value::Object(serial));
    }
    if !publisher.is_empty() {
        entry.insert("publisher".into(), Value::Object(publisher));
    }
    if url.contains_key("value") {
        entry.insert("url".into(), Value::Object(url));
    }
    if let Some(kind) = parent_kind
        && !parent.is_empty()
    {
        parent.insert("type".into(), json!(kind));
        entry.insert("parent".into(), Value::Object(parent));
    } else if let Some(title) = parent.remove("title") {
        // A container hayagriva has no kind for: kept as its parent.
        entry.insert("parent".into(), json!({"type": "misc", "title": title}));
    }
    Value::Object(entry)
}

/// hayagriva's entry type for a CSL type, and its container's.
fn kinds(csl_type: &str) -> (&'static str, Option<&'static str>) {
    match csl_type {
        "article-journal" => ("article", Some("periodical")),
        "article-magazine" => ("article", Some("periodical")),
        "article-newspaper" => ("article", Some("newspaper")),
        "article" => ("article", None),
        "book" | "classic" => ("book", None),
        "chapter" => ("chapter", Some("book")),
        "paper-conference" => ("article", Some("proceedings")),
        "report" => ("report", None),
        "thesis" => ("thesis", None),
        "webpage" => ("web", Some("web")),
        "post" | "post-weblog" => ("post", Some("blog")),
        "entry" | "entry-dictionary" | "entry-encyclopedia" => ("entry", Some("reference")),
        "legislation" | "bill" | "regulation" | "treaty" | "hearing" => ("legislation", None),
        "legal_case" => ("case", None),
        "manuscript" => ("manuscript", None),
        "motion_picture" | "broadcast" => ("video", None),
        "song" => ("audio", None),
        "patent" => ("patent", None),
        "graphic" => ("artwork", None),
        "performance" => ("performance", None),
        "software" => ("repository", None),
        _ => ("misc", None),
    }
}

/// A CSL value as text: strings as they are, numbers written out.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string().trim_matches('"').to_string(),
    }
}

/// CSL names → hayagriva persons.
fn names(value: &Value) -> Vec<Value> {
    let list = match value {
        Value::Array(list) => list.clone(),
        other => vec![other.clone()],
    };
    list.iter()
        .filter_map(|name| match name {
            Value::String(s) => Some(json!(s)),
            Value::Object(parts) => {
                let get = |k: &str| parts.get(k).map(scalar).filter(|s| !s.is_empty());
                match (get("family"), get("literal")) {
                    (Some(family), _) => {
                        let mut person = Map::new();
                        person.insert("name".into(), json!(family));
                        if let Some(given) = get("given") {
                            person.insert("given-name".into(), json!(given));
                        }
                        let particle = [get("dropping-particle"), get("non-dropping-particle")]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>();
                        if !particle.is_empty() {
                            person.insert("prefix".into(), json!(particle.join(" ")));
                        }
                        if let Some(suffix) = get("suffix") {
                            person.insert("suffix".into(), json!(suffix));
                        }
                        Some(Value::Object(person))
                    }
                    (None, Some(literal)) => Some(json!({"name": literal})),
                    (None, None) => get("given").map(|g| json!({"name": g})),
                }
            }
            _ => None,
        })
        .collect()
}

/// A CSL date as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: `date-parts`, `raw`
/// or `literal`, a number or a string (CSL-YAML writes `issued: 2019`),
/// or a list of `{year, month, day}` (older Pandoc CSL-YAML).
fn date(value: &Value) -> Option<String> {
    let from_parts = |parts: &[Value]| -> Option<String> {
        let n: Vec<i64> =
            parts.iter().map_while(|p| p.as_i64().or_else(|| p.as_str().and_then(|s| s.trim().parse().ok()))).collect();
        match n.as_slice() {
            [] => None,
            [y] => Some(format!("{y:04}")),
            [y, m] => Some(format!("{y:04}-{m:02}")),
            [y, m, d, ..] => Some(format!("{y:04}-{m:02}-{d:02}")),
        }
    };
    match value {
        Value::Number(n) => n.as_i64().map(|y| format!("{y:04}")),
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Object(map) => {
            if let Some(Value::Array(ranges)) = map.get("date-parts") {
                return ranges.first().and_then(Value::as_array).and_then(|p| from_parts(p));
            }
            if map.contains_key("year") {
                let part = |k| map.get(k).cloned().unwrap_or(Value::Null);
                let parts: Vec<Value> =
                    [part("year"), part("month"), part("day")].into_iter().take_while(|v| !v.is_null()).collect();
                return from_parts(&parts);
            }
            map.get("raw").or_else(|| map.get("literal")).and_then(date)
        }
        Value::Array(list) => list.first().and_then(date),
        _ => None,
    }
}

/// Whether `s` looks like a BCP 47 language tag (`fi`, `sv-FI`, `en-GB`).
fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split(['-', '_']);
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn capitalised(role: &str) -> String {
    let mut chars = role.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The byte offset of line `line`, column `column` (both from 1).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    (start + column.saturating_sub(1)).min(text.len())
}

/// Where the item with `id` names it, searching from `from`.
fn id_offset(text: &str, id: &str, from: usize, syntax: Syntax) -> usize {
    let rest = &text[from.min(text.len())..];
    let found = match syntax {
        Syntax::Json => rest.find(&format!("\"{id}\"")).map(|i| i + 1),
        Syntax::Yaml => rest.match_indices(id).map(|(i, _)| i).find(|&i| rest[..i].trim_end().ends_with(':')),
    };
    found.map_or(from, |i| from + i)
}

/// Where variable `var` is first written after `from`.
fn field_offset(text: &str, var: &str, from: usize, syntax: Syntax) -> usize {
    let rest = &text[from.min(text.len())..];
    let needle = match syntax {
        Syntax::Json => format!("\"{var}\""),
        Syntax::Yaml => format!("{var}:"),
    };
    rest.find(&needle).map_or(from, |i| from + i + usize::from(matches!(syntax, Syntax::Json)))
}

/// Where a Hayagriva YAML entry's key stands.
fn yaml_key_offset(text: &str, key: &str) -> usize {
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare.strip_prefix(key).is_some_and(|r| r.starts_with(':'))
            || bare.strip_prefix(&format!("\"{key}\"")).is_some_and(|r| r.starts_with(':'))
        {
            return pos;
        }
        pos += line.len();
    }
    0
}

/// A YAML error's message without its "at line … column …" (the
/// position is the item's).
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"[
  {"id": "virtanen2019", "type": "article-journal", "title": "Verkostot",
   "author": [{"family": "Virtanen", "given": "Anna"}, {"literal": "Valtioneuvosto"}],
   "container-title": "Alue ja ympäristö", "volume": 48, "issue": "2", "page": "33-45",
   "issued": {"date-parts": [[2019, 5]]}, "DOI": "10.30663/ay.1", "abstract": "Ei painettu."},
  {"id": "tem2018", "type": "report", "title": "Raportti", "publisher": "TEM",
   "publisher-place": "Helsinki", "issued": {"raw": "2018"}, "URL": "https://tem.fi",
   "accessed": {"date-parts": [["2020", "1", "15"]]}, "collection-title": "TEM oppaat"}
]"#;

    #[test]
    fn csl_json_maps_to_hayagriva() {
        let ((keys, library), warnings) = parse_json(JSON).unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(&JSON[keys["tem2018"]..keys["tem2018"] + 7], "tem2018");
        let article = library.get("virtanen2019").unwrap();
        assert_eq!(article.authors().unwrap().len(), 2);
        assert_eq!(article.date().unwrap().year, 2019);
        let parent = &article.parents()[0];
        assert_eq!(parent.title().unwrap().value.to_string(), "Alue ja ympäristö");
        assert!(parent.volume().is_some());
        let report = library.get("tem2018").unwrap();
        assert!(report.publisher().is_some() && report.url().is_some());
        // The one variable no reference list would miss warns, at itself.
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(JSON[warnings[0].0.clone()].starts_with("collection-title"), "{warnings:?}");
    }

    #[test]
    fn csl_yaml_and_hayagriva_yaml() {
        let csl = "references:\n- id: doe99\n  type: book\n  author:\n  - family: Doe\n    given: John\n  issued:\n  - year: 1999\n  title: A Book\n";
        let ((keys, library), _, typst_reads) = parse_yaml(csl).unwrap();
        assert!(!typst_reads);
        assert_eq!(keys["doe99"], csl.find("doe99").unwrap());
        assert_eq!(library.get("doe99").unwrap().date().unwrap().year, 1999);
        let haya = "crazy-rich:\n  type: Book\n  title: Crazy Rich Asians\n  author: Kwan, Kevin\n  date: 2014\n";
        let ((keys, library), _, typst_reads) = parse_yaml(haya).unwrap();
        assert!(typst_reads);
        assert_eq!(keys["crazy-rich"], 0);
        assert!(library.get("crazy-rich").is_some());
    }

    #[test]
    fn errors_are_located() {
        let broken = "[\n  {\"id\": \"a\", \"title\": \"X\",}\n]";
        let err = parse_json(broken).unwrap_err();
        assert_eq!(crate::diagnostics::line_col(broken, err[0].0.start).0, 2, "{err:?}");
        let bad = "[{\"id\": \"a\", \"type\": \"book\", \"issued\": \"ei vuotta\"}]";
        let err = parse_json(bad).unwrap_err();
        assert!(err[0].1.contains("`a`") && bad[err[0].0.clone()] == *"a", "{err:?}");
        let err = parse_yaml("a:\n  type: Book\n  title: [unclosed\n").unwrap_err();
        assert!(err[0].1.starts_with("YAML") || err[0].1.starts_with("Hayagriva"), "{err:?}");
    }
}
