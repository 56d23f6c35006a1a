//! Writes a deterministic kooste project of about N pages, for benchmarks.
//!
//! ```sh
//! cargo run --release --example genproject -- OUT_DIR --pages 400
//! target/release/kooste build --root OUT_DIR
//! ```
//!
//! The project uses every feature an author uses: chapters with labelled
//! headings, Finnish-like prose from fixed word lists, bullet and numbered
//! lists, footnotes, block quotes, citations (bracketed, with a locator,
//! several keys, narrative) to a generated `references.bib` whose entries
//! are all cited, cross-references to chapters, sections, tables, figures,
//! cases and recommendations, `table(...)` and `chart(...)` (bar,
//! stacked-bar, line, dot) from generated CSV files, Markdown pipe tables
//! with captions, numbers from data through the `num`/`pct` filters, case
//! studies and recommendations with front matter, a brief, abstracts in fi,
//! sv and en, and an appendix with a long table. Outputs: the report, the
//! brief and one sheet per case (`cases`), with the repository's templates.
//!
//! Nothing is random: a hand-written linear congruential generator with a
//! fixed seed picks the words, so the same `--pages` gives the same files.
//! The amount of text per page was calibrated against the built PDFs: with
//! the repository's templates `--pages 100` gives a report of 106 pages and
//! `--pages 400` one of 417 (`kooste build` prints the count).
//!
//! The benchmark (`benches/build.rs`) includes this file as a module and
//! calls [`generate`].
//!
//! `--layout` adds what tests page layout: in every chapter a captioned
//! table of 3 to 40 rows (the sizes cycle over the chapters), a table
//! without caption, a further chart, and a `###` heading before every other
//! paragraph. The layout preflight (`kooste check`) reads the result.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Words of body text per report page (11 pt Libertinus on A4, the
/// repository's `report-style`), measured on generated projects.
const WORDS_PER_PAGE: usize = 335;
/// Pages of a body chapter (a chapter starts on a new page).
const PAGES_PER_CHAPTER: usize = 10;
/// Bibliography entries; every one is cited.
const REFERENCES: usize = 40;

/// What [`generate`] wrote.
#[derive(Debug, Clone)]
pub struct Summary {
    pub chapters: usize,
    pub cases: usize,
    pub recommendations: usize,
    pub words: usize,
}

/// A linear congruential generator (Knuth's MMIX constants), fixed seed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() as usize) % (hi - lo + 1)
    }
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[(self.next() as usize) % items.len()].clone()
    }
    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn float(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

const NOUNS: &[&str] = &[
    "aluekehitys",
    "aluekehittämisen",
    "verkosto",
    "verkoston",
    "verkostojen",
    "verkostoissa",
    "yhteistyö",
    "yhteistyön",
    "maakunnat",
    "maakuntien",
    "maakunnan",
    "kunnat",
    "kuntien",
    "seutukuntien",
    "toimijat",
    "toimijoiden",
    "kehittäjät",
    "kehittäjien",
    "hankkeet",
    "hankkeiden",
    "hankkeissa",
    "rahoitus",
    "rahoituksen",
    "ohjelma",
    "ohjelmien",
    "ohjelmakauden",
    "strategia",
    "strategioiden",
    "osaaminen",
    "osaamisen",
    "elinvoima",
    "elinvoiman",
    "työllisyys",
    "työllisyyden",
    "yritykset",
    "yritysten",
    "korkeakoulut",
    "korkeakoulujen",
    "ministeriöt",
    "ministeriöiden",
    "kumppanuus",
    "kumppanuuden",
    "vuoropuhelu",
    "vuoropuhelun",
    "arviointi",
    "arvioinnin",
    "seuranta",
    "seurannan",
    "kokeilut",
    "kokeilujen",
    "palvelut",
    "palvelujen",
    "väestö",
    "väestön",
    "saavutettavuus",
    "saavutettavuuden",
    "liikenne",
    "innovaatiot",
    "innovaatiotoiminnan",
    "tutkimus",
    "tutkimuksen",
    "koulutus",
    "koulutuksen",
    "päätöksenteko",
    "päätöksenteon",
    "hallinto",
    "hallinnon",
    "tavoitteet",
    "tavoitteiden",
    "toimenpiteet",
    "toimenpiteiden",
    "vaikutukset",
    "vaikutusten",
    "tulokset",
    "tulosten",
    "tieto",
    "tiedon",
    "aineisto",
    "aineiston",
    "foorumi",
    "foorumin",
    "alusta",
    "alustan",
    "teemat",
    "teemojen",
    "painopisteet",
    "kaupungit",
    "kaupunkien",
    "maaseutu",
    "maaseudun",
    "saaristo",
    "saariston",
    "rakenteet",
    "rakenteiden",
    "resurssit",
    "resurssien",
    "vertaisoppiminen",
    "vertaisoppimisen",
    "käytännöt",
    "käytäntöjen",
    "sopimukset",
    "sopimusten",
    "valtio",
    "valtion",
    "kehitysyhtiöt",
];
const VERBS: &[&str] = &[
    "vahvistaa",
    "edistää",
    "tukee",
    "kokoaa",
    "edellyttää",
    "muuttaa",
    "parantaa",
    "lisää",
    "kehittää",
    "ohjaa",
    "rajaa",
    "yhdistää",
    "tarjoaa",
    "korostaa",
    "heikentää",
    "selittää",
    "osoittaa",
    "vaatii",
    "mahdollistaa",
    "rakentaa",
    "jakaa",
    "kytkee",
    "ylläpitää",
    "helpottaa",
    "suuntaa",
    "tuottaa",
    "vähentää",
    "kuvaa",
    "täydentää",
    "nopeuttaa",
];
const ADJECTIVES: &[&str] = &[
    "alueellinen",
    "alueellisen",
    "kansallinen",
    "kansallisen",
    "paikallinen",
    "paikallisten",
    "pitkäjänteinen",
    "pitkäjänteisen",
    "kevyt",
    "vahva",
    "vahvan",
    "yhteinen",
    "yhteisen",
    "avoin",
    "avoimen",
    "uusi",
    "uuden",
    "keskeinen",
    "keskeisten",
    "merkittävä",
    "vähäinen",
    "hajanainen",
    "selkeä",
    "selkeän",
    "toimiva",
    "toimivan",
    "kestävä",
    "kestävän",
    "joustava",
    "joustavan",
    "monitasoinen",
    "ylialueellinen",
    "määräaikainen",
    "pysyvä",
    "tasavertainen",
    "riittävä",
];
const ADVERBS: &[&str] = &[
    "erityisesti",
    "kuitenkin",
    "lisäksi",
    "myös",
    "usein",
    "selvästi",
    "osittain",
    "edelleen",
    "siksi",
    "toisaalta",
    "käytännössä",
    "yleensä",
    "vähitellen",
    "aiempaa",
    "nopeasti",
    "harvoin",
    "tyypillisesti",
    "ainakin",
];
const CONNECTORS: &[&str] = &[
    "Lisäksi",
    "Toisaalta",
    "Kuitenkin",
    "Siksi",
    "Samalla",
    "Käytännössä",
    "Aineiston perusteella",
    "Tapausten valossa",
    "Tästä syystä",
    "Myös",
];
const JOINERS: &[&str] = &["ja", "sekä", "mutta", "eli", "koska", "kun", "vaikka", "jolloin"];
const TOPICS: &[&str] = &[
    "Verkostoyhteistyön lähtökohdat",
    "Alueiden kehittämisen toimintaympäristö",
    "Rahoituksen rakenteet",
    "Vertaisoppimisen muodot",
    "Kansallinen vuoropuhelu",
    "Kaupunkien ja maaseudun vuorovaikutus",
    "Osaamisen kehittäminen",
    "Seuranta ja arviointi",
    "Toimijoiden roolit",
    "Kokeilut ja pilotit",
    "Monitasoinen hallinta",
    "Elinvoiman edellytykset",
    "Saavutettavuus ja liikenne",
    "Tiedolla johtaminen",
    "Kumppanuudet ja sopimukset",
    "Yritysten ja korkeakoulujen yhteistyö",
    "Saariston erityiskysymykset",
    "Ohjelmakauden valmistelu",
    "Hyvien käytäntöjen levittäminen",
    "Vaikutusten arviointi",
];
const SECTION_WORDS: &[&str] = &[
    "Tausta",
    "Nykytila",
    "Havainnot",
    "Haasteet",
    "Mahdollisuudet",
    "Kehittämistarpeet",
    "Vertailu",
    "Tulkinta",
    "Esimerkit",
    "Johtopäätökset",
    "Rajaukset",
    "Aineisto",
    "Toimintatavat",
    "Rahoitusmallit",
    "Vastuut",
    "Aikataulu",
];
const SURNAMES: &[(&str, &str)] = &[
    ("Virtanen", "virtanen"),
    ("Korhonen", "korhonen"),
    ("Mäkinen", "makinen"),
    ("Nieminen", "nieminen"),
    ("Mäkelä", "makela"),
    ("Hämäläinen", "hamalainen"),
    ("Laine", "laine"),
    ("Heikkinen", "heikkinen"),
    ("Koskinen", "koskinen"),
    ("Järvinen", "jarvinen"),
    ("Lehtonen", "lehtonen"),
    ("Saarinen", "saarinen"),
    ("Salminen", "salminen"),
    ("Heinonen", "heinonen"),
    ("Niemi", "niemi"),
    ("Kinnunen", "kinnunen"),
    ("Turunen", "turunen"),
    ("Lindqvist", "lindqvist"),
    ("Andersson", "andersson"),
    ("Berg", "berg"),
];
const GIVEN: &[&str] =
    &["Matti", "Liisa", "Juha", "Anna", "Pekka", "Sanna", "Timo", "Riikka", "Mikko", "Eeva", "Karin", "Erik"];
const ORGS: &[(&str, &str)] = &[
    ("Työ- ja elinkeinoministeriö", "tem"),
    ("Valtiovarainministeriö", "vm"),
    ("Kuntaliitto", "kuntaliitto"),
    ("Tilastokeskus", "tilastokeskus"),
    ("Maaseutupolitiikan neuvosto", "mane"),
    ("Nordregio", "nordregio"),
    ("OECD", "oecd"),
    ("Euroopan komissio", "ek"),
];
const JOURNALS: &[&str] = &[
    "Alue ja ympäristö",
    "Hallinnon tutkimus",
    "Maaseudun uusi aika",
    "Regional Studies",
    "Yhteiskuntapolitiikka",
    "Terra",
];
const REGIONS: &[&str] = &[
    "Uusimaa",
    "Varsinais-Suomi",
    "Satakunta",
    "Kanta-Häme",
    "Pirkanmaa",
    "Päijät-Häme",
    "Kymenlaakso",
    "Etelä-Karjala",
    "Etelä-Savo",
    "Pohjois-Savo",
    "Pohjois-Karjala",
    "Keski-Suomi",
    "Etelä-Pohjanmaa",
    "Pohjanmaa",
    "Keski-Pohjanmaa",
    "Pohjois-Pohjanmaa",
    "Kainuu",
    "Lappi",
];
const COUNTRIES: &[&str] = &["Suomi", "Ruotsi", "Norja", "Tanska", "Viro", "Saksa", "Alankomaat", "Itävalta"];
const LEVELS: &[&str] = &["paikallinen", "alueellinen", "ylialueellinen", "kansallinen", "kansainvälinen"];
const CASE_NAMES: &[&str] = &[
    "Kasvuverkko",
    "Seutufoorumi",
    "Oppimislabra",
    "Aluefoorumi",
    "Kehittäjäverkosto",
    "Kaupunkiliitto",
    "Maaseutufoorumi",
    "Saaristoverkko",
    "Innovaatioalusta",
    "Osaamisverkosto",
    "Elinvoimaverkko",
    "Kumppanuusfoorumi",
    "Teemaverkosto",
    "Vertaisverkko",
    "Pohjoinen foorumi",
    "Rannikkoverkosto",
];
const SV_WORDS: &[&str] = &[
    "regionutveckling",
    "nätverket",
    "samarbete",
    "kommunerna",
    "regionerna",
    "staten",
    "lärande",
    "finansiering",
    "modellen",
    "stöder",
    "bygger",
    "förutsätter",
    "nationell",
    "gemensam",
    "långsiktig",
    "aktörerna",
    "utvecklare",
    "forum",
    "tematiska",
    "erfarenheter",
    "och",
    "men",
    "också",
    "därför",
    "inom",
    "mellan",
    "för",
    "med",
];
const EN_WORDS: &[&str] = &[
    "regional",
    "development",
    "network",
    "cooperation",
    "municipalities",
    "regions",
    "the",
    "state",
    "learning",
    "funding",
    "model",
    "supports",
    "builds",
    "requires",
    "national",
    "shared",
    "long-term",
    "actors",
    "developers",
    "forum",
    "thematic",
    "experience",
    "and",
    "but",
    "also",
    "therefore",
    "within",
    "between",
    "for",
    "with",
];

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A bibliography entry.
struct Reference {
    key: String,
    bib: String,
}

fn references(rng: &mut Lcg) -> Vec<Reference> {
    let mut out: Vec<Reference> = Vec::new();
    let mut i = 0;
    while out.len() < REFERENCES {
        let year = 2005 + rng.range(0, 14);
        let kind = i % 5;
        let title = format!(
            "{} {}: {} {} {}",
            capitalize(rng.pick(ADJECTIVES)),
            rng.pick(NOUNS),
            rng.pick(NOUNS),
            rng.pick(ADJECTIVES),
            rng.pick(NOUNS)
        );
        let (author, stem) = if kind == 3 || kind == 4 {
            let (org, stem) = rng.pick(ORGS);
            (format!("{{{org}}}"), stem.to_string())
        } else {
            let (s1, k1) = rng.pick(SURNAMES);
            let (s2, _) = rng.pick(SURNAMES);
            let a = format!("{s1}, {}", rng.pick(GIVEN));
            let author = if rng.chance(50) { format!("{a} and {s2}, {}", rng.pick(GIVEN)) } else { a };
            (author, k1.to_string())
        };
        let mut key = format!("{stem}{year}");
        let mut suffix = b'a';
        while out.iter().any(|r| r.key == key) {
            key = format!("{stem}{year}{}", suffix as char);
            suffix += 1;
        }
        let bib = match kind {
            0 => format!(
                "@article{{{key},\n  author = {{{author}}},\n  title = {{{title}}},\n  journal = {{{}}},\n  year = {{{year}}},\n  volume = {{{}}},\n  number = {{{}}},\n  pages = {{{}--{}}}\n}}\n",
                rng.pick(JOURNALS),
                20 + rng.range(0, 30),
                1 + rng.range(0, 3),
                10 + i,
                30 + i
            ),
            1 => format!(
                "@book{{{key},\n  author = {{{author}}},\n  title = {{{title}}},\n  publisher = {{Gaudeamus}},\n  address = {{Helsinki}},\n  year = {{{year}}}\n}}\n"
            ),
            2 => format!(
                "@misc{{{key},\n  author = {{{author}}},\n  title = {{{title}}},\n  year = {{{year}}},\n  note = {{Työpaperi}}\n}}\n"
            ),
            3 => format!(
                "@report{{{key},\n  author = {{{author}}},\n  title = {{{title}}},\n  year = {{{year}}},\n  institution = {{{}}},\n  url = {{https://example.org/julkaisut/{key}}},\n  urldate = {{2020-02-15}}\n}}\n",
                author.trim_matches(['{', '}'])
            ),
            _ => format!(
                "@online{{{key},\n  author = {{{author}}},\n  title = {{{title}}},\n  year = {{{year}}},\n  url = {{https://example.org/{key}}},\n  urldate = {{2020-02-15}}\n}}\n"
            ),
        };
        out.push(Reference { key, bib });
        i += 1;
    }
    out
}

/// Labels a paragraph may refer to.
#[derive(Default, Clone)]
struct Targets {
    chapters: Vec<String>,
    sections: Vec<String>,
    tables: Vec<String>,
    figures: Vec<String>,
    cases: Vec<String>,
    recommendations: Vec<String>,
}

/// Writes prose; counts words and hands out citation keys round-robin so
/// every entry is cited.
struct Writer {
    rng: Lcg,
    keys: Vec<String>,
    next_key: usize,
    words: usize,
    targets: Targets,
    /// Add the tables, charts and headings of `--layout`.
    layout: bool,
}

impl Writer {
    fn key(&mut self) -> String {
        let k = self.keys[self.next_key % self.keys.len()].clone();
        self.next_key += 1;
        k
    }

    fn sentence(&mut self) -> String {
        let rng = &mut self.rng;
        let mut words: Vec<String> = Vec::new();
        if rng.chance(30) {
            words.push(format!("{},", rng.pick(CONNECTORS)));
        }
        if rng.chance(50) {
            words.push(rng.pick(ADJECTIVES).to_string());
        }
        words.push(rng.pick(NOUNS).to_string());
        words.push(rng.pick(VERBS).to_string());
        let extra = rng.range(4, 11);
        for k in 0..extra {
            let w = match rng.next() % 10 {
                0..=4 => rng.pick(NOUNS).to_string(),
                5..=6 => rng.pick(ADJECTIVES).to_string(),
                7 => rng.pick(ADVERBS).to_string(),
                8 if k > 1 && k + 1 < extra && words.last().is_some_and(|w| !w.contains([',', ' '])) => {
                    format!("{}, {}", words.pop().unwrap_or_default(), rng.pick(JOINERS))
                }
                _ => rng.pick(VERBS).to_string(),
            };
            words.push(w);
        }
        if rng.chance(6) {
            let i = rng.range(1, words.len() - 1);
            words[i] = format!("*{}*", words[i].trim_end_matches(','));
        }
        self.words += words.len();
        let mut s = words.join(" ");
        s = capitalize(&s);
        s
    }

    /// A sentence with, sometimes, a citation, a cross-reference, a number
    /// from data or a footnote mark (`notes` collects the footnotes).
    fn rich_sentence(&mut self, notes: &mut Vec<String>, note_prefix: &str) -> String {
        let mut s = self.sentence();
        let r = self.rng.next() % 100;
        let t = self.targets.clone();
        match r {
            0..=19 => {
                let k = self.key();
                s.push_str(&format!(" [@{k}]"));
            }
            20..=25 => {
                let k = self.key();
                s.push_str(&format!(" [@{k}, s. {}]", self.rng.range(3, 240)));
            }
            26..=29 => {
                let (a, b) = (self.key(), self.key());
                s.push_str(&format!(" [@{a}; @{b}]"));
            }
            30..=32 => {
                let k = self.key();
                s = format!("@{k} {}", lowercase_first(&s));
            }
            33..=38 if !t.chapters.is_empty() => {
                let c = self.rng.pick(&t.chapters).clone();
                s.push_str(&format!(" (ks. luku @{c})"));
            }
            39..=41 if !t.sections.is_empty() => {
                let c = self.rng.pick(&t.sections).clone();
                s.push_str(&format!(" (ks. alaluku @{c})"));
            }
            42..=44 if !t.tables.is_empty() => {
                let c = self.rng.pick(&t.tables).clone();
                s.push_str(&format!(" (taulukko @{c})"));
            }
            45..=47 if !t.figures.is_empty() => {
                let c = self.rng.pick(&t.figures).clone();
                s.push_str(&format!(" (kuvio @{c})"));
            }
            48..=49 if !t.cases.is_empty() => {
                let c = self.rng.pick(&t.cases).clone();
                s.push_str(&format!(" (ks. tapaus @{c})"));
            }
            50 if !t.recommendations.is_empty() => {
                let c = self.rng.pick(&t.recommendations).clone();
                s.push_str(&format!(" (suositus @{c})"));
            }
            51 => {
                s.push_str(". Aineiston {{ count(\"alueet\") }} maakunnassa asuu yhteensä {{ sum(\"alueet\", \"vakiluku\") | num }} asukasta");
                self.words += 9;
            }
            52 => {
                s.push_str(", ja työllisyysaste on keskimäärin {{ mean(\"alueet\", \"tyollisyysaste\") | pct(1) }}");
                self.words += 6;
            }
            53..=56 => {
                let n = format!("{note_prefix}{}", notes.len() + 1);
                s.push_str(&format!(".[^{n}]"));
                let note = self.sentence();
                let k = self.key();
                notes.push(format!("[^{n}]: {note} [@{k}]."));
                return s;
            }
            _ => {}
        }
        s.push('.');
        s
    }

    fn paragraph(&mut self, notes: &mut Vec<String>, note_prefix: &str) -> String {
        let n = self.rng.range(4, 7);
        (0..n).map(|_| self.rich_sentence(notes, note_prefix)).collect::<Vec<_>>().join(" ")
    }

    fn list(&mut self, numbered: bool) -> String {
        let n = self.rng.range(3, 6);
        let mut out = String::new();
        for i in 0..n {
            let head = capitalize(self.rng.pick(NOUNS));
            let body = self.sentence();
            let _ = if numbered {
                writeln!(out, "{}. **{head}.** {body}.", i + 1)
            } else {
                writeln!(out, "- **{head}:** {}.", lowercase_first(&body))
            };
        }
        out
    }

    fn pipe_table(&mut self, id: &str) -> String {
        let rows = self.rng.range(4, 7);
        self.pipe_table_rows(Some(id), rows)
    }

    /// A pipe table of `rows` body rows, captioned when it has an `id`.
    fn pipe_table_rows(&mut self, id: Option<&str>, rows: usize) -> String {
        let mut out = String::from("| Teema | Toimija | Painotus | Arvio |\n|---|---|---|---:|\n");
        for _ in 0..rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                capitalize(self.rng.pick(NOUNS)),
                capitalize(self.rng.pick(NOUNS)),
                self.rng.pick(ADJECTIVES),
                self.rng.range(1, 5)
            );
        }
        self.words += 24;
        if let Some(id) = id {
            let _ = writeln!(
                out,
                "\n: {} {} {{#{id} source=\"Kooste-työryhmän arvio\"}}",
                capitalize(self.rng.pick(ADJECTIVES)),
                self.rng.pick(NOUNS)
            );
        }
        out
    }
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// One generated chart or table call, rotating over the kinds and datasets.
fn chart_call(i: usize, id: &str) -> String {
    match i % 4 {
        0 => format!(
            "{{{{ chart(\"alueet\", kind=\"bar\", x=\"maakunta\", y=\"hankkeita\", caption=\"Hankkeiden määrä maakunnittain\", id=\"{id}\", y_label=\"hankkeita\") }}}}"
        ),
        1 => format!(
            "{{{{ chart(\"toimijat\", kind=\"stacked-bar\", x=\"ryhma\", y=[\"verkostot\", \"hankkeet\", \"foorumit\"], caption=\"Toimijaryhmien osallistuminen yhteistyön muotoihin\", id=\"{id}\", y_label=\"osallistumiskertoja\") }}}}"
        ),
        2 => format!(
            "{{{{ chart(\"vuodet\", kind=\"line\", x=\"vuosi\", y=[\"kaupungit\", \"maaseutu\", \"saaristo\"], caption=\"Verkostotoiminnan rahoitus vuosittain, milj. euroa\", id=\"{id}\", y_label=\"milj. euroa\") }}}}"
        ),
        _ => format!(
            "{{{{ chart(\"alueet\", kind=\"dot\", x=\"maakunta\", y=\"tyollisyysaste\", percent=true, caption=\"Työllisyysaste maakunnittain\", id=\"{id}\", y_label=\"työllisyysaste\") }}}}"
        ),
    }
}

fn table_call(i: usize, id: &str) -> String {
    match i % 3 {
        0 => format!(
            "{{{{ table(\"alueet\", caption=\"Maakuntien väestö, työllisyys ja hankkeet\", id=\"{id}\", columns=[\"maakunta\", \"vakiluku\", \"tyollisyysaste\", \"hankkeita\"]) }}}}"
        ),
        1 => format!("{{{{ table(\"toimijat\", caption=\"Toimijaryhmien osallistuminen\", id=\"{id}\") }}}}"),
        _ => format!(
            "{{{{ table(\"vuodet\", caption=\"Rahoitus vuosittain politiikkalohkoittain, milj. euroa\", id=\"{id}\") }}}}"
        ),
    }
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    let mut entries: Vec<_> = std::fs::read_dir(from)?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Writes a project of about `pages` report pages into `out`, with the
/// templates copied from `repo` (the kooste repository).
pub fn generate(out: &Path, pages: usize, repo: &Path) -> std::io::Result<Summary> {
    generate_with(out, pages, repo, false)
}

/// [`generate`], with the layout test material of `--layout` when `layout`.
pub fn generate_with(out: &Path, pages: usize, repo: &Path, layout: bool) -> std::io::Result<Summary> {
    let pages = pages.max(20);
    let mut rng = Lcg(0x6b6f6f737465 ^ 0x9e3779b97f4a7c15);
    if out.join("report").exists() {
        std::fs::remove_dir_all(out.join("report"))?;
    }
    for dir in ["data", "templates"] {
        if out.join(dir).exists() {
            std::fs::remove_dir_all(out.join(dir))?;
        }
    }
    copy_dir(&repo.join("templates"), &out.join("templates"))?;

    // Sizes. Fixed pages: cover, series page, three description sheets,
    // contents, references; then cases, recommendations and the appendix.
    let cases = (pages / 25).clamp(4, 16);
    let recommendations = 6;
    let appendix_rows = 20 + pages / 5;
    let fixed = 5.0
        + pages as f64 / 60.0
        + 4.0
        + cases as f64 * 1.8
        + 1.5
        + recommendations as f64 * 0.6
        + 1.5
        + appendix_rows as f64 / 30.0;
    let body_pages = (pages as f64 - fixed).max(PAGES_PER_CHAPTER as f64);
    let chapters = ((body_pages / PAGES_PER_CHAPTER as f64).round() as usize).max(2);
    let pages_per_chapter = body_pages / chapters as f64;

    // Data.
    let mut alueet = String::from("maakunta,vakiluku,tyollisyysaste,hankkeita,rahoitus_meur\n");
    for r in REGIONS {
        let _ = writeln!(
            alueet,
            "{r},{},{:.3},{},{:.1}",
            60_000 + rng.range(0, 1_600_000),
            0.62 + rng.float() * 0.14,
            10 + rng.range(0, 140),
            5.0 + rng.float() * 120.0
        );
    }
    let mut toimijat = String::from("ryhma,verkostot,hankkeet,foorumit\n");
    for g in
        ["Maakuntien liitot", "Kunnat", "Kehitysyhtiöt", "ELY-keskukset", "Korkeakoulut", "Ministeriöt", "Järjestöt"]
    {
        let _ = writeln!(toimijat, "{g},{},{},{}", rng.range(3, 40), rng.range(3, 60), rng.range(1, 20));
    }
    let mut vuodet = String::from("vuosi,kaupungit,maaseutu,saaristo\n");
    let (mut a, mut b, mut c) = (40.0, 25.0, 4.0);
    for y in 2010..=2019 {
        a += rng.float() * 6.0 - 2.0;
        b += rng.float() * 4.0 - 1.5;
        c += rng.float() * 1.0 - 0.4;
        let _ = writeln!(vuodet, "{y},{a:.1},{b:.1},{c:.1}");
    }
    let mut hankkeet = String::from("tunnus;nimi;maakunta;alkuvuosi;budjetti\n");
    for i in 0..appendix_rows {
        let name = format!("{} {} {}", capitalize(rng.pick(ADJECTIVES)), rng.pick(NOUNS), rng.pick(NOUNS));
        let _ = writeln!(
            hankkeet,
            "H{:03};{name};{};{};{}",
            i + 1,
            rng.pick(REGIONS),
            2010 + rng.range(0, 9),
            20_000 + rng.range(0, 900_000)
        );
    }
    write(&out.join("data/alueet.csv"), &alueet)?;
    write(&out.join("data/toimijat.csv"), &toimijat)?;
    write(&out.join("data/vuodet.csv"), &vuodet)?;
    write(&out.join("data/hankkeet.csv"), &hankkeet)?;
    write(
        &out.join("data/datasets.toml"),
        r#"[[dataset]]
name = "alueet"
file = "alueet.csv"
title = "Maakuntien perustiedot"
source = "Generoitu vertailuaineisto (kooste genproject)"
illustrative = false
[dataset.columns]
maakunta = "text"
vakiluku = "integer"
tyollisyysaste = "number"
hankkeita = "integer"
rahoitus_meur = "number"
[dataset.labels]
maakunta = "Maakunta"
vakiluku = "Väkiluku"
tyollisyysaste = "Työllisyysaste"
hankkeita = "Hankkeita"
rahoitus_meur = "Rahoitus, milj. euroa"

[[dataset]]
name = "toimijat"
file = "toimijat.csv"
title = "Toimijaryhmien osallistuminen"
source = "Generoitu vertailuaineisto (kooste genproject)"
illustrative = false
[dataset.columns]
ryhma = "text"
verkostot = "integer"
hankkeet = "integer"
foorumit = "integer"
[dataset.labels]
ryhma = "Toimijaryhmä"
verkostot = "Verkostot"
hankkeet = "Hankkeet"
foorumit = "Foorumit"

[[dataset]]
name = "vuodet"
file = "vuodet.csv"
title = "Rahoitus vuosittain"
source = "Generoitu vertailuaineisto (kooste genproject)"
illustrative = false
[dataset.columns]
vuosi = "integer"
kaupungit = "number"
maaseutu = "number"
saaristo = "number"
[dataset.labels]
vuosi = "Vuosi"
kaupungit = "Kaupungit"
maaseutu = "Maaseutu"
saaristo = "Saaristo"

[[dataset]]
name = "hankkeet"
file = "hankkeet.csv"
title = "Hankeluettelo"
source = "Generoitu vertailuaineisto (kooste genproject)"
illustrative = false
[dataset.columns]
tunnus = "text"
nimi = "text"
maakunta = "text"
alkuvuosi = "integer"
budjetti = "integer"
[dataset.labels]
tunnus = "Tunnus"
nimi = "Hanke"
maakunta = "Maakunta"
alkuvuosi = "Alkuvuosi"
budjetti = "Budjetti, euroa"
"#,
    )?;

    // References.
    let refs = references(&mut rng);
    let bib: String = refs.iter().map(|r| r.bib.clone()).collect::<Vec<_>>().join("\n");
    write(&out.join("report/references.bib"), &bib)?;
    let keys: Vec<String> = refs.iter().map(|r| r.key.clone()).collect();

    // Chapter plan: body chapters, with the cases chapter in the middle and
    // the recommendations chapter before the last one.
    #[derive(Clone)]
    enum Kind {
        Body(usize),
        Cases,
        Recommendations,
    }
    let mut plan: Vec<Kind> = (0..chapters).map(Kind::Body).collect();
    plan.insert(chapters.div_ceil(2), Kind::Cases);
    plan.insert(plan.len() - 1, Kind::Recommendations);
    let body_label = |i: usize| format!("sec-luku-{:02}", i + 1);
    let sections_per_chapter = 4;

    let case_ids: Vec<String> = (0..cases).map(|i| format!("tapaus-{:02}", i + 1)).collect();
    let rec_ids: Vec<String> = (0..recommendations).map(|i| format!("S{}", i + 1)).collect();
    let targets = Targets {
        chapters: (0..chapters).map(body_label).collect(),
        sections: (0..chapters)
            .flat_map(|c| (1..=sections_per_chapter).map(move |s| format!("{}-{s}", body_label(c))))
            .collect(),
        tables: (0..chapters).map(|c| format!("tbl-{:02}-a", c + 1)).collect(),
        figures: (0..chapters).map(|c| format!("fig-{:02}-a", c + 1)).collect(),
        cases: case_ids.iter().map(|id| format!("sec-case-{id}")).collect(),
        recommendations: rec_ids.iter().map(|id| format!("rec-{}", id.to_lowercase())).collect(),
    };
    let mut w = Writer { rng, keys: keys.clone(), next_key: 0, words: 0, targets: targets.clone(), layout };

    // Each chart or table takes about half a page of body text's room.
    let words_per_chapter =
        ((pages_per_chapter * WORDS_PER_PAGE as f64) as usize).saturating_sub(WORDS_PER_PAGE * 3 / 2);
    for (file_no, kind) in plan.iter().enumerate() {
        let file_no = file_no + 1;
        let text = match kind {
            Kind::Body(c) => {
                let c = *c;
                let n = c + 1;
                let title = TOPICS[c % TOPICS.len()];
                let title =
                    if c >= TOPICS.len() { format!("{title} {}", c / TOPICS.len() + 1) } else { title.to_string() };
                let mut md = format!("# {title} {{#{}}}\n\n", body_label(c));
                let mut notes = Vec::new();
                md.push_str(&w.paragraph(&mut notes, "n"));
                md.push_str("\n\n");
                let per_section = words_per_chapter / sections_per_chapter;
                for s in 1..=sections_per_chapter {
                    let section_start = w.words;
                    let heading = format!("{} {}", w.rng.pick(SECTION_WORDS), w.rng.pick(NOUNS));
                    let _ = write!(md, "## {} {{#{}-{s}}}\n\n", capitalize(&heading), body_label(c));
                    match s {
                        1 => {
                            md.push_str(&w.paragraph(&mut notes, "n"));
                            md.push_str("\n\n");
                            md.push_str(&w.list(false));
                            md.push('\n');
                        }
                        2 => {
                            md.push_str(&w.paragraph(&mut notes, "n"));
                            let _ = write!(
                                md,
                                " Tiedot on koottu taulukkoon @tbl-{n:02}-a.\n\n{}\n\n",
                                table_call(c, &format!("tbl-{n:02}-a"))
                            );
                        }
                        3 => {
                            md.push_str(&w.paragraph(&mut notes, "n"));
                            let _ = write!(
                                md,
                                " Kehitystä havainnollistaa kuvio @fig-{n:02}-a.\n\n{}\n\n",
                                chart_call(c, &format!("fig-{n:02}-a"))
                            );
                            md.push_str(&w.list(true));
                            md.push('\n');
                        }
                        _ => {
                            if c % 3 == 0 {
                                md.push_str(&w.paragraph(&mut notes, "n"));
                                md.push_str("\n\n");
                                md.push_str(&w.pipe_table(&format!("tbl-{n:02}-m")));
                                md.push('\n');
                            }
                            if c % 2 == 1 {
                                let _ = write!(md, "> {} {}.\n\n", w.sentence(), w.sentence());
                            }
                            if c % 4 == 2 {
                                let _ = write!(md, "{}\n\n", chart_call(c + 1, &format!("fig-{n:02}-b")));
                            }
                            if w.layout {
                                // Sizes 3, 10, 17, … 38, 5, …: every size class in a few chapters.
                                let rows = 3 + (c * 7) % 38;
                                md.push_str(&w.paragraph(&mut notes, "n"));
                                let _ = write!(md, " Taulukossa @tbl-{n:02}-l on {rows} riviä.\n\n");
                                md.push_str(&w.pipe_table_rows(Some(&format!("tbl-{n:02}-l")), rows));
                                md.push('\n');
                                md.push_str(&w.paragraph(&mut notes, "n"));
                                md.push_str("\n\n");
                                md.push_str(&w.pipe_table_rows(None, 3 + (c * 5) % 9));
                                md.push('\n');
                                let _ = write!(md, "{}\n\n", chart_call(c + 3, &format!("fig-{n:02}-l")));
                            }
                        }
                    }
                    let mut sub = 0;
                    while w.words - section_start < per_section {
                        if w.layout && sub % 2 == 1 {
                            let _ =
                                write!(md, "### {} {}\n\n", capitalize(w.rng.pick(SECTION_WORDS)), w.rng.pick(NOUNS));
                        }
                        if sub == 0 && s == 2 {
                            let _ = write!(
                                md,
                                "### {} {{#{}-{s}-1}}\n\n",
                                capitalize(w.rng.pick(SECTION_WORDS)),
                                body_label(c)
                            );
                        }
                        md.push_str(&w.paragraph(&mut notes, "n"));
                        md.push_str("\n\n");
                        sub += 1;
                    }
                    // Footnotes of the section, at its end.
                    for note in notes.drain(..) {
                        md.push_str(&note);
                        md.push_str("\n\n");
                    }
                }
                md
            }
            Kind::Cases => {
                let mut md = String::from("---\ninclude: cases\n---\n\n# Tapaustutkimukset {#sec-tapaukset}\n\n");
                let mut notes = Vec::new();
                md.push_str(&w.paragraph(&mut notes, "t"));
                md.push_str("\n\n| Tapaus | Maa | Taso | Perustettu |\n|---|---|---|---|\n");
                md.push_str("{% for c in cases %}| {{ c.name }} (@sec-case-{{ c.id }}) | {{ c.country }} | {{ c.level }} | {{ c.founded }} |\n{% endfor %}\n");
                md.push_str(": Tapaustutkimukset lyhyesti {#tbl-tapaukset source=\"Tapausten perustiedot\"}\n\n");
                md.push_str(&w.paragraph(&mut notes, "t"));
                md.push_str("\n\n");
                for note in notes.drain(..) {
                    md.push_str(&note);
                    md.push_str("\n\n");
                }
                md
            }
            Kind::Recommendations => {
                let mut md = String::from("---\ninclude: recommendations\n---\n\n# Suositukset {#sec-suositukset}\n\n");
                let mut notes = Vec::new();
                md.push_str(&w.paragraph(&mut notes, "s"));
                md.push_str("\n\n");
                md.push_str(&w.list(false));
                md.push('\n');
                for note in notes.drain(..) {
                    md.push_str(&note);
                    md.push_str("\n\n");
                }
                md
            }
        };
        let slug = match kind {
            Kind::Body(c) => format!("luku-{:02}", c + 1),
            Kind::Cases => "tapaukset".into(),
            Kind::Recommendations => "suositukset".into(),
        };
        write(&out.join(format!("report/chapters/{file_no:02}-{slug}.md")), &text)?;
    }
    // Appendix: a long table that breaks across pages.
    write(
        &out.join(format!("report/chapters/{:02}-liite-hankkeet.md", plan.len() + 1)),
        "---\nappendix: true\n---\n\n# Hankeluettelo {#sec-liite-hankkeet}\n\nLiitteen taulukossa @tbl-hankkeet on {{ count(\"hankkeet\") }} hanketta, joiden budjetit ovat yhteensä {{ sum(\"hankkeet\", \"budjetti\") | num }} euroa.\n\n{{ table(\"hankkeet\", caption=\"Hankeluettelo\", id=\"tbl-hankkeet\") }}\n",
    )?;

    // Cases: about 600 words each: a two-page sheet, within its budget of 3.
    for (i, id) in case_ids.iter().enumerate() {
        let sources = [keys[(i * 2) % keys.len()].clone(), keys[(i * 2 + 1) % keys.len()].clone()];
        let themes: Vec<String> = (0..3).map(|_| w.rng.pick(NOUNS).to_string()).collect();
        let round = if i >= CASE_NAMES.len() { format!(" {}", i / CASE_NAMES.len() + 1) } else { String::new() };
        let name = format!("{}{round}", CASE_NAMES[i % CASE_NAMES.len()]);
        let mut md = format!(
            "---\nid: {id}\nname: \"{name}\"\ncountry: {}\nlevel: {}\nhost: \"{}\"\nfounded: {}\nfunding: \"{} ja {}\"\nmembers: \"{}\"\nthemes: [{}]\nsources: [{}]\n---\n\n",
            w.rng.pick(COUNTRIES),
            w.rng.pick(LEVELS),
            capitalize(w.rng.pick(NOUNS)),
            1995 + w.rng.range(0, 24),
            w.rng.pick(NOUNS),
            w.rng.pick(NOUNS),
            capitalize(w.rng.pick(NOUNS)),
            themes.join(", "),
            sources.join(", ")
        );
        for (j, part) in ["Tausta", "Organisointi ja rahoitus", "Toiminta", "Opit verkostomallille"].iter().enumerate()
        {
            let _ = write!(md, "### {part}\n\n");
            for k in 0..2 {
                let n = if j == 3 { 5 } else { 7 };
                let mut p: Vec<String> = (0..n).map(|_| w.sentence() + ".").collect();
                if k == 0 {
                    p[0] = format!("{} [@{}]", p[0].trim_end_matches('.'), sources[j % 2]) + ".";
                }
                if j == 2 && k == 1 {
                    p.push(format!(
                        "Yhteys kansalliseen valmisteluun käsitellään luvussa @{}.",
                        body_label(j % chapters)
                    ));
                }
                md.push_str(&p.join(" "));
                md.push_str("\n\n");
            }
        }
        write(&out.join(format!("report/cases/{:02}-{id}.md", i + 1)), &md)?;
    }

    // Recommendations.
    for (i, id) in rec_ids.iter().enumerate() {
        let title = format!("{} {} {}", capitalize(w.rng.pick(ADJECTIVES)), w.rng.pick(NOUNS), w.rng.pick(NOUNS));
        let mut md = format!(
            "---\nid: {id}\ntitle: \"{title}\"\nactors: [työ- ja elinkeinoministeriö, maakuntien liitot, Kuntaliitto]\ntimeframe: {}–{}\nquestions: [TK{}, TK{}]\nbrief: {}\n---\n\n",
            2020 + i % 3,
            2022 + i % 3,
            1 + i % 7,
            1 + (i + 3) % 7,
            i < 4
        );
        let mut notes = Vec::new();
        md.push_str(&w.paragraph(&mut notes, "r"));
        md.push_str("\n\n### Toimenpiteet\n\n");
        md.push_str(&w.list(false));
        md.push('\n');
        for note in notes.drain(..) {
            md.push_str(&note);
            md.push_str("\n\n");
        }
        write(&out.join(format!("report/recommendations/s{}-suositus.md", i + 1)), &md)?;
    }

    // The brief: within its 4-page budget.
    let mut brief = String::from(
        "---\ntitle: \"Verkostoyhteistyön toimintamalli: generoitu suuri selvitys\"\nsubtitle: \"Policy brief – kooste genproject\"\nkey_messages:\n",
    );
    for _ in 0..4 {
        let _ = writeln!(brief, "  - \"{}.\"", w.sentence());
    }
    brief.push_str("---\n\n## Miksi nyt?\n\n");
    for _ in 0..2 {
        let s: Vec<String> = (0..4).map(|_| w.sentence() + ".").collect();
        brief.push_str(&s.join(" "));
        brief.push_str("\n\n");
    }
    let _ = write!(brief, "## Keskeiset havainnot\n\n");
    for k in 0..4 {
        let _ = writeln!(
            brief,
            "- **{}:** {} [@{}].",
            capitalize(w.rng.pick(NOUNS)),
            w.sentence(),
            keys[k * 7 % keys.len()]
        );
    }
    brief.push_str("\nMaakunnissa asuu yhteensä {{ sum(\"alueet\", \"vakiluku\") | num }} asukasta, ja hankkeita on {{ sum(\"alueet\", \"hankkeita\") | num }}.\n");
    write(&out.join("report/brief.md"), &brief)?;

    // Abstracts.
    let abstract_text = |w: &mut Writer, words: &[&str]| -> String {
        let mut out = String::new();
        for _ in 0..3 {
            let mut sentences = Vec::new();
            for _ in 0..4 {
                let n = w.rng.range(9, 16);
                let s: Vec<&str> = (0..n).map(|_| w.rng.pick(words)).collect();
                sentences.push(capitalize(&s.join(" ")) + ".");
            }
            out.push_str(&sentences.join(" "));
            out.push_str("\n\n");
        }
        out
    };
    let fi: String =
        (0..3).map(|_| (0..4).map(|_| w.sentence() + ".").collect::<Vec<_>>().join(" ") + "\n\n").collect();
    write(
        &out.join("report/abstracts/fi.md"),
        &format!("---\nkeywords: [aluekehittäminen, verkostot, vertaisoppiminen]\n---\n\n{fi}"),
    )?;
    let sv = abstract_text(&mut w, SV_WORDS);
    write(
        &out.join("report/abstracts/sv.md"),
        &format!("---\nkeywords: [regionutveckling, nätverk, lärande]\n---\n\n{sv}"),
    )?;
    let en = abstract_text(&mut w, EN_WORDS);
    write(
        &out.join("report/abstracts/en.md"),
        &format!("---\nkeywords: [regional development, networks, peer learning]\n---\n\n{en}"),
    )?;

    // report.toml: the repository's three outputs.
    write(
        &out.join("report/report.toml"),
        &format!(
            r#"title = "Verkostoyhteistyön toimintamalli: generoitu selvitys, noin {pages} sivua"
subtitle = "Suorituskykymittauksen aineisto (kooste genproject --pages {pages})"
date = 2020-02-28
language = "fi"
keywords = ["aluekehittäminen", "verkostoyhteistyö", "vertaisoppiminen"]
commissioner = "Valtioneuvoston kanslia"
publisher = "Valtioneuvoston kanslia"
contact = "Kooste-työryhmä"
place = "Helsinki"

[[author]]
name = "Kooste-työryhmä"
affiliation = "Generoitu"

[series]
name = "Valtioneuvoston selvitys- ja tutkimustoiminnan julkaisusarja"
number = "99/2020"
isbn = "978-952-00-0000-4"
issn = "2342-6799"
urn = "URN:ISBN:978-952-00-0000-4"
licence = "CC BY 4.0"
layout = "Kooste-työryhmä"
disclaimer = "Generoitu aineisto suorituskyvyn mittaamiseen; sisältö ei ole todellinen."

[brief-series]
name = "Policy Brief"
number = "99/2020"
issn = "2342-6799"

[meta]
theme = "Kestävä alue- ja kaupunkikehitys"
project-number = "VNK/99/2020"
distributor = "Sähköinen versio: julkaisut.valtioneuvosto.fi"

[meta.sv]
title = "Verksamhetsmodell för nätverkssamarbete: en genererad utredning på cirka {pages} sidor"
subtitle = "Material för prestandamätning (kooste genproject --pages {pages})"
publisher = "Statsrådets kansli"
series = "Publikationsserie för statsrådets utrednings- och forskningsverksamhet"
commissioner = "Statsrådets kansli"
theme = "Hållbar regional- och stadsutveckling"
distributor = "Elektronisk version: julkaisut.valtioneuvosto.fi"

[meta.en]
title = "An operating model for network cooperation: a generated study of about {pages} pages"
subtitle = "Material for performance measurements (kooste genproject --pages {pages})"
publisher = "Prime Minister's Office"
series = "Publications of the Government's analysis, assessment and research activities"
commissioner = "Prime Minister's Office"
theme = "Sustainable regional and urban development"
distributor = "Online version: julkaisut.valtioneuvosto.fi"

[[output]]
name = "report"
template = "report.typ.j2"
file = "report.pdf"
standards = ["ua-1", "a-2a"]

[[output]]
name = "brief"
template = "brief.typ.j2"
file = "policy-brief.pdf"
standards = ["ua-1", "a-2a"]
page-budget = 4

[[output]]
name = "cases"
each = "cases"
template = "case.typ.j2"
file = "cases/{{id}}.pdf"
standards = ["ua-1", "a-2a"]
page-budget = 3
"#
        ),
    )?;
    Ok(Summary { chapters: plan.len() + 1, cases, recommendations, words: w.words })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut out: Option<PathBuf> = None;
    let mut pages = 100;
    let mut layout = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--pages" => pages = args.next().and_then(|s| s.parse().ok()).unwrap_or_else(|| usage()),
            "--layout" => layout = true,
            "-h" | "--help" => usage(),
            _ if out.is_none() && !arg.starts_with('-') => out = Some(PathBuf::from(arg)),
            _ => usage(),
        }
    }
    let out = out.unwrap_or_else(|| usage());
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    match generate_with(&out, pages, &repo, layout) {
        Ok(s) => eprintln!(
            "wrote a project of about {pages} pages to {}: {} chapters, {} cases, {} recommendations, {} words",
            out.display(),
            s.chapters,
            s.cases,
            s.recommendations,
            s.words
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}

fn usage() -> ! {
    eprintln!("usage: genproject OUT_DIR [--pages N] [--layout]   (default 100 pages)");
    std::process::exit(2);
}
