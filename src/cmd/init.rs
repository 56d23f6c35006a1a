//! `kooste init DIR`: a new project (config, a chapter, a case, a
//! recommendation, the brief, abstracts, a dataset, a bibliography and the
//! templates) from files embedded in the binary. It builds at once.

use std::path::Path;

use anyhow::Context as _;

use crate::cli::InitArgs;
use crate::report;

/// `kooste init DIR`.
pub fn run(args: InitArgs) -> u8 {
    match init(&args.dir) {
        Ok(()) => report::initialised(&args.dir),
        Err(err) => report::fatal(&err, &[]),
    }
}

/// Every scaffold file: its path in the new project and its content.
pub const FILES: &[(&str, &str)] = &[
    ("report/report.toml", include_str!("../../scaffold/report/report.toml")),
    ("report/chapters/01-johdanto.md", include_str!("../../scaffold/report/chapters/01-johdanto.md")),
    ("report/chapters/02-tapaukset.md", include_str!("../../scaffold/report/chapters/02-tapaukset.md")),
    ("report/chapters/03-suositukset.md", include_str!("../../scaffold/report/chapters/03-suositukset.md")),
    ("report/cases/01-esimerkki.md", include_str!("../../scaffold/report/cases/01-esimerkki.md")),
    ("report/recommendations/s1.md", include_str!("../../scaffold/report/recommendations/s1.md")),
    ("report/brief.md", include_str!("../../scaffold/report/brief.md")),
    ("report/abstracts/fi.md", include_str!("../../scaffold/report/abstracts/fi.md")),
    ("report/abstracts/sv.md", include_str!("../../scaffold/report/abstracts/sv.md")),
    ("report/abstracts/en.md", include_str!("../../scaffold/report/abstracts/en.md")),
    ("report/references.bib", include_str!("../../scaffold/report/references.bib")),
    ("data/datasets.toml", include_str!("../../scaffold/data/datasets.toml")),
    ("data/esimerkki.csv", include_str!("../../scaffold/data/esimerkki.csv")),
    ("templates/report.typ.j2", include_str!("../../templates/report.typ.j2")),
    ("templates/brief.typ.j2", include_str!("../../templates/brief.typ.j2")),
    ("templates/colophon.typ.j2", include_str!("../../templates/colophon.typ.j2")),
    ("templates/brief-references.csl", include_str!("../../templates/brief-references.csl")),
    ("templates/style.typ", include_str!("../../templates/style.typ")),
    ("templates/words.typ", include_str!("../../templates/words.typ")),
    ("templates/report.html.typ.j2", include_str!("../../templates/report.html.typ.j2")),
    ("templates/brief.html.typ.j2", include_str!("../../templates/brief.html.typ.j2")),
    ("templates/web.typ", include_str!("../../templates/web.typ")),
    ("templates/web.css", include_str!("../../templates/web.css")),
    (".gitignore", "/out\n"),
];

/// The fonts the templates use (Cabin, SIL Open Font License 1.1), with
/// their licence.
pub const FONTS: &[(&str, &[u8])] = &[
    ("templates/fonts/Cabin-Regular.otf", include_bytes!("../../templates/fonts/Cabin-Regular.otf")),
    ("templates/fonts/Cabin-Italic.otf", include_bytes!("../../templates/fonts/Cabin-Italic.otf")),
    ("templates/fonts/Cabin-SemiBold.otf", include_bytes!("../../templates/fonts/Cabin-SemiBold.otf")),
    ("templates/fonts/Cabin-Bold.otf", include_bytes!("../../templates/fonts/Cabin-Bold.otf")),
    ("templates/fonts/OFL.txt", include_bytes!("../../templates/fonts/OFL.txt")),
];

/// Writes a new project into `dir`, which must not hold a project already.
pub fn init(dir: &Path) -> anyhow::Result<()> {
    if dir.join(crate::load::project::CONFIG_PATH).exists() {
        anyhow::bail!("{} already holds a kooste project", dir.display());
    }
    let files = FILES.iter().map(|(rel, text)| (*rel, text.as_bytes())).chain(FONTS.iter().copied());
    for (rel, _) in files.clone() {
        let path = dir.join(rel);
        if path.exists() {
            anyhow::bail!("{} exists already; kooste init writes only into a new or empty folder", path.display());
        }
    }
    for (rel, content) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("failed to create {}", parent.display()))?;
        }
        std::fs::write(&path, content).with_context(|| format!("failed to write {}", path.display()))?;
    }
    Ok(())
}
