//! Command-line interface (clap derive). Parsing only; `commands` does the work.

use crate::engine::{FailOn, ParamOverride};
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "trailwarden",
    version,
    about = "Read-only compliance scanner for AWS CloudTrail",
    long_about = "Read-only compliance scanner for AWS CloudTrail.\n\n\
        Checks how an AWS estate records its API activity against CIS AWS Foundations \
        (1.2 to 7.0), the trailwarden baseline R1-R9 and the forensic vault profile.\n\n\
        Exit codes: 0 gate passed; 1 runtime error; 2 usage or input error; \
        3 failures at or above --fail-on; 4 evaluation incomplete (ERROR findings)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate an inventory snapshot offline (written by `trailwarden collect`, or a fixture).
    Evaluate(EvaluateArgs),
    /// Evaluate the built-in sample organization: no AWS account needed.
    Demo(DemoArgs),
    /// Show the rule catalog.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Show the compliance frameworks and how their controls map to rules.
    Frameworks {
        #[command(subcommand)]
        command: FrameworksCommand,
    },
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Inventory snapshot (JSON).
    pub snapshot: PathBuf,
    #[command(flatten)]
    pub evaluation: EvaluationArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub gate: GateArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub evaluation: EvaluationArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Gate the exit code as `evaluate` does (by default the demo always exits 0).
    #[arg(long, value_name = "SEVERITY|none", help_heading = "Gate")]
    pub fail_on: Option<FailOn>,
    /// With --fail-on: do not fail because of ERROR findings.
    #[arg(long, requires = "fail_on", help_heading = "Gate")]
    pub allow_incomplete: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Evaluation")]
pub struct EvaluationArgs {
    /// Run only these rules (codes or names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub rules: Vec<String>,
    /// Run the rules of this framework and report per control (see `frameworks list`).
    #[arg(long, value_name = "ID")]
    pub framework: Option<String>,
    /// Override a rule parameter, e.g. `TW501.min_retention_days=3650` (repeatable).
    #[arg(long = "param", value_name = "RULE.NAME=VALUE")]
    pub params: Vec<ParamOverride>,
    /// Measure freshness against this time (RFC 3339) instead of the snapshot's collection time.
    #[arg(long, value_name = "TIME")]
    pub now: Option<DateTime<Utc>>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Report")]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Table: list passing and not-applicable findings too, not only FAIL and ERROR.
    #[arg(long)]
    pub all: bool,
    /// Table: colour (auto: only on a terminal, and never with NO_COLOR set).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Gate")]
pub struct GateArgs {
    /// Exit 3 when a FAIL has at least this severity; `none` never fails on findings.
    #[arg(long, value_name = "SEVERITY|none", default_value = "low")]
    pub fail_on: FailOn,
    /// Do not exit 4 when some findings could not be evaluated (ERROR).
    #[arg(long)]
    pub allow_incomplete: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show one rule: what it checks, why, how to fix, parameters, frameworks.
    Show {
        /// Rule code or name, e.g. TW101 or multi-region-trail.
        rule: String,
    },
    /// Write the generated rule documentation (docs/rules) to a directory.
    #[command(hide = true)]
    Docs {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum FrameworksCommand {
    /// List every framework.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show a framework's controls and the rules that assess them.
    Show {
        /// Framework id, e.g. cis-aws-5.0.
        id: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}
