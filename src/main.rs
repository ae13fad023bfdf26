//! Parse, run, map the outcome to an exit code — nothing else.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = trailwarden::cli::Cli::parse();
    match trailwarden::commands::run(cli) {
        Ok(code) => ExitCode::from(code.code()),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code().code())
        }
    }
}
