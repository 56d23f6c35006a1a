//! Numbers in Finnish typography: decimal comma, no-break spaces between
//! groups of three digits, U+2212 for minus. Used by text filters, tables
//! and chart labels alike.

/// Finnish number formatting: decimal comma, no-break space between groups
/// of three digits from `group_from` up, U+2212 for minus. `decimals`
/// `None` gives at most two decimals without trailing zeros.
pub fn format_number(value: f64, decimals: Option<usize>, group_from: u64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let fixed = match decimals {
        Some(d) => format!("{:.*}", d.min(10), value.abs()),
        None => {
            let s = format!("{:.2}", value.abs());
            let s = s.trim_end_matches('0').trim_end_matches('.');
            s.to_string()
        }
    };
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let grouped = if int.parse::<u64>().is_ok_and(|n| n >= group_from) {
        let mut g = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                g.push('\u{a0}');
            }
            g.push(ch);
        }
        g
    } else {
        int.to_string()
    };
    let negative = value < 0.0 && fixed.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = String::new();
    if negative {
        out.push('\u{2212}');
    }
    out.push_str(&grouped);
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finnish_numbers() {
        assert_eq!(format_number(1234.5, Some(1), 1000), "1\u{a0}234,5");
        assert_eq!(format_number(-0.5, None, 1000), "\u{2212}0,5");
        assert_eq!(format_number(2009.0, None, 10_000), "2009");
        assert_eq!(format_number(1_000_000.0, Some(0), 1000), "1\u{a0}000\u{a0}000");
        assert_eq!(format_number(-0.001, Some(1), 1000), "0,0");
    }
}
