//! Parse, run, map the outcome to an exit code — nothing else.

use clap::Parser;
use std::process::ExitCode;

/// What `trailwarden` alone prints: where to start.
const START_HERE: &str =
    "trailwarden: is your CloudTrail recording what CIS and your auditors require?

Start here:
  trailwarden demo                     judge the built-in sample organization (no AWS account)
  trailwarden scan                     scan the account of your credentials (read-only)
  trailwarden plan tfplan.json         judge a Terraform plan before it is applied
  trailwarden rules list               the rules, and what each one checks

trailwarden --help shows every command; trailwarden COMMAND --help shows examples.
";

fn main() -> ExitCode {
    if std::env::args_os().len() <= 1 {
        return match trailwarden::output::write(None, START_HERE) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(1)
            }
        };
    }
    let cli = match trailwarden::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
    init_logging(cli.verbose);
    // Ctrl-C or SIGTERM: no half-written report is left behind, and the exit says why. The
    // handler can only fail to install where signals are unavailable; the run goes on then.
    let _ = ctrlc::set_handler(|| {
        trailwarden::output::remove_partial_files();
        eprintln!("trailwarden: interrupted; no report was left half-written");
        std::process::exit(130);
    });
    match trailwarden::commands::run(cli) {
        Ok(code) => ExitCode::from(code.code()),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code().code())
        }
    }
}

/// A command line that cannot be parsed: one line on stderr, exit 2. Help and version go to
/// stdout as clap writes them; clap's multi-line errors (usage, possible values, a tip) are
/// joined so that a CI log shows the whole reason on the line that says `error:`.
fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        error.exit();
    }
    let rendered = error.render().to_string();
    let line = rendered
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("For more information"))
        .filter(|line| !line.starts_with("Usage:"))
        .collect::<Vec<_>>()
        .join(" ");
    eprintln!("{line} (see --help)");
    ExitCode::from(2)
}

/// Tracing logs on standard error: quiet by default, `-v` for the scan's steps, `-vv` for
/// every call, `-vvv` for the AWS SDK's own logs; `RUST_LOG` overrides.
fn init_logging(verbosity: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbosity {
        0 => "trailwarden=error",
        1 => "trailwarden=info",
        2 => "trailwarden=debug,aws_config=info",
        _ => "trailwarden=trace,aws_config=debug,aws_smithy_runtime=debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(trailwarden::redact::ScrubbedStderr)
        .with_target(false)
        .try_init();
}
