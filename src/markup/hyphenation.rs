//! Where a word may break at a line end, beyond typst's patterns.
//!
//! typst hyphenates with TeX's patterns (hypher), which know syllables but
//! not compounds: Finnish "talousarviosta" breaks as "talou-sarviosta",
//! where Finnish typesetting (and Voikko) allows only "ta-lous-ar-vios-ta".
//! Three rules, applied to author text before it becomes Typst markup:
//!
//! - **Exceptions** (`report/hyphenation.txt`, as TeX's `\hyphenation`): a
//!   word listed with hyphens at its allowed points gets soft hyphens there.
//!   typst hyphenates only words made of letters alone, so a word holding a
//!   soft hyphen breaks at its soft hyphens and nowhere else; a word listed
//!   without hyphens never breaks. `scripts/hyphenation.py` writes the list
//!   for a project's text with Voikko (see docs/authoring.md).
//! - **Acronyms** (two capitals in a row, four letters or more: "MANE",
//!   "SANKin") never break: [`pieces`] marks them for `text(hyphenate:
//!   false)`.
//! - **Spaced compounds** ("Kestävä kaupunki -ohjelma") never break at
//!   their hyphen: the space before it is a no-break space, and a word
//!   joiner follows it.
//!
//! Soft hyphens are how PDF marks hyphenation a layout program may use
//! (ISO 32000, 14.8.2.2.3): text extraction drops them, as it drops typst's
//! own at line ends.

use std::borrow::Cow;
use std::ops::Range;

pub use crate::load::hyphenation::Exceptions;

/// The soft hyphen, a break opportunity that shows a hyphen when taken.
pub const SOFT_HYPHEN: char = '\u{ad}';
/// A soft hyphen as Typst markup: in a text run of its own. In one run
/// with letters, typst 0.15's PDF maps the glyph before it to that letter
/// *and* a soft hyphen, for every use of the glyph in the document, so a
/// text extraction or a screen reader got "toi\u{ad}meksi\u{ad}anto" for
/// "toimeksianto" wherever any word had an "i" before a listed break.
pub const SOFT_HYPHEN_MARKUP: &str = "#text(hyphenate: false)[\u{ad}];";
const NO_BREAK_SPACE: char = '\u{a0}';
/// No break after a spaced compound's hyphen either (typst breaks after a
/// hyphen-minus: "kaupunki -" would end a line).
const WORD_JOINER: char = '\u{2060}';

/// A piece of author text: `whole` when no line may break inside it (an
/// acronym, a word the exceptions list without hyphens).
#[derive(Debug, PartialEq)]
pub struct Piece<'a> {
    pub text: Cow<'a, str>,
    pub whole: bool,
}

/// `text` cut into pieces with the three rules applied; `exceptions` only
/// where the text is in the language they are for.
pub fn pieces<'a>(text: &'a str, exceptions: Option<&Exceptions>) -> Vec<Piece<'a>> {
    let exceptions = exceptions.filter(|e| !e.is_empty());
    let mut pieces = Vec::new();
    let mut out = String::new();
    let mut last = 0;
    let mut changed = false;
    for range in Words::new(text) {
        let word = &text[range.clone()];
        let acronym = word.chars().count() >= 4 && has_capital_pair(word);
        let points = if acronym { None } else { exceptions.and_then(|ex| ex.points(&word.to_lowercase())) };
        // A spaced compound's hyphen: `kaupunki -ohjelma`.
        let spaced = range.start >= 2 && text[..range.start].ends_with(" -") && {
            let before = text[..range.start - 2].chars().next_back();
            before.is_some_and(|c| c.is_alphanumeric() || matches!(c, ')' | '”' | '"'))
        };
        if spaced {
            out.push_str(&text[last..range.start - 2]);
            out.push(NO_BREAK_SPACE);
            out.push('-');
            out.push(WORD_JOINER);
            last = range.start;
            changed = true;
        }
        let whole = acronym || points.is_some_and(<[usize]>::is_empty);
        if whole {
            out.push_str(&text[last..range.start]);
            if !out.is_empty() {
                pieces.push(Piece { text: Cow::Owned(std::mem::take(&mut out)), whole: false });
            }
            pieces.push(Piece { text: Cow::Borrowed(word), whole: true });
            last = range.end;
            changed = true;
        } else if let Some(points) = points {
            out.push_str(&text[last..range.start]);
            for (i, c) in word.chars().enumerate() {
                if i > 0 && points.contains(&i) {
                    out.push(SOFT_HYPHEN);
                }
                out.push(c);
            }
            last = range.end;
            changed = true;
        }
    }
    if !changed {
        return vec![Piece { text: Cow::Borrowed(text), whole: false }];
    }
    out.push_str(&text[last..]);
    if !out.is_empty() {
        pieces.push(Piece { text: Cow::Owned(out), whole: false });
    }
    pieces
}

/// `text` as Typst markup with the three rules: escaped, a whole piece in
/// `text(hyphenate: false)`.
pub fn markup(text: &str, exceptions: Option<&Exceptions>, line_start: bool) -> String {
    let mut out = String::new();
    for piece in pieces(text, exceptions) {
        let escaped = super::escape::escape_text(&piece.text, line_start && out.is_empty());
        if piece.whole {
            out.push_str(&format!("#text(hyphenate: false)[{escaped}];"));
        } else {
            out.push_str(&escaped.replace(SOFT_HYPHEN, SOFT_HYPHEN_MARKUP));
        }
    }
    out
}

/// Two capitals in a row: an acronym, or a word built on one ("SANKin").
fn has_capital_pair(word: &str) -> bool {
    let mut previous_upper = false;
    for c in word.chars() {
        let upper = c.is_uppercase();
        if upper && previous_upper {
            return true;
        }
        previous_upper = upper;
    }
    false
}

/// The byte ranges of the runs of letters in a text.
struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Self {
        Words { text, at: 0 }
    }
}

impl Iterator for Words<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        let rest = &self.text[self.at..];
        let start = self.at + rest.find(char::is_alphabetic)?;
        let end = self.text[start..].find(|c: char| !c.is_alphabetic()).map_or(self.text.len(), |i| start + i);
        self.at = end;
        Some(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` with the rules applied and no markup (acronyms left as they
    /// are): the pieces run together.
    fn apply<'a>(text: &'a str, exceptions: Option<&Exceptions>) -> Cow<'a, str> {
        let pieces = pieces(text, exceptions);
        match pieces.as_slice() {
            [one] if !one.whole => pieces.into_iter().next().map(|p| p.text).unwrap_or_default(),
            _ => Cow::Owned(pieces.iter().map(|p| p.text.as_ref()).collect()),
        }
    }

    fn shown(pieces: Vec<Piece>) -> String {
        pieces.iter().map(|p| if p.whole { format!("[{}]", p.text) } else { p.text.to_string() }).collect()
    }

    #[test]
    fn exceptions_set_the_only_break_points() {
        let ex = Exceptions::parse("# comment\nta-lous-ar-vios-ta alue-ke-hi-tys\nkela\n").unwrap();
        let out = shown(pieces("Talousarviosta ja aluekehitys, Kela.", Some(&ex)));
        assert_eq!(out, "Ta\u{ad}lous\u{ad}ar\u{ad}vios\u{ad}ta ja alue\u{ad}ke\u{ad}hi\u{ad}tys, [Kela].");
        // Without exceptions only acronyms and spaced compounds change.
        assert_eq!(apply("Talousarviosta", None), "Talousarviosta");
        let errors = Exceptions::parse("hyvä sana-\nta--lo\n").unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(&"hyvä sana-\nta--lo\n"[errors[1].0.clone()], "ta--lo");
    }

    #[test]
    fn acronyms_and_spaced_compounds_do_not_break() {
        assert_eq!(shown(pieces("MANE ja SANKin sekä EU-rahoitus.", None)), "[MANE] ja [SANKin] sekä EU-rahoitus.");
        assert_eq!(
            apply("Kestävä kaupunki -ohjelma ja lämpötila -5 sekä - luettelo", None),
            "Kestävä kaupunki\u{a0}-\u{2060}ohjelma ja lämpötila -5 sekä - luettelo"
        );
        // A listed word that is also an acronym stays whole.
        let ex = Exceptions::parse("ma-ne").unwrap();
        assert_eq!(shown(pieces("MANE", Some(&ex))), "[MANE]");
        assert!(matches!(apply("ei muutosta", None), Cow::Borrowed(_)));
    }
}
