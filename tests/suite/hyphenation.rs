//! Where the study's words break at line ends (issue #23): only at the
//! points `report/hyphenation.txt` allows for the words it lists, never
//! inside an acronym, never before a spaced compound's hyphen; and the list
//! is up to date with the text (Voikko, through scripts/hyphenation.py).

use std::collections::HashMap;
use std::process::Command;

use crate::support::*;

/// The exceptions file's words (lower case) with their break points.
fn exceptions() -> HashMap<String, Vec<usize>> {
    let text = std::fs::read_to_string(repo().join("report/hyphenation.txt")).unwrap();
    let mut words = HashMap::new();
    for word in text.lines().map(|l| l.split('#').next().unwrap_or("")).flat_map(str::split_whitespace) {
        let mut points = Vec::new();
        let mut chars = 0;
        for part in word.split('-') {
            chars += part.chars().count();
            points.push(chars);
        }
        points.pop();
        words.insert(word.replace('-', ""), points);
    }
    words
}

#[test]
fn the_study_breaks_words_only_where_finnish_allows() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = kooste().args(["build", "--root"]).arg(repo()).arg("--out").arg(out_dir.path()).output().unwrap();
    must_succeed(&out);
    let listed = exceptions();
    assert!(listed.len() > 100, "the study's list has {} words", listed.len());
    let (mut breaks, mut checked) = (0, 0);
    for pdf in ["report.pdf", "policy-brief.pdf"] {
        let text = pdf_text(&out_dir.path().join(pdf));
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            // (typst breaks an address before its hyphens.)
            let after_address = i
                .checked_sub(1)
                .and_then(|p| lines[p].split_whitespace().last())
                .is_some_and(|w| w.contains(['/', '.', '_', '=', '@']));
            assert!(
                !(line.starts_with('-') && line.chars().nth(1).is_some_and(char::is_lowercase)) || after_address,
                "{pdf}: a line starts with a spaced compound's hyphen: {line}"
            );
            // A soft hyphen inside a word is text-layer damage (typst maps a
            // glyph to its letter and a soft hyphen when they share a run);
            // one before a space ends a line of a cell pdftotext joined.
            let damaged = line.chars().zip(line.chars().skip(1)).any(|(a, b)| a == '\u{ad}' && b.is_alphabetic());
            assert!(!damaged, "{pdf}: a soft hyphen inside a word of the text layer: {line}");
            let Some(head) = line.strip_suffix('\u{ad}') else { continue };
            let Some(next) = lines[i + 1..].iter().find(|l| !l.trim().is_empty()) else { continue };
            let head: String =
                head.chars().rev().take_while(|c| c.is_alphabetic()).collect::<Vec<_>>().into_iter().rev().collect();
            let tail: String = next.trim_start().chars().take_while(|c| c.is_alphabetic()).collect();
            breaks += 1;
            let pair = format!("{}{}", head.chars().last().unwrap_or(' '), tail.chars().next().unwrap_or(' '));
            assert!(!pair.chars().all(char::is_uppercase), "{pdf}: an acronym is split: {head}-{tail}");
            let word = format!("{head}{tail}").to_lowercase();
            if let Some(points) = listed.get(&word) {
                checked += 1;
                assert!(
                    points.contains(&head.chars().count()),
                    "{pdf}: {head}-{tail} breaks where the list does not allow"
                );
            }
        }
    }
    assert!(breaks > 100 && checked > 0, "{breaks} breaks, {checked} of listed words");
    // A heading's text is also its bookmark, where the list's soft hyphens
    // would show: the templates keep them out of headings.
    for pdf in ["report.pdf", "policy-brief.pdf"] {
        let out = std::process::Command::new("qpdf")
            .args(["--json=2", "--json-key=outlines"])
            .arg(out_dir.path().join(pdf))
            .output()
            .expect("qpdf runs");
        let json = String::from_utf8_lossy(&out.stdout).to_lowercase();
        assert!(json.contains("\"title\""), "{pdf}: no bookmarks in {json}");
        assert!(!json.contains('\u{ad}') && !json.contains("\\u00ad"), "{pdf}: a soft hyphen in a bookmark");
    }
}

/// The list covers the study's text: every Finnish word whose typst
/// hyphenation Voikko would not accept is in it (scripts/hyphenation.py
/// --check). Voikko is installed by .ci/run.
#[test]
fn the_hyphenation_list_is_up_to_date() {
    let python = "/usr/bin/python3";
    let voikko = Command::new(python).args(["-c", "import libvoikko; libvoikko.Voikko('fi')"]).status();
    if !voikko.is_ok_and(|s| s.success()) {
        cannot_check("the hyphenation list check needs Voikko (python3-libvoikko, voikko-fi)");
        return;
    }
    let out = Command::new(python)
        .arg(repo().join("scripts/hyphenation.py"))
        .arg(repo())
        .args(["--check", "--kooste", env!("CARGO_BIN_EXE_kooste")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "report/hyphenation.txt is not up to date with the text: run scripts/hyphenation.py\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
}
