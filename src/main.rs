//! The `kooste` binary: parse the command line and dispatch to the
//! command's module; its exit code is the process's (0 success, 1 input
//! errors, 2 usage or I/O errors).

use std::process::ExitCode;

use clap::Parser;
use kooste::cli::Cli;

fn main() -> ExitCode {
    ExitCode::from(kooste::cmd::dispatch(Cli::parse().command))
}
