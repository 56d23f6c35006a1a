//! Fuzzes the Markdown → Typst converter: any input must convert without a
//! panic, and the Typst must parse without errors and hold no code outside
//! what the converter itself writes (every `#` of the author's text is
//! escaped, so no `#` may start an unknown call).
//!
//! `cargo +nightly fuzz run convert` (from the repository root).

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(markdown) = std::str::from_utf8(data) else { return };
    // A ```{=typst} block is the author's own Typst, passed through as is.
    if markdown.contains("=typst") {
        return;
    }
    let (typst, _) = kooste::cmd::convert::standalone(Path::new("/nonexistent"), Path::new("fuzz.md"), markdown);
    let root = typst_syntax::parse(&typst);
    let (errors, _) = root.errors_and_warnings();
    assert!(errors.is_empty(), "generated Typst does not parse: {:?}\n--- markdown ---\n{markdown}\n--- typst ---\n{typst}", errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>());
    // Every embedded expression must be one the converter writes.
    for node in root.children() {
        check(&node);
    }
});

/// Walks the syntax tree: embedded code may only call the functions the
/// converter emits.
fn check(node: &typst_syntax::SyntaxNode) {
    use typst_syntax::SyntaxKind;
    if node.kind() == SyntaxKind::FuncCall {
        let callee = node.children().next().map(|c| c.full_text().to_string()).unwrap_or_default();
        const ALLOWED: &[&str] = &[
            "heading", "emph", "strong", "strike", "raw", "link", "label", "footnote", "quote", "list", "enum",
            "table", "table.header", "figure", "image", "box", "rect", "place", "text", "h", "line", "cite", "ref",
            "underline", "highlight", "rgb", "linebreak", "block", "align", "v",
        ];
        assert!(ALLOWED.contains(&callee.as_str()), "unexpected call `{callee}` in generated Typst");
    }
    for child in node.children() {
        check(child);
    }
}
