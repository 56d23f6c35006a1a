//! Unit tests of citations and cross-references in text: Pandoc's groups,
//! locators, prefixes and suffixes, and Quarto's references.

use super::*;

#[test]
fn citations_and_references() {
    let out = convert("See [@a; @b, s. 12] and @c and @sec-x, not a\\@b or x@y.\n");
    assert_eq!(out.citations.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
    assert_eq!(out.references[0].name, "sec-x");
    assert!(out.typst.contains("#cite(label(\"b\"), supplement: [s. 12])"), "{}", out.typst);
    assert!(out.typst.contains("#cite(label(\"c\"), form: \"prose\")"));
    assert!(out.typst.contains("a\\@b"));
}

#[test]
fn suppressed_author_citations_print_the_year() {
    let out = convert("Virtanen [-@c] sanoo, samoin [-@c, s. 4; @d].\n");
    assert!(out.typst.contains("#\"(\"#cite(label(\"c\"), form: \"year\")#\")\""), "{}", out.typst);
    // A style's year form prints no supplement: the locator follows it,
    // inside the parentheses, as Pandoc prints "(2019, s. 4)".
    assert!(out.typst.contains("form: \"year\")#\", \"#[s. 4]#\")\""), "{}", out.typst);
    assert_eq!(out.citations.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["c", "c", "d"]);
}

#[test]
fn a_suppressed_author_stays_in_its_group() {
    // With words.typ's `kooste-cite-year`, `-@c` among other citations is
    // a `cite` of the group, which the citation pass prints without its
    // author; alone, it is the year in parentheses of its own.
    let dialect = Dialect { templates: Some(vec!["cite-year".into()]), ..Dialect::default() };
    let out = convert_with("Samoin [-@c, s. 4; @d] ja [vrt. -@c; @d], yksin [-@c].\n", &dialect);
    assert!(
        out.typst.contains("#kooste-cite-year(cite(label(\"c\"), supplement: [s. 4]))#cite(label(\"d\"))"),
        "{}",
        out.typst
    );
    assert!(out.typst.contains("#kooste-cite-prefix[vrt.]#kooste-cite-year(cite(label(\"c\")))"), "{}", out.typst);
    // Alone too, so that its prefix goes inside the parentheses.
    assert!(out.typst.contains("yksin #kooste-cite-year(cite(label(\"c\")))"), "{}", out.typst);
    let old = convert("Yksin [-@c].\n");
    assert!(old.typst.contains("Yksin #\"(\"#cite(label(\"c\"), form: \"year\")#\")\""), "{}", old.typst);
}

#[test]
fn a_suffix_may_hold_brackets() {
    // Pandoc's `[@c [sic]]`: the group closes at its own bracket.
    let dialect = Dialect { templates: Some(vec!["cite-suffix".into()]), ..Dialect::default() };
    let out = convert_with("Näin [@c [sic]] sanotaan.\n", &dialect);
    assert!(out.typst.contains("#cite(label(\"c\"))#kooste-cite-suffix[ \\[sic\\]]"), "{}", out.typst);
    assert!(out.typst.contains("] sanotaan."), "{}", out.typst);
}

#[test]
fn a_bare_number_locator_is_pages() {
    // Pandoc reads `[@c, 33--35]` and `@c [12]` as pages: with words.typ's
    // `kooste-page` the citation pass gives them to the style as pages.
    let dialect = Dialect { templates: Some(vec!["page".into()]), ..Dialect::default() };
    let out = convert_with("A [@c, 33--35], B @c [12], C [@c, 33 ja 35], D [@c, s. 4].\n", &dialect);
    assert!(out.typst.contains("#cite(label(\"c\"), supplement: [#kooste-page(\"33–35\")[33–35]])"), "{}", out.typst);
    assert!(
        out.typst.contains("#cite(label(\"c\"), form: \"prose\", supplement: [#kooste-page(\"12\")[12]])"),
        "{}",
        out.typst
    );
    assert!(out.typst.contains("supplement: [33 ja 35])"), "{}", out.typst);
    assert!(out.typst.contains("D #cite(label(\"c\"), supplement: [#kooste-page(\"4\")[s. 4]])"), "{}", out.typst);
    // A page label in the document's language is read as Pandoc reads it:
    // "s. 33-35" and "sivut 5-7" are pages in Finnish, "p. 5" is not.
    let labelled = convert_with("A [@c, s. 33-35], B [@c, sivut 5-7], C [@c, p. 5], D [@c, luku 2].\n", &dialect);
    assert!(
        labelled.typst.contains("A #cite(label(\"c\"), supplement: [#kooste-page(\"33–35\")[s. 33\\-35]])"),
        "{}",
        labelled.typst
    );
    assert!(
        labelled.typst.contains("B #cite(label(\"c\"), supplement: [#kooste-page(\"5–7\")[sivut 5\\-7]])"),
        "{}",
        labelled.typst
    );
    assert!(labelled.typst.contains("C #cite(label(\"c\"), supplement: [p. 5])"), "{}", labelled.typst);
    assert!(labelled.typst.contains("D #cite(label(\"c\"), supplement: [luku 2])"), "{}", labelled.typst);
    // Templates without it: the number as written.
    let plain = convert("A [@c, 33--35].\n");
    assert!(plain.typst.contains("supplement: [33–35])"), "{}", plain.typst);
}

#[test]
fn text_after_a_key_is_a_locator_or_a_suffix_as_pandoc_reads_it() {
    let dialect = Dialect { templates: Some(vec!["cite-suffix".into()]), ..Dialect::default() };
    let out = convert_with("A [@c ja muut], B [@c s. 4], C [@c, ja muut], D [@c 12]. E [@sec-x, a].\n", &dialect);
    // No comma and no locator term: a suffix, printed after the item.
    assert!(out.typst.contains("A #cite(label(\"c\"))#kooste-cite-suffix[ ja muut]"), "{}", out.typst);
    // A locator term or a number: the locator, with or without a comma.
    assert!(out.typst.contains("B #cite(label(\"c\"), supplement: [s. 4])"), "{}", out.typst);
    assert!(out.typst.contains("C #cite(label(\"c\"), supplement: [ja muut])"), "{}", out.typst);
    assert!(out.typst.contains("D #cite(label(\"c\"), supplement: [12])"), "{}", out.typst);
    // A cross-reference prints its number only, as in Quarto, and says so.
    assert!(
        out.diagnostics.iter().any(|d| d.message.contains("`a` after the cross-reference @sec-x")),
        "{:?}",
        out.diagnostics
    );
    // Templates without `kooste-cite-suffix`: after the style's delimiter.
    let old = convert("A [@c ja muut].\n");
    assert!(old.typst.contains("A #cite(label(\"c\"), supplement: [ja muut])"), "{}", old.typst);
}

#[test]
fn citation_locators_are_author_text() {
    // `--` in a locator is an en dash, as in the prose around it.
    let out = convert("Teksti [@a, s. 12--14] ja 12--14.\n");
    assert!(out.typst.contains("supplement: [s. 12–14])"), "{}", out.typst);
}

#[test]
fn in_text_citations_take_a_locator_in_brackets() {
    // Pandoc's `@key [s. 40]`: "Virtanen (2018, s. 40)", as `[@key, s. 40]`
    // in the sentence.
    let out = convert("Kuten @a [s. 40--41] toteaa, ja @b\t[luku 3] myös.\n");
    assert!(out.typst.contains("#cite(label(\"a\"), form: \"prose\", supplement: [s. 40–41]) toteaa"), "{}", out.typst);
    assert!(out.typst.contains("#cite(label(\"b\"), form: \"prose\", supplement: [luku 3]) myös"), "{}", out.typst);
    assert_eq!(out.citations.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    // Brackets that are a footnote, a citation group, a link's text or a
    // cross-reference's neighbour keep their meaning.
    let out = convert("Kuten @a [^n] ja @b [@c] ja @d [x][y] ja @fig-x [s. 4].\n\n[^n]: Huom.\n");
    assert!(out.typst.contains("#cite(label(\"a\"), form: \"prose\") #footnote["), "{}", out.typst);
    assert!(out.typst.contains("#cite(label(\"b\"), form: \"prose\") #cite(label(\"c\"))"), "{}", out.typst);
    assert!(out.typst.contains("#cite(label(\"d\"), form: \"prose\") \\[x\\]\\[y\\]"), "{}", out.typst);
    assert!(out.typst.contains("#ref(label(\"fig-x\")) \\[s. 4\\]"), "{}", out.typst);
}

#[test]
fn citation_prefixes_suffixes_and_locators() {
    let out = convert("Teksti [ks. @a, s. 33-35; myös @b] ja [@c jne.] ja [sähköposti a@b.fi].\n");
    assert_eq!(out.citations.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
    assert!(
        out.typst.contains("#kooste-cite-prefix[ks.]#cite(label(\"a\"), supplement: [s. 33\\-35])"),
        "{}",
        out.typst
    );
    assert!(out.typst.contains("#kooste-cite-prefix[myös]#cite(label(\"b\"))"), "{}", out.typst);
    assert!(out.typst.contains("#cite(label(\"c\"), supplement: [jne.])"), "{}", out.typst);
    // An address in brackets is no citation.
    assert!(out.typst.contains("sähköposti a\\@b.fi"), "{}", out.typst);
}

#[test]
fn a_citation_group_with_formatting_in_it_says_it_is_not_read() {
    // kooste reads a group within one run of text: `[@c *x*]` prints its
    // brackets, which must not pass in silence.
    let out = convert("Katso [@c *korostettu*; @d] ja [@c `koodi`], mutta [@c] ja *[@d]* ja [*linkki*](u).\n");
    let said: Vec<&str> = out.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(said.iter().filter(|m| m.contains("citation group with formatting")).count(), 2, "{said:?}");
}

#[test]
fn a_quote_after_a_citation_or_maths_is_an_apostrophe() {
    // `@key's` and `$x$'s` continue a word: the quote closes (in English,
    // where an opening single quote differs from the closing one).
    let english = Dialect { lang: "en".into(), ..Dialect::default() };
    let out = convert_with("See @c's book and $x$'s value, but 'quoted'.\n", &english);
    assert!(out.typst.contains("form: \"prose\")’s book"), "{}", out.typst);
    assert!(out.typst.contains("$x$)’s value"), "{}", out.typst);
    assert!(out.typst.contains("‘quoted’"), "{}", out.typst);
}
