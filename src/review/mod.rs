//! `kooste review FILE.pdf…`: comments reviewers made on draft PDFs →
//! CriticMarkup in today's Markdown.
//!
//! 1. [`annotations`]: each PDF's stamp (commit and output) and comments.
//! 2. [`rebuild`]: that commit laid out again, once per stamp.
//! 3. [`locate`] and [`words`]: the glyphs under each comment → the
//!    Markdown characters (or dataset row) they came from at that commit.
//! 4. [`carry`]: those characters in today's files, through the diff.
//! 5. [`write`]: CriticMarkup written in, each mark once.
//!
//! Every comment ends up placed (a note at its new `path:line:col`), or
//! listed (a warning with its page, words and old place): none is dropped.

pub mod annotations;
pub mod carry;
pub mod locate;
pub mod rebuild;
pub mod words;
pub mod write;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use annotations::{Action, Comment, Stamp};
use carry::Carry;
use locate::{Layout, Miss, Place};
use write::{Mark, Written};

use crate::diagnostics::{Diagnostic, Diagnostics, line_col, line_range, offset_of};

/// Why a review could not run.
#[derive(Debug)]
pub enum Problem {
    /// Bad input (exit code 1): message and hints.
    Input(String, Vec<String>),
    /// A file could not be read or written (exit code 2).
    Io(String),
}

/// What a review did.
#[derive(Debug, Default)]
pub struct Summary {
    /// One note per placed comment, one warning per listed one.
    pub diagnostics: Diagnostics,
    pub placed: usize,
    pub listed: usize,
    /// Markdown files changed (or that would change, in a dry run).
    pub files: Vec<PathBuf>,
}

/// A comment and where it came from.
struct Item<'a> {
    comment: &'a Comment,
    /// The PDF's file name, for messages.
    pdf: String,
    stamp: &'a Stamp,
    /// The words the comment covers, as laid out.
    shown: String,
    /// Where it is at the commit (one per block for text across blocks).
    places: Result<Vec<Place>, Miss>,
    /// For caret and note comments: after the word rather than before.
    after: bool,
}

/// Reviews `pdfs` against the project at `root`, writing CriticMarkup into
/// its Markdown unless `dry_run`.
pub fn review(root: &Path, pdfs: &[PathBuf], dry_run: bool) -> Result<Summary, Problem> {
    let mut read = Vec::new();
    for path in pdfs {
        let bytes = std::fs::read(path).map_err(|e| Problem::Io(format!("cannot read {} ({e})", path.display())))?;
        let pdf = annotations::read(&bytes).map_err(|m| Problem::Input(format!("{}: {m}", path.display()), vec![]))?;
        let Some(stamp) = pdf.stamp.clone() else {
            return Err(Problem::Input(
                format!("{} has no kooste stamp (no `kooste:commit` in its XMP metadata)", path.display()),
                vec!["review reads drafts built by `kooste build` in a git checkout; a PDF saved by another program may have lost its metadata".into()],
            ));
        };
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        read.push((name, stamp, pdf));
    }
    let mut summary = Summary::default();
    let mut drafts: HashMap<Stamp, rebuild::Draft> = HashMap::new();
    for (name, stamp, pdf) in &read {
        if !drafts.contains_key(stamp) {
            drafts.insert(stamp.clone(), rebuild::rebuild(root, stamp)?);
        }
        let draft = &drafts[stamp];
        if draft.laid.doc.pages().len() != pdf.pages {
            summary.diagnostics.push(Diagnostic::warning(
                "",
                None,
                format!(
                    "{name} has {} pages but commit {} builds {}; places may be off",
                    pdf.pages,
                    rebuild::short(&stamp.commit),
                    draft.laid.doc.pages().len()
                ),
            ));
        }
        if stamp.dirty {
            summary.diagnostics.push(Diagnostic::warning("", None, format!(
                "{name} was built with uncommitted changes on top of commit {}; comments on those changes may not be found",
                rebuild::short(&stamp.commit)
            )));
        }
        for (page, kind) in &pdf.ignored {
            summary.diagnostics.push(Diagnostic::warning(
                "",
                None,
                format!("{name}, page {}: a {kind} annotation without text is not a comment kooste acts on", page + 1),
            ));
        }
    }
    let mut items = Vec::new();
    for (name, stamp, pdf) in &read {
        let draft = &drafts[stamp];
        let layout = Layout::new(&draft.laid.doc, &draft.laid.main, draft.root(), draft.datasets.clone());
        let mut located: Vec<Item> = pdf.comments.iter().map(|c| locate_comment(&layout, c, name, stamp)).collect();
        merge_across_pages(&mut located, draft.root());
        items.extend(located);
    }
    place_all(root, &drafts, &items, dry_run, &mut summary)?;
    Ok(summary)
}

/// Finds where one comment's words (or point) are at the draft's commit.
fn locate_comment<'a>(layout: &Layout, comment: &'a Comment, pdf: &str, stamp: &'a Stamp) -> Item<'a> {
    let ranged = matches!(comment.action, Action::Highlight | Action::Delete | Action::Replace(_));
    let (glyphs, after) = if ranged && !comment.quads.is_empty() {
        (layout.select(comment.page, &comment.quads), false)
    } else {
        layout.word_near(comment.page, comment.point).unwrap_or_default()
    };
    let shown = layout.shown(&glyphs);
    let places = if glyphs.is_empty() {
        Err(Miss::NoText)
    } else {
        let blocks = layout.blocks(&glyphs);
        let placed: Vec<Result<Place, Miss>> = blocks.iter().map(|(b, run)| layout.place(*b, run)).collect();
        let found: Vec<Place> = placed.iter().filter_map(|p| p.as_ref().ok().cloned()).collect();
        match placed.into_iter().find_map(Result::err) {
            Some(miss) if found.is_empty() || miss != Miss::NoText => Err(miss),
            _ => Ok(found),
        }
    };
    Item { comment, pdf: pdf.to_string(), stamp, shown, places, after }
}

/// Joins a highlight that runs over a page break (readers make one
/// annotation per page) into the comment it continues: same kind and
/// author, no text of its own (or the same), and its words directly after.
fn merge_across_pages(items: &mut Vec<Item>, old_root: &Path) {
    let mut k = 0;
    while k < items.len() {
        match (0..items.len()).find(|&a| a != k && continues(&items[a], &items[k], old_root)) {
            Some(a) => {
                let b = items.remove(k);
                let a = &mut items[if a > k { a - 1 } else { a }];
                a.shown = format!("{} {}", a.shown, b.shown);
                if let (Ok(pa), Ok(pb)) = (&mut a.places, b.places)
                    && let (Some(Place::Text { range, .. }), Some(Place::Text { range: next, .. })) =
                        (pa.last_mut(), pb.first())
                {
                    range.end = next.end;
                    pa.extend(pb.into_iter().skip(1));
                }
            }
            None => k += 1,
        }
    }
}

/// Whether comment `b` carries on comment `a` over a page break.
fn continues(a: &Item, b: &Item, old_root: &Path) -> bool {
    let (ca, cb) = (a.comment, b.comment);
    let same = ca.action == cb.action
        && ca.author == cb.author
        && cb.page == ca.page + 1
        && (cb.text.is_empty() || cb.text == ca.text)
        && cb.replies.is_empty();
    let (Ok(pa), Ok(pb)) = (&a.places, &b.places) else { return false };
    let (Some(Place::Text { path: p1, range: r1 }), Some(Place::Text { path: p2, range: r2 })) =
        (pa.last(), pb.first())
    else {
        return false;
    };
    let text = std::fs::read_to_string(old_root.join(p1)).unwrap_or_default();
    same && p1 == p2
        && r1.end <= r2.start
        && text.get(r1.end..r2.start).is_some_and(|gap| !gap.contains("\n\n") && words::letters(gap).is_empty())
}

/// A file at the draft's commit, today, and how one maps to the other.
type Versions = (String, String, Carry);

/// A placed mark: the comment it is for and the file it goes into.
struct Planned<'a> {
    item: &'a Item<'a>,
    mark: Mark,
}

/// Carries every place to today's files, writes the marks, and reports.
fn place_all(
    root: &Path,
    drafts: &HashMap<Stamp, rebuild::Draft>,
    items: &[Item],
    dry_run: bool,
    summary: &mut Summary,
) -> Result<(), Problem> {
    let mut carries: HashMap<(String, PathBuf), Option<Versions>> = HashMap::new();
    let mut plans: BTreeMap<PathBuf, Vec<Planned>> = BTreeMap::new();
    for item in items {
        let draft = &drafts[item.stamp];
        let places = match &item.places {
            Ok(places) => places,
            Err(miss) => {
                summary.listed += 1;
                summary.diagnostics.push(unplaced(item, &describe_miss(miss, item.stamp)));
                continue;
            }
        };
        let mut marks = Vec::new();
        for (n, place) in places.iter().enumerate() {
            let last = n + 1 == places.len();
            match place {
                Place::Data { path, line, call } => {
                    summary.listed += 1;
                    summary.diagnostics.push(on_data(root, draft.root(), item, path, *line, call));
                }
                Place::Text { path, range } => {
                    let key = (item.stamp.commit.clone(), path.clone());
                    let entry = carries.entry(key).or_insert_with(|| {
                        let old = std::fs::read_to_string(draft.root().join(path)).ok()?;
                        let new = std::fs::read_to_string(root.join(path)).ok()?;
                        let carry = Carry::new(&old, &new);
                        Some((old, new, carry))
                    });
                    let Some((old, new, carry)) = entry else {
                        marks.push(Err(old_place(
                            draft.root(),
                            path,
                            range.start,
                            item.stamp,
                            "the file is gone since",
                        )));
                        continue;
                    };
                    marks.push(
                        mark_for(item, old, new, carry, range.clone(), last)
                            .map(|m| (path.clone(), m))
                            .map_err(|why| old_place(draft.root(), path, range.start, item.stamp, why)),
                    );
                }
            }
        }
        if let Some(why) = marks.iter().find_map(|m| m.as_ref().err()) {
            summary.listed += 1;
            summary.diagnostics.push(unplaced(item, why));
            continue;
        }
        for (path, mark) in marks.into_iter().flatten() {
            plans.entry(path).or_default().push(Planned { item, mark });
        }
    }
    for (path, planned) in plans {
        write_file(root, &path, &planned, dry_run, summary)?;
    }
    Ok(())
}

/// The mark for one place of a comment in today's text, or why there is none.
fn mark_for(
    item: &Item,
    old: &str,
    new: &str,
    carry: &Carry,
    range: Range<usize>,
    last: bool,
) -> Result<Mark, &'static str> {
    let comment = item.comment;
    let notes = || {
        if !last {
            return Vec::new();
        }
        let thread = std::iter::once((comment.author.as_str(), comment.text.as_str()))
            .filter(|(_, t)| !t.is_empty())
            .chain(comment.replies.iter().map(|(a, t)| (a.as_str(), t.as_str())));
        thread.map(|(a, t)| write::note(a, t)).collect()
    };
    let point = if item.after { range.end } else { range.start };
    let same_words = |r: &Range<usize>| words::letters(&old[range.clone()]) == words::letters(&new[r.clone()]);
    match &comment.action {
        Action::Highlight => {
            let r = carry.range(old, range.clone()).ok_or("the words are gone since")?;
            Ok(Mark::Highlight { range: r, notes: notes() })
        }
        Action::Delete => {
            let r = carry.range(old, range.clone()).filter(same_words).ok_or("the words changed since")?;
            Ok(Mark::Delete { range: r, notes: notes() })
        }
        Action::Replace(with) if last => {
            let r = carry.range(old, range.clone()).filter(same_words).ok_or("the words changed since")?;
            Ok(Mark::Replace { range: r, new: with.clone(), notes: notes() })
        }
        Action::Replace(_) => {
            let r = carry.range(old, range.clone()).filter(same_words).ok_or("the words changed since")?;
            Ok(Mark::Delete { range: r, notes: Vec::new() })
        }
        Action::Insert(text) => {
            let at = carry.point(old, point).ok_or("the words around it are gone since")?;
            let text = if item.after { format!(" {text}") } else { format!("{text} ") };
            Ok(Mark::Insert { at, text })
        }
        Action::Note => {
            let at = carry.point(old, point).ok_or("the words around it are gone since")?;
            let mut notes = notes();
            if notes.is_empty() {
                notes.push(write::note(&comment.author, "(tyhjä muistiinpano)"));
            }
            Ok(Mark::Note { at, notes })
        }
    }
}

/// Writes one file's marks (unless a dry run) and reports each.
fn write_file(
    root: &Path,
    path: &Path,
    planned: &[Planned],
    dry_run: bool,
    summary: &mut Summary,
) -> Result<(), Problem> {
    let full = root.join(path);
    let text =
        std::fs::read_to_string(&full).map_err(|e| Problem::Io(format!("cannot read {} ({e})", path.display())))?;
    let marks: Vec<Mark> = planned.iter().map(|p| p.mark.clone()).collect();
    let (new, written) = write::apply(&text, &marks);
    if new != text {
        summary.files.push(path.to_path_buf());
        if !dry_run {
            crate::write::write_atomic(&full, new.as_bytes()).map_err(|e| Problem::Io(format!("{e:#}")))?;
        }
    }
    for (p, w) in planned.iter().zip(written) {
        summary.placed += 1;
        let (range, verb) = match &w {
            Written::New(r) if dry_run => {
                (mark_start(&p.mark)..mark_start(&p.mark), format!("would write `{}`", &new[r.clone()]))
            }
            Written::New(r) => (r.clone(), format!("wrote `{}`", &new[r.clone()])),
            Written::Present(r) => {
                let r = if dry_run { mark_start(&p.mark)..mark_start(&p.mark) } else { r.clone() };
                (r, "already in the text".to_string())
            }
        };
        let message = format!("{}: {verb}", headline(p.item));
        summary.diagnostics.push(Diagnostic::note(path, Some(range), message));
    }
    Ok(())
}

/// Where a mark starts in today's text as it was before writing.
fn mark_start(mark: &Mark) -> usize {
    match mark {
        Mark::Highlight { range, .. } | Mark::Delete { range, .. } | Mark::Replace { range, .. } => range.start,
        Mark::Insert { at, .. } | Mark::Note { at, .. } => *at,
    }
}

/// "highlight by Arvioija on page 3 of draft.pdf (“words”)"
fn headline(item: &Item) -> String {
    let kind = match &item.comment.action {
        Action::Highlight => "comment",
        Action::Delete => "deletion",
        Action::Replace(_) => "replacement",
        Action::Insert(_) => "insertion",
        Action::Note => "note",
    };
    let by = if item.comment.author.is_empty() { String::new() } else { format!(" by {}", item.comment.author) };
    let words = if item.shown.is_empty() { String::new() } else { format!(" (“{}”)", clip(&item.shown)) };
    format!("{kind}{by} on page {} of {}{words}", item.comment.page + 1, item.pdf)
}

/// What the reviewer wrote, for a listed comment.
fn said(item: &Item) -> String {
    let c = item.comment;
    let mut parts: Vec<String> = Vec::new();
    match &c.action {
        Action::Replace(new) => parts.push(format!("replace with “{new}”")),
        Action::Insert(new) => parts.push(format!("insert “{new}”")),
        Action::Delete => parts.push("delete".into()),
        _ => {}
    }
    if !c.text.is_empty() {
        parts.push(format!("{}: {}", if c.author.is_empty() { "?" } else { &c.author }, c.text));
    }
    parts.extend(c.replies.iter().map(|(a, t)| format!("{a}: {t}")));
    parts.join("; ")
}

fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// A listed comment: where it was and why it is not placed.
fn unplaced(item: &Item, why: &str) -> Diagnostic {
    Diagnostic::warning("", None, format!("{}: not placed, {why}: {}", headline(item), said(item)))
        .with_hint("add it to the Markdown by hand")
}

/// A comment on text from a table or chart: listed at its CSV line.
fn on_data(
    root: &Path,
    old_root: &Path,
    item: &Item,
    path: &Path,
    line: Option<usize>,
    call: &(PathBuf, usize),
) -> Diagnostic {
    let message = format!("{}: on data, not written into Markdown: {}", headline(item), said(item));
    let hint = format!(
        "the table or chart is made by {}:{} at commit {}",
        call.0.display(),
        call.1,
        rebuild::short(&item.stamp.commit)
    );
    let old = std::fs::read_to_string(old_root.join(path)).unwrap_or_default();
    let new = std::fs::read_to_string(root.join(path)).ok();
    let range = match (line, &new) {
        (Some(line), Some(new)) => {
            let start = offset_of(&old, line, 1);
            Carry::new(&old, new).point(&old, start + 1).map(|at| line_range(new, at.saturating_sub(1)))
        }
        _ => None,
    };
    match range {
        Some(range) => Diagnostic::warning(path, Some(range), message).with_hint(hint),
        None => Diagnostic::warning(
            "",
            None,
            format!("{message} ({})", old_place(old_root, path, offset_of(&old, line.unwrap_or(1), 1), item.stamp, "")),
        )
        .with_hint(hint),
    }
}

/// `path:line:col at commit abc1234`, with why when given.
fn old_place(old_root: &Path, path: &Path, at: usize, stamp: &Stamp, why: &str) -> String {
    let text = std::fs::read_to_string(old_root.join(path)).unwrap_or_default();
    let (line, col) = line_col(&text, at);
    let place = format!("{}:{line}:{col} at commit {}", path.display(), rebuild::short(&stamp.commit));
    if why.is_empty() { place } else { format!("{why} (was {place})") }
}

fn describe_miss(miss: &Miss, stamp: &Stamp) -> String {
    match miss {
        Miss::NoText => "no text under it".into(),
        Miss::Template => "the text comes from the template, not from Markdown".into(),
        Miss::NotFound(path, line) => format!(
            "its words were not found in the Markdown (block at {}:{line} at commit {})",
            path.display(),
            rebuild::short(&stamp.commit)
        ),
    }
}
