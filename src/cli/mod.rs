//! Command-line interface (clap derive). Parsing only; `commands` does the work.

pub mod values;

use crate::engine::{FailOn, ParamOverride};
use crate::report::ReportFormat;
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
        3 failures at or above --fail-on; 4 evaluation incomplete (ERROR findings); \
        130 interrupted (no report is left half-written)."
)]
pub struct Cli {
    /// Log what trailwarden does on standard error (-v: progress of the scan, -vv: every call).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan the AWS account of your credentials and report (read-only).
    #[command(after_long_help = "Examples:\n  \
        trailwarden scan                                   # your account, every enabled region\n  \
        trailwarden scan --org --role-name SecurityAudit   # every account of the organization\n  \
        trailwarden scan --format json,sarif --output-dir reports --snapshot inventory.json")]
    Scan(Box<ScanArgs>),
    /// Collect the AWS account of your credentials into an inventory snapshot (read-only).
    #[command(after_long_help = "Examples:\n  \
        trailwarden collect -o inventory.json              # collect now, evaluate later\n  \
        trailwarden collect --org -o org.json --regions us-east-1,eu-west-1")]
    Collect(Box<CollectArgs>),
    /// Evaluate an inventory snapshot offline (written by `trailwarden collect`, or a fixture).
    #[command(after_long_help = "Examples:\n  \
        trailwarden evaluate inventory.json\n  \
        trailwarden evaluate inventory.json --framework cis-aws-5.0\n  \
        trailwarden evaluate inventory.json --baseline previous.json --fail-on-new")]
    Evaluate(Box<EvaluateArgs>),
    /// Evaluate the built-in sample organization: no AWS account needed.
    #[command(after_long_help = "Examples:\n  \
        trailwarden demo                                   # the sample organization, table report\n  \
        trailwarden demo --format html -o demo.html\n  \
        trailwarden demo --format markdown >> \"$GITHUB_STEP_SUMMARY\"")]
    Demo(Box<DemoArgs>),
    /// Judge a Terraform plan (or state) before it is applied, with the same rules.
    ///
    /// Give it `terraform show -json` of a saved plan:
    /// `terraform plan -out tfplan && terraform show -json tfplan > tfplan.json`, then
    /// `trailwarden plan tfplan.json`. A plan made against existing state marks each finding
    /// new, unchanged or fixed against that state (`--fail-on-new` fails only on what the change
    /// breaks). Values known only after apply are ERROR naming the attribute.
    #[command(after_long_help = "Examples:\n  \
        terraform plan -out tfplan && terraform show -json tfplan > tfplan.json\n  \
        trailwarden plan tfplan.json --fail-on-new         # fail only on what the change breaks\n  \
        trailwarden plan tfplan.json --format sarif -o plan.sarif --tf-dir .\n  \
        trailwarden plan tfplan.json --live                # read what the plan refers to from AWS")]
    Plan(Box<PlanArgs>),
    /// Show the rule catalog.
    #[command(after_long_help = "Examples:\n  \
        trailwarden rules list\n  \
        trailwarden rules show TW201\n  \
        trailwarden rules list --format json")]
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Show the compliance frameworks and how their controls map to rules.
    #[command(after_long_help = "Examples:\n  \
        trailwarden frameworks list\n  \
        trailwarden frameworks show cis-aws-5.0\n  \
        trailwarden frameworks show cis-aws-5.0 --snapshot inventory.json")]
    Frameworks {
        #[command(subcommand)]
        command: FrameworksCommand,
    },
    /// Prove a trail's delivered logs are intact: digest chain, signatures, log files.
    ///
    /// Exit codes: 0 every digest and log file in the window is valid; 3 something is
    /// missing, altered or not signed by CloudTrail, or no digest was found; 4 nothing invalid
    /// but some objects could not be read; 1 runtime error; 2 usage error.
    #[command(after_long_help = "Examples:\n  \
        trailwarden verify-logs --trail arn:aws:cloudtrail:us-east-1:111122223333:trail/main --start 7d\n  \
        trailwarden verify-logs --trail ARN --start 2026-01-20 --end 2026-01-21T12:00Z -v\n  \
        trailwarden verify-logs --trail ARN --start 24h --format json --output integrity.json")]
    VerifyLogs(Box<VerifyLogsArgs>),
    /// Print the least-privilege IAM policy a scan needs (every action is a read).
    #[command(after_long_help = "Examples:\n  \
        trailwarden iam-policy > trailwarden-policy.json\n  \
        aws iam create-policy --policy-name trailwarden --policy-document file://trailwarden-policy.json")]
    IamPolicy,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Also write the collected inventory snapshot to FILE (for `evaluate` later).
    #[arg(long, value_name = "FILE", help_heading = "AWS")]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub assessment: AssessmentArgs,
}

/// What to evaluate, how to report it and when to fail: shared by `scan` and `evaluate`.
#[derive(Debug, Args)]
pub struct AssessmentArgs {
    #[command(flatten)]
    pub evaluation: EvaluationArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub gate: GateArgs,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Write the inventory snapshot (JSON) to FILE, atomically.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "AWS")]
pub struct AwsArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Home region for global calls (default: the profile's or AWS_REGION, else us-east-1).
    #[arg(long, value_name = "REGION", value_parser = values::parse_region)]
    pub region: Option<String>,
    /// Regions to scan: `all` enabled regions, or a comma-separated list. Regions not
    /// enabled for the account are reported as skipped.
    #[arg(long, value_name = "all|LIST", default_value = "all", value_parser = values::parse_regions)]
    pub regions: crate::scope::RegionSelection,
    /// AWS calls in flight at once, all services and regions together.
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub max_concurrency: u32,
    /// Also verify each trail's digest chain and log files over this recent window (e.g.
    /// `24h`, `7d`; at most 31 days) and report it as a finding of rule TW118.
    #[arg(long, value_name = "DURATION", value_parser = values::parse_window)]
    pub verify_logs_window: Option<chrono::Duration>,
    #[command(flatten)]
    pub accounts: AccountArgs,
}

/// How to reach AWS: credentials profile, endpoint, retries and timeouts.
#[derive(Debug, Args)]
#[command(next_help_heading = "AWS")]
pub struct ConnectionArgs {
    /// Named profile from the AWS config files (default: AWS_PROFILE, else `default`).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Send every AWS call to this AWS-compatible endpoint (also: AWS_ENDPOINT_URL).
    #[arg(long, value_name = "URL", value_parser = values::parse_endpoint_url)]
    pub endpoint_url: Option<String>,
    /// Attempts per AWS call, the first included (jittered exponential backoff).
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// Seconds one attempt of one AWS call may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// Seconds to establish a connection.
    #[arg(long, value_name = "SECONDS", default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=120))]
    pub connect_timeout: u64,
}

/// `verify-logs`: which trail, which window, where its files are, how to report.
#[derive(Debug, Args)]
pub struct VerifyLogsArgs {
    /// The trail's ARN (arn:PARTITION:cloudtrail:HOME-REGION:ACCOUNT:trail/NAME).
    #[arg(long, value_name = "ARN", value_parser = values::parse_trail_arn)]
    pub trail: crate::inventory::TrailArn,
    /// Start of the window: RFC 3339 (2026-01-20T00:00:00Z), `YYYY-MM-DDTHH:MM[:SS]` (UTC)
    /// or a date; or a duration before now (`24h`, `7d`).
    #[arg(long, value_name = "TIME", value_parser = values::parse_time)]
    pub start: values::TimeArg,
    /// End of the window (same forms; default: now).
    #[arg(long, value_name = "TIME", value_parser = values::parse_time)]
    pub end: Option<values::TimeArg>,
    /// Whose logs: this account's (an organization trail keeps each member's files apart;
    /// default: the trail's account).
    #[arg(long, value_name = "ID", value_parser = values::parse_account_id)]
    pub account_id: Option<String>,
    /// Verify the files in this bucket (a copy elsewhere, or without cloudtrail:DescribeTrails).
    #[arg(long, value_name = "NAME", value_parser = values::parse_bucket_name)]
    pub s3_bucket: Option<String>,
    /// The key prefix of the files in --s3-bucket (default: none).
    #[arg(long, value_name = "PREFIX", requires = "s3_bucket")]
    pub s3_prefix: Option<String>,
    /// Organization trail layout `AWSLogs/o-…/ACCOUNT/` (default: both layouts are looked for).
    #[arg(long, value_name = "o-…", value_parser = values::parse_organization_id)]
    pub organization_id: Option<String>,
    /// Only these source regions (comma-separated; default: every region that delivered
    /// digests of the trail).
    #[arg(long, value_name = "REGION", value_delimiter = ',', value_parser = values::parse_region)]
    pub region: Vec<String>,
    /// Public keys from a file (the JSON of `aws cloudtrail list-public-keys --query
    /// PublicKeyList`) instead of cloudtrail:ListPublicKeys: offline and air-gapped use.
    #[arg(long, value_name = "FILE")]
    pub public_keys: Option<PathBuf>,
    /// Output format: the AWS CLI's familiar lines, or JSON.
    #[arg(long, value_enum, default_value = "text")]
    pub format: VerifyFormat,
    /// Write the result to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// S3 requests in flight at once (1: one after the other, as the AWS CLI does).
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub max_concurrency: u32,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Text,
    Json,
}

/// Which accounts to scan (default: the caller's own) and how to get into them.
#[derive(Debug, Args)]
#[command(next_help_heading = "Accounts")]
pub struct AccountArgs {
    /// Scan every active account of the organization (run as the management account or a
    /// CloudTrail/Organizations delegated administrator).
    #[arg(long)]
    pub org: bool,
    /// Scan these accounts (12-digit ids, comma-separated); with --org, only these of it.
    #[arg(long, value_name = "ID,ID", value_delimiter = ',', value_parser = values::parse_account_id)]
    pub accounts: Option<Vec<String>>,
    /// Never scan these accounts (12-digit ids, comma-separated).
    #[arg(long, value_name = "ID,ID", value_delimiter = ',', value_parser = values::parse_account_id)]
    pub exclude_accounts: Vec<String>,
    /// Role assumed in every scanned account other than the caller's.
    #[arg(long, value_name = "NAME", default_value = "OrganizationAccountAccessRole", value_parser = values::parse_role_name)]
    pub role_name: String,
    /// External id required by the role's trust policy.
    #[arg(long, value_name = "ID", value_parser = values::parse_external_id)]
    pub external_id: Option<String>,
    /// Session name of the assumed roles (shows in the accounts' CloudTrail logs).
    #[arg(long, value_name = "NAME", default_value = "trailwarden", value_parser = values::parse_role_session_name)]
    pub role_session_name: String,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Inventory snapshot (JSON).
    pub snapshot: PathBuf,
    #[command(flatten)]
    pub assessment: AssessmentArgs,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// `terraform show -json` output of a saved plan, or of a state.
    #[arg(value_name = "PLAN.json")]
    pub plan: PathBuf,
    /// The account the plan applies to, when the plan does not say (no
    /// `data.aws_caller_identity`).
    #[arg(long, value_name = "ID", value_parser = values::parse_account_id, help_heading = "Terraform")]
    pub account_id: Option<String>,
    /// The Terraform configuration directory: findings point at the `.tf` file and line of
    /// each resource block (local module sources followed).
    #[arg(
        long,
        value_name = "DIR",
        default_value = ".",
        help_heading = "Terraform"
    )]
    pub tf_dir: PathBuf,
    /// Read from AWS exactly what the plan refers to but does not hold (buckets, KMS keys, log
    /// groups and topics of other workspaces or data sources; the account's Block Public
    /// Access), read-only, with your credentials; the verdict covers plan and live together.
    #[arg(long, help_heading = "Terraform")]
    pub live: bool,
    /// With --live: the home region, where global calls go.
    #[arg(long, value_name = "REGION", value_parser = values::parse_region, requires = "live")]
    pub region: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub assessment: AssessmentArgs,
}

/// The demo gates its exit code only when `--fail-on` is given (by default it exits 0).
#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub assessment: AssessmentArgs,
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
    /// CIS monitoring rules: require each metric filter to be a CIS pattern text, as Security
    /// Hub does, instead of judging what it matches (sets every `strict_patterns` parameter).
    #[arg(long)]
    pub strict_patterns: bool,
    /// Configuration file: rule selection, parameters, severities, waivers, gate defaults
    /// (default: ./trailwarden.toml if present; docs/config.md).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore ./trailwarden.toml.
    #[arg(long)]
    pub no_config: bool,
    /// A previous JSON report: mark each finding new or unchanged, and list what was fixed.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Report")]
pub struct ReportArgs {
    /// Output formats, comma-separated; more than one needs --output-dir.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "table")]
    pub format: Vec<ReportFormat>,
    /// Write the report to FILE (atomically) instead of standard output (one format).
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,
    /// Write one file per format into DIR (created if missing), each atomically:
    /// trailwarden.txt, .json, .sarif, .junit.xml, .csv, .html, .md.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
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
    /// Exit 3 when a FAIL has at least this severity; `none` never fails on findings
    /// (default: the configuration's `gate.fail_on`, else `low`).
    #[arg(long, value_name = "SEVERITY|none")]
    pub fail_on: Option<FailOn>,
    /// Do not exit 4 when some findings could not be evaluated (ERROR).
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Only findings new against --baseline (or a plan's prior state) break the gate (exit 3 or 4).
    #[arg(long)]
    pub fail_on_new: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
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
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
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
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Show a framework's controls and the rules that assess them; with --snapshot (or
    /// --demo), each control's status over that inventory.
    Show {
        /// Framework id, e.g. cis-aws-5.0.
        id: String,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// Judge each control over this inventory snapshot (written by `collect` or `scan --snapshot`).
        #[arg(long, value_name = "FILE", conflicts_with = "demo")]
        snapshot: Option<std::path::PathBuf>,
        /// Judge each control over the built-in sample organization.
        #[arg(long)]
        demo: bool,
    },
}
