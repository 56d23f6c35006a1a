//! What output templates see → minijinja values: the configuration, the
//! chapters, cases and recommendations with their converted Typst, the
//! brief, the abstracts by language, the bibliography path and the
//! publication date.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::value::Value;

use crate::convert::Prepared;
use crate::load::project::Project;
use crate::load::sources::{Case, Document, Include, Recommendation};
use crate::render::merge;
use crate::source_map::marker_line;

/// Context for output templates.
pub fn output_context(project: &Project, prepared: &Prepared) -> Value {
    let typst_of = |path: &Path| prepared.fragment_typst(path);
    let chapters: Vec<Value> = prepared
        .sources
        .chapters
        .iter()
        .map(|c| {
            Value::from_serialize(BTreeMap::from([
                ("path", Value::from(c.doc.path.display().to_string())),
                ("typst", typst_of(&c.doc.path)),
                (
                    "include",
                    match c.front.include {
                        Some(Include::Cases) => Value::from("cases"),
                        Some(Include::Recommendations) => Value::from("recommendations"),
                        None => Value::from(()),
                    },
                ),
                ("appendix", Value::from(c.front.appendix)),
                (
                    "title",
                    Value::from(
                        prepared
                            .fragments
                            .get(&c.doc.path)
                            .and_then(|f| f.converted.headings.first().cloned())
                            .unwrap_or_default(),
                    ),
                ),
            ]))
        })
        .collect();
    let cases: Vec<Value> = prepared.sources.cases.iter().map(|c| case_value(c, prepared)).collect();
    let recs: Vec<Value> = prepared.sources.recommendations.iter().map(|r| recommendation_value(r, prepared)).collect();
    let brief = prepared
        .sources
        .brief
        .as_ref()
        .map(|b| merge(Value::from_serialize(&b.front), [("typst", typst_of(&b.doc.path))]))
        .unwrap_or(Value::from(()));
    let abstracts: BTreeMap<String, Value> = prepared
        .sources
        .abstracts
        .iter()
        .map(|a| (a.lang.clone(), merge(Value::from_serialize(&a.front), [("typst", typst_of(&a.doc.path))])))
        .collect();
    let (y, m, d) = project.config.ymd();
    let bibliography = prepared
        .bibliography
        .path
        .as_ref()
        .map(|p| Value::from(format!("/{}", p.display())))
        .unwrap_or(Value::from(()));
    Value::from_serialize(BTreeMap::from([
        ("config", Value::from_serialize(&project.config)),
        ("chapters", Value::from(chapters)),
        ("cases", Value::from(cases)),
        ("recommendations", Value::from(recs)),
        ("brief", brief),
        ("abstracts", Value::from_serialize(abstracts)),
        ("bibliography", bibliography),
        // Whether any text has margin notes (the report widens its margin).
        ("margin_notes", Value::from(prepared.fragments.values().any(|f| f.converted.margin_notes))),
        (
            "published",
            Value::from_serialize(BTreeMap::from([
                ("year", Value::from(y)),
                ("month", Value::from(m)),
                ("day", Value::from(d)),
                ("fi", Value::from(format!("{d}.{m}.{y}"))),
            ])),
        ),
    ]))
}

/// A case study for templates: front matter, label and converted text.
pub fn case_value(case: &Case, prepared: &Prepared) -> Value {
    merge(
        crate::render::case_front(case),
        [("typst", prepared.fragment_typst(&case.doc.path)), ("marker", source_marker(&case.doc, "name"))],
    )
}

/// A recommendation for templates: front matter, label and converted text.
pub fn recommendation_value(rec: &Recommendation, prepared: &Prepared) -> Value {
    merge(
        crate::render::recommendation_front(rec),
        [("typst", prepared.fragment_typst(&rec.doc.path)), ("marker", source_marker(&rec.doc, "title"))],
    )
}

/// A `// source:` marker naming the front-matter line `key:` of `doc`, for
/// a template to write before the heading it makes from that field (so
/// Typst errors and layout faults there land on that line).
fn source_marker(doc: &Document, key: &str) -> Value {
    let line = doc.text.lines().position(|l| l.starts_with(&format!("{key}:"))).map_or(1, |i| i + 1);
    Value::from_safe_string(marker_line(&doc.path, line).trim_end().to_string())
}
