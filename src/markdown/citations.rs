//! Citations and cross-references in text: Pandoc's `[see @key, pp. 33;
//! also @other]` groups and `@key`, and Quarto's `@fig-x`, `[-@fig-x]`,
//! `@Fig-x` → Typst `cite` and `ref` calls.

use std::ops::Range;

use super::escape::string_literal;
use super::{CALLOUTS, Converter, LabelUse, THEOREMS, is_ref_name};

impl Converter<'_, '_> {
    /// A citation or a cross-reference, with the text before its key in
    /// brackets (`prefix`: `[see @key]`, `[Chapter @sec-x]`) and its
    /// locator. A citation's prefix is the template's
    /// `kooste-cite-prefix`, which kooste's citation pass puts inside the
    /// citation's parentheses; a cross-reference's takes the place of its
    /// kind's prefix, as in Quarto ("Chapter 1.2").
    pub(super) fn cite_or_ref(&mut self, key: &str, affixes: Affixes, form: CiteForm, range: Range<usize>) {
        match cross_reference(key) {
            Some(target) => self.reference(key, target, affixes, form, range),
            None => self.citation(key, affixes, form, range),
        }
        // What follows continues printed text, as after a word: Pandoc's
        // `@key's` is an apostrophe, not an opening quote.
        self.prev = Some('\u{FFFC}');
    }

    /// A cross-reference (`@fig-x`, `[-@fig-x]`, `@Fig-x`, `[Kuvio
    /// @fig-x]`) to `target`, the label and whether `key` capitalised it;
    /// any text after the label in the brackets is not printed.
    fn reference(&mut self, key: &str, target: (String, bool), affixes: Affixes, form: CiteForm, range: Range<usize>) {
        let (name, capital) = target;
        let (prefix, after) = (affixes.prefix, affixes.locator.or(affixes.suffix));
        let form = if matches!(form, CiteForm::YearInGroup) { CiteForm::Year } else { form };
        // Quarto prints a cross-reference's number and nothing of what
        // follows its label in the brackets.
        if let Some(text) = after {
            self.warn(range.clone(), format!("`{text}` after the cross-reference @{key} is not printed"))
                .hints
                .push("Quarto drops text after a cross-reference's label too; write it after the brackets".into());
        }
        self.out.references.push(LabelUse { name: name.clone(), range });
        self.settled_later += 1;
        // Quarto's forms: `@fig-x` the kind's prefix and the number,
        // `[-@fig-x]` the number alone, `@Fig-x` the prefix capitalised,
        // `[Chapter @sec-x]` the written prefix in place of the kind's;
        // without prefixes (report.toml) the number alone, unless
        // written. A reference to a section goes through the
        // template's `kooste-sec-ref`, which prints what the `ref`
        // prints a layout pass sooner (see words.typ); it is told the
        // number alone explicitly. Templates older than it keep `ref`.
        if let Some((kind, ..)) = CALLOUTS.iter().chain(THEOREMS).find(|(_, p, _)| name.starts_with(p)) {
            self.numbered_ref(&name, kind, prefix, form);
            return;
        }
        let section = name.starts_with("sec-") && self.templates_define("sec-ref");
        let supplement = match (self.opts.dialect.ref_prefix, form, capital) {
            _ if prefix.is_some() => ", supplement: [",
            (false, ..) if section => ", supplement: none",
            (false, ..) => "",
            (true, CiteForm::Year, _) => ", supplement: none",
            (true, _, true) => ", supplement: e => kooste-capitalise(e.supplement)",
            (true, _, false) => "",
        };
        let call = format!("ref(label({}){supplement}", string_literal(&name));
        self.raw(&if section { format!("#kooste-sec-ref({call}") } else { format!("#{call}") });
        if let Some(prefix) = prefix {
            self.prose(prefix);
            self.raw("]");
        }
        self.raw(if section { "))" } else { ")" });
        self.expr_end();
    }

    /// A citation of a work, with its prefix (`[see @key]`), locator and
    /// suffix.
    fn citation(&mut self, key: &str, affixes: Affixes, form: CiteForm, range: Range<usize>) {
        let Affixes { prefix, locator, suffix } = affixes;
        if let Some(prefix) = prefix {
            self.raw("#kooste-cite-prefix[");
            self.prose(prefix);
            self.raw("]");
        }
        self.out.citations.push(LabelUse { name: key.to_string(), range });
        if matches!(form, CiteForm::YearInGroup) {
            // Inside the group's parentheses, its author left out by the
            // citation pass (words.typ's `kooste-cite-year`).
            self.raw(&format!("#kooste-cite-year(cite(label({})", string_literal(key)));
            if let Some(locator) = locator {
                self.supplement(locator);
            }
            self.raw("))");
            self.cite_suffix(suffix);
            self.expr_end();
            return;
        }
        let year = matches!(form, CiteForm::Year);
        let form = match form {
            CiteForm::Normal | CiteForm::YearInGroup => "",
            CiteForm::Prose => ", form: \"prose\"",
            CiteForm::Year => ", form: \"year\"",
        };
        let call = format!("#cite(label({}){form}", string_literal(key));
        // The locator is author text, as the prefix is (`--` is a dash).
        // Pandoc's `[-@key]` keeps its parentheses and its locator,
        // "(2019, s. 41)"; a style's year form prints no supplement, so
        // the locator follows the call.
        match (year, locator) {
            (false, Some(locator)) => {
                self.raw(&call);
                self.supplement(locator);
                self.raw(")");
                self.cite_suffix(suffix);
            }
            (false, None) => {
                self.raw(&format!("{call})"));
                self.cite_suffix(suffix);
            }
            (true, locator) => {
                self.raw(&format!("#\"(\"{call})"));
                if let Some(locator) = locator {
                    self.raw("#\", \"#[");
                    self.prose(locator);
                    self.raw("]");
                }
                if let Some(suffix) = suffix {
                    self.raw("#[ ");
                    self.prose(suffix);
                    self.raw("]");
                }
                self.raw("#\")\"");
            }
        }
        self.expr_end();
    }

    /// A citation's suffix (`[@key ja muut]`), printed right after the
    /// item by the citation pass: the template's `kooste-cite-suffix`.
    fn cite_suffix(&mut self, suffix: Option<&str>) {
        if let Some(suffix) = suffix {
            self.raw("#kooste-cite-suffix[ ");
            self.prose(suffix);
            self.raw("]");
        }
    }

    /// A citation's `supplement:` argument: its locator as author text,
    /// or, for a bare number or range (`[@key, 33-35]`), which Pandoc reads
    /// as pages, the template's `kooste-page` around it, so that the
    /// citation pass lets the style print the page label.
    fn supplement(&mut self, locator: &str) {
        // A page label in the language's own words ("s. 33-35", "sivut
        // 5-7", "pp. 5-7"), as Pandoc reads it from the CSL locale, is
        // pages too: the style prints its label and the range its way.
        let terms: &[&str] = match self.language() {
            "fi" => &["s.", "sivu", "sivut"],
            "sv" => &["s.", "sida", "sidor"],
            "en" => &["p.", "pp.", "page", "pages"],
            _ => &[],
        };
        let numbers =
            terms.iter().find_map(|t| locator.strip_prefix(t).filter(|rest| rest.starts_with(' '))).unwrap_or(locator);
        match page_locator(numbers).filter(|_| self.templates_define("page")) {
            Some(pages) => {
                self.raw(&format!(", supplement: [#kooste-page(\"{pages}\")["));
                self.prose(locator);
                self.raw("]]");
            }
            None => {
                self.raw(", supplement: [");
                self.prose(locator);
                self.raw("]");
            }
        }
    }

    /// A reference to a numbered callout or theorem (`@tip-x`, `@def-x`):
    /// the kind's word (or the written prefix, or nothing) and its number,
    /// from the template's `kooste-numbered-ref`.
    fn numbered_ref(&mut self, name: &str, kind: &str, prefix: Option<&str>, form: CiteForm) {
        // Without a written prefix: the kind's word, unless prefixes are
        // off or the form asks for the number alone (`[-@tip-x]`).
        let word = match (prefix, self.opts.dialect.ref_prefix, form) {
            (None, true, CiteForm::Normal | CiteForm::Prose) => self.numbered_word(kind),
            _ => None,
        };
        self.raw(&format!("#kooste-numbered-ref(ref(label({})), ", string_literal(name)));
        match (prefix, word) {
            (Some(prefix), _) => {
                self.raw("[");
                self.prose(prefix);
                self.raw("]");
            }
            (None, Some(word)) => {
                self.raw("[");
                self.text(word);
                self.raw("]");
            }
            (None, None) => self.raw("none"),
        }
        self.raw(")");
        self.expr_end();
    }
}

/// The label a key names when it is a cross-reference (`fig-x`, or
/// `Fig-x` capitalised as Quarto reads it), and whether it was capitalised.
fn cross_reference(key: &str) -> Option<(String, bool)> {
    if is_ref_name(key) {
        return Some((key.to_string(), false));
    }
    let mut chars = key.chars();
    let first = chars.next().filter(char::is_ascii_uppercase)?;
    let lowered = format!("{}{}", first.to_ascii_lowercase(), chars.as_str());
    is_ref_name(&lowered).then_some((lowered, true))
}

/// Whether `key` names a cross-reference (`fig-x`, `Tbl-x`), not a work.
pub(super) fn is_cross_reference(key: &str) -> bool {
    cross_reference(key).is_some()
}

/// A locator that is only a page number or a range of them (`33`,
/// `33-35`, `33--35`, `33–35`), which Pandoc reads as pages; a range
/// with an en dash.
fn page_locator(locator: &str) -> Option<String> {
    let locator = locator.trim();
    let (first, last) = match locator.find(['-', '–', '—']) {
        Some(at) => (&locator[..at], locator[at..].trim_start_matches(['-', '–', '—'])),
        None => (locator, ""),
    };
    let number = |s: &str| !s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit());
    match (number(first), last) {
        (true, "") => Some(first.to_string()),
        (true, last) if number(last) => Some(format!("{first}–{last}")),
        _ => None,
    }
}

/// Pandoc's locator of an in-text citation, `@key [p. 33]`: at the start
/// of `text` (what follows the key), spaces, then brackets holding no
/// citation, footnote or nested bracket, not followed by a link's `[` or
/// `(`. Its length and the locator, trimmed.
pub(super) fn bare_locator(text: &str) -> Option<(usize, &str)> {
    let open = text.len() - text.trim_start_matches([' ', '\t']).len();
    let inner = text[open..].strip_prefix('[')?;
    let close = inner.find(']')?;
    let locator = &inner[..close];
    let after = &inner[close + 1..];
    if locator.starts_with('^') || locator.contains(['@', '[']) || after.starts_with(['[', '(']) {
        return None;
    }
    let trimmed = locator.trim();
    (!trimmed.is_empty()).then_some((open + 1 + close + 1, trimmed))
}

/// The author's text around a key: before it (`[see @key]`), its locator
/// (`[@key, s. 33]`) and its suffix (`[@key ja muut]`).
#[derive(Clone, Copy, Default)]
pub(super) struct Affixes<'s> {
    pub prefix: Option<&'s str>,
    pub locator: Option<&'s str>,
    pub suffix: Option<&'s str>,
}

/// How a citation prints: in parentheses, in the sentence (`@key`), or
/// its year only (`[-@key]`), alone or in a group with other citations
/// (`[-@a; @b]`: one pair of parentheses, as Pandoc prints it).
#[derive(Clone, Copy)]
pub(super) enum CiteForm {
    Normal,
    Prose,
    Year,
    YearInGroup,
}

/// One item of a bracketed citation group.
pub(super) struct CitationItem {
    /// Byte offset of its `@` in the group.
    pub offset: usize,
    pub key: String,
    /// Text before the key (`[see @key]`).
    pub prefix: Option<String>,
    /// Text after it that Pandoc reads as its locator (`[@key, pp.
    /// 33-35]`, `[@key s. 4]`), or text after a comma (`[@key, ja muut]`),
    /// which prints the same after the style's delimiter.
    pub locator: Option<String>,
    /// Text after it without a comma that is no locator (`[@key ja
    /// muut]`): printed right after the item, as written.
    pub suffix: Option<String>,
    /// `-@key`: the author suppressed.
    pub suppress: bool,
}

/// Parses `[@a; @b, s. 12]` at the start of `text`: its length and the items.
pub(super) fn parse_citation_group(text: &str) -> Option<(usize, Vec<CitationItem>)> {
    // The bracket that closes the group: a suffix may hold brackets of its
    // own (`[@key [sic]]`).
    let mut depth = 0usize;
    let close = text.char_indices().find_map(|(i, c)| match c {
        '[' => {
            depth += 1;
            None
        }
        ']' if depth == 1 => Some(i),
        ']' => {
            depth = depth.saturating_sub(1);
            None
        }
        _ => None,
    })?;
    let inner = &text[1..close];
    if !inner.contains('@') || text[close + 1..].starts_with('(') {
        return None;
    }
    let mut items = Vec::new();
    let mut offset = 1;
    for part in inner.split(';') {
        // Pandoc's item: a prefix, `@key` (`-@key`: the year only, the
        // author being in the text), then a locator or suffix.
        let at = part.char_indices().find_map(|(i, c)| {
            let mut before = part[..i].chars().rev();
            let starts = match before.next() {
                None => true,
                Some('-') => before.next().is_none_or(char::is_whitespace),
                Some(b) => b.is_whitespace(),
            };
            (c == '@' && starts && parse_key(&part[i + 1..]).is_some()).then_some(i)
        })?;
        let suppress = part[..at].ends_with('-');
        let prefix = part[..at - usize::from(suppress)].trim();
        let key = parse_key(&part[at + 1..])?;
        let rest = part[at + 1 + key.len()..].trim();
        let (locator, suffix) = match rest.strip_prefix(',') {
            Some(after) => (after.trim(), ""),
            None if starts_with_locator(rest) => (rest, ""),
            None => ("", rest),
        };
        items.push(CitationItem {
            offset: offset + at,
            key: key.to_string(),
            prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
            locator: (!locator.is_empty()).then(|| locator.to_string()),
            suffix: (!suffix.is_empty()).then(|| suffix.to_string()),
            suppress,
        });
        offset += part.len() + 1;
    }
    Some((close + 1, items))
}

/// Whether text after a key without a comma begins with what Pandoc reads
/// as a locator (`[@key s. 4]`, `[@key 33]`): a number, or a locator term
/// of the languages kooste writes (CSL's fi, sv and en terms, long and
/// short, as Pandoc matches them).
fn starts_with_locator(text: &str) -> bool {
    const TERMS: &[&str] = &[
        "s.",
        "ss.",
        "sivu",
        "sivut",
        "sivulla",
        "luku",
        "luvut",
        "kappale",
        "kpl.",
        "kohta",
        "osa",
        "liite",
        "rivi",
        "p.",
        "pp.",
        "page",
        "pages",
        "chapter",
        "chap.",
        "ch.",
        "para.",
        "paragraph",
        "section",
        "sec.",
        "§",
        "vol.",
        "volume",
        "line",
        "fig.",
        "figure",
        "note",
        "n.",
        "sida",
        "sidor",
        "kapitel",
        "kap.",
        "avsnitt",
    ];
    let first = text.split_whitespace().next().unwrap_or("");
    first.starts_with(|c: char| c.is_ascii_digit()) || TERMS.iter().any(|t| first.eq_ignore_ascii_case(t))
}

/// A citation key or label name at the start of `text`, Pandoc-style:
/// letters, digits and `_`, with `-`, `.`, `:` inside but not at the end.
pub(super) fn parse_key(text: &str) -> Option<&str> {
    let first = text.chars().next()?;
    if !(first.is_alphanumeric() || first == '_') {
        return None;
    }
    let end = text.find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))).unwrap_or(text.len());
    let key = text[..end].trim_end_matches(['.', ':', '-']);
    (!key.is_empty()).then_some(key)
}
