//! Quarto's `{{< include path >}}`: the file's text spliced in where the
//! shortcode stands, before templating and parsing, as Quarto does.
//!
//! The path is relative to the including file (`/` at its start: to the
//! project root), includes nest, a cycle is an error, and no file outside
//! the project is read. A document with includes keeps, for each line of
//! its spliced text, the file and line it came from ([`Origins`]), so that
//! every position kooste reports in included text is the included file's
//! own: the converter's `// source:` markers are rewritten through it
//! ([`Origins::marker_place`]) and the diagnostics are mapped back
//! ([`Origins::place`]) before they are printed.

use std::path::{Component, Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics, line_col, line_range, offset_of};

/// Where each line of a document's spliced text comes from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Origins {
    /// The files: the document itself first, then each included one, with
    /// its text as written.
    pub files: Vec<(PathBuf, String)>,
    /// Per line of the spliced text (0-based): the file's index in `files`
    /// and its 1-based line there.
    pub lines: Vec<(usize, usize)>,
}

impl Origins {
    /// The file and range in it of `range` in the spliced `text`.
    pub fn place(&self, text: &str, range: std::ops::Range<usize>) -> Option<(PathBuf, std::ops::Range<usize>)> {
        let (line, col) = line_col(text, range.start.min(text.len()));
        let &(file, origin_line) = self.lines.get(line - 1)?;
        let (path, original) = self.files.get(file)?;
        let start = offset_of(original, origin_line, col);
        let line_end = line_range(original, start).end.max(start);
        // An empty range stands for its whole line.
        let end = if range.is_empty() { line_end } else { (start + range.len()).min(line_end) };
        Some((path.clone(), start..end))
    }

    /// The file and line of 1-based `line` of the spliced text.
    pub fn marker_place(&self, line: usize) -> Option<(&Path, usize)> {
        let &(file, origin_line) = self.lines.get(line.checked_sub(1)?)?;
        self.files.get(file).map(|(path, _)| (path.as_path(), origin_line))
    }

    /// Maps `diag` (at `path`, positions in the spliced `text`) back to the
    /// file it is in.
    pub fn map(&self, path: &Path, text: &str, diag: &mut Diagnostic) {
        if diag.path != path {
            return;
        }
        let range = diag.range.clone().unwrap_or(0..0);
        if let Some((file, range)) = self.place(text, range) {
            diag.path = file;
            diag.range = Some(range);
        }
    }
}

/// The include shortcode a line holds on its own: its path argument.
fn include_target(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix("{{<")?.strip_suffix(">}}")?.trim();
    let rest = inner.strip_prefix("include")?;
    (rest.starts_with(char::is_whitespace)).then(|| rest.trim().trim_matches(['"', '\'']))
}

/// `text` of the file `rel` with its include shortcodes (each alone on its
/// line) replaced by the included files' text, recursively; `read` reads a
/// project file. `None` for the origins when there is no include.
pub fn expand(
    rel: &Path,
    text: &str,
    read: &dyn Fn(&Path) -> Result<String, String>,
    diags: &mut Diagnostics,
) -> (String, Option<Origins>) {
    if !text.contains("{{<") || !text.lines().any(|l| include_target(l).is_some()) {
        return (text.to_string(), None);
    }
    let mut origins = Origins { files: vec![(rel.to_path_buf(), text.to_string())], lines: Vec::new() };
    let mut out = String::with_capacity(text.len());
    splice(0, &mut vec![rel.to_path_buf()], read, &mut origins, &mut out, diags);
    (out, Some(origins))
}

/// Writes file `index` of `origins` to `out`, splicing its includes;
/// `stack` is the chain of files being included (for cycles).
fn splice(
    index: usize,
    stack: &mut Vec<PathBuf>,
    read: &dyn Fn(&Path) -> Result<String, String>,
    origins: &mut Origins,
    out: &mut String,
    diags: &mut Diagnostics,
) {
    let (path, text) = origins.files[index].clone();
    let mut offset = 0;
    // An included file's own front matter is not text.
    let body = if index == 0 { text.clone() } else { super::sources::blank_front_matter(&text) };
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let at = offset..offset + line.trim_end().len();
        offset += line.len();
        let Some(target) = include_target(line) else {
            out.push_str(line);
            origins.lines.push((index, i + 1));
            continue;
        };
        // The including document's own problems are placed in the spliced
        // text (where its line is left blank), as every later stage places
        // them, and mapped back with the rest; an included file's are its own.
        let at = if index == 0 { out.len()..out.len() } else { at };
        let error = |message: String, hint: &str| Diagnostic::error(&path, Some(at.clone()), message).with_hint(hint);
        let included = match resolve(&path, target) {
            None => Err(error(
                format!("`{target}` is outside the project folder"),
                "kooste reads only files inside the project",
            )),
            Some(file) if stack.contains(&file) => Err(error(
                format!("including `{target}` would include it again (a cycle)"),
                "remove one of the includes",
            )),
            Some(file) => read(&file).map(|text| (file, text)).map_err(|why| {
                error(format!("cannot include `{target}` ({why})"), "the path is relative to this file")
            }),
        };
        match included {
            Ok((file, text)) => {
                origins.files.push((file.clone(), text));
                let child = origins.files.len() - 1;
                stack.push(file);
                splice(child, stack, read, origins, out, diags);
                stack.pop();
                if !out.ends_with('\n') {
                    out.push('\n');
                    origins.lines.push((index, i + 1));
                }
            }
            Err(diag) => {
                diags.push(diag);
                out.push('\n');
                origins.lines.push((index, i + 1));
            }
        }
    }
}

/// The project-relative path `target` names from the file `from`; `None`
/// when it leaves the project.
fn resolve(from: &Path, target: &str) -> Option<PathBuf> {
    let joined = match target.strip_prefix('/') {
        Some(rooted) => PathBuf::from(rooted),
        None => from.parent().unwrap_or(Path::new("")).join(target),
    };
    let mut parts: Vec<Component> = Vec::new();
    for part in joined.components() {
        match part {
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::Normal(_) => parts.push(part),
            _ => return None,
        }
    }
    Some(parts.iter().collect())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn files() -> HashMap<PathBuf, String> {
        HashMap::from([
            ("report/chapters/_osa.qmd".into(), "Osa yksi.\n{{< include ../_sisempi.md >}}\nOsa kaksi.\n".into()),
            ("report/_sisempi.md".into(), "---\ntitle: x\n---\nSisempi.\n".into()),
            ("report/chapters/_kehä.qmd".into(), "{{< include 01.md >}}\n".into()),
        ])
    }

    fn run(text: &str) -> (String, Option<Origins>, Diagnostics) {
        let files = files();
        let read = |p: &Path| files.get(p).cloned().ok_or_else(|| "no such file".to_string());
        let mut diags = Vec::new();
        let (out, origins) = expand(Path::new("report/chapters/01.md"), text, &read, &mut diags);
        (out, origins, diags)
    }

    #[test]
    fn includes_nest_and_keep_their_lines() {
        let (out, origins, diags) = run("# Luku\n\n{{< include _osa.qmd >}}\n\nLoppu.\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(out, "# Luku\n\nOsa yksi.\n\n\n\nSisempi.\nOsa kaksi.\n\nLoppu.\n");
        let origins = origins.unwrap();
        let at = out.find("Sisempi").unwrap();
        let (path, range) = origins.place(&out, at..at + 7).unwrap();
        assert_eq!(path, Path::new("report/_sisempi.md"));
        assert_eq!(&origins.files[2].1[range], "Sisempi");
        assert_eq!(origins.marker_place(8), Some((Path::new("report/chapters/_osa.qmd"), 3)));
        assert_eq!(origins.marker_place(10), Some((Path::new("report/chapters/01.md"), 5)));
    }

    #[test]
    fn cycles_missing_files_and_the_outside_are_errors_at_the_line() {
        let (_, _, diags) = run("{{< include _kehä.qmd >}}\n{{< include nope.md >}}\n{{< include ../../../x.md >}}\n");
        let messages: Vec<String> = diags.iter().map(|d| format!("{}: {}", d.path.display(), d.message)).collect();
        assert_eq!(
            messages,
            [
                "report/chapters/_kehä.qmd: including `01.md` would include it again (a cycle)",
                "report/chapters/01.md: cannot include `nope.md` (no such file)",
                "report/chapters/01.md: `../../../x.md` is outside the project folder",
            ]
        );
    }
}
