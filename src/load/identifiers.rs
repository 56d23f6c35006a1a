//! The publication's identifiers and colophon in report.toml, checked: an
//! ISBN or ISSN with a wrong check digit, a URN that is not one, a series
//! number still a placeholder (`00/2020`), an example address
//! (`example.org`) and an empty colophon field. A malformed identifier is a
//! warning in a draft; in a final build each of these is an error.

use super::project::{CONFIG_PATH, Config, Series};
use crate::diagnostics::{Diagnostic, Diagnostics};

/// An ISBN-13 (978/979) or ISBN-10 whose check digit is right; hyphens
/// and spaces are ignored.
pub fn isbn_ok(isbn: &str) -> bool {
    let chars: Vec<char> = isbn.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    match chars.len() {
        13 if chars.iter().all(char::is_ascii_digit) => {
            let sum: u32 =
                chars.iter().enumerate().map(|(i, c)| c.to_digit(10).unwrap() * if i % 2 == 0 { 1 } else { 3 }).sum();
            sum.is_multiple_of(10) && (isbn.starts_with("978") || isbn.starts_with("979"))
        }
        10 => weighted_mod11(&chars),
        _ => false,
    }
}

/// An ISSN (`NNNN-NNNC`) whose check digit is right.
pub fn issn_ok(issn: &str) -> bool {
    let chars: Vec<char> = issn.chars().filter(|c| *c != '-').collect();
    chars.len() == 8 && issn.len() == 9 && issn.as_bytes()[4] == b'-' && weighted_mod11(&chars)
}

/// Digits weighted n..1 (the last may be X for 10) sum to a multiple of 11.
fn weighted_mod11(chars: &[char]) -> bool {
    let n = chars.len();
    let mut sum = 0;
    for (i, c) in chars.iter().enumerate() {
        let value = match c {
            'X' | 'x' if i == n - 1 => 10,
            c => match c.to_digit(10) {
                Some(d) => d,
                None => return false,
            },
        };
        sum += value * (n - i) as u32;
    }
    sum % 11 == 0
}

/// A series number that stands for one not yet given: `00/2020`,
/// `XX/2020`, `N/YYYY`, `0`.
pub fn placeholder_number(number: &str) -> bool {
    let first = number.split('/').next().unwrap_or("").trim();
    first.is_empty() || !first.chars().all(|c| c.is_ascii_digit()) || first.chars().all(|c| c == '0')
}

/// An address in a domain reserved for examples (RFC 2606, RFC 6761).
pub fn example_address(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["example.org", "example.com", "example.net", ".example", ".invalid", ".test"]
        .iter()
        .any(|domain| lower.split(|c: char| c.is_whitespace() || c == '@' || c == '/').any(|w| w.ends_with(domain)))
}

impl Config {
    /// The outputs that print the brief's series (templates named
    /// `brief…`).
    fn has_brief(&self) -> bool {
        self.outputs.iter().any(|o| o.template.rsplit('/').next().is_some_and(|f| f.starts_with("brief")))
    }

    /// A problem at `path` in report.toml (or its table, when the key is
    /// missing): an error in a final build, else a warning.
    fn config_diag(&self, final_mode: bool, path: &str, message: String, hint: &str) -> Diagnostic {
        let section = path.rsplit_once('.').map_or("", |(s, _)| s);
        let at = self.spans.value(path).or_else(|| self.spans.value(section));
        let d = if final_mode {
            Diagnostic::error(CONFIG_PATH, at, message)
        } else {
            Diagnostic::warning(CONFIG_PATH, at, message)
        };
        d.with_hint(hint)
    }

    /// Identifiers and colophon fields that a final build refuses, or (in
    /// a draft) that are malformed.
    pub fn identifier_faults(&self, final_mode: bool) -> Diagnostics {
        let mut diags = Vec::new();
        let diag = |path: &str, message: String, hint: &str| self.config_diag(final_mode, path, message, hint);
        let mut series: Vec<(&str, &Series)> = vec![("series", &self.series)];
        if let Some(brief) = &self.brief_series {
            series.push(("brief-series", brief));
        }
        // Each identifier's check, what it is not, and how to mend it.
        let isbn = (
            isbn_ok as fn(&str) -> bool,
            "an ISBN: its check digit is wrong",
            "copy the ISBN the publisher gave, with its last digit",
        );
        let issn = (
            issn_ok as fn(&str) -> bool,
            "an ISSN (NNNN-NNNC with the right check digit)",
            "copy the series' ISSN from the ISSN register or the publisher",
        );
        for (section, s) in &series {
            let fields = [
                ("isbn", &s.isbn, isbn),
                ("isbn-print", &s.isbn_print, isbn),
                ("issn", &s.issn, issn),
                ("issn-print", &s.issn_print, issn),
            ];
            for (key, value, (ok, what, hint)) in fields {
                if !value.trim().is_empty() && !ok(value.trim()) {
                    diags.push(diag(&format!("{section}.{key}"), format!("`{key}` {value} is not {what}"), hint));
                }
            }
            if !s.urn.trim().is_empty() && !s.urn.trim().to_uppercase().starts_with("URN:") {
                diags.push(diag(
                    &format!("{section}.urn"),
                    format!("`urn` {} is not a URN", s.urn),
                    "a URN starts with URN: (URN:ISBN:978-…); its address is http://urn.fi/URN:…",
                ));
            }
            if final_mode && !s.number.trim().is_empty() && placeholder_number(&s.number) {
                diags.push(diag(
                    &format!("{section}.number"),
                    format!("the series number {} is a placeholder", s.number),
                    "the publisher gives the number (such as 23/2020); a final build needs it",
                ));
            }
        }
        if final_mode {
            diags.extend(self.colophon_faults());
        }
        diags
    }

    /// A final build's colophon: every field filled, the brief in a series
    /// of its own, no example address.
    fn colophon_faults(&self) -> Diagnostics {
        let mut diags = Vec::new();
        let diag = |path: &str, message: String, hint: &str| self.config_diag(true, path, message, hint);
        let brief = self.brief_series.as_ref().filter(|_| self.has_brief());
        if self.has_brief() && brief.is_none() {
            diags.push(diag(
                "output",
                "the policy brief has no series of its own".into(),
                "add [brief-series] with its name, number and issn to report.toml: the brief is not a number of the report's series",
            ));
        }
        let mut required = vec![
            ("place", &self.place),
            ("series.licence", &self.series.licence),
            ("series.layout", &self.series.layout),
            ("series.disclaimer", &self.series.disclaimer),
        ];
        if let Some(b) = brief {
            required.extend([
                ("brief-series.name", &b.name),
                ("brief-series.number", &b.number),
                ("brief-series.issn", &b.issn),
            ]);
        }
        for (path, value) in required {
            if value.trim().is_empty() {
                diags.push(diag(
                    path,
                    format!("colophon field `{path}` is empty"),
                    "a final publication's colophon names its place, licence, layout and disclaimer, and the brief its own series",
                ));
            }
        }
        let addresses = [
            ("contact", &self.contact),
            ("series.web", &self.series.web),
            ("meta.distributor", &self.meta.distributor),
            ("meta.sv.distributor", &self.meta.sv.distributor),
            ("meta.en.distributor", &self.meta.en.distributor),
        ];
        for (path, value) in addresses {
            if example_address(value) {
                diags.push(diag(
                    path,
                    format!("`{path}` is an example address: {value}"),
                    "put the real address (example.org and its kin are reserved for examples)",
                ));
            }
        }
        diags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbns_and_issns_are_checked_by_their_last_digit() {
        assert!(isbn_ok("978-952-287-386-6"));
        assert!(!isbn_ok("978-952-287-386-5"));
        assert!(!isbn_ok("978-952-000-000-0"));
        assert!(isbn_ok("0-306-40615-2"));
        assert!(!isbn_ok("952-287"));
        assert!(issn_ok("2342-6799"));
        assert!(issn_ok("0317-8471"));
        assert!(issn_ok("2434-561X"));
        assert!(!issn_ok("2342-6798"));
        assert!(!issn_ok("23426799"));
    }

    #[test]
    fn placeholders_and_example_addresses_are_found() {
        for p in ["00/2020", "0/2020", "XX/2020", "N/YYYY", "/2020"] {
            assert!(placeholder_number(p), "{p}");
        }
        assert!(!placeholder_number("23/2020"));
        assert!(example_address("etunimi.sukunimi@example.org"));
        assert!(example_address("Sähköinen versio: julkaisut.example.org"));
        assert!(example_address("https://example.com/x"));
        assert!(!example_address("Sähköinen versio: julkaisut.valtioneuvosto.fi"));
        assert!(!example_address("examples.fi"));
    }
}
