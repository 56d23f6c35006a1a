//! The escaping the converter writes with: [`crate::markup::escape`], which
//! every stage that writes Typst shares.

pub use crate::markup::escape::{escape_text, is_label_name, string_literal};
