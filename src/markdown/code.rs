//! Code: fenced and indented code blocks (a language, Pandoc's attributes,
//! Quarto's numbered listings and `filename`), raw blocks, and Quarto's
//! executable cells, which kooste prints as code.

use std::ops::Range;

use super::attributes::parse_braced;
use super::escape::string_literal;
use super::{Converter, Node};

impl<'a> Converter<'a, '_> {
    /// A fenced or indented code block: raw Typst passes, another format's
    /// raw block is left out, an executable cell prints as code.
    pub(super) fn code_block(&mut self, node: Node<'a>, code: &comrak::nodes::NodeCodeBlock) {
        let info = code.info.trim();
        if info == "{=typst}" {
            let code = self.as_written(&code.literal);
            self.raw_typst(node, &code);
        } else if let Some(format) = info.strip_prefix("{=").and_then(|f| f.strip_suffix('}')) {
            // Pandoc passes a raw block to its own format only.
            let range = self.node_range(node);
            self.warn(range, format!("raw `{format}` block is left out: it is for another format"))
                .hints
                .push("only ```{=typst} blocks reach kooste's outputs".into());
        } else if let Some(engine) = cell_engine(info) {
            self.code_cell(node, engine, &code.literal);
        } else {
            // A bare language (`python`), or Pandoc's attributes:
            // `{.python #lst-x lst-cap="…"}`, a numbered listing in Quarto.
            let range = self.node_range(node);
            let mut filename = None;
            let (lang, listing) = match parse_braced(info).filter(|(_, len)| *len == info.len()) {
                Some((mut attrs, _)) => {
                    let lang = (!attrs.classes.is_empty()).then(|| attrs.classes.remove(0));
                    let caption = super::divs::take(&mut attrs, "lst-cap");
                    let listing = self.listing_label(attrs.id.take(), caption, &range);
                    // kooste prints a code block's shortcodes as written,
                    // which is what `shortcodes="false"` asks of Quarto.
                    if super::divs::take(&mut attrs, "shortcodes").is_some_and(|v| v != "false") {
                        self.warn(range.clone(), "shortcodes in a code block print as written")
                            .hints
                            .push("kooste does not expand shortcodes inside code".into());
                    }
                    filename = super::divs::take(&mut attrs, "filename");
                    for class in &attrs.classes {
                        self.warn(range.clone(), format!("code block class `{class}` is not supported; ignored"));
                    }
                    for (key, _) in &attrs.pairs {
                        self.warn(range.clone(), format!("code block attribute `{key}` is not supported; ignored"));
                    }
                    (lang, listing)
                }
                None => (info.split_whitespace().next().map(str::to_string), None),
            };
            self.marker(node);
            let literal = self.as_written(&code.literal);
            let literal = literal.strip_suffix('\n').unwrap_or(&literal).to_string();
            // Quarto's `filename="…"`: the file's name above its code.
            if let Some(name) = filename {
                self.raw(&format!(
                    "#block(below: 0.4em, sticky: true, text(size: 0.85em, raw({})))\n",
                    string_literal(&name)
                ));
            }
            self.code(lang.as_deref().filter(|l| !l.is_empty()), &literal, listing);
        }
    }

    /// The label and caption of a numbered listing (Quarto's `#lst-x`
    /// with `lst-cap`), which it defines; an id of another kind, or a
    /// caption without an id, is reported at `range` and left out.
    fn listing_label(
        &mut self,
        id: Option<String>,
        caption: Option<String>,
        range: &Range<usize>,
    ) -> Option<(String, Option<String>)> {
        match id {
            Some(id) if id.starts_with("lst-") => {
                self.define_label(&id, range.clone());
                Some((id, caption))
            }
            Some(id) => {
                self.warn(range.clone(), format!("code block id `#{id}` is not supported; ignored")).hints.push(
                    "a code block with an id `#lst-…` (and `lst-cap`) is a numbered listing, as in Quarto".into(),
                );
                None
            }
            None => {
                if caption.is_some() {
                    self.warn(
                        range.clone(),
                        "`lst-cap` without an id `#lst-…` is not a listing; the caption is left out",
                    )
                    .hints
                    .push("give the code block an id: ```{#lst-x .python lst-cap=\"…\"}".into());
                }
                None
            }
        }
    }

    /// A code block, in `lang` when given; as a numbered listing (a figure
    /// of kind `raw`, its caption above as Quarto sets it) when `listing`
    /// gives its label and caption.
    fn code(&mut self, lang: Option<&str>, literal: &str, listing: Option<(String, Option<String>)>) {
        // A listing's code keeps to the text's start, as any code block
        // does (a figure centres its body).
        self.raw(if listing.is_some() {
            "#figure(kind: raw, block(width: 100%, align(start, raw(block: true, "
        } else {
            "#raw(block: true, "
        });
        if let Some(lang) = lang {
            self.raw(&format!("lang: {}, ", string_literal(lang)));
        }
        self.raw(&string_literal(literal));
        self.raw(")");
        if let Some((label, caption)) = listing {
            self.raw("))");
            if let Some(caption) = caption {
                self.raw(", caption: [");
                self.prose(&caption);
                self.raw("]");
            }
            self.raw(&format!(") #label({})", string_literal(&label)));
        }
        self.expr_end();
    }
}

/// The engine of an executable code cell's info string (```` ```{r} ````,
/// ```` ```{python echo=false} ````): a name in braces, not a class
/// (`{.python}`) nor a raw format (`{=html}`).
fn cell_engine(info: &str) -> Option<&str> {
    let inner = info.strip_prefix('{')?.strip_suffix('}')?.trim();
    let name = inner.split([' ', ',']).next()?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')).then_some(name)
}

impl<'a> Converter<'a, '_> {
    /// An executable code cell: kooste runs no code (its data pipeline
    /// replaces execution), so the cell prints as code, without its `#|`
    /// options, unless they hide it (`echo: false`, `include: false`); one
    /// warning per engine and file says so.
    fn code_cell(&mut self, node: Node<'a>, engine: &str, literal: &str) {
        if !self.cells_warned.iter().any(|e| e == engine) {
            self.cells_warned.push(engine.to_string());
            let range = self.node_range(node);
            self.warn(range, format!("`{engine}` code cells are not run: kooste prints them as code")).hints.push(
                "compute results in the data pipeline (data/*.csv) and show them with table() and chart()".into(),
            );
        }
        // Its `#|` options, `key: value`.
        let lines = literal.lines().take_while(|l| l.trim_start().starts_with("#|")).count();
        let options: Vec<(&str, &str)> = literal
            .lines()
            .take(lines)
            .map(|l| l.trim_start()[2..].trim())
            .map(|o| o.split_once(':').map_or((o, ""), |(key, value)| (key.trim(), value.trim())))
            .collect();
        let option = |name: &str| options.iter().find(|(key, _)| *key == name).map(|(_, value)| *value);
        // What kooste acts on: whether the code shows, and a listing's
        // label and caption; the rest is said once for the cell.
        let unused: Vec<String> = options
            .iter()
            .map(|(key, _)| *key)
            .filter(|key| !matches!(*key, "echo" | "include" | "lst-label" | "lst-cap") && !key.is_empty())
            .map(|key| format!("`{key}`"))
            .collect();
        if !unused.is_empty() {
            let range = self.node_range(node);
            let s = if unused.len() == 1 { "" } else { "s" };
            self.warn(range, format!("cell option{s} {} not acted on: the cell is not run", unused.join(", ")));
        }
        if let Some(label) = option("label").filter(|l| !l.is_empty()) {
            let range = self.node_range(node);
            self.out.cell_labels.push(super::LabelUse { name: label.to_string(), range });
        }
        if options.iter().any(|(key, value)| matches!(*key, "echo" | "include") && *value == "false") {
            return;
        }
        // Quarto's `#| lst-label: lst-x` and `#| lst-cap: …`: a numbered
        // listing of the cell's code.
        let quoted = |name: &str| option(name).map(|v| v.trim_matches(['"', '\'']).to_string());
        let range = self.node_range(node);
        let listing = self.listing_label(quoted("lst-label"), quoted("lst-cap"), &range);
        let code: String = literal.lines().skip(lines).map(|l| format!("{l}\n")).collect();
        self.marker(node);
        let lang = match engine {
            "r" => "r",
            "python" | "py" => "python",
            other => other,
        };
        let code = self.as_written(&code);
        let code = code.strip_suffix('\n').unwrap_or(&code).to_string();
        self.code(Some(lang), &code, listing);
    }
}
