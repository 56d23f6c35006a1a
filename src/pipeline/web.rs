//! The web backend: one job's generated Typst → typst's HTML export → the
//! page kooste publishes ([`crate::html::finish`]: stylesheet, metadata,
//! table frames) → an HTML [`Artifact`]. One self-contained file: images
//! and charts are inside it, so it opens from the file system and asks the
//! network for nothing.

use std::time::Instant;

use typst::syntax::Source;

use super::jobs::{Built, Compiler, Delivery, JobResult};
use crate::compile::{compile_html, export_html};
use crate::outputs::{self, Job};
use crate::report::OutputReport;
use crate::write::Artifact;

/// The stylesheet every HTML edition embeds, under templates/.
pub const STYLESHEET: &str = "web.css";

impl Compiler<'_> {
    /// Compiles one job's generated Typst to its web page.
    pub(super) fn build_web(&self, job: &Job, source: String, previous: Option<Source>) -> JobResult {
        let started = Instant::now();
        let spec = &job.spec;
        let setup = self.setup(job, source, previous);
        let (world, origin) = (&setup.world, self.origin(job, &setup));
        let (doc, mut diags) = compile_html(world, &origin);
        let Some(doc) = doc else { return setup.failed(diags) };
        let html = match export_html(world, &doc) {
            Ok(html) => html,
            Err(mut errors) => {
                diags.append(&mut errors);
                return setup.failed(diags);
            }
        };
        let css = self.prepared.templates.get(STYLESHEET).unwrap_or_default();
        let head = crate::html::Head::of(&self.project.config, self.settings.final_mode);
        let page = crate::html::finish(&html, css, &head);
        let report = OutputReport {
            name: spec.name.clone(),
            path: setup.path.clone(),
            // A web page has no pages.
            pages: 0,
            bytes: page.len(),
            compile_time: started.elapsed(),
            reused: false,
        };
        let artifact =
            Artifact { job: job.id.clone(), format: spec.format, path: setup.path.clone(), bytes: page.into_bytes() };
        let built = Built {
            report,
            delivery: Delivery::Pending(artifact),
            main_vpath: outputs::main_vpath(job),
            main_text: world.main_source().text().to_string(),
            generated: world.main_source().text().to_string(),
            numbers: Default::default(),
            laid_out: None,
        };
        JobResult { built: Some(built), diagnostics: diags, main: setup.main.clone(), failed_typst: None }
    }
}
