//! Fenced divs → Typst, with Quarto's meaning.
//!
//! - `.callout-note`, `-tip`, `-important`, `-warning`, `-caution`: a box
//!   drawn by the template's `kooste-callout(kind:, label:, title:)[body]`,
//!   its title from a heading inside (which is then no section), from
//!   `title="…"`, or none; `label` names the kind in the document's
//!   language, so the box says what it is without colour. Quarto's
//!   `{#tip-x}` (`#nte-`, `#imp-`, `#wrn-`, `#cau-`) numbers it among the
//!   callouts of its kind (`id:`), and `@tip-x` prints the template's
//!   `kooste-numbered-ref`.
//! - `{#fig-x}`: a figure whose last paragraph is the caption and whose
//!   images are subfigures, laid out by `layout-ncol` / `layout-nrow`; a
//!   subfigure's own `{#fig-…}` gives a reference printed as the figure's
//!   number and a letter ("3.2a").
//! - `{#tbl-x}`: a table figure with the last paragraph as caption.
//! - `.landscape`: the content on landscape pages.
//! - `.content-visible` / `.content-hidden` with `when-profile` /
//!   `unless-profile` (`draft`, `final`) and `when-format` /
//!   `unless-format` (`pdf` and `typst` hold, every other format not).
//! - `lang=sv`: the content in that language.
//! - `.list-table`: a table written as nested lists ([`super::list_table`]).
//! - `.column-margin`, `.aside` (also on spans): a margin note, the
//!   template's `kooste-margin[body]`, in the page's outside margin.
//! - any other class: the template's `kooste-div-CLASS(title:)[body]` if
//!   the templates define it ([`template_functions`]), else a warning and
//!   the content as it is.

use comrak::nodes::NodeValue;

use super::attributes::{Attrs, parse_div_info};
use super::escape::string_literal;
use super::fences::{COLON, Fences};
use super::spans::lang_call;
use super::{CALLOUTS, Converter, Node, Range, THEOREMS};
use crate::load::project::Format;

/// The names after `kooste-` of the functions a Typst style file defines
/// with `#let kooste-NAME(`: `callout`, `div-tietolaatikko`, …
pub fn template_functions(typst: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in typst.lines() {
        let Some(rest) = line.trim_start().strip_prefix("#let kooste-") else { continue };
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')).unwrap_or(rest.len());
        if rest[end..].starts_with('(') && end > 0 {
            names.push(rest[..end].to_string());
        }
    }
    names
}

/// Whether a `when-format` value names the format the conversion is for.
fn format_holds(formats: &str, target: Format) -> bool {
    formats.split([',', ' ']).any(|f| target.quarto_names().contains(&f.trim()))
}

impl<'a> Converter<'a, '_> {
    /// Reports the fences the fenced-div pass could not pair.
    pub(super) fn fence_problems(&mut self, fences: &Fences) {
        for &line in &fences.stray {
            let range = self.source_range(line, 1, 3);
            self.warn(range, "this `:::` closes no fenced div; it is printed as text")
                .hints
                .push("a div opens with `::: {.class}` or `::: {#id}` and closes with `:::`".into());
        }
        for &line in &fences.unclosed {
            let range = self.source_range(line, 1, 3);
            self.warn(range, "this fenced div is not closed; it runs to the end of the file")
                .hints
                .push("close it with a line of at least three colons, `:::`".into());
        }
    }

    /// A fenced div whose opening line says `info` after its colons.
    pub(super) fn div(&mut self, node: Node<'a>, info: &str) {
        let info = info.replace(COLON, ":");
        let range = self.node_range(node);
        let Some(mut attrs) = parse_div_info(&info) else {
            self.warn(range, format!("`{info}` is not a fenced div's attributes; the content is kept as it is"))
                .hints
                .push("write `::: {.class}`, `::: {#id .class key=value}` or `::: class`".into());
            self.blocks(node, true);
            return;
        };
        if !self.visible(&mut attrs, &range) {
            return;
        }
        let mut closes = 0;
        let mut lang_pushed = false;
        if let Some(lang) = take(&mut attrs, "lang") {
            match lang_call(&lang) {
                Some(call) => {
                    let set = call.trim_start_matches('#').trim_end_matches('[');
                    self.raw(&format!("#[#set {set}\n"));
                    self.lang.push(lang);
                    lang_pushed = true;
                    closes += 1;
                }
                None => {
                    self.warn(range.clone(), format!("`lang={lang}` is not a language code such as `sv`; ignored"));
                }
            }
        }
        let mut landscape = false;
        if let Some(i) = attrs.classes.iter().position(|c| c == "landscape") {
            attrs.classes.remove(i);
            if self.in_container(node) {
                self.warn(range.clone(), "a `.landscape` div inside a list, quote or box cannot turn its page")
                    .hints
                    .push("put the landscape div at the top level of the chapter".into());
            } else if self.opts.dialect.format == crate::load::project::Format::Html {
                // A web page has no pages to turn: the content as it is.
                self.out.format_dependent = true;
            } else {
                self.out.format_dependent = true;
                self.raw("#page(flipped: true)[\n");
                closes += 1;
                landscape = true;
            }
        }
        self.landscape += usize::from(landscape);
        self.div_kind(node, attrs, range);
        self.landscape -= usize::from(landscape);
        for _ in 0..closes {
            self.raw("\n]");
        }
        if lang_pushed {
            self.lang.pop();
        }
        if closes > 0 {
            self.expr_end();
        }
    }

    /// The div's main meaning, after visibility, language and landscape.
    fn div_kind(&mut self, node: Node<'a>, mut attrs: Attrs, range: Range<usize>) {
        let id = attrs.id.take();
        let callout = attrs.classes.iter().position(|c| c.starts_with("callout-"));
        if attrs.classes.iter().any(|c| c == "list-table") {
            return self.list_table(node, id, attrs, range);
        }
        match (&id, callout) {
            (Some(id), _) if id.starts_with("fig-") => self.figure_div(node, id, attrs, range),
            (Some(id), _) if id.starts_with("tbl-") => self.table_div(node, id, attrs, range),
            (Some(id), None) if THEOREMS.iter().any(|(_, p, _)| id.starts_with(p)) => {
                let id = id.clone();
                self.theorem(node, id, attrs, range)
            }
            (_, Some(i)) => {
                let class = attrs.classes.remove(i);
                let kind = &class["callout-".len()..];
                let id = id.filter(|id| self.callout_id(id, kind, &range));
                self.callout(node, kind, id, attrs, range)
            }
            _ => {
                if let Some(id) = &id {
                    self.warn(
                        range.clone(),
                        format!("div id `#{id}` is not supported; only `#fig-…`, `#tbl-…` and theorems' (`#thm-…`, `#def-…`, …) are"),
                    );
                }
                self.class_div(node, attrs, range)
            }
        }
    }

    /// Evaluates `.content-visible` / `.content-hidden` and removes them and
    /// their conditions from `attrs`.
    pub(super) fn visible(&mut self, attrs: &mut Attrs, range: &Range<usize>) -> bool {
        let visible = attrs.has_class("content-visible");
        let hidden = attrs.has_class("content-hidden");
        if !visible && !hidden {
            return true;
        }
        attrs.classes.retain(|c| c != "content-visible" && c != "content-hidden");
        let profile = self.opts.dialect.profile.name();
        let mut holds = true;
        let mut rest = Vec::new();
        for (key, value) in std::mem::take(&mut attrs.pairs) {
            let names = || value.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>();
            match key.as_str() {
                "when-profile" => holds &= names().contains(&profile),
                "unless-profile" => holds &= !names().contains(&profile),
                "when-format" => {
                    self.out.format_dependent = true;
                    holds &= format_holds(&value, self.opts.dialect.format);
                }
                "unless-format" => {
                    self.out.format_dependent = true;
                    holds &= !format_holds(&value, self.opts.dialect.format);
                }
                _ => rest.push((key, value)),
            }
        }
        for (key, _) in &rest {
            if key.starts_with("when-") || key.starts_with("unless-") {
                self.warn(range.clone(), format!("condition `{key}` is not supported; it is taken to hold"))
                    .hints
                    .push("kooste knows when-profile, unless-profile, when-format and unless-format".into());
            }
        }
        attrs.pairs = rest.into_iter().filter(|(k, _)| !(k.starts_with("when-") || k.starts_with("unless-"))).collect();
        if hidden { !holds } else { holds }
    }

    /// Whether `node` is inside a list, quote or other container that a
    /// page break cannot leave.
    fn in_container(&self, node: Node<'a>) -> bool {
        node.ancestors().skip(1).any(|a| !matches!(a.data().value, NodeValue::Document | NodeValue::BlockDirective(_)))
            || self.subfigure.is_some()
    }

    /// Whether a callout of `kind` can be numbered under `id` (Quarto's
    /// `#tip-x` on a `.callout-tip`), which it then defines; else why not,
    /// said once.
    fn callout_id(&mut self, id: &str, kind: &str, range: &Range<usize>) -> bool {
        let Some((_, prefix, _)) = CALLOUTS.iter().find(|(k, ..)| *k == kind) else {
            self.warn(range.clone(), format!("callout id `#{id}` is not used: `callout-{kind}` is not a callout kind"));
            return false;
        };
        if !id.starts_with(prefix) {
            let hint = match CALLOUTS.iter().find(|(_, p, _)| id.starts_with(p)) {
                Some((other, ..)) => {
                    format!("`#{id}` names a callout-{other}; a callout-{kind}'s id starts with `{prefix}`")
                }
                None => format!(
                    "a callout-{kind} is numbered and can be referred to when its id starts with `{prefix}`, as in Quarto"
                ),
            };
            self.warn(
                range.clone(),
                format!("callout id `#{id}` is not a callout-{kind}'s; the callout is not numbered"),
            )
            .hints
            .push(hint);
            return false;
        }
        if self.opts.dialect.templates.is_none() {
            self.warn(range.clone(), format!("`kooste convert` draws callouts plainly; `#{id}` is not numbered"))
                .hints
                .push("a project's build (`kooste build`) numbers it".into());
            return false;
        }
        if !self.templates_define("numbered-ref") {
            self.warn(range.clone(), format!("the templates cannot number callouts; `#{id}` is not numbered"))
                .hints
                .push(
                    "kooste's words.typ defines `kooste-numbered-ref`; copy it from a new `kooste init` project".into(),
                );
            return false;
        }
        self.define_label(id, range.clone());
        true
    }

    /// Quarto's theorem-like block (`::: {#def-x}`, its title from a
    /// heading inside or `name="…"`): numbered among the blocks of its kind
    /// by the template's `kooste-theorem`, "Määritelmä 2.1 (title)." ahead
    /// of its text. Templates without it keep the text, with a warning.
    fn theorem(&mut self, node: Node<'a>, id: String, mut attrs: Attrs, range: Range<usize>) {
        let Some((kind, ..)) = THEOREMS.iter().find(|(_, p, _)| id.starts_with(p)) else { return };
        if !(self.templates_define("theorem") && self.templates_define("numbered-ref")) {
            let why = match self.opts.dialect.templates {
                None => "`kooste convert` does not number theorems",
                Some(_) => "the templates cannot number theorems",
            };
            self.warn(range.clone(), format!("{why}; `#{id}` is not numbered and its text is kept"))
                .hints
                .push("kooste's style.typ defines `kooste-theorem`; copy it from a new `kooste init` project".into());
            self.blocks(node, true);
            return;
        }
        let name = take(&mut attrs, "name");
        self.unsupported(&attrs, &range, "theorem");
        self.define_label(&id, range.clone());
        let label = self.numbered_word(kind).unwrap_or_default();
        self.raw(&format!("#kooste-theorem(kind: {}, id: {}, label: [", string_literal(kind), string_literal(&id)));
        self.text(label);
        self.raw("], title: ");
        let heading = first_heading(node);
        if heading.is_some() || name.is_some() {
            self.raw("[");
            self.block_title(heading, name.as_deref());
            self.raw("]");
        } else {
            self.raw("none");
        }
        self.raw(")[\n");
        self.blocks(node, true);
        self.raw("\n]");
        self.expr_end();
    }

    /// A box's title as inline content: the heading it starts with (which
    /// is then no section), else the title its attributes give.
    fn block_title(&mut self, heading: Option<Node<'a>>, attribute: Option<&str>) {
        if let Some(heading) = heading {
            self.inlines(heading);
            heading.detach();
        } else if let Some(title) = attribute {
            self.prose(title);
        }
    }

    /// A callout of `kind` (`note`, …), numbered when it has an `id`.
    fn callout(&mut self, node: Node<'a>, kind: &str, id: Option<String>, mut attrs: Attrs, range: Range<usize>) {
        let Some(label) = self.callout_word(kind) else {
            self.warn(range.clone(), format!("`callout-{kind}` is not a callout kind; the content is kept"))
                .hints
                .push("callouts are callout-note, -tip, -important, -warning and -caution".into());
            self.class_div(node, attrs, range);
            return;
        };
        let title_attr = take(&mut attrs, "title");
        self.unsupported(&attrs, &range, "callout");
        let heading = first_heading(node);
        let templated = self.opts.dialect.templates.as_ref().map(|t| t.iter().any(|f| f == "callout"));
        if templated == Some(false) {
            self.warn(range, "the templates define no `kooste-callout`; the callout is drawn plainly")
                .hints
                .push("define `#let kooste-callout(kind: \"note\", label: [], title: none, body)` in style.typ".into());
        }
        if templated == Some(true) {
            let id = id.as_deref().map(|id| format!("id: {}, ", string_literal(id))).unwrap_or_default();
            self.raw(&format!("#kooste-callout(kind: {}, {id}label: [", string_literal(kind)));
        } else {
            self.raw("#block(width: 100%, inset: 8pt, stroke: (left: 2pt + luma(30%)), fill: luma(96%))[#strong[");
        }
        self.text(label);
        self.raw(if templated == Some(true) { "], title: " } else { "]" });
        let has_title = heading.is_some() || title_attr.is_some();
        if templated != Some(true) && has_title {
            self.raw(" · #strong[");
        } else if has_title {
            self.raw("[");
        } else if templated == Some(true) {
            self.raw("none");
        }
        self.block_title(heading, title_attr.as_deref());
        if has_title {
            self.raw("]");
        }
        self.raw(if templated == Some(true) { ")[\n" } else { "\n\n" });
        self.blocks(node, true);
        self.raw("\n]");
        self.expr_end();
    }

    /// A div with classes that are not Quarto's: the template's box for
    /// the first class it defines, warnings for the rest.
    fn class_div(&mut self, node: Node<'a>, mut attrs: Attrs, range: Range<usize>) {
        if let Some(i) = attrs.classes.iter().position(|c| MARGIN_CLASSES.contains(&c.as_str())) {
            attrs.classes.remove(i);
            attrs.classes.retain(|c| !MARGIN_CLASSES.contains(&c.as_str()));
            self.unsupported(&attrs, &range, "div");
            let open = self.margin_open(false);
            self.raw(open);
            self.blocks(node, true);
            self.raw("\n]");
            self.expr_end();
            return;
        }
        let templates = self.opts.dialect.templates.clone().unwrap_or_default();
        let boxed = attrs.classes.iter().position(|c| templates.contains(&format!("div-{c}")));
        let title = take(&mut attrs, "title");
        if let Some(i) = boxed {
            let class = attrs.classes.remove(i);
            self.unsupported(&attrs, &range, "div");
            self.raw(&format!("#kooste-div-{class}(title: "));
            match &title {
                Some(title) => {
                    self.raw("[");
                    self.prose(title);
                    self.raw("]");
                }
                None => self.raw("none"),
            }
            self.raw(")[\n");
            self.blocks(node, true);
            self.raw("\n]");
            self.expr_end();
            return;
        }
        if title.is_some() {
            attrs.pairs.push(("title".into(), String::new()));
        }
        // Quarto's PDF shows a tab set's tabs (its headings) one after the
        // other: that is what its content already is.
        attrs.classes.retain(|c| c != "panel-tabset");
        self.unsupported(&attrs, &range, "div");
        self.blocks(node, true);
    }

    /// Opens a margin note (closed by `]`): the template's `kooste-margin`,
    /// else (`kooste convert`) a side note in smaller type in the text.
    pub(super) fn margin_open(&mut self, inline: bool) -> &'static str {
        self.out.margin_notes = true;
        let templated = self.templates_define("margin");
        match (templated, inline) {
            (true, false) => "#kooste-margin[\n",
            (true, true) => "#kooste-margin(inline: true)[",
            (false, false) => "#block(inset: (left: 0.8em), stroke: (left: 0.5pt + gray))[#set text(size: 0.85em)\n",
            (false, true) => "#text(size: 0.85em)[",
        }
    }

    /// Warns for each class and attribute left in `attrs`.
    pub(super) fn unsupported(&mut self, attrs: &Attrs, range: &Range<usize>, what: &str) {
        for class in &attrs.classes {
            self.warn(range.clone(), format!("{what} class `{class}` is not supported; the content is kept"))
                .hints
                .push("a template can style a div's class: `kooste-div-CLASS` in style.typ (docs/authoring.md)".into());
        }
        for (key, _) in &attrs.pairs {
            self.warn(range.clone(), format!("{what} attribute `{key}` is not supported in PDF output; ignored"));
        }
    }
}

/// The heading a box starts with, which titles it.
fn first_heading(node: Node<'_>) -> Option<Node<'_>> {
    node.first_child().filter(|c| matches!(c.data().value, NodeValue::Heading(_)))
}

/// Quarto's classes for content in the page margin.
pub(super) const MARGIN_CLASSES: &[&str] = &["column-margin", "aside"];

/// Removes attribute `key` from `attrs`, returning its value.
pub(super) fn take(attrs: &mut Attrs, key: &str) -> Option<String> {
    let i = attrs.pairs.iter().position(|(k, _)| k == key)?;
    Some(attrs.pairs.remove(i).1)
}
