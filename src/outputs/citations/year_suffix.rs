//! Year suffixes for the one bibliography a project's outputs share: the
//! works that print the same author and year ("Reglab, 2019") become
//! 2019a, 2019b, … in the order of the reference list, lettered once over
//! every work the project cites, so the report, the brief and each case
//! sheet print the same label for a work whatever else they cite; and the
//! check that no reference list prints one label for two works.
//!
//! hayagriva 0.10.1, which typst 0.15 formats citations with, cannot be
//! left to do this. `BibliographyDriver::finish` disambiguates in at most
//! three rounds, and in each round, once it has changed anything for one
//! group of ambiguous citations, every later group skips its year-suffix
//! step (the "changed" map is shared by the groups). In a document with more
//! than three groups of same-author same-year works only the first ones in
//! citation order get letters (typst/hayagriva#507, fixed after 0.10.1):
//! the study's report has twelve such groups. A document with one group, as
//! a minimal test with only the Reglab entries, is lettered correctly. The
//! letters it does give follow the order in which that document first
//! cites the works, not the reference list (typst/hayagriva#469), so the
//! brief, citing them in another order, letters them differently.
//!
//! So the style's own year-suffix step is switched off
//! ([`without_year_suffix`]) and the letters are written into hayagriva's
//! output after each work's first date: where CSL styles, APA's
//! `date-intext` and `date-bib` among them, print `<text
//! variable="year-suffix"/>`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use hayagriva::citationberg::{self, IndependentStyle, LocaleCode, TermForm};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, Elem, ElemChild, ElemChildren, ElemMeta,
    Formatted, Formatting, Library,
};

/// `style` without its year-suffix disambiguation, which [`Suffixes`]
/// replaces.
pub(super) fn without_year_suffix(style: &IndependentStyle) -> IndependentStyle {
    let mut style = style.clone();
    style.citation.disambiguate_add_year_suffix = false;
    style
}

/// The [`Labels`] made so far, by the works they letter (a hash of the
/// bibliography's text and the project's cited works), style, language and
/// the works an output lists beyond those: every output of a run letters
/// the shared works alike, so they are lettered once, and a watch build
/// whose works did not change letters nothing again. At most
/// [`CACHED_LABELS`]; when full it starts afresh.
#[derive(Debug, Default)]
pub struct LabelCache(Mutex<HashMap<LabelKey, Arc<Labels>>>);

/// A [`LabelCache`] key: scope, style, language and the extra works.
type LabelKey = (u128, String, String, Vec<String>);

const CACHED_LABELS: usize = 16;

impl LabelCache {
    /// The labels for `scope`, `style`, `lang` and `extra`, made by `assign`
    /// the first time. The lock is held meanwhile: outputs that want the
    /// same labels wait for them rather than make them again.
    pub(super) fn get(
        &self,
        scope: u128,
        style: &str,
        lang: &str,
        extra: &[&str],
        assign: impl FnOnce() -> Labels,
    ) -> Arc<Labels> {
        let key = (scope, style.to_string(), lang.to_string(), extra.iter().map(|k| k.to_string()).collect());
        let mut cache = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !cache.contains_key(&key) && cache.len() >= CACHED_LABELS {
            cache.clear();
        }
        cache.entry(key).or_insert_with(|| Arc::new(assign())).clone()
    }
}

/// What a [`LabelCache`] scope names: the bibliography (by its text's hash,
/// when known) and the project's cited works.
pub(super) fn scope(library_id: Option<u128>, works: &[String]) -> u128 {
    typst::utils::hash128(&(library_id, works))
}

/// The family names of a work's authors and editors: the names the style
/// may tell apart by adding given names.
pub(super) fn family_names(entry: &hayagriva::Entry) -> impl Iterator<Item = &str> {
    let authors = entry.authors().unwrap_or_default().iter();
    let editors = entry.editors().unwrap_or_default().iter();
    authors.chain(editors).map(|person| person.name.as_str())
}

/// The works' labels: each one's in-text citation without a suffix
/// ("(Reglab, 2019)"), and the letter of each that shares its label with
/// others: 0 for `a`, 1 for `b`, …
#[derive(Debug, Default)]
pub(super) struct Labels {
    base: HashMap<String, String>,
    letters: HashMap<String, usize>,
}

impl Labels {
    /// Labels the works `shared` (every work the project cites) and `extra`
    /// (others an output lists, as with `full: true`) with the style `csl`,
    /// which must be [`without_year_suffix`].
    ///
    /// Each work is cited once, plainly, in one driver, so that names are
    /// told apart as in every output. Works with the same label are lettered
    /// in the order of the reference list (APA: by title), the shared ones
    /// first, so that an output's extra works never move a shared work's
    /// letter. Undated works get theirs after the locale's "n.d.".
    pub(super) fn assign(
        library: &Library,
        shared: &[&str],
        extra: &[&str],
        csl: &IndependentStyle,
        locale: &LocaleCode,
        locales: &[citationberg::Locale],
    ) -> Labels {
        let mut seen = HashSet::new();
        let works: Vec<&str> =
            shared.iter().chain(extra).copied().filter(|key| library.get(key).is_some() && seen.insert(*key)).collect();
        // Works that share no name cannot share a label nor change how each
        // other's names print: each group of works linked by a name is cited
        // in a driver of its own. (Within a group the reference list's order
        // is the full list's: a style sorts two works by their own fields.)
        // One group after another, never on rayon's pool: [`LabelCache`]
        // runs this under its lock, and a rayon worker that stole another
        // output's job while holding it would wait for itself.
        let groups = name_groups(library, &works);
        let rendered: Vec<Vec<(&str, ElemChildren, usize)>> = groups
            .iter()
            .map(|keys| {
                let mut driver = BibliographyDriver::new();
                for key in keys {
                    let entry = library.get(key).expect("filtered above");
                    let item = CitationItem::new(entry, None, None, false, None);
                    driver.citation(CitationRequest::new(vec![item], csl, Some(locale.clone()), locales, None));
                }
                let request = BibliographyRequest { style: csl, locale: Some(locale.clone()), locale_files: locales };
                let rendered = driver.finish(request);
                let order: HashMap<&str, usize> = match &rendered.bibliography {
                    Some(list) => list.items.iter().enumerate().map(|(i, item)| (item.key.as_str(), i)).collect(),
                    None => HashMap::new(),
                };
                keys.iter()
                    .zip(rendered.citations)
                    .map(|(key, citation)| (*key, citation.citation, order.get(key).copied().unwrap_or(usize::MAX)))
                    .collect()
            })
            .collect();
        let rendered: Vec<(&str, ElemChildren, usize)> = rendered.into_iter().flatten().collect();
        let order: HashMap<&str, usize> = rendered.iter().map(|(key, _, at)| (*key, *at)).collect();
        let shared: HashSet<&str> = shared.iter().copied().collect();
        let mut labels = Labels::default();
        for (key, citation, _) in &rendered {
            labels.base.insert(key.to_string(), format!("{citation:#}"));
        }
        // Undated works are lettered too: "n.d.-a", "n.d.-b" (APA 7, 8.19).
        let mut by_label: HashMap<&str, Vec<&str>> = HashMap::new();
        for (key, _, _) in &rendered {
            by_label.entry(labels.base[*key].as_str()).or_default().push(key);
        }
        for mut same in by_label.into_values().filter(|keys| keys.len() > 1) {
            same.sort_by_key(|key| (!shared.contains(key), order.get(key).copied().unwrap_or(usize::MAX), *key));
            for (i, key) in same.into_iter().enumerate() {
                labels.letters.insert(key.to_string(), i);
            }
        }
        labels
    }

    /// The letter of `key`'s work, if it shares its label with others.
    pub(super) fn letter(&self, key: &str) -> Option<usize> {
        self.letters.get(key).copied()
    }

    /// The works of a reference list (`listed`, in its order) that print
    /// the same label: the same citation and the same suffix (`printed`).
    pub(super) fn collisions<'a>(
        &self,
        listed: impl IntoIterator<Item = &'a str>,
        printed: impl Fn(&str) -> Option<String>,
    ) -> Vec<Collision> {
        let mut first_with: HashMap<(&str, Option<String>), &str> = HashMap::new();
        let mut found = Vec::new();
        for key in listed {
            let Some(base) = self.base.get(key) else { continue };
            let suffix = printed(key);
            let label = match &suffix {
                Some(suffix) => format!("{base}, lettered {suffix}"),
                None => base.clone(),
            };
            match first_with.get(&(base.as_str(), suffix.clone())) {
                Some(first) => found.push(Collision { first: first.to_string(), second: key.to_string(), label }),
                None => {
                    first_with.insert((base, suffix), key);
                }
            }
        }
        found
    }
}

/// `works` in groups linked by a shared family name of an author or editor,
/// or, for a work with neither, its publisher (what a style prints in their
/// place): each group in the order of `works`, the groups in the order of
/// their first work.
fn name_groups<'a>(library: &Library, works: &[&'a str]) -> Vec<Vec<&'a str>> {
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut parent: Vec<usize> = (0..works.len()).collect();
    let mut first_with: HashMap<String, usize> = HashMap::new();
    for (i, key) in works.iter().enumerate() {
        let Some(entry) = library.get(key) else { continue };
        let mut names: Vec<String> = family_names(entry).map(str::to_string).collect();
        if names.is_empty() {
            names.extend(entry.publisher().and_then(|p| p.name()).map(|n| n.to_string()));
        }
        for name in names {
            match first_with.get(&name) {
                Some(&j) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a.max(b)] = a.min(b);
                }
                None => {
                    first_with.insert(name, i);
                }
            }
        }
    }
    let mut groups: Vec<Vec<&'a str>> = Vec::new();
    let mut group_of: HashMap<usize, usize> = HashMap::new();
    for (i, key) in works.iter().enumerate() {
        let r = root(&mut parent, i);
        let g = *group_of.entry(r).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(key);
    }
    groups
}

/// U+2060: no line break between "n.d.-" and its letter.
const WORD_JOINER: char = '\u{2060}';

/// An undated work's letter as APA writes it after "n.d.": `-a`, kept on
/// the line with its term.
fn dashed_letter(n: usize) -> String {
    format!("-{WORD_JOINER}{}", letter_text(n))
}

/// `a`, `b`, … `z`, `aa`, `ab`, …: hayagriva's letters.
pub(super) fn letter_text(mut n: usize) -> String {
    let mut out = String::new();
    loop {
        out.insert(0, (b'a' + (n % 26) as u8) as char);
        if n < 26 {
            return out;
        }
        n = (n - 26) / 26;
    }
}

/// Writes the year suffix of every item of a rendered citation; `letter`
/// gives it by the item's index in the citation. `no_date` is the locale's
/// "n.d." for undated works.
pub(super) fn add_to_citation(
    children: &mut ElemChildren,
    letter: &dyn Fn(usize) -> Option<usize>,
    no_date: Option<&str>,
) {
    for child in &mut children.0 {
        if let ElemChild::Elem(elem) = child {
            match elem.meta {
                Some(ElemMeta::Entry(i)) => {
                    let Some(n) = letter(i) else { continue };
                    // An undated work in a run of one author's works
                    // ("Org, 2019; n.d.-a") prints nothing of its own
                    // where a dated one prints its year: its term.
                    if !add_suffix(&mut elem.children, n, no_date)
                        && let Some(term) = no_date.filter(|_| format!("{:#}", elem.children).trim().is_empty())
                    {
                        let text = format!("{term}{}", dashed_letter(n));
                        elem.children.0.push(ElemChild::Text(Formatted { text, formatting: Formatting::default() }));
                    }
                }
                _ => add_to_citation(&mut elem.children, letter, no_date),
            }
        }
    }
}

/// Writes letter `n` after the first date in `children`, or, for an
/// undated work, `-n` after the locale's "n.d." (APA's "n.d.-a"); false
/// when there is neither.
pub(super) fn add_suffix(children: &mut ElemChildren, n: usize, no_date: Option<&str>) -> bool {
    // The term first: an undated web page's only date is its access date,
    // which takes no letter.
    no_date.is_some_and(|term| add_after_term(children, n, term)) || add_after_date(children, n)
}

/// The locale's short "no date" term ("n.d.", "ei pvm."), from the locale
/// of `lang` or, without one, en-US's.
pub(super) fn no_date_term(locales: &[citationberg::Locale], lang: &LocaleCode) -> Option<String> {
    use citationberg::taxonomy::{OtherTerm, Term};
    let term = |locale: &citationberg::Locale| {
        let term = Term::Other(OtherTerm::NoDate);
        let found = locale.term(term, TermForm::Short).or_else(|| locale.term(term, TermForm::Long))?;
        found.single().map(str::to_string)
    };
    let primary = lang.0.split('-').next().unwrap_or_default();
    let of = |wanted: &dyn Fn(&str) -> bool| {
        locales.iter().filter(|l| l.lang.as_ref().is_some_and(|c| wanted(&c.0))).find_map(term)
    };
    of(&|code| code.split('-').next() == Some(primary)).or_else(|| of(&|code| code == "en-US"))
}

/// Writes `-n` right after the text `term` in `children`.
fn add_after_term(children: &mut ElemChildren, n: usize, term: &str) -> bool {
    for i in 0..children.0.len() {
        match &mut children.0[i] {
            ElemChild::Text(text) if text.text.contains(term) => {
                let at = text.text.find(term).expect("checked") + term.len();
                let rest = text.text.split_off(at);
                let formatting = text.formatting;
                let mut insert = vec![ElemChild::Text(Formatted { text: dashed_letter(n), formatting })];
                if !rest.is_empty() {
                    insert.push(ElemChild::Text(Formatted { text: rest, formatting }));
                }
                children.0.splice(i + 1..i + 1, insert);
                return true;
            }
            ElemChild::Elem(elem) => {
                let found = add_after_term(&mut elem.children, n, term);
                if found {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Writes letter `n` after the first date in `children`, as hayagriva
/// writes a `year-suffix` variable; false when there is no date.
fn add_after_date(children: &mut ElemChildren, n: usize) -> bool {
    for i in 0..children.0.len() {
        let ElemChild::Elem(elem) = &mut children.0[i] else { continue };
        if elem.meta == Some(ElemMeta::Date) {
            let formatting = last_formatting(&elem.children).unwrap_or_default();
            let suffix = Elem {
                children: ElemChildren(vec![ElemChild::Text(Formatted { text: letter_text(n), formatting })]),
                display: None,
                meta: Some(ElemMeta::Text),
            };
            children.0.insert(i + 1, ElemChild::Elem(suffix));
            return true;
        }
        if add_after_date(&mut elem.children, n) {
            return true;
        }
    }
    false
}

fn last_formatting(children: &ElemChildren) -> Option<Formatting> {
    children.0.iter().rev().find_map(|child| match child {
        ElemChild::Text(text) => Some(text.formatting),
        ElemChild::Elem(elem) => last_formatting(&elem.children),
        _ => None,
    })
}

/// Two works of one reference list that print the same label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    /// The work listed first.
    pub first: String,
    /// The work listed after it with the same label.
    pub second: String,
    /// The label both print ("(Reglab, 2019)").
    pub label: String,
}

/// The year suffix hayagriva printed in a rendered entry: the text element
/// right after its first date (`2019` `a`), or APA's `-a` after "n.d.".
pub(super) fn printed_suffix(content: &ElemChildren) -> Option<String> {
    fn after_date(children: &ElemChildren) -> Option<Option<String>> {
        for (i, child) in children.0.iter().enumerate() {
            let ElemChild::Elem(elem) = child else { continue };
            if elem.meta == Some(ElemMeta::Date) {
                return Some(match children.0.get(i + 1) {
                    Some(ElemChild::Elem(next)) if next.meta == Some(ElemMeta::Text) => {
                        Some(format!("{:#}", next.children)).filter(|t| is_letters(t))
                    }
                    _ => None,
                });
            }
            if let Some(found) = after_date(&elem.children) {
                return Some(found);
            }
        }
        None
    }
    fn dashed(children: &ElemChildren) -> Option<String> {
        children.0.iter().find_map(|child| match child {
            ElemChild::Elem(elem) if elem.meta == Some(ElemMeta::Text) => {
                let text = format!("{:#}", elem.children);
                let text = text.strip_prefix('-')?.trim_start_matches(WORD_JOINER);
                is_letters(text).then(|| text.to_string())
            }
            ElemChild::Elem(elem) => dashed(&elem.children),
            _ => None,
        })
    }
    // An undated work's letter follows its "n.d." (its only date may be
    // the access date, which has none after it).
    dashed(content).or_else(|| after_date(content).flatten())
}

fn is_letters(text: &str) -> bool {
    (1..=3).contains(&text.len()) && text.chars().all(|c| c.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::citations::{Cache, Options, format, typst_collisions};

    #[test]
    fn letters_as_hayagriva_writes_them() {
        let letters: Vec<String> = [0, 1, 25, 26, 27, 51, 52].into_iter().map(letter_text).collect();
        assert_eq!(letters, ["a", "b", "z", "aa", "ab", "az", "ba"]);
    }

    /// Five groups of works of one author and year, organisations and a
    /// person: more than the three hayagriva 0.10.1 letters in a document.
    const FAMILIES: &str = r#"
@report{tem2019paatos, author = {{TEM}}, title = {Aluekehittämispäätös}, year = {2019}}
@report{tem2019kasvu, author = {{TEM}}, title = {Kasvusopimukset}, year = {2019}}
@report{urbact2019networks, author = {{URBACT}}, title = {Networks}, year = {2019}}
@report{urbact2019manual, author = {{URBACT}}, title = {Programme manual}, year = {2019}}
@misc{finlex2014laki, author = {{Finlex}}, title = {Laki 7/2014}, year = {2014}}
@misc{finlex2014asetus, author = {{Finlex}}, title = {Asetus 356/2014}, year = {2014}}
@online{reglab2018fortsatter, author = {{Reglab}}, title = {Reglab fortsätter}, year = {2018}, url = {https://reglab.se/f}}
@online{reglab2019english, author = {{Reglab}}, title = {In English}, year = {2019}, url = {https://reglab.se/e}}
@online{reglab2019medlem, author = {{Reglab}}, title = {Medlemsansvarig i Reglab}, year = {2019}, url = {https://reglab.se/m}}
@online{reglab2019nya, author = {{Reglab}}, title = {Nya Reglabaktiviteter 2020}, year = {2019}, url = {https://reglab.se/n}}
@book{virtanen2019verkostot, author = {Virtanen, Anna}, title = {Verkostot}, year = {2019}, publisher = {Gaudeamus}}
@book{virtanen2019alueet, author = {Virtanen, Anna}, title = {Alueet}, year = {2019}, publisher = {Gaudeamus}}
@book{virtanen2019ceteris, author = {Virtanen, Anna}, title = {Ceteris paribus}, year = {2019}, publisher = {Gaudeamus}}
"#;

    const BIBCALL: &str = "#bibliography(\"/report/references.bib\", title: none, style: \"apa\")";

    /// The report cites the Reglab and Virtanen works after three other
    /// groups, each family out of title order; the brief cites three of them
    /// in yet another order.
    const REPORT: &str = "A @tem2019kasvu, b @tem2019paatos, c @urbact2019manual, d @urbact2019networks, \
        e #cite(<finlex2014laki>)#cite(<finlex2014asetus>), f #cite(<reglab2018fortsatter>)#cite(<reglab2019nya>)\
        #cite(<reglab2019english>)#cite(<reglab2019medlem>), g @virtanen2019verkostot, h @virtanen2019ceteris, \
        i @virtanen2019alueet, j #cite(<reglab2019english>, form: \"prose\").\n";
    const BRIEF: &str = "A @reglab2019nya, b @virtanen2019verkostot, c @reglab2019english ja.\n";

    /// Letters in the order of the reference list (by title).
    const EXPECTED: [(&str, &str, &str); 13] = [
        ("tem2019paatos", "2019", "a"),
        ("tem2019kasvu", "2019", "b"),
        ("urbact2019networks", "2019", "a"),
        ("urbact2019manual", "2019", "b"),
        ("finlex2014asetus", "2014", "a"),
        ("finlex2014laki", "2014", "b"),
        ("reglab2018fortsatter", "2018", ""),
        ("reglab2019english", "2019", "a"),
        ("reglab2019medlem", "2019", "b"),
        ("reglab2019nya", "2019", "c"),
        ("virtanen2019alueet", "2019", "a"),
        ("virtanen2019ceteris", "2019", "b"),
        ("virtanen2019verkostot", "2019", "c"),
    ];

    fn works(library: &Library) -> Vec<String> {
        library.keys().map(str::to_string).collect()
    }

    /// The year and suffix `key`'s entry prints in a formatted output:
    /// `(2019b)` → `b`.
    fn listed_letter(out: &str, key: &str, year: &str) -> Option<String> {
        let at = out.find(&format!("#label(\"kooste-bib-{key}\")"))?;
        let entry = &out[out[..at].rfind("#block(")?..at];
        let after = entry.find(&format!("({year}"))? + year.len() + 1;
        Some(entry[after..].chars().take_while(char::is_ascii_lowercase).collect())
    }

    #[test]
    fn report_and_brief_letter_every_group_alike_in_list_order() {
        let library = hayagriva::io::from_biblatex_str(FAMILIES).unwrap();
        let works = works(&library);
        let cache = Cache::default();
        let options = Options::plain("fi", &works, &cache);
        let report = format(&format!("{REPORT}{BIBCALL}\n"), "/report/references.bib", &library, &options);
        let brief = format(&format!("{BRIEF}{BIBCALL}\n"), "/report/references.bib", &library, &options);
        assert!(report.collisions.is_empty() && brief.collisions.is_empty(), "{:?}", report.collisions);
        for (key, year, letter) in EXPECTED {
            assert_eq!(listed_letter(&report.text, key, year).as_deref(), Some(letter), "{key}: {}", report.text);
            if BRIEF.contains(key) {
                assert_eq!(listed_letter(&brief.text, key, year).as_deref(), Some(letter), "{key}: {}", brief.text);
            } else {
                assert!(!brief.text.contains(&format!("kooste-bib-{key}\"")), "{key} is not the brief's");
            }
        }
        // In the text, as the lists print them.
        for label in
            ["(Reglab, 2018; 2019c; 2019a; 2019b)", "(Virtanen, 2019c)", "Reglab (2019a)", "(Finlex, 2014b; 2014a)"]
        {
            assert!(report.text.contains(label), "{label}: {}", report.text);
        }
        for label in ["(Reglab, 2019c)", "(Virtanen, 2019c)", "(Reglab, 2019a)"] {
            assert!(brief.text.contains(label), "{label}: {}", brief.text);
        }
    }

    #[test]
    fn undated_works_of_one_author_are_lettered_after_no_date() {
        // Two works that differ only in their titles, which APA's label
        // does not print, and no date: "n.d.-a" and "n.d.-b" (APA 7, 8.19),
        // in the order of the list (by title: Kaksi, Yksi), in English and
        // in Finnish ("ei pvm.").
        let bib = "@online{org1, author = {{Org}}, title = {Yksi}, url = {https://org.fi/1}, urldate = {2020-02-15}}\n\
                   @online{org2, author = {{Org}}, title = {Kaksi}, url = {https://org.fi/2}, urldate = {2020-02-15}}\n\
                   @online{org3, author = {{Org}}, title = {Kolme}, year = {2019}, url = {https://org.fi/3}}\n";
        let library = hayagriva::io::from_biblatex_str(bib).unwrap();
        let works = works(&library);
        let cache = Cache::default();
        for (lang, no_date) in [("en", "n.d."), ("fi", "ei pvm.")] {
            let options = Options::plain(lang, &works, &cache);
            let source = format!("@org1 @org2 @org3\n{BIBCALL}\n");
            let pass = format(&source, "/report/references.bib", &library, &options);
            assert!(pass.collisions.is_empty(), "{:?}", pass.collisions);
            // The text as it prints (the Typst source escapes `-`).
            let text = pass.text.replace(['\\', WORD_JOINER], "");
            for (key, letter) in [("org2", "a"), ("org1", "b")] {
                let entry = text.split(&format!("kooste-bib-{key}\"")).next().unwrap();
                let own = entry.rsplit("#block").next().unwrap();
                assert!(own.contains(&format!("({no_date}-{letter})")), "{key}: {text}");
                // The access date takes no letter.
                assert!(!own.contains("2020a") && !own.contains("2020b"), "{key}: {own}");
            }
            assert!(text.contains(&format!("(Org, {no_date}-b; {no_date}-a; 2019)")), "{text}");
        }
    }

    #[test]
    fn typst_leaves_groups_after_the_third_unlettered() {
        // What `--typst-citations` prints: hayagriva's own letters, for the
        // first three groups only (typst/hayagriva#507).
        let library = hayagriva::io::from_biblatex_str(FAMILIES).unwrap();
        let collisions = typst_collisions(
            &format!("{REPORT}{BIBCALL}\n"),
            "/report/references.bib",
            &library,
            "fi",
            &Default::default(),
        );
        let pairs: Vec<(&str, &str)> = collisions.iter().map(|c| (c.first.as_str(), c.second.as_str())).collect();
        assert!(pairs.contains(&("reglab2019english", "reglab2019medlem")), "{collisions:?}");
        assert!(pairs.iter().any(|(a, _)| a.starts_with("virtanen")), "{collisions:?}");
        assert!(!pairs.iter().any(|(a, _)| a.starts_with("tem")), "the first group is lettered: {collisions:?}");
        // A document with one such group is lettered.
        let one = "@reglab2019nya @reglab2019english @reglab2019medlem\n";
        assert!(
            typst_collisions(
                &format!("{one}{BIBCALL}\n"),
                "/report/references.bib",
                &library,
                "fi",
                &Default::default()
            )
            .is_empty()
        );
    }
}
