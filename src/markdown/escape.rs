//! Author text → Typst that prints it literally; Typst string literals.

use std::fmt::Write as _;

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
