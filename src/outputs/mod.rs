//! Outputs: each `[[output]]` of report.toml → the [`Job`]s it builds (one,
//! or one per item of a batch output), each rendered by its template into
//! one generated Typst source, with citations formatted by [`citations`].
//! [`context`] builds what the templates see; [`numbers`] predicts and reads
//! the report's heading numbers, which batch sheets print.

pub mod citations;
pub mod context;
pub mod numbers;
pub mod references;

use std::collections::BTreeMap;

use minijinja::value::Value;

use crate::convert::Prepared;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::datasets::Cell;
use crate::load::project::{OutputSpec, Project};
use crate::render::{TEMPLATES_DIR, merge};
use context::{case_value, recommendation_value};
use numbers::{METADATA_LABEL, predict};

/// Which document a job builds: an output, or one item of a batch output.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId {
    /// The `[[output]]`'s name.
    pub output: String,
    /// The item's id (`01-reglab`), for a batch output.
    pub item: Option<String>,
}

impl JobId {
    /// The id a name written by [`JobId`]'s `Display` stands for (as a
    /// draft's build stamp carries it).
    pub fn parse(name: &str) -> JobId {
        match name.split_once('/') {
            Some((output, item)) => JobId { output: output.to_string(), item: Some(item.to_string()) },
            None => JobId { output: name.to_string(), item: None },
        }
    }
}

/// `report`, or `cases/01-reglab` for an item of a batch output.
impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.item {
            Some(item) => write!(f, "{}/{item}", self.output),
            None => f.write_str(&self.output),
        }
    }
}

/// One document to build: an output, or one item of a batch output.
#[derive(Clone)]
pub struct Job {
    pub id: JobId,
    /// The output with `name` and `file` made concrete for the item.
    pub spec: OutputSpec,
    /// The item a batch template renders (`item` in the template).
    pub item: Option<Value>,
}

/// What the citation pass of a job needs: the run's year-suffix letters,
/// and a way to read a style file a template names (through the Typst
/// world's file store, which keeps to the project).
pub struct Citations<'a> {
    pub labels: &'a citations::LabelCache,
    pub cache: &'a citations::Cache,
    pub read: &'a (dyn Fn(&std::path::Path) -> Option<String> + Sync),
}

/// The jobs of the outputs named in `only` (every output when it is empty).
pub fn select(project: &Project, only: &[String], prepared: &Prepared) -> Vec<Job> {
    project
        .config
        .outputs
        .iter()
        .filter(|o| only.is_empty() || only.contains(&o.name))
        .flat_map(|o| expand(o, prepared))
        .collect()
}

/// The jobs of one output: itself, or one per item of its collection.
pub fn expand(spec: &OutputSpec, prepared: &Prepared) -> Vec<Job> {
    let Some(each) = &spec.each else {
        return vec![Job { id: JobId { output: spec.name.clone(), item: None }, spec: spec.clone(), item: None }];
    };
    let items: Vec<(String, Value)> = if each == "cases" {
        prepared.sources.cases.iter().map(|c| (c.front.id.clone(), case_value(c, prepared))).collect()
    } else if each == "recommendations" {
        prepared
            .sources
            .recommendations
            .iter()
            .map(|r| (r.front.id.to_lowercase(), recommendation_value(r, prepared)))
            .collect()
    } else {
        let name = each.trim_start_matches("data.");
        prepared
            .tables
            .iter()
            .find(|t| t.name == name)
            .map(|t| {
                t.rows
                    .iter()
                    .map(|row| {
                        let id = slug(&row.first().map(cell_text).unwrap_or_default());
                        let map: BTreeMap<&str, &Cell> = t.headers.iter().map(String::as_str).zip(row.iter()).collect();
                        (id, Value::from_serialize(&map))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    items
        .into_iter()
        .map(|(id, item)| {
            let job_id = JobId { output: spec.name.clone(), item: Some(id) };
            let mut concrete = spec.clone();
            concrete.name = job_id.to_string();
            concrete.file = spec.file.replace("{id}", job_id.item.as_deref().unwrap_or_default());
            Job { id: job_id, spec: concrete, item: Some(item) }
        })
        .collect()
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Int(i) => i.to_string(),
        Cell::Num(n) => n.to_string(),
        Cell::Text(t) => t.clone(),
    }
}

/// A file-name-safe id: lowercase ASCII letters and digits, `-` between.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        let c = match c {
            'ä' | 'å' => 'a',
            'ö' => 'o',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The heading numbers batch outputs will need, predicted from the
/// project's whole outputs that publish theirs (`<kooste-numbers>`),
/// rendered again for this (a millisecond; their citations can stay as
/// they are). `None` when a prediction cannot be made.
pub fn predict_numbers(project: &Project, prepared: &Prepared, context: &Value) -> Option<BTreeMap<String, String>> {
    let mut all = BTreeMap::new();
    for spec in project.config.outputs.iter().filter(|o| o.each.is_none()) {
        let job = Job { id: JobId { output: spec.name.clone(), item: None }, spec: spec.clone(), item: None };
        let Ok((source, _)) = render_job(project, prepared, context, &job, None) else { continue };
        if source.contains(METADATA_LABEL) {
            all.extend(predict(&source)?);
        }
    }
    Some(all)
}

/// Renders one output's template to its generated Typst, with citations
/// and the bibliography formatted when `citations` gives the run's letters
/// (with the errors for works its reference list prints under one label).
pub fn render_job(
    project: &Project,
    prepared: &Prepared,
    context: &Value,
    job: &Job,
    citations: Option<&Citations>,
) -> Result<(String, Diagnostics), Diagnostic> {
    let spec = &job.spec;
    let ctx = merge(
        context.clone(),
        [("output", Value::from_serialize(spec)), ("item", job.item.clone().unwrap_or(Value::from(())))],
    );
    let named_at = project.config.spans.output(spec.index, "template");
    let source = prepared.renderer.render_output(&spec.template, &ctx, named_at)?;
    let lang = &project.config.language;
    // Citations and the bibliography as text, formatted once here rather
    // than by typst at a cost that grows with the square of their number.
    Ok(match citations {
        Some(Citations { labels, cache, read }) => {
            let link = project.config.link_citations;
            let html = spec.format == crate::load::project::Format::Html;
            references::format_citations(read, prepared, (labels, cache), html, source, lang, link)
        }
        None => (source, Vec::new()),
    })
}

/// The virtual path of a job's generated main file, beside its template
/// so relative imports resolve in templates/.
pub fn main_vpath(job: &Job) -> String {
    let stem = job.spec.template.trim_end_matches(".j2").trim_end_matches(".typ");
    match &job.id.item {
        Some(id) => format!("/{TEMPLATES_DIR}/{stem}.{id}.generated.typ"),
        None => format!("/{TEMPLATES_DIR}/{stem}.generated.typ"),
    }
}
