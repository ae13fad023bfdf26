//! What each subcommand does, one file each; `assess.rs` is the one pipeline from an
//! inventory to reports and the gate that `scan`, `evaluate`, `demo` and `frameworks show`
//! share. Errors carry the exit code they map to.

mod assess;
mod catalog;
mod plan;
mod scan;
mod verify_logs;

use crate::cli::{Cli, Command, ConnectionArgs};
use crate::engine::{Catalog, ExitCode};
use crate::inventory::{Inventory, SnapshotError};

/// Why a command could not finish, and so its exit code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A bad argument or an unknown name: the user can fix the command line.
    #[error("{0}")]
    Usage(String),
    /// An input file that cannot be used.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// A rule or framework not in the catalog, or a selection of nothing.
    #[error(transparent)]
    Selection(#[from] crate::engine::SelectionError),
    /// A configuration file that cannot be used.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// A bad `--param`, or a rule that could not run.
    #[error(transparent)]
    Evaluation(#[from] crate::engine::EvaluationError),
    /// A baseline that cannot be used.
    #[error(transparent)]
    Baseline(#[from] crate::report::json::BaselineError),
    /// trailwarden could not finish.
    #[error("{0}")]
    Runtime(String),
    /// The scope could not be resolved: nothing could be scanned.
    #[error(transparent)]
    Scope(#[from] crate::scope::ScopeError),
    /// A report, snapshot or other file could not be written.
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    /// `verify-logs` could not find or list the trail's files.
    #[error(transparent)]
    Verify(#[from] crate::verify::run::VerifyError),
    /// A report could not be rendered.
    #[error(transparent)]
    Render(#[from] crate::report::RenderError),
}

impl AppError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            AppError::Usage(_)
            | AppError::Snapshot(_)
            | AppError::Baseline(_)
            | AppError::Selection(_)
            | AppError::Config(_) => ExitCode::Usage,
            AppError::Evaluation(e) if e.is_usage() => ExitCode::Usage,
            AppError::Evaluation(_) => ExitCode::Runtime,
            AppError::Runtime(_)
            | AppError::Scope(_)
            | AppError::Output(_)
            | AppError::Render(_)
            | AppError::Verify(_) => ExitCode::Runtime,
        }
    }
}

pub fn run(cli: Cli) -> Result<ExitCode, AppError> {
    let catalog = Catalog::builtin().map_err(|e| AppError::Runtime(e.to_string()))?;
    let verbose = cli.verbose > 0;
    match cli.command {
        Command::Scan(args) => {
            let inventory = scan::collect_live(&args.aws, verbose)?;
            if let Some(path) = &args.snapshot {
                scan::write_snapshot(&inventory, path)?;
            }
            assess::run(&catalog, &inventory, &args.assessment, true)
        }
        Command::Collect(args) => {
            let inventory = scan::collect_live(&args.aws, verbose)?;
            scan::write_snapshot(&inventory, &args.output)?;
            eprintln!(
                "trailwarden: wrote {}: {}",
                args.output.display(),
                scan::collection_summary(&inventory)
            );
            Ok(ExitCode::Success)
        }
        Command::IamPolicy => catalog::iam_policy(),
        Command::Evaluate(args) => {
            let inventory = Inventory::load(&args.snapshot)?;
            assess::run(&catalog, &inventory, &args.assessment, true)
        }
        Command::Demo(args) => {
            let inventory = crate::demo::inventory()
                .map_err(|e| AppError::Runtime(format!("built-in demo: {e}")))?;
            // The demo is a showcase: it gates only when asked on the command line.
            let gated = args.assessment.gate.fail_on.is_some();
            assess::run(&catalog, &inventory, &args.assessment, gated)
        }
        Command::Plan(args) => plan::run(&catalog, &args),
        Command::VerifyLogs(args) => verify_logs::run(&args, verbose),
        Command::Rules { command } => catalog::rules(&catalog, command),
        Command::Frameworks { command } => catalog::frameworks(&catalog, command),
    }
}

/// The async runtime of one command (it lives only as long as the command's AWS work).
fn async_runtime() -> Result<tokio::runtime::Runtime, AppError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::Runtime(format!("cannot start the async runtime: {e}")))
}

/// How to reach AWS, from the connection arguments.
fn aws_options(connection: &ConnectionArgs) -> crate::aws::sdk_config::AwsOptions {
    crate::aws::sdk_config::AwsOptions {
        profile: connection.profile.clone(),
        region: None,
        endpoint_url: connection.endpoint_url.clone(),
        max_attempts: connection.max_attempts,
        connect_timeout: std::time::Duration::from_secs(connection.connect_timeout),
        attempt_timeout: std::time::Duration::from_secs(connection.timeout),
    }
}
