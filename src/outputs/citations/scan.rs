//! The scan of a generated main source for what the citation pass
//! replaces: typst's parse tree → the groups of adjacent `cite`s and `@key`
//! references (with their forms and supplements) and the `bibliography`
//! call, or the sign that the source does something with them the pass
//! cannot follow.

use std::ops::Range;

use hayagriva::{CitePurpose, Library};
use typst::syntax::ast::{self, AstNode};
use typst::syntax::{LinkedNode, SyntaxKind};

/// How a citation shows (typst's `cite(form: ..)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Form {
    /// `form: none`: only puts the entry in the bibliography.
    Hidden,
    Normal,
    Prose,
    Full,
    Author,
    Year,
}

impl Form {
    pub(super) fn parse(s: &str) -> Option<Form> {
        Some(match s {
            "normal" => Form::Normal,
            "prose" => Form::Prose,
            "full" => Form::Full,
            "author" => Form::Author,
            "year" => Form::Year,
            _ => return None,
        })
    }

    pub(super) fn purpose(self) -> Option<CitePurpose> {
        match self {
            Form::Hidden | Form::Normal => None,
            Form::Prose => Some(CitePurpose::Prose),
            Form::Full => Some(CitePurpose::Full),
            Form::Author => Some(CitePurpose::Author),
            Form::Year => Some(CitePurpose::Year),
        }
    }
}

/// One `cite` (or `@key` reference to a bibliography entry).
#[derive(Debug)]
pub(super) struct Cite {
    pub(super) key: String,
    pub(super) form: Form,
    /// The supplement's Typst markup, as written.
    pub(super) supplement: Option<String>,
    /// A supplement that is `kooste-page("33")[..]`, a page number or
    /// range (Pandoc's `[@key, 33]`, `[@key, s. 33]`): given to the style
    /// as a page.
    pub(super) page: Option<String>,
    /// Markup the author put before the citation inside its parentheses
    /// (`[see @key]`, written `#kooste-cite-prefix[see]#cite(..)`).
    pub(super) prefix: Option<String>,
    /// Markup the author put after the citation (`[@key ja muut]`, written
    /// `#cite(..)#kooste-cite-suffix[ ja muut]`), printed right after it.
    pub(super) suffix: Option<String>,
    /// Pandoc's `-@key` in a group (`[-@a; @b]`, written
    /// `#kooste-cite-year(cite(..))`): formatted as the others, then
    /// printed without its author.
    pub(super) suppress: bool,
}

impl Cite {
    /// A citation as typst's `cite` and `@key` write it: no page, prefix
    /// or suffix of kooste's, its author shown.
    fn new(key: String, form: Form, supplement: Option<String>) -> Cite {
        Cite { key, form, supplement, page: None, prefix: None, suffix: None, suppress: false }
    }
}

/// What hayagriva sees of a citation: its key, its form, whether it has
/// a supplement, and its pages. (A supplement's text, and any prefix, are
/// put in place around hayagriva's text afterwards.)
pub(super) type CiteKey<'a> = (&'a str, Form, bool, Option<&'a str>);

/// Adjacent citations typst would show as one group, and the source range
/// they take.
#[derive(Debug)]
pub(super) struct Group {
    pub(super) range: Range<usize>,
    /// Whether `range` begins after a `#` (so the replacement must be an
    /// expression) or at the first character of the group.
    pub(super) after_hash: bool,
    /// Whether the group ends with an embedded call (`#cite(..)`), after
    /// which the source was already written to follow an expression; after
    /// `@key` it was not, and the replacement must end with `;`.
    pub(super) ends_with_call: bool,
    pub(super) cites: Vec<Cite>,
}

impl Group {
    /// What hayagriva sees of a group: two groups that differ only in
    /// their supplements' text or in prefixes get the same text from it.
    pub(super) fn key(&self) -> Vec<CiteKey<'_>> {
        self.cites.iter().map(|c| (c.key.as_str(), c.form, c.supplement.is_some(), c.page.as_deref())).collect()
    }
}

/// The `bibliography(..)` call.
#[derive(Debug)]
pub(super) struct BibCall {
    pub(super) range: Range<usize>,
    pub(super) path: String,
    pub(super) style: String,
    pub(super) title: Title,
    pub(super) full: bool,
}

/// The `title:` of the bibliography.
#[derive(Debug)]
pub(super) enum Title {
    None,
    /// The language's word, as typst would print it.
    Auto,
    /// Markup, as written.
    Given(String),
}

/// Why the pass leaves the citations to typst.
pub(super) type Bail = ();

/// Everything citation-related the scan found in a source.
#[derive(Default)]
pub(super) struct Scan {
    pub(super) groups: Vec<Group>,
    pub(super) bibs: Vec<BibCall>,
    /// Uses of the names `cite` and `bibliography` the scan understood.
    pub(super) handled_idents: usize,
    /// All uses of those names.
    pub(super) all_idents: usize,
    /// Any use the scan cannot see through.
    pub(super) opaque: bool,
}

pub(super) fn walk(node: &LinkedNode, library: &Library, scan: &mut Scan) {
    match node.kind() {
        SyntaxKind::Markup => walk_markup(node, library, scan),
        SyntaxKind::Ident => {
            let name = node.leaf_text().as_str();
            if name == "cite" || name == "bibliography" {
                scan.all_idents += 1;
            }
        }
        SyntaxKind::SetRule | SyntaxKind::ShowRule => {
            let mut idents = Vec::new();
            collect_idents(node, &mut idents);
            if idents.iter().any(|i| i == "cite" || i == "bibliography") {
                scan.opaque = true;
            }
            for child in node.children() {
                walk(&child, library, scan);
            }
        }
        SyntaxKind::FuncCall => {
            if let Some(call) = node.cast::<ast::FuncCall>() {
                match callee_name(call) {
                    Some("cite") => {
                        match parse_cite(call) {
                            Some(cite) => {
                                scan.handled_idents += 1;
                                scan.all_idents += 1;
                                scan.groups.push(Group {
                                    range: node.range(),
                                    after_hash: true,
                                    ends_with_call: true,
                                    cites: vec![cite],
                                });
                            }
                            None => scan.opaque = true,
                        }
                        return;
                    }
                    Some("bibliography") => {
                        match parse_bibliography(call) {
                            Some(mut bib) => {
                                scan.handled_idents += 1;
                                scan.all_idents += 1;
                                bib.range = node.range();
                                scan.bibs.push(bib);
                            }
                            None => scan.opaque = true,
                        }
                        return;
                    }
                    _ => {}
                }
            }
            for child in node.children() {
                walk(&child, library, scan);
            }
        }
        _ => {
            for child in node.children() {
                walk(&child, library, scan);
            }
        }
    }
}

/// Walks markup, gathering adjacent citations into groups.
pub(super) fn walk_markup(node: &LinkedNode, library: &Library, scan: &mut Scan) {
    let mut group: Option<Group> = None;
    let mut hash: Option<usize> = None;
    // A citation prefix waiting for its citation: where its call starts,
    // whether after a `#`, and its markup.
    let mut pending: Option<(usize, bool, String)> = None;
    for child in node.children() {
        // A citation here: the `Cite`, and whether it is an embedded call.
        let found = match child.kind() {
            SyntaxKind::Hash => {
                hash = Some(child.offset());
                continue;
            }
            // Spaces (a single line break is one, too) keep a group open,
            // and so does the `;` that ends an embedded expression: it
            // prints nothing.
            SyntaxKind::Space | SyntaxKind::Semicolon => {
                hash = None;
                continue;
            }
            SyntaxKind::FuncCall => match child.cast::<ast::FuncCall>() {
                Some(call) if callee_name(call) == Some(PREFIX_FUNCTION) && parse_prefix(call).is_some() => {
                    pending = parse_prefix(call).map(|prefix| (child.offset(), hash.is_some(), prefix));
                    hash = None;
                    continue;
                }
                // A suffix right after a citation is that citation's.
                Some(call) if callee_name(call) == Some(SUFFIX_FUNCTION) && pending.is_none() && group.is_some() => {
                    if attach_suffix(group.as_mut().expect("checked"), call, child.range().end, hash.is_some()) {
                        hash = None;
                        continue;
                    }
                    None
                }
                Some(call) if matches!(callee_name(call), Some("cite" | YEAR_FUNCTION)) => {
                    let parsed = if callee_name(call) == Some("cite") { parse_cite(call) } else { parse_year(call) };
                    let Some(cite) = parsed else {
                        scan.opaque = true;
                        return;
                    };
                    scan.handled_idents += 1;
                    scan.all_idents += 1;
                    Some((cite, hash.is_some()))
                }
                _ => None,
            },
            SyntaxKind::Ref => ref_cite(&child, library).map(|cite| (cite, false)),
            _ => None,
        };
        match found {
            Some((mut cite, call)) => {
                let mut start = (child.offset(), call && hash.is_some());
                if let Some((at, after_hash, prefix)) = pending.take() {
                    cite.prefix = Some(prefix);
                    start = (at, after_hash);
                }
                let end = child.range().end;
                match &mut group {
                    Some(g) => {
                        g.range.end = end;
                        g.ends_with_call = call && hash.is_some();
                        g.cites.push(cite);
                    }
                    None => {
                        group = Some(Group {
                            range: start.0..end,
                            after_hash: start.1,
                            ends_with_call: call && hash.is_some(),
                            cites: vec![cite],
                        })
                    }
                }
                hash = None;
            }
            None => {
                hash = None;
                // A prefix not followed by its citation prints as typst prints it.
                pending = None;
                if let Some(g) = group.take() {
                    scan.groups.push(g);
                }
                walk(&child, library, scan);
            }
        }
    }
    if let Some(g) = group.take() {
        scan.groups.push(g);
    }
}

/// Gives the last citation of `group` the suffix `call` writes (a call
/// that ends at `end`), when it has none yet.
fn attach_suffix(group: &mut Group, call: ast::FuncCall, end: usize, after_hash: bool) -> bool {
    let (Some(cite), Some(suffix)) = (group.cites.last_mut(), parse_prefix(call)) else { return false };
    if cite.suffix.is_some() {
        return false;
    }
    cite.suffix = Some(suffix);
    group.range.end = end;
    group.ends_with_call = after_hash;
    true
}

/// `@key` (with `[..]` after it, its supplement) naming a work of
/// `library`: a citation.
fn ref_cite(node: &LinkedNode, library: &Library) -> Option<Cite> {
    let r = node.cast::<ast::Ref>().filter(|r| library.get(r.target()).is_some())?;
    let supplement = r.supplement().map(|s| markup_text(s.body().to_untyped()));
    Some(Cite::new(r.target().to_string(), Form::Normal, supplement))
}

/// The function the converter writes a citation's prefix with.
pub(super) const PREFIX_FUNCTION: &str = "kooste-cite-prefix";
/// The function the converter writes a citation's suffix with.
pub(super) const SUFFIX_FUNCTION: &str = "kooste-cite-suffix";
/// words.typ's wrapper of a suppressed-author citation in a group.
pub(super) const YEAR_FUNCTION: &str = "kooste-cite-year";

/// `kooste-cite-year(cite(..))`: the `cite`, its author to be left out.
fn parse_year(call: ast::FuncCall) -> Option<Cite> {
    let mut args = call.args().items();
    match (args.next(), args.next()) {
        (Some(ast::Arg::Pos(ast::Expr::FuncCall(inner))), None) if callee_name(inner) == Some("cite") => {
            let cite = parse_cite(inner)?;
            (cite.form == Form::Normal).then_some(Cite { suppress: true, ..cite })
        }
        _ => None,
    }
}

/// The markup of `kooste-cite-prefix[markup]`.
fn parse_prefix(call: ast::FuncCall) -> Option<String> {
    let mut args = call.args().items();
    match (args.next(), args.next()) {
        (Some(ast::Arg::Pos(ast::Expr::ContentBlock(block))), None) => plain_markup(block),
        _ => None,
    }
}

pub(super) fn collect_idents(node: &LinkedNode, out: &mut Vec<String>) {
    if node.kind() == SyntaxKind::Ident {
        out.push(node.leaf_text().to_string());
    }
    for child in node.children() {
        collect_idents(&child, out);
    }
}

/// The markup of a content block that is copied into the output: `None`
/// when it cites or references something itself (beyond this pass).
pub(super) fn plain_markup(block: ast::ContentBlock) -> Option<String> {
    let mut idents = Vec::new();
    collect_idents(&LinkedNode::new(block.to_untyped()), &mut idents);
    if idents.iter().any(|i| i == "cite" || i == "bibliography") || has_ref(block.to_untyped()) {
        return None;
    }
    Some(markup_text(block.body().to_untyped()))
}

pub(super) fn has_ref(node: &typst::syntax::SyntaxNode) -> bool {
    node.kind() == SyntaxKind::Ref || node.children().any(has_ref)
}

pub(super) fn callee_name<'a>(call: ast::FuncCall<'a>) -> Option<&'a str> {
    match call.callee() {
        ast::Expr::Ident(id) => Some(id.get().as_str()),
        _ => None,
    }
}

/// The key of `<key>` or `label("key")`.
pub(super) fn label_key(expr: ast::Expr) -> Option<String> {
    match expr {
        ast::Expr::Label(l) => Some(l.get().to_string()),
        ast::Expr::FuncCall(c) if callee_name(c) == Some("label") => {
            let mut args = c.args().items();
            match (args.next(), args.next()) {
                (Some(ast::Arg::Pos(ast::Expr::Str(s))), None) => Some(s.get().to_string()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The source text of a piece of markup, on one line.
pub(super) fn markup_text(node: &typst::syntax::SyntaxNode) -> String {
    node.full_text().as_str().replace(['\n', '\r'], " ")
}

pub(super) fn parse_cite(call: ast::FuncCall) -> Option<Cite> {
    let mut key = None;
    let mut form = Form::Normal;
    let mut supplement = None;
    for arg in call.args().items() {
        match arg {
            ast::Arg::Pos(expr) if key.is_none() => key = Some(label_key(expr)?),
            ast::Arg::Named(named) => match (named.name().get().as_str(), named.expr()) {
                ("form", ast::Expr::Str(s)) => form = Form::parse(s.get().as_str())?,
                ("form", ast::Expr::None(_)) => form = Form::Hidden,
                ("supplement", ast::Expr::ContentBlock(block)) => {
                    supplement = Some(plain_markup(block)?);
                }
                ("supplement", ast::Expr::None(_)) => supplement = None,
                _ => return None,
            },
            _ => return None,
        }
    }
    // `kooste-page("33–35")[s. 33-35]`, as the converter writes a Pandoc
    // page locator: the pages for the style, the author's text for typst.
    let page = supplement
        .as_deref()
        .and_then(|s| s.strip_prefix("#kooste-page(\"")?.split_once("\")[").filter(|(_, rest)| rest.ends_with(']')))
        .map(|(pages, _)| pages)
        .filter(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit() || c == '–'))
        .map(|p| p.replace('–', "-"));
    let supplement = if page.is_some() { None } else { supplement };
    Some(Cite { page, ..Cite::new(key?, form, supplement) })
}

pub(super) fn parse_bibliography(call: ast::FuncCall) -> Option<BibCall> {
    let mut path = None;
    let mut style = "ieee".to_string();
    let mut title = Title::Auto;
    let mut full = false;
    for arg in call.args().items() {
        match arg {
            ast::Arg::Pos(ast::Expr::Str(s)) if path.is_none() => path = Some(s.get().to_string()),
            ast::Arg::Named(named) => match (named.name().get().as_str(), named.expr()) {
                ("style", ast::Expr::Str(s)) => style = s.get().to_string(),
                ("title", ast::Expr::None(_)) => title = Title::None,
                ("title", ast::Expr::ContentBlock(block)) => title = Title::Given(plain_markup(block)?),
                ("title", ast::Expr::Auto(_)) => title = Title::Auto,
                ("full", ast::Expr::Bool(b)) => full = b.get(),
                _ => return None,
            },
            _ => return None,
        }
    }
    // The style is a name from the archive or a .csl file, which the pass
    // reads when it is given a way to (else typst formats).
    Some(BibCall { range: 0..0, path: path?, style, title, full })
}

// ----- writing --------------------------------------------------------------
