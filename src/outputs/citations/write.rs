//! The formatted citations and reference list written back into the
//! source: hayagriva's rendered elements → Typst markup, every replacement
//! on one line so that lines keep their places.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::ops::Range;

use hayagriva::citationberg;
use hayagriva::{ElemChild, ElemChildren, ElemMeta};

use super::scan::{Bail, BibCall, Cite, Form, Title};
use super::{ENTRY_LABEL_PREFIX, Found, INDENT, Options};
use crate::markup::escape::{escape_text, string_literal};

/// `source` with each citation group replaced by its formatted citation
/// (`citations[shown_as[i]]` for group `i`) and the bibliography call by
/// `list`.
pub(super) fn write(
    source: &str,
    found: &Found,
    citations: &[hayagriva::RenderedCitation],
    shown_as: &[usize],
    list: &hayagriva::RenderedBibliography,
    library: &hayagriva::Library,
    options: &Options,
) -> Result<String, Bail> {
    let listed: HashSet<&str> =
        if options.link { list.items.iter().map(|i| i.key.as_str()).collect() } else { HashSet::new() };
    let mut edits: Vec<(Range<usize>, String)> = Vec::with_capacity(found.scan.groups.len() + 1);
    let note_style = found.style.csl.settings.class == citationberg::StyleClass::Note;
    for (group, &shown) in found.scan.groups.iter().zip(shown_as) {
        let shown = &citations[shown];
        let mut body = String::new();
        if group.cites.iter().any(|c| c.form != Form::Hidden) {
            let ctx = Ctx { cites: &group.cites, listed: &listed };
            match in_citeprocs_order(&shown.citation, &group.cites) {
                Some(reordered) => children(&ctx, &reordered, true, &mut body),
                None => children(&ctx, &shown.citation, true, &mut body),
            }
            if note_style && group.cites.iter().all(|c| matches!(c.form, Form::Hidden | Form::Normal)) {
                body = format!("#footnote[{body}];");
            }
        }
        // After `#`, the block takes the call's place; a group that began
        // with `@key` needs its own `#`, and one that ended with it a `;`.
        let hash = if group.after_hash { "" } else { "#" };
        let end = if group.ends_with_call { "" } else { ";" };
        let lines = keep_lines(&source[group.range.clone()]);
        let text = format!("{hash}[{body}{lines}]{end}");
        edits.push((group.range.clone(), text));
    }
    let bib = found.bib();
    // The title of an entry in another language than the document's (its
    // `langid`) carries that language: hyphenation, and its tag for screen
    // readers. (The rest of the entry is in the document's words.)
    let language = |key: &str| {
        let entry = library.get(key)?;
        let lang = entry.language()?.language.as_str().to_string();
        let title = entry.title()?.value.to_string();
        (lang != options.lang).then_some((lang, title))
    };
    let text = write_bibliography(&source[bib.range.clone()], bib, list, &listed, &language, options)?;
    edits.push((bib.range.clone(), text));

    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(source.len() + source.len() / 4);
    let mut at = 0;
    for (range, replacement) in edits {
        out.push_str(&source[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&source[at..]);
    Ok(out)
}

/// The formatted list that replaces the bibliography call `replaced`.
pub(super) fn write_bibliography(
    replaced: &str,
    bib: &BibCall,
    list: &hayagriva::RenderedBibliography,
    listed: &HashSet<&str>,
    language: &dyn Fn(&str) -> Option<(String, String)>,
    options: &Options,
) -> Result<String, Bail> {
    let lang = options.lang;
    let mut text = String::from("[");
    let title = match &bib.title {
        Title::None => None,
        Title::Given(markup) => Some(markup.as_str()),
        // typst's own words for these languages; others are left to typst.
        Title::Auto => Some(match lang {
            "fi" => "Viitteet",
            "sv" => "Referenser",
            "en" => "Bibliography",
            _ => return Err(()),
        }),
    };
    if let Some(title) = title {
        let _ = write!(text, "#heading(depth: 1)[{title}];");
    }
    let ctx = Ctx { cites: &[], listed };
    // A web page sets numbered entries as paragraphs, prefix first.
    let any_prefix = list.items.iter().any(|i| i.first_field.is_some()) && !options.html;
    // Entries numbered alike ("3.", "[3]") are a numbered list, tagged as
    // one for screen readers; other prefixes stand in a grid.
    let numbers = any_prefix.then(|| enum_numbering(&ctx, list)).flatten();
    if let Some((pattern, _)) = &numbers {
        let _ = write!(
            text,
            "#context enum(numbering: {}, spacing: par.spacing, body-indent: 0.65em, ",
            string_literal(pattern)
        );
    } else if any_prefix {
        text.push_str("#context grid(columns: 2, column-gutter: 0.65em, row-gutter: par.spacing, ");
    }
    for item in &list.items {
        let mut body = String::new();
        children(&ctx, &item.content, false, &mut body);
        let body = without_year_comma(&body);
        let body = match language(&item.key) {
            Some((lang, title)) => {
                let escaped = bibliography_text(&title);
                body.replacen(&escaped, &format!("#text(lang: {})[{escaped}];", string_literal(&lang)), 1)
            }
            None => body,
        };
        let label = string_literal(&format!("{ENTRY_LABEL_PREFIX}{}", item.key));
        if let Some((_, values)) = &numbers {
            let n = values.get(&item.key).copied().unwrap_or(0);
            let _ = write!(text, "enum.item({n})[#block[{body}]#label({label});], ");
        } else if any_prefix {
            let mut prefix = String::new();
            if let Some(first) = &item.first_field {
                child(&ctx, first, false, &mut prefix);
            }
            let _ = write!(text, "[{prefix}], [#block[{body}]#label({label});], ");
        } else if options.html {
            // A web page's entry: a paragraph the stylesheet indents.
            let mut prefix = String::new();
            if let Some(first) = &item.first_field {
                child(&ctx, first, false, &mut prefix);
                prefix.push(' ');
            }
            let p = "#html.elem(\"p\", attrs: (class: \"kooste-reference\"))";
            let _ = write!(text, "{p}[{prefix}{body}]#label({label});");
        } else if list.hanging_indent {
            let _ = write!(text, "#block(inset: (left: {INDENT}))[#h(-{INDENT});{body}]#label({label});");
        } else {
            let _ = write!(text, "#block[{body}]#label({label});");
        }
    }
    if any_prefix {
        text.push(')');
    }
    text.push_str(&keep_lines(replaced));
    text.push(']');
    Ok(text)
}

/// The numbering pattern ("1.", "[1]") and each entry's number, when
/// every entry's prefix is one number in the same frame.
fn enum_numbering(
    ctx: &Ctx,
    list: &hayagriva::RenderedBibliography,
) -> Option<(String, std::collections::HashMap<String, usize>)> {
    let mut pattern: Option<String> = None;
    let mut values = std::collections::HashMap::new();
    for item in &list.items {
        let mut prefix = String::new();
        child(ctx, item.first_field.as_ref()?, false, &mut prefix);
        let plain = prefix.replace('\\', "");
        let digits: String = plain.chars().filter(char::is_ascii_digit).collect();
        let start = plain.find(|c: char| c.is_ascii_digit())?;
        let end = start + digits.len();
        if !plain[start..end].chars().all(|c| c.is_ascii_digit())
            || !plain[..start].chars().chain(plain[end..].chars()).all(|c| matches!(c, '[' | ']' | '(' | ')' | '.'))
        {
            return None;
        }
        let this = format!("{}1{}", &plain[..start], &plain[end..]);
        if pattern.get_or_insert_with(|| this.clone()) != &this {
            return None;
        }
        values.insert(item.key.clone(), digits.parse().ok()?);
    }
    Some((pattern?, values))
}

/// `(2019,)` → `(2019)`, also with a year suffix (`(2019b,)`).
///
/// hayagriva 0.10.1 writes the comma of APA's "(year, month day)" for web
/// pages that have only a year (typst/hayagriva#246, fixed upstream in
/// #503 but not in a release typst 0.15 can use). With `--typst-citations`
/// the comma stays, as typst prints it.
pub(super) fn without_year_comma(markup: &str) -> String {
    let bytes = markup.as_bytes();
    let mut out = String::with_capacity(markup.len());
    let mut at = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'(' && bytes.len() >= i + 7 && bytes[i + 1..i + 5].iter().all(u8::is_ascii_digit) {
            let mut j = i + 5;
            if bytes[j].is_ascii_lowercase() {
                j += 1;
            }
            if bytes.get(j) == Some(&b',') && bytes.get(j + 1) == Some(&b')') {
                out.push_str(&markup[at..j]);
                at = j + 1;
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&markup[at..]);
    out
}

/// A comment holding the line breaks of replaced text, so every line after
/// it keeps its number (diagnostics map generated lines back to sources).
pub(super) fn keep_lines(replaced: &str) -> String {
    match replaced.matches('\n').count() {
        0 => String::new(),
        n => format!("/*{}*/", "\n".repeat(n)),
    }
}

// ----- scanning -------------------------------------------------------------

pub(super) struct Ctx<'a> {
    /// The citations of the group being written (for supplements and links).
    pub(super) cites: &'a [Cite],
    /// Keys with an entry in this output's bibliography (link targets).
    pub(super) listed: &'a HashSet<&'a str>,
}

/// Text from the bibliography as Typst markup: escaped, with the line-break
/// rules of author text (markup::hyphenation): an acronym never breaks, nor
/// a spaced compound ("Kestävä kaupunki -ohjelma") at its space. No
/// project exceptions: they are for the document's language, and a title
/// may be in another.
fn bibliography_text(text: &str) -> String {
    crate::markup::hyphenation::markup(text, None, true)
}

pub(super) fn children(ctx: &Ctx, elems: &ElemChildren, trim_start: bool, out: &mut String) {
    for (i, elem) in elems.0.iter().enumerate() {
        child(ctx, elem, trim_start && i == 0, out);
    }
}

pub(super) fn child(ctx: &Ctx, elem: &ElemChild, trim_start: bool, out: &mut String) {
    match elem {
        ElemChild::Text(formatted) => {
            let text = if trim_start { formatted.text.trim_start() } else { formatted.text.as_str() };
            let text = text.replace(['\n', '\r'], " ");
            with_formatting(&bibliography_text(&text), &formatted.formatting, out);
        }
        ElemChild::Elem(elem) => {
            let cite = match elem.meta {
                Some(ElemMeta::Entry(i)) => ctx.cites.get(i),
                _ => None,
            };
            let mut inner = String::new();
            match cite.filter(|c| c.suppress) {
                Some(_) => children(ctx, &without_author(&elem.children), false, &mut inner),
                None => children(ctx, &elem.children, false, &mut inner),
            }
            if let Some(pages) = cite.and_then(|c| c.page.as_deref()) {
                inner = pages_unbroken(&inner, pages);
            }
            use citationberg::Display;
            let inner = match elem.display {
                Some(Display::Block) => format!("#block[{inner}];"),
                Some(Display::Indent) => format!("#pad[{inner}];"),
                _ => inner,
            };
            // The author's prefix (`[see @key]`) inside the parentheses.
            if let Some(prefix) = cite.and_then(|c| c.prefix.as_deref()) {
                let _ = write!(out, "#[{prefix}];#[ ];");
            }
            let link = cite.filter(|c| ctx.listed.contains(c.key.as_str()));
            match link {
                Some(cite) => {
                    let label = string_literal(&format!("{ENTRY_LABEL_PREFIX}{}", cite.key));
                    let _ = write!(out, "#link(label({label}))[{inner}];");
                }
                None => out.push_str(&inner),
            }
            // The author's suffix (`[@key ja muut]`), right after the item.
            if let Some(suffix) = cite.and_then(|c| c.suffix.as_deref()) {
                let _ = write!(out, "#[{suffix}];");
            }
        }
        // Math in a field: printed as written, because bibliography data
        // never runs as Typst.
        ElemChild::Markup(markup) => out.push_str(&escape_text(&markup.replace(['\n', '\r'], " "), true)),
        ElemChild::Link { text, url } => {
            let mut shown = String::new();
            with_formatting(&escape_text(&text.text, true), &text.formatting, &mut shown);
            let _ = write!(out, "#link({})[{shown}];", string_literal(url));
        }
        ElemChild::Transparent { cite_idx, format } => {
            let supplement = ctx.cites.get(*cite_idx).and_then(|c| c.supplement.as_deref()).unwrap_or("");
            with_formatting(&format!("#[{supplement}];"), format, out);
        }
    }
}

/// A group whose items have prefixes or suffixes (`[see @b; @a ja muut]`)
/// in the order Pandoc's citeproc prints it: the style sorts only runs of
/// items with neither, and an item with one keeps its place. `None` when
/// the style's order stands, or when its items are not side by side.
fn in_citeprocs_order(citation: &ElemChildren, cites: &[Cite]) -> Option<ElemChildren> {
    let affixed = |c: &Cite| c.prefix.is_some() || c.suffix.is_some();
    if cites.len() < 2 || !cites.iter().any(affixed) {
        return None;
    }
    let mut out = citation.clone();
    let level = entry_level(&mut out.0)?;
    // Where each item stands at that level, in the style's order.
    let slots: Vec<usize> = (0..level.len()).filter(|&at| entry_index(&level[at]).is_some()).collect();
    let shown: Vec<usize> = slots.iter().filter_map(|&at| entry_index(&level[at])).collect();
    let mut seen = shown.clone();
    seen.sort_unstable();
    if seen != (0..cites.len()).collect::<Vec<_>>() {
        return None;
    }
    // citeproc's order: the items in runs of those without affixes, each
    // run in the style's order; an item with an affix a run of its own.
    let rank = |i: usize| shown.iter().position(|&s| s == i).unwrap_or(i);
    let mut order: Vec<usize> = Vec::with_capacity(cites.len());
    let mut run: Vec<usize> = Vec::new();
    for (i, cite) in cites.iter().enumerate() {
        if affixed(cite) {
            run.sort_by_key(|&j| rank(j));
            order.append(&mut run);
            order.push(i);
        } else {
            run.push(i);
        }
    }
    run.sort_by_key(|&j| rank(j));
    order.append(&mut run);
    if order == shown {
        return None;
    }
    let items: Vec<ElemChild> = order.iter().map(|&i| level[slots[rank(i)]].clone()).collect();
    for (&slot, item) in slots.iter().zip(items) {
        level[slot] = item;
    }
    Some(out)
}

/// The item a rendered element stands for, when it is one.
fn entry_index(child: &ElemChild) -> Option<usize> {
    match child {
        ElemChild::Elem(elem) => match elem.meta {
            Some(ElemMeta::Entry(i)) => Some(i),
            _ => None,
        },
        _ => None,
    }
}

/// The children that hold a citation's items: the first level, depth
/// first, with an item's element.
fn entry_level(children: &mut Vec<ElemChild>) -> Option<&mut Vec<ElemChild>> {
    if children.iter().any(|c| entry_index(c).is_some()) {
        return Some(children);
    }
    children.iter_mut().find_map(|child| match child {
        ElemChild::Elem(elem) => entry_level(&mut elem.children.0),
        _ => None,
    })
}

/// An item's markup with a no-break space (`~`) before its pages, where
/// the style printed a space: "s. 5" never breaks between its label and
/// the number. The pages are the last place in the item where a space is
/// followed by their first digits (a style prints the locator after the
/// year).
fn pages_unbroken(markup: &str, pages: &str) -> String {
    let first: String = pages.chars().take_while(char::is_ascii_digit).collect();
    let needle = format!(" {first}");
    let at = markup
        .match_indices(&needle)
        .map(|(i, _)| i)
        .filter(|&i| !markup[i + needle.len()..].starts_with(|c: char| c.is_ascii_digit()))
        .last();
    match at {
        Some(i) if !first.is_empty() => format!("{}~{}", &markup[..i], &markup[i + 1..]),
        _ => markup.to_string(),
    }
}

/// A cited item's text without its author (Pandoc's `-@key` in a group,
/// as citeproc prints it): the first names the style printed are left
/// out, with the delimiter after them ("Virtanen, 2018, s. 4" → "2018,
/// s. 4").
fn without_author(children: &ElemChildren) -> ElemChildren {
    /// Where the walk is: the names found and left out, and whether the
    /// text after them still starts with their delimiter.
    #[derive(Default)]
    struct Walk {
        removed: bool,
        trim: bool,
        done: bool,
    }
    fn strip(items: &mut Vec<ElemChild>, walk: &mut Walk) {
        let mut i = 0;
        while i < items.len() && !walk.done {
            match &mut items[i] {
                ElemChild::Elem(elem) if !walk.removed && matches!(elem.meta, Some(ElemMeta::Names(..))) => {
                    items.remove(i);
                    walk.removed = true;
                    walk.trim = true;
                    continue;
                }
                ElemChild::Elem(elem) => strip(&mut elem.children.0, walk),
                ElemChild::Text(text) if walk.trim => {
                    let rest =
                        text.text.trim_start_matches(|c: char| matches!(c, ',' | ';' | ':') || c.is_whitespace());
                    if rest.is_empty() {
                        items.remove(i);
                        continue;
                    }
                    text.text = rest.to_string();
                    walk.done = true;
                }
                _ if walk.trim => walk.done = true,
                _ => {}
            }
            i += 1;
        }
    }
    let mut out = children.clone();
    strip(&mut out.0, &mut Walk::default());
    out
}

/// Wraps markup in the elements hayagriva's formatting asks for, in the
/// order typst applies them. Every embedded expression written here ends
/// with `;`, so text after it (`(`, `[`, `.x`) cannot continue it.
pub(super) fn with_formatting(markup: &str, format: &hayagriva::Formatting, out: &mut String) {
    use citationberg::{FontStyle, FontVariant, FontWeight, TextDecoration, VerticalAlign};
    let mut s = markup.to_string();
    if format.font_style == FontStyle::Italic {
        s = format!("#emph[{s}];");
    }
    if format.font_variant == FontVariant::SmallCaps {
        s = format!("#smallcaps[{s}];");
    }
    match format.font_weight {
        FontWeight::Bold => s = format!("#strong[{s}];"),
        FontWeight::Light => s = format!("#text(weight: \"light\")[{s}];"),
        FontWeight::Normal => {}
    }
    if format.text_decoration == TextDecoration::Underline {
        s = format!("#underline[{s}];");
    }
    match format.vertical_align {
        VerticalAlign::Sup => s = format!("#h(0pt, weak: true)#super[{s}];"),
        VerticalAlign::Sub => s = format!("#h(0pt, weak: true)#sub[{s}];"),
        VerticalAlign::None | VerticalAlign::Baseline => {}
    }
    out.push_str(&s);
}
