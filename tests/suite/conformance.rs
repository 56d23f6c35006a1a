//! CommonMark and GFM conformance of `kooste convert`.
//!
//! Every example of the vendored specifications (`tests/spec/commonmark/spec.txt`,
//! CommonMark 0.31.2, and `tests/spec/gfm/spec.txt`, GFM 0.29, which repeats
//! the CommonMark examples of its own version; the two files are counted
//! separately) is converted as `kooste convert` converts a file
//! ([`support::convert_markdown`], against an empty root folder, so every
//! image is missing and becomes its placeholder), and compiled with the
//! embedded Typst exactly as `tests/golden.rs` compiles. GFM's
//! `example disabled` examples (task lists, skipped by cmark-gfm's runner
//! only because of its HTML attribute order) are run like the others.
//!
//! 1. **Compile.** Every example must compile without errors (asserted).
//! 2. **Visible text.** The text of the laid-out document (every
//!    `FrameItem::Text` of every page, in frame order) must equal the visible
//!    text of the spec's expected HTML. The rate of matching examples is
//!    printed and asserted against a floor ([`FLOOR_COMMONMARK`],
//!    [`FLOOR_GFM`]) so that regressions fail; raise the floors as the
//!    converter improves.
//!
//! # The visible text of the expected HTML
//!
//! Tags are removed, and with them comments `<!-- -->`, processing
//! instructions `<? ?>`, declarations `<!X >` and CDATA sections
//! `<![CDATA[ ]]>` (a browser shows none of them). The content of every
//! element is kept (`<script>`, `<style>` included: the spec's raw-HTML
//! examples expect their text to be passed through, and kooste keeps the
//! text of raw HTML blocks). Character references are decoded: `&amp;`,
//! `&lt;`, `&gt;`, `&quot;`, `&ouml;` (the only named ones that occur),
//! `&#NN;` and `&#xNN;`.
//!
//! # Normalisations
//!
//! Both texts lose **all whitespace** (`char::is_whitespace`, which includes
//! U+00A0): line breaking, paragraph spacing, indentation in code blocks
//! (Typst expands tabs) and HTML's newlines between tags differ legitimately.
//!
//! A PDF shows some text that HTML leaves to the browser's rendering of an
//! element, or keeps in an attribute. Rather than deleting characters from
//! the PDF text (which could hide a real loss: `•` or `1.` may be the
//! author's own text), the expected text is *augmented* with exactly what the
//! PDF is designed to draw for those elements:
//!
//! - `<li>` in a `<ul>`: Typst's list marker for the nesting depth of
//!   `<ul>`s, `•`, `‣`, `–`, cycling.
//! - `<li>` in an `<ol start="N">`: Typst's enum number `N.`, `N+1.`, …
//!   (default numbering `1.`, which shows only the item's own number at every
//!   depth).
//! - `<img alt="A">`: kooste's placeholder for a missing image, `[A]`
//!   (`[image]` when the alt text is empty).
//! - A paragraph whose only content is one `<img>` with a non-empty alt
//!   text (`<p><img></p>`, or `<li><img>` up to `</li>` or a nested list in
//!   a tight list, whose paragraphs HTML writes without `<p>`): kooste makes
//!   an implicit figure (Pandoc/Quarto semantics), which adds the caption
//!   line `Kuva N: A` (the document language is Finnish) after the
//!   placeholder, `N` counting such figures from 1.
//! - `<input type="checkbox" checked>`: the drawn box holds `✓`
//!   (`sym.checkmark`); an unchecked box has no text.
//!
//! Markers and placeholders are added only for the elements the reference
//! renderer writes for Markdown: an `<img>` counts only in its form
//! `<img src="…" alt="…"`; a raw HTML `<img>` shows nothing, since kooste
//! drops raw HTML tags. (No raw HTML list or checkbox occurs in the specs.)
//!
//! Nothing else is normalised. Examples that kooste cannot match by design
//! are listed in [`BY_DESIGN`] with the reason; they still count as
//! mismatches in the printed rate, which is the honest measure.
//!
//! Run with `cargo test --release conformance -- --nocapture` to see
//! the counts and every mismatch. `CONFORMANCE_SHOW=gfm:123` (or
//! `commonmark:123`) prints that example's Markdown, Typst and both texts.

use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;

use crate::support::{self, Typst, frame_text, squash};

/// Matching examples of the CommonMark spec at the time of writing; the test
/// fails if fewer match.
const FLOOR_COMMONMARK: usize = 653;
/// The same for the GFM spec.
const FLOOR_GFM: usize = 669;

/// Examples whose visible text cannot match by design, with the reason
/// (spec, example number, reason).
const BY_DESIGN: &[(&str, usize, &str)] = &[
    // `[](./target.md)`: a link without text would be invisible and
    // unusable on paper, so kooste prints its URL as the link text.
    ("commonmark", 486, "a link with empty text prints its URL"),
    // `![foo ![bar](/url)](/url2)`: HTML flattens the description into
    // `alt="foo bar"`; the implicit figure's caption keeps the inline
    // content, where the inner image is an image (its placeholder `[bar]`).
    ("commonmark", 576, "an image inside an image description stays an image in the figure caption"),
    ("gfm", 582, "an image inside an image description stays an image in the figure caption"),
    // GFM 0.29 predates CommonMark 0.31's HTML comment rule
    // (`<!-->`, `<!--->` and `--` inside are comments); comrak follows 0.31.
    ("gfm", 645, "GFM 0.29 comment rule; comrak implements CommonMark 0.31.2's"),
    ("gfm", 646, "GFM 0.29 comment rule; comrak implements CommonMark 0.31.2's"),
    // The tagfilter extension escapes `<title>` etc. so that a browser
    // shows them; it protects HTML output. A PDF renders no raw HTML:
    // kooste drops every raw inline tag (with a warning).
    ("gfm", 653, "tagfilter exists for HTML output; kooste drops raw HTML tags"),
];

/// One example of a spec file.
struct Example {
    number: usize,
    /// Line of the opening fence in the spec file.
    line: usize,
    section: String,
    markdown: String,
    html: String,
}

/// The examples of a spec file, numbered from 1 as the spec's own test
/// runner numbers them.
fn parse_spec(text: &str) -> Vec<Example> {
    const FENCE: &str = "````````````````````````````````";
    let mut examples = Vec::new();
    let mut section = String::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        // `example table`, `example disabled`, …: an example all the same.
        if line.strip_prefix(FENCE).is_some_and(|r| r.starts_with(" example")) {
            let (mut markdown, mut html, mut in_html) = (String::new(), String::new(), false);
            for (_, l) in lines.by_ref() {
                if l == FENCE {
                    break;
                }
                if l == "." && !in_html {
                    in_html = true;
                    continue;
                }
                let target = if in_html { &mut html } else { &mut markdown };
                target.push_str(&l.replace('→', "\t"));
                target.push('\n');
            }
            examples.push(Example {
                number: examples.len() + 1,
                line: i + 1,
                section: section.clone(),
                markdown,
                html,
            });
        } else if line.starts_with('#') {
            section = line.trim_start_matches('#').trim().to_string();
        }
    }
    examples
}

// ----- the PDF side -----------------------------------------------------------

/// The text of a laid-out document, in frame order.
fn document_text(doc: &typst_layout::PagedDocument) -> String {
    let mut out = String::new();
    for page in doc.pages() {
        frame_text(&page.frame, &mut out);
        out.push('\n');
    }
    out
}

// ----- the HTML side ----------------------------------------------------------

/// The visible text of the expected HTML, augmented as the module
/// documentation describes.
pub(crate) fn html_text(html: &str) -> String {
    enum List {
        Bullet,
        Ordered(u64),
    }
    let mut out = String::new();
    let mut lists: Vec<List> = Vec::new();
    let mut figures = 0;
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '&' {
            let (decoded, len) = decode_entity(rest);
            out.push_str(&decoded);
            rest = &rest[len..];
            continue;
        }
        if c != '<' {
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        // Markup a browser does not show.
        let skip_to = |end: &str, from: usize| rest[from..].find(end).map_or(rest.len(), |i| from + i + end.len());
        if rest.starts_with("<!--") {
            // `<!-->` and `<!--->` are empty comments (HTML's abrupt closing).
            let end = if rest.starts_with("<!-->") {
                5
            } else if rest.starts_with("<!--->") {
                6
            } else {
                skip_to("-->", 4)
            };
            rest = &rest[end..];
            continue;
        }
        if rest.starts_with("<![CDATA[") {
            rest = &rest[skip_to("]]>", 9)..];
            continue;
        }
        if rest.starts_with("<?") {
            rest = &rest[skip_to("?>", 2)..];
            continue;
        }
        if rest.starts_with("<!") && rest[2..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            rest = &rest[skip_to(">", 2)..];
            continue;
        }
        let closing = rest.starts_with("</");
        let name_start = if closing { 2 } else { 1 };
        if !rest[name_start..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        let len = tag_len(rest);
        let tag = &rest[..len];
        rest = &rest[len..];
        let name: String = tag[name_start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("ul", false) => lists.push(List::Bullet),
            ("ol", false) => {
                let start = attribute(tag, "start").and_then(|s| s.parse().ok()).unwrap_or(1);
                lists.push(List::Ordered(start));
            }
            ("ul" | "ol", true) => {
                lists.pop();
            }
            ("li", false) => {
                let depth = lists.iter().filter(|l| matches!(l, List::Bullet)).count();
                match lists.last_mut() {
                    Some(List::Ordered(n)) => {
                        let _ = write!(out, " {n}. ");
                        *n += 1;
                    }
                    Some(List::Bullet) => {
                        out.push(' ');
                        out.push(['•', '‣', '–'][(depth - 1) % 3]);
                        out.push(' ');
                    }
                    None => {}
                }
                out.push('\u{1}');
            }
            // Only an image written the way the reference renderer writes
            // Markdown images; a raw HTML `<img>` (kooste drops raw HTML
            // tags) shows nothing.
            ("img", false)
                if tag.starts_with("<img src=\"")
                    && tag[10..].split_once('"').is_some_and(|(_, r)| r.starts_with(" alt=\"")) =>
            {
                let alt = attribute(tag, "alt").unwrap_or_default();
                // Alone in its paragraph: an implicit figure with a caption.
                let after = rest.trim_start();
                let alone = out.trim_end().ends_with('\u{1}')
                    && ["</p>", "</li>", "<ul", "<ol"].iter().any(|end| after.starts_with(end));
                let _ = write!(out, "[{}]", if alt.is_empty() { "image" } else { &alt });
                if alone && !alt.is_empty() {
                    figures += 1;
                    let _ = write!(out, " Kuva {figures}: {alt}");
                }
            }
            ("input", false)
                if attribute(tag, "type").as_deref() == Some("checkbox") && has_attribute(tag, "checked") =>
            {
                out.push('✓');
            }
            // Where a paragraph starts (a tight list item's paragraph has no `<p>`).
            ("p", false) => out.push('\u{1}'),
            _ => {}
        }
        out.push(' ');
    }
    out.replace('\u{1}', "")
}

/// The length of the tag at the start of `s`, up to its `>` outside quotes.
fn tag_len(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') if i > 0 => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// The decoded value of attribute `name` in a start tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = lower[..at].ends_with(char::is_whitespace);
        let after = &tag[from..];
        if !before_ok || !after.trim_start().starts_with('=') {
            continue;
        }
        let value = after.trim_start()[1..].trim_start();
        let raw = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value.split(|c: char| c.is_whitespace() || c == '>' || c == '/').next().unwrap_or(""),
        };
        return Some(decode_entities(raw));
    }
    None
}

fn has_attribute(tag: &str, name: &str) -> bool {
    tag.to_ascii_lowercase()
        .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .any(|word| word == name || word.starts_with(&format!("{name}=")))
}

fn decode_entities(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let (decoded, len) = decode_entity(&rest[i..]);
        out.push_str(&decoded);
        rest = &rest[i + len..];
    }
    out.push_str(rest);
    out
}

/// Decodes the character reference at the start of `s` (which starts with
/// `&`): the text and the bytes consumed. Anything else is a literal `&`.
fn decode_entity(s: &str) -> (String, usize) {
    let Some(end) = s.find(';').filter(|&e| e <= 32) else { return ("&".into(), 1) };
    let body = &s[1..end];
    let decoded = match body {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "ouml" => Some('ö'),
        _ => {
            let number = if let Some(hex) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = body.strip_prefix('#') {
                dec.parse().ok()
            } else {
                None
            };
            number.map(|n| char::from_u32(n).filter(|&c| c != '\0').unwrap_or('\u{FFFD}'))
        }
    };
    match decoded {
        Some(c) => (c.to_string(), end + 1),
        None => ("&".into(), 1),
    }
}

// ----- comparison -------------------------------------------------------------

/// A short diff of two squashed texts: the common prefix's tail, then where
/// they part.
fn short_diff(got: &str, expected: &str) -> String {
    let g: Vec<char> = got.chars().collect();
    let e: Vec<char> = expected.chars().collect();
    let common = g.iter().zip(&e).take_while(|(a, b)| a == b).count();
    let from = common.saturating_sub(20);
    let show = |v: &[char]| -> String {
        let s: String = v[common..v.len().min(common + 40)].iter().collect();
        if s.is_empty() { "∅".into() } else { s }
    };
    format!("…{}| got `{}` want `{}`", g[from..common].iter().collect::<String>(), show(&g), show(&e))
}

struct Outcome {
    compile_error: Option<String>,
    convert_errors: Vec<String>,
    got: String,
    expected: String,
}

fn run_example(compiler: &Typst, root: &Path, example: &Example) -> Outcome {
    let (typst, problems) = support::convert_markdown_literal(root, "example.md", &example.markdown);
    let convert_errors = problems.iter().filter(|p| p.severity == "error").map(|p| p.message.clone()).collect();
    let expected = squash(&html_text(&example.html));
    match compiler.compile("/conformance-main.typ", typst) {
        Ok(doc) => Outcome { compile_error: None, convert_errors, got: squash(&document_text(&doc)), expected },
        Err(errors) => Outcome { compile_error: Some(errors.join("; ")), convert_errors, got: String::new(), expected },
    }
}

struct Tally {
    examples: usize,
    compiled: usize,
    matched: usize,
}

fn run_spec(name: &str, compiler: &Typst, root: &Path) -> Tally {
    let text = std::fs::read_to_string(support::repo().join("tests/spec").join(name).join("spec.txt")).unwrap();
    let examples = parse_spec(&text);
    let outcomes: Vec<Outcome> = examples.par_iter().map(|ex| run_example(compiler, root, ex)).collect();

    let mut report = String::new();
    let mut compiled = 0;
    let mut matched = 0;
    let mut by_design = 0;
    for (ex, out) in examples.iter().zip(&outcomes) {
        if let Some(err) = &out.compile_error {
            let _ =
                writeln!(report, "  {name} {} (line {}, {}): DOES NOT COMPILE: {err}", ex.number, ex.line, ex.section);
            continue;
        }
        compiled += 1;
        if !out.convert_errors.is_empty() {
            let _ = writeln!(
                report,
                "  {name} {} ({}): convert error: {}",
                ex.number,
                ex.section,
                out.convert_errors.join("; ")
            );
        }
        if out.got == out.expected {
            matched += 1;
        } else {
            let reason = BY_DESIGN.iter().find(|(s, n, _)| *s == name && *n == ex.number).map(|(_, _, r)| *r);
            if reason.is_some() {
                by_design += 1;
            }
            let _ = writeln!(
                report,
                "  {name} {} ({}){}: {}",
                ex.number,
                ex.section,
                reason.map(|r| format!(" [by design: {r}]")).unwrap_or_default(),
                short_diff(&out.got, &out.expected)
            );
        }
    }
    let total = examples.len();
    println!(
        "{name}: {total} examples, {compiled} compile, {matched} text match ({:.1}%); {by_design} of the {} mismatches are by design",
        100.0 * matched as f64 / total as f64,
        total - matched - (total - compiled),
    );
    print!("{report}");

    if let Ok(show) = std::env::var("CONFORMANCE_SHOW") {
        for item in show.split(',') {
            let Some((spec, n)) = item.split_once(':') else { continue };
            let Some(ex) = examples.iter().find(|e| spec == name && n.parse() == Ok(e.number)) else { continue };
            let (typst, _) = support::convert_markdown_literal(root, "example.md", &ex.markdown);
            let out = &outcomes[ex.number - 1];
            println!(
                "--- {name} {} ---\n{}--- html ---\n{}--- typst ---\n{typst}--- got ---\n{}\n--- want ---\n{}\n",
                ex.number, ex.markdown, ex.html, out.got, out.expected
            );
        }
    }
    Tally { examples: total, compiled, matched }
}

#[test]
fn commonmark_and_gfm_examples_compile_and_keep_their_text() {
    let root = tempfile::tempdir().unwrap();
    let root_path = root.path().canonicalize().unwrap();
    let compiler = Typst::new(&root_path, 0);
    let start = std::time::Instant::now();
    let commonmark = run_spec("commonmark", &compiler, &root_path);
    let gfm = run_spec("gfm", &compiler, &root_path);
    println!("conformance: {:.1} s", start.elapsed().as_secs_f64());

    assert_eq!(commonmark.compiled, commonmark.examples, "every CommonMark example must compile (see the list above)");
    assert_eq!(gfm.compiled, gfm.examples, "every GFM example must compile (see the list above)");
    assert!(commonmark.matched >= FLOOR_COMMONMARK, "CommonMark text matches fell below {FLOOR_COMMONMARK}");
    assert!(gfm.matched >= FLOOR_GFM, "GFM text matches fell below {FLOOR_GFM}");
}

/// The harness itself: the spec files parse into the spec's own example
/// counts, and the expected-text rules do what the module documentation says.
#[test]
fn harness_reads_specs_and_html() {
    let read =
        |name: &str| std::fs::read_to_string(support::repo().join("tests/spec").join(name).join("spec.txt")).unwrap();
    let commonmark = parse_spec(&read("commonmark"));
    let gfm = parse_spec(&read("gfm"));
    assert_eq!((commonmark.len(), gfm.len()), (655, 673));
    // Example 1: tabs, and the `.` separator.
    assert_eq!(commonmark[0].markdown, "\tfoo\tbaz\t\tbim\n");
    assert_eq!(commonmark[0].html, "<pre><code>foo\tbaz\t\tbim\n</code></pre>\n");

    let text = |html: &str| squash(&html_text(html));
    assert_eq!(
        text("<p>a &amp; &lt;b&gt; &quot;c&quot; &#35; &#x22; &ouml; &#0; &bogus;</p>"),
        "a&<b>\"c\"#\"ö\u{FFFD}&bogus;"
    );
    assert_eq!(text("<!-- x --><?php x ?><!DOCTYPE html><![CDATA[ x ]]>a<!-->b<!--->c"), "abc");
    assert_eq!(text("<a href=\"x>y\" title='>'>link</a> 1 < 2"), "link1<2");
    assert_eq!(
        text("<ol start=\"3\"><li>a<ul><li>b<ul><li>c<ul><li>d</li></ul></li></ul></li></ul></li><li>e</li></ol>"),
        "3.a•b‣c–d4.e"
    );
    assert_eq!(
        text(
            "<ul><li><input disabled=\"\" type=\"checkbox\"> a</li><li><input checked=\"\" disabled=\"\" type=\"checkbox\"> b</li></ul>"
        ),
        "•a•✓b"
    );
    assert_eq!(
        text(
            "<p><img src=\"u\" alt=\"A &amp; B\" /></p><p>x <img src=\"u\" alt=\"\" /></p><p><img src=\"u\" alt=\"C\" title=\"t\" /></p>"
        ),
        "[A&B]Kuva1:A&Bx[image][C]Kuva2:C"
    );
    assert_eq!(text("<p><img src=\"foo\" title=\"*\"/></p>"), "");
    assert_eq!(
        text(
            "<ul>\n<li><img src=\"u\" alt=\"A\" /></li>\n<li><a href=\"v\"><img src=\"u\" alt=\"B\" /></a></li>\n</ul>"
        ),
        "•[A]Kuva1:A•[B]"
    );
}
