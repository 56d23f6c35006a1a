//! The one way kooste runs git: `git -C <root> ARGS`, with the error that
//! a user can act on. Used for the build stamp, `kooste diff` and
//! `kooste review`.

use std::path::Path;
use std::process::Command;

/// Why a git call gave nothing.
#[derive(Debug)]
pub enum GitError {
    /// git could not be started (not installed, not on PATH).
    Missing(std::io::Error),
    /// git ran and refused: its own words, trimmed.
    Failed(String),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::Missing(err) => write!(f, "failed to run git ({err})"),
            GitError::Failed(stderr) => f.write_str(stderr),
        }
    }
}

impl std::error::Error for GitError {}

/// What `git -C root ARGS` prints on standard output.
pub fn run(root: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let out = Command::new("git").arg("-C").arg(root).args(args).output().map_err(GitError::Missing)?;
    if !out.status.success() {
        return Err(GitError::Failed(String::from_utf8_lossy(&out.stderr).trim().to_string()));
    }
    Ok(out.stdout)
}

/// What `git -C root ARGS` prints, as trimmed text; `None` when git fails.
pub fn text(root: &Path, args: &[&str]) -> Option<String> {
    run(root, args).ok().map(|out| String::from_utf8_lossy(&out).trim().to_string())
}
