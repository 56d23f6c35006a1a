//! Markdown → Typst markup, over comrak's AST. Pure: no I/O.
//!
//! Every CommonMark and GFM construct converts to Typst; every character of
//! the author's text is escaped so that it prints literally and never runs as
//! Typst code. The only ways into raw Typst are a fenced ```` ```{=typst} ````
//! block and the blocks that kooste's own template functions generate
//! (tables from data), which arrive as tokens in HTML comments.
//!
//! On top of CommonMark the converter reads the Pandoc and Quarto Markdown
//! that report authors write, with Quarto's meaning: `{#sec-id .unnumbered}`
//! on headings, `![caption](path){#fig-id fig-alt="..."}`, citations
//! `[@key]`, `[@key, s. 12]`, `[@a; @b]`, narrative `@key`,
//! cross-references `@sec-…`, `@fig-…`, `@tbl-…`, fenced divs (callouts,
//! figure and table divs, landscape pages, profile-conditional content,
//! template boxes), bracketed spans, definition lists, sub- and
//! superscripts, inline notes, smart punctuation in the document's
//! language ([`Dialect`]) and the shortcodes `pagebreak`, `meta` and `var`.
//! It records which labels it defines and which it uses, so the pipeline
//! can check them across all documents and report unknown ones at the
//! author's line. Whatever it does not act on, it reports.
//!
//! Before each block it writes a `// source: path:line` comment, so a Typst
//! error in generated code can be traced back to the Markdown line.
//!
//! The module, by concern: this file holds the options, the result and the
//! converter's output primitives; [`blocks`] and [`inlines`] convert the
//! AST's nodes; [`fences`] and [`divs`] are fenced divs, [`spans`]
//! bracketed spans; [`attributes`] parses `{#id .class key=value}`;
//! [`smart`] is smart punctuation; [`shortcodes`] Quarto's shortcodes;
//! [`critic`] is CriticMarkup; [`html`] strips raw HTML; [`escape`] makes
//! author text literal Typst.

mod attributes;
mod blocks;
mod citations;
mod code;
mod critic;
mod divs;
mod escape;
mod fences;
mod figures;
mod html;
mod inlines;
mod list_table;
pub mod shortcodes;
mod smart;
mod spans;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, Options};

use crate::diagnostics::{Diagnostic, Diagnostics};
use critic::{Critic, original_column, rewrite_substitutions};

pub use crate::markup::table::source_line;
pub use divs::template_functions;
pub use escape::{escape_text, is_label_name, string_literal};
pub use inlines::{plain_text, resolve_image};
pub use shortcodes::Shortcode;

/// The prefix of tokens that stand for generated Typst blocks (see
/// `render::table`): `<!--kooste:block:N-->`.
pub const BLOCK_TOKEN: &str = "kooste:block:";

/// Label prefixes that make `@name` a cross-reference rather than a citation.
/// (Also the prefixes of [`CALLOUTS`] and [`THEOREMS`]: [`is_ref_name`].)
pub const REF_PREFIXES: &[&str] = &["sec-", "fig-", "tbl-", "eq-", "lst-", "rec-"];

/// Whether `@name` is a cross-reference: a label with one of
/// [`REF_PREFIXES`], or a numbered callout's or theorem's.
pub fn is_ref_name(name: &str) -> bool {
    REF_PREFIXES.iter().copied().chain(CALLOUTS.iter().chain(THEOREMS).map(|(_, p, _)| *p)).any(|p| name.starts_with(p))
}

/// Quarto's callout kinds with the prefix of a cross-referenced one's id
/// (`::: {#tip-x .callout-tip}`, `@tip-x`) and its word in Finnish,
/// Swedish and English.
pub const CALLOUTS: &[(&str, &str, [&str; 3])] = &[
    ("note", "nte-", ["Huomautus", "Obs", "Note"]),
    ("tip", "tip-", ["Vinkki", "Tips", "Tip"]),
    ("important", "imp-", ["Tärkeää", "Viktigt", "Important"]),
    ("warning", "wrn-", ["Varoitus", "Varning", "Warning"]),
    ("caution", "cau-", ["Varo", "Försiktighet", "Caution"]),
];

/// Quarto's theorem-like blocks (`::: {#def-x}`, `@def-x`): the kind, the
/// prefix of its id, and its word in Finnish, Swedish and English (Quarto's
/// language files' `crossref-*-title`).
pub const THEOREMS: &[(&str, &str, [&str; 3])] = &[
    ("thm", "thm-", ["Lause", "Teorem", "Theorem"]),
    ("lem", "lem-", ["Apulause", "Lemma", "Lemma"]),
    ("cor", "cor-", ["Korollaari", "Följdsats", "Corollary"]),
    ("prp", "prp-", ["Väittämä", "Påstående", "Proposition"]),
    ("cnj", "cnj-", ["Konjektuuri", "Förmodan", "Conjecture"]),
    ("def", "def-", ["Määritelmä", "Definition", "Definition"]),
    ("exm", "exm-", ["Esimerkki", "Exempel", "Example"]),
    ("exr", "exr-", ["Harjoitus", "Uppgift", "Exercise"]),
];

/// What to do with an image whose file is missing or remote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingImage {
    /// An error: the build cannot produce a faithful document.
    Error,
    /// A visible placeholder with the alt text and a warning (`kooste convert`).
    Placeholder,
}

/// Settings for one conversion.
pub struct ConvertOptions<'a> {
    /// The source file, relative to the project root (for markers and diagnostics).
    pub path: &'a Path,
    /// The file's text as the author wrote it (for diagnostic positions).
    pub source: &'a str,
    /// For each line of the converted text (0-based), the line of `source`
    /// (1-based) it came from; empty means the same line.
    pub line_map: &'a [usize],
    /// Generated Typst blocks, addressed by the tokens in the text.
    pub blocks: &'a [String],
    /// Generated tables too wide for the page: block index, the characters
    /// their words need, the characters a line holds.
    pub wide_blocks: &'a [(usize, usize, usize)],
    /// Prefix that makes footnote labels unique across documents.
    pub label_prefix: &'a str,
    /// Tells whether a project-relative image path (`/report/x.png`) exists.
    pub image_exists: &'a dyn Fn(&str) -> bool,
    pub missing_image: MissingImage,
    /// Turn `[@key]` and `@label` into citations and references; when false
    /// they print as written (`kooste convert` has no bibliography).
    pub resolve_citations: bool,
    /// The document's language, profile and values for Quarto's syntax.
    pub dialect: &'a Dialect,
    /// Shortcodes taken out of the text before templating, addressed by
    /// the tokens [`shortcodes::protect`] left in it.
    pub shortcodes: &'a [Shortcode],
}

/// kooste's two modes as Quarto profiles (`when-profile="draft"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// `kooste build`: the default.
    Draft,
    /// `kooste build --final`.
    Final,
}

impl Profile {
    /// The profile's name, as `when-profile` writes it.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Draft => "draft",
            Profile::Final => "final",
        }
    }
}

/// What the document's settings make of Pandoc's and Quarto's syntax.
#[derive(Clone, Debug)]
pub struct Dialect {
    /// The document language (report.toml `language`): smart quotes and
    /// callouts' default titles.
    pub lang: String,
    /// Pandoc's smart punctuation (on, as in Pandoc; off for comparing
    /// with the CommonMark specification's literal text).
    pub smart: bool,
    pub profile: Profile,
    /// `{{< meta key >}}` reads this value (report.toml); undefined: none.
    pub meta: minijinja::Value,
    /// `{{< var key >}}` reads this value (`report/_variables.yml`).
    pub vars: Option<minijinja::Value>,
    /// The `kooste-…` functions the project's templates define
    /// ([`template_functions`]); `None` without templates (`kooste
    /// convert`), where callouts are drawn by the converter itself.
    pub templates: Option<Vec<String>>,
    /// The format the conversion is for, which Quarto's `when-format`
    /// and `unless-format` test.
    pub format: crate::load::project::Format,
    /// The environment variables `{{< env NAME >}}` may read: only those
    /// report.toml names in `environment`.
    pub env: std::collections::BTreeMap<String, String>,
    /// Whether a cross-reference prints its kind's prefix (report.toml
    /// `[crossref] prefix`, Quarto's reading by default): `@fig-x` "Kuvio
    /// 3.1", `[-@fig-x]` "3.1", `@Fig-x` the prefix capitalised. Without
    /// it every reference prints the number alone.
    pub ref_prefix: bool,
    /// Where words of the document's language may break
    /// (`report/hyphenation.txt`); acronyms and spaced compounds never
    /// break in any language ([`crate::markup::hyphenation`]).
    pub hyphenation: std::sync::Arc<crate::markup::hyphenation::Exceptions>,
}

impl Default for Dialect {
    fn default() -> Dialect {
        Dialect {
            lang: "fi".into(),
            smart: true,
            profile: Profile::Draft,
            meta: minijinja::Value::UNDEFINED,
            vars: None,
            format: crate::load::project::Format::Pdf,
            env: Default::default(),
            templates: None,
            ref_prefix: true,
            hyphenation: Default::default(),
        }
    }
}

/// A label defined or used, with its position in the source file.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelUse {
    pub name: String,
    pub range: Range<usize>,
}

/// The result of converting one document.
#[derive(Debug, Clone, Default)]
pub struct Converted {
    /// Typst markup.
    pub typst: String,
    /// Labels this document defines (headings, figures, captioned tables).
    pub defines: Vec<LabelUse>,
    /// Cross-references it makes.
    pub references: Vec<LabelUse>,
    /// Citation keys it cites.
    pub citations: Vec<LabelUse>,
    /// Images it includes, as project-relative paths.
    pub images: Vec<LabelUse>,
    /// Images with neither a caption nor `fig-alt` (no text alternative).
    pub images_without_alt: Vec<LabelUse>,
    /// CriticMarkup notes and suggestions left in the text (`{>>…<<}`,
    /// `{++…++}`, …): name is the kind, range the opening mark.
    pub critic: Vec<LabelUse>,
    /// Level-1 headings' plain text, in order (for running headers and tests).
    pub headings: Vec<String>,
    /// Whether a div tests the output format (`when-format`,
    /// `unless-format`): then each format needs a conversion of its own.
    pub format_dependent: bool,
    /// Headings' Pandoc identifiers (`## Tables` → `tables`), labelled
    /// for links (`[…](#tables)`); unlike `defines`, a name two files
    /// share is an error only where a link needs it.
    pub auto_defines: Vec<LabelUse>,
    /// Labels of executable cells' output (`#| label: fig-x`), which
    /// kooste does not make since it runs no code: a reference to one is
    /// told so.
    pub cell_labels: Vec<LabelUse>,
    /// Whether the text has margin notes (`.column-margin`, `.aside`):
    /// a template may widen the margin for them, as Quarto's PDF does.
    pub margin_notes: bool,
    /// Warnings and errors found while converting.
    pub diagnostics: Diagnostics,
}

/// comrak's options: CommonMark plus the GFM extensions, attributes and
/// the Pandoc extensions comrak has (description lists, sub- and
/// superscript, inline notes, `:::` blocks). A single tilde is a subscript,
/// as in Pandoc: strikethrough is `~~…~~`.
pub fn comrak_options() -> Options<'static> {
    let mut options = Options::default();
    options.extension.description_lists = true;
    options.extension.subscript = true;
    options.extension.superscript = true;
    options.extension.inline_footnotes = true;
    options.extension.block_directive = true;
    options.extension.strikethrough = true;
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.tasklist = true;
    options.extension.footnotes = true;
    // Pandoc reads TeX maths between dollars (`tex_math_dollars`).
    options.extension.math_dollars = true;
    options.extension.header_attributes = true;
    options.extension.link_attributes = true;
    options.parse.escaped_char_spans = true;
    options
}

/// The byte ranges of the code spans and code blocks of `markdown` whose
/// text holds template syntax (`{{` or `{%`): code prints as written, so
/// the renderer leaves these alone. Raw blocks (```` ```{=typst} ````) are
/// not code and are templated.
pub fn code_with_template_syntax(markdown: &str) -> Vec<Range<usize>> {
    if !markdown.contains("{{") && !markdown.contains("{%") {
        return Vec::new();
    }
    let arena = Arena::new();
    let root = comrak::parse_document(&arena, markdown, &comrak_options());
    let line_starts: Vec<usize> = std::iter::once(0).chain(markdown.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let offset = |line: usize, column: usize| {
        let start = line_starts.get(line.saturating_sub(1)).copied().unwrap_or(markdown.len());
        (start + column.saturating_sub(1)).min(markdown.len())
    };
    let mut ranges = Vec::new();
    for node in root.descendants() {
        let data = node.data();
        let literal = match &data.value {
            NodeValue::Code(code) => &code.literal,
            // A raw block (```{=typst}) is output, not code a reader sees:
            // it is templated like the text around it.
            NodeValue::CodeBlock(block) if block.info.trim_start().starts_with("{=") => continue,
            // Quarto shows a cell unexecuted as ```{{python}}: the info
            // string is code too.
            NodeValue::CodeBlock(block) => &format!("{}\n{}", block.info, block.literal),
            _ => continue,
        };
        if !(literal.contains("{{") || literal.contains("{%")) {
            continue;
        }
        let pos = data.sourcepos;
        let start = offset(pos.start.line, pos.start.column);
        // The end column is the last byte's; a block ends with its line.
        let end = offset(pos.end.line, pos.end.column + 1);
        let end = match &data.value {
            NodeValue::CodeBlock(_) => markdown[end..].find('\n').map_or(markdown.len(), |i| end + i),
            _ => end,
        };
        if start < end && markdown.is_char_boundary(start) && markdown.is_char_boundary(end) {
            ranges.push(start..end);
        }
    }
    ranges
}

/// Converts Markdown text to Typst markup.
pub fn to_typst(markdown: &str, opts: &ConvertOptions) -> Converted {
    let arena = Arena::new();
    // `{~~old~>new~~}` would parse as GFM strikethrough; as a deletion and
    // an insertion it goes through the same path as the other marks.
    let rewritten;
    let mut shifts = Vec::new();
    let markdown = if opts.resolve_citations && markdown.contains("{~~") {
        (rewritten, shifts) = rewrite_substitutions(markdown);
        rewritten.as_str()
    } else {
        markdown
    };
    let fences = fences::prepare(markdown);
    let markdown = fences.as_ref().map_or(markdown, |f| f.text.as_str());
    let root = comrak::parse_document(&arena, markdown, &comrak_options());
    let mut footnotes = HashMap::new();
    for node in root.descendants() {
        if let NodeValue::FootnoteDefinition(def) = &node.data().value {
            footnotes.insert(def.name.clone(), node);
        }
    }
    let mut conv = Converter {
        opts,
        out: Converted::default(),
        footnotes,
        footnotes_seen: HashMap::new(),
        after_expr: false,
        critic: Vec::new(),
        depth: 0,
        prev: None,
        plain: 0,
        lang: Vec::new(),
        subfigure: None,
        table_widths: None,
        heading_ids: Default::default(),
        unbroken: 0,
        landscape: 0,
        colons: fences.is_some(),
        shifts,
        cells_warned: Vec::new(),
        equation_labels: Vec::new(),
        raw_inlines: Vec::new(),
        settled_later: 0,
    };
    if let Some(fences) = &fences {
        conv.fence_problems(fences);
    }
    conv.blocks(root, true);
    let mut out = conv.out;
    while out.typst.ends_with("\n\n") {
        out.typst.pop();
    }
    out
}

struct Converter<'a, 'o> {
    opts: &'o ConvertOptions<'o>,
    out: Converted,
    footnotes: HashMap<String, &'a AstNode<'a>>,
    /// Footnote name → label of its first rendering.
    footnotes_seen: HashMap<String, String>,
    /// The last thing written was an embedded expression (`#f[..]`), which a
    /// following `.`, `(` or `[` would continue.
    after_expr: bool,
    /// CriticMarkup marks opened and not yet closed, innermost last.
    critic: Vec<Critic>,
    /// How deeply blocks are nested here (quotes in quotes, lists in lists).
    depth: usize,
    /// The author's character before the next text in its paragraph (for
    /// smart quotes); `None` at the start of a block.
    prev: Option<char>,
    /// Inside text that smart punctuation leaves alone (an autolink's URL)
    /// when above zero.
    plain: usize,
    /// Languages of the enclosing `lang=` spans and divs, innermost last.
    lang: Vec<String>,
    /// Inside a figure div: the label of the figure whose images are its
    /// subfigures.
    subfigure: Option<String>,
    /// A table div's `tbl-colwidths`, for the table inside it.
    table_widths: Option<String>,
    /// Inside a heading, a table header or a caption, which never break a
    /// word: the hyphenation exceptions' soft hyphens stay out.
    unbroken: usize,
    /// Inside a `.landscape` div (a wide table is at home there).
    landscape: usize,
    /// Headings' identifiers so far, explicit and automatic (Pandoc makes
    /// a repeated one unique with `-1`, `-2`).
    heading_ids: std::collections::HashSet<String>,
    /// The fenced-div pass replaced colons in opening fences ([`fences::COLON`]).
    colons: bool,
    /// Where `{~~old~>new~~}` was rewritten 4 bytes longer (see
    /// [`critic::rewrite_substitutions`]).
    shifts: Vec<(usize, usize, usize)>,
    /// The engines of the executable code cells warned about (once each).
    cells_warned: Vec<String>,
    /// Display maths (by node) and the `{#eq-x}` label written after it.
    equation_labels: Vec<(usize, String)>,
    /// Inline code (by node) that is a raw inline of a format.
    raw_inlines: Vec<(usize, String)>,
    /// Cross-references and footnotes written so far: what typst sets
    /// again in its second layout pass (see [`Converter::paragraph`]).
    settled_later: usize,
}

/// The deepest nesting of block quotes and lists the converter follows.
/// Deeper input is an error: no document needs it, and following it would
/// only exhaust the stack (the converter and typst both recurse).
pub const MAX_DEPTH: usize = 24;

type Node<'a> = &'a AstNode<'a>;

impl<'a> Converter<'a, '_> {
    // ----- output primitives -------------------------------------------------

    /// Writes Typst code as is.
    fn raw(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.after_expr && s.starts_with(['.', '(', '[', ';']) {
            self.out.typst.push(';');
        }
        self.out.typst.push_str(s);
        self.after_expr = false;
    }

    /// Writes an embedded expression such as `#emph[...]`, closed by `expr_end`.
    fn expr_end(&mut self) {
        self.after_expr = true;
    }

    /// Writes author text, escaped so that it prints literally.
    fn text(&mut self, s: &str) {
        let s = self.as_written(s);
        let escaped = escape_text(&s, self.at_line_start());
        self.raw(&escaped);
        if let Some(c) = s.chars().next_back() {
            self.prev = Some(c);
        }
    }

    /// Writes prose: author text with smart punctuation in the current
    /// language (when the dialect has it), escaped.
    fn prose(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if !self.opts.dialect.smart || self.plain > 0 {
            self.text(s);
            return;
        }
        let lang = self.lang.last().map_or(self.opts.dialect.lang.as_str(), String::as_str);
        let smart = smart::smarten(s, lang, self.prev);
        let exceptions =
            (lang == self.opts.dialect.lang && self.unbroken == 0).then_some(&*self.opts.dialect.hyphenation);
        for piece in crate::markup::hyphenation::pieces(&smart, exceptions) {
            if piece.whole {
                self.raw("#text(hyphenate: false)[");
                self.text(&piece.text);
                self.raw("]");
                self.expr_end();
            } else {
                self.soft_hyphenated(&piece.text);
            }
        }
    }

    /// Writes author text whose soft hyphens (the exceptions' break points)
    /// each go in a text run of their own (`SOFT_HYPHEN_MARKUP`).
    fn soft_hyphenated(&mut self, s: &str) {
        use crate::markup::hyphenation::{SOFT_HYPHEN, SOFT_HYPHEN_MARKUP};
        let mut parts = s.split(SOFT_HYPHEN);
        self.text(parts.next().unwrap_or_default());
        for part in parts {
            self.raw(SOFT_HYPHEN_MARKUP);
            self.text(part);
        }
    }

    /// `s` as the author wrote it: shortcodes in code and raw Typst print as
    /// written, and a colon the fenced-div pass replaced is a colon again.
    fn as_written(&self, s: &str) -> String {
        let s = if s.contains(shortcodes::TOKEN_OPEN) {
            shortcodes::restore(s, self.opts.shortcodes)
        } else {
            s.to_string()
        };
        if self.colons { s.replace(fences::COLON, ":") } else { s }
    }

    /// Whether the next character starts a line of markup (where `-`, `+`,
    /// `=`, `/` and `1.` would start lists and headings).
    fn at_line_start(&self) -> bool {
        let t = self.out.typst.trim_end_matches([' ', '\t']);
        t.is_empty() || t.ends_with('\n') || t.ends_with('[')
    }

    fn newline(&mut self) {
        self.raw("\n");
    }

    // ----- positions ----------------------------------------------------------

    /// The source-file line of a converted-text line.
    fn source_line(&self, line: usize) -> usize {
        self.opts.line_map.get(line.saturating_sub(1)).copied().unwrap_or(line)
    }

    /// Byte range in the source file for a converted-text line and byte column.
    fn source_range(&self, line: usize, column: usize, len: usize) -> Range<usize> {
        let column = original_column(&self.shifts, line, column);
        let src_line = self.source_line(line);
        let column = if src_line == line || self.opts.line_map.is_empty() { column } else { 1 };
        let start = crate::diagnostics::offset_of(self.opts.source, src_line, column);
        let end = (start + len.max(1)).min(self.opts.source.len());
        start..end.max(start)
    }

    /// Whether the templates define `kooste-{name}` (a function the
    /// converter may call).
    /// The word for callouts of `kind` in the language at hand.
    pub(super) fn callout_word(&self, kind: &str) -> Option<&'static str> {
        CALLOUTS.iter().find(|(k, ..)| *k == kind).map(|(.., words)| self.in_language(words))
    }

    /// The word for the numbered blocks (callouts, theorems) of `kind`.
    pub(super) fn numbered_word(&self, kind: &str) -> Option<&'static str> {
        CALLOUTS.iter().chain(THEOREMS).find(|(k, ..)| *k == kind).map(|(.., words)| self.in_language(words))
    }

    /// Of Finnish, Swedish and English `words`, the language at hand's
    /// (English for another).
    fn in_language(&self, words: &[&'static str; 3]) -> &'static str {
        match self.language() {
            "fi" => words[0],
            "sv" => words[1],
            _ => words[2],
        }
    }

    /// The language at hand (a span's `lang`, else the document's), its
    /// primary subtag only: `fi` for `fi-FI`.
    pub(super) fn language(&self) -> &str {
        let lang = self.lang.last().map_or(self.opts.dialect.lang.as_str(), String::as_str);
        lang.split('-').next().unwrap_or(lang)
    }

    pub(super) fn templates_define(&self, name: &str) -> bool {
        self.opts.dialect.templates.as_deref().unwrap_or_default().iter().any(|f| f == name)
    }

    fn node_range(&self, node: Node<'a>) -> Range<usize> {
        let pos = node.data().sourcepos;
        self.source_range(pos.start.line, pos.start.column, 1)
    }

    fn marker(&mut self, node: Node<'a>) {
        let line = node.data().sourcepos.start.line;
        self.marker_at(line);
    }

    /// Writes a marker for converted-text line `line`.
    fn marker_at(&mut self, line: usize) {
        // Right after `[` (a list item, a footnote) the comment's line break
        // would add a space at the start of the content; the enclosing
        // block's marker names the line well enough.
        if self.out.typst.trim_end_matches([' ', '\t']).ends_with('[') {
            return;
        }
        let line = self.source_line(line);
        if !self.at_line_start() {
            self.newline();
        }
        self.raw(&crate::source_map::marker_line(self.opts.path, line));
    }

    fn warn(&mut self, range: Range<usize>, message: impl Into<String>) -> &mut Diagnostic {
        self.out.diagnostics.push(Diagnostic::warning(self.opts.path, Some(range), message));
        self.out.diagnostics.last_mut().expect("just pushed")
    }

    fn error(&mut self, range: Range<usize>, message: impl Into<String>) -> &mut Diagnostic {
        self.out.diagnostics.push(Diagnostic::error(self.opts.path, Some(range), message));
        self.out.diagnostics.last_mut().expect("just pushed")
    }
}
