//! CriticMarkup: the marks `{++ ++}`, `{-- --}`, `{== ==}`, `{>> <<}` and
//! `{~~ ~> ~~}`, and the Typst that draws each in a draft.

/// The kinds of CriticMarkup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Critic {
    Insert,
    Delete,
    Highlight,
    Comment,
}

impl Critic {
    pub(super) const ALL: [Critic; 4] = [Critic::Insert, Critic::Delete, Critic::Highlight, Critic::Comment];

    pub(super) fn open_mark(self) -> &'static str {
        match self {
            Critic::Insert => "{++",
            Critic::Delete => "{--",
            Critic::Highlight => "{==",
            Critic::Comment => "{>>",
        }
    }

    pub(super) fn close_mark(self) -> &'static str {
        match self {
            Critic::Insert => "++}",
            Critic::Delete => "--}",
            Critic::Highlight => "==}",
            Critic::Comment => "<<}",
        }
    }

    /// What the mark is called in messages.
    pub(super) fn name(self) -> &'static str {
        match self {
            Critic::Insert => "suggested insertion",
            Critic::Delete => "suggested deletion",
            Critic::Highlight => "highlight",
            Critic::Comment => "note",
        }
    }

    /// The Typst that opens the mark's rendering; `close` ends it.
    pub(super) fn open_typst(self) -> &'static str {
        match self {
            Critic::Insert => "#underline(stroke: 0.8pt + rgb(\"#1f6b2a\"))[#text(fill: rgb(\"#1f6b2a\"))[",
            Critic::Delete => "#strike(stroke: 0.8pt + rgb(\"#a01c1c\"))[#text(fill: rgb(\"#a01c1c\"))[",
            Critic::Highlight => "#highlight(fill: rgb(\"#fff0a8\"))[",
            Critic::Comment => "#highlight(fill: rgb(\"#e3ecf7\"))[#text(size: 0.85em, fill: rgb(\"#173f6b\"))[Huom.: ",
        }
    }

    pub(super) fn close_typst(self) -> &'static str {
        match self {
            Critic::Highlight => "]",
            _ => "]]",
        }
    }
}

/// Rewrites `{~~old~>new~~}` as `{--old--}{++new++}`, keeping line breaks.
/// The rewrite is 4 bytes longer per substitution, from its `{++` on: the
/// second value lists where it grows (1-based line and byte column in the
/// rewritten text, and by how much), so that positions map back to the
/// author's columns: `{++` to the `~>`, the new text to itself.
pub(super) fn rewrite_substitutions(text: &str) -> (String, Vec<(usize, usize, usize)>) {
    let mut out = String::with_capacity(text.len());
    let mut shifts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{~~") {
        let after = &rest[start + 3..];
        match (after.find("~>"), after.find("~~}")) {
            (Some(arrow), Some(end)) if arrow < end => {
                out.push_str(&rest[..start]);
                out.push_str("{--");
                out.push_str(&after[..arrow]);
                out.push_str("--}");
                let line = out.matches('\n').count() + 1;
                let column = out.len() - out.rfind('\n').map_or(0, |i| i + 1) + 1;
                shifts.push((line, column, 3));
                shifts.push((line, column + 3, 1));
                out.push_str("{++");
                out.push_str(&after[arrow + 2..end]);
                out.push_str("++}");
                rest = &after[end + 3..];
            }
            _ => {
                out.push_str(&rest[..start + 3]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, shifts)
}

/// The author's column of byte column `column` on line `line` of the
/// rewritten text, given the places of [`rewrite_substitutions`].
pub(super) fn original_column(shifts: &[(usize, usize, usize)], line: usize, column: usize) -> usize {
    let before: usize = shifts.iter().filter(|&&(l, c, _)| l == line && c <= column).map(|&(_, _, by)| by).sum();
    column.saturating_sub(before).max(1)
}
