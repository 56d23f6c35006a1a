//! The convert stage: each Markdown source is rendered by minijinja with the
//! data as context (so numbers in the text come from data), then converted
//! to Typst over comrak's AST → one [`Fragment`] per source, gathered with
//! the inputs and the renderer into [`Prepared`], which the output templates
//! draw on.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::value::Value;
use rayon::prelude::*;

use crate::diagnostics::Diagnostics;
use crate::load::Inputs;
use crate::load::bibliography::Bibliography;
use crate::load::datasets::{Described, Table};
use crate::load::project::{Format, Project};
use crate::load::sources::{Document, Sources};
use crate::load::templates::Templates;
use crate::load::tree::Files;
use crate::markdown::{ConvertOptions, Converted, Dialect, MissingImage, to_typst};
use crate::render::{RenderError, RenderedMarkdown, Renderer};

/// A converted Markdown document, ready to be placed by a template.
#[derive(Debug, Clone)]
pub struct Fragment {
    pub path: PathBuf,
    /// Typst markup ending with the end-of-fragment marker.
    pub typst: String,
    pub converted: Converted,
    pub rendered: RenderedMarkdown,
}

/// Everything the output templates see, built once per run.
pub struct Prepared {
    pub sources: Sources,
    pub tables: Arc<Vec<Table>>,
    /// What datasets.toml describes (names, places, failures).
    pub datasets: Described,
    /// The texts under templates/.
    pub templates: Arc<Templates>,
    pub bibliography: Bibliography,
    pub renderer: Renderer,
    pub fragments: HashMap<PathBuf, Fragment>,
    /// Every key the project cites, in any output, sorted: the works whose
    /// year suffixes (2019a, 2019b) every output letters alike.
    pub works: Vec<String>,
}

impl Prepared {
    /// The keys the documents and the case front matter cite.
    pub fn cited_keys(&self) -> BTreeSet<&str> {
        cited_keys(&self.fragments, &self.sources)
    }

    /// The fragments in path order, for checks that report in a stable order.
    pub fn fragments_in_order(&self) -> Vec<&Fragment> {
        let mut paths: Vec<&PathBuf> = self.fragments.keys().collect();
        paths.sort();
        paths.into_iter().map(|p| &self.fragments[p]).collect()
    }

    /// The converted Typst of a document, marked safe for templates.
    pub fn fragment_typst(&self, path: &Path) -> Value {
        Value::from_safe_string(self.fragments.get(path).map(|f| f.typst.clone()).unwrap_or_default())
    }
}

/// The fragments of the previous watch build, by what each was made from:
/// a document whose text, template context and project files are as they
/// were is not rendered and converted again.
#[derive(Debug, Default)]
pub struct ConvertCache(HashMap<u128, Fragment>);

/// Renders and converts every Markdown source of `inputs`, in parallel, for
/// the final build's profile or the draft's; with a `cache` (watch builds),
/// documents whose inputs have not changed keep their fragments.
pub fn convert(
    project: &Project,
    inputs: Inputs,
    final_mode: bool,
    format: Format,
    cache: Option<&mut ConvertCache>,
) -> (Prepared, Diagnostics) {
    let Inputs { sources, tables, datasets, bibliography, templates, variables, files, hyphenation } = inputs;
    let tables = Arc::new(tables);
    let renderer = Renderer::new(templates.clone(), tables.clone(), hyphenation.clone());
    let ctx = markdown_context(project, &sources);
    // The author language's settings: language, profile, meta, var, template boxes.
    let mut dialect = crate::dialect::dialect(&project.config, &templates, variables, final_mode, format);
    dialect.hyphenation = hyphenation;
    let mut diags = Vec::new();

    let docs = sources.documents();
    let base = cache.is_some().then(|| typst::utils::hash128(&(files.fingerprint, final_mode, format, &ctx)));
    let key = |i: usize, doc: &Document| base.map(|base| typst::utils::hash128(&(base, i, &doc.path, &doc.text)));
    let previous = cache.as_deref();
    let results: Vec<Result<Fragment, RenderError>> = docs
        .par_iter()
        .enumerate()
        .map(|(i, doc)| match key(i, doc).and_then(|k| previous?.0.get(&k)) {
            Some(fragment) => Ok(fragment.clone()),
            None => convert_document(&files, &renderer, &ctx, &dialect, doc, i),
        })
        .collect();
    if let Some(cache) = cache {
        let kept = docs
            .iter()
            .enumerate()
            .zip(&results)
            .filter_map(|((i, doc), result)| Some((key(i, doc)?, result.as_ref().ok()?.clone())));
        cache.0 = kept.collect();
    }
    let mut fragments = HashMap::new();
    for result in results {
        match result {
            Ok(fragment) => {
                diags.extend(fragment.converted.diagnostics.iter().cloned());
                fragments.insert(fragment.path.clone(), fragment);
            }
            // A dataset described in datasets.toml that failed to load has
            // its own error already; "unknown dataset" would only repeat it.
            Err(RenderError { unknown_dataset: Some(name), .. }) if datasets.failed(&name) => {}
            Err(err) => diags.push(*err.diagnostic),
        }
    }
    let works = cited_keys(&fragments, &sources).into_iter().map(String::from).collect();
    let prepared = Prepared { sources, tables, datasets, templates, bibliography, renderer, fragments, works };
    (prepared, diags)
}

fn cited_keys<'a>(fragments: &'a HashMap<PathBuf, Fragment>, sources: &'a Sources) -> BTreeSet<&'a str> {
    fragments
        .values()
        .flat_map(|f| f.converted.citations.iter().map(|c| c.name.as_str()))
        .chain(sources.cases.iter().flat_map(|c| c.front.sources.iter().map(String::as_str)))
        .collect()
}

/// Renders one Markdown document as a template and converts it to Typst.
fn convert_document(
    files: &Files,
    renderer: &Renderer,
    ctx: &Value,
    dialect: &Dialect,
    doc: &Document,
    index: usize,
) -> Result<Fragment, RenderError> {
    let rendered = renderer.render_markdown(&doc.path, &doc.body, ctx)?;
    // An abstract is in its own language (report/abstracts/sv.md): its
    // quotes too. A Quarto document's `{{< meta >}}` reads its own front
    // matter over report.toml.
    let own;
    let lang = doc.path.strip_prefix("report/abstracts").ok().and_then(|p| p.file_stem()?.to_str());
    let dialect = match (lang, document_meta(&dialect.meta, doc)) {
        (Some(lang), _) if lang != dialect.lang => {
            own = Dialect { lang: lang.to_string(), ..dialect.clone() };
            &own
        }
        (_, Some(meta)) => {
            own = Dialect { meta, ..dialect.clone() };
            &own
        }
        _ => dialect,
    };
    let image_exists = |p: &str| files.has_image(p);
    let prefix = index.to_string();
    let options = ConvertOptions {
        path: &doc.path,
        source: &doc.text,
        line_map: &rendered.line_map,
        blocks: &rendered.blocks,
        wide_blocks: &rendered.wide_tables,
        label_prefix: &prefix,
        image_exists: &image_exists,
        missing_image: MissingImage::Error,
        resolve_citations: true,
        dialect,
        shortcodes: &rendered.shortcodes,
    };
    let converted = to_typst(&rendered.text, &options);
    let typst = match &doc.includes {
        // Blocks from an included file are that file's lines.
        Some(origins) => crate::source_map::remap_markers(&converted.typst, &|line| {
            origins.marker_place(line).map(|(path, line)| (path.to_path_buf(), line))
        }),
        None => converted.typst.clone(),
    };
    let typst = crate::source_map::end_fragment(&typst);
    Ok(Fragment { path: doc.path.clone(), typst, converted, rendered })
}

/// The metadata `{{< meta >}}` reads in a Quarto document (`.qmd`) with
/// front matter: its keys over `project` (report.toml), as Quarto merges
/// a document's metadata over its project's.
fn document_meta(project: &Value, doc: &Document) -> Option<Value> {
    if !crate::load::front::is_quarto_document(&doc.path) {
        return None;
    }
    let range = crate::load::front::front_matter_range(&doc.text)?;
    let front: yaml_serde::Mapping = yaml_serde::from_str(&doc.text[range]).ok()?;
    if front.is_empty() {
        return None;
    }
    let mut merged: BTreeMap<String, Value> = BTreeMap::new();
    if let Ok(keys) = project.try_iter() {
        for key in keys {
            if let (Some(name), Ok(value)) = (key.as_str(), project.get_item(&key)) {
                merged.insert(name.to_string(), value);
            }
        }
    }
    for (key, value) in &front {
        if let Some(name) = key.as_str() {
            merged.insert(name.to_string(), Value::from_serialize(value));
        }
    }
    Some(Value::from(merged))
}

/// Context for Markdown templates: config, cases and recommendations (front
/// matter only; `data` is a global).
fn markdown_context(project: &Project, sources: &Sources) -> Value {
    let cases: Vec<Value> = sources.cases.iter().map(crate::render::case_front).collect();
    let recs: Vec<Value> = sources.recommendations.iter().map(crate::render::recommendation_front).collect();
    Value::from_serialize(BTreeMap::from([
        ("config", Value::from_serialize(&project.config)),
        ("cases", Value::from(cases)),
        ("recommendations", Value::from(recs)),
    ]))
}
