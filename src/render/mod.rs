//! minijinja over the project: Markdown sources are rendered as templates
//! before they are parsed, and each output's template under `templates/`
//! renders the converted chapters into one Typst source.
//!
//! One [`Renderer`] (one minijinja environment) serves the whole build.
//! Values are escaped by default: in Markdown templates for Markdown, in
//! Typst templates for Typst markup, so a `*` or `#` in a CSV cell or in
//! report.toml prints as itself. Generated Typst (converted chapters, tables)
//! is marked safe and passes through.
//!
//! Template comments are `{## … ##}`: Jinja's `{# … #}` would swallow
//! Quarto-style `{#sec-id}` attributes.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

use crate::diagnostics::{Diagnostic, offset_of};
use crate::load::datasets::Table;
use crate::markup::escape::{escape_text, string_literal};
use crate::markup::hyphenation::{self, Exceptions};
use crate::markup::numbers::format_number;

pub use crate::load::templates::TEMPLATES_DIR;
use crate::load::templates::Templates;

mod data;
mod functions;

use functions::Generated;

/// A rendered Markdown template.
#[derive(Debug, Clone, Default)]
pub struct RenderedMarkdown {
    /// Markdown text with block tokens.
    pub text: String,
    /// For each line of `text` (0-based), the template line (1-based) it came
    /// from; empty when the lines correspond one to one.
    pub line_map: Vec<usize>,
    /// Generated Typst blocks referred to by tokens in `text`.
    pub blocks: Vec<String>,
    /// Labels the generated blocks define.
    pub labels: Vec<String>,
    /// Quarto shortcodes, addressed by the tokens in `text`.
    pub shortcodes: Vec<crate::markdown::Shortcode>,
    /// Indices in `blocks` of charts whose alternative text is generated.
    pub charts_without_alt: Vec<usize>,
    /// Indices in `blocks` of tables too wide for the page, with the
    /// characters they need and a line holds.
    pub wide_tables: Vec<(usize, usize, usize)>,
}

impl RenderedMarkdown {
    /// The 1-based template line of the block `index`'s token (where its
    /// `{{ chart(...) }}` or `{{ table(...) }}` call stands).
    pub fn block_line(&self, index: usize) -> Option<usize> {
        let at = self.text.find(&format!("<!--{}{index}-->", crate::markdown::BLOCK_TOKEN))?;
        let line = self.text[..at].matches('\n').count();
        Some(if self.line_map.is_empty() { line + 1 } else { self.line_map.get(line).copied().unwrap_or(1) })
    }
}

/// The minijinja environment with kooste's filters and functions.
pub struct Renderer {
    env: Environment<'static>,
    templates: Arc<Templates>,
}

/// A Markdown source that failed to render.
#[derive(Debug)]
pub struct RenderError {
    pub diagnostic: Box<Diagnostic>,
    /// The dataset the template asked for and no dataset is named so, when
    /// that is what failed.
    pub unknown_dataset: Option<String>,
}

impl Renderer {
    /// Creates the environment over the project's `templates`; `tables`
    /// back `data`, `table()` and the aggregates.
    /// `hyphenation`: the project's exceptions, applied to the values
    /// output templates print and to data tables' body cells.
    pub fn new(templates: Arc<Templates>, tables: Arc<Vec<Table>>, hyphenation: Arc<Exceptions>) -> Renderer {
        let mut env = Environment::new();
        let syntax =
            SyntaxConfig::builder().comment_delimiters("{##", "##}").build().expect("constant delimiters are valid");
        env.set_syntax(syntax);
        env.set_debug(true);
        env.set_keep_trailing_newline(true);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".md") || name.ends_with(".qmd") {
                AutoEscape::Custom("markdown")
            } else if name.ends_with(".typ") || name.ends_with(".typ.j2") {
                AutoEscape::Custom("typst")
            } else {
                AutoEscape::None
            }
        });
        let exceptions = hyphenation.clone();
        env.set_formatter(move |out, state, value| {
            if value.is_safe() || value.is_undefined() {
                return minijinja::escape_formatter(out, state, value);
            }
            let text = if value.is_none() { String::new() } else { value.to_string() };
            let escaped = match state.auto_escape() {
                AutoEscape::Custom("markdown") => escape_markdown(&text),
                AutoEscape::Custom("typst") => hyphenation::markup(&text, Some(&exceptions), true),
                _ => text,
            };
            out.write_str(&escaped).map_err(|e| Error::new(ErrorKind::WriteFailure, e.to_string()))
        });

        // Templates under templates/ only: include/extends cannot leave it.
        let loaded = templates.clone();
        env.set_loader(move |name| {
            if name.contains("..") || name.starts_with('/') || name.contains('\\') {
                return Ok(None);
            }
            Ok(loaded.get(name).map(str::to_string))
        });

        env.add_filter("num", |v: f64, decimals: Option<usize>| format_number(v, decimals, 1000));
        env.add_filter("pct", |v: f64, decimals: Option<usize>| {
            format!("{}\u{a0}%", format_number(v * 100.0, Some(decimals.unwrap_or(0)), 1000))
        });
        env.add_filter("str", |v: Value| {
            Value::from_safe_string(string_literal(&if v.is_none() { String::new() } else { v.to_string() }))
        });
        env.add_filter("typst", |v: &str| Value::from_safe_string(escape_text(v, true)));
        // A value for a heading: as every value (escaped, acronyms and
        // spaced compounds kept whole) but without the exceptions' soft
        // hyphens. A heading never hyphenates, and its text is also the
        // PDF's bookmark and the title of its tag, where a soft hyphen is
        // a character a reader sees or hears.
        env.add_filter("heading", |v: Value| {
            let text = if v.is_none() { String::new() } else { v.to_string() };
            Value::from_safe_string(hyphenation::markup(&text, None, true))
        });

        data::register(&mut env, &tables);
        functions::register(&mut env, &tables);
        Renderer { env, templates }
    }

    /// Renders a Markdown source (chapter, case, …) with `ctx`; `name` is its
    /// project-relative path.
    pub fn render_markdown(&self, name: &Path, body: &str, ctx: &Value) -> Result<RenderedMarkdown, RenderError> {
        let name_str = name.to_string_lossy().replace('\\', "/");
        // Quarto's shortcodes `{{< … >}}` are not minijinja's: inert tokens
        // on their lines until the converter resolves them.
        let (body, shortcodes) = crate::markdown::shortcodes::protect(body);
        // Code prints as written: template syntax in a code span or block
        // is not rendered.
        let (raw, inserted) = raw_code(&body);
        let captured =
            self.env.template_from_named_str(&name_str, &raw).and_then(|tmpl| tmpl.render_captured(ctx)).map_err(
                |err| {
                    let mut diagnostic = template_error(name, &raw, &err);
                    diagnostic.range = diagnostic.range.map(|r| unshift(r.start, &inserted)..unshift(r.end, &inserted));
                    RenderError {
                        diagnostic: Box::new(diagnostic),
                        unknown_dataset: data::UnknownDataset::of(&err).map(|u| u.0.clone()),
                    }
                },
            )?;
        let body = body.as_str();
        let Generated { blocks, labels, charts_without_alt, wide_tables } = functions::take_generated(captured.state());
        let text = captured.into_output();
        let line_map = crate::source_map::line_map(body, &text);
        Ok(RenderedMarkdown { text, line_map, blocks, labels, shortcodes, charts_without_alt, wide_tables })
    }

    /// Renders the output template `templates/<template>` with `ctx`;
    /// `named_at` is where report.toml names it.
    pub fn render_output(
        &self,
        template: &str,
        ctx: &Value,
        named_at: Option<std::ops::Range<usize>>,
    ) -> Result<String, Diagnostic> {
        let rel = Path::new(TEMPLATES_DIR).join(template);
        let tmpl = self.env.get_template(template).map_err(|err| {
            if err.kind() == ErrorKind::TemplateNotFound && err.name().is_none_or(|n| n == template) {
                let known: Vec<&str> =
                    self.templates.top_level().map(|(n, _)| n).filter(|n| n.ends_with(".j2")).collect();
                Diagnostic::error(
                    crate::load::project::CONFIG_PATH,
                    named_at.clone(),
                    format!("template `{template}` not found in templates/"),
                )
                .with_hint(format!("the templates are: {}", known.join(", ")))
            } else {
                template_error_in_file(&self.templates, &err, &rel)
            }
        })?;
        tmpl.render(ctx).map_err(|err| template_error_in_file(&self.templates, &err, &rel))
    }
}

/// The opening and closing of a raw block, which minijinja prints as written.
const RAW_OPEN: &str = "{% raw %}";
const RAW_CLOSE: &str = "{% endraw %}";

/// `body` with each code span and block that holds template syntax inside
/// a raw block, and where the insertions are (offset in the result, length).
fn raw_code(body: &str) -> (String, Vec<(usize, usize)>) {
    let ranges = crate::markdown::code_with_template_syntax(body);
    if ranges.is_empty() {
        return (body.to_string(), Vec::new());
    }
    let mut out = String::with_capacity(body.len() + ranges.len() * (RAW_OPEN.len() + RAW_CLOSE.len()));
    let mut inserted = Vec::new();
    let mut last = 0;
    for range in ranges {
        out.push_str(&body[last..range.start]);
        inserted.push((out.len(), RAW_OPEN.len()));
        out.push_str(RAW_OPEN);
        out.push_str(&body[range.clone()]);
        inserted.push((out.len(), RAW_CLOSE.len()));
        out.push_str(RAW_CLOSE);
        last = range.end;
    }
    out.push_str(&body[last..]);
    (out, inserted)
}

/// An offset in [`raw_code`]'s result, in the text it was made from.
fn unshift(offset: usize, inserted: &[(usize, usize)]) -> usize {
    let before: usize = inserted.iter().filter(|(at, _)| *at < offset).map(|(at, len)| (offset - at).min(*len)).sum();
    offset - before
}

/// A minijinja error in a Markdown template whose text is `body`.
fn template_error(path: &Path, body: &str, err: &Error) -> Diagnostic {
    let range = err.range().filter(|r| r.end <= body.len()).or_else(|| {
        err.line().map(|l| {
            let start = offset_of(body, l, 1);
            start..crate::diagnostics::line_range(body, start).end
        })
    });
    // A tag left open reads on into the following lines, and minijinja
    // fails where the text stops looking like an expression. Point at the
    // opening tag instead, and say where minijinja stopped.
    let unclosed = match (&range, err.kind()) {
        (Some(r), ErrorKind::SyntaxError) => unclosed_tag_before(body, r.start),
        _ => None,
    };
    let mut diag = match (unclosed, &range) {
        (Some(open), Some(at)) => {
            let stopped = body[..at.start].matches('\n').count() + 1;
            Diagnostic::error(path, Some(open..open + 2), format!("template: {}", describe(err))).with_hint(format!(
                "this `{}` is not closed: the template reads on to line {stopped}, where it stops making sense",
                &body[open..open + 2]
            ))
        }
        _ => Diagnostic::error(path, range, format!("template: {}", describe(err))),
    };
    if let Some(hint) = hint_for(err) {
        diag = diag.with_hint(hint);
    }
    diag
}

/// The offset of the last `{{` or `{%` before `at` that is still open
/// there (no `}}` or `%}` after it), on an earlier line than `at`.
fn unclosed_tag_before(body: &str, at: usize) -> Option<usize> {
    let before = body.get(..at)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    [("{{", "}}"), ("{%", "%}")]
        .iter()
        .filter_map(|(open, close)| {
            let i = before.rfind(open)?;
            (!before[i..].contains(close)).then_some(i)
        })
        .max()
        .filter(|&i| i < line_start)
}

/// A minijinja error in an output template (or a template it includes).
fn template_error_in_file(templates: &Templates, err: &Error, fallback: &Path) -> Diagnostic {
    let path = err.name().map(|n| Path::new(TEMPLATES_DIR).join(n)).unwrap_or_else(|| fallback.to_path_buf());
    let name = path.strip_prefix(TEMPLATES_DIR).ok().and_then(Path::to_str).map(|n| n.replace('\\', "/"));
    let text = name.and_then(|n| templates.get(&n)).unwrap_or_default();
    template_error(&path, text, err)
}

fn describe(err: &Error) -> String {
    let kind = err.kind().to_string();
    match err.detail() {
        Some(detail) => format!("{kind}: {detail}"),
        None => kind,
    }
}

fn hint_for(err: &Error) -> Option<String> {
    match err.kind() {
        ErrorKind::UndefinedError => {
            Some("check the spelling; datasets are `data.<name>`, front matter fields `case.<field>`".into())
        }
        ErrorKind::SyntaxError => Some("template tags are {{ … }}, {% … %} and comments {## … ##}".into()),
        _ => None,
    }
}

/// Escapes text for Markdown so that data never becomes emphasis, links,
/// HTML, citations, table cell breaks or (at the start of a line) lists and
/// headings. Characters that are inert inside a line, such as `-` in
/// `ruotsin-alueforum`, stay as they are, so values can also build labels
/// (`@sec-case-{{ c.id }}`).
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in s.chars().enumerate() {
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '!' | '{' | '}' | '@' | '#' | '$'
            | '^' => true,
            '-' | '+' | '=' | ':' => i == 0,
            '.' | ')' => digits > 0 && i == digits,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        if c == '\n' || c == '\r' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// What every template sees of a case: its front matter and label.
pub fn case_front(case: &crate::load::sources::Case) -> Value {
    let label = Value::from(crate::load::sources::case_label(&case.front.id));
    merge(Value::from_serialize(&case.front), [("label", label)])
}

/// What every template sees of a recommendation: its front matter and
/// label.
pub fn recommendation_front(rec: &crate::load::sources::Recommendation) -> Value {
    let label = Value::from(crate::load::sources::recommendation_label(&rec.front.id));
    merge(Value::from_serialize(&rec.front), [("label", label)])
}

/// A map value with extra entries (which replace entries of the same name).
pub fn merge<const N: usize>(value: Value, extra: [(&str, Value); N]) -> Value {
    let mut map: BTreeMap<String, Value> = BTreeMap::new();
    if let Ok(iter) = value.try_iter() {
        for key in iter {
            if let Ok(v) = value.get_item(&key) {
                map.insert(key.to_string(), v);
            }
        }
    }
    for (k, v) in extra {
        map.insert(k.to_string(), v);
    }
    Value::from_serialize(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping() {
        assert_eq!(escape_markdown("*a* | #b [c](d) @k"), "\\*a\\* \\| \\#b \\[c\\](d) \\@k");
        assert_eq!(escape_markdown("- x-y"), "\\- x-y");
        assert_eq!(escape_markdown("19. maaliskuuta"), "19\\. maaliskuuta");
    }

    #[test]
    fn quarto_attributes_survive_templating() {
        let renderer = Renderer::new(Arc::default(), Arc::new(Vec::new()), Arc::default());
        let out = renderer
            .render_markdown(Path::new("a.md"), "# A {#sec-a}\n{## hidden ##}\n![x](y.png){#fig-y}\n", &Value::from(()))
            .unwrap();
        assert_eq!(out.text, "# A {#sec-a}\n\n![x](y.png){#fig-y}\n");
    }

    #[test]
    fn values_are_escaped_for_markdown() {
        let renderer = Renderer::new(Arc::default(), Arc::new(Vec::new()), Arc::default());
        let ctx = Value::from_serialize(BTreeMap::from([("x", "*bold* #h")]));
        let out = renderer.render_markdown(Path::new("a.md"), "{{ x }}", &ctx).unwrap();
        assert_eq!(out.text, "\\*bold\\* \\#h");
    }

    #[test]
    fn code_prints_template_syntax_as_written() {
        let renderer = Renderer::new(Arc::default(), Arc::new(Vec::new()), Arc::default());
        let body = "Koodi `{{ data.x }}` ja `{% if %}`.\n\n```\n{{ x }}\n```\n\n{{ y }} `{{ z }}`\n\n```{=typst}\n{{ y }}\n```\n";
        let ctx = Value::from_serialize(BTreeMap::from([("y", "Y")]));
        let out = renderer.render_markdown(Path::new("a.md"), body, &ctx).unwrap();
        assert_eq!(
            out.text,
            "Koodi `{{ data.x }}` ja `{% if %}`.\n\n```\n{{ x }}\n```\n\nY `{{ z }}`\n\n```{=typst}\nY\n```\n"
        );
        // An error after a protected span is still at its own column.
        let err = renderer.render_markdown(Path::new("a.md"), "`{{ a }}` {{ nope( }}\n", &ctx).unwrap_err();
        assert_eq!(err.diagnostic.range.as_ref().map(|r| r.start), Some(19), "{err:?}");
    }

    #[test]
    fn values_for_headings_carry_no_soft_hyphens() {
        // report/hyphenation.txt's soft hyphens go into every value of an
        // output template, but not into a heading's, which is also the
        // PDF's bookmark and its tag's title.
        let templates = crate::load::templates::Templates::from_texts([("t.typ.j2", "[{{ x }}] [{{ x | heading }}]")]);
        let exceptions = Exceptions::parse("ta-lous-ar-vi-o\n").unwrap();
        let renderer = Renderer::new(Arc::new(templates), Arc::new(Vec::new()), Arc::new(exceptions));
        let ctx = Value::from_serialize(BTreeMap::from([("x", "Talousarvio ja MANE")]));
        let out = renderer.render_output("t.typ.j2", &ctx, None).unwrap();
        let (body, heading) = out.split_once("] [").unwrap();
        assert!(body.contains('\u{ad}'), "{out}");
        assert!(!heading.contains('\u{ad}') && heading.contains("Talousarvio"), "{out}");
        // Acronyms stay whole in headings too.
        assert!(heading.contains("#text(hyphenate: false)[MANE]"), "{out}");
    }

    #[test]
    fn template_error_has_position() {
        let renderer = Renderer::new(Arc::default(), Arc::new(Vec::new()), Arc::default());
        let body = "line one\n{{ nope( }}\n";
        let err = renderer.render_markdown(Path::new("a.md"), body, &Value::from(())).unwrap_err().diagnostic;
        assert_eq!(err.location(body).split(':').nth(1), Some("2"), "{err:?}");
    }
}
