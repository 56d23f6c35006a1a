//! Compiles one Typst file to PDF with nothing of kooste's pipeline around
//! it: a stand-in for `typst compile` (the typst CLI is not installed), with
//! the same world kooste compiles in (typst's embedded fonts plus
//! `report/fonts/`, files under the root only) and the same PDF options
//! (tagged, the given standards, the date from SOURCE_DATE_EPOCH, the
//! output's name as identifier): with the same SOURCE_DATE_EPOCH the PDF is
//! byte for byte the one `kooste build` wrote.
//!
//! ```sh
//! target/release/kooste build --emit-typst /tmp/emit
//! cargo run --release --example typst_alone -- /tmp/emit templates/report.generated.typ \
//!     --standard ua-1 --standard a-2a --ident report --out /tmp/report.pdf
//! ```
//!
//! The benchmark (`benches/build.rs`) includes this file as a module and
//! runs [`run`] in a child process of its own to measure the peak memory of
//! the Typst compile alone.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use kooste::compile::world::{ReportWorld, Shared};
use typst_kit::datetime::Time;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

/// What to compile: `ROOT MAIN [--standard S]... [--ident NAME] [--out FILE]`.
pub struct Args {
    pub root: PathBuf,
    /// The main file, relative to `root`.
    pub main: String,
    pub standards: Vec<String>,
    pub out: Option<PathBuf>,
    /// The PDF identifier; kooste uses the output's name.
    pub ident: Option<String>,
}

impl Args {
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
        let mut args = args.into_iter();
        let mut positional = Vec::new();
        let mut standards = Vec::new();
        let mut out = None;
        let mut ident = None;
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--standard" => standards.push(args.next().ok_or("--standard needs a value")?),
                "--ident" => ident = Some(args.next().ok_or("--ident needs a value")?),
                "--out" => out = Some(PathBuf::from(args.next().ok_or("--out needs a value")?)),
                _ if !arg.starts_with('-') => positional.push(arg),
                _ => return Err(format!("unknown option {arg}")),
            }
        }
        let [root, main] = <[String; 2]>::try_from(positional)
            .map_err(|_| "usage: typst_alone ROOT MAIN [--standard S]... [--ident NAME] [--out FILE]".to_string())?;
        Ok(Args { root: PathBuf::from(root), main, standards, out, ident })
    }
}

/// The PDF standards named as in report.toml (`ua-1`, `a-2a`, ...).
pub fn standards(names: &[String]) -> Result<PdfStandards, String> {
    let list: Vec<PdfStandard> = names
        .iter()
        .map(|n| {
            toml::Value::String(n.clone())
                .try_into::<PdfStandard>()
                .map_err(|e| format!("unknown PDF standard {n}: {e}"))
        })
        .collect::<Result<_, _>>()?;
    PdfStandards::new(&list).map_err(|e| format!("{:?}", e))
}

fn epoch() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse().ok()).unwrap_or(1582848000)
}

/// The PDF options kooste exports with, dated SOURCE_DATE_EPOCH.
pub fn pdf_options(ident: &str, standards: PdfStandards) -> PdfOptions {
    let date = kooste::settings::datetime_from_epoch(epoch()).expect("a valid timestamp");
    kooste::compile::pdf_options(ident, date, standards)
}

/// Compiles `main` (its text, known to the world as `/vpath`) in `shared`
/// and exports the PDF as kooste does; returns (pages, PDF bytes).
pub fn compile(
    shared: Arc<Shared>,
    vpath: &str,
    text: String,
    standards: PdfStandards,
    ident: &str,
) -> Result<(usize, Vec<u8>), String> {
    let world = ReportWorld::new(shared, vpath, text);
    let warned = typst::compile::<typst_layout::PagedDocument>(&world);
    let doc = warned.output.map_err(|errors| {
        format!("{} compile error(s): {:?}", errors.len(), errors.first().map(|e| e.message.to_string()))
    })?;
    let options = pdf_options(ident, standards);
    let pdf = typst_pdf::pdf(&doc, &options).map_err(|errors| {
        format!("{} PDF export error(s): {:?}", errors.len(), errors.first().map(|e| e.message.to_string()))
    })?;
    Ok((doc.pages().len(), pdf))
}

/// The world's shared stores (fonts loaded), and the main file's virtual
/// path and text.
pub fn setup(args: &Args) -> Result<(Arc<Shared>, String, String), String> {
    let root = args.root.canonicalize().map_err(|e| format!("{}: {e}", args.root.display()))?;
    let text = std::fs::read_to_string(root.join(&args.main)).map_err(|e| format!("{}: {e}", args.main))?;
    let time = Time::fixed_timestamp(epoch()).map_err(|e| format!("{e:?}"))?;
    let vpath = format!("/{}", args.main.trim_start_matches('/'));
    Ok((Arc::new(Shared::new(&root, time)), vpath, text))
}

/// Loads fonts, compiles, exports and writes the PDF: what `typst compile` does.
pub fn run(args: &Args) -> Result<(), String> {
    let start = Instant::now();
    let (shared, vpath, text) = setup(args)?;
    let root = shared.root.clone();
    let ident = args.ident.clone().unwrap_or_else(|| args.main.clone());
    let (pages, pdf) = compile(shared, &vpath, text, standards(&args.standards)?, &ident)?;
    let out = args.out.clone().unwrap_or_else(|| root.join(Path::new(&args.main).with_extension("pdf")));
    std::fs::write(&out, &pdf).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!(
        "compiled {} ({pages} pages, {} kB) in {:.2} s",
        args.main,
        pdf.len() / 1024,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() {
    let result = Args::parse(std::env::args().skip(1)).and_then(|args| run(&args));
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
