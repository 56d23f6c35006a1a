//! The paged backend: one job's generated Typst → `PagedDocument` →
//! the checks that need pages (page budget, layout preflight, the build
//! stamp) → a PDF [`Artifact`].

use std::time::Instant;

use typst::syntax::Source;
use typst_layout::PagedDocument;

use super::jobs::{Built, Compiler, Delivery, JobResult};
use crate::checks::gates;
use crate::compile::stamp::Stamp;
use crate::compile::world::ReportWorld;
use crate::compile::{Origin, compile_document, export_pdf, page_count};
use crate::diagnostics::{Diagnostic, Diagnostics, has_errors};
use crate::layout::fixes;
use crate::outputs::{self, Job, numbers};
use crate::report::{LaidOut, OutputReport};
use crate::settings::Mode;
use crate::write::Artifact;

impl Compiler<'_> {
    /// Compiles one job's generated Typst, checks its pages and exports
    /// its PDF.
    pub(super) fn build_paged(&self, job: &Job, source: String, previous: Option<Source>) -> JobResult {
        let started = Instant::now();
        let spec = &job.spec;
        let generated = source.clone();
        let mut setup = self.setup(job, source, previous);
        let (mut doc, mut diags) = compile_document(&setup.world, &self.origin(job, &setup));
        // A final build mends what it can (layout::fixes: a table that
        // starts too late, a word split across pages or in a ladder of
        // hyphens) and compiles again, incrementally. A draft reports
        // them instead: the second compile costs a third more memory (a
        // generated 400-page report: 1.25 GB against 0.87 GB).
        let moved = doc.as_ref().filter(|_| self.settings.final_mode);
        if let Some(moved) = moved.and_then(|d| fixes::mend(d, setup.world.main_source())) {
            let last = setup.world.main_source().clone();
            setup.world = ReportWorld::with_previous(self.shared.clone(), &outputs::main_vpath(job), moved, Some(last));
            setup.main = Some(setup.world.main_source().clone());
            (doc, diags) = compile_document(&setup.world, &self.origin(job, &setup));
        }
        let (world, origin) = (&setup.world, self.origin(job, &setup));
        let Some(doc) = doc else { return setup.failed(diags) };
        let pages = page_count(&doc);
        let (pdf, mut checked) = self.check_and_export(job, &doc, world, &origin, pages);
        diags.append(&mut checked);
        let Some(mut pdf) = pdf else { return setup.failed(diags) };
        let stamp =
            Stamp { commit: self.build.full_commit.clone(), output: spec.name.clone(), dirty: self.build.dirty };
        if let Err(why) = crate::compile::stamp::write(&mut pdf, &stamp) {
            diags.push(
                Diagnostic::warning(&setup.path, None, format!("the build stamp could not be written: {why}"))
                    .with_hint("`kooste review` cannot read comments on this PDF; this is a bug in kooste"),
            );
        }
        let report = OutputReport {
            name: spec.name.clone(),
            path: setup.path.clone(),
            pages,
            bytes: pdf.len(),
            compile_time: started.elapsed(),
            reused: false,
        };
        let numbers = numbers::heading_numbers(&doc);
        let main_text = world.main_source().text().to_string();
        let laid_out = (self.settings.mode == Mode::Layout).then(|| LaidOut {
            name: spec.name.clone(),
            doc,
            main: world.main_source().clone(),
        });
        let artifact = Artifact { job: job.id.clone(), format: spec.format, path: setup.path.clone(), bytes: pdf };
        let built = Built {
            report,
            delivery: Delivery::Pending(artifact),
            main_vpath: outputs::main_vpath(job),
            main_text,
            generated,
            numbers,
            laid_out,
        };
        JobResult { built: Some(built), diagnostics: diags, main: setup.main.clone(), failed_typst: None }
    }

    /// The checks that need pages, and the PDF when they pass: an output
    /// over its page budget is not exported, but its layout faults are
    /// still reported; the preflight (stranded headings, captions apart,
    /// broken short tables, hyphenated headings, blank pages, empty lists)
    /// reads the pages while the PDF is exported. `Mode::Layout` exports
    /// nothing and checks nothing but the budget.
    fn check_and_export(
        &self,
        job: &Job,
        doc: &PagedDocument,
        world: &ReportWorld,
        origin: &Origin,
        pages: usize,
    ) -> (Option<Vec<u8>>, Diagnostics) {
        let spec = &job.spec;
        let over_budget = gates::page_budget(self.project, spec, pages);
        let standards = typst_pdf::PdfStandards::new(&spec.standards).unwrap_or_default();
        let export = self.settings.mode != Mode::Layout && over_budget.is_none();
        let final_mode = self.settings.final_mode;
        let (faults, exported) = rayon::join(
            || match self.settings.mode {
                Mode::Layout => Vec::new(),
                _ => crate::layout::preflight(doc, world, origin, &spec.name, final_mode),
            },
            || match export {
                false => Ok(Vec::new()),
                true => export_pdf(world, doc, &spec.name, self.settings.document_date(self.project), standards),
            },
        );
        let faulty = has_errors(&faults);
        let mut diags = faults;
        if let Some(over) = over_budget {
            diags.push(over);
            return (None, diags);
        }
        if faulty {
            return (None, diags);
        }
        match exported {
            Ok(pdf) => (Some(pdf), diags),
            Err(mut errs) => {
                diags.append(&mut errs);
                (None, diags)
            }
        }
    }
}
