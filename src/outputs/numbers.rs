//! A rendered main source → the numbers its labelled headings will get,
//! predicted without compiling it.
//!
//! Batch outputs (a sheet per case) print the report's section numbers for
//! their references into it ("luku 9"). The true numbers come from the
//! compiled report (its `<kooste-numbers>` metadata), but waiting for the
//! report would make every sheet wait for the longest compile of the build.
//! Instead the sheets compile alongside the report with the numbers
//! predicted here from the report's generated Typst, and the pipeline
//! compares them with the real ones afterwards: a sheet is compiled again
//! only if a number differs. A wrong prediction costs time, never a wrong
//! number.
//!
//! The prediction follows headings the way typst counts them, in source
//! order: `#heading(level: n)[..]` and `= ..` markup, `#label(..)` and
//! `<..>` after them, `numbering:` on the heading or in a `set heading`
//! rule (scoped to its block), `counter(heading).update(0)`. Headings
//! without numbering do not step the counter. The numbering a template sets
//! in an imported style file is not visible here; it is taken to be
//! `"1.1"`. Numbers are formatted by typst's own `NumberingPattern`.

use std::collections::BTreeMap;
use std::str::FromStr;

use typst::model::NumberingPattern;
use typst::syntax::ast;
use typst::syntax::{LinkedNode, SyntaxKind};

/// The metadata label the report template places its real numbers under.
pub const METADATA_LABEL: &str = "kooste-numbers";

/// The numbering a report's style sets (style.typ's `report-style`).
const DEFAULT_PATTERN: &str = "1.1";

/// Predicts label → printed number for the numbered, labelled headings of
/// `source`. `None` when the source does something the prediction cannot
/// follow (a numbering function, a counter update other than a reset).
pub fn predict(source: &str) -> Option<BTreeMap<String, String>> {
    let root = typst::syntax::parse(source);
    let mut state = State {
        counters: Vec::new(),
        numbering: NumberingPattern::from_str(DEFAULT_PATTERN).ok(),
        numbers: BTreeMap::new(),
        pending: None,
        failed: false,
    };
    state.walk(&LinkedNode::new(&root));
    state.pending = None;
    (!state.failed).then_some(state.numbers)
}

struct State {
    counters: Vec<u64>,
    /// The numbering in effect; `None` for `numbering: none`.
    numbering: Option<NumberingPattern>,
    numbers: BTreeMap<String, String>,
    /// The number of the heading just seen, waiting for its label.
    pending: Option<String>,
    failed: bool,
}

impl State {
    fn walk(&mut self, node: &LinkedNode) {
        if self.failed {
            return;
        }
        match node.kind() {
            // What `let` and `show` define runs later (or never): the
            // prediction does not follow it.
            SyntaxKind::LetBinding | SyntaxKind::ShowRule | SyntaxKind::Closure => {}
            SyntaxKind::ContentBlock | SyntaxKind::CodeBlock => {
                // `set` rules end with their block.
                let saved = self.numbering.clone();
                self.children(node);
                self.numbering = saved;
            }
            SyntaxKind::SetRule => {
                if let Some(rule) = node.cast::<ast::SetRule>()
                    && let ast::Expr::Ident(id) = rule.target()
                    && id.get() == "heading"
                {
                    if rule.condition().is_some() {
                        self.failed = true;
                        return;
                    }
                    for arg in rule.args().items() {
                        if let ast::Arg::Named(named) = arg
                            && named.name().get() == "numbering"
                        {
                            match numbering_of(named.expr()) {
                                Some(n) => self.numbering = n,
                                None => self.failed = true,
                            }
                        }
                    }
                }
            }
            SyntaxKind::Heading => {
                let Some(heading) = node.cast::<ast::Heading>() else { return };
                let level = heading.depth().get();
                let number = self.step(level, self.numbering.clone());
                // `= Title <label>`: the label follows the heading.
                self.pending = number;
            }
            SyntaxKind::Label => {
                if let Some(number) = self.pending.take() {
                    self.numbers.insert(node.leaf_text().trim_matches(['<', '>']).to_string(), number);
                }
            }
            SyntaxKind::FuncCall => self.call(node),
            SyntaxKind::Space | SyntaxKind::Hash | SyntaxKind::Semicolon => {}
            _ => {
                self.pending = None;
                self.children(node);
            }
        }
    }

    fn children(&mut self, node: &LinkedNode) {
        for child in node.children() {
            self.walk(&child);
        }
    }

    fn call(&mut self, node: &LinkedNode) {
        let Some(call) = node.cast::<ast::FuncCall>() else { return };
        match call.callee() {
            ast::Expr::Ident(id) if id.get() == "heading" => {
                let mut level = 1;
                let mut numbering = self.numbering.clone();
                for arg in call.args().items() {
                    if let ast::Arg::Named(named) = arg {
                        match (named.name().get().as_str(), named.expr()) {
                            ("level" | "depth", ast::Expr::Int(n)) => level = n.get().max(1) as usize,
                            ("level" | "depth", _) => {
                                self.failed = true;
                                return;
                            }
                            ("numbering", expr) => match numbering_of(expr) {
                                Some(n) => numbering = n,
                                None => {
                                    self.failed = true;
                                    return;
                                }
                            },
                            _ => {}
                        }
                    }
                }
                self.pending = self.step(level, numbering);
            }
            ast::Expr::Ident(id) if id.get() == "label" => {
                let mut args = call.args().items();
                if let Some(number) = self.pending.take()
                    && let (Some(ast::Arg::Pos(ast::Expr::Str(s))), None) = (args.next(), args.next())
                {
                    self.numbers.insert(s.get().to_string(), number);
                }
            }
            // `counter(heading).update(0)`.
            ast::Expr::FieldAccess(access)
                if access.field().get() == "update"
                    && matches!(access.target(), ast::Expr::FuncCall(c)
                        if matches!(c.callee(), ast::Expr::Ident(id) if id.get() == "counter")
                            && matches!(c.args().items().next(), Some(ast::Arg::Pos(ast::Expr::Ident(h))) if h.get() == "heading")) =>
            {
                let mut args = call.args().items();
                match (args.next(), args.next()) {
                    (Some(ast::Arg::Pos(ast::Expr::Int(n))), None) if n.get() == 0 => self.counters.clear(),
                    _ => self.failed = true,
                }
                self.pending = None;
            }
            _ => {
                self.pending = None;
                self.children(node);
            }
        }
    }

    /// Steps the heading counter at `level`; the printed number, if the
    /// heading is numbered.
    fn step(&mut self, level: usize, numbering: Option<NumberingPattern>) -> Option<String> {
        let numbering = numbering?;
        self.counters.resize(level.max(self.counters.len()), 0);
        self.counters.truncate(level);
        self.counters[level - 1] += 1;
        match numbering.apply(None, &self.counters) {
            Ok(s) => Some(s.to_string()),
            Err(_) => {
                self.failed = true;
                None
            }
        }
    }
}

/// `numbering: "1.1"` → Some(pattern), `none` → Some(None); anything else
/// (a function, a variable) → None.
fn numbering_of(expr: ast::Expr) -> Option<Option<NumberingPattern>> {
    match expr {
        ast::Expr::None(_) => Some(None),
        ast::Expr::Str(s) => NumberingPattern::from_str(s.get().as_str()).ok().map(Some),
        _ => None,
    }
}

/// Reads the `<kooste-numbers>` metadata: pairs of label and number.
pub fn heading_numbers(doc: &typst_layout::PagedDocument) -> BTreeMap<String, String> {
    use typst::foundations::{Label, Value as TypstValue};
    use typst::introspection::{Introspector as _, MetadataElem};
    let Some(label) = Label::new(typst::utils::PicoStr::intern("kooste-numbers")) else { return BTreeMap::new() };
    let Ok(content) = doc.introspector().query_label(label) else { return BTreeMap::new() };
    let Some(meta) = content.to_packed::<MetadataElem>() else { return BTreeMap::new() };
    let TypstValue::Array(pairs) = &meta.value else { return BTreeMap::new() };
    pairs
        .iter()
        .filter_map(|pair| match pair {
            TypstValue::Array(kv) if kv.len() == 2 => match (kv.at(0, None).ok()?, kv.at(1, None).ok()?) {
                (TypstValue::Str(k), TypstValue::Str(v)) => Some((k.to_string(), v.to_string())),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_headings_labels_resets_and_set_rules() {
        let src = r#"
#heading(level: 1)[Johdanto] #label("sec-a")
#heading(level: 2)[Tausta] #label("sec-a-1")
#heading(level: 2)[Ilman] 
#heading(level: 2)[Kolmas] <sec-a-3>
#heading(numbering: none)[Tiivistelmä] #label("sec-none")
= Toinen <sec-b>
=== Syvä #label("x")
#block[#set heading(numbering: "I.1")]
#heading(level: 2)[Neljäs] #label("sec-b-1")
#counter(heading).update(0)
#set heading(numbering: "A.1")
#heading(level: 1)[Liite] #label("app-a")
#heading(level: 2)[Taulukot] #label("app-a-1")
"#;
        let numbers = predict(src).unwrap();
        let expected = [
            ("sec-a", "1"),
            ("sec-a-1", "1.1"),
            ("sec-a-3", "1.3"),
            ("sec-b", "2"),
            ("sec-b-1", "2.1"),
            ("app-a", "A"),
            ("app-a-1", "A.1"),
        ];
        assert_eq!(numbers, expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
    }

    #[test]
    fn gives_up_on_what_it_cannot_follow() {
        assert_eq!(predict("#set heading(numbering: (..n) => n)\n= A <a>\n"), None);
        assert_eq!(predict("#counter(heading).update(3)\n= A <a>\n"), None);
    }
}
