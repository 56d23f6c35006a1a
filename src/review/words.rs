//! Laid-out words ↔ the Markdown characters they came from.
//!
//! The PDF shows text after Markdown syntax, escapes, template tags,
//! citations and line breaking have done their work; the Markdown holds it
//! before. Both are compared on their letters and digits only (lowercased),
//! so `**vain**\nkerran` and `vain kerran` are the same words. Markdown that
//! prints as other text (template tags, citations, cross-references,
//! footnote references, notes) matches any letters; link targets and
//! attribute blocks match none. [`find`] returns every place the words
//! stand; [`balance`] widens a range so that marks around it keep the
//! Markdown's emphasis, code spans and links whole.

use std::ops::Range;

/// One unit of a projection: a letter or digit, or a construct that prints
/// as something else.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Char(char),
    /// Matches any run of characters (including none).
    Any,
}

/// A text's letters and digits, each with the byte range it came from.
#[derive(Debug, Default)]
pub struct Projection {
    units: Vec<(Unit, Range<usize>)>,
}

/// The letters and digits of laid-out text, lowercased.
pub fn letters(text: &str) -> Vec<char> {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

impl Projection {
    /// Projects Markdown source (a template) at `base` in its file.
    pub fn markdown(text: &str, base: usize) -> Projection {
        let mut units = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            // Constructs that print as other text.
            if let Some(len) = printed_otherwise(rest, i == 0 || !is_word(text[..i].chars().next_back())) {
                units.push((Unit::Any, base + i..base + i + len));
                i += len;
                continue;
            }
            // Constructs that print nothing of their own.
            if let Some(len) = silent(rest) {
                i += len;
                continue;
            }
            let c = rest.chars().next().expect("not at the end");
            if c == '\\' && i + 1 < bytes.len() {
                i += 1;
                continue;
            }
            if c.is_alphanumeric() {
                for lower in c.to_lowercase() {
                    units.push((Unit::Char(lower), base + i..base + i + c.len_utf8()));
                }
            }
            i += c.len_utf8();
        }
        Projection { units }
    }

    /// Every byte range where `words` (from [`letters`]) stand.
    pub fn find(&self, words: &[char]) -> Vec<Range<usize>> {
        if words.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<(Range<usize>, bool)> = Vec::new();
        for start in 0..self.units.len() {
            if let Some((end, _)) = self.match_at(start, words, 0, 0) {
                let range = self.units[start].1.start..self.units[end - 1].1.end;
                if found.last().is_none_or(|(last, _)| last.start != range.start) {
                    found.push((range, self.units[start].0 == Unit::Any));
                }
            }
        }
        // A match that starts on a construct printed otherwise is a guess:
        // matches on the words' own letters come first.
        let (lettered, guessed): (Vec<_>, Vec<_>) = found.into_iter().partition(|(_, any)| !any);
        let ends: Vec<usize> = lettered.iter().map(|(r, _)| r.end).collect();
        let guessed = guessed.into_iter().filter(|(r, _)| !ends.contains(&r.end));
        lettered.into_iter().chain(guessed).map(|(r, _)| r).collect()
    }

    /// The unit index after a match of `words[w..]` from unit `u`, and how
    /// many of the words' letters matched letters of the text so far.
    fn match_at(&self, u: usize, words: &[char], w: usize, letters: usize) -> Option<(usize, usize)> {
        if w == words.len() {
            // Constructs may stand for some of the words, not for most.
            return (letters * 2 >= words.len()).then_some((u, letters));
        }
        match self.units.get(u)?.0 {
            Unit::Char(c) if c == words[w] => self.match_at(u + 1, words, w + 1, letters + 1),
            Unit::Char(_) => None,
            // A construct takes some of the words; at the start of a match
            // at least one.
            Unit::Any => {
                let least = if w == 0 { w + 1 } else { w };
                (least..=words.len()).find_map(|k| self.match_at(u + 1, words, k, letters))
            }
        }
    }
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// The length of a construct at the start of `rest` that prints as other
/// text: a template tag, a citation or reference, a footnote reference, a
/// CriticMarkup note.
fn printed_otherwise(rest: &str, word_start: bool) -> Option<usize> {
    for (open, close) in [("{{", "}}"), ("{%", "%}"), ("{>>", "<<}"), ("[^", "]"), ("[@", "]")] {
        if let Some(inner) = rest.strip_prefix(open) {
            return inner.find(close).map(|i| open.len() + i + close.len());
        }
    }
    if word_start && let Some(key) = rest.strip_prefix('@') {
        let len = key.find(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))).unwrap_or(key.len());
        let len = key[..len].trim_end_matches(['.', ':']).len();
        if len > 0 {
            return Some(1 + len);
        }
    }
    None
}

/// The length of a construct at the start of `rest` that prints nothing:
/// a template comment, a link target, an attribute block, an HTML comment.
fn silent(rest: &str) -> Option<usize> {
    for (open, close) in [("{#", "}"), ("<!--", "-->"), ("](", ")")] {
        if let Some(inner) = rest.strip_prefix(open) {
            return inner.find(close).map(|i| open.len() + i + close.len());
        }
    }
    None
}

/// Widens `range` of `text` so that it holds whole inline constructs:
/// emphasis and code delimiters in pairs, a link's text with its target.
pub fn balance(text: &str, range: Range<usize>) -> Range<usize> {
    let (mut start, mut end) = (range.start, range.end);
    for _ in 0..8 {
        let inner = &text[start..end];
        let mut changed = false;
        for delim in ['*', '_', '`', '~'] {
            // Delimiters come in runs (`**`); an odd number of runs is cut.
            let runs = inner.split(|c| c != delim).filter(|r| !r.is_empty()).count();
            if runs % 2 == 1 {
                let before = text[..start].len() - text[..start].trim_end_matches(delim).len();
                let after = text[end..].len() - text[end..].trim_start_matches(delim).len();
                if before > 0 {
                    start -= before;
                    changed = true;
                } else if after > 0 {
                    end += after;
                    changed = true;
                }
            }
        }
        // A link: `[text](target)` stays whole when the range cuts it.
        let inner = &text[start..end];
        let opens = inner.matches('[').count();
        let closes = inner.matches(']').count();
        if opens > closes
            && let Some(close) = text[end..].find("](")
            && let Some(paren) = text[end + close..].find(')')
        {
            end += close + paren + 1;
            changed = true;
        } else if closes > opens
            && let Some(open) = text[..start].rfind('[')
        {
            start = open;
            changed = true;
        }
        if text[end..].starts_with("](")
            && let Some(paren) = text[end..].find(')')
        {
            end += paren + 1;
            changed = true;
        }
        if !changed {
            break;
        }
    }
    start..end
}

/// `range` widened over the punctuation that `shown` (the laid-out words)
/// has at its ends, where the source has the same characters there.
pub fn with_punctuation(text: &str, range: Range<usize>, shown: &str) -> Range<usize> {
    let (mut start, mut end) = (range.start, range.end);
    let lead: Vec<char> = shown.trim().chars().take_while(|c| !c.is_alphanumeric()).collect();
    for c in lead.iter().rev() {
        if text[..start].ends_with(*c) {
            start -= c.len_utf8();
        }
    }
    let tail: Vec<char> = shown.trim().chars().rev().take_while(|c| !c.is_alphanumeric()).collect();
    for c in tail.iter().rev() {
        if text[end..].starts_with(*c) {
            end += c.len_utf8();
        }
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(md: &str, shown: &str) -> Vec<&'static str> {
        let p = Projection::markdown(md, 0);
        p.find(&letters(shown)).into_iter().map(|r| &*md[r].to_string().leak()).collect()
    }

    #[test]
    fn words_are_found_across_markup_and_breaks() {
        assert_eq!(find("Tämä on **hyvin**\ntärkeää.", "hyvin tärkeää"), vec!["hyvin**\ntärkeää"]);
        assert_eq!(find("a \\*b\\* c", "*b* c"), vec!["b\\* c"]);
        assert_eq!(find("Katso [sivu](https://x.org/a) tästä", "sivu tästä"), vec!["sivu](https://x.org/a) tästä"]);
    }

    #[test]
    fn printed_otherwise_matches_what_it_printed() {
        assert_eq!(
            find("Aineistossa on {{ count(\"v\") }} verkostoa.", "on 5 verkostoa"),
            vec!["on {{ count(\"v\") }} verkostoa"]
        );
        assert_eq!(find("Lähteenä [@tem2019] ja muut", "Lähteenä (TEM 2019) ja"), vec!["Lähteenä [@tem2019] ja"]);
        assert_eq!(find("sana ja sana", "sana"), vec!["sana", "sana"]);
        // A construct alone never stands for the words.
        assert_eq!(find("Katso @sec-rahoitus tästä.", "jäsenet valtion"), Vec::<&str>::new());
        assert_eq!(find("| {{ a }} | {{ b }} |", "Urbact EU"), Vec::<&str>::new());
        assert_eq!(find("on u [@tillvaxtverket2019]", "URBACT EU-ohjelma"), Vec::<&str>::new());
    }

    #[test]
    fn ranges_are_balanced() {
        let text = "on **hyvin tärkeää** asia";
        let r = text.find("hyvin").unwrap()..text.len();
        assert_eq!(&text[balance(text, r)], "**hyvin tärkeää** asia");
        let inside = text.find("hyvin").unwrap()..text.find("** asia").unwrap();
        assert_eq!(balance(text, inside.clone()), inside);
        let text = "Katso [sivu tästä](https://x.org) nyt";
        let r = text.find("tästä").unwrap()..text.find("](").unwrap();
        assert_eq!(&text[balance(text, r)], "[sivu tästä](https://x.org)");
    }

    #[test]
    fn punctuation_is_taken_along() {
        let text = "on (hyvä). Nyt";
        let r = text.find("hyvä").unwrap()..text.find("hyvä").unwrap() + "hyvä".len();
        assert_eq!(&text[with_punctuation(text, r, "(hyvä).")], "(hyvä).");
    }
}
