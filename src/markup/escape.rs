//! Escaping for Typst: author text and data values → markup that prints
//! every character as written, and Rust strings → Typst string literals.
//!
//! Everything kooste writes into generated Typst goes through here, so text
//! from Markdown, CSV cells or report.toml never runs as Typst code.

use std::fmt::Write as _;

/// Whether `name` can be a Typst label written `<name>`.
pub fn is_label_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

/// A Typst string literal holding `s` exactly.
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Escapes author text for Typst markup so that every character prints as
/// written. `line_start` says the text begins a line, where `-`, `+`, `=`,
/// `/` and `12.` would otherwise start lists and headings.
pub fn escape_text(s: &str, line_start: bool) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let chars: Vec<char> = s.chars().collect();
    // At a line start, a run of digits followed by `.` would be an enum marker.
    let digits = if line_start { chars.iter().take_while(|c| c.is_ascii_digit()).count() } else { 0 };
    let mut at_start = line_start;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let escape = match c {
            '\\' | '#' | '$' | '*' | '_' | '`' | '<' | '>' | '@' | '[' | ']' | '~' | '\'' | '"' | '/' | '=' | '+' => {
                true
            }
            '-' => at_start || next.is_none_or(|n| n == '-' || n == '?' || n.is_numeric() || n.is_whitespace()),
            '.' => next == Some('.') || (digits > 0 && i == digits),
            ':' => false,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        if !c.is_whitespace() {
            at_start = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        let out = escape_text("# $ * _ ` < > @ [ ] ~ \\ ' \" / = + -- ... 1.5 -3", false);
        assert_eq!(
            out,
            "\\# \\$ \\* \\_ \\` \\< \\> \\@ \\[ \\] \\~ \\\\ \\' \\\" \\/ \\= \\+ \\-\\- \\.\\.. 1.5 \\-3"
        );
    }

    #[test]
    fn line_start_hazards() {
        assert_eq!(escape_text("19. maaliskuuta", true), "19\\. maaliskuuta");
        assert_eq!(escape_text("19. maaliskuuta", false), "19. maaliskuuta");
        assert_eq!(escape_text("- x", true), "\\- x");
        assert_eq!(escape_text("a-b", false), "a-b");
    }
}
