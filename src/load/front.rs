//! Front matter: the YAML block between `---` lines at the top of a
//! Markdown source → a strict struct of its kind, every problem reported in
//! one run at its line: a block that never closes, every key the kind does
//! not know (an error naming the keys it accepts), Quarto's document keys
//! that kooste does not act on in that kind of file (a warning each), and
//! values of the wrong type.

use std::ops::Range;

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};

use super::quarto_keys::is_quarto_key;
use super::sources::Document;
use crate::diagnostics::{Diagnostic, Diagnostics, closest};

/// The byte range of the YAML between the `---` lines, if the file has
/// front matter that closes.
pub fn front_matter_range(text: &str) -> Option<Range<usize>> {
    let first = text.lines().next()?;
    if first.trim() != "---" {
        return None;
    }
    let start = first.len() + 1;
    let mut pos = start;
    for line in text[start.min(text.len())..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Some(start..pos);
        }
        pos += line.len();
    }
    None
}

/// Whether `text` opens with a YAML metadata block as Pandoc reads one: a
/// closed block whose YAML is a mapping (or empty). `---` / `Foo` / `---`
/// is a rule and a heading, not metadata.
pub fn has_metadata_block(text: &str) -> bool {
    let Some(range) = front_matter_range(text) else { return false };
    let yaml = &text[range];
    yaml.trim().is_empty() || yaml_serde::from_str::<yaml_serde::Mapping>(yaml).is_ok()
}

/// Whether `text` opens a front matter block that never closes: a first
/// line `---` followed by a non-blank line (Pandoc's YAML block; a `---`
/// before a blank line is a rule) and no closing `---` or `...` line.
pub fn unclosed_front_matter(text: &str) -> bool {
    let mut lines = text.lines();
    lines.next().is_some_and(|l| l.trim_end() == "---")
        && lines.next().is_some_and(|l| !l.trim().is_empty())
        && front_matter_range(text).is_none()
}

/// The names of the fields a struct deserializes (its serde `FIELDS`).
pub fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Fields(Option<&'static [&'static str]>);
    impl<'de> Deserializer<'de> for &mut Fields {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = Some(fields);
            Err(de::Error::custom("fields read"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut fields = Fields(None);
    let _ = T::deserialize(&mut fields);
    fields.0.unwrap_or(&[])
}

/// A top-level key of a YAML block: its name and the byte range of its
/// line (and of the lines indented under it) in the block.
struct Key {
    name: String,
    at: Range<usize>,
    lines: Range<usize>,
}

/// The top-level keys of a YAML mapping, by their lines: a line at column 0
/// that reads `name:`; the lines after it that are indented, blank or
/// comments belong to it.
fn top_level_keys(yaml: &str) -> Vec<Key> {
    let mut keys: Vec<Key> = Vec::new();
    let mut pos = 0;
    for line in yaml.split_inclusive('\n') {
        let starts_key = !line.starts_with([' ', '\t', '#', '-']) && !line.trim().is_empty();
        let name = line.split_once(':').map(|(n, _)| n.trim().trim_matches(['"', '\'']).to_string());
        match name.filter(|_| starts_key) {
            Some(name) => keys.push(Key { at: pos..pos + name.len().max(1), name, lines: pos..pos + line.len() }),
            None => {
                if let Some(last) = keys.last_mut() {
                    last.lines.end = pos + line.len();
                }
            }
        }
        pos += line.len();
    }
    keys
}

/// What a file's front matter gives its kind `T`, with `kind` naming the
/// kind in messages (`a chapter`). `empty` is what a file without front
/// matter gets; `None` makes front matter required. Keys the kind does not
/// know are errors, all of them; Quarto's keys it does not act on warn and
/// are left out, except those in `keep` (a chapter's `title`).
pub fn parse_front<T: DeserializeOwned>(
    doc: &Document,
    kind: &str,
    diags: &mut Diagnostics,
    empty: Option<T>,
) -> Option<T> {
    if unclosed_front_matter(&doc.text) {
        diags.push(
            Diagnostic::error(&doc.path, Some(0..3), "this front matter block is never closed")
                .with_hint("end the YAML block with a line of three dashes, `---`; without it the whole file would be read as front matter"),
        );
        return None;
    }
    let Some(range) = front_matter_range(&doc.text) else {
        if empty.is_none() {
            diags.push(
                Diagnostic::error(&doc.path, Some(0..0), "front matter is missing")
                    .with_hint("start the file with a YAML block between two `---` lines; see docs/authoring.md"),
            );
        }
        return empty;
    };
    let yaml = &doc.text[range.clone()];
    if yaml.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) && empty.is_some() {
        return empty;
    }
    let known = field_names::<T>();
    let mut kept = yaml.to_string();
    let mut unknown = Vec::new();
    for key in top_level_keys(yaml) {
        if known.contains(&key.name.as_str()) {
            continue;
        }
        let at = Some(range.start + key.at.start..range.start + key.at.end);
        // A Quarto document keeps any other key as metadata, which its
        // `{{< meta key >}}` reads (convert::document_meta); one close to a
        // key kooste reads is a misspelling of it.
        let metadata = is_quarto_document(&doc.path) && closest(&key.name, known.iter().copied()).is_none();
        if is_quarto_key(&key.name) {
            diags.push(
                Diagnostic::warning(&doc.path, at, format!("front matter: `{}` is not used in {kind}", key.name))
                    .with_hint(quarto_key_hint(&key.name)),
            );
        } else if !metadata {
            unknown.push((key.name.clone(), at));
        }
        // Blank the key's lines (keeping their length) so what is left
        // parses at the same positions.
        let blank: String = yaml[key.lines.clone()].bytes().map(|b| if b == b'\n' { '\n' } else { ' ' }).collect();
        kept.replace_range(key.lines.clone(), &blank);
    }
    if !unknown.is_empty() {
        let expected = expected(known);
        for (name, at) in unknown {
            let hint = match closest(&name, known.iter().copied()) {
                Some(similar) => format!("did you mean `{similar}`? see docs/authoring.md for the keys {kind} accepts"),
                None => format!("see docs/authoring.md for the keys {kind} accepts"),
            };
            diags.push(
                Diagnostic::error(&doc.path, at, format!("front matter: unknown field `{name}`, {expected}"))
                    .with_hint(hint),
            );
        }
        return None;
    }
    let source = if kept.trim().is_empty() { "{}" } else { kept.as_str() };
    match yaml_serde::from_str::<T>(source) {
        Ok(front) => Some(front),
        Err(err) => {
            let at = err.location().map_or(range.start, |loc| range.start + loc.index());
            let message = err.to_string();
            // The message ends with " at line L column C" relative to the block; drop it.
            let message = message.split(" at line ").next().unwrap_or(&message).to_string();
            let mut diag = Diagnostic::error(&doc.path, Some(at..at + 1), format!("front matter: {message}"));
            if message.contains("missing field") {
                diag = diag.with_hint("see docs/authoring.md for the keys this kind of file needs");
            }
            diags.push(diag);
            None
        }
    }
}

/// Whether the file is a Quarto document (`.qmd`), whose front matter may
/// hold any metadata.
pub fn is_quarto_document(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e == "qmd")
}

/// The keys a kind accepts, as serde words it: "expected `a`", "expected
/// `a` or `b`", "expected one of `a`, `b`, `c`".
fn expected(known: &[&str]) -> String {
    let quoted: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
    match quoted.as_slice() {
        [] => "there are no fields".to_string(),
        [one] => format!("expected {one}"),
        [a, b] => format!("expected {a} or {b}"),
        all => format!("expected one of {}", all.join(", ")),
    }
}

/// What to do instead of a Quarto key kooste does not use.
fn quarto_key_hint(key: &str) -> &'static str {
    match key {
        "title" | "subtitle" | "author" | "authors" | "date" | "description" | "abstract" | "keywords" | "lang" => {
            "the publication's title, authors, date, language and keywords come from report/report.toml; remove the key"
        }
        "bibliography" | "csl" => {
            "the bibliography is report/references.bib (or .json, .yaml: CSL-JSON, CSL-YAML, Hayagriva YAML) and its style the templates'; remove the key"
        }
        "format" | "execute" | "jupyter" | "engine" | "knitr" | "echo" | "warning" | "code-fold" => {
            "kooste runs no code and has one format per output in report.toml; remove the key"
        }
        _ => "kooste does not act on it; remove the key",
    }
}
