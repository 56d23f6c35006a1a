//! Quarto shortcodes: `{{< pagebreak >}}`, `{{< meta key >}}`,
//! `{{< var key >}}`.
//!
//! Markdown sources are minijinja templates, and to minijinja `{{<` is a
//! syntax error. So [`protect`] replaces every shortcode, before the
//! template is rendered, with an inert token (`U+E000`, its index,
//! `U+E001`) on the same line, and the converter resolves the token where
//! it stands: a page break, or the value as escaped text. `{{{< … >}}}` is
//! Quarto's way to write a shortcode literally; it prints as `{{< … >}}`.
//! A shortcode kooste does not know, or whose value is missing, is an error
//! at its line.

use minijinja::value::{Value, ValueKind};

use super::escape::string_literal;
use super::{Converter, Range};

/// Quarto's lipsum paragraph (the classic filler), for drafts.
const LIPSUM: &str = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut \
                      labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco \
                      laboris nisi ut aliquip ex ea commodo consequat.\n\n";

/// Opens a shortcode token; [`TOKEN_CLOSE`] ends it.
pub const TOKEN_OPEN: char = '\u{E000}';
pub const TOKEN_CLOSE: char = '\u{E001}';

/// A shortcode as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortcode {
    /// The name (`pagebreak`, `meta`, …); empty when the shortcode is not
    /// closed on its line.
    pub name: String,
    pub args: Vec<String>,
    /// Its text, `{{< … >}}` (for code, where it prints as written).
    pub text: String,
    /// Written `{{{< … >}}}` (or `{{</* … */>}}`): the text itself, not a
    /// shortcode.
    pub literal: bool,
    /// Written `{{</* … */>}}`: `text` is already what prints.
    pub commented: bool,
}

/// Replaces each shortcode in `body` with a token; the shortcodes, by index.
pub fn protect(body: &str) -> (String, Vec<Shortcode>) {
    if !body.contains("{{<") {
        return (body.to_string(), Vec::new());
    }
    let mut out = String::with_capacity(body.len());
    let mut codes = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find("{{<") {
        let literal = rest[..open].ends_with('{');
        let start = if literal { open - 1 } else { open };
        out.push_str(&rest[..start]);
        let line_end = rest[open..].find('\n').map_or(rest.len(), |i| open + i);
        let close = rest[open..line_end].find(">}}").map(|i| open + i);
        let (text, end) = match close {
            Some(close) => {
                let end = close + 3 + usize::from(literal && rest[close + 3..].starts_with('}'));
                (rest[open..close + 3].to_string(), end)
            }
            None => (rest[open..line_end].to_string(), line_end),
        };
        let inner = text.strip_prefix("{{<").unwrap_or(&text).strip_suffix(">}}").unwrap_or("");
        // Quarto's other escape, `{{</* var x */>}}`: the shortcode as text.
        let commented = inner.trim().strip_prefix("/*").and_then(|i| i.strip_suffix("*/")).map(str::to_string);
        let mut words = split_args(inner);
        let (literal, text, commented) = match commented {
            Some(code) if close.is_some() => (true, format!("{{{{< {} >}}}}", code.trim()), true),
            _ => (literal, text, false),
        };
        let name = if close.is_some() && !words.is_empty() { words.remove(0) } else { String::new() };
        out.push(TOKEN_OPEN);
        out.push_str(&codes.len().to_string());
        out.push(TOKEN_CLOSE);
        codes.push(Shortcode { name, args: words, text, literal, commented });
        rest = &rest[end..];
    }
    out.push_str(rest);
    (out, codes)
}

/// Splits shortcode arguments at spaces, keeping quoted ones whole.
fn split_args(inner: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut rest = inner.trim();
    while !rest.is_empty() {
        let (arg, next) = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => match rest[1..].find(q) {
                Some(end) => (&rest[1..end + 1], &rest[end + 2..]),
                None => (&rest[1..], ""),
            },
            _ => {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                (&rest[..end], &rest[end..])
            }
        };
        args.push(arg.to_string());
        rest = next.trim_start();
    }
    args
}

/// The index of the token at the start of `text` and the token's length.
pub(super) fn token_at(text: &str) -> Option<(usize, usize)> {
    let inner = text.strip_prefix(TOKEN_OPEN)?;
    let end = inner.find(TOKEN_CLOSE)?;
    let index = inner[..end].parse().ok()?;
    Some((index, TOKEN_OPEN.len_utf8() + end + TOKEN_CLOSE.len_utf8()))
}

/// `text` with every token written back as its shortcode (for code and
/// raw Typst, where shortcodes print as written).
pub(super) fn restore(text: &str, codes: &[Shortcode]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(TOKEN_OPEN) {
        out.push_str(&rest[..i]);
        match token_at(&rest[i..]) {
            Some((index, len)) if index < codes.len() => {
                let code = &codes[index];
                let braced = code.literal && !code.commented;
                if braced {
                    out.push('{');
                }
                out.push_str(&code.text);
                if braced {
                    out.push('}');
                }
                rest = &rest[i + len..];
            }
            _ => {
                out.push(TOKEN_OPEN);
                rest = &rest[i + TOKEN_OPEN.len_utf8()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The value at dotted `key` (`series.name`) in `value`, as text; `Err`
/// says why there is none.
pub(super) fn lookup(value: &Value, key: &str) -> Result<String, &'static str> {
    let mut at = value.clone();
    for part in key.split('.') {
        at = at.get_attr(part).ok().filter(|v| !v.is_undefined()).ok_or("no such key")?;
    }
    match at.kind() {
        ValueKind::String => Ok(at.as_str().unwrap_or_default().to_string()),
        ValueKind::Number | ValueKind::Bool => Ok(at.to_string()),
        ValueKind::None => Ok(String::new()),
        ValueKind::Seq => {
            let items: Vec<String> = at.try_iter().map(|it| it.map(|v| v.to_string()).collect()).unwrap_or_default();
            Ok(items.join(", "))
        }
        _ => Err("it is a table of values, not one value"),
    }
}

impl Converter<'_, '_> {
    /// Writes shortcode `index`, found at `range`.
    pub(super) fn shortcode(&mut self, index: usize, range: Range<usize>) {
        let Some(code) = self.opts.shortcodes.get(index).cloned() else {
            self.text(&TOKEN_OPEN.to_string());
            return;
        };
        if code.literal {
            self.text(&code.text);
            return;
        }
        match code.name.as_str() {
            "pagebreak" if code.args.is_empty() => {
                self.page_break();
                self.expr_end();
            }
            "kbd" | "video" | "lipsum" | "placeholder" | "version" => self.builtin(&code, range),
            "" | "pagebreak" | "meta" | "var" | "env" => match self.value_text(&code, range) {
                Ok(value) => self.prose(&value),
                Err(shown) => self.text(&shown),
            },
            name => self.unknown_shortcode(name, &code.text, range),
        }
    }

    /// `url`, a link's or image's destination, with each shortcode in it
    /// replaced by its value: Quarto reads `![]({{< meta shot >}})` as
    /// the image the metadata names. Only a shortcode that stands for text
    /// (`meta`, `var`, `env`) can; any other is an error at `range`.
    pub(super) fn destination(&mut self, url: &str, range: &Range<usize>) -> String {
        if !url.contains(TOKEN_OPEN) {
            return url.to_string();
        }
        let mut out = String::with_capacity(url.len());
        let mut rest = url;
        while let Some(i) = rest.find(TOKEN_OPEN) {
            out.push_str(&rest[..i]);
            let Some((code, len)) =
                token_at(&rest[i..]).and_then(|(n, len)| Some((self.opts.shortcodes.get(n)?.clone(), len)))
            else {
                out.push(TOKEN_OPEN);
                rest = &rest[i + TOKEN_OPEN.len_utf8()..];
                continue;
            };
            rest = &rest[i + len..];
            if code.literal {
                out.push_str(&code.text);
                continue;
            }
            match code.name.as_str() {
                "" | "meta" | "var" | "env" => match self.value_text(&code, range.clone()) {
                    Ok(value) | Err(value) => out.push_str(&value),
                },
                // As elsewhere, a draft goes on with a warning (the address
                // keeps the shortcode as written); a final build refuses.
                _ => {
                    let message = format!("shortcode `{}` cannot stand in a link's or image's address", code.text);
                    let diagnostic = if self.opts.dialect.profile == super::Profile::Final {
                        self.error(range.clone(), message)
                    } else {
                        self.warn(range.clone(), format!("{message}; the draft keeps it as written"))
                    };
                    diagnostic.hints.push(
                        "only {{< meta key >}}, {{< var key >}} and {{< env NAME >}} give an address's text".into(),
                    );
                    out.push_str(&code.text);
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The text a `meta`, `var` or `env` shortcode stands for. Without one,
    /// the problem is reported here and `Err` holds what prints instead:
    /// `?meta:key` in a draft, as Quarto prints it, else the shortcode.
    fn value_text(&mut self, code: &Shortcode, range: Range<usize>) -> Result<String, String> {
        let value = match code.name.as_str() {
            "" => Err(format!("shortcode `{}` is not closed with `>}}}}` on its line", code.text)),
            "meta" | "var" if code.args.len() == 1 => match self.shortcode_value(code) {
                Ok(value) => Ok(value),
                // Quarto prints `?meta:key` and warns; a final build refuses.
                Err(message) if self.opts.dialect.profile != super::Profile::Final => {
                    self.warn(range, message).hints.push(
                        "a draft shows ?meta:key (or ?var:key) where the value is missing, as Quarto does".into(),
                    );
                    return Err(format!("?{}:{}", code.name, code.args[0]));
                }
                Err(message) => Err(message),
            },
            "env" => self.env_value(code),
            _ => Err(format!("shortcode `{}`: wrong number of arguments", code.text)),
        };
        value.map_err(|message| {
            self.error(range, message).hints.push(
                "kooste knows {{< pagebreak >}}, {{< meta key >}} (report.toml), {{< var key >}} \
                 (report/_variables.yml), {{< env NAME >}}, kbd, video, lipsum, placeholder and version; \
                 write {{{< … >}}} to print one as it is"
                    .into(),
            );
            code.text.clone()
        })
    }

    /// Quarto's built-in shortcodes that mean something in a PDF: keys as
    /// keycaps, a video as its title and address, and in drafts the filler
    /// text and images that a final build refuses.
    fn builtin(&mut self, code: &Shortcode, range: Range<usize>) {
        let named = |key: &str| {
            let value = code.args.iter().find_map(|a| a.strip_prefix(key)?.strip_prefix('='))?;
            Some(value.trim_matches(['"', '\'']).to_string())
        };
        let positional: Vec<&String> = code.args.iter().filter(|a| !a.contains('=')).collect();
        match code.name.as_str() {
            "kbd" => {
                let keys = positional.first().map(|s| s.to_string()).or_else(|| named("win")).unwrap_or_default();
                self.raw(&format!(
                    "#box(stroke: 0.5pt + luma(55%), inset: (x: 2.5pt), outset: (y: 2pt), radius: 2pt, text(size: 0.9em, {}))",
                    string_literal(&keys)
                ));
                self.expr_end();
            }
            "video" => {
                let url = positional.first().map(|s| s.to_string()).or_else(|| named("src")).unwrap_or_default();
                // Typographic quotes around the address are not part of it.
                let url = url.trim_matches(['“', '”', '"', '\'']).to_string();
                let title = named("title").unwrap_or_else(|| "Video".to_string());
                if url.is_empty() {
                    self.warn(range, format!("`{}` names no video", code.text));
                    self.text(&title);
                    return;
                }
                self.raw(&format!("#link({})[", string_literal(&url)));
                self.text(&format!("{title}: {url}"));
                self.raw("]");
                self.expr_end();
            }
            "version" => self.text(concat!("kooste ", env!("CARGO_PKG_VERSION"))),
            filler => {
                if self.opts.dialect.profile == super::Profile::Final {
                    self.error(range, format!("`{}` is filler for drafts", code.text))
                        .hints
                        .push("replace it with the real text or image before the final build".into());
                }
                if filler == "lipsum" {
                    let paragraphs: usize =
                        positional.first().and_then(|n| n.split('-').next()?.parse().ok()).unwrap_or(1);
                    self.text(&LIPSUM.repeat(paragraphs.clamp(1, 5)).trim_end().replace("\n\n", " "));
                } else {
                    self.raw("#rect(width: 60%, height: 3cm, fill: luma(92%), stroke: 0.5pt + luma(60%))[");
                    self.text("placeholder");
                    self.raw("]");
                    self.expr_end();
                }
            }
        }
    }

    /// A shortcode no one defines: a draft shows it marked, with a warning;
    /// a final build refuses it.
    fn unknown_shortcode(&mut self, name: &str, text: &str, range: Range<usize>) {
        let message = format!("unknown shortcode `{name}`");
        let hint = "kooste knows pagebreak, meta, var, env, kbd, video, lipsum, placeholder and version; an extension's \
                    shortcodes are not run; write {{{< … >}}} to print one as it is";
        if self.opts.dialect.profile == super::Profile::Final {
            self.error(range, message).hints.push(hint.into());
            self.text(text);
        } else {
            self.warn(range, format!("{message}: the draft shows it marked")).hints.push(hint.into());
            self.raw("#highlight(fill: rgb(\"#fff0a8\"))[");
            self.text(text);
            self.raw("]");
            self.expr_end();
        }
    }

    /// `{{< env NAME >}}`: a variable of the build's environment, only one
    /// that report.toml lists in `environment`.
    fn env_value(&self, code: &Shortcode) -> Result<String, String> {
        let [name] = code.args.as_slice() else {
            return Err(format!("shortcode `{}`: wrong number of arguments", code.text));
        };
        match self.opts.dialect.env.get(name) {
            Some(value) => Ok(value.clone()),
            None => Err(format!(
                "`{}`: {name} is not among the variables report.toml's `environment` lets the text read",
                code.text
            )),
        }
    }

    fn shortcode_value(&self, code: &Shortcode) -> Result<String, String> {
        let key = &code.args[0];
        let (source, value) = match code.name.as_str() {
            "meta" => (
                "the metadata (report.toml; a Quarto file's front matter and _quarto.yml)",
                Some(&self.opts.dialect.meta),
            ),
            _ => ("the variables (_variables.yml)", self.opts.dialect.vars.as_ref()),
        };
        let Some(value) = value.filter(|v| !v.is_undefined()) else {
            return Err(format!("`{}`: there is no {source}", code.text));
        };
        lookup(value, key).map_err(|why| format!("`{}`: {source} has no value `{key}` ({why})", code.text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protects_shortcodes_on_their_line() {
        let (text, codes) =
            protect("a {{< meta series.name >}} b\n{{< pagebreak >}}\n{{{< var x >}}} {{< nope\n{{ x }}");
        assert_eq!(text, "a \u{E000}0\u{E001} b\n\u{E000}1\u{E001}\n\u{E000}2\u{E001} \u{E000}3\u{E001}\n{{ x }}");
        assert_eq!(codes[0].name, "meta");
        assert_eq!(codes[0].args, ["series.name"]);
        assert!(codes[2].literal);
        assert_eq!(codes[3].name, "");
        assert_eq!(restore("x \u{E000}2\u{E001}", &codes), "x {{{< var x >}}}");
        let (_, codes) = protect("{{</* var x */>}}");
        assert!(codes[0].literal && codes[0].text == "{{< var x >}}", "{codes:?}");
    }

    #[test]
    fn looks_up_dotted_keys() {
        let value = Value::from_serialize(serde_json::json!({"series": {"name": "VN TEAS", "n": 5}, "k": ["a", "b"]}));
        assert_eq!(lookup(&value, "series.name").unwrap(), "VN TEAS");
        assert_eq!(lookup(&value, "series.n").unwrap(), "5");
        assert_eq!(lookup(&value, "k").unwrap(), "a, b");
        assert!(lookup(&value, "series").is_err());
        assert!(lookup(&value, "x.y").is_err());
        let vars = minijinja::Value::from_serialize(yaml_serde::from_str::<yaml_serde::Value>("a:\n  b: 1\n").unwrap());
        assert_eq!(lookup(&vars, "a.b").unwrap(), "1");
    }
}
