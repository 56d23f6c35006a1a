//! `kooste review FILE.pdf…`: comments reviewers made on draft PDFs →
//! CriticMarkup in today's Markdown (see [`crate::review`]).

use crate::cli::ReviewArgs;
use crate::report;

/// `kooste review`: places the comments and says what it did.
pub fn run(args: ReviewArgs) -> u8 {
    let project = match super::open(&args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    match crate::review::review(&project.root, &args.pdfs, args.dry_run) {
        Ok(summary) => {
            let reviewed = report::Reviewed {
                diagnostics: &summary.diagnostics,
                placed: summary.placed,
                listed: summary.listed,
                files: summary.files.len(),
            };
            report::review_result(&project.root, args.project.diagnostic_format, &reviewed, args.dry_run)
        }
        Err(crate::review::Problem::Input(message, hints)) => {
            let hints: Vec<&str> = hints.iter().map(String::as_str).collect();
            report::fatal(&anyhow::anyhow!(message), &hints);
            report::INPUT_ERRORS
        }
        Err(crate::review::Problem::Io(message)) => report::fatal(&anyhow::anyhow!(message), &[]),
    }
}
