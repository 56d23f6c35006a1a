//! `report/hyphenation.txt`: where words of the document's language may
//! break, as TeX's `\hyphenation` ([`crate::markup::hyphenation`] applies
//! them).

use std::ops::Range;

/// A project's hyphenation exceptions: each word (lower case) with the
/// character offsets where it may break.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Exceptions {
    words: Vec<(String, Vec<usize>)>,
}

impl Exceptions {
    /// Parses the exceptions file: words separated by white space, each
    /// with `-` at its break points; `#` starts a comment. A problem is a
    /// byte range and a message.
    pub fn parse(text: &str) -> Result<Exceptions, Vec<(Range<usize>, String)>> {
        let mut words = Vec::new();
        let mut problems = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let content = line.split('#').next().unwrap_or("");
            let mut at = 0;
            for word in content.split_whitespace() {
                let start = offset + at + content[at..].find(word).unwrap_or(0);
                at = start - offset + word.len();
                let parts: Vec<&str> = word.split('-').collect();
                if parts.iter().any(|p| p.is_empty() || !p.chars().all(char::is_alphabetic)) {
                    problems.push((
                        start..start + word.len(),
                        format!("`{word}` is not a word with hyphens at its break points (such as `ta-lous-ar-vi-o`)"),
                    ));
                    continue;
                }
                let mut points = Vec::new();
                let mut chars = 0;
                for part in &parts[..parts.len() - 1] {
                    chars += part.chars().count();
                    points.push(chars);
                }
                words.push((parts.concat().to_lowercase(), points));
            }
            offset += line.len();
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        words.sort();
        words.dedup_by(|a, b| a.0 == b.0);
        Ok(Exceptions { words })
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn points(&self, lower: &str) -> Option<&[usize]> {
        self.words.binary_search_by(|(w, _)| w.as_str().cmp(lower)).ok().map(|i| self.words[i].1.as_slice())
    }
}
