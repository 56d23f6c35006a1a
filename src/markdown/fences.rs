//! Fenced divs (`::: {#id .class}` … `:::`), made ready for comrak's block
//! directives before the text is parsed.
//!
//! comrak reads `:::` fences as block directives, with two differences from
//! Pandoc that this pass removes:
//!
//! - comrak's opening fence cannot hold a colon, which Pandoc's attributes
//!   may (`title="Huom: …"`) and which may close the fence (`::: {.x} :::`):
//!   those colons are replaced with [`COLON`], which the converter reads
//!   back as `:`;
//! - Pandoc closes the innermost open div at a bare `:::`, comrak the
//!   outermost one whose fence is no longer: where a div holds another with
//!   as many colons, the outer fences get more colons.
//!
//! A closing fence with no div open is text in Pandoc; it is escaped
//! (`\:::`) so that it prints, and reported. Fences in fenced code blocks
//! are left alone. Lines are never added or removed, so positions keep
//! their line.

/// Stands for a colon in a div's opening line (comrak's fence takes none).
pub(super) const COLON: char = '\u{E002}';

/// The text with its fences made ready, and the lines (1-based) of fences
/// the converter reports.
#[derive(Debug, Default)]
pub(super) struct Fences {
    pub text: String,
    /// Closing fences with no div open.
    pub stray: Vec<usize>,
    /// Opening fences never closed.
    pub unclosed: Vec<usize>,
}

/// One `:::` line.
struct Fence {
    line: usize,
    /// Byte offset of the first colon in the line, and the colons' count.
    at: usize,
    colons: usize,
    opening: bool,
}

/// Prepares `text`; `None` when it has no `:::` line (nothing changes).
pub(super) fn prepare(text: &str) -> Option<Fences> {
    if !text.contains(":::") {
        return None;
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let fences = find_fences(&lines);
    if fences.is_empty() {
        return None;
    }
    // Pair the fences as Pandoc does: a closing fence closes the innermost
    // open div.
    let mut stack: Vec<usize> = Vec::new();
    let mut close_of: Vec<Option<usize>> = vec![None; fences.len()];
    let mut parent: Vec<Option<usize>> = vec![None; fences.len()];
    let mut out = Fences::default();
    for (i, fence) in fences.iter().enumerate() {
        if fence.opening {
            parent[i] = stack.last().copied();
            stack.push(i);
        } else if let Some(open) = stack.pop() {
            close_of[open] = Some(i);
        } else {
            out.stray.push(fence.line + 1);
        }
    }
    out.unclosed = stack.iter().map(|&i| fences[i].line + 1).collect();

    // Each div's fence must be longer than every div inside it.
    let mut length: Vec<usize> = fences.iter().map(|f| f.colons).collect();
    for i in (0..fences.len()).rev() {
        if let Some(p) = parent[i]
            && fences[p].opening
        {
            length[p] = length[p].max(length[i] + 1);
        }
    }
    for (open, close) in close_of.iter().enumerate() {
        if let Some(close) = close {
            length[*close] = length[open];
        }
    }

    let mut rewritten: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    for (i, fence) in fences.iter().enumerate() {
        let line = lines[fence.line];
        let before = &line[..fence.at];
        let after = &line[fence.at + fence.colons..];
        rewritten[fence.line] = if !fence.opening && out.stray.contains(&(fence.line + 1)) {
            format!("{before}\\{}", &line[fence.at..])
        } else if fence.opening {
            format!("{before}{}{}", ":".repeat(length[i]), after.replace(':', &COLON.to_string()))
        } else {
            format!("{before}{}{after}", ":".repeat(length[i]))
        };
    }
    out.text = rewritten.concat();
    Some(out)
}

/// The `:::` lines outside fenced code blocks.
fn find_fences(lines: &[&str]) -> Vec<Fence> {
    let mut fences = Vec::new();
    // The open code fence: its character and length.
    let mut code: Option<(char, usize)> = None;
    // The content columns of the open list items: a line indented to one
    // is inside it, and its indentation counts from there.
    let mut items: Vec<usize> = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
        if !line.trim().is_empty() {
            while items.last().is_some_and(|&column| lead < column) {
                items.pop();
            }
        }
        let base = items.last().copied().unwrap_or(0).min(lead);
        let (at, indent, opened) = content_start(line, base);
        items.extend(opened);
        let content = line[at..].trim_end_matches(['\n', '\r']);
        if let Some((ch, len)) = code {
            let run = content.chars().take_while(|&c| c == ch).count();
            if run >= len && content[run * ch.len_utf8()..].trim().is_empty() {
                code = None;
            }
            continue;
        }
        if indent > 3 {
            continue;
        }
        for ch in ['`', '~'] {
            let run = content.chars().take_while(|&c| c == ch).count();
            if run >= 3 && !(ch == '`' && content[run..].contains('`')) {
                code = Some((ch, run));
            }
        }
        if code.is_some() {
            continue;
        }
        let colons = content.chars().take_while(|&c| c == ':').count();
        if colons < 3 {
            continue;
        }
        let opening = !content[colons..].trim().is_empty();
        fences.push(Fence { line: n, at, colons, opening });
    }
    fences
}

/// Where a line's content starts, from byte `from` on: past its block
/// quote and list item markers (`- ::: note` opens a div in a list item);
/// the indentation after the last marker; the content columns of the list
/// items the line opens.
fn content_start(line: &str, from: usize) -> (usize, usize, Vec<usize>) {
    let mut at = from;
    let mut opened = Vec::new();
    loop {
        let rest = &line[at..];
        let indent = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let after = &rest[indent..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let (marker, item) = match after.as_bytes() {
            [b'>', ..] => (1, false),
            [b'-' | b'*' | b'+', b' ' | b'\t', ..] => (1, true),
            [..] if (1..=9).contains(&digits)
                && matches!(after.as_bytes().get(digits), Some(b'.' | b')'))
                && matches!(after.as_bytes().get(digits + 1), Some(b' ' | b'\t')) =>
            {
                (digits + 1, true)
            }
            _ => return (at + indent, indent, opened),
        };
        at += indent + marker;
        if item {
            // CommonMark: the content starts after one to four spaces.
            let spaces = line[at..].len() - line[at..].trim_start_matches(' ').len();
            opened.push(at + if (1..=4).contains(&spaces) { spaces } else { 1 });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_fences_of_equal_length_get_longer_outer_fences() {
        let text = "::: {.a}\nx\n\n::: {.b title=\"Huom: y\"}\ny\n:::\n\n:::\n";
        let out = prepare(text).unwrap();
        assert_eq!(out.text, ":::: {.a}\nx\n\n::: {.b title=\"Huom\u{E002} y\"}\ny\n:::\n\n::::\n");
        assert!(out.stray.is_empty() && out.unclosed.is_empty());
    }

    #[test]
    fn stray_and_unclosed_fences_and_code() {
        let out = prepare(":::\n\n```\n::: {.x}\n```\n\n::: {.y}\n").unwrap();
        assert_eq!(out.text, "\\:::\n\n```\n::: {.x}\n```\n\n::: {.y}\n");
        assert_eq!(out.stray, [1]);
        assert_eq!(out.unclosed, [7]);
        assert!(prepare("no fences here\n").is_none());
    }

    #[test]
    fn a_div_can_open_on_a_list_items_first_line() {
        // As in Quarto's own docs: `- ::: pad-to-code-block`, two divs inside.
        let text = "- ::: outer\n\n  ::: a\n  x\n  :::\n\n  :::\n\n1. ::: {.b}\n   y\n   :::\n";
        let out = prepare(text).unwrap();
        assert!(out.stray.is_empty() && out.unclosed.is_empty(), "{out:?}");
        assert_eq!(out.text, "- :::: outer\n\n  ::: a\n  x\n  :::\n\n  ::::\n\n1. ::: {.b}\n   y\n   :::\n");
        // A code fence in a list item hides its `:::` lines.
        assert!(prepare("- ```\n  :::\n  ```\n").is_none());
        // A list inside a list, as in Quarto's markdown-basics.qmd: the
        // inner item's `:::` lines are indented to its content.
        let text = "- - a\n  - ::: pad\n\n    ::: x\n    y\n    :::\n\n    :::\n";
        let out = prepare(text).unwrap();
        assert!(out.stray.is_empty() && out.unclosed.is_empty(), "{out:?}");
        assert_eq!(out.text, "- - a\n  - :::: pad\n\n    ::: x\n    y\n    :::\n\n    ::::\n");
        assert_eq!(content_start("> 2) - x", 0), (7, 1, vec![5, 7]));
        assert_eq!(content_start("-x", 0), (0, 0, vec![]));
    }
}
