//! Raw HTML in Markdown: its markup removed, its text kept.

/// Removes HTML markup, keeping the text between it, as a browser would:
/// tags (up to the `>` outside quoted attribute values), comments,
/// processing instructions, declarations and CDATA sections. A `<` that
/// starts none of them is text; an unterminated tag runs to the end.
pub(super) fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        match markup_len(after) {
            Some(len) => rest = &after[len..],
            None => {
                out.push('<');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The length of the HTML markup at the start of `s` (which starts with
/// `<`), or `None` if that `<` is text.
fn markup_len(s: &str) -> Option<usize> {
    let through = |from: usize, end: &str| s[from..].find(end).map_or(s.len(), |i| from + i + end.len());
    for (open, close) in [("<!-->", ""), ("<!--->", ""), ("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>")] {
        if s.starts_with(open) {
            return Some(if close.is_empty() { open.len() } else { through(open.len(), close) });
        }
    }
    let name = if s.starts_with("</") || s.starts_with("<!") { 2 } else { 1 };
    if !s[name..].starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut quote = None;
    let mut after_equals = false;
    for (i, c) in s.char_indices().skip(name) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '>' => return Some(i + 1),
            None if after_equals && (c == '"' || c == '\'') => quote = Some(c),
            None => {}
        }
        if !c.is_whitespace() {
            after_equals = quote.is_none() && c == '=';
        }
    }
    Some(s.len())
}
