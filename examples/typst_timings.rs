//! Where typst spends a compile's time. Compiles one Typst file as
//! `typst_alone` does (kooste's world and PDF options) with typst's timing
//! scopes on, then prints each layout pass's wall time and the template
//! lines whose function calls and `context` blocks took longest (summed
//! over threads and passes), and writes the whole trace in Chrome's trace
//! event format (open it in Perfetto or chrome://tracing).
//!
//! ```sh
//! target/release/kooste build --only report --emit-typst /tmp/emit
//! cargo run --release --example typst_timings -- /tmp/emit templates/report.generated.typ \
//!     --standard ua-1 --standard a-2a --ident report --out /tmp/report.pdf
//! ```
//!
//! A pass that sets most paragraphs again shows as a second or third pass
//! nearly as long as the first: something those paragraphs ask typst
//! (a reference's number, a page) changed between passes.

#[path = "typst_alone.rs"]
mod alone;

use std::collections::HashMap;

use kooste::compile::world::ReportWorld;
use serde_json::Value;
use typst::World;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args = alone::Args::parse(std::env::args().skip(1))?;
    typst_timing::enable();
    alone::run(&args)?;
    // A second world over the same files, to name the trace's spans.
    let (shared, vpath, text) = alone::setup(&args)?;
    let world = ReportWorld::new(shared, &vpath, text);
    let mut json = Vec::new();
    typst_timing::export_json(&mut json, |span| {
        let span = typst::syntax::Span::from_raw(span);
        let Some(source) = span.id().and_then(|id| world.source(id).ok()) else { return (String::new(), 0) };
        let line = source.find(span).map_or(0, |node| source.text()[..node.offset()].lines().count());
        (source.id().vpath().get_without_slash().to_string(), line as u32)
    })?;
    let trace = std::env::temp_dir().join("typst-timings.json");
    std::fs::write(&trace, &json).map_err(|e| format!("{}: {e}", trace.display()))?;
    let events: Vec<Value> = serde_json::from_slice(&json).map_err(|e| e.to_string())?;
    report(&events);
    eprintln!("trace: {}", trace.display());
    Ok(())
}

/// One timed scope: its name, where it was called from, start and length (µs).
struct Scope {
    name: String,
    site: String,
    start: f64,
    length: f64,
}

/// Pairs each thread's begin and end events into scopes.
fn scopes(events: &[Value]) -> Vec<Scope> {
    let mut open: HashMap<u64, Vec<&Value>> = HashMap::new();
    let mut scopes = Vec::new();
    for event in events {
        let tid = event["tid"].as_u64().unwrap_or(0);
        match event["ph"].as_str() {
            Some("B") => open.entry(tid).or_default().push(event),
            Some("E") => {
                let Some(begin) = open.get_mut(&tid).and_then(Vec::pop) else { continue };
                let start = begin["ts"].as_f64().unwrap_or(0.0);
                let site = match (begin["args"]["file"].as_str(), begin["args"]["line"].as_u64()) {
                    (Some(file), Some(line)) if !file.is_empty() => format!("{file}:{line}"),
                    _ => "(no span)".to_string(),
                };
                scopes.push(Scope {
                    name: begin["name"].as_str().unwrap_or("").to_string(),
                    site,
                    start,
                    length: event["ts"].as_f64().unwrap_or(start) - start,
                });
            }
            _ => {}
        }
    }
    scopes
}

fn report(events: &[Value]) {
    let scopes = scopes(events);
    let mut passes: Vec<&Scope> = scopes.iter().filter(|s| s.name.starts_with("iter")).collect();
    passes.sort_by(|a, b| a.start.total_cmp(&b.start));
    for (i, pass) in passes.iter().enumerate() {
        let inside = |name: &str| {
            scopes
                .iter()
                .filter(|s| s.name == name && s.start >= pass.start && s.start < pass.start + pass.length)
                .count()
        };
        println!(
            "layout pass {}: {:>7.0} ms, {} paragraphs broken into lines",
            i + 1,
            pass.length / 1000.0,
            inside("linebreak_optimized") + inside("linebreak_simple")
        );
    }
    for name in ["compile", "pdf"] {
        if let Some(s) = scopes.iter().find(|s| s.name == name) {
            println!("{name}: {:.0} ms", s.length / 1000.0);
        }
    }
    let mut sites: HashMap<(&str, &str), (f64, usize)> = HashMap::new();
    for s in scopes.iter().filter(|s| s.name == "func call" || s.name == "context") {
        let entry = sites.entry((s.name.as_str(), s.site.as_str())).or_default();
        entry.0 += s.length;
        entry.1 += 1;
    }
    let mut sites: Vec<_> = sites.into_iter().collect();
    sites.sort_by(|a, b| b.1.0.total_cmp(&a.1.0));
    println!("longest calls (summed over threads and passes, nested calls counted in each):");
    for ((name, site), (length, count)) in sites.into_iter().take(12) {
        println!("  {:>7.0} ms {count:>8} × {name} at {site}", length / 1000.0);
    }
}
