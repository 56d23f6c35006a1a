//! `kooste convert FILE.md`: one Markdown file → a standalone Typst document.
//!
//! No templating and no project: citations and cross-references stay as
//! written, and a missing or remote image becomes a visible placeholder with
//! its alt text (and a warning), so any Markdown file converts to Typst that
//! compiles on its own.

use std::path::{Path, PathBuf};

use crate::cli::ConvertArgs;
use crate::diagnostics::{Diagnostics, has_errors};
use crate::markdown::{ConvertOptions, Dialect, MissingImage, shortcodes, to_typst};
use crate::report;

/// A Quarto project's configuration file, at its root.
const QUARTO_PROJECT: &str = "_quarto.yml";

/// The lines that open a standalone document.
pub const PREAMBLE: &str =
    "#set document(title: \"kooste convert\")\n#set text(lang: \"fi\")\n#set par(justify: false)\n\n";

/// `kooste convert FILE.md`: prints the standalone Typst.
pub fn run(args: ConvertArgs) -> u8 {
    let (root, rel) = match locate(&args.file) {
        Ok(found) => found,
        Err(err) => return report::fatal(&anyhow::anyhow!("cannot open {} ({err})", args.file.display()), &[]),
    };
    let bytes = match std::fs::read(root.join(&rel)) {
        Ok(bytes) => bytes,
        Err(err) => return report::fatal(&anyhow::anyhow!("cannot read {} ({err})", args.file.display()), &[]),
    };
    let text = match crate::load::sources::decode_text(&rel, bytes) {
        Ok(text) => text,
        Err(diag) => {
            report::problems(&root, &[*diag], args.diagnostic_format);
            return report::INPUT_ERRORS;
        }
    };
    let (typst, mut diags) = standalone(&root, &rel, &text);
    let Some(pdf) = args.pdf else {
        report::problems(&root, &diags, args.diagnostic_format);
        report::typst(&typst);
        return if has_errors(&diags) { report::INPUT_ERRORS } else { 0 };
    };
    let compiled = (!has_errors(&diags)).then(|| compile_pdf(&root, typst)).map(|(bytes, mut problems)| {
        diags.append(&mut problems);
        bytes
    });
    report::problems(&root, &diags, args.diagnostic_format);
    match compiled.flatten() {
        Some(bytes) => match crate::write::write_atomic(&pdf, &bytes) {
            Ok(()) => 0,
            Err(err) => report::fatal(&err, &[]),
        },
        None => report::INPUT_ERRORS,
    }
}

/// The standalone document `typst` compiled in a world rooted at `root`
/// (the Markdown file's project or folder), as PDF bytes, with the
/// compile's problems.
fn compile_pdf(root: &Path, typst: String) -> (Option<Vec<u8>>, Diagnostics) {
    use crate::compile::world::{ReportWorld, Shared};
    let time = typst_kit::datetime::Time::fixed_timestamp(0).expect("the epoch is a time");
    let shared = std::sync::Arc::new(Shared::new(root, time));
    let world = ReportWorld::new(shared, "/.kooste-convert.typ", typst);
    let origin = crate::compile::Origin { template_path: Path::new(""), template_text: "" };
    let (doc, mut diags) = crate::compile::compile_document(&world, &origin);
    let Some(doc) = doc else { return (None, diags) };
    let date = typst::foundations::Datetime::from_ymd(1970, 1, 1).expect("a valid date");
    match crate::compile::export_pdf(&world, &doc, "convert", date, typst_pdf::PdfStandards::default()) {
        Ok(bytes) => (Some(bytes), diags),
        Err(mut errors) => {
            diags.append(&mut errors);
            (None, diags)
        }
    }
}

/// Converts Markdown `text` from `path` (relative to `root`) to a standalone
/// Typst document, in Finnish with smart punctuation.
pub fn standalone(root: &Path, path: &Path, text: &str) -> (String, Diagnostics) {
    standalone_with(root, path, text, &quarto_dialect(root, text))
}

/// The dialect of a file converted on its own: `{{< meta key >}}` reads
/// its front matter over its Quarto project's `_quarto.yml`, and
/// `{{< var key >}}` the project's `_variables.yml`, as in Quarto.
fn quarto_dialect(root: &Path, text: &str) -> Dialect {
    let yaml = |text: &str| yaml_serde::from_str::<yaml_serde::Mapping>(text).ok();
    let mut meta = std::fs::read_to_string(root.join(QUARTO_PROJECT)).ok().and_then(|t| yaml(&t)).unwrap_or_default();
    if crate::load::front::has_metadata_block(text)
        && let Some(range) = crate::load::front::front_matter_range(text)
        && let Some(front) = yaml(&text[range])
    {
        meta.extend(front);
    }
    let vars =
        std::fs::read_to_string(root.join("_variables.yml")).ok().and_then(|t| crate::load::parse_variables(&t).ok());
    let meta = if meta.is_empty() { minijinja::Value::UNDEFINED } else { minijinja::Value::from_serialize(&meta) };
    Dialect { meta, vars, ..Dialect::default() }
}

/// [`standalone`] in a given dialect (the conformance tests turn smart
/// punctuation off to compare with the specifications' literal text).
pub fn standalone_with(root: &Path, path: &Path, text: &str, dialect: &Dialect) -> (String, Diagnostics) {
    // Included files spliced in, as in a build.
    let mut include_diags = Vec::new();
    let read = |file: &Path| crate::load::sources::read_text(root, file);
    let (text, includes) = crate::load::include::expand(path, text, &read, &mut include_diags);
    let (typst, mut diags) = convert_text(root, path, &text, dialect);
    diags.splice(0..0, include_diags);
    let Some(origins) = includes else { return (typst, diags) };
    diags.iter_mut().for_each(|d| origins.map(path, &text, d));
    let typst = crate::source_map::remap_markers(&typst, &|line| {
        origins.marker_place(line).map(|(file, line)| (file.to_path_buf(), line))
    });
    (typst, diags)
}

/// Converts one file's text (includes spliced in) to a standalone document.
fn convert_text(root: &Path, path: &Path, text: &str, dialect: &Dialect) -> (String, Diagnostics) {
    // Front matter is data, not text (its lines stay, blank); its title
    // heads the document, as Quarto prints it.
    let body = match crate::load::front::has_metadata_block(text) {
        true => {
            let body = crate::load::sources::blank_front_matter(text);
            let mut doc = crate::load::sources::Document {
                path: path.to_path_buf(),
                text: text.to_string(),
                body,
                includes: None,
            };
            if let Some(title) = front_title(text) {
                crate::load::sources::title_as_heading(&mut doc, &title);
            }
            doc.body
        }
        false => text.to_string(),
    };
    let (protected, codes) = shortcodes::protect(&body);
    let image_exists = |p: &str| crate::load::tree::image_path(p).is_some_and(|rel| root.join(rel).is_file());
    let options = ConvertOptions {
        path,
        source: text,
        line_map: &[],
        blocks: &[],
        wide_blocks: &[],
        label_prefix: "c",
        image_exists: &image_exists,
        missing_image: MissingImage::Placeholder,
        resolve_citations: false,
        dialect,
        shortcodes: &codes,
    };
    let converted = to_typst(&protected, &options);
    (format!("{PREAMBLE}{}\n", converted.typst), converted.diagnostics)
}

/// The root a file is converted against: the project it belongs to, else its
/// folder; and the file's path relative to that root.
pub fn locate(file: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    let abs = file.canonicalize()?;
    let dir = abs.parent().unwrap_or(Path::new("/")).to_path_buf();
    // A kooste project, else a Quarto project (its `_quarto.yml`), else
    // the file's folder.
    let quarto = || dir.ancestors().find(|d| d.join(QUARTO_PROJECT).is_file()).map(Path::to_path_buf);
    let root = crate::load::project::find_root(&dir).or_else(quarto).unwrap_or(dir);
    let rel = abs.strip_prefix(&root).map(Path::to_path_buf).unwrap_or_else(|_| abs.clone());
    Ok((root, rel))
}

/// The `title` of a file's YAML metadata block, if it is a string.
fn front_title(text: &str) -> Option<String> {
    let range = crate::load::front::front_matter_range(text)?;
    let meta: yaml_serde::Mapping = yaml_serde::from_str(&text[range]).ok()?;
    meta.get("title")?.as_str().map(str::to_string)
}
