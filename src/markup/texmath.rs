//! TeX maths (Pandoc's `$…$` and `$$…$$`) → Typst maths.
//!
//! The LaTeX an author writes in a report: letters, numbers, operators,
//! sub- and superscripts, fractions, roots, Greek letters and the common
//! symbols, functions (`\sin`, `\log`), accents, fonts (`\mathbf`,
//! `\mathrm`, `\text`), `\left`/`\right` (Typst sizes matched delimiters
//! itself), spacing, and the environments `aligned`, `cases` and the
//! matrices. A command outside that is an error naming it, never text
//! passed on: the caller reports it at the author's line.
//!
//! The converters on crates.io were weighed: mitex (Apache-2.0) covers far
//! more of LaTeX, but its output calls functions of its own Typst package
//! (`mitexsqrt`, `mitexcolor`, …) that a document must import, and kooste
//! builds offline with only what the project holds; this subset needs
//! nothing but Typst's own maths.

/// The Typst maths for TeX `tex` (without the dollars).
pub fn to_typst(tex: &str) -> Result<String, String> {
    let mut parser = Parser { chars: tex.chars().collect(), at: 0 };
    let out = parser.sequence(None)?;
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    // What reads as TeX but not as Typst maths (`[^1]`, a stray `&`) is
    // not passed on.
    if typst::syntax::parse_math(&out).errors_and_warnings().0.is_empty() {
        Ok(out)
    } else {
        Err("this maths cannot be typeset as written".into())
    }
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

/// Commands that are a Typst symbol or operator of another name (or the
/// same one).
const SYMBOLS: &[(&str, &str)] = &[
    ("alpha", "alpha"),
    ("beta", "beta"),
    ("gamma", "gamma"),
    ("delta", "delta"),
    ("epsilon", "epsilon.alt"),
    ("varepsilon", "epsilon"),
    ("zeta", "zeta"),
    ("eta", "eta"),
    ("theta", "theta"),
    ("vartheta", "theta.alt"),
    ("iota", "iota"),
    ("kappa", "kappa"),
    ("lambda", "lambda"),
    ("mu", "mu"),
    ("nu", "nu"),
    ("xi", "xi"),
    ("pi", "pi"),
    ("varpi", "pi.alt"),
    ("rho", "rho"),
    ("varrho", "rho.alt"),
    ("sigma", "sigma"),
    ("varsigma", "sigma.alt"),
    ("tau", "tau"),
    ("upsilon", "upsilon"),
    ("phi", "phi.alt"),
    ("varphi", "phi"),
    ("chi", "chi"),
    ("psi", "psi"),
    ("omega", "omega"),
    ("Gamma", "Gamma"),
    ("Delta", "Delta"),
    ("Theta", "Theta"),
    ("Lambda", "Lambda"),
    ("Xi", "Xi"),
    ("Pi", "Pi"),
    ("Sigma", "Sigma"),
    ("Upsilon", "Upsilon"),
    ("Phi", "Phi"),
    ("Psi", "Psi"),
    ("Omega", "Omega"),
    ("cdot", "dot.op"),
    ("times", "times"),
    ("div", "div"),
    ("pm", "plus.minus"),
    ("mp", "minus.plus"),
    ("le", "<="),
    ("leq", "<="),
    ("ge", ">="),
    ("geq", ">="),
    ("ne", "!="),
    ("neq", "!="),
    ("approx", "approx"),
    ("equiv", "equiv"),
    ("sim", "tilde.op"),
    ("simeq", "tilde.eq"),
    ("propto", "prop"),
    ("ll", "<<"),
    ("gg", ">>"),
    ("infty", "infinity"),
    ("partial", "partial"),
    ("nabla", "nabla"),
    ("to", "->"),
    ("rightarrow", "->"),
    ("leftarrow", "<-"),
    ("Rightarrow", "=>"),
    ("Leftarrow", "arrow.l.double"),
    ("leftrightarrow", "<->"),
    ("Leftrightarrow", "<=>"),
    ("mapsto", "|->"),
    ("in", "in"),
    ("notin", "in.not"),
    ("ni", "in.rev"),
    ("subset", "subset"),
    ("subseteq", "subset.eq"),
    ("supset", "supset"),
    ("supseteq", "supset.eq"),
    ("cup", "union"),
    ("cap", "sect"),
    ("emptyset", "emptyset"),
    ("varnothing", "emptyset"),
    ("forall", "forall"),
    ("exists", "exists"),
    ("neg", "not"),
    ("land", "and"),
    ("wedge", "and"),
    ("lor", "or"),
    ("vee", "or"),
    ("ldots", "dots.h"),
    ("dots", "dots.h"),
    ("cdots", "dots.c"),
    ("vdots", "dots.v"),
    ("ddots", "dots.down"),
    ("sum", "sum"),
    ("prod", "product"),
    ("int", "integral"),
    ("iint", "integral.double"),
    ("oint", "integral.cont"),
    ("lim", "lim"),
    ("log", "log"),
    ("ln", "ln"),
    ("exp", "exp"),
    ("sin", "sin"),
    ("cos", "cos"),
    ("tan", "tan"),
    ("arcsin", "arcsin"),
    ("arccos", "arccos"),
    ("arctan", "arctan"),
    ("sinh", "sinh"),
    ("cosh", "cosh"),
    ("tanh", "tanh"),
    ("max", "max"),
    ("min", "min"),
    ("sup", "sup"),
    ("inf", "inf"),
    ("det", "det"),
    ("deg", "deg"),
    ("dim", "dim"),
    ("gcd", "gcd"),
    ("arg", "arg"),
    ("Pr", "Pr"),
    ("mid", "divides"),
    ("circ", "compose"),
    ("bullet", "bullet"),
    ("star", "star"),
    ("ast", "ast"),
    ("angle", "angle"),
    ("perp", "perp"),
    ("parallel", "parallel"),
    ("prime", "prime"),
    ("hbar", "planck.reduce"),
    ("ell", "ell"),
    ("Re", "Re"),
    ("Im", "Im"),
    ("aleph", "aleph"),
    ("degree", "degree"),
    ("percent", "%"),
    ("langle", "angle.l"),
    ("rangle", "angle.r"),
    ("lvert", "|"),
    ("rvert", "|"),
    ("vert", "|"),
    ("Vert", "||"),
    ("lfloor", "floor.l"),
    ("rfloor", "floor.r"),
    ("lceil", "ceil.l"),
    ("rceil", "ceil.r"),
    ("{", "brace.l"),
    ("}", "brace.r"),
    ("%", "%"),
    ("$", "dollar"),
    ("#", "hash"),
    ("&", "amp"),
    ("_", "\\_"),
    (",", "thin"),
    (":", "med"),
    (";", "thick"),
    (" ", "space"),
    ("quad", "quad"),
    ("qquad", "wide"),
    ("!", ""),
    ("displaystyle", ""),
    ("textstyle", ""),
    ("limits", ""),
    ("nolimits", ""),
];

/// Commands that take one argument, and the Typst function that does.
const ONE_ARG: &[(&str, &str)] = &[
    ("sqrt", "sqrt"),
    ("mathbf", "bold"),
    ("boldsymbol", "bold"),
    ("bm", "bold"),
    ("mathit", "italic"),
    ("mathrm", "upright"),
    ("mathcal", "cal"),
    ("mathbb", "bb"),
    ("mathfrak", "frak"),
    ("mathsf", "sans"),
    ("mathtt", "mono"),
    ("hat", "hat"),
    ("widehat", "hat"),
    ("bar", "overline"),
    ("overline", "overline"),
    ("underline", "underline"),
    ("tilde", "tilde"),
    ("widetilde", "tilde"),
    ("vec", "arrow"),
    ("dot", "dot"),
    ("ddot", "dot.double"),
    ("overbrace", "overbrace"),
    ("underbrace", "underbrace"),
];

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    /// Items up to `until` (a closing brace or `\end`), or the end.
    fn sequence(&mut self, until: Option<char>) -> Result<String, String> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if Some(c) == until {
                self.at += 1;
                return Ok(out);
            }
            if c == '\\' && self.starts_with("\\end{") {
                return Ok(out);
            }
            let item = self.item()?;
            out.push_str(&item);
            out.push(' ');
        }
        match until {
            Some(close) => Err(format!("a `{{` is not closed with `{close}`")),
            None => Ok(out),
        }
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars().enumerate().all(|(i, c)| self.chars.get(self.at + i) == Some(&c))
    }

    /// One item: a token with its sub- and superscripts.
    fn item(&mut self) -> Result<String, String> {
        let c = self.peek().expect("called with input left");
        self.at += 1;
        let base = match c {
            c if c.is_whitespace() => return Ok(String::new()),
            '{' => {
                let inner = self.sequence(Some('}'))?;
                format!("({inner})")
            }
            '\\' => self.command()?,
            '^' | '_' => {
                // An attachment with nothing before it.
                let arg = self.argument()?;
                return Ok(format!("zws{c}({arg})"));
            }
            c if c.is_ascii_digit() || c == '.' => {
                let mut number = c.to_string();
                while let Some(d) = self.peek().filter(|d| d.is_ascii_digit() || *d == '.') {
                    number.push(d);
                    self.at += 1;
                }
                number
            }
            '/' => "\\/".to_string(),
            '"' => "\\\"".to_string(),
            '@' | '#' | '$' => format!("\\{c}"),
            '~' => "space".to_string(),
            c => c.to_string(),
        };
        let mut out = base;
        loop {
            while self.peek().is_some_and(char::is_whitespace) {
                self.at += 1;
            }
            match self.peek() {
                Some(mark @ ('^' | '_')) => {
                    self.at += 1;
                    let arg = self.argument()?;
                    out = format!("{out}{mark}({arg})");
                }
                Some('\'') => {
                    self.at += 1;
                    out.push('\'');
                }
                _ => return Ok(out),
            }
        }
    }

    /// An argument: a group's contents, or one token.
    fn argument(&mut self) -> Result<String, String> {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
        match self.peek() {
            None => Err("an argument is missing at the end".into()),
            Some('{') => {
                self.at += 1;
                self.sequence(Some('}')).map(|s| s.trim().to_string())
            }
            Some('\\') => {
                self.at += 1;
                self.command()
            }
            Some(c) => {
                self.at += 1;
                Ok(c.to_string())
            }
        }
    }

    /// The raw text of a `{…}` argument (for `\text` and environment names).
    fn raw_group(&mut self) -> Result<String, String> {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
        if self.peek() != Some('{') {
            return Err("a `{…}` argument is missing".into());
        }
        self.at += 1;
        let mut depth = 1;
        let mut text = String::new();
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(text);
                    }
                }
                _ => {}
            }
            text.push(c);
        }
        Err("a `{` is not closed".into())
    }

    /// A command after its backslash.
    fn command(&mut self) -> Result<String, String> {
        let mut name = String::new();
        while let Some(c) = self.peek().filter(char::is_ascii_alphabetic) {
            name.push(c);
            self.at += 1;
        }
        if name.is_empty() {
            let Some(c) = self.peek() else { return Err("a `\\` ends the maths".into()) };
            self.at += 1;
            if c == '\\' {
                return Ok("\\".into());
            }
            name.push(c);
        }
        if let Some((_, typst)) = SYMBOLS.iter().find(|(tex, _)| *tex == name) {
            return Ok(typst.to_string());
        }
        if let Some((_, function)) = ONE_ARG.iter().find(|(tex, _)| *tex == name) {
            if name == "sqrt" && self.peek() == Some('[') {
                self.at += 1;
                let index = self.sequence(Some(']'))?;
                let arg = self.argument()?;
                return Ok(format!("root({}, {arg})", index.trim()));
            }
            let arg = self.argument()?;
            return Ok(format!("{function}({arg})"));
        }
        match name.as_str() {
            "frac" | "dfrac" | "tfrac" | "cfrac" | "binom" | "dbinom" => {
                let (a, b) = (self.argument()?, self.argument()?);
                let function = if name.ends_with("binom") { "binom" } else { "frac" };
                Ok(format!("{function}({a}, {b})"))
            }
            "text" | "textrm" | "textit" | "textbf" | "mbox" | "operatorname" => {
                let text = self.raw_group()?.replace('\\', "\\\\").replace('"', "\\\"");
                Ok(if name == "operatorname" { format!("op(\"{text}\")") } else { format!("\"{text}\"") })
            }
            // Typst sizes matched delimiters itself.
            "left" | "right" | "big" | "Big" | "bigg" | "Bigg" | "bigl" | "bigr" | "Bigl" | "Bigr" => {
                match self.peek() {
                    Some('.') => {
                        self.at += 1;
                        Ok(String::new())
                    }
                    Some(_) => self.item(),
                    None => Err(format!("`\\{name}` has no delimiter")),
                }
            }
            "begin" => self.environment(),
            other => Err(format!("TeX command `\\{other}` is not one kooste typesets")),
        }
    }

    /// `\begin{env} … \end{env}`.
    fn environment(&mut self) -> Result<String, String> {
        let env = self.raw_group()?;
        let body = self.sequence(None)?;
        if !self.starts_with("\\end{") {
            return Err(format!("`\\begin{{{env}}}` is not closed by `\\end{{{env}}}`"));
        }
        self.at += "\\end".len();
        let end = self.raw_group()?;
        if end != env {
            return Err(format!("`\\begin{{{env}}}` is closed by `\\end{{{end}}}`"));
        }
        let rows: Vec<String> = body.split(" \\ ").map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
        let matrix = |delim: &str| {
            let rows: Vec<String> =
                rows.iter().map(|r| r.split('&').map(str::trim).collect::<Vec<_>>().join(", ")).collect();
            format!("mat(delim: {delim}, {})", rows.join("; "))
        };
        Ok(match env.trim_end_matches('*') {
            "aligned" | "align" | "split" | "gathered" | "gather" | "alignedat" | "eqnarray" => rows.join(" \\ "),
            "cases" => format!("cases({})", rows.join(", ")),
            "matrix" => matrix("#none"),
            "pmatrix" => matrix("\"(\""),
            "bmatrix" => matrix("\"[\""),
            "Bmatrix" => matrix("\"{\""),
            "vmatrix" => matrix("\"|\""),
            "Vmatrix" => matrix("\"||\""),
            other => return Err(format!("TeX environment `{other}` is not one kooste typesets")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::to_typst;

    #[test]
    fn common_maths() {
        for (tex, typst) in [
            ("E=mc^2", "E = m c^(2)"),
            ("\\frac{a+b}{2}", "frac(a + b, 2)"),
            ("\\sqrt{x} + \\sqrt[3]{y}", "sqrt(x) + root(3, y)"),
            ("\\sum_{i=1}^{n} x_i^2", "sum_(i = 1)^(n) x_(i)^(2)"),
            ("\\alpha \\le \\beta \\cdot \\infty", "alpha <= beta dot.op infinity"),
            ("\\left( \\frac{1}{2} \\right)", "( frac(1, 2) )"),
            ("\\text{if } x > 0", "\"if \" x > 0"),
            ("\\mathbf{v} = \\hat{x}", "bold(v) = hat(x)"),
            ("a/b", "a \\/ b"),
            ("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "mat(delim: \"(\", 1, 2; 3, 4)"),
            (
                "f(x) = \\begin{cases} 0 & x < 0 \\\\ 1 & x \\ge 0 \\end{cases}",
                "f ( x ) = cases(0 & x < 0, 1 & x >= 0)",
            ),
        ] {
            assert_eq!(to_typst(tex).unwrap(), typst, "{tex}");
        }
    }

    #[test]
    fn what_it_cannot_read_is_an_error() {
        assert!(to_typst("\\foo{x}").unwrap_err().contains("`\\foo`"));
        assert!(to_typst("\\frac{a").is_err());
        assert!(to_typst("\\begin{tikzcd} a \\end{tikzcd}").unwrap_err().contains("tikzcd"));
        assert!(to_typst("[^1] / *").is_err());
    }
}
