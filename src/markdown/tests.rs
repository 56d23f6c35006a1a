//! Unit tests of the converter.

use std::path::Path;

use super::html::strip_tags;
use super::*;

fn convert(md: &str) -> Converted {
    let opts = ConvertOptions {
        path: Path::new("report/chapters/x.md"),
        source: md,
        line_map: &[],
        blocks: &[],
        wide_blocks: &[],
        label_prefix: "x",
        image_exists: &|_| true,
        missing_image: MissingImage::Error,
        resolve_citations: true,
        dialect: &Dialect::default(),
        shortcodes: &[],
    };
    to_typst(md, &opts)
}

mod citations;

#[test]
fn empty_link_destination_is_plain_text() {
    let out = convert("[link]() and [](<>)\n");
    assert!(!out.typst.contains("#link(\"\")"), "{}", out.typst);
    assert!(out.typst.contains("link and"), "{}", out.typst);
}

#[test]
fn strip_tags_reads_html_markup() {
    assert_eq!(strip_tags("<?php echo '>'; ?>okay"), "okay");
    assert_eq!(strip_tags("<a title=\"x>y\">link</a> 1 < 2"), "link 1 < 2");
    assert_eq!(strip_tags("<!-->a<!--->b<!-- c -->d<![CDATA[ e > f ]]>g"), "abdg");
    assert_eq!(strip_tags("<div id=\"foo\"\n*hi*\n"), "");
}

#[test]
fn heading_attributes_define_labels() {
    let out = convert("# Johdanto {#sec-johdanto}\n");
    assert_eq!(out.defines[0].name, "sec-johdanto");
    assert!(out.typst.contains("#heading(level: 1)[Johdanto] #label(\"sec-johdanto\")"), "{}", out.typst);
}

#[test]
fn expression_followed_by_dot_is_terminated() {
    let out = convert("*a*.b and `c`(d)\n");
    assert!(out.typst.contains("#emph[a];.b"), "{}", out.typst);
    assert!(out.typst.contains("#raw(\"c\");(d)"), "{}", out.typst);
}

#[test]
fn critic_markup_renders_and_is_recorded() {
    let out = convert("A {>>note<<} and {~~old~>new~~} and {==mark==}.\n");
    let kinds: Vec<&str> = out.critic.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(kinds, ["note", "suggested deletion", "suggested insertion", "highlight"]);
    assert!(out.typst.contains("Huom.: note]]"), "{}", out.typst);
    // An unclosed mark is closed at the end of its paragraph, with a warning.
    let out = convert("Open {++never closed.\n");
    assert!(out.typst.ends_with("never closed.]]"), "{}", out.typst);
    assert_eq!(out.diagnostics.len(), 1);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let md = format!("{}deep\n", "> ".repeat(10_000));
    let out = convert(&md);
    assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
    assert!(out.diagnostics[0].message.contains("nested more than"));
}

#[test]
fn resolve_image_paths() {
    assert_eq!(
        resolve_image(Path::new("report/chapters/a.md"), "../figures/x.png").as_deref(),
        Some("/report/figures/x.png")
    );
    assert_eq!(resolve_image(Path::new("report/chapters/a.md"), "https://x/y.png"), None);
    assert_eq!(resolve_image(Path::new("report/a.md"), "../../../etc/passwd").as_deref(), Some("/../../etc/passwd"));
}

fn convert_with(md: &str, dialect: &Dialect) -> Converted {
    let (text, codes) = shortcodes::protect(md);
    let opts = ConvertOptions {
        path: Path::new("report/chapters/x.md"),
        source: md,
        line_map: &[],
        blocks: &[],
        wide_blocks: &[],
        label_prefix: "x",
        image_exists: &|_| true,
        missing_image: MissingImage::Error,
        resolve_citations: true,
        dialect,
        shortcodes: &codes,
    };
    to_typst(&text, &opts)
}

fn warnings(out: &Converted) -> Vec<String> {
    out.diagnostics.iter().map(|d| d.message.clone()).collect()
}

#[test]
fn heading_classes() {
    let out =
        convert("## Tausta {.unnumbered}\n\n## Liite {-}\n\n# Osa {#sec-osa .unnumbered .unlisted}\n\n## X {.fancy}\n");
    assert!(out.typst.contains("#heading(level: 2, numbering: none)[Tausta]"), "{}", out.typst);
    assert!(out.typst.contains("#heading(level: 2, numbering: none)[Liite]"), "{}", out.typst);
    assert!(
        out.typst.contains("#heading(level: 1, numbering: none, outlined: false)[Osa] #label(\"sec-osa\")"),
        "{}",
        out.typst
    );
    assert_eq!(warnings(&out), ["heading class `fancy` is not supported; ignored"]);
}

#[test]
fn callouts_take_their_title_from_a_heading_or_attribute() {
    let dialect = Dialect { templates: Some(vec!["callout".into()]), ..Dialect::default() };
    let out =
        convert_with("::: {.callout-warning}\n## Huomio\n\nTeksti.\n:::\n\n::: callout-tip\nVinkki.\n:::\n", &dialect);
    assert!(
        out.typst.contains("#kooste-callout(kind: \"warning\", label: [Varoitus], title: [Huomio])["),
        "{}",
        out.typst
    );
    assert!(out.typst.contains("#kooste-callout(kind: \"tip\", label: [Vinkki], title: none)["), "{}", out.typst);
    assert!(!out.typst.contains("#heading"), "{}", out.typst);
    let out = convert_with("::: {.callout-note title=\"Huom: tämä\"}\nX\n:::\n", &dialect);
    assert!(out.typst.contains("title: [Huom: tämä])"), "{}", out.typst);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
}

#[test]
fn callouts_with_an_id_are_numbered_and_referred_to() {
    // Quarto's `#tip-x` on a `.callout-tip`: a numbered callout whose
    // reference prints "Vinkki 1" (the kind's word, or the author's prefix,
    // or the number alone).
    let dialect = Dialect { templates: Some(vec!["callout".into(), "numbered-ref".into()]), ..Dialect::default() };
    let md = "::: {#tip-x .callout-tip}\n## Otsikko\n\nTeksti.\n:::\n\nKatso @tip-x, [-@tip-x] ja [ohje @tip-x].\n";
    let out = convert_with(md, &dialect);
    assert!(
        out.typst.contains("#kooste-callout(kind: \"tip\", id: \"tip-x\", label: [Vinkki], title: [Otsikko])["),
        "{}",
        out.typst
    );
    assert!(out.typst.contains("Katso #kooste-numbered-ref(ref(label(\"tip-x\")), [Vinkki]), #kooste-numbered-ref(ref(label(\"tip-x\")), none) ja #kooste-numbered-ref(ref(label(\"tip-x\")), [ohje]);."), "{}", out.typst);
    assert_eq!(out.defines.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["tip-x"]);
    assert_eq!(out.references.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["tip-x", "tip-x", "tip-x"]);
    assert!(out.citations.is_empty() && out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    // An id of another kind, or templates that cannot number callouts:
    // said once at the callout, which is drawn unnumbered.
    let out = convert_with("::: {#tip-x .callout-note}\nX\n:::\n", &dialect);
    assert_eq!(warnings(&out), ["callout id `#tip-x` is not a callout-note's; the callout is not numbered"]);
    assert!(out.defines.is_empty() && !out.typst.contains("id:"), "{}", out.typst);
    let old = Dialect { templates: Some(vec!["callout".into()]), ..Dialect::default() };
    let out = convert_with("::: {#nte-x .callout-note}\nX\n:::\n", &old);
    assert_eq!(warnings(&out), ["the templates cannot number callouts; `#nte-x` is not numbered"]);
    assert!(out.defines.is_empty(), "{:?}", out.defines);
}

#[test]
fn code_blocks_with_an_lst_id_are_numbered_listings() {
    // Quarto's listings: `{#lst-x .python lst-cap="…"}` on a code block,
    // `#| lst-label` and `#| lst-cap` in a cell; both referred to as @lst-x.
    let md = "```{#lst-a .python lst-cap=\"Ensimmäinen -- listaus\"}\nprint(1)\n```\n\n\
              ```{python}\n#| lst-label: lst-b\n#| lst-cap: Toinen\nprint(2)\n```\n\nKatso @lst-a ja @lst-b.\n";
    let out = convert(md);
    assert!(
        out.typst.contains(
            "#figure(kind: raw, block(width: 100%, align(start, raw(block: true, lang: \"python\", \"print(1)\"))), \
             caption: [Ensimmäinen – listaus]) #label(\"lst-a\")"
        ),
        "{}",
        out.typst
    );
    assert!(out.typst.contains("\"print(2)\"))), caption: [Toinen]) #label(\"lst-b\")"), "{}", out.typst);
    assert!(!out.typst.contains("lst-label"), "the cell's options are not code: {}", out.typst);
    assert_eq!(out.defines.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["lst-a", "lst-b"]);
    assert_eq!(warnings(&out), ["`python` code cells are not run: kooste prints them as code"]);
    // Plain blocks stay plain; what is not acted on is said at the block.
    let out = convert("```{.python}\nx\n```\n\n```r\ny\n```\n");
    assert!(out.typst.contains("#raw(block: true, lang: \"python\", \"x\")"), "{}", out.typst);
    assert!(out.typst.contains("#raw(block: true, lang: \"r\", \"y\")"), "{}", out.typst);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let out = convert("```{#koodi .python .numberLines lst-cap=\"X\" startFrom=\"3\"}\nx\n```\n");
    assert_eq!(
        warnings(&out),
        [
            "code block id `#koodi` is not supported; ignored",
            "code block class `numberLines` is not supported; ignored",
            "code block attribute `startFrom` is not supported; ignored",
        ]
    );
    assert!(
        out.typst.contains("#raw(block: true, lang: \"python\", \"x\")") && out.defines.is_empty(),
        "{}",
        out.typst
    );
    // Quarto's `filename` heads the code; `shortcodes="false"` is what
    // kooste does anyway.
    let out = convert("```{.yaml filename=\"_quarto.yml\" shortcodes=\"false\"}\nx: 1\n```\n");
    assert!(
        out.typst.contains("text(size: 0.85em, raw(\"_quarto.yml\")))\n#raw(block: true, lang: \"yaml\""),
        "{}",
        out.typst
    );
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let out = convert("```{.python lst-cap=\"X\"}\nx\n```\n");
    assert_eq!(warnings(&out), ["`lst-cap` without an id `#lst-…` is not a listing; the caption is left out"]);
}

#[test]
fn empty_attributes_make_a_plain_div_or_span() {
    // Pandoc reads `::: {}` and `[a]{}` as a div and a span without
    // attributes: their content, nothing printed of the syntax.
    let out = convert("::: {}\nSisältö.\n:::\n\nTeksti [a]{} ja [b]{ } loppu.\n");
    assert!(out.typst.contains("Sisältö.") && !out.typst.contains(":::"), "{}", out.typst);
    assert!(out.typst.contains("Teksti a ja b loppu."), "{}", out.typst);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
}

#[test]
fn theorem_divs_are_numbered_and_referred_to() {
    // Quarto's `::: {#def-x}`: a numbered block whose title is a heading
    // inside or `name`; `@def-x` as a callout's reference.
    let dialect = Dialect { templates: Some(vec!["theorem".into(), "numbered-ref".into()]), ..Dialect::default() };
    let md = "::: {#def-x}\n## Verkosto\n\nTeksti.\n:::\n\n::: {#thm-y name=\"Päälause\"}\nVäite.\n:::\n\nKatso @def-x ja [-@thm-y].\n";
    let out = convert_with(md, &dialect);
    assert!(
        out.typst.contains("#kooste-theorem(kind: \"def\", id: \"def-x\", label: [Määritelmä], title: [Verkosto])["),
        "{}",
        out.typst
    );
    assert!(
        out.typst.contains("#kooste-theorem(kind: \"thm\", id: \"thm-y\", label: [Lause], title: [Päälause])["),
        "{}",
        out.typst
    );
    assert!(!out.typst.contains("#heading"), "the title is no section: {}", out.typst);
    assert!(
        out.typst.contains("#kooste-numbered-ref(ref(label(\"def-x\")), [Määritelmä]) ja #kooste-numbered-ref(ref(label(\"thm-y\")), none)"),
        "{}",
        out.typst
    );
    assert_eq!(out.defines.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["def-x", "thm-y"]);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    // Without templates (`kooste convert`) the text is kept, said once.
    let out = convert("::: {#exm-z}\nEsimerkki.\n:::\n");
    assert_eq!(
        warnings(&out),
        ["`kooste convert` does not number theorems; `#exm-z` is not numbered and its text is kept"]
    );
    assert!(out.typst.contains("Esimerkki.") && out.defines.is_empty(), "{}", out.typst);
}

#[test]
fn spans_and_language() {
    let out = convert("[Kela]{.smallcaps} ja [på \"svenska\"]{lang=sv} ja [x]{.mark} [y]{.odd}\n");
    assert!(out.typst.contains("#smallcaps[Kela]"), "{}", out.typst);
    assert!(out.typst.contains("#text(lang: \"sv\")[på ”svenska”]"), "{}", out.typst);
    assert!(out.typst.contains("#highlight[x]"), "{}", out.typst);
    assert!(out.typst.contains(" y"), "{}", out.typst);
    assert_eq!(warnings(&out), ["span class `odd` is not supported; its text is kept"]);
    let out = convert("[\"quoted\"]{lang=en-GB}\n");
    assert!(out.typst.contains("#text(lang: \"en\", region: \"GB\")[“quoted”]"), "{}", out.typst);
}

#[test]
fn profiles_decide_conditional_content() {
    let md = "::: {.content-visible when-profile=\"draft\"}\nLuonnosteksti.\n:::\n\n::: {.content-hidden when-format=\"pdf\"}\nHTML.\n:::\n\n::: {.content-visible when-format=\"html\"}\nVerkko.\n:::\n";
    let draft = convert_with(md, &Dialect::default());
    assert!(draft.typst.contains("Luonnosteksti"), "{}", draft.typst);
    assert!(!draft.typst.contains("HTML") && !draft.typst.contains("Verkko"), "{}", draft.typst);
    let final_ = convert_with(md, &Dialect { profile: Profile::Final, ..Dialect::default() });
    assert!(!final_.typst.contains("Luonnosteksti"), "{}", final_.typst);
}

#[test]
fn unknown_div_classes_warn_at_their_line() {
    let out = convert("Teksti.\n\n::: {.sivupalkki}\nSisältö.\n:::\n");
    assert!(out.typst.contains("Sisältö."), "{}", out.typst);
    assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
    assert!(out.diagnostics[0].message.contains("`sivupalkki`"));
    assert_eq!(out.diagnostics[0].range.as_ref().map(|r| r.start), Some(9));
}

#[test]
fn shortcodes_resolve_or_fail_at_their_line() {
    let meta = minijinja::Value::from_serialize(serde_json::json!({"series": {"name": "VN TEAS *1*"}}));
    let dialect = Dialect { meta, ..Dialect::default() };
    let out = convert_with("Sarja: {{< meta series.name >}}.\n\n{{< pagebreak >}}\n\n`{{< var x >}}`\n", &dialect);
    // (An acronym of four letters or more is never hyphenated.)
    assert!(out.typst.contains("Sarja: VN #text(hyphenate: false)[TEAS] \\*1\\*."), "{}", out.typst);
    assert!(out.typst.contains("#pagebreak()"), "{}", out.typst);
    assert!(out.typst.contains("#raw(\"{{< var x >}}\")"), "{}", out.typst);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let out = convert_with("A\n\n{{< ext-thing x >}} and {{< meta nope >}}\n", &dialect);
    let messages = warnings(&out);
    assert!(messages[0].contains("unknown shortcode `ext-thing`: the draft shows it marked"), "{messages:?}");
    assert!(!out.diagnostics[0].is_error(), "a warning in a draft");
    assert!(out.typst.contains("#highlight("), "marked in the draft: {}", out.typst);
    assert!(messages[1].contains("no value `nope`"), "{messages:?}");
    // As Quarto: a draft shows ?meta:nope, with a warning.
    assert!(!out.diagnostics[1].is_error() && out.typst.contains("?meta:nope"), "{}", out.typst);
    // A final build refuses an unknown shortcode and filler.
    let final_ = Dialect { profile: Profile::Final, ..dialect.clone() };
    let out = convert_with("{{< ext-thing >}} {{< lipsum 1 >}} {{< meta nope >}}\n", &final_);
    assert_eq!(out.diagnostics.iter().filter(|d| d.is_error()).count(), 3, "{:?}", out.diagnostics);
}

#[test]
fn shortcodes_in_a_link_or_image_address_give_its_text() {
    // Quarto's own docs write `![]({{< meta positron-screenshot >}})`.
    let meta = minijinja::Value::from_serialize(serde_json::json!({"site": "https://example.org", "shot": "kuva.png"}));
    let dialect = Dialect { meta, ..Dialect::default() };
    let out = convert_with("[sivu]({{< meta site >}}/a) ![Kuva]({{< meta shot >}})\n", &dialect);
    assert!(out.typst.contains("#link(\"https://example.org/a\")[sivu]"), "{}", out.typst);
    assert!(!out.typst.contains(shortcodes::TOKEN_OPEN), "no token left in an address: {}", out.typst);
    assert!(out.diagnostics.iter().all(|d| !d.message.contains("shortcode")), "{:?}", out.diagnostics);
    // A missing value is the draft's ?meta:key; a shortcode that is not
    // text stays as written, with a warning in a draft, an error in a final build.
    let out = convert_with("[a]({{< meta nope >}}) [b]({{< kbd X >}})\n", &dialect);
    assert!(out.typst.contains("#link(\"?meta:nope\")[a]"), "{}", out.typst);
    assert!(out.typst.contains("#link(\"{{< kbd X >}}\")[b]"), "{}", out.typst);
    assert!(out.diagnostics.iter().all(|d| !d.is_error()), "{:?}", out.diagnostics);
    let final_ = Dialect { profile: Profile::Final, ..dialect.clone() };
    let out = convert_with("[b]({{< kbd X >}})\n", &final_);
    let errors: Vec<_> = out.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect();
    assert_eq!(
        errors,
        ["shortcode `{{< kbd X >}}` cannot stand in a link's or image's address"],
        "{:?}",
        out.diagnostics
    );
}

#[test]
fn quartos_built_in_shortcodes() {
    let out = convert_with(
        "Paina {{< kbd Ctrl-C >}}. {{< video https://example.org/v.mp4 title=\"Esittely\" >}}\n\n{{< lipsum 1 >}}\n",
        &Dialect::default(),
    );
    assert!(out.typst.contains("text(size: 0.9em, \"Ctrl-C\")"), "{}", out.typst);
    assert!(out.typst.contains("#link(\"https://example.org/v.mp4\")[Esittely: "), "{}", out.typst);
    assert!(out.typst.contains("Lorem ipsum dolor sit amet"), "{}", out.typst);
    let quoted = convert_with("{{< video “https://example.org/v” >}}\n", &Dialect::default());
    assert!(quoted.typst.contains("#link(\"https://example.org/v\")"), "{}", quoted.typst);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let with_env = Dialect { env: [("KOOSTE_X".to_string(), "arvo".to_string())].into(), ..Dialect::default() };
    let out = convert_with("{{< env KOOSTE_X >}} {{< env HOME >}}\n", &with_env);
    assert!(out.typst.contains("arvo"), "{}", out.typst);
    assert_eq!(out.diagnostics.len(), 1, "HOME is not listed: {:?}", out.diagnostics);
}

#[test]
fn pandoc_inlines_and_definition_lists() {
    let out = convert("CO~2~ ja m^2^ ja ~~pois~~ ja huomautus^[Sisällä.]\n\nTermi\n\n: Määritelmä.\n");
    assert!(out.typst.contains("CO#sub[2]"), "{}", out.typst);
    assert!(out.typst.contains("m#super[2]"), "{}", out.typst);
    assert!(out.typst.contains("#strike[pois]"), "{}", out.typst);
    assert!(out.typst.contains("#footnote[Sisällä.]"), "{}", out.typst);
    assert!(out.typst.contains("terms.item([Termi], [Määritelmä.])"), "{}", out.typst);
}

#[test]
fn smart_punctuation_spares_code_escapes_and_urls() {
    let out = convert("\"Lainaus\" -- ja --- ja... `\"koodi\" --` \\\"suora\\\" \\-\\- <https://x.fi/a--b>\n");
    assert!(out.typst.contains("”Lainaus” – ja — ja…"), "{}", out.typst);
    assert!(out.typst.contains("#raw(\"\\\"koodi\\\" --\")"), "{}", out.typst);
    assert!(out.typst.contains("\\\"suora\\\""), "{}", out.typst);
    assert!(out.typst.contains("\\-\\-"), "{}", out.typst);
    assert!(out.typst.contains("a\\--b]"), "{}", out.typst);
}

#[test]
fn figure_divs_hold_subfigures() {
    let md = "::: {#fig-pari layout-ncol=2}\n![Vasen](a.png){#fig-a}\n\n![Oikea](b.png){#fig-b}\n\nKaksi kuvaa.\n:::\n";
    let out = convert(md);
    let names: Vec<&str> = out.defines.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["fig-pari", "fig-a", "fig-b"]);
    assert!(out.typst.contains("#grid(columns: (1fr, 1fr)"), "{}", out.typst);
    assert!(out.typst.contains("kind: \"kooste-subfigure\""), "{}", out.typst);
    assert!(out.typst.contains("display(at: label(\"fig-pari\"))"), "{}", out.typst);
    assert!(out.typst.contains("caption: [Kaksi kuvaa.]) #label(\"fig-pari\")"), "{}", out.typst);
}

#[test]
fn quarto_code_cells_raw_blocks_and_latex_page_breaks() {
    let md = "```{r}\n#| echo: false\nx <- 1\n```\n\n```{python}\n#| label: a\nprint(1)\n```\n\n```{=html}\n<b>x</b>\n```\n\n\\newpage\n\n\\vspace{1cm}\n";
    let out = convert(md);
    assert!(!out.typst.contains("x <- 1"), "a hidden cell is hidden: {}", out.typst);
    assert!(out.typst.contains("#raw(block: true, lang: \"python\", \"print(1)\")"), "{}", out.typst);
    assert!(!out.typst.contains("<b>x</b>"), "{}", out.typst);
    assert!(out.typst.contains("#pagebreak()"), "{}", out.typst);
    let messages = warnings(&out);
    assert_eq!(messages.len(), 5, "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("`r` code cells are not run")), "{messages:?}");
    // A cell option kooste does not act on is said, once for the cell.
    assert!(messages.iter().any(|m| m == "cell option `label` not acted on: the cell is not run"), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("raw `html` block is left out")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("raw LaTeX `\\vspace`")), "{messages:?}");
}

#[test]
fn a_grid_table_is_text_with_a_warning() {
    let md = "+---+---+\n| a | b |\n+===+===+\n| 1 | 2 |\n+---+---+\n\nA + b +-+ c.\n";
    let out = convert(md);
    let messages = warnings(&out);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("grid table"), "{messages:?}");
    use super::blocks::is_grid_table_border as border;
    assert!(border("+:--+==:+") && !border("+++") && !border("+ a +"));
}

#[test]
fn tex_maths_is_typeset_with_its_source_as_alt_text() {
    let out = convert("Kaava $E=mc^2$ ja\n\n$$\\frac{a}{b}$$ {#eq-x}\n\nKatso @eq-x. Hinta 5 $ ja 6 $.\n\n$\\foo$\n");
    assert!(out.typst.contains("#math.equation(block: false, alt: \"E=mc^2\", $E = m c^(2)$)"), "{}", out.typst);
    assert!(
        out.typst.contains("numbering: \"(1)\", alt: \"\\\\frac{a}{b}\", $frac(a, b)$)#label(\"eq-x\")"),
        "{}",
        out.typst
    );
    assert!(!out.typst.contains("{\\#eq-x}"), "the label is not text: {}", out.typst);
    assert!(out.typst.contains("#ref(label(\"eq-x\"))"), "{}", out.typst);
    assert!(out.typst.contains("Hinta 5 \\$ ja 6 \\$"), "prices are not maths: {}", out.typst);
    let errors: Vec<&str> = out.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.as_str()).collect();
    assert_eq!(errors, ["TeX maths: TeX command `\\foo` is not one kooste typesets"]);
}

#[test]
fn a_table_div_takes_pandocs_caption_line() {
    let out = convert("::: {#tbl-x}\n| a | b |\n|---|---|\n| 1 | 2 |\n\n: Otsikko\n:::\n");
    assert!(out.typst.contains("caption: [Otsikko]) #label(\"tbl-x\")"), "{}", out.typst);
}

#[test]
fn image_sizes_and_tab_sets_as_quarto_prints_them() {
    let out = convert(
        "![Kuva](a.png){width=50%}\n\n![](b.png){height=120px width=x}\n\n::: {.panel-tabset}\n## R\nTeksti.\n:::\n",
    );
    assert!(out.typst.contains("image(\"/report/chapters/a.png\", width: 50%"), "{}", out.typst);
    assert!(out.typst.contains("height: 90pt"), "{}", out.typst);
    let messages = warnings(&out);
    assert!(messages.iter().any(|m| m.contains("image width `x` is not a length")), "{messages:?}");
    assert!(!messages.iter().any(|m| m.contains("panel-tabset")), "{messages:?}");
    assert!(out.typst.contains("Teksti."), "{}", out.typst);
}

#[test]
fn raw_inlines_pass_typst_and_leave_out_other_formats() {
    let out = convert("Kuvake `<i></i>`{=html} ja `#emph[t]`{=typst} loppu.\n");
    assert!(out.typst.contains("Kuvake  ja #emph[t] loppu."), "{}", out.typst);
    assert!(warnings(&out)[0].contains("raw `html` inline is left out"), "{:?}", warnings(&out));
}

#[test]
fn cross_references_the_quarto_way() {
    let out = convert("@fig-a, [-@fig-a], @Tbl-b ja [ks. @sec-c].\n");
    assert_eq!(
        out.references.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["fig-a", "fig-a", "tbl-b", "sec-c"]
    );
    assert!(out.citations.is_empty(), "{:?}", out.citations);
    assert!(out.typst.contains("#ref(label(\"fig-a\")), "), "{}", out.typst);
    assert!(out.typst.contains("#ref(label(\"fig-a\"), supplement: none)"), "{}", out.typst);
    assert!(
        out.typst.contains("#ref(label(\"tbl-b\"), supplement: e => kooste-capitalise(e.supplement))"),
        "{}",
        out.typst
    );
    // A prefix written in the brackets takes the place of the kind's, as
    // in Quarto ("[Chapter @sec-x]" reads "Chapter 1.2").
    assert!(out.typst.contains("#ref(label(\"sec-c\"), supplement: [ks.])"), "{}", out.typst);
    // With templates that define `kooste-sec-ref` (words.typ), a section
    // is referred to through it; without a prefix, told so.
    for (prefix, call) in [
        (true, "#kooste-sec-ref(ref(label(\"sec-c\")))"),
        (false, "#kooste-sec-ref(ref(label(\"sec-c\"), supplement: none))"),
    ] {
        let dialect = Dialect { templates: Some(vec!["sec-ref".into()]), ref_prefix: prefix, ..Dialect::default() };
        let out = convert_with("Ks. @sec-c.\n", &dialect);
        assert!(out.typst.contains(call), "{}", out.typst);
    }
    // Without prefixes every form prints the number alone.
    let plain = convert_with("@Tbl-b [-@fig-a]\n", &Dialect { ref_prefix: false, ..Dialect::default() });
    assert!(!plain.typst.contains("supplement"), "{}", plain.typst);
}

#[test]
fn margin_notes_list_tables_and_column_widths() {
    let md = "::: {.column-margin}\nHuom.\n:::\n\nTeksti [sivussa]{.aside}.\n\n\
              ::: {.list-table widths=\"1,3\"}\n* - A\n  - B\n* - 1\n  - 2\n:::\n\n\
              ::: {#tbl-x tbl-colwidths=\"[60,40]\"}\n| a | b |\n|---|---|\n| 1 | 2 |\n\nOtsikko\n:::\n";
    let out = convert(md);
    assert!(out.margin_notes);
    assert!(out.typst.contains("#block(inset: (left: 0.8em)"), "{}", out.typst);
    assert!(out.typst.contains("#text(size: 0.85em)[sivussa]"), "{}", out.typst);
    assert!(
        out.typst.contains("#table(columns: (1fr, 3fr), align: left,\ntable.header([A], [B], repeat: true),"),
        "{}",
        out.typst
    );
    assert!(out.typst.contains("#table(columns: (60fr, 40fr)"), "{}", out.typst);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let wrong = convert("::: {#tbl-x tbl-colwidths=\"[60]\"}\n| a | b |\n|---|---|\n| 1 | 2 |\n\nOtsikko\n:::\n");
    assert!(wrong.diagnostics.iter().any(|d| d.message.contains("tbl-colwidths")), "{:?}", wrong.diagnostics);
}

#[test]
fn headings_get_pandocs_identifiers() {
    use super::attributes::auto_identifier as id;
    assert_eq!(id("Tables and Figures"), "tables-and-figures");
    assert_eq!(id("3.2 Vertaisoppiminen: mitä?"), "vertaisoppiminen-mitä");
    assert_eq!(id("Dogs?--in *my* house?"), "dogs--in-my-house");
    assert_eq!(id("2020"), "section");
    let out = convert("## Tausta\n\nKatso [tausta](#tausta-1).\n\n## Tausta\n\n## Oma {#sec-oma}\n");
    let ids: Vec<&str> = out.auto_defines.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(ids, ["tausta", "tausta-1"]);
    assert!(out.typst.contains("#link(label(\"tausta-1\"))[tausta]"), "{}", out.typst);
    assert_eq!(out.defines[0].name, "sec-oma");
}

#[test]
fn a_paragraph_with_a_reference_or_a_footnote_goes_through_kooste_par() {
    // With templates that define `kooste-par` (words.typ), a paragraph
    // that typst sets again in its second layout pass (a cross-reference,
    // a footnote) is written inside it; other paragraphs, and every
    // paragraph for templates without it, are not.
    let text = "Ks. @fig-a.\n\nTeksti.[^1]\n\nPelkkä teksti [@b].\n\n[^1]: Alaviite.\n";
    let dialect = Dialect { templates: Some(vec!["par".into()]), ..Dialect::default() };
    let out = convert_with(text, &dialect);
    assert_eq!(out.typst.matches("#kooste-par[").count(), 2, "{}", out.typst);
    assert!(out.typst.contains("#kooste-par[Ks. #ref(label(\"fig-a\"));.]"), "{}", out.typst);
    assert!(out.typst.contains("#kooste-par[Teksti.#footnote["), "{}", out.typst);
    let old = convert_with(text, &Dialect::default());
    assert!(!old.typst.contains("kooste-par"), "{}", old.typst);
}

#[test]
fn a_table_whose_header_row_is_empty_has_no_header() {
    // Pandoc reads `|   |   |` over the delimiter row as no header at all.
    let out = convert("|   |   |\n|---|---|\n| a | b |\n| c | d |\n");
    assert!(!out.typst.contains("table.header"), "{}", out.typst);
    assert!(out.typst.contains("[a], [b], \n[c], [d], \n)"), "{}", out.typst);
    // One cell with text keeps the header.
    let kept = convert("| x |   |\n|---|---|\n| a | b |\n");
    assert!(kept.typst.contains("table.header([x], [], repeat: true),"), "{}", kept.typst);
    // With the template's `kooste-headerless`, the first row is not set
    // as a header; nor is a list-table's with `header-rows="0"`.
    let dialect = Dialect { templates: Some(vec!["headerless".into()]), ..Dialect::default() };
    let wrapped = convert_with("|   |   |\n|---|---|\n| a | b |\n", &dialect);
    assert!(wrapped.typst.contains("#kooste-headerless[#table(columns:"), "{}", wrapped.typst);
    assert!(wrapped.typst.contains("[a], [b], \n)]"), "{}", wrapped.typst);
    let list = convert_with("::: {.list-table header-rows=\"0\"}\n* - a\n  - b\n:::\n", &dialect);
    assert!(
        list.typst.contains("#kooste-headerless[#table(") && !list.typst.contains("table.header"),
        "{}",
        list.typst
    );
    let headed = convert_with("| x | y |\n|---|---|\n| a | b |\n", &dialect);
    assert!(!headed.typst.contains("kooste-headerless"), "{}", headed.typst);
}
