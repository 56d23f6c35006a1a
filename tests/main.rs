//! The one integration-test binary (`autotests = false` in Cargo.toml): each
//! area keeps its own file, and all share [`support`]. One binary links once,
//! where one per file linked kooste and typst four times.
//!
//! - [`golden`]: Markdown → Typst against `tests/golden/NAME.typ`.
//! - [`cli`]: the real binary on copies of fixture projects.
//! - [`malformed`]: broken input and faults while writing, each with one
//!   exact outcome.
//! - [`mistakes`]: a new user's everyday mistakes, each one error at its
//!   line (or, in a draft, one warning) and nothing that follows from it.
//! - [`conformance`]: the CommonMark and GFM spec examples.
//! - [`quarto`]: a chapter written the Quarto way, read back from its PDF.
//! - [`watch`]: `kooste watch` on a fixture, edit by edit.
//! - [`web`]: the HTML editions in a real browser (chromium, axe-core).
//! - [`layout`]: the layout preflight, description sheets and chart alt text
//!   on fixture projects.
//! - [`hyphenation`]: where the study's words break, against its
//!   exceptions list and (with Voikko) Finnish hyphenation.

// The areas live in tests/suite/, so that tests/ holds one test crate root.
#[path = "suite/cli.rs"]
mod cli;
#[path = "suite/conformance.rs"]
mod conformance;
#[path = "suite/golden.rs"]
mod golden;
#[path = "suite/hyphenation.rs"]
mod hyphenation;
#[path = "suite/layout.rs"]
mod layout;
#[path = "suite/malformed.rs"]
mod malformed;
#[path = "suite/mistakes.rs"]
mod mistakes;
#[path = "suite/pandoc_suite.rs"]
mod pandoc_suite;
#[path = "suite/quarto.rs"]
mod quarto;
#[path = "suite/review.rs"]
mod review;
mod support;
#[path = "suite/watch.rs"]
mod watch;
#[path = "suite/web.rs"]
mod web;
