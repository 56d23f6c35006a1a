//! Comments placed in today's text → CriticMarkup written into it.
//!
//! Each [`Mark`] becomes insertions at its range or point (`{==…==}` and
//! notes, `{--…--}`, `{~~old~>new~~}`, `{++…++}`, `{>>…<<}`); nothing else
//! in the file changes. A mark that is already there (a second run with the
//! same PDF) is not written again; a second note on words another reviewer
//! marked joins the notes after them. A range that would cross another
//! mark becomes a note at its end, quoting the words.

use std::ops::Range;

/// What to write at a place of today's text.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// `{==text==}` followed by notes.
    Highlight { range: Range<usize>, notes: Vec<String> },
    /// `{--text--}` followed by notes.
    Delete { range: Range<usize>, notes: Vec<String> },
    /// `{~~text~>new~~}` followed by notes.
    Replace { range: Range<usize>, new: String, notes: Vec<String> },
    /// `{++text++}` at a point.
    Insert { at: usize, text: String },
    /// Notes at a point.
    Note { at: usize, notes: Vec<String> },
}

/// What became of a mark.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// Written: the byte range of what was written, in the new text.
    New(Range<usize>),
    /// Already in the text: its byte range there (in the new text).
    Present(Range<usize>),
}

/// One insertion into the text.
struct Insertion {
    at: usize,
    /// Order among insertions at the same byte: closing marks first.
    class: u8,
    text: String,
    mark: usize,
}

/// A note's CriticMarkup: `{>>author: text<<}`.
pub fn note(author: &str, text: &str) -> String {
    let text = escape(text);
    match author.trim() {
        "" => format!("{{>>{text}<<}}"),
        who => format!("{{>>{}: {text}<<}}", escape(who)),
    }
}

/// A reviewer's words as Markdown that prints them as written, without
/// breaking the mark around them or the template the file is.
pub fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '@' | '~' | '|' | '&' | '#' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    // Template tags and CriticMarkup delimiters lose their meaning with a
    // space inside.
    for (from, to) in [("{{", "{ {"), ("{%", "{ %"), ("}}", "} }"), ("%}", "% }"), ("++}", "++ }"), ("--}", "-- }")] {
        out = out.replace(from, to);
    }
    for open in ["{++", "{--", "{==", "{\\>", "{\\~"] {
        out = out.replace(open, &format!("{{ {}", &open[1..]));
    }
    out.replace("==}", "== }")
}

/// `text` with `marks` written in; for each mark, where it is.
pub fn apply(text: &str, marks: &[Mark]) -> (String, Vec<Written>) {
    let mut insertions: Vec<Insertion> = Vec::new();
    let mut present: Vec<Option<Range<usize>>> = vec![None; marks.len()];
    let mut wrapped: Vec<Range<usize>> = Vec::new();
    let mut joined: Vec<Option<usize>> = vec![None; marks.len()];
    for (k, mark) in marks.iter().enumerate() {
        let mark = degrade_crossing(text, mark, &wrapped);
        let (open, close, range, notes) = match &mark {
            Mark::Highlight { range, notes } => ("{==".to_string(), "==}".to_string(), range.clone(), notes.clone()),
            Mark::Delete { range, notes } => ("{--".into(), "--}".into(), range.clone(), notes.clone()),
            Mark::Replace { range, new, notes } => {
                ("{~~".into(), format!("~>{}~~}}", escape(new)), range.clone(), notes.clone())
            }
            Mark::Insert { at, text: new } => {
                let written = format!("{{++{}++}}", escape(new));
                if text[..*at].ends_with(&written) {
                    present[k] = Some(*at - written.len()..*at);
                } else if text[*at..].starts_with(&written) {
                    present[k] = Some(*at..*at + written.len());
                } else if let Some(i) = insertions.iter().position(|i| i.at == *at && i.text == written) {
                    joined[k] = Some(insertions[i].mark);
                } else {
                    insertions.push(Insertion { at: *at, class: 1, text: written, mark: k });
                }
                continue;
            }
            Mark::Note { at, notes } => {
                add_notes(text, *at, notes, k, &mut insertions, &mut present);
                continue;
            }
        };
        if text[..range.start].ends_with(&open) && text[range.end..].starts_with(&close) {
            // Marked before (by this PDF or another reviewer's): only notes.
            add_notes(text, range.end + close.len(), &notes, k, &mut insertions, &mut present);
            if let Some(p) = &mut present[k] {
                p.start = range.start - open.len();
            }
            continue;
        }
        let opened = insertions.iter().any(|i| i.class == 2 && i.at == range.start && i.text == open);
        let closing = insertions.iter().position(|i| i.class == 0 && i.at == range.end && i.text.starts_with(&close));
        if let (true, Some(i)) = (opened, closing) {
            // Marked by another reviewer in this run: the notes join theirs.
            for n in &notes {
                if !insertions[i].text.contains(n.as_str()) {
                    insertions[i].text.push_str(n);
                }
            }
            joined[k] = Some(insertions[i].mark);
            continue;
        }
        wrapped.push(range.clone());
        insertions.push(Insertion { at: range.start, class: 2, text: open, mark: k });
        insertions.push(Insertion { at: range.end, class: 0, text: format!("{close}{}", notes.concat()), mark: k });
    }
    let (out, mut written) = build(text, insertions, present, marks.len());
    for (k, other) in joined.iter().enumerate() {
        if let Some(other) = other {
            written[k] = written[*other].clone();
        }
    }
    (out, written)
}

/// Plans the notes that are not yet in the run of notes at `at`.
fn add_notes(
    text: &str,
    at: usize,
    notes: &[String],
    k: usize,
    insertions: &mut Vec<Insertion>,
    present: &mut [Option<Range<usize>>],
) {
    let run_end = note_run_end(text, at);
    let run = &text[at..run_end];
    let missing: Vec<&String> = notes
        .iter()
        .filter(|n| {
            !run.contains(n.as_str()) && !insertions.iter().any(|i| i.at == run_end && i.text.contains(n.as_str()))
        })
        .collect();
    if missing.is_empty() {
        present[k] = Some(at..run_end);
    } else {
        let joined: String = missing.into_iter().map(String::as_str).collect();
        insertions.push(Insertion { at: run_end, class: 1, text: joined, mark: k });
    }
}

/// The end of the notes (`{>>…<<}`) that follow `at` directly.
fn note_run_end(text: &str, mut at: usize) -> usize {
    while text[at..].starts_with("{>>") {
        match text[at..].find("<<}") {
            Some(end) => at += end + 3,
            None => break,
        }
    }
    at
}

/// A range that crosses a mark in the text or one planned in this run
/// becomes a note at its end.
fn degrade_crossing(text: &str, mark: &Mark, wrapped: &[Range<usize>]) -> Mark {
    let (range, notes) = match mark {
        Mark::Highlight { range, notes } | Mark::Delete { range, notes } | Mark::Replace { range, notes, .. } => {
            (range, notes)
        }
        _ => return mark.clone(),
    };
    let inner = &text[range.clone()];
    let crosses = wrapped.iter().any(|w| w.start < range.end && range.start < w.end && w != range)
        || ["{==", "{--", "{++", "{~~", "{>>"]
            .iter()
            .zip(["==}", "--}", "++}", "~~}", "<<}"])
            .any(|(o, c)| inner.matches(o).count() != inner.matches(c).count())
        || inner.contains("\n\n");
    if !crosses {
        return mark.clone();
    }
    let quoted = format!("”{}”", inner.split_whitespace().collect::<Vec<_>>().join(" "));
    let what = match mark {
        Mark::Delete { .. } => format!("poista {quoted}"),
        Mark::Replace { new, .. } => format!("{quoted} → ”{new}”"),
        _ => quoted,
    };
    let mut all = vec![format!("{{>>{}<<}}", escape(&what))];
    all.extend(notes.iter().cloned());
    Mark::Note { at: range.end, notes: all }
}

/// Writes the insertions; each mark's range in the new text.
fn build(
    text: &str,
    mut insertions: Vec<Insertion>,
    present: Vec<Option<Range<usize>>>,
    n: usize,
) -> (String, Vec<Written>) {
    insertions.sort_by_key(|i| (i.at, i.class));
    let mut out = String::with_capacity(text.len() + insertions.iter().map(|i| i.text.len()).sum::<usize>());
    let mut spans: Vec<Option<Range<usize>>> = vec![None; n];
    let mut shifts: Vec<(usize, usize)> = Vec::new();
    let mut last = 0;
    for ins in &insertions {
        out.push_str(&text[last..ins.at]);
        let start = out.len();
        out.push_str(&ins.text);
        shifts.push((ins.at, ins.text.len()));
        let span = spans[ins.mark].get_or_insert(start..out.len());
        span.start = span.start.min(start);
        span.end = span.end.max(out.len());
        last = ins.at;
    }
    out.push_str(&text[last..]);
    // Old bytes move by what was inserted at or before them.
    let moved = |at: usize, inclusive: bool| {
        at + shifts.iter().filter(|(o, _)| if inclusive { *o <= at } else { *o < at }).map(|(_, l)| l).sum::<usize>()
    };
    let written = (0..n)
        .map(|k| match (&spans[k], &present[k]) {
            (Some(span), _) => Written::New(span.clone()),
            (None, Some(range)) => Written::Present(moved(range.start, true)..moved(range.end, false)),
            (None, None) => Written::Present(0..0),
        })
        .collect();
    (out, written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, marks: &[Mark]) -> String {
        apply(text, marks).0
    }

    #[test]
    fn marks_are_written_and_not_repeated() {
        let text = "Yksi kaksi kolme.\n";
        let r = 5..10;
        let marks = vec![
            Mark::Highlight { range: r.clone(), notes: vec![note("A", "tarkista")] },
            Mark::Note { at: 17, notes: vec![note("B", "lähde?")] },
        ];
        let once = run(text, &marks);
        assert_eq!(once, "Yksi {==kaksi==}{>>A: tarkista<<} kolme.{>>B: lähde?<<}\n");
        // The same marks carried into the marked text change nothing.
        let again = vec![
            Mark::Highlight { range: 8..13, notes: vec![note("A", "tarkista")] },
            Mark::Note { at: once.find("\n").unwrap() - "{>>B: lähde?<<}".len(), notes: vec![note("B", "lähde?")] },
        ];
        let (twice, written) = apply(&once, &again);
        assert_eq!(twice, once);
        assert!(matches!(written[0], Written::Present(_)), "{written:?}");
    }

    #[test]
    fn two_reviewers_share_a_highlight() {
        let text = "Yksi kaksi kolme.\n";
        let marks = vec![
            Mark::Highlight { range: 5..10, notes: vec![note("A", "eka")] },
            Mark::Highlight { range: 5..10, notes: vec![note("B", "toka")] },
        ];
        assert_eq!(run(text, &marks), "Yksi {==kaksi==}{>>A: eka<<}{>>B: toka<<} kolme.\n");
        let marked = "Yksi {==kaksi==}{>>A: eka<<} kolme.\n";
        let later = vec![Mark::Highlight { range: 8..13, notes: vec![note("B", "toka")] }];
        assert_eq!(run(marked, &later), "Yksi {==kaksi==}{>>A: eka<<}{>>B: toka<<} kolme.\n");
    }

    #[test]
    fn deletions_replacements_and_insertions() {
        let text = "Yksi kaksi kolme.\n";
        let marks = vec![
            Mark::Delete { range: 0..4, notes: vec![] },
            Mark::Replace { range: 5..10, new: "neljä".into(), notes: vec![] },
            Mark::Insert { at: 16, text: " ja viisi".into() },
        ];
        assert_eq!(run(text, &marks), "{--Yksi--} {~~kaksi~>neljä~~} kolme{++ ja viisi++}.\n");
    }

    #[test]
    fn crossing_ranges_become_notes() {
        let text = "Yksi kaksi kolme.\n";
        let marks = vec![
            Mark::Highlight { range: 0..10, notes: vec![] },
            Mark::Delete { range: 5..16, notes: vec![note("B", "turha")] },
        ];
        assert_eq!(run(text, &marks), "{==Yksi kaksi==} kolme{>>poista ”kaksi kolme”<<}{>>B: turha<<}.\n");
    }

    #[test]
    fn reviewer_text_is_escaped() {
        assert_eq!(escape("a *b* {{ c }} @x"), "a \\*b\\* { { c } } \\@x");
        assert_eq!(escape("x <<} y"), "x \\<\\<} y");
    }
}
