//! What changed in the Markdown sources between two git revisions (the
//! second defaults to the working tree) → a marked copy of the sources and
//! a list of [`Change`]s, from which `kooste diff` builds a changes PDF.
//!
//! Changes are found on the Markdown sources, not on the PDFs, so the result
//! does not depend on where page breaks fall. Each changed paragraph of
//! prose is marked word by word with CriticMarkup (`{++added++}`,
//! `{--deleted--}`), which the converter already draws as marked changes;
//! a changed list, table or template block gets a note instead, since marks
//! inside them could change their structure. The report is then built from
//! the marked sources, with a first page listing the changed sections and
//! their page numbers.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::Serialize;

use crate::load::sources::{front_matter_range, recommendation_label};

/// One changed document, for the first page of the changes PDF.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// Project-relative path of the source.
    pub path: String,
    /// Label of the section it opens (`sec-…`), if it has one.
    pub label: Option<String>,
    /// Its title, or the file name.
    pub title: String,
    /// `changed`, `added` or `removed`.
    pub kind: String,
}

/// The sources of a revision (or the working tree) with their changes since
/// another revision marked in CriticMarkup, in a temporary folder.
pub struct Marked {
    /// The marked copy of `report/`, `data/` and `templates/`; removed on drop.
    pub dir: tempfile::TempDir,
    /// What changed, source by source.
    pub changes: Vec<Change>,
}

/// Marks what changed in the Markdown sources between `rev` and `rev2` (or
/// the working tree) in a copy of the newer sources.
pub fn mark_sources(root: &Path, rev: &str, rev2: Option<&str>) -> anyhow::Result<Marked> {
    check_revision(root, rev)?;
    if let Some(rev2) = rev2 {
        check_revision(root, rev2)?;
    }
    let old = tempfile::tempdir().context("failed to create a temporary folder")?;
    let new = tempfile::tempdir().context("failed to create a temporary folder")?;
    snapshot(root, rev, old.path())?;
    match rev2 {
        Some(rev2) => snapshot(root, rev2, new.path())?,
        None => copy_tree(root, new.path())?,
    }

    let mut changes = Vec::new();
    for rel in markdown_files(new.path()) {
        let new_text = std::fs::read_to_string(new.path().join(&rel)).unwrap_or_default();
        let old_text = std::fs::read_to_string(old.path().join(&rel)).ok();
        if old_text.as_deref() == Some(new_text.as_str()) {
            continue;
        }
        let marked = mark_changes(old_text.as_deref().unwrap_or(""), &new_text);
        std::fs::write(new.path().join(&rel), &marked).with_context(|| format!("failed to write {}", rel.display()))?;
        let (label, title) = describe(&rel, &new_text);
        let kind = if old_text.is_some() { "changed" } else { "added" };
        changes.push(Change { path: rel.display().to_string(), label, title, kind: kind.into() });
    }
    for rel in markdown_files(old.path()) {
        if !new.path().join(&rel).exists() {
            let text = std::fs::read_to_string(old.path().join(&rel)).unwrap_or_default();
            let (_, title) = describe(&rel, &text);
            changes.push(Change { path: rel.display().to_string(), label: None, title, kind: "removed".into() });
        }
    }
    Ok(Marked { dir: new, changes })
}

/// Says in one line what is wrong when `rev` names no commit of the
/// repository at `root`.
pub fn check_revision(root: &Path, rev: &str) -> anyhow::Result<()> {
    use crate::git::{GitError, run, text};
    match run(root, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")]) {
        Ok(_) => Ok(()),
        Err(GitError::Missing(err)) => bail!("kooste diff needs git, which could not be run ({err})"),
        Err(GitError::Failed(_)) => {
            if text(root, &["rev-parse", "--git-dir"]).is_none() {
                bail!("{} is not in a git repository; kooste diff compares revisions of one", root.display());
            }
            match text(root, &["rev-list", "--count", "HEAD"]).and_then(|n| n.parse::<usize>().ok()) {
                Some(n) => {
                    bail!("no commit {rev} in this repository; it has {}", crate::diagnostics::count(n, "commit"))
                }
                None => bail!("no commit {rev} in this repository; it has no commits yet"),
            }
        }
    }
}

/// Writes the files of `report/`, `data/` and `templates/` at `rev` into `dir`.
pub fn snapshot(root: &Path, rev: &str, dir: &Path) -> anyhow::Result<()> {
    let list = git(root, &["ls-tree", "-r", "-z", "--name-only", rev, "--", "report", "data", "templates"])?;
    if list.is_empty() {
        bail!("revision {rev} has no report/ folder");
    }
    for name in list.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let rel = String::from_utf8_lossy(name).into_owned();
        let bytes = git(root, &["show", &format!("{rev}:./{rel}")])?;
        let path = dir.join(&rel);
        std::fs::create_dir_all(path.parent().expect("files have folders")).context("failed to create a folder")?;
        std::fs::write(&path, bytes).with_context(|| format!("failed to write {rel}"))?;
    }
    Ok(())
}

/// Copies the working tree's `report/`, `data/` and `templates/` into `dir`.
fn copy_tree(root: &Path, dir: &Path) -> anyhow::Result<()> {
    use crate::load::tree::{PROJECT_DIRS, walk};
    for entry in walk(root, PROJECT_DIRS) {
        let to = dir.join(&entry.rel);
        if entry.is_dir {
            std::fs::create_dir_all(&to)?;
        } else {
            std::fs::create_dir_all(to.parent().expect("files have folders"))?;
            std::fs::copy(root.join(&entry.rel), &to)
                .with_context(|| format!("failed to copy {}", entry.rel.display()))?;
        }
    }
    Ok(())
}

fn git(root: &Path, args: &[&str]) -> anyhow::Result<Vec<u8>> {
    crate::git::run(root, args).map_err(|err| match err {
        crate::git::GitError::Failed(stderr) => anyhow::anyhow!("git {} failed ({stderr})", args.join(" ")),
        missing => anyhow::anyhow!("{missing}"),
    })
}

/// The Markdown sources of a project, relative to its root: every file
/// the build reads as one (chapters, cases and recommendations in `.md` or
/// `.qmd`, the brief, the abstracts).
fn markdown_files(root: &Path) -> Vec<PathBuf> {
    let mut out = crate::load::tree::source_paths(root);
    out.sort();
    out
}

/// The label and title of the section a source opens.
fn describe(rel: &Path, text: &str) -> (Option<String>, String) {
    let front = front_matter_range(text).map(|r| &text[r]).unwrap_or("");
    let field =
        |key: &str| front.lines().find_map(|l| l.strip_prefix(key).map(|v| v.trim().trim_matches('"').to_string()));
    let file = rel.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    if rel.starts_with("report/cases") {
        let id = field("id:");
        return (id.map(|id| format!("sec-case-{id}")), field("name:").unwrap_or(file));
    }
    if rel.starts_with("report/recommendations") {
        let id = field("id:");
        let title = field("title:").unwrap_or(file);
        return (id.map(|id| recommendation_label(&id)), title);
    }
    // The brief and the abstracts open no section of the report: their
    // front matter's title, else the file's name.
    if !rel.starts_with("report/chapters") {
        return (None, field("title:").filter(|t| !t.is_empty()).unwrap_or(file));
    }
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("# ") {
            let (title, label) = match heading.rfind("{#") {
                Some(open) => {
                    let label = heading[open + 2..]
                        .trim_end()
                        .trim_end_matches('}')
                        .split_whitespace()
                        .next()
                        .map(str::to_string);
                    (heading[..open].trim().to_string(), label)
                }
                None => (heading.trim().to_string(), None),
            };
            return (label, title);
        }
    }
    (None, file)
}

/// The new text with its differences from the old marked in CriticMarkup.
pub fn mark_changes(old: &str, new: &str) -> String {
    // Front matter is data: keep the new one as it is.
    let (new_front, new_body) = split_front(new);
    let (_, old_body) = split_front(old);
    let old_blocks = blocks(old_body);
    let new_blocks = blocks(new_body);
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &old_blocks, &new_blocks);
    let mut out: Vec<String> = Vec::new();
    for op in ops {
        match op {
            similar::DiffOp::Equal { new_index, len, .. } => {
                out.extend(new_blocks[new_index..new_index + len].iter().map(|b| b.to_string()))
            }
            similar::DiffOp::Insert { new_index, new_len, .. } => {
                for block in &new_blocks[new_index..new_index + new_len] {
                    out.push(if is_prose(block) {
                        format!("{{++{block}++}}")
                    } else {
                        format!("{{>>Uusi kohta.<<}}\n\n{block}")
                    });
                }
            }
            similar::DiffOp::Delete { old_index, old_len, .. } => {
                for block in &old_blocks[old_index..old_index + old_len] {
                    out.push(if is_prose(block) {
                        format!("{{--{block}--}}")
                    } else {
                        "{>>Tästä on poistettu kohta.<<}".to_string()
                    });
                }
            }
            similar::DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                let olds = &old_blocks[old_index..old_index + old_len];
                let news = &new_blocks[new_index..new_index + new_len];
                for (k, block) in news.iter().enumerate() {
                    match olds.get(k) {
                        Some(old) if is_prose(old) && is_prose(block) => out.push(mark_words(old, block)),
                        Some(old)
                            if is_templated_prose(old)
                                && is_templated_prose(block)
                                && let Some(marked) = marks_outside_tags(mark_words(old, block)) =>
                        {
                            out.push(marked)
                        }
                        _ if is_prose(block) => out.push(format!("{{++{block}++}}")),
                        _ => out.push(format!("{{>>Muutettu kohta.<<}}\n\n{block}")),
                    }
                }
                for old in olds.iter().skip(news.len()) {
                    out.push(if is_prose(old) {
                        format!("{{--{old}--}}")
                    } else {
                        "{>>Tästä on poistettu kohta.<<}".to_string()
                    });
                }
            }
        }
    }
    format!("{new_front}{}\n", out.join("\n\n"))
}

/// Front matter (with its delimiters and the line break after them) and body.
fn split_front(text: &str) -> (&str, &str) {
    match front_matter_range(text) {
        Some(range) => {
            let end = text[range.end..].find('\n').map_or(text.len(), |i| range.end + i + 1);
            (&text[..end], &text[end..])
        }
        None => ("", text),
    }
}

/// Blocks separated by blank lines, without surrounding whitespace.
fn blocks(body: &str) -> Vec<&str> {
    body.split("\n\n").map(str::trim).filter(|b| !b.is_empty()).collect()
}

/// Whether a block is a plain paragraph, where marks cannot change its
/// structure: no heading, list, table, quote, code, template tag or
/// attribute block.
fn is_prose(block: &str) -> bool {
    let first = block.chars().next().unwrap_or(' ');
    let structural = block.lines().any(|l| {
        let t = l.trim_start();
        t.starts_with('#')
            || t.starts_with('|')
            || t.starts_with('>')
            || t.starts_with("- ")
            || t.starts_with("* ")
            || t.starts_with("+ ")
            || t.starts_with("```")
            || t.starts_with(": ")
            || t.starts_with("[^")
            || t.split_once(". ").is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    });
    (first.is_alphanumeric() || matches!(first, '*' | '_' | '(' | '"' | '”'))
        && !structural
        && !block.contains("{{")
        && !block.contains("{%")
        && !block.contains("{++")
        && !block.contains("{--")
        && !block.contains("{>>")
}

/// A paragraph that would be prose but for template tags in it.
fn is_templated_prose(block: &str) -> bool {
    let without: String = strip_tags(block);
    is_prose(&without) && !block.contains("{%")
}

/// `block` with every `{{ … }}` removed.
fn strip_tags(block: &str) -> String {
    let mut out = String::new();
    let mut rest = block;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        rest = rest[open..].find("}}").map_or("", |close| &rest[open + close + 2..]);
    }
    out.push_str(rest);
    out
}

/// The marked paragraph, unless a mark landed inside a `{{ … }}` tag (where
/// it would change the template, not the text).
fn marks_outside_tags(marked: String) -> Option<String> {
    let mut rest = marked.as_str();
    while let Some(open) = rest.find("{{") {
        let close = rest[open..].find("}}")? + open;
        let tag = &rest[open..close];
        if ["{++", "++}", "{--", "--}"].iter().any(|m| tag.contains(m)) {
            return None;
        }
        rest = &rest[close + 2..];
    }
    Some(marked)
}

/// A paragraph with word-level insertions and deletions marked. A deletion
/// directly followed by an insertion gets a space between them, so the old
/// and the new word stay readable side by side.
fn mark_words(old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_words(old, new);
    // Runs of equal, deleted and inserted text.
    let mut runs: Vec<(similar::ChangeTag, String)> = Vec::new();
    for change in diff.iter_all_changes() {
        match runs.last_mut() {
            Some((tag, text)) if *tag == change.tag() => text.push_str(change.value()),
            _ => runs.push((change.tag(), change.value().to_string())),
        }
    }
    let mut out = String::new();
    let mut after_delete = false;
    for (tag, text) in runs {
        let trimmed = text.trim();
        match tag {
            similar::ChangeTag::Equal => {
                out.push_str(&text);
                after_delete = false;
            }
            _ if trimmed.is_empty() => {
                if tag == similar::ChangeTag::Insert {
                    out.push_str(&text);
                }
            }
            similar::ChangeTag::Delete => {
                let lead = &text[..text.len() - text.trim_start().len()];
                out.push_str(lead);
                out.push_str(&format!("{{--{trimmed}--}}"));
                after_delete = true;
            }
            similar::ChangeTag::Insert => {
                let lead = &text[..text.len() - text.trim_start().len()];
                let tail = &text[text.trim_end().len()..];
                out.push_str(if after_delete && lead.is_empty() { " " } else { lead });
                out.push_str(&format!("{{++{trimmed}++}}"));
                out.push_str(tail);
                after_delete = false;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_marked_in_prose() {
        let marked = mark_changes(
            "# A {#sec-a}\n\nVanha lause tässä.\n\n- lista\n",
            "# A {#sec-a}\n\nUusi lause tässä.\n\n- lista\n\nLisätty kappale.\n",
        );
        assert!(marked.contains("{--Vanha--} {++Uusi++} lause tässä."), "{marked}");
        assert!(marked.contains("{++Lisätty kappale.++}"), "{marked}");
        assert!(marked.contains("- lista"));
    }

    #[test]
    fn templated_prose_is_marked_outside_its_tags() {
        let marked = mark_changes("Vanha määrä on {{ count(\"x\") }}.\n", "Uusi määrä on {{ count(\"x\") }}.\n");
        assert!(marked.starts_with("{--Vanha--} {++Uusi++} määrä on {{ count(\"x\") }}."), "{marked}");
        let marked = mark_changes("Määrä on {{ count(\"x\") }}.\n", "Määrä on {{ count(\"y\") }}.\n");
        assert!(marked.starts_with("{>>Muutettu kohta.<<}"), "{marked}");
    }

    #[test]
    fn structure_gets_a_note() {
        let marked = mark_changes("| a |\n|---|\n| 1 |\n", "| a |\n|---|\n| 2 |\n");
        assert!(marked.starts_with("{>>Muutettu kohta.<<}"), "{marked}");
    }

    #[test]
    fn front_matter_is_kept() {
        let marked = mark_changes("---\nid: x\n---\nVanha.\n", "---\nid: x\n---\nUusi.\n");
        assert!(marked.starts_with("---\nid: x\n---\n"), "{marked}");
    }
}
