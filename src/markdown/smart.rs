//! Pandoc's smart punctuation in the document's language: straight quotes
//! become curly ones, `--` an en dash, `---` an em dash, `...` an ellipsis.
//!
//! Finnish and Swedish close both ends of a quotation with the same mark
//! (”…”, ’…’); English, and every other language here, opens with “ and ‘.
//! An apostrophe is ’ in all of them. The converter applies this to prose
//! only: never to code, URLs or raw Typst, and never to a backslash-escaped
//! character (`\"`, `\-\-`), which prints as written.

/// The quotation marks of a language: (double open, double close, single
/// open, single close).
fn marks(lang: &str) -> (char, char, char, char) {
    match lang.split(['-', '_']).next().unwrap_or(lang) {
        "fi" | "sv" => ('”', '”', '’', '’'),
        _ => ('“', '”', '‘', '’'),
    }
}

/// Whether a quote after `before` opens a quotation; `after` is `None` at
/// the end of a run of text, where an inline node (code, a link) follows.
fn opens(before: Option<char>, after: Option<char>) -> bool {
    let space_before = before.is_none_or(|c| c.is_whitespace() || "([{‘“—–-/".contains(c));
    space_before && after.is_none_or(|c| !c.is_whitespace())
}

/// `text` with smart punctuation for `lang`; `before` is the character that
/// precedes it in its paragraph (`None` at the start).
pub(super) fn smarten(text: &str, lang: &str, before: Option<char>) -> String {
    if !text.contains(['"', '\'', '-', '.']) {
        return text.to_string();
    }
    let (d_open, d_close, s_open, s_close) = marks(lang);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut prev = before;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let run = |ch: char| chars[i..].iter().take_while(|&&x| x == ch).count();
        let (written, used) = match c {
            '"' => (if opens(prev, next) { d_open } else { d_close }, 1),
            '\'' => {
                let open = opens(prev, next) && !next.is_some_and(|n| n.is_ascii_digit());
                (if open { s_open } else { s_close }, 1)
            }
            '-' if run('-') >= 3 => ('—', 3),
            '-' if run('-') == 2 => ('–', 2),
            '.' if run('.') >= 3 => ('…', 3),
            c => (c, 1),
        };
        out.push(written);
        prev = Some(written);
        i += used;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finnish_swedish_and_english_punctuation() {
        assert_eq!(
            smarten("\"Hei,\" hän sanoi. 'No' -- ei... 1990--1999 --- ok", "fi", None),
            "”Hei,” hän sanoi. ’No’ – ei… 1990–1999 — ok"
        );
        assert_eq!(smarten("\"Hej\" och 'ja'", "sv", None), "”Hej” och ’ja’");
        assert_eq!(smarten("\"Hello,\" 'A' don't, the '70s", "en", None), "“Hello,” ‘A’ don’t, the ’70s");
        assert_eq!(smarten("word\"", "en", Some('x')), "word”");
        assert_eq!(smarten("\" after", "en", Some('x')), "” after");
        assert_eq!(smarten("----", "fi", None), "—-");
        assert_eq!(smarten("a-b .. x.y", "fi", None), "a-b .. x.y");
    }
}
