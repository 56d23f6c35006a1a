//! A place in a file at the draft's commit → the same characters in
//! today's file.
//!
//! The two texts are compared line by line and, inside changed lines,
//! character by character (`similar`), after both have their CriticMarkup
//! marks and notes set aside, so that marks a previous review (or the
//! author) added do not pull the match onto words inside a note. An old
//! byte maps to a new one only when its character survived; a range whose
//! first or last character is gone is gone.

use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, TextDiff};

/// Old byte offsets → today's, for one file.
#[derive(Debug)]
pub struct Carry {
    old: Clean,
    new: Clean,
    /// Runs of equal bytes in the clean texts: old start, new start, length.
    equal: Vec<(usize, usize, usize)>,
}

/// A text without CriticMarkup: the kept text and, for each of its bytes,
/// where it is in the real one.
#[derive(Debug)]
struct Clean {
    text: String,
    real: Vec<usize>,
    /// Real byte → clean byte (`None` inside a mark).
    clean: Vec<Option<usize>>,
}

impl Carry {
    /// Compares the file at the commit (`old`) with today's (`new`).
    pub fn new(old: &str, new: &str) -> Carry {
        let old = Clean::new(old);
        let new = Clean::new(new);
        let equal = equal_runs(&old.text, &new.text);
        Carry { old, new, equal }
    }

    /// Today's byte for old byte `at`, when that character survived.
    fn byte(&self, at: usize) -> Option<usize> {
        let clean = (*self.old.clean.get(at)?)?;
        let run = self.equal.partition_point(|r| r.0 <= clean).checked_sub(1)?;
        let (old_start, new_start, len) = self.equal[run];
        (clean < old_start + len).then(|| self.new.real[new_start + clean - old_start])
    }

    /// Today's range for an old range, when its first and last characters
    /// survived.
    pub fn range(&self, old: &str, range: Range<usize>) -> Option<Range<usize>> {
        if range.is_empty() {
            return self.point(old, range.start).map(|p| p..p);
        }
        let last = old[..range.end].char_indices().next_back()?;
        let start = self.byte(range.start)?;
        let end = self.byte(last.0)? + last.1.len_utf8();
        (start <= end).then_some(start..end)
    }

    /// Today's offset for a point between characters: after the character
    /// before it (or before the one after it, at the start of the file).
    pub fn point(&self, old: &str, at: usize) -> Option<usize> {
        match old[..at].char_indices().next_back() {
            Some((i, c)) => self.byte(i).map(|b| b + c.len_utf8()),
            None => self.byte(at),
        }
    }
}

impl Clean {
    fn new(text: &str) -> Clean {
        let mut out =
            Clean { text: String::with_capacity(text.len()), real: Vec::new(), clean: vec![None; text.len() + 1] };
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            // Notes and insertions are set aside whole; marks around kept
            // text lose only their delimiters; a substitution keeps its old text.
            let skip = [("{>>", "<<}"), ("{++", "++}")]
                .iter()
                .find(|(open, _)| rest.starts_with(open))
                .and_then(|(open, close)| rest[3..].find(close).map(|e| open.len() + e + close.len()))
                .or_else(|| rest.strip_prefix("~>").and_then(|r| r.find("~~}")).map(|e| 2 + e + 3))
                .or_else(|| ["{==", "==}", "{--", "--}", "{~~"].iter().any(|d| rest.starts_with(d)).then_some(3));
            if let Some(len) = skip {
                i += len;
                continue;
            }
            let c = rest.chars().next().expect("not at the end");
            for k in 0..c.len_utf8() {
                out.clean[i + k] = Some(out.text.len() + k);
                out.real.push(i + k);
            }
            out.text.push(c);
            i += c.len_utf8();
        }
        out.clean[text.len()] = Some(out.text.len());
        out.real.push(text.len());
        out
    }
}

/// Runs of equal bytes between two texts: lines first, then characters
/// inside changed lines.
fn equal_runs(old: &str, new: &str) -> Vec<(usize, usize, usize)> {
    if old == new {
        return vec![(0, 0, old.len())];
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    let lines = TextDiff::configure().algorithm(Algorithm::Patience).deadline(deadline).diff_lines(old, new);
    let old_starts = starts(lines.old_slices());
    let new_starts = starts(lines.new_slices());
    let mut runs = Vec::new();
    for op in lines.ops() {
        match *op {
            DiffOp::Equal { old_index, new_index, len } => {
                let bytes = old_starts[old_index + len] - old_starts[old_index];
                runs.push((old_starts[old_index], new_starts[new_index], bytes));
            }
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                let (o, n) = (old_starts[old_index], new_starts[new_index]);
                let old_part = &old[o..old_starts[old_index + old_len]];
                let new_part = &new[n..new_starts[new_index + new_len]];
                let chars =
                    TextDiff::configure().algorithm(Algorithm::Myers).deadline(deadline).diff_chars(old_part, new_part);
                let old_c = starts(chars.old_slices());
                let new_c = starts(chars.new_slices());
                for op in chars.ops() {
                    if let DiffOp::Equal { old_index, new_index, len } = *op {
                        let bytes = old_c[old_index + len] - old_c[old_index];
                        runs.push((o + old_c[old_index], n + new_c[new_index], bytes));
                    }
                }
            }
            _ => {}
        }
    }
    runs
}

/// Byte offsets where each slice starts, and the end.
fn starts(slices: &[&str]) -> Vec<usize> {
    let mut out = Vec::with_capacity(slices.len() + 1);
    let mut at = 0;
    for s in slices {
        out.push(at);
        at += s.len();
    }
    out.push(at);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn carried<'a>(old: &str, new: &'a str, words: &str) -> Option<&'a str> {
        let at = old.find(words).unwrap();
        Carry::new(old, new).range(old, at..at + words.len()).map(|r| &new[r])
    }

    #[test]
    fn words_are_followed_through_edits() {
        let old = "Eka rivi.\nToinen rivi, jossa sana ja sana.\nKolmas.\n";
        let new = "Uusi alku.\nEka rivi.\nToinen muutettu rivi, jossa sana ja sana.\nKolmas.\n";
        let at = old.rfind("sana").unwrap();
        let carry = Carry::new(old, new);
        let range = carry.range(old, at..at + 4).unwrap();
        assert_eq!(&new[range.clone()], "sana");
        assert_eq!(range.start, new.rfind("sana").unwrap());
        assert_eq!(carried(old, new, "Kolmas"), Some("Kolmas"));
    }

    #[test]
    fn deleted_words_are_gone() {
        assert_eq!(carried("Yksi kaksi kolme.\n", "Yksi kolme.\n", "kaksi"), None);
    }

    #[test]
    fn marks_are_set_aside() {
        let old = "a sana b\n";
        let new = "a {==sana==}{>>R: sana b<<} b\n";
        let at = old.find("sana").unwrap();
        let carry = Carry::new(old, new);
        let r = carry.range(old, at..at + 4).unwrap();
        assert_eq!(&new[r.start - 3..r.end + 3], "{==sana==}");
        // A point after the words lands after them, before the closing mark.
        assert_eq!(carry.point(old, old.find(" b").unwrap()), Some(new.find("==}").unwrap()));
    }
}
