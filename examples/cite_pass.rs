//! Times kooste's citation pass on one generated main file that still has
//! typst's `#cite` calls (emit it with `--typst-citations`):
//!
//! ```sh
//! target/release/kooste build --emit-typst /tmp/ec --only report --typst-citations
//! cargo run --release --example cite_pass -- /tmp/ec/templates/report.generated.typ report/references.bib 20
//! ```

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [main, bib, rest @ ..] = args.as_slice() else {
        eprintln!("usage: cite_pass MAIN.typ REFERENCES.bib [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(10);
    let source = std::fs::read_to_string(main).expect("main file");
    let text = std::fs::read_to_string(bib).expect("bibliography");
    let (_, library) = kooste::load::bibliography::parse(&text).expect("BibTeX parses");
    let lang = std::env::var("CITE_LANG").unwrap_or_else(|_| "fi".into());
    // The works of this one output: the letters of a build of the whole
    // project can differ where other outputs cite more.
    let cache = kooste::outputs::citations::Cache::default();
    let options = kooste::outputs::citations::Options {
        lang: &lang,
        link: false,
        works: &[],
        labels: None,
        library_id: None,
        style_file: None,
        cache: &cache,
        html: false,
    };
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let kooste::outputs::citations::Pass { text: out, outcome, .. } =
            kooste::outputs::citations::format(&source, "/report/references.bib", &library, &options);
        if let Ok(path) = std::env::var("CITE_OUT") {
            std::fs::write(path, &out).expect("writes");
        }
        times.push(start.elapsed());
        assert!(matches!(outcome, kooste::outputs::citations::Outcome::Formatted { .. }), "{outcome:?}");
    }
    times.sort();
    println!("citation pass: median {:?}, first {:?} (of {runs})", times[runs / 2], times[0]);
}
