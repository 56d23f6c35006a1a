//! The `// source: path:line` markers: written by the converter before each
//! top-level block of a Markdown document, ended by [`END_MARKER`] where a
//! fragment stops and template code begins, and read back to map an offset
//! in generated Typst to the author's file and line.
//!
//! Offsets in template code (no marker above them) map to the template's own
//! line by aligning the template with its rendered output ([`line_map`]).

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::diagnostics::{line_col, line_range, offset_of};

/// The comment the converter writes before each block.
pub const SOURCE_MARKER: &str = "// source: ";
/// The marker that ends a converted fragment: what follows is template code.
pub const END_MARKER: &str = "// source: end";

/// The marker line for line `line` of the file at `path` (project-relative).
pub fn marker_line(path: &Path, line: usize) -> String {
    let path = path.display().to_string().replace('\\', "/");
    format!("{SOURCE_MARKER}{path}:{line}\n")
}

/// `typst` with each `// source: path:line` marker's line mapped by
/// `place` (to another file and line: text included from another file).
pub fn remap_markers(typst: &str, place: &dyn Fn(usize) -> Option<(PathBuf, usize)>) -> String {
    let mut out = String::with_capacity(typst.len());
    for line in typst.split_inclusive('\n') {
        match parse_marker(line).flatten().and_then(|(_, at)| place(at)) {
            Some((path, at)) => out.push_str(&marker_line(&path, at)),
            None => out.push_str(line),
        }
    }
    out
}

/// A converted fragment closed with the end marker, ready for a template.
pub fn end_fragment(typst: &str) -> String {
    format!("{typst}\n{END_MARKER}\n")
}

/// Where an offset in generated Typst came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// The author's file (a Markdown source or the output template).
    pub path: PathBuf,
    /// The whole source line, as a byte range in that file.
    pub range: Range<usize>,
    /// The place is in converted Markdown (not in template code).
    pub from_markdown: bool,
}

/// Maps `offset` in the generated `text` to the author's file and line:
/// through the nearest marker above it, else (when `template` gives the
/// template's path and text) to the template line. `read` returns a
/// project file's text.
pub fn locate(
    text: &str,
    offset: usize,
    template: Option<(&Path, &str)>,
    read: impl Fn(&Path) -> String,
) -> Option<Place> {
    if let Some((path, line, delta)) = find_marker(text, offset) {
        let src = read(&path);
        let start = offset_of(&src, line + delta, 1);
        let end = line_range(&src, start).end;
        return Some(Place { path, range: start..end.max(start), from_markdown: true });
    }
    let (template_path, template_text) = template?;
    let (gen_line, _) = line_col(text, offset);
    let map = line_map(template_text, text);
    let line = if map.is_empty() { gen_line } else { map.get(gen_line - 1).copied().unwrap_or(1) };
    let start = offset_of(template_text, line, 1);
    let end = line_range(template_text, start).end;
    Some(Place { path: template_path.to_path_buf(), range: start..end.max(start), from_markdown: false })
}

/// What a line of generated Typst says as a marker: `None` when it is no
/// marker line; `Some(None)` for the end marker (or one that names no
/// line); else the file and line of the block that follows.
pub fn parse_marker(line: &str) -> Option<Option<(PathBuf, usize)>> {
    let spec = line.trim().strip_prefix(SOURCE_MARKER.trim_end())?.trim();
    if spec == "end" {
        return Some(None);
    }
    Some(spec.rsplit_once(':').and_then(|(path, line)| Some((PathBuf::from(path), line.trim().parse().ok()?))))
}

/// The nearest `// source: path:line` marker above `offset` and how many
/// lines below it `offset` lies; `None` when the nearest marker is the end
/// marker (or there is none).
pub fn find_marker(text: &str, offset: usize) -> Option<(PathBuf, usize, usize)> {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let mut pos = before.len();
    loop {
        let found = before[..pos].rfind(SOURCE_MARKER)?;
        let line_start = before[..found].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[found..].find('\n').map_or(text.len(), |i| found + i);
        // Only a marker at the start of a line counts.
        if before[line_start..found].trim().is_empty()
            && let Some(place) = parse_marker(&text[line_start..line_end])
        {
            let (path, line) = place?;
            let delta = text[line_end.min(offset)..offset].matches('\n').count().saturating_sub(1);
            let delta = if offset > line_end { delta } else { 0 };
            return Some((path, line, delta));
        }
        pos = found;
    }
}

/// Maps each rendered line to the template line it came from. Lines that
/// loops or functions add map to the line of the tag that made them.
pub fn line_map(template: &str, rendered: &str) -> Vec<usize> {
    if template.lines().count() == rendered.lines().count() {
        return Vec::new();
    }
    let diff = similar::TextDiff::from_lines(template, rendered);
    let mut map = vec![1; rendered.lines().count()];
    for op in diff.ops() {
        match *op {
            similar::DiffOp::Equal { old_index, new_index, len } => {
                for k in 0..len {
                    map[new_index + k] = old_index + k + 1;
                }
            }
            similar::DiffOp::Insert { old_index, new_index, new_len } => {
                for k in 0..new_len {
                    map[new_index + k] = old_index.max(1);
                }
            }
            similar::DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                for k in 0..new_len {
                    map[new_index + k] = old_index + k.min(old_len.saturating_sub(1)) + 1;
                }
            }
            similar::DiffOp::Delete { .. } => {}
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_map_follows_loops() {
        let map = line_map("a\n{% for i in x %}\nrow\n{% endfor %}\nb\n", "a\n\nrow\n\nrow\n\nb\n");
        assert_eq!(map.first(), Some(&1));
        assert_eq!(map.last(), Some(&5));
    }

    #[test]
    fn markers_map_lines() {
        let text = "#set x\n// source: report/a.md:10\nline one\nline two\n// source: end\ntail";
        let at = text.find("line two").unwrap();
        assert_eq!(find_marker(text, at), Some((PathBuf::from("report/a.md"), 10, 1)));
        let at = text.find("line one").unwrap();
        assert_eq!(find_marker(text, at), Some((PathBuf::from("report/a.md"), 10, 0)));
        assert_eq!(find_marker(text, text.find("tail").unwrap()), None);
        assert_eq!(find_marker(text, 2), None);
    }
}
