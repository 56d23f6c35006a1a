//! Pure Typst writers shared by the stages: Finnish numbers, data tables
//! (their column widths and page rules in [`table_layout`]) and charts as
//! Typst markup. No I/O; every value is escaped.

pub mod charts;
pub mod escape;
pub mod hyphenation;
pub mod numbers;
pub mod table;
pub mod table_layout;
pub mod texmath;
