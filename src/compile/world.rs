//! [`ReportWorld`]: the `typst::World` one output compiles in.
//!
//! Delegate-only, on typst-kit's stores: files come from a [`FileStore`]
//! over [`ProjectFiles`], which serves only files inside the project root
//! (symlinks that lead out are refused too) and packages vendored under
//! `templates/packages/`; fonts from a [`FontStore`] with typst's embedded
//! fonts plus those the templates ship (`templates/fonts/`) and any the
//! author adds (`report/fonts/`); the date from a fixed [`Time`]. The
//! generated main source lives in the world itself. Fonts, the standard
//! library and the file cache are shared (`Arc`) by all outputs of a build.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::datetime::Time;
use typst_kit::files::{FileLoader, FileStore};
use typst_kit::fonts::FontStore;

pub use crate::load::templates::PACKAGES_DIR;

/// Loads project files, refusing anything outside the root.
pub struct ProjectFiles {
    root: PathBuf,
    /// Project files served so far (relative paths), for `--emit-typst`.
    accessed: std::sync::Mutex<std::collections::BTreeSet<PathBuf>>,
}

impl ProjectFiles {
    /// `root` must be canonical.
    pub fn new(root: PathBuf) -> Self {
        Self { root, accessed: Default::default() }
    }

    /// The project files loaded so far, relative to the root.
    pub fn accessed(&self) -> Vec<PathBuf> {
        self.accessed.lock().map(|set| set.iter().cloned().collect()).unwrap_or_default()
    }

    fn load_from(&self, base: &Path, vpath: &VirtualPath) -> FileResult<Bytes> {
        let path = vpath.realize(base).map_err(FileError::Realize)?;
        // Resolve symlinks and refuse whatever ends up outside the root.
        let real = path.canonicalize().map_err(|e| FileError::from_io(e, &path))?;
        if !real.starts_with(&self.root) {
            return Err(FileError::Other(Some(
                format!("{} is outside the project folder; kooste reads only files inside it", vpath.get_with_slash())
                    .into(),
            )));
        }
        if real.is_dir() {
            return Err(FileError::IsDirectory);
        }
        std::fs::read(&real).map(Bytes::new).map_err(|e| FileError::from_io(e, &path))
    }
}

impl FileLoader for ProjectFiles {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        match id.root() {
            VirtualRoot::Project => {
                let bytes = self.load_from(&self.root, id.vpath())?;
                if let Ok(mut set) = self.accessed.lock() {
                    set.insert(PathBuf::from(id.vpath().get_without_slash()));
                }
                Ok(bytes)
            }
            VirtualRoot::Package(spec) => {
                let dir = self
                    .root
                    .join(PACKAGES_DIR)
                    .join(spec.namespace.as_str())
                    .join(spec.name.as_str())
                    .join(spec.version.to_string());
                if !dir.is_dir() {
                    return Err(FileError::Package(PackageError::Other(Some(
                        format!(
                            "package {spec} is not available: kooste builds offline; vendor it into {PACKAGES_DIR}/{}/{}/{}/",
                            spec.namespace, spec.name, spec.version
                        )
                        .into(),
                    ))));
                }
                self.load_from(&dir, id.vpath())
            }
        }
    }
}

/// What all outputs of one build share.
pub struct Shared {
    pub root: PathBuf,
    pub library: LazyHash<Library>,
    pub fonts: FontStore,
    pub files: FileStore<ProjectFiles>,
    pub time: Time,
}

impl Shared {
    /// The text of the project file at `rel` (relative to the root), read
    /// through the file store as a compile would read it: never from
    /// outside the project.
    pub fn read_text(&self, rel: &Path) -> Option<String> {
        let vpath = VirtualPath::new(format!("/{}", rel.to_str()?.replace('\\', "/"))).ok()?;
        let id = RootedPath::new(VirtualRoot::Project, vpath).intern();
        let bytes = self.files.file(id).ok()?;
        String::from_utf8(bytes.to_vec()).ok()
    }

    /// Loads fonts (embedded, `templates/fonts/`, `report/fonts/`) and
    /// sets up the file store.
    pub fn new(root: &Path, time: Time) -> Shared {
        let mut fonts = FontStore::new();
        fonts.extend(typst_kit::fonts::embedded());
        for dir in ["templates/fonts", "report/fonts"] {
            let font_dir = root.join(dir);
            if font_dir.is_dir() {
                fonts.extend(typst_kit::fonts::scan(&font_dir));
            }
        }
        Shared {
            root: root.to_path_buf(),
            // HTML export on: paged compiles only gain the `html` module.
            // `a11y-extras`: `pdf.header-cell`, for a table's row headers.
            library: LazyHash::new(
                Library::builder()
                    .with_features([typst::Feature::Html, typst::Feature::A11yExtras].into_iter().collect())
                    .build(),
            ),
            fonts,
            files: FileStore::new(ProjectFiles::new(root.to_path_buf())),
            time,
        }
    }
}

/// The world of one output: the shared stores plus its generated main source.
pub struct ReportWorld {
    shared: Arc<Shared>,
    main: Source,
}

impl ReportWorld {
    /// A world whose main file is `text`, known as `vpath` (e.g. `/.kooste/report.typ`).
    pub fn new(shared: Arc<Shared>, vpath: &str, text: String) -> ReportWorld {
        let vpath = VirtualPath::new(vpath).expect("generated paths are valid");
        let id = RootedPath::new(VirtualRoot::Project, vpath).intern();
        ReportWorld { shared, main: Source::new(id, text) }
    }

    /// Like [`ReportWorld::new`], but edits `previous` (the same output's
    /// source from the last build) in place: unchanged parts keep their
    /// spans, so typst's memoized work stays valid.
    pub fn with_previous(shared: Arc<Shared>, vpath: &str, text: String, previous: Option<Source>) -> ReportWorld {
        match previous {
            Some(mut main) => {
                main.replace(&text);
                ReportWorld { shared, main }
            }
            None => ReportWorld::new(shared, vpath, text),
        }
    }

    /// The generated main source.
    pub fn main_source(&self) -> &Source {
        &self.main
    }

    /// The shared stores.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.shared.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { self.shared.files.source(id) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.main.text().to_string()))
        } else {
            self.shared.files.file(id)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.font(index)
    }

    fn today(&self, offset: Option<Duration>) -> Option<Datetime> {
        self.shared.time.today(offset)
    }
}

/// The project-relative path of a file id, for diagnostics (`None` for
/// packages and generated files).
pub fn project_path(id: FileId) -> Option<PathBuf> {
    match id.root() {
        VirtualRoot::Project => Some(PathBuf::from(id.vpath().get_without_slash())),
        VirtualRoot::Package(_) => None,
    }
}
