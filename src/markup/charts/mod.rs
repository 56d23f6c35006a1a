//! Charts from a [`Table`]: native Typst vector graphics, no packages, no images.
//!
//! [`chart_typst`] turns a dataset and a [`ChartSpec`] into one numbered
//! figure (`#figure(kind: image, …) #label("fig-…")`) that fills the text
//! column, in the document's fonts, with the dataset's source line under the
//! drawing, just as [`crate::markup::table::table_typst`] does for tables.
//!
//! The work is split in two:
//!
//! - Rust does everything that depends on the data: validation, the value
//!   domain and its "nice" ticks, Finnish number formatting
//!   ([`format_number`](crate::markup::numbers::format_number)), value
//!   labels, and the alternative text. The data reaches Typst only as
//!   string literals ([`string_literal`]) and as fractions of the value
//!   axis (plain float literals), so no value can run as Typst.
//! - Typst does the geometry, inside `layout(size => …)` so the chart is
//!   exactly as wide as the column (15,5 cm in the report, 16,6 cm in the
//!   brief), and with `measure` so that long category labels wrap in a label
//!   column of at most 36 % of the width, value labels go inside a bar only
//!   when they fit, and axis labels never overlap.
//!
//! Design: [`ChartKind::Bar`] and [`ChartKind::StackedBar`] are horizontal
//! (long Finnish category names read on the left), several `y` columns in a
//! bar chart give grouped bars; [`ChartKind::Dot`] is a horizontal
//! Cleveland dot plot (several series are joined by a grey line per row);
//! [`ChartKind::Line`] has the value axis on the left, its `x` spaced by
//! value when the x column is numeric (years) and evenly otherwise, and a
//! distinct marker shape and dash pattern for each series so the series can
//! be told apart without colour. Bars and dot plots are not broken across
//! pages. Series colours have 6.5:1 to 8.9:1 contrast on white (WCAG AA
//! for text and graphics, also for the white value labels on them); text is
//! the document's ink, tick labels its muted grey (7.6:1).
//!
//! Accessibility: Typst 0.15's `figure` has an `alt` parameter for
//! non-image content; screen readers read it and the caption and skip the
//! drawing. kooste passes [`ChartSpec::alt`] there, or, when the author gave
//! none, a Finnish description generated from the data (kind, caption, a
//! year x axis as a range and a trend per series, year values as dates in
//! order, other categories named with their values, the value axis title)
//! that ends with the source line, which would otherwise be skipped with
//! the drawing. With [`ChartSpec::data_table`] the values also print as a
//! table under the figure, kept with it.
//!
//! The parts, in the order [`chart_typst`] uses them:
//!
//! - `data`: the checked columns and the rows in drawing order;
//! - `scale`: the value axis (domain, ticks, fractions, labels);
//! - `alt`: the generated alternative text;
//! - `marks`: the data as Typst bindings and the Typst that draws each kind;
//! - `data_table`: the values as a table under the figure;
//!
//! and this module wraps the drawing in the figure, with caption, alt and
//! source line, and the figure and its table in one unbreakable block.

mod alt;
mod data;
mod data_table;
mod marks;
mod scale;

pub use scale::nice_ticks;

use crate::load::datasets::Table;
use crate::markup::escape::{escape_text, is_label_name, string_literal};
use data::{ChartData, Columns};
use marks::{COMMON_TYPST, Marks};
use scale::Scale;

/// The kind of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Horizontal bars; several `y` columns give grouped bars.
    Bar,
    /// Horizontal bars with the `y` columns stacked, totals at the ends.
    StackedBar,
    /// A line per `y` column over `x` (spaced by value when `x` is numeric).
    Line,
    /// A horizontal dot plot; several `y` columns are joined per row.
    Dot,
}

impl ChartKind {
    /// The kind called `name` (`bar`, `stacked-bar`, `line`, `dot`).
    pub fn from_name(name: &str) -> Option<ChartKind> {
        match name {
            "bar" => Some(ChartKind::Bar),
            "stacked-bar" | "stacked" | "stackedbar" => Some(ChartKind::StackedBar),
            "line" => Some(ChartKind::Line),
            "dot" => Some(ChartKind::Dot),
            _ => None,
        }
    }

    /// The Finnish name used in generated alternative text.
    fn finnish(self) -> &'static str {
        match self {
            ChartKind::Bar => "Pylväskaavio",
            ChartKind::StackedBar => "Pinottu pylväskaavio",
            ChartKind::Line => "Viivakaavio",
            ChartKind::Dot => "Pistekaavio",
        }
    }
}

/// What to draw.
#[derive(Debug, Clone)]
pub struct ChartSpec {
    pub kind: ChartKind,
    /// The category (or x) column.
    pub x: String,
    /// One or more numeric columns: the series.
    pub y: Vec<String>,
    /// The caption, without "(havainnollistava aineisto)": that is added
    /// when the dataset is illustrative.
    pub caption: String,
    /// A label such as `fig-rahoitus`.
    pub id: Option<String>,
    /// Alternative text; generated from the data when `None`.
    pub alt: Option<String>,
    /// The title of the value axis (e.g. "euroa").
    pub y_label: Option<String>,
    /// The values are fractions and print as percentages (0.25 → 25 %).
    pub percent: bool,
    /// Also print the values as a compact table under the figure, for
    /// readers who cannot see the drawing.
    pub data_table: bool,
}

/// A generated chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// The whole figure, label included.
    pub typst: String,
    /// The alternative text the figure carries.
    pub alt: String,
}

/// The Typst of a chart figure for `table` as `spec` describes it.
pub fn chart_typst(table: &Table, spec: &ChartSpec) -> Result<Chart, String> {
    let columns = Columns::find(table, spec)?;
    check_id(spec)?;
    let data = ChartData::new(table, spec, &columns)?;
    let scale = Scale::new(spec.kind, &data, spec.percent);
    let mut caption = spec.caption.clone();
    if table.illustrative {
        caption.push_str(" (havainnollistava aineisto)");
    }
    let alt = match &spec.alt {
        Some(alt) => alt.clone(),
        None => alt::generate_alt(spec, table, &caption, &data, &scale),
    };
    let marks = Marks::new(spec, &data, &scale);
    let mut typst = figure_typst(&caption, &alt, &marks, &table.source, spec.id.as_deref());
    // With its values as a table, the figure and the table stay together.
    if spec.data_table {
        typst =
            format!("#block(width: 100%, breakable: false)[{typst}{}]", data_table::data_table_typst(&data, &scale));
    }
    Ok(Chart { typst, alt })
}

/// Checks that the figure's label, if any, is a valid Typst label name.
fn check_id(spec: &ChartSpec) -> Result<(), String> {
    match &spec.id {
        Some(id) if !is_label_name(id) => {
            Err(format!("`{id}` is not a valid label (use letters, digits, `-` and `_`, e.g. `fig-rahoitus`)"))
        }
        _ => Ok(()),
    }
}

/// The figure around `marks`: the caption, the alternative text, the
/// drawing in a column-wide unbreakable block with the `source` line
/// under it, and the label `id`.
fn figure_typst(caption: &str, alt: &str, marks: &Marks, source: &str, id: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str("#figure(kind: image, caption: [");
    out.push_str(&escape_text(caption, false));
    out.push_str("], alt: ");
    out.push_str(&string_literal(alt));
    out.push_str(", {\n");
    out.push_str(&marks.data);
    out.push_str(COMMON_TYPST);
    out.push_str("  block(width: 100%, breakable: false, {\n    block(width: 100%, below: 0.9em, {\n      set text(size: 9pt, fill: ink, hyphenate: false)\n      set par(justify: false, first-line-indent: 0pt, leading: 0.4em, spacing: 0.5em)\n      set align(left)\n      layout(size => {\n");
    out.push_str(marks.drawing);
    out.push_str("      })\n    })\n    block(width: 100%, above: 0.9em, align(left, text(size: 0.85em)[Lähde: ");
    out.push_str(&escape_text(source, false));
    out.push_str("]))\n  })\n})");
    if let Some(id) = id {
        out.push_str(" #label(");
        out.push_str(&string_literal(id));
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use typst::layout::{Frame, FrameItem};
    use typst_kit::datetime::Time;
    use typst_layout::PagedDocument;

    use super::*;
    use crate::compile::world::{ReportWorld, Shared};
    use crate::load::datasets::{Cell, ColumnType};

    fn table() -> Table {
        let rows = vec![
            ("Maakuntien liitot", 2015, 0.83, 0.47, 36),
            ("Kunnat ja kehitysyhtiöt", 2016, 0.71, 0.68, 88),
            ("#x *y*", 2017, 0.66, 0.59, 29),
            ("Ministeriöt, valtion virastot ja muut valtion keskushallinnon toimijat", 2018, 0.76, 0.38, 21),
            ("Järjestöt", 2019, 0.50, 0.74, 18),
        ];
        Table {
            name: "kysely".into(),
            path: PathBuf::from("data/kysely.csv"),
            title: "Kysely".into(),
            source: "Kooste-työryhmän kysely 2020 [$x]".into(),
            illustrative: true,
            headers: vec!["ryhma".into(), "vuosi".into(), "hyoty".into(), "este".into(), "vastaajia".into()],
            labels: vec![
                "Ryhmä".into(),
                "Vuosi".into(),
                "Hyötyy".into(),
                "Resurssit esteenä".into(),
                "Vastaajia".into(),
            ],
            types: vec![
                ColumnType::Text,
                ColumnType::Integer,
                ColumnType::Number,
                ColumnType::Number,
                ColumnType::Integer,
            ],
            rows: rows
                .into_iter()
                .map(|(a, b, c, d, e)| {
                    vec![Cell::Text(a.into()), Cell::Int(b), Cell::Num(c), Cell::Num(d), Cell::Int(e)]
                })
                .collect(),
        }
    }

    fn spec(kind: ChartKind, x: &str, y: &[&str]) -> ChartSpec {
        ChartSpec {
            kind,
            x: x.into(),
            y: y.iter().map(|s| s.to_string()).collect(),
            caption: "Verkostotyön #hyödyt".into(),
            id: Some("fig-kysely".into()),
            alt: None,
            y_label: None,
            percent: true,
            data_table: false,
        }
    }

    fn specs() -> Vec<(&'static str, ChartSpec)> {
        let mut bar = spec(ChartKind::Bar, "ryhma", &["vastaajia"]);
        bar.percent = false;
        bar.y_label = Some("vastaajaa".into());
        let mut line = spec(ChartKind::Line, "vuosi", &["hyoty", "este"]);
        line.y_label = Some("osuus vastaajista".into());
        vec![
            ("bar", bar),
            ("stacked-bar", spec(ChartKind::StackedBar, "ryhma", &["hyoty", "este"])),
            ("line", line),
            ("dot", spec(ChartKind::Dot, "ryhma", &["hyoty", "este"])),
        ]
    }

    fn root() -> PathBuf {
        std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).unwrap()
    }

    /// Compiles a chart in a page set up like the report's.
    fn compile(typst: &str) -> Result<PagedDocument, Vec<String>> {
        let source = format!(
            "#set page(paper: \"a4\", margin: (left: 3cm, right: 2.5cm, y: 2.8cm))\n\
             #set text(font: (\"Libertinus Serif\", \"New Computer Modern\"), size: 11pt, lang: \"fi\")\n\
             #set figure.caption(position: top)\n\
             #show figure.where(kind: image): set figure(supplement: \"Kuvio\")\n\
             #show figure: set block(breakable: true)\n\
             {}\n\n{typst}\n",
            if typst.contains("#label(\"fig-kysely\")") { "Katso @fig-kysely." } else { "" }
        );
        let shared = Arc::new(Shared::new(&root(), Time::fixed_timestamp(0).unwrap()));
        let world = ReportWorld::new(shared, "/chart-test.typ", source);
        use typst::WorldExt as _;
        let source = world.main_source().clone();
        let warned = typst::compile::<PagedDocument>(&world);
        assert!(
            warned.warnings.is_empty(),
            "warnings: {:?}",
            warned.warnings.iter().map(|w| w.message.as_str()).collect::<Vec<_>>()
        );
        warned.output.map_err(|errors| {
            errors
                .iter()
                .map(|e| {
                    let line =
                        world.range(e.span).and_then(|r| source.lines().byte_to_line(r.start)).map_or(0, |l| l + 1);
                    format!("line {line}: {}", e.message)
                })
                .collect()
        })
    }

    fn texts(frame: &Frame, out: &mut String) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Text(t) => out.push_str(t.text.as_str()),
                FrameItem::Group(g) => texts(&g.frame, out),
                _ => {}
            }
        }
    }

    #[test]
    fn data_is_escaped() {
        let chart = chart_typst(&table(), &spec(ChartKind::Bar, "ryhma", &["hyoty"])).unwrap();
        assert!(chart.typst.contains(r##"cat: "#x *y*""##), "{}", chart.typst);
        assert!(chart.typst.contains(r"caption: [Verkostotyön \#hyödyt (havainnollistava aineisto)]"));
        assert!(chart.typst.contains(r"Lähde: Kooste-työryhmän kysely 2020 \[\$x\]"));
        assert!(chart.typst.ends_with(r#" #label("fig-kysely")"#));
        // And it prints as written.
        let doc = compile(&chart.typst).unwrap();
        let mut text = String::new();
        for page in doc.pages() {
            texts(&page.frame, &mut text);
        }
        assert!(text.contains("#x *y*"), "{text}");
        assert!(text.contains("[$x]"), "{text}");

        // Quotes, backslashes and code in any label stay text.
        let mut t = table();
        t.rows[0][0] = Cell::Text("Liitot \"A\" \\ #let x = 1 ]) #panic()".into());
        t.labels[2] = "Hyöty\") #panic(\"".into();
        let chart = chart_typst(&t, &spec(ChartKind::Line, "ryhma", &["hyoty", "este"])).unwrap();
        let doc = compile(&chart.typst).unwrap();
        let mut text = String::new();
        for page in doc.pages() {
            texts(&page.frame, &mut text);
        }
        assert!(text.contains("Hyöty\") #panic(\""), "{text}");
    }

    #[test]
    fn every_kind_compiles() {
        for (name, spec) in specs() {
            let chart = chart_typst(&table(), &spec).unwrap();
            if let Err(errors) = compile(&chart.typst) {
                panic!("{name} does not compile: {errors:?}\n{}", chart.typst);
            }
        }
    }

    #[test]
    fn one_series_and_negative_values_compile() {
        let mut t = table();
        t.rows[1][3] = Cell::Num(-0.2);
        t.rows[2][2] = Cell::Empty;
        for kind in [ChartKind::Bar, ChartKind::Line, ChartKind::Dot] {
            for y in [&["hyoty"][..], &["hyoty", "este"]] {
                let mut s = spec(kind, "ryhma", y);
                s.id = None;
                let chart = chart_typst(&t, &s).unwrap();
                if let Err(errors) = compile(&chart.typst) {
                    panic!("{kind:?} {y:?}: {errors:?}\n{}", chart.typst);
                }
            }
        }
    }

    #[test]
    fn generated_alt_names_categories_with_their_values() {
        let chart = chart_typst(&table(), &spec(ChartKind::Bar, "ryhma", &["hyoty"])).unwrap();
        assert!(
            chart.alt.starts_with("Pylväskaavio: Verkostotyön #hyödyt (havainnollistava aineisto)."),
            "{}",
            chart.alt
        );
        assert!(
            chart.alt.contains(
                "Arvot suurimmasta pienimpään: Maakuntien liitot 83\u{a0}%, Ministeriöt, valtion virastot ja muut \
                 valtion keskushallinnon toimijat 76\u{a0}%, Kunnat ja kehitysyhtiöt 71\u{a0}%, #x *y* 66\u{a0}%, \
                 Järjestöt 50\u{a0}%."
            ),
            "{}",
            chart.alt
        );
        assert!(chart.alt.contains("Lähde: Kooste-työryhmän kysely 2020 [$x]."), "{}", chart.alt);
        assert!(chart.typst.contains(&format!("alt: {}", string_literal(&chart.alt))));

        let stacked = chart_typst(&table(), &spec(ChartKind::StackedBar, "ryhma", &["hyoty", "este"])).unwrap();
        assert!(stacked.alt.contains("Hyötyy suurimmasta pienimpään: Maakuntien liitot 83"), "{}", stacked.alt);
        assert!(stacked.alt.contains("Resurssit esteenä suurimmasta pienimpään: Järjestöt 74"), "{}", stacked.alt);
        assert!(stacked.alt.contains("Yhteensä: Kunnat ja kehitysyhtiöt 139"), "{}", stacked.alt);

        let mut own = spec(ChartKind::Dot, "ryhma", &["hyoty"]);
        own.alt = Some("Oma kuvaus".into());
        assert_eq!(chart_typst(&table(), &own).unwrap().alt, "Oma kuvaus");
    }

    #[test]
    fn generated_alt_reads_years_as_time() {
        // Years as values (founding years): in order, never "largest".
        let mut founded = spec(ChartKind::Dot, "ryhma", &["vuosi"]);
        founded.percent = false;
        founded.y_label = Some("perustamisvuosi".into());
        let alt = chart_typst(&table(), &founded).unwrap().alt;
        assert!(
            alt.contains("Aikajärjestyksessä: Maakuntien liitot 2015, Kunnat ja kehitysyhtiöt 2016, #x *y* 2017"),
            "{alt}"
        );
        assert!(alt.contains("Varhaisin Maakuntien liitot (2015), viimeisin Järjestöt (2019)."), "{alt}");
        assert!(!alt.contains("suurin") && !alt.contains("Arvoakseli"), "{alt}");
        // Years on the x axis: the range and each series' trend.
        let line = chart_typst(&table(), &spec(ChartKind::Line, "vuosi", &["hyoty", "este"])).unwrap().alt;
        assert!(line.contains("Vuosi 2015–2019."), "{line}");
        assert!(line.contains("Hyötyy laskee: 83\u{a0}% (2015) – 50\u{a0}% (2019)."), "{line}");
        assert!(
            line.contains("Resurssit esteenä nousee: 47\u{a0}% (2015) – 74\u{a0}% (2019). Pienin 38\u{a0}% (2018)."),
            "{line}"
        );
    }

    #[test]
    fn data_table_prints_the_values_under_the_figure() {
        let mut s = spec(ChartKind::Bar, "ryhma", &["hyoty", "este"]);
        s.data_table = true;
        let chart = chart_typst(&table(), &s).unwrap();
        assert!(chart.alt.ends_with("Arvot ovat myös taulukkona kuvion alla."), "{}", chart.alt);
        assert!(chart.typst.contains("table.header(repeat: true, [Ryhmä], [Hyötyy], [Resurssit esteenä], )"));
        let doc = compile(&chart.typst).unwrap();
        let mut text = String::new();
        for page in doc.pages() {
            texts(&page.frame, &mut text);
        }
        assert!(text.contains("Resurssit esteenä") && text.contains("47"), "{text}");
    }

    #[test]
    fn errors_for_authors() {
        let err = chart_typst(&table(), &spec(ChartKind::Bar, "ryhmä", &["hyoty"])).unwrap_err();
        assert!(
            err.contains("no column `ryhmä`") && err.contains("columns: ryhma, vuosi, hyoty, este, vastaajia"),
            "{err}"
        );
        let err = chart_typst(&table(), &spec(ChartKind::Bar, "ryhma", &["osuus"])).unwrap_err();
        assert!(err.contains("no column `osuus`"), "{err}");
        let err = chart_typst(&table(), &spec(ChartKind::Line, "vuosi", &["ryhma"])).unwrap_err();
        assert!(
            err.contains("`ryhma` of `kysely` is text, not numeric") && err.contains("vuosi, hyoty, este, vastaajia"),
            "{err}"
        );
        let mut empty = table();
        empty.rows.clear();
        let err = chart_typst(&empty, &spec(ChartKind::Dot, "ryhma", &["hyoty"])).unwrap_err();
        assert!(err.contains("has no rows"), "{err}");
        let mut bad = spec(ChartKind::Bar, "ryhma", &["hyoty"]);
        bad.id = Some("fig x".into());
        assert!(chart_typst(&table(), &bad).unwrap_err().contains("not a valid label"));
    }

    /// Writes /tmp/chart-<kind>.pdf for each kind, in the report's own style:
    /// `cargo test --release --lib charts::tests::render_pdfs -- --ignored`.
    #[test]
    #[ignore]
    fn render_pdfs() {
        let root = root();
        let mut cases = specs();
        let mut t = table();
        t.source =
            "Kooste-työryhmän laatima havainnollistava paikkamerkkiaineisto; ei todellista kyselyaineistoa".into();
        let mut bars = spec(ChartKind::Bar, "ryhma", &["hyoty", "este"]);
        bars.id = Some("fig-grouped".into());
        cases.push(("grouped-bar", bars));
        let mut one_dot = spec(ChartKind::Dot, "ryhma", &["hyoty"]);
        one_dot.id = Some("fig-dot1".into());
        cases.push(("dot-one", one_dot));
        let mut cases: Vec<(&str, Table, ChartSpec)> = cases.into_iter().map(|(n, s)| (n, t.clone(), s)).collect();
        // A long yearly series with large numbers and a gap.
        let mut years = t.clone();
        years.headers = vec!["vuosi".into(), "menot".into(), "tulot".into()];
        years.labels = vec!["Vuosi".into(), "Menot".into(), "Tulot".into()];
        years.types = vec![ColumnType::Integer, ColumnType::Integer, ColumnType::Integer];
        years.rows = (2000..=2020)
            .map(|y| {
                let k = (y - 2000) as f64;
                let tulot = if y == 2010 { Cell::Empty } else { Cell::Int(1_200_000 + (k * 41_000.0) as i64) };
                vec![Cell::Int(y), Cell::Int(900_000 + (k * k * 3_100.0) as i64), tulot]
            })
            .collect();
        let mut years_spec = spec(ChartKind::Line, "vuosi", &["menot", "tulot"]);
        (years_spec.percent, years_spec.y_label, years_spec.id) = (false, Some("euroa".into()), None);
        cases.push(("line-years", years, years_spec));
        // Negative and tiny values: labels outside the bars, on both sides.
        let mut neg = t.clone();
        neg.rows[1][3] = Cell::Num(-0.2);
        neg.rows[4][3] = Cell::Num(0.01);
        neg.rows[2][2] = Cell::Empty;
        let mut neg_spec = spec(ChartKind::Bar, "ryhma", &["hyoty", "este"]);
        neg_spec.id = None;
        cases.push(("bar-negative", neg.clone(), neg_spec));
        let mut line_text = spec(ChartKind::Line, "ryhma", &["este"]);
        line_text.id = None;
        cases.push(("line-categories", neg, line_text));
        // The project's own data, when it is there.
        let (tables, _, _) = crate::load::datasets::load_tables(&root);
        let find = |n: &str| tables.iter().find(|t| t.name == n).cloned();
        if let Some(rahoitus) = find("rahoitus") {
            let mut s = spec(ChartKind::Bar, "skenaario", &["toimintakulut"]);
            (s.percent, s.y_label, s.id) = (false, Some("euroa vuodessa".into()), None);
            cases.push(("rahoitus", rahoitus, s));
        }
        if let Some(mallit) = find("mallit") {
            let mut s = spec(
                ChartKind::StackedBar,
                "malli",
                &["omistajuus", "vertaisoppiminen", "kansallinen_kytkenta", "avoimuus", "jatkuvuus", "kustannus"],
            );
            (s.percent, s.y_label, s.id) = (false, Some("pisteet".into()), None);
            cases.push(("mallit", mallit, s));
        }
        for (name, t, spec) in cases {
            let chart = chart_typst(&t, &spec).unwrap();
            let source = format!(
                "#import \"/templates/style.typ\": *\n#show: report-style.with(title: \"Testi\")\n= Luku\n\n{}\n\nTekstiä kuvion jälkeen.\n",
                chart.typst
            );
            let shared = Arc::new(Shared::new(&root, Time::fixed_timestamp(0).unwrap()));
            let world = ReportWorld::new(shared, "/chart-test.typ", source);
            let doc = typst::compile::<PagedDocument>(&world)
                .output
                .unwrap_or_else(|e| panic!("{name}: {e:?}\n{}", chart.typst));
            let pdf = typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).unwrap_or_else(|e| panic!("{e:?}"));
            std::fs::write(Path::new(&format!("/tmp/chart-{name}.pdf")), pdf).unwrap();
        }
    }
}
