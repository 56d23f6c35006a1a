//! `kooste hyphenate [--lang fi] WORD…`: where typst breaks words.
//!
//! typst hyphenates with hypher's patterns (TeX's); this prints their
//! break points for each word, so that a tool (scripts/hyphenation.py,
//! with Voikko) or an author can see which words need an exception in
//! report/hyphenation.txt.

use std::io::{BufRead, Write};

use crate::cli::HyphenateArgs;
use crate::report;

pub fn run(args: HyphenateArgs) -> u8 {
    let lang = <[u8; 2]>::try_from(args.lang.as_bytes()).ok().and_then(hypher::Lang::from_iso);
    let Some(lang) = lang else {
        return report::fatal(&anyhow::anyhow!("typst has no hyphenation patterns for `{}`", args.lang), &[]);
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut print = |word: &str| {
        let word = word.trim();
        if !word.is_empty() {
            let _ = writeln!(out, "{word}\t{}", hyphenated(word, lang));
        }
    };
    if args.words.is_empty() {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            print(&line);
        }
    } else {
        args.words.iter().for_each(|w| print(w));
    }
    0
}

/// `word` with a hyphen at each point typst may break it (a word that is
/// not all letters typst does not hyphenate).
pub fn hyphenated(word: &str, lang: hypher::Lang) -> String {
    if !word.chars().all(char::is_alphabetic) {
        return word.to_string();
    }
    hypher::hyphenate(word, lang).collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod tests {
    #[test]
    fn typsts_breaks() {
        assert_eq!(super::hyphenated("talousarviosta", hypher::Lang::Finnish), "ta-lou-sar-vi-os-ta");
        assert_eq!(super::hyphenated("EU-rahoitus", hypher::Lang::Finnish), "EU-rahoitus");
    }
}
