//! Column widths and alignment for the tables kooste writes, from their
//! content: the Typst `columns:` and `align:` arguments of a table from
//! Markdown (`markdown::blocks`) or from data (`markup::table`).
//!
//! Typst's `columns: N` gives every column the same width, so a column of
//! years is as wide as one of long descriptions, and the descriptions break
//! into hyphenated pieces. Here a table whose content fits the text width is
//! set at its natural widths (`auto`); otherwise short columns keep their
//! natural width and the long ones share the rest by their mean length (as
//! `fr`), each at least as wide as its longest word. Text starts at the left,
//! numbers end at the right.
//!
//! Widths are estimated in characters of the 9 pt table text on the report's
//! 15.5 cm text width; the estimate only decides proportions, Typst lays out.

/// How a column's cells align.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

impl Align {
    /// The Typst alignment.
    pub fn typst(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
        }
    }
}

/// Characters of 9 pt table text on the text width, less the cell insets
/// (an estimate: 15.5 cm ≈ 440 pt at about 4.3 pt a character).
const CAPACITY: f64 = 100.0;
/// Characters of cell inset per column (5 pt on each side).
const INSET: f64 = 2.4;
/// Columns whose longest cell has at most this many characters keep their
/// natural width.
const SHORT: usize = 14;
/// A header cell takes at most this many lines.
const HEADER_LINES: usize = 3;

/// How a table's columns are set.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// The Typst `columns:` value.
    pub widths: String,
    /// A smaller text size (pt) for a table whose header words would not
    /// fit at the table's 9 pt; `None` keeps the template's size.
    pub text_size: Option<f64>,
    /// For a table whose columns' longest words do not fit the text width
    /// even at the smallest size: the characters they need and the
    /// characters a line holds there.
    pub too_wide: Option<(usize, usize)>,
}

/// The table's text size in the supplied templates, in points.
const TEXT_SIZE: f64 = 9.0;
/// The smallest size a crowded table is set in.
const MIN_TEXT_SIZE: f64 = 7.5;

impl Columns {
    /// A `show table` rule for the smaller size, to write before the table
    /// (inside its figure's body); empty when the size stays.
    pub fn size_rule(&self) -> String {
        self.text_size.map_or(String::new(), |pt| format!("#show table: set text(size: {pt:.1}pt)\n"))
    }
}

/// The fewest characters a line may hold for `text`, wrapped greedily at
/// its spaces, to take at most `lines` lines: at least its longest word,
/// and more where words do not pack ("puolittuessa, euroa" cannot share a
/// line of 15).
fn wrap_width(text: &str, lines: usize) -> f64 {
    let words: Vec<usize> = text.split_whitespace().map(|w| w.chars().count()).collect();
    let taken = |width: usize| {
        let (mut count, mut used) = (1, 0);
        for &w in &words {
            if used > 0 && used + 1 + w > width {
                count += 1;
                used = w;
            } else {
                used += if used > 0 { 1 + w } else { w };
            }
        }
        count
    };
    let longest = words.iter().copied().max().unwrap_or(0);
    let total = words.iter().sum::<usize>() + words.len().saturating_sub(1);
    (longest..=total.max(longest)).find(|&w| taken(w) <= lines).unwrap_or(total) as f64
}

/// Quarto's `tbl-colwidths` (`[75,25]`: each column's share of the width)
/// as a Typst `columns:` value for a table of `columns` columns; `None`
/// when it does not give one positive number per column.
pub fn shares(asked: &str, columns: usize) -> Option<String> {
    let inner = asked.trim().strip_prefix('[')?.strip_suffix(']')?;
    let numbers: Vec<f64> =
        inner.split(',').map(|n| n.trim().parse::<f64>().ok().filter(|&n| n > 0.0)).collect::<Option<_>>()?;
    (numbers.len() == columns).then(|| tuple(&numbers.iter().map(|n| format!("{n}fr")).collect::<Vec<_>>()))
}

/// The columns of a table whose rows (header first) hold the cells' plain
/// text.
pub fn columns(rows: &[Vec<String>]) -> Columns {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let cell = |r: &Vec<String>, c: usize| r.get(c).map_or(0, |t| visible_len(t));
    let natural: Vec<usize> = (0..n).map(|c| rows.iter().map(|r| cell(r, c)).max().unwrap_or(0)).collect();
    let capacity = CAPACITY - INSET * n as f64;
    if natural.iter().sum::<usize>() as f64 <= capacity {
        return Columns { widths: tuple(&vec!["auto".to_string(); n]), text_size: None, too_wide: None };
    }
    // The width a column cannot go below (CSS's minimum width): its longest
    // word, in the header (bold, never hyphenated) and in the body (a body
    // cell breaks no word), and a third of its header, which then takes at
    // most three lines. Words break at their own hyphens and slashes.
    let word = |c: usize| {
        let longest = |t: &str| {
            t.split(|ch: char| ch.is_whitespace() || ch == '-' || ch == '/')
                .filter(|w| !w.starts_with('@'))
                .map(|w| w.chars().count() as f64)
                .fold(0.0, f64::max)
        };
        // A header takes at most three lines (bold: a tenth wider).
        let header_text = rows.first().and_then(|r| r.get(c));
        let header = header_text.map_or(0.0, |t| longest(t).max(wrap_width(t, HEADER_LINES)) * 1.1);
        let body = rows[1.min(rows.len())..].iter().filter_map(|r| r.get(c)).map(|t| longest(t)).fold(0.0, f64::max);
        header.max(body)
    };
    let mean = |c: usize| {
        let body = &rows[1.min(rows.len())..];
        let total: usize = body.iter().map(|r| cell(r, c)).sum();
        (total as f64 / body.len().max(1) as f64).max(1.0)
    };
    // Short columns (no body cell longer than SHORT) get the width of their
    // longest cell or header word; the long ones share the rest by their
    // mean length, each at least as wide as its `word`.
    let body_max = |c: usize| rows[1.min(rows.len())..].iter().map(|r| cell(r, c)).max().unwrap_or(0) as f64;
    let short: Vec<bool> = (0..n).map(|c| body_max(c) <= SHORT as f64).collect();
    let mut width: Vec<f64> = (0..n).map(|c| if short[c] { body_max(c).max(word(c)).max(1.0) } else { 0.0 }).collect();
    let long: Vec<usize> = (0..n).filter(|&c| !short[c]).collect();
    let left = (capacity - width.iter().sum::<f64>()).max(long.len() as f64 * SHORT as f64);
    let weights: f64 = long.iter().map(|&c| mean(c)).sum();
    let mut share: Vec<f64> = long.iter().map(|&c| left * mean(c) / weights).collect();
    // Raised to the floor where needed; the others give up the difference.
    let floor: Vec<f64> = long.iter().map(|&c| word(c)).collect();
    let deficit: f64 = share.iter().zip(&floor).map(|(s, f)| (f - s).max(0.0)).sum();
    let spare: f64 = share.iter().zip(&floor).map(|(s, f)| (s - f).max(0.0)).sum();
    if deficit > 0.0 && spare > 0.0 {
        let take = (deficit / spare).min(1.0);
        for (s, f) in share.iter_mut().zip(&floor) {
            *s = if *s < *f { *f } else { *s - (*s - *f) * take };
        }
    }
    for (k, &c) in long.iter().enumerate() {
        width[c] = share[k];
    }
    // Each column also holds its cell insets; when even the floors do not
    // fit, the table's text gets smaller.
    let need: f64 = (0..n).map(|c| if short[c] { width[c] } else { word(c) }).sum::<f64>() + INSET * n as f64;
    let text_size = (need > CAPACITY).then(|| (TEXT_SIZE * CAPACITY / need).max(MIN_TEXT_SIZE));
    let widths = tuple(&width.iter().map(|w| format!("{}fr", (w + INSET).round() as usize)).collect::<Vec<_>>());
    // At the smallest size a line holds more characters; beyond that the
    // words break or run into the next column. The widths are estimates
    // (bold headers a tenth wider, an average character): a table is too
    // wide when it needs a tenth more than that (the study's widest, 126
    // of 120, sets without a broken or overrunning word).
    let holds = CAPACITY * TEXT_SIZE / MIN_TEXT_SIZE;
    let too_wide = (need > holds * 1.1).then(|| (need.round() as usize, holds.round() as usize));
    Columns { widths, text_size, too_wide }
}

/// About how many characters `text` prints as: a cross-reference
/// (`@sec-x`) prints as a number such as "9.2".
fn visible_len(text: &str) -> usize {
    let words = text
        .split_whitespace()
        .map(|w| if w.starts_with('@') { 3 + w.ends_with([',', ';', '.']) as usize } else { w.chars().count() });
    let (count, len) = words.fold((0usize, 0usize), |(n, l), w| (n + 1, l + w));
    len + count.saturating_sub(1)
}

/// Tables of at most this many body rows are never broken across pages.
pub const SHORT_TABLE: usize = 8;
/// Each part of a broken table keeps at least this many body rows.
pub const MIN_ROWS: usize = 3;
/// Body rows kept together at the end of a table longer than
/// [`SHORT_TABLE`] rows.
pub const LAST_ROWS: usize = MIN_ROWS;

/// For a table of `body_rows` body rows, the index of the first body row
/// that goes into a non-repeated `table.footer`: typst keeps such a footer
/// in one piece, so a table that breaks keeps [`LAST_ROWS`] rows on its
/// last page. `None` for short tables, which never break. (Screen readers
/// read the footer's rows last, in their order.)
pub fn footer_from(body_rows: usize) -> Option<usize> {
    (body_rows > SHORT_TABLE).then(|| body_rows - LAST_ROWS)
}

/// Whether a cell's text reads as a number (digits with Finnish or English
/// separators, a sign, a percent or currency sign), or is empty or a dash.
pub fn is_number(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() || t == "–" || t == "-" {
        return true;
    }
    let core = t.trim_end_matches(['%', '€', ' ', '\u{a0}']).trim_start_matches(['−', '-', '+', '±']);
    !core.is_empty()
        && core.chars().any(|c| c.is_ascii_digit())
        && core.chars().all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}'))
}

/// The alignment of each column: what the author asked for, else numbers
/// at the right (every body cell a number, at least one not empty) and text
/// at the left.
pub fn alignments(rows: &[Vec<String>], asked: &[Option<Align>]) -> Vec<Align> {
    let body = &rows[1.min(rows.len())..];
    (0..asked.len())
        .map(|c| {
            asked[c].unwrap_or_else(|| {
                let cells: Vec<&str> = body.iter().filter_map(|r| r.get(c).map(String::as_str)).collect();
                let numeric =
                    cells.iter().all(|t| is_number(t)) && cells.iter().any(|t| !matches!(t.trim(), "" | "–" | "-"));
                if numeric { Align::Right } else { Align::Left }
            })
        })
        .collect()
}

/// A Typst array literal of `items` (a trailing comma for one item).
pub fn tuple(items: &[String]) -> String {
    if items.len() == 1 { format!("({},)", items[0]) } else { format!("({})", items.join(", ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[&[&str]]) -> Vec<Vec<String>> {
        cells.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    #[test]
    fn a_header_wraps_into_three_lines_where_its_words_pack() {
        // A third of its 46 characters (16) leaves four lines:
        // "Jäsenmaksu / valtion osuuden / puolittuessa, / euroa".
        let header = "Jäsenmaksu valtion osuuden puolittuessa, euroa";
        assert_eq!(wrap_width(header, 3), 19.0);
        assert_eq!(wrap_width("Valtion osuus, %", 3), 7.0);
        assert_eq!(wrap_width("Skenaario", 3), 9.0);
        assert_eq!(wrap_width("", 3), 0.0);
    }

    #[test]
    fn a_table_whose_words_do_not_fit_even_small_is_too_wide() {
        let header: Vec<&str> = vec!["Sarake"; 9];
        let row: Vec<&str> = vec!["kehittämisorganisaatioille"; 9];
        let t = rows(&[&header, &row, &row]);
        let (need, holds) = columns(&t).too_wide.expect("too wide");
        assert!(need > holds && holds == 120, "{need} > {holds}");
        let fits = rows(&[&["Malli", "Kuvaus"], &["A", "kehittämisorganisaatioille"]]);
        assert_eq!(columns(&fits).too_wide, None);
    }

    #[test]
    fn narrow_tables_keep_their_natural_widths() {
        let t = rows(&[&["Malli", "Pisteet"], &["A Vuosifoorumi", "17"], &["B Oppimislaboratorio", "22"]]);
        assert_eq!(columns(&t), Columns { widths: "(auto, auto)".into(), text_size: None, too_wide: None });
    }

    #[test]
    fn a_header_takes_at_most_three_lines() {
        let header = "Kun osa ja myös muut osat ovat siinä ja vielä yksi".to_string();
        let long = "Pitkä kuvaus, joka vie tilaa ja pakottaa taulukon jakamaan leveyden sarakkeiden kesken ".repeat(3);
        let t = vec![vec![header.clone(), "Kuvaus".into()], vec!["1 200".into(), long]];
        let widths = columns(&t).widths;
        let first: f64 = widths.trim_start_matches('(').split("fr").next().unwrap().parse().unwrap();
        assert!(first >= header.chars().count() as f64 / 3.0, "{widths}");
    }

    #[test]
    fn long_columns_share_the_width_by_length() {
        let long = "Kansallinen kehys, jonka toimeenpanoon verkostot voivat osallistua alueiden kanssa";
        let t = rows(&[
            &["Prosessi", "Vastuutaho", "Merkitys verkostoyhteistyölle"],
            &["Aluekehittämispäätös", "TEM", long],
            &["Seutukaupunkiohjelma", "TEM", long],
        ]);
        // The middle column is short: as wide as its header; the others
        // share the rest by their length.
        let cols = columns(&t).widths;
        let parts: Vec<&str> = cols.trim_matches(['(', ')']).split(", ").collect();
        let fr = |s: &str| s.trim_end_matches("fr").parse::<usize>().unwrap();
        assert_eq!(fr(parts[1]), 13, "{cols}");
        assert!(fr(parts[2]) > 2 * fr(parts[0]), "{cols}");
        // A long column is at least as wide as its header's longest word.
        assert!(fr(parts[2]) >= 24, "{cols}");
    }

    #[test]
    fn references_count_as_the_numbers_they_print() {
        let t = rows(&[
            &["Kysymys", "Vastaus luvussa"],
            &["Millainen toimintamalli tukisi verkostoja?", "@sec-toimintamallit, @sec-rahoitus"],
        ]);
        assert_eq!(visible_len("@sec-toimintamallit, @sec-rahoitus"), 8);
        assert_eq!(columns(&t).widths, "(auto, auto)");
    }

    #[test]
    fn crowded_headers_make_the_text_smaller() {
        let header: Vec<&str> = vec![
            "Vertaisoppiminen",
            "Omistajuus",
            "Kansallinen kytkentä",
            "Jatkuvuus",
            "Kustannus",
            "Avoimuus",
            "Toteutettavuus",
            "Yhteensä",
        ];
        let mut t = vec![header.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
        t.push(vec!["5".to_string(); 8]);
        let cols = columns(&t);
        let size = cols.text_size.expect("smaller text");
        assert!((MIN_TEXT_SIZE..TEXT_SIZE).contains(&size), "{size}");
        assert!(cols.size_rule().starts_with("#show table: set text(size: "), "{}", cols.size_rule());
    }

    #[test]
    fn numbers_align_right_and_text_left() {
        let t = rows(&[&["Skenaario", "Euroa", "Osuus"], &["A", "150 000", "12,5 %"], &["B", "–", "−3 %"]]);
        assert_eq!(alignments(&t, &[None, None, None]), [Align::Left, Align::Right, Align::Right]);
        assert_eq!(alignments(&t, &[Some(Align::Center), None, None])[0], Align::Center);
        assert!(!is_number("TK1") && !is_number("2020–2021") && is_number("1 234,5"));
    }
}
