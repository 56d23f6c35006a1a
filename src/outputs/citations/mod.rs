//! Generated Typst with `#cite` calls and one `#bibliography` → the same
//! Typst with both replaced by the formatted text, made by hayagriva here.
//!
//! Typst formats citations with hayagriva too, but typst 0.15 pays for every
//! citation with work proportional to all citations in the document (each
//! shown citation group calls a memoized function whose argument is the list
//! of every group, and hashing that list is the cost). A 400-page report with
//! 3 800 citations spent half of its compile there. Here the same hayagriva
//! run happens once per output, in linear time, and the compile only lays
//! out text.
//!
//! What is replaced is what typst would have formatted, in the same way:
//! the same style (the `style:` of the `bibliography` call, from hayagriva's
//! archive), the same locale (the document language), citations grouped as
//! typst groups them (adjacent `cite`s with only spaces between), supplements
//! as custom locators, `form:` as the citation purpose, name disambiguation
//! across the whole output, in-text citations linked to their entries.
//! Entries are blocks with APA's hanging indent and a label
//! `kooste-bib-<key>` each.
//!
//! Year suffixes are the one thing done differently, on purpose: they are
//! lettered over every work the project cites, in the order of the reference
//! list, so that the report, the brief and the case sheets print one label
//! for a work (a style that letters nothing itself, as the brief's numbered
//! list, prints the letters of [`LETTERS_STYLE`] after each entry's date); typst's hayagriva letters only the first three groups of
//! same-author same-year works of a document, in citation order
//! ([`year_suffix`] says more). [`Pass::collisions`] and
//! [`typst_collisions`] name the works a reference list would still print
//! under one label.
//!
//! The rewrite keeps every line where it was (all replacements are written
//! on one line), so diagnostics that map generated lines back to Markdown
//! and templates stay right.
//!
//! When the source does something this pass cannot see through (a
//! `show`/`set` rule on `cite` or `bibliography`, a key that is not a
//! literal, a style file it is not given a way to read, several
//! bibliographies, an unknown key), the
//! source is left as it is and typst does the formatting: slower, and
//! with typst's year suffixes.
//!
//! Inside: [`scan`] finds the citation groups and the bibliography call in
//! the parse tree; this module formats them with hayagriva; [`write`] puts
//! the formatted text back in place; [`year_suffix`] letters the works.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use hayagriva::citationberg::{self, IndependentStyle, LocaleCode};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, Library, LocatorPayload, SpecificLocator,
    TransparentLocator,
};
use typst::syntax::LinkedNode;

mod cache;
mod scan;
mod write;
mod year_suffix;

pub use cache::Cache;
use cache::{Formatted, Style};

use scan::{Bail, BibCall, CiteKey, Form, Group, Scan, walk};
use write::write;
use year_suffix::Labels;
pub use year_suffix::{Collision, LabelCache};

/// The label prefix of a formatted bibliography entry.
pub const ENTRY_LABEL_PREFIX: &str = "kooste-bib-";

/// Hanging indent of bibliography entries (typst's own value).
const INDENT: &str = "1.5em";

/// The style whose letters a style that letters nothing itself (a
/// numbered list) prints: the author-date lettering of the report, so that
/// "2019b" names one work in every output.
const LETTERS_STYLE: &str = "apa";

/// Makes the project's letters for [`LETTERS_STYLE`] on a thread of its
/// own while the outputs format their citations, which ask for the letters
/// only after hayagriva's run.
pub fn prefill_letters(
    styles: &Cache,
    cache: &LabelCache,
    library: &Library,
    library_id: u128,
    works: &[String],
    lang: &str,
) {
    let Some(style) = styles.archived(LETTERS_STYLE) else { return };
    let (locale, locales) = (LocaleCode(lang.to_string()), styles.locales(lang));
    let options = Options {
        lang,
        link: false,
        works,
        labels: Some(cache),
        library_id: Some(library_id),
        style_file: None,
        cache: styles,
        html: false,
    };
    project_letters(&style, library, &[], &locale, &locales, &options);
}

/// The project's letters as `from` makes them (`None` when it letters
/// nothing), for an output that lists `extra` works beyond the project's
/// shared ones: from the run's cache when the options give one.
fn project_letters(
    from: &Style,
    library: &Library,
    extra: &[&str],
    locale: &LocaleCode,
    locales: &[citationberg::Locale],
    options: &Options,
) -> Option<Arc<Labels>> {
    let csl = from.no_suffix.as_ref()?;
    let shared: Vec<&str> = options.works.iter().map(String::as_str).collect();
    let assign = || Labels::assign(library, &shared, extra, csl, locale, locales);
    Some(match options.labels {
        Some(cache) => {
            let scope = year_suffix::scope(options.library_id, options.works);
            cache.get(scope, &from.key, options.lang, extra, assign)
        }
        None => Arc::new(assign()),
    })
}

/// How to format.
pub struct Options<'a> {
    /// The document language (ISO 639-1), for the style's terms.
    pub lang: &'a str,
    /// Link each citation to its entry in the output's bibliography.
    pub link: bool,
    /// Every work the project cites, in any output: year suffixes are
    /// lettered over these, so that every output prints the report's label
    /// for a work ("Reglab, 2019b") whatever else it cites.
    pub works: &'a [String],
    /// Where one run keeps the letters of its works, shared by its outputs
    /// (`None`: lettered for this output alone).
    pub labels: Option<&'a LabelCache>,
    /// A hash of the bibliography's text: with it, hayagriva's results are
    /// kept for later calls with the same citations (watch rebuilds).
    pub library_id: Option<u128>,
    /// Reads a style file the bibliography names (`None`: such a
    /// bibliography is left to typst).
    pub style_file: Option<&'a ReadStyle<'a>>,
    /// The parsed styles and locales, and hayagriva's earlier results.
    pub cache: &'a Cache,
    /// For a web page: entries as paragraphs the stylesheet indents.
    pub html: bool,
}

impl<'a> Options<'a> {
    /// Options for one output on its own: no link, letters made for it
    /// alone, no style file, nothing kept between calls but `cache`'s.
    pub fn plain(lang: &'a str, works: &'a [String], cache: &'a Cache) -> Options<'a> {
        Options { lang, link: false, works, labels: None, library_id: None, style_file: None, cache, html: false }
    }
}

/// Reads a style file by the name a bibliography gives it.
pub type ReadStyle<'a> = dyn Fn(&str) -> Option<String> + Sync + 'a;

/// What the pass did, for tests and the benchmark notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing cited and no bibliography: the source is unchanged.
    Nothing,
    /// Citations and the bibliography were formatted here.
    Formatted { groups: usize, entries: usize },
    /// Left to typst.
    LeftToTypst,
}

/// An output's source with its citations formatted.
#[derive(Debug)]
pub struct Pass {
    /// The source, with citations and the bibliography as text (or as it
    /// was, when the pass leaves them to typst).
    pub text: String,
    pub outcome: Outcome,
    /// Works of its reference list that print the same label, which no
    /// letter could tell apart (undated works of one author).
    pub collisions: Vec<Collision>,
}

/// Formats the citations and the bibliography of `source`, a generated
/// main file. `bib_path` is the path the `bibliography` call must name
/// (`/report/references.bib`), `library` its parsed entries and `lang` the
/// document language.
pub fn format(source: &str, bib_path: &str, library: &Library, options: &Options) -> Pass {
    let unchanged = |outcome| Pass { text: source.to_string(), outcome, collisions: Vec::new() };
    match try_format(source, bib_path, library, options) {
        Ok(Some(pass)) => pass,
        Ok(None) => unchanged(Outcome::Nothing),
        Err(()) => unchanged(Outcome::LeftToTypst),
    }
}

/// The works of `source`'s reference list that typst, formatting its
/// citations itself (`--typst-citations`), prints with the same label:
/// hayagriva run as typst runs it. Empty when the source does something
/// with citations this pass cannot follow.
pub fn typst_collisions(source: &str, bib_path: &str, library: &Library, lang: &str, cache: &Cache) -> Vec<Collision> {
    let Ok(Some(found)) = find(source, bib_path, library, lang, None, cache) else { return Vec::new() };
    let csl = &found.style.csl;
    let mut driver = BibliographyDriver::new();
    for group in &found.scan.groups {
        driver.citation(found.request(group, library, csl));
    }
    if found.bib().full {
        for entry in library.iter() {
            driver.citation(found.hidden(entry, csl));
        }
    }
    let rendered = driver.finish(found.bibliography_request(csl));
    let (Some(list), Some(no_suffix)) = (&rendered.bibliography, &found.style.no_suffix) else { return Vec::new() };
    let listed: Vec<&str> = list.items.iter().map(|i| i.key.as_str()).collect();
    let labels = Labels::assign(library, &listed, &[], no_suffix, &found.locale, &found.locales);
    let printed: HashMap<&str, Option<String>> =
        list.items.iter().map(|i| (i.key.as_str(), year_suffix::printed_suffix(&i.content))).collect();
    labels.collisions(listed.iter().copied(), |key| printed.get(key).cloned().flatten())
}

/// A source's citations and its bibliography call, with what hayagriva
/// needs to format them.
struct Found {
    scan: Scan,
    style: Arc<Style>,
    locale: LocaleCode,
    locales: Arc<Vec<citationberg::Locale>>,
}

impl Found {
    fn bib(&self) -> &BibCall {
        &self.scan.bibs[0]
    }

    /// The request for one group of citations.
    fn request<'a>(
        &'a self,
        group: &'a Group,
        library: &'a Library,
        csl: &'a IndependentStyle,
    ) -> CitationRequest<'a, hayagriva::Entry> {
        let items = group
            .cites
            .iter()
            .map(|cite| {
                let entry = library.get(&cite.key).expect("checked by `find`");
                let transparent = cite.supplement.as_ref().map(|s| {
                    SpecificLocator(
                        citationberg::taxonomy::Locator::Custom,
                        LocatorPayload::Transparent(TransparentLocator::new(s.clone())),
                    )
                });
                let pages = cite
                    .page
                    .as_deref()
                    .map(|p| SpecificLocator(citationberg::taxonomy::Locator::Page, LocatorPayload::Str(p)));
                let locator = pages.or(transparent);
                CitationItem::new(entry, locator, None, cite.form == Form::Hidden, cite.form.purpose())
            })
            .collect();
        CitationRequest::new(items, csl, Some(self.locale.clone()), &self.locales, None)
    }

    /// A citation that only puts `entry` in the bibliography.
    fn hidden<'a>(
        &'a self,
        entry: &'a hayagriva::Entry,
        csl: &'a IndependentStyle,
    ) -> CitationRequest<'a, hayagriva::Entry> {
        let item = CitationItem::new(entry, None, None, true, None);
        CitationRequest::new(vec![item], csl, Some(self.locale.clone()), &self.locales, None)
    }

    fn bibliography_request<'a>(&'a self, csl: &'a IndependentStyle) -> BibliographyRequest<'a> {
        BibliographyRequest { style: csl, locale: Some(self.locale.clone()), locale_files: &self.locales }
    }
}

/// Scans `source` for citations and its one bibliography: `Ok(None)` when
/// it has neither, `Err` when typst must format them.
fn find(
    source: &str,
    bib_path: &str,
    library: &Library,
    lang: &str,
    style_file: Option<&ReadStyle<'_>>,
    cache: &Cache,
) -> Result<Option<Found>, Bail> {
    // Cheap exit for outputs that cite nothing.
    if !source.contains("cite") && !source.contains("bibliography") && !source.contains('@') {
        return Ok(None);
    }
    let root = typst::syntax::parse(source);
    let mut scan = Scan::default();
    walk(&LinkedNode::new(&root), library, &mut scan);
    if scan.opaque || scan.handled_idents != scan.all_idents {
        return Err(());
    }
    if scan.groups.is_empty() && scan.bibs.is_empty() {
        return Ok(None);
    }
    // One bibliography, as the templates write it; anything else is typst's.
    let [bib] = scan.bibs.as_slice() else { return Err(()) };
    if bib.path != bib_path {
        return Err(());
    }
    let style = match cache.archived(&bib.style) {
        Some(style) => style,
        None => style_file.and_then(|read| cache.file(&bib.style, read)).ok_or(())?,
    };
    if scan.groups.iter().flat_map(|g| &g.cites).any(|c| library.get(&c.key).is_none()) {
        return Err(());
    }
    Ok(Some(Found { scan, style, locale: LocaleCode(lang.to_string()), locales: cache.locales(lang) }))
}

fn try_format(source: &str, bib_path: &str, library: &Library, options: &Options) -> Result<Option<Pass>, Bail> {
    let Some(found) = find(source, bib_path, library, options.lang, options.style_file, options.cache)? else {
        return Ok(None);
    };
    let scan = &found.scan;
    let bib = found.bib();
    let style = &found.style;

    // Citations that hayagriva sees alike (the same keys and forms, with
    // or without a supplement) get the same text from it unless the style
    // looks at their position: each is formatted once, and each group's own
    // supplements and prefixes are put in when it is written.
    let mut unique: Vec<&Group> = Vec::new();
    let mut index_of: HashMap<Vec<CiteKey>, usize> = HashMap::new();
    let shown_as: Vec<usize> = scan
        .groups
        .iter()
        .map(|group| {
            if style.positional {
                unique.push(group);
                return unique.len() - 1;
            }
            *index_of.entry(group.key()).or_insert_with(|| {
                unique.push(group);
                unique.len() - 1
            })
        })
        .collect();

    let run = || run_hayagriva(&found, library, &unique, options);
    let formatted = match options.library_id {
        Some(id) => {
            let groups: Vec<Vec<CiteKey>> = unique.iter().map(|g| g.key()).collect();
            let key = typst::utils::hash128(&(id, &found.style.key, bib.full, options.lang, options.works, groups));
            options.cache.formatted(key, run)?
        }
        None => Arc::new(run()?),
    };
    let Formatted { citations, list, collisions } = &*formatted;
    let text = write(source, &found, citations, &shown_as, list, library, options)?;
    let outcome = Outcome::Formatted { groups: scan.groups.len(), entries: list.items.len() };
    Ok(Some(Pass { text, outcome, collisions: collisions.clone() }))
}

/// Runs hayagriva over the `unique` groups of `found`, with the project's
/// year-suffix letters for a style that letters works of one author and
/// year.
fn run_hayagriva(found: &Found, library: &Library, unique: &[&Group], options: &Options) -> Result<Formatted, Bail> {
    let scan = &found.scan;
    let bib = found.bib();
    let style = &found.style;
    // The works this output lists, and, for a style that letters works of
    // one author and year, the project's letters.
    let own: HashSet<&str> = match bib.full {
        true => library.keys().collect(),
        false => scan.groups.iter().flat_map(|g| &g.cites).map(|c| c.key.as_str()).collect(),
    };
    // The project's letters, made with this style when it letters works of
    // one author and year, else with [`LETTERS_STYLE`]'s.
    let letters_from = match &style.no_suffix {
        Some(_) => Some(style.clone()),
        None => options.cache.archived(LETTERS_STYLE).filter(|s| s.no_suffix.is_some()),
    };
    // The works lettered over: the project's, then those this output
    // lists beyond them. The letters themselves are asked for after
    // hayagriva's run, while another thread makes them.
    let letter_works = letters_from.map(|from| {
        let mut extra: Vec<&str> = own.iter().copied().filter(|k| !options.works.iter().any(|w| w == k)).collect();
        extra.sort_unstable();
        let works = options.works.iter().map(String::as_str).chain(extra.iter().copied()).collect::<Vec<_>>();
        (from, extra, works)
    });
    let csl = style.no_suffix.as_ref().unwrap_or(&style.csl);

    let mut driver = BibliographyDriver::new();
    for group in unique {
        driver.citation(found.request(group, library, csl));
    }
    // The project's works that could share a name with this output's go
    // through the driver too (last, so that no citation's position
    // changes), so names are told apart as in every other output; the list
    // keeps this output's own. (A work with no family name in common with
    // this output's cannot change how its names print.)
    let names: HashSet<&str> =
        own.iter().filter_map(|key| library.get(key)).flat_map(year_suffix::family_names).collect();
    let shares_a_name = |key: &&str| {
        own.contains(key) || library.get(key).is_some_and(|e| year_suffix::family_names(e).any(|n| names.contains(n)))
    };
    let all: Vec<&str> = match &letter_works {
        Some((_, _, works)) if style.no_suffix.is_some() => works.iter().copied().filter(shares_a_name).collect(),
        _ if bib.full => library.keys().collect(),
        _ => Vec::new(),
    };
    for entry in all.into_iter().filter_map(|key| library.get(key)) {
        driver.citation(found.hidden(entry, csl));
    }
    let mut rendered = driver.finish(found.bibliography_request(csl));
    let lettered = letter_works.and_then(|(from, extra, works)| {
        project_letters(&from, library, &extra, &found.locale, &found.locales, options).map(|l| (works, l))
    });
    let Some(list) = &mut rendered.bibliography else { return Err(()) };
    list.items.retain(|item| own.contains(item.key.as_str()));
    let mut collisions = Vec::new();
    let no_date = year_suffix::no_date_term(&found.locales, &found.locale);
    if let Some((_, labels)) = &lettered {
        let mut lettered_here: HashMap<String, String> = HashMap::new();
        for item in &mut list.items {
            if let Some(n) = labels.letter(&item.key)
                && year_suffix::add_suffix(&mut item.content, n, no_date.as_deref())
            {
                lettered_here.insert(item.key.clone(), year_suffix::letter_text(n));
            }
        }
        for (citation, group) in rendered.citations.iter_mut().zip(unique) {
            let letter = |i: usize| group.cites.get(i).and_then(|c| labels.letter(&c.key));
            year_suffix::add_to_citation(&mut citation.citation, &letter, no_date.as_deref());
        }
        collisions = labels.collisions(list.items.iter().map(|i| i.key.as_str()), |k| lettered_here.get(k).cloned());
    }
    let list = rendered.bibliography.expect("checked above");
    Ok(Formatted { citations: rendered.citations, list, collisions })
}
#[cfg(test)]
mod tests {
    use super::write::without_year_comma;
    use super::*;
    use crate::markup::escape::escape_text;

    const BIB: &str = r#"
@book{virtanen2019, author = {Virtanen, Anna}, title = {Verkostot}, year = {2019}, publisher = {Gaudeamus}}
@book{virtanen2019b, author = {Virtanen, Anna}, title = {Alueet}, year = {2019}, publisher = {Gaudeamus}}
@report{tem2018, author = {{Työ- ja elinkeinoministeriö}}, title = {Alueiden kehittäminen}, year = {2018}}
"#;

    fn library() -> Library {
        hayagriva::io::from_biblatex_str(BIB).unwrap()
    }

    fn run(source: &str) -> (String, Outcome) {
        let pass = format(
            source,
            "/report/references.bib",
            &library(),
            &Options { link: true, ..Options::plain("fi", &[], &Cache::default()) },
        );
        (pass.text, pass.outcome)
    }

    const BIBCALL: &str = "#bibliography(\"/report/references.bib\", title: none, style: \"apa\")";

    #[test]
    fn formats_groups_and_the_list() {
        let src = format!(
            "Teksti #cite(label(\"virtanen2019\"), supplement: [s. 12])#cite(label(\"tem2018\")) ja \
             #cite(label(\"virtanen2019b\"), form: \"prose\") sekä @tem2018.\n\n{BIBCALL}\n"
        );
        let (out, outcome) = run(&src);
        assert_eq!(outcome, Outcome::Formatted { groups: 3, entries: 3 });
        assert!(!out.contains("#cite("), "{out}");
        assert!(!out.contains("#bibliography("), "{out}");
        assert_eq!(out.lines().count(), src.lines().count(), "lines must stay where they were");
        // The supplement where the locator goes; the prose form. The two
        // works of 2019 are lettered by title (Alueet, Verkostot), though
        // no two of their citations read alike.
        assert!(out.contains("Virtanen, 2019b, #[s. 12]"), "{out}");
        assert!(out.contains("Virtanen (2019a)"), "{out}");
        assert!(out.contains("#label(\"kooste-bib-tem2018\")"), "{out}");
        assert!(out.contains("#link(label(\"kooste-bib-virtanen2019\"))"), "{out}");
        // Still Typst that parses.
        assert!(typst::syntax::parse(&out).errors_and_warnings().0.is_empty(), "{out}");
    }

    #[test]
    fn groups_that_differ_in_supplement_or_prefix_keep_their_own() {
        // Formatted once by hayagriva (the same key, form and a
        // supplement), written with each group's own supplement and prefix.
        let src = format!(
            "Yksi #cite(<virtanen2019>, supplement: [s. 5]). \
             Kaksi #kooste-cite-prefix[ks.]#cite(<virtanen2019>, supplement: [s. 7]). \
             Kolme #cite(<virtanen2019>, supplement: [luku 2]).\n\n{BIBCALL}\n"
        );
        let (out, outcome) = run(&src);
        assert_eq!(outcome, Outcome::Formatted { groups: 3, entries: 1 });
        let plain = out.replace("#[", "").replace("];", "").replace(']', "");
        let at = |needle: &str| plain.find(needle).unwrap_or_else(|| panic!("{needle} not in {plain}"));
        assert!(at("Yksi") < at("s. 5") && at("s. 5") < at("Kaksi"), "{plain}");
        assert!(at("Kaksi") < at("(ks. ") && at("(ks. ") < at("s. 7") && at("s. 7") < at("Kolme"), "{plain}");
        assert!(at("Kolme") < at("luku 2"), "{plain}");
        assert_eq!(plain.matches("ks.").count(), 1, "{plain}");
        assert!(typst::syntax::parse(&out).errors_and_warnings().0.is_empty(), "{out}");
    }

    #[test]
    fn prefixes_go_inside_the_parentheses() {
        let src = format!(
            "Teksti #kooste-cite-prefix[ks.]#cite(label(\"tem2018\"))#kooste-cite-prefix[myös]#cite(label(\"virtanen2019\"), supplement: [s. 3]). \
             Erikseen #kooste-cite-prefix[vrt.] ilman viitettä.\n\n{BIBCALL}\n"
        );
        let (out, outcome) = run(&src);
        assert_eq!(outcome, Outcome::Formatted { groups: 1, entries: 2 });
        assert!(!out.contains("#kooste-cite-prefix[ks.]") && !out.contains("#kooste-cite-prefix[myös]"), "{out}");
        let plain = out.replace("#[", "").replace("];", "").replace(']', "");
        assert!(plain.contains("(ks. "), "{out}");
        assert!(plain.contains("; myös "), "{out}");
        // A prefix with no citation after it is left for typst to print.
        assert!(out.contains("#kooste-cite-prefix[vrt.]"), "{out}");
        assert!(typst::syntax::parse(&out).errors_and_warnings().0.is_empty(), "{out}");
    }

    #[test]
    fn a_suppressed_author_in_a_group_keeps_the_groups_parentheses() {
        // Pandoc's `[-@virtanen2019, s. 4; @tem2018]`: one group, sorted,
        // the first work's authors left out, "(TEM, 2018; 2019, s. 4)".
        let src = format!(
            "Yksi #kooste-cite-year(cite(label(\"virtanen2019\"), supplement: [s. 4]))#cite(label(\"tem2018\")). \
             Kaksi #cite(label(\"tem2018\"))#kooste-cite-year(cite(label(\"virtanen2019\"))).\n\n{BIBCALL}\n"
        );
        let (out, outcome) = run(&src);
        assert_eq!(outcome, Outcome::Formatted { groups: 2, entries: 2 });
        // The text as printed: no links to the entries, no markup.
        let mut plain = out.replace("\\-", "-");
        while let Some(at) = plain.find("#link(label(") {
            let end = at + plain[at..].find(")[").expect("a link's body") + 2;
            plain.replace_range(at..end, "");
        }
        let plain = plain.replace("#[", "").replace("];", "").replace(']', "");
        assert!(plain.contains("Yksi (Työ- ja elinkeinoministeriö, 2018; 2019, s. 4)"), "{plain}");
        assert!(plain.contains("Kaksi (Työ- ja elinkeinoministeriö, 2018; 2019)"), "{plain}");
        assert_eq!(plain.matches("Virtanen").count(), 1, "only in the list: {plain}");
        assert!(!out.contains("kooste-cite-year"), "{out}");
        assert!(typst::syntax::parse(&out).errors_and_warnings().0.is_empty(), "{out}");
    }

    #[test]
    fn page_locators_get_the_styles_label() {
        // Pandoc reads `[@key, 33-35]` as pages; the style prints their
        // label in the document's language.
        let src = format!(
            "Yksi #cite(label(\"virtanen2019\"), supplement: [#kooste-page(\"33–35\")[33–35]]). \
             Kaksi #cite(label(\"virtanen2019\"), supplement: [#kooste-page(\"7\")[7]]). \
             Kolme #cite(label(\"virtanen2019\"), supplement: [33 ja 35]).\n\n{BIBCALL}\n"
        );
        for (lang, one, two) in [("fi", "2019, s.~33–35)", "2019, s.~7)"), ("en", "2019, pp.~33–35)", "2019, p.~7)")]
        {
            let text =
                format(&src, "/report/references.bib", &library(), &Options::plain(lang, &[], &Cache::default())).text;
            let plain = text.replace("#[", "").replace("];", "").replace(']', "");
            assert!(plain.contains(&format!("Yksi (Virtanen, {one}")), "{lang}: {plain}");
            assert!(plain.contains(&format!("Kaksi (Virtanen, {two}")), "{lang}: {plain}");
            // Anything else after the number is the author's text, as written.
            assert!(plain.contains("Kolme (Virtanen, 2019, 33 ja 35)"), "{lang}: {plain}");
            assert!(!text.contains("kooste-page"), "{text}");
            // Never a line break between the label and the number.
            assert!(!plain.contains(". 7)") && !plain.contains(". 33"), "{lang}: {plain}");
        }
    }

    #[test]
    fn suffixes_follow_their_item_and_affixed_items_keep_their_place() {
        // Pandoc's `[@virtanen2019 ja muut; @tem2018]`: the suffix right
        // after its item, no delimiter before it; and, as citeproc sorts
        // only runs of items without a prefix or suffix, the item with one
        // stays first, where APA's sort would put TEM first.
        let src = format!(
            "Yksi #cite(label(\"virtanen2019\"))#kooste-cite-suffix[ ja muut]#cite(label(\"tem2018\")). \
             Kaksi #kooste-cite-prefix[ks.]#cite(label(\"virtanen2019\"))#cite(label(\"tem2018\")). \
             Kolme #cite(label(\"virtanen2019\"))#cite(label(\"tem2018\")).\n\n{BIBCALL}\n"
        );
        let text =
            format(&src, "/report/references.bib", &library(), &Options::plain("fi", &[], &Cache::default())).text;
        let plain = text.replace("#[", "").replace("];", "").replace(']', "").replace("\\-", "-");
        assert!(plain.contains("Yksi (Virtanen, 2019 ja muut; Työ- ja elinkeinoministeriö, 2018)"), "{plain}");
        assert!(plain.contains("Kaksi (ks. Virtanen, 2019; Työ- ja elinkeinoministeriö, 2018)"), "{plain}");
        assert!(plain.contains("Kolme (Työ- ja elinkeinoministeriö, 2018; Virtanen, 2019)"), "{plain}");
        assert!(!text.contains("kooste-cite-suffix"), "{text}");
        assert!(typst::syntax::parse(&text).errors_and_warnings().0.is_empty(), "{text}");
    }

    #[test]
    fn a_title_in_another_language_carries_it() {
        let bib = "@online{r, author = {{Reglab}}, title = {Reglab fortsätter}, year = {2018}, langid = {swedish}}\n\
                   @online{t, author = {{TEM}}, title = {Maakuntien suunnittelu}, year = {2019}}\n";
        let lib = hayagriva::io::from_biblatex_str(bib).unwrap();
        let src = format!("[@r; @t]\n{BIBCALL}\n");
        let pass = format(&src, "/report/references.bib", &lib, &Options::plain("fi", &[], &Cache::default()));
        assert!(pass.text.contains("#text(lang: \"sv\")[Reglab fortsätter];"), "{}", pass.text);
        // The Finnish entry, and the rest of the Swedish one, are the document's.
        assert_eq!(pass.text.matches("#text(lang:").count(), 1, "{}", pass.text);
    }

    #[test]
    fn text_from_the_bibliography_is_escaped() {
        let bib = "@book{x, author = {Aho, A.}, title = {Hash #let x = 1 and $math$ _u_}, year = {2020}}\n";
        let lib = hayagriva::io::from_biblatex_str(bib).unwrap();
        let src = format!("@x\n{BIBCALL}\n");
        let Pass { text: out, outcome, .. } =
            format(&src, "/report/references.bib", &lib, &Options::plain("fi", &[], &Cache::default()));
        assert!(matches!(outcome, Outcome::Formatted { .. }));
        assert!(out.contains("\\#let"), "{out}");
        assert!(!out.contains("#link("), "links only when asked for: {out}");
        assert!(typst::syntax::parse(&out).errors_and_warnings().0.is_empty(), "{out}");
    }

    #[test]
    fn bibliography_text_keeps_acronyms_and_spaced_compounds_whole() {
        // The line-break rules of author text hold in the list and in
        // citations too: an acronym never breaks, nor a spaced compound at
        // its space or after its hyphen.
        let bib = "@online{a, author = {{Valtioneuvosto}}, title = {VALUMA ja Avoimet palvelut -haku}, year = {2019}, langid = {finnish}}\n";
        let lib = hayagriva::io::from_biblatex_str(bib).unwrap();
        let src = format!("@a\n{BIBCALL}\n");
        let out = format(&src, "/report/references.bib", &lib, &Options::plain("fi", &[], &Cache::default())).text;
        assert!(out.contains("#text(hyphenate: false)[VALUMA];"), "{out}");
        assert!(out.contains("palvelut\u{a0}-\u{2060}haku"), "{out}");
        assert!(typst::syntax::parse(&out).errors_and_warnings().0.is_empty(), "{out}");
    }

    #[test]
    fn web_pages_with_only_a_year_get_no_stray_comma() {
        let bib = "@online{w, author = {{TEM}}, title = {Sivu}, year = {2019}, url = {https://tem.fi}}\n\
                   @online{v, author = {{TEM}}, title = {Toinen}, year = {2019}, url = {https://tem.fi/2}}\n";
        let lib = hayagriva::io::from_biblatex_str(bib).unwrap();
        let src = format!("[@w] @v\n{BIBCALL}\n");
        let out = format(&src, "/report/references.bib", &lib, &Options::plain("fi", &[], &Cache::default())).text;
        assert!(out.contains("(2019a)") && out.contains("(2019b)"), "{out}");
        assert!(!out.contains(",)"), "{out}");
        assert_eq!(
            without_year_comma("x (2019,). (2019b,) (20,) (abcd,) (2019, 3. maaliskuuta)"),
            "x (2019). (2019b) (20,) (abcd,) (2019, 3. maaliskuuta)"
        );
    }

    #[test]
    fn left_to_typst_when_it_cannot_see_through() {
        for src in [
            format!("#show cite: it => it\n#cite(<tem2018>)\n{BIBCALL}"),
            format!("#let k = \"tem2018\"\n#cite(label(k))\n{BIBCALL}"),
            format!("#cite(<nosuch>)\n{BIBCALL}"),
            format!("#cite(<tem2018>)\n{BIBCALL}\n{BIBCALL}"),
            "#cite(<tem2018>)\n#bibliography(\"/report/references.bib\", style: \"my.csl\")".to_string(),
            format!("#let c = cite\n#c(<tem2018>)\n{BIBCALL}"),
        ] {
            let (out, outcome) = run(&src);
            assert_eq!(outcome, Outcome::LeftToTypst, "{src}");
            assert_eq!(out, src);
        }
    }

    mod prop {
        use proptest::prelude::*;

        use super::*;

        /// Pieces of generated Typst around citations: text with special
        /// characters, cites in every form, references, code, blocks.
        fn piece() -> impl Strategy<Value = String> {
            prop_oneof![
                "[a-zA-Z0-9 .,;:()\\[\\]#$*_@<>=/-]{0,12}".prop_map(|t| escape_text(&t, false)),
                Just("#cite(label(\"tem2018\"))".to_string()),
                Just("#cite(<virtanen2019>, form: \"prose\")".to_string()),
                Just("#cite(label(\"virtanen2019b\"), supplement: [s. 1])".to_string()),
                Just("#cite(<tem2018>, form: none)".to_string()),
                Just("@tem2018".to_string()),
                Just("@sec-x".to_string()),
                Just(";".to_string()),
                Just(" ".to_string()),
                Just("\n".to_string()),
                Just("\n\n".to_string()),
                Just("#emph[".to_string()),
                Just("]".to_string()),
                Just("#{ cite(<tem2018>) }".to_string()),
                Just("(".to_string()),
                Just("[x]".to_string()),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
            /// Whatever surrounds them, formatting never panics, keeps every
            /// line where it was, and leaves Typst that parses when the input
            /// parsed.
            #[test]
            fn formats_anything(pieces in proptest::collection::vec(piece(), 0..24)) {
                let src = format!("{}\n{BIBCALL}\n", pieces.concat());
                let (out, outcome) = run(&src);
                prop_assert_eq!(out.lines().count(), src.lines().count());
                let parsed_before = typst::syntax::parse(&src).errors_and_warnings().0.is_empty();
                if parsed_before {
                    prop_assert!(typst::syntax::parse(&out).errors_and_warnings().0.is_empty(), "{}", out);
                }
                if parsed_before && matches!(outcome, Outcome::Formatted { .. }) {
                    prop_assert!(!out.contains("#cite("), "{}", out);
                }
            }
        }
    }

    #[test]
    fn nothing_to_do() {
        let (out, outcome) = run("= Otsikko\n\nTeksti @sec-intro ja <x>.\n");
        assert_eq!(outcome, Outcome::Nothing);
        assert_eq!(out, "= Otsikko\n\nTeksti @sec-intro ja <x>.\n");
    }

    #[test]
    fn hidden_and_code_mode_citations() {
        let src = format!("#{{ cite(<tem2018>) }} #cite(<virtanen2019>, form: none)\n{BIBCALL}\n");
        let (out, outcome) = run(&src);
        assert!(matches!(outcome, Outcome::Formatted { entries: 2, .. }), "{outcome:?} {out}");
        assert!(out.contains("#{ ["), "{out}");
        assert!(out.contains("#[]"), "{out}");
        assert!(typst::syntax::parse(&out).errors_and_warnings().0.is_empty(), "{out}");
    }
}
