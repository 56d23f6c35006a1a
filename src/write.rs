//! Writing: the only stage that writes a deliverable. Artifacts as an all-or-nothing set (every temporary file written and
//! flushed before any is renamed over its target), single files atomically,
//! and `--emit-typst` folders that compile standalone.
//!
//! A killed build leaves at most temporary files, which the next write
//! removes once they are old; never a half-written PDF.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::compile::world::Shared;
use crate::load::project::Format;
use crate::outputs::JobId;

/// A generated main source to emit: its virtual path and its text.
pub struct MainFile<'a> {
    pub vpath: &'a str,
    pub text: &'a str,
}

/// What a backend made of one job: the bytes of its file and where they go.
#[derive(Debug)]
pub struct Artifact {
    pub job: JobId,
    pub format: Format,
    /// The file's path (in the output folder).
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// Writes a set of artifacts: all or nothing, then removes the Typst a
/// failed build had kept beside each (it is stale now).
pub fn write_set(artifacts: &[&Artifact]) -> anyhow::Result<()> {
    let files: Vec<(&Path, &[u8])> = artifacts.iter().map(|a| (a.path.as_path(), a.bytes.as_slice())).collect();
    write_all_atomic(&files)?;
    for (path, _) in files {
        let _ = std::fs::remove_file(path.with_extension("typ"));
    }
    Ok(())
}

/// Writes one artifact atomically, as a watch build does the moment it is
/// made.
pub fn write_artifact(artifact: &Artifact) -> anyhow::Result<()> {
    write_atomic(&artifact.path, &artifact.bytes)
}

/// Keeps the generated Typst of an output that failed to compile beside its
/// PDF's path, so the positions in Typst's messages can be opened.
pub fn keep_failed_typst(pdf_path: &Path, text: &str) {
    let _ = write_atomic(&pdf_path.with_extension("typ"), text.as_bytes());
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// flushed to disk, then renamed over the target. A failure leaves the
/// previous file as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    stage(path, bytes)?.commit()
}

/// Writes several files so that either all of them are replaced or none:
/// every temporary file is written and flushed first, and only then are
/// they renamed over their targets.
pub fn write_all_atomic(files: &[(&Path, &[u8])]) -> anyhow::Result<()> {
    // What would make a rename fail is checked before any rename happens.
    for (path, _) in files {
        if path.is_dir() {
            anyhow::bail!("failed to write {} (Is a directory)", path.display());
        }
    }
    let staged = files.iter().map(|(path, bytes)| stage(path, bytes)).collect::<anyhow::Result<Vec<_>>>()?;
    for file in staged {
        file.commit()?;
    }
    Ok(())
}

/// A file written in full beside its target, waiting to be renamed.
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
}

impl Staged {
    /// Renames the temporary file over the target.
    pub fn commit(self) -> anyhow::Result<()> {
        use anyhow::Context as _;
        let path = self.path;
        self.tmp.persist(&path).map_err(|e| e.error).with_context(|| format!("failed to write {}", path.display()))?;
        Ok(())
    }
}

/// Writes `bytes` to a flushed temporary file beside `path`.
fn stage(path: &Path, bytes: &[u8]) -> anyhow::Result<Staged> {
    use anyhow::Context as _;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create output folder {}", dir.display()))?;
    remove_stale_temporaries(dir);
    let mut tmp = tempfile::Builder::new()
        .prefix(TMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("failed to create a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes).with_context(|| format!("failed to write {}", path.display()))?;
    tmp.as_file().sync_all().with_context(|| format!("failed to write {}", path.display()))?;
    // Temporary files are private (0600); a deliverable is readable like
    // any file the user creates.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    Ok(Staged { tmp, path: path.to_path_buf() })
}

/// The prefix of kooste's temporary files.
const TMP_PREFIX: &str = ".kooste-";

/// Removes temporary files that a killed build left behind. Only old ones:
/// a build running at the same time may be writing a fresh one.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 600);
        if name.starts_with(TMP_PREFIX) && name.ends_with(".tmp") && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Writes every output's generated main source and every project file the
/// compiles read (style files, bibliography, images, fonts) under `dir`,
/// keeping their paths, so the Typst compiles standalone with `--root dir`.
pub fn emit_typst(root: &Path, dir: &Path, mains: &[MainFile], shared: &Arc<Shared>) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let dir = root.join(dir);
    let copy = |rel: &Path| -> anyhow::Result<()> {
        let target = dir.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("failed to create {}", parent.display()))?;
        }
        std::fs::copy(root.join(rel), &target).with_context(|| format!("failed to copy {}", rel.display()))?;
        Ok(())
    };
    for main in mains {
        let rel = main.vpath.trim_start_matches('/');
        let target = dir.join(rel);
        std::fs::create_dir_all(target.parent().expect("main files live in templates/"))
            .context("failed to create the emit folder")?;
        write_atomic(&target, main.text.as_bytes())?;
    }
    // What the compiles read, as the project's file loader recorded it.
    for rel in shared.files.loader().accessed() {
        copy(&rel)?;
    }
    // The fonts the world scans (the templates' and the author's).
    for fonts in ["templates/fonts", "report/fonts"] {
        if root.join(fonts).is_dir() {
            for entry in std::fs::read_dir(root.join(fonts))?.flatten() {
                copy(&Path::new(fonts).join(entry.file_name()))?;
            }
        }
    }
    Ok(())
}
