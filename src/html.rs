//! The HTML editions: typst's HTML export → the page kooste publishes.
//!
//! typst writes the document's structure (headings, figures, tables with
//! `<thead>`, endnotes with their back links, the contents `<nav>`, MathML)
//! and the kooste templates draw the rest with `html.elem` (`web.typ`).
//! What neither can reach is done here, on typst's serialised page:
//!
//! - `<head>`: the project's stylesheet (`templates/web.css`, embedded, so
//!   the page asks the network for nothing) and the publication's
//!   metadata as Dublin Core `<meta>` elements (title, creators,
//!   publisher, date, language, subject, identifiers);
//! - tables: column headers get `scope="col"`, the rows kooste's page rules
//!   keep together as a `table.footer` go back into the body (they are
//!   data, not a footer), and each table sits in a frame that scrolls on
//!   its own when it is wider than the screen, so the page never does.

use crate::load::project::Config;

/// The metadata of a page's `<head>`.
#[derive(Debug, Clone, Default)]
pub struct Head {
    /// `(name, content)` of each `<meta>` element.
    pub meta: Vec<(String, String)>,
}

impl Head {
    /// The publication's metadata from report.toml, as Dublin Core.
    pub fn of(config: &Config, final_mode: bool) -> Head {
        let mut meta: Vec<(String, String)> = Vec::new();
        let mut add = |name: &str, value: &str| {
            if !value.trim().is_empty() {
                meta.push((name.to_string(), value.trim().to_string()));
            }
        };
        add("DC.title", &config.title);
        add("DC.description", &config.subtitle);
        for author in &config.authors {
            add("DC.creator", &author.name);
        }
        add("DC.publisher", &config.publisher);
        let (y, m, d) = config.ymd();
        add("DC.date", &format!("{y:04}-{m:02}-{d:02}"));
        add("DC.language", &config.language);
        add("DC.type", "Text");
        add("DC.format", "text/html");
        add("DC.subject", &config.keywords.join("; "));
        add("DC.relation.isPartOf", &format!("{} {}", config.series.name, config.series.number));
        add("DC.identifier", &config.series.urn);
        if !config.series.isbn.is_empty() {
            add("DC.identifier", &format!("ISBN {}", config.series.isbn));
        }
        if !config.series.issn.is_empty() {
            add("DC.identifier", &format!("ISSN {}", config.series.issn));
        }
        add("DC.rights", "CC BY 4.0");
        if !final_mode {
            add("robots", "noindex");
        }
        Head { meta }
    }
}

/// typst's serialised page `html`, finished: the stylesheet `css` and the
/// metadata `head` in `<head>`, its tables made accessible and framed.
pub fn finish(html: &str, css: &str, head: &Head) -> String {
    let mut extra = String::new();
    for (name, content) in &head.meta {
        extra.push_str(&format!("<meta name=\"{}\" content=\"{}\">", attribute(name), attribute(content)));
    }
    extra.push_str("<link rel=\"schema.DC\" href=\"http://purl.org/dc/elements/1.1/\">");
    // A stylesheet that holds `</style>` would end the element early.
    extra.push_str(&format!("<style>{}</style>", css.replace("</", "<\\/")));
    let page = match html.find("</head>") {
        Some(at) => format!("{}{extra}{}", &html[..at], &html[at..]),
        None => html.to_string(),
    };
    // A code block wider than the screen scrolls sideways: focusable, so a
    // keyboard can scroll it, as a table's frame is.
    let page = page.replace("<th>", "<th scope=\"col\">").replace("<pre>", "<pre tabindex=\"0\">");
    quiet_drawings(&frame_tables(&page))
}

/// The SVG of each drawing (web.typ wraps it in an element with
/// `role="img"` and the figure's alternative text) made one image to
/// assistive technology: hidden itself, and without the link areas typst
/// draws for references inside it (an image holds nothing to focus).
fn quiet_drawings(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("role=\"img\"") {
        let Some(svg) = rest[at..].find("<svg").map(|i| at + i) else { break };
        let Some(end) = rest[svg..].find("</svg>").map(|i| svg + i + "</svg>".len()) else { break };
        out.push_str(&rest[..svg]);
        out.push_str("<svg aria-hidden=\"true\" focusable=\"false\"");
        out.push_str(&without_links(&rest[svg + "<svg".len()..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// An SVG fragment without its `<a>` elements' tags (their content stays).
fn without_links(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    loop {
        let open = rest.find("<a ").or_else(|| rest.find("<a>"));
        let close = rest.find("</a>");
        match (open, close) {
            (Some(o), c) if c.is_none_or(|c| o < c) => {
                out.push_str(&rest[..o]);
                let Some(gt) = rest[o..].find('>') else { break };
                rest = &rest[o + gt + 1..];
            }
            (_, Some(c)) => {
                out.push_str(&rest[..c]);
                rest = &rest[c + "</a>".len()..];
            }
            _ => break,
        }
    }
    out.push_str(rest);
    out
}

/// `text` escaped for an attribute value in double quotes.
fn attribute(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Every `<table>…</table>` of `html` in a frame that scrolls sideways on
/// its own (focusable, so a keyboard can scroll it), with its footer rows
/// moved back into its body.
fn frame_tables(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 1024);
    let mut rest = html;
    let mut uncaptioned = 0;
    while let Some(start) = rest.find("<table") {
        let Some(len) = rest[start..].find("</table>") else { break };
        let end = start + len + "</table>".len();
        out.push_str(&rest[..start]);
        out.push_str("<div class=\"kooste-table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"");
        // Each region's name is its own: tables without a caption are
        // told apart by their order ("Taulukko", "Taulukko (2)").
        let name = table_name(&rest[..start]).unwrap_or_else(|| {
            uncaptioned += 1;
            if uncaptioned == 1 { "Taulukko".to_string() } else { format!("Taulukko ({uncaptioned})") }
        });
        out.push_str(&attribute(&name));
        out.push_str("\">");
        out.push_str(&footer_into_body(&rest[start..end]));
        out.push_str("</div>");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The accessible name of a table's frame: the caption just before it
/// (typst writes a table figure's caption as a `<figcaption>` above the
/// table), if it has one.
fn table_name(before: &str) -> Option<String> {
    let caption = before.rfind("<figcaption").and_then(|at| {
        let tail = &before[at..];
        let close = tail.find("</figcaption>")?;
        // Only the table's own caption: nothing but the caption between.
        tail[close..].trim_start_matches("</figcaption>").trim().is_empty().then(|| strip_tags(&tail[..close]))
    });
    caption.filter(|c| !c.trim().is_empty())
}

/// The text of an HTML fragment, tags removed (entities kept).
fn strip_tags(fragment: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ").replace("&amp;", "&").replace("&quot;", "\"")
}

/// A table whose last rows typst wrote as `<tfoot>` (kooste keeps a long
/// table's last rows together that way) with those rows at the end of its
/// `<tbody>`.
fn footer_into_body(table: &str) -> String {
    let (Some(foot), Some(foot_end)) = (table.find("<tfoot>"), table.find("</tfoot>")) else {
        return table.to_string();
    };
    let rows = &table[foot + "<tfoot>".len()..foot_end];
    let without = format!("{}{}", &table[..foot], &table[foot_end + "</tfoot>".len()..]);
    match without.rfind("</tbody>") {
        Some(at) => format!("{}{rows}{}", &without[..at], &without[at..]),
        None => format!("{}<tbody>{rows}</tbody>{}", &without[..foot], &without[foot..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_gets_the_stylesheet_and_metadata() {
        let head = Head { meta: vec![("DC.title".into(), "A \"quoted\" <title>".into())] };
        let page = finish("<html><head><title>x</title></head><body></body></html>", "p{}</style>", &head);
        assert!(page.contains(r#"<meta name="DC.title" content="A &quot;quoted&quot; &lt;title&gt;">"#), "{page}");
        assert!(page.contains("<style>p{}<\\/style></style></head>"), "{page}");
    }

    #[test]
    fn drawings_are_one_image() {
        let html = r##"<div role="img" aria-label="Kaavio"><svg width="10"><a href="#x"><rect/></a><text>x</text></svg></div>"##;
        let page = finish(html, "", &Head::default());
        assert!(
            page.contains(r#"<svg aria-hidden="true" focusable="false" width="10"><rect/><text>x</text></svg>"#),
            "{page}"
        );
    }

    #[test]
    fn tables_are_framed_with_their_caption_and_footer_rows_in_the_body() {
        let html = "<figure><figcaption>Taulukko 1: Verkostot</figcaption><table><thead><tr><th>A</th></tr></thead>\
                    <tbody><tr><td>1</td></tr></tbody><tfoot><tr><td>2</td></tr></tfoot></table></figure>";
        let page = finish(html, "", &Head::default());
        assert!(page.contains(r#"<div class="kooste-table-scroll" tabindex="0" role="region" aria-label="Taulukko 1: Verkostot"><table>"#), "{page}");
        assert!(page.contains(r#"<th scope="col">A</th>"#), "{page}");
        assert!(page.contains("<tbody><tr><td>1</td></tr><tr><td>2</td></tr></tbody></table></div>"), "{page}");
        assert!(!page.contains("tfoot"), "{page}");
    }

    #[test]
    fn code_blocks_can_be_scrolled_from_the_keyboard() {
        let page = finish("<pre><code>x</code></pre>", "", &Head::default());
        assert!(page.contains(r#"<pre tabindex="0"><code>x</code></pre>"#), "{page}");
    }

    #[test]
    fn tables_without_a_caption_have_names_of_their_own() {
        // axe-core's landmark-unique: two regions named alike are one too many.
        let html = "<table><tr><td>1</td></tr></table><p>x</p><table><tr><td>2</td></tr></table>";
        let page = finish(html, "", &Head::default());
        assert!(page.contains(r#"aria-label="Taulukko"><table>"#), "{page}");
        assert!(page.contains(r#"aria-label="Taulukko (2)"><table>"#), "{page}");
    }
}
