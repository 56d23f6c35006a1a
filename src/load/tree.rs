//! The project tree: the one walk over `report/`, `data/` and `templates/`
//! (what a watch session watches, what `kooste diff` copies, what a
//! conversion may depend on), and the listing of the Markdown sources.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The folders a project's inputs live in.
pub const PROJECT_DIRS: &[&str] = &["report", "data", "templates"];

/// A file or folder of the project tree.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Entry {
    /// Relative to the project root.
    pub rel: PathBuf,
    pub is_dir: bool,
    pub len: u64,
    pub modified: Option<SystemTime>,
}

/// Every file and folder under the `tops` folders of `root` (the folders
/// themselves included), in no particular order; what cannot be read is
/// left out.
pub fn walk(root: &Path, tops: &[&str]) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = tops.iter().map(PathBuf::from).filter(|rel| root.join(rel).is_dir()).collect();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&dir)) else { continue };
        for entry in entries.flatten() {
            let rel = dir.join(entry.file_name());
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(rel);
            } else {
                out.push(Entry { rel, is_dir: false, len: meta.len(), modified: meta.modified().ok() });
            }
        }
        out.push(Entry { rel: dir, is_dir: true, len: 0, modified: None });
    }
    out
}

/// Whether `rel` is a Markdown source by its name (`.md` or Quarto's `.qmd`).
pub fn is_markdown(rel: &Path) -> bool {
    rel.extension().is_some_and(|e| e == "md" || e == "qmd")
}

/// The project's files as load saw them: what an image reference may name,
/// and a fingerprint of what a conversion may read besides its document.
#[derive(Debug, Clone, Default)]
pub struct Files {
    /// Every file under report/, data/ and templates/, relative to the root.
    pub paths: std::collections::BTreeSet<PathBuf>,
    /// A hash of the names, sizes and modification times of those files
    /// but the Markdown sources outside templates/: images, datasets,
    /// report.toml, variables and templates are among them.
    pub fingerprint: u128,
}

impl Files {
    /// Walks the project under `root`.
    pub fn load(root: &Path) -> Files {
        let mut files: Vec<Entry> = walk(root, PROJECT_DIRS).into_iter().filter(|e| !e.is_dir).collect();
        files.sort();
        let fingerprinted: Vec<&Entry> =
            files.iter().filter(|e| !is_markdown(&e.rel) || e.rel.starts_with("templates")).collect();
        let fingerprint = typst::utils::hash128(&fingerprinted);
        Files { paths: files.into_iter().map(|e| e.rel).collect(), fingerprint }
    }

    /// Whether the image `address` names a file of the project.
    pub fn has_image(&self, address: &str) -> bool {
        image_path(address).is_some_and(|rel| self.paths.contains(&rel))
    }
}

/// The project-relative path an image address names (`/` at its start
/// means the project root), when it does not climb out with `..`.
pub fn image_path(address: &str) -> Option<PathBuf> {
    let rel = address.trim_start_matches('/');
    (!rel.split('/').any(|s| s == "..")).then(|| PathBuf::from(rel))
}

/// The Markdown files of one folder (`.md` and `.qmd`; no hidden files and
/// none whose name starts with `_`), relative to the root and sorted by
/// name.
pub fn markdown_in(root: &Path, folder: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        // Quarto renders no file whose name starts with `_` (snippets that
        // other files include).
        .filter(|name| is_markdown(Path::new(name)) && !name.starts_with('.') && !name.starts_with('_'))
        .collect();
    names.sort();
    names.into_iter().map(|name| Path::new(folder).join(name)).collect()
}

/// The folders whose Markdown files are sources, in the order the
/// converter numbers them (the brief comes between recommendations and
/// abstracts).
pub const SOURCE_FOLDERS: [&str; 3] = ["report/chapters", "report/cases", "report/recommendations"];
/// The abstracts' folder.
pub const ABSTRACTS_FOLDER: &str = "report/abstracts";

/// The brief's file: `report/brief.md`, else Quarto's `report/brief.qmd`.
pub fn brief_path(root: &Path) -> Option<PathBuf> {
    ["report/brief.md", "report/brief.qmd"].into_iter().map(PathBuf::from).find(|p| root.join(p).is_file())
}

/// Every Markdown source of the project (chapters, cases, recommendations,
/// the brief, the abstracts), relative to the root.
pub fn source_paths(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = SOURCE_FOLDERS.iter().flat_map(|f| markdown_in(root, f)).collect();
    out.extend(brief_path(root));
    out.extend(markdown_in(root, ABSTRACTS_FOLDER));
    out
}

/// A hash of a project file's bytes; `None` when it cannot be read.
pub fn content_hash(root: &Path, rel: &Path) -> Option<u64> {
    let bytes = std::fs::read(root.join(rel)).ok()?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    Some(hasher.finish())
}
