//! [`Cache`]: what the citation pass keeps between outputs and between the
//! builds of one watch session: parsed styles, the CSL locales of the
//! document language, and hayagriva's results by what they were made from.
//! A value the session (or one run) owns; nothing here is process-wide.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hayagriva::citationberg::{self, IndependentStyle, LayoutRenderingElement, NamesChild};

use super::scan::Bail;
use super::year_suffix::{self, Collision};

/// A style, parsed, and whether a citation's text can depend on where it
/// stands (CSL `position` tests: "ibid.", first or subsequent; notes).
/// Where it cannot, equal citations are formatted once.
pub(super) struct Style {
    /// The archive name, or `file:` and a hash of a style file's text.
    pub key: String,
    pub csl: IndependentStyle,
    pub positional: bool,
    /// For a style that letters works of one author and year (APA's
    /// 2019a, 2019b), the style without that step, which
    /// [`year_suffix`] does for the whole project.
    pub no_suffix: Option<IndependentStyle>,
}

/// What hayagriva made of one output's citations: the formatted unique
/// groups, the reference list (lettered) and the labels left alike.
pub(super) struct Formatted {
    pub citations: Vec<hayagriva::RenderedCitation>,
    pub list: hayagriva::RenderedBibliography,
    pub collisions: Vec<Collision>,
}

/// The citation pass's cache: styles by name (parsing one takes
/// milliseconds and every output asks for the same one), locales by
/// language, results by what they were made from.
#[derive(Default)]
pub struct Cache {
    styles: Mutex<HashMap<String, Arc<Style>>>,
    locales: Mutex<HashMap<String, Arc<Vec<citationberg::Locale>>>>,
    /// At most [`CACHED_RUNS`]; when full it starts afresh.
    formatted: Mutex<HashMap<u128, Arc<Formatted>>>,
}

/// How many of hayagriva's results the cache keeps.
const CACHED_RUNS: usize = 64;

/// Locks `mutex`, taking the value over from a thread that panicked.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Cache {
    /// The archive style `name`, parsed.
    pub(super) fn archived(&self, name: &str) -> Option<Arc<Style>> {
        self.style(name.to_string(), || match hayagriva::archive::ArchivedStyle::by_name(name)?.get() {
            citationberg::Style::Independent(style) => Some(style),
            citationberg::Style::Dependent(_) => None,
        })
    }

    /// A style file a template names (`style: "brief-references.csl"`),
    /// read with `read` (which keeps to the project) and parsed once per
    /// text.
    pub(super) fn file(&self, name: &str, read: &dyn Fn(&str) -> Option<String>) -> Option<Arc<Style>> {
        let text = read(name)?;
        let key = format!("file:{:032x}", typst::utils::hash128(&text));
        self.style(key, || IndependentStyle::from_xml(&text).ok())
    }

    /// The style under `key`, made by `parse` the first time.
    fn style(&self, key: String, parse: impl FnOnce() -> Option<IndependentStyle>) -> Option<Arc<Style>> {
        let mut styles = lock(&self.styles);
        if let Some(style) = styles.get(&key) {
            return Some(style.clone());
        }
        let csl = parse()?;
        let positional = csl.settings.class == citationberg::StyleClass::Note
            || has_position_test(&csl.citation.layout.elements)
            || csl.macros.iter().any(|m| has_position_test(&m.children));
        let no_suffix = csl.citation.disambiguate_add_year_suffix.then(|| year_suffix::without_year_suffix(&csl));
        let style = Arc::new(Style { key: key.clone(), csl, positional, no_suffix });
        styles.insert(key, style.clone());
        Some(style)
    }

    /// The CSL locales a document in `lang` can use: its own language's
    /// and the `en-US` every style falls back to. Parsing all 60 of
    /// hayagriva's locales takes about 60 ms; these are found by their code
    /// in the CBOR bytes first and parsed alone.
    pub fn locales(&self, lang: &str) -> Arc<Vec<citationberg::Locale>> {
        if let Some(locales) = lock(&self.locales).get(lang) {
            return locales.clone();
        }
        let wanted = |code: &str| code == "en-US" || code.split('-').next() == Some(lang);
        // The codes as CBOR text strings (a 0x60 + length byte, then the
        // text): `fi`, or `fi-` with a two-letter region, and `en-US`.
        let cbor = |text: &str, len: usize| [&[0x60 + len as u8][..], text.as_bytes()].concat();
        let patterns = [cbor(lang, lang.len()), cbor(&format!("{lang}-"), lang.len() + 3), cbor("en-US", 5)];
        let locales: Vec<citationberg::Locale> = hayagriva::archive::LOCALES
            .iter()
            .filter(|bytes| patterns.iter().any(|p| bytes.windows(p.len()).any(|w| w == p.as_slice())))
            .filter_map(|bytes| ciborium::de::from_reader::<citationberg::Locale, _>(*bytes).ok())
            .filter(|locale| locale.lang.as_ref().is_some_and(|code| wanted(&code.0)))
            .collect();
        let locales = Arc::new(locales);
        lock(&self.locales).insert(lang.to_string(), locales.clone());
        locales
    }

    /// The earlier result under `key`, or `run`'s, kept: a watch rebuild
    /// after an edit that moves citations without changing them formats
    /// nothing again.
    pub(super) fn formatted(
        &self,
        key: u128,
        run: impl FnOnce() -> Result<Formatted, Bail>,
    ) -> Result<Arc<Formatted>, Bail> {
        if let Some(hit) = lock(&self.formatted).get(&key) {
            return Ok(hit.clone());
        }
        let formatted = Arc::new(run()?);
        let mut cache = lock(&self.formatted);
        if cache.len() >= CACHED_RUNS {
            cache.clear();
        }
        cache.insert(key, formatted.clone());
        Ok(formatted)
    }
}

/// Whether any `cs:choose` branch under `elements` tests a citation's
/// position (`position="first"`, `"subsequent"`, `"ibid"`, …).
fn has_position_test(elements: &[LayoutRenderingElement]) -> bool {
    elements.iter().any(|element| match element {
        LayoutRenderingElement::Choose(choose) => {
            std::iter::once(&choose.if_)
                .chain(&choose.else_if)
                .any(|branch| branch.position.is_some() || has_position_test(&branch.children))
                || choose.otherwise.as_ref().is_some_and(|e| has_position_test(&e.children))
        }
        LayoutRenderingElement::Group(group) => has_position_test(&group.children),
        LayoutRenderingElement::Names(names) => names.children.iter().any(|child| match child {
            NamesChild::Substitute(substitute) => has_position_test(&substitute.children),
            _ => false,
        }),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_tests_are_found_in_styles() {
        let cache = Cache::default();
        // Chicago's notes are positional by their class.
        assert!(cache.archived("chicago-notes").unwrap().positional);
        // The walk finds what a look at every condition finds: a style's
        // debug form names each `position` test it has (this test may
        // read it; the pass never does).
        for name in ["apa", "chicago-author-date", "ieee", "harvard-cite-them-right", "modern-language-association"] {
            let style = cache.archived(name).unwrap();
            let csl = &style.csl;
            let walked = has_position_test(&csl.citation.layout.elements)
                || csl.macros.iter().any(|m| has_position_test(&m.children));
            let named = format!("{:?}", csl.citation).contains("position: Some")
                || format!("{:?}", csl.macros).contains("position: Some");
            assert_eq!(walked, named, "{name}");
        }
    }
}
