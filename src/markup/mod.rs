//! Pure Typst writers shared by the stages: Finnish numbers, data tables and
//! charts as Typst markup. No I/O; every value is escaped.

pub mod charts;
pub mod escape;
pub mod numbers;
pub mod table;
