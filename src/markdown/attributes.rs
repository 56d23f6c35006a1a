//! Pandoc attributes written in the text: `{#id .class key=value}` on
//! fenced divs, bracketed spans and headings, and `{#tbl-id source="…"}`
//! after a table caption.

use comrak::nodes::NodeValue;

use super::Node;

/// The attributes in a caption paragraph's trailing `{#tbl-id source="…"}`:
/// `("#", id)` and `(key, value)` pairs.
pub(super) fn caption_attributes(caption: Option<Node<'_>>) -> Vec<(String, String)> {
    let Some(last) = caption.and_then(|c| c.last_child()) else { return Vec::new() };
    let data = last.data();
    let NodeValue::Text(t) = &data.value else { return Vec::new() };
    let t = t.trim_end();
    let Some(inner) = t.rfind('{').and_then(|open| t[open + 1..].strip_suffix('}')) else { return Vec::new() };
    parse_attributes(inner)
}

/// Parses `#id key="quoted value" key=value` into pairs.
fn parse_attributes(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if let Some(id) = rest.strip_prefix('#') {
            let end = id.find(char::is_whitespace).unwrap_or(id.len());
            out.push(("#".to_string(), id[..end].to_string()));
            rest = id[end..].trim_start();
            continue;
        }
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_string();
        let after = &rest[eq + 1..];
        let (value, next) = match after.strip_prefix('"') {
            Some(q) => match q.find('"') {
                Some(end) => (q[..end].to_string(), &q[end + 1..]),
                None => (q.to_string(), ""),
            },
            None => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (after[..end].to_string(), &after[end..])
            }
        };
        out.push((key, value));
        rest = next.trim_start();
    }
    out
}

/// Pandoc attributes: `{#id .class key=value key="quoted value"}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Attrs {
    pub id: Option<String>,
    pub classes: Vec<String>,
    pub pairs: Vec<(String, String)>,
}

impl Attrs {
    /// The value of attribute `key`.
    #[cfg(test)]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn has_class(&self, class: &str) -> bool {
        self.classes.iter().any(|c| c == class)
    }
}

/// Parses the attributes of a `{…}` at the start of `text`: them and the
/// bytes they take, braces included; `None` if `text` does not start with
/// attributes (a `{` followed by anything else is text).
pub(super) fn parse_braced(text: &str) -> Option<(Attrs, usize)> {
    let inner = text.strip_prefix('{')?;
    let mut quote = None;
    let mut close = None;
    for (i, c) in inner.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '}') => {
                close = Some(i);
                break;
            }
            (None, '{') => return None,
            _ => {}
        }
    }
    let close = close?;
    let attrs = parse_inner(&inner[..close])?;
    Some((attrs, close + 2))
}

/// Like [`parse_braced`], also reading Pandoc's empty attributes (`{}`,
/// `{ }`), which make a div or a span without attributes.
pub(super) fn parse_braced_or_empty(text: &str) -> Option<(Attrs, usize)> {
    let inner = text.strip_prefix('{')?;
    let blank = inner.len() - inner.trim_start_matches([' ', '\t']).len();
    match inner[blank..].starts_with('}') {
        true => Some((Attrs::default(), blank + 2)),
        false => parse_braced(text),
    }
}

/// Parses what is between the braces of `{#id .class key=value}`; `-` is
/// Pandoc's short form of `.unnumbered`.
fn parse_inner(text: &str) -> Option<Attrs> {
    let mut attrs = Attrs::default();
    let mut rest = text.trim_start();
    if rest.is_empty() || rest.starts_with('=') {
        return None;
    }
    while !rest.is_empty() {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        if let Some(id) = rest.strip_prefix('#') {
            let id = &id[..word_end - 1];
            if id.is_empty() || id.contains(['"', '\'', '=']) {
                return None;
            }
            attrs.id = Some(id.to_string());
            rest = rest[word_end..].trim_start();
        } else if let Some(class) = rest.strip_prefix('.') {
            let class = &class[..word_end - 1];
            if class.is_empty() || class.contains(['"', '\'', '=']) {
                return None;
            }
            attrs.classes.push(class.to_string());
            rest = rest[word_end..].trim_start();
        } else if &rest[..word_end] == "-" {
            attrs.classes.push("unnumbered".to_string());
            rest = rest[word_end..].trim_start();
        } else {
            let eq = rest.find('=')?;
            let key = &rest[..eq];
            if key.is_empty() || !key.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')) {
                return None;
            }
            let after = &rest[eq + 1..];
            let (value, next) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let end = after[1..].find(q)?;
                    let next = &after[end + 2..];
                    if !(next.is_empty() || next.starts_with(char::is_whitespace)) {
                        return None;
                    }
                    (after[1..end + 1].to_string(), next)
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    if after[..end].contains(['"', '\'']) {
                        return None;
                    }
                    (after[..end].to_string(), &after[end..])
                }
            };
            attrs.pairs.push((key.to_string(), value));
            rest = next.trim_start();
        }
    }
    Some(attrs)
}

/// The attributes of a fenced div's opening line after its colons: braced
/// attributes, or one bare word that is a class (`::: callout-note`), with
/// any closing run of colons. `None` if the line is neither.
pub(super) fn parse_div_info(info: &str) -> Option<Attrs> {
    let info = info.trim().trim_end_matches(':').trim_end();
    if info.starts_with('{') {
        let (attrs, len) = parse_braced_or_empty(info)?;
        return (len == info.len()).then_some(attrs);
    }
    let word_ok = !info.is_empty() && !info.contains(char::is_whitespace) && !info.contains(['{', '}', '"']);
    word_ok.then(|| Attrs { classes: vec![info.to_string()], ..Attrs::default() })
}

/// Pandoc's identifier for a heading whose text is `text`: letters,
/// digits, `_`, `-` and `.` kept (any script), spaces as hyphens, lower
/// case, nothing before the first letter; `section` when nothing is left.
pub(super) fn auto_identifier(text: &str) -> String {
    let mut id = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') {
            id.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            id.push('-');
        }
    }
    let first_letter = id.find(char::is_alphabetic).unwrap_or(id.len());
    let id = &id[first_letter..];
    if id.is_empty() { "section".to_string() } else { id.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pandoc_attributes() {
        let (a, len) = parse_braced("{#fig-x .a .b-c key=v title=\"Huom: x y\"} rest").unwrap();
        assert_eq!(len, 40);
        assert_eq!(a.id.as_deref(), Some("fig-x"));
        assert_eq!(a.classes, ["a", "b-c"]);
        assert_eq!(a.get("title"), Some("Huom: x y"));
        assert_eq!(a.get("key"), Some("v"));
        assert_eq!(parse_braced("{-}").unwrap().0.classes, ["unnumbered"]);
        assert_eq!(parse_braced("{#sec-ä .unlisted}").unwrap().0.id.as_deref(), Some("sec-ä"));
        for text in ["{=typst}", "{}", "{>>note<<}", "{x}", "{a=\"b}", "{ a b }", "{#}", "{.}", "{a=\"b\"c}"] {
            assert!(parse_braced(text).is_none(), "{text}");
        }
        assert_eq!(parse_braced_or_empty("{ } x"), Some((Attrs::default(), 3)));
        assert_eq!(parse_div_info("{}"), Some(Attrs::default()));
        assert_eq!(parse_div_info(" callout-note ").unwrap().classes, ["callout-note"]);
        assert_eq!(parse_div_info("{.x} :::").unwrap().classes, ["x"]);
        assert!(parse_div_info("two words").is_none());
        assert!(parse_div_info("").is_none());
    }
}
