//! Pandoc attributes written in the text: `{#tbl-id source="…"}` after a
//! table caption.

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
