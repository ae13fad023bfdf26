//! What each subcommand does. Errors carry the exit code they map to.

use crate::cli::{
    AssessmentArgs, AwsArgs, Cli, ColorChoice, Command, ConnectionArgs, Format, FrameworksCommand,
    ReportArgs, ReportFormat, RulesCommand, VerifyFormat, VerifyLogsArgs,
};
use crate::collect::sessions::RoleSpec;
use crate::collect::{self, AccountScope, CollectSettings};
use crate::config::Config;
use crate::engine::{self, Baseline, Catalog, ExitCode, ParamOverride, Selection};
use crate::inventory::{Inventory, SnapshotError};
use crate::progress::ScanProgress;
use crate::report::{self, Report};
use std::io::IsTerminal;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A bad argument or an unknown name: the user can fix the command line.
    #[error("{0}")]
    Usage(String),
    /// An input file that cannot be used.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// trailwarden could not finish.
    #[error("{0}")]
    Runtime(String),
}

impl AppError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            AppError::Usage(_) | AppError::Snapshot(_) => ExitCode::Usage,
            AppError::Runtime(_) => ExitCode::Runtime,
        }
    }
}

pub fn run(cli: Cli) -> Result<ExitCode, AppError> {
    let catalog = Catalog::builtin().map_err(|e| AppError::Runtime(e.to_string()))?;
    let verbose = cli.verbose > 0;
    match cli.command {
        Command::Scan(args) => {
            let inventory = collect_live(&args.aws, verbose)?;
            if let Some(path) = &args.snapshot {
                write_snapshot(&inventory, path)?;
            }
            assess(&catalog, &inventory, &args.assessment, true)
        }
        Command::Collect(args) => {
            let inventory = collect_live(&args.aws, verbose)?;
            write_snapshot(&inventory, &args.output)?;
            eprintln!(
                "trailwarden: wrote {}: {}",
                args.output.display(),
                collection_summary(&inventory)
            );
            Ok(ExitCode::Success)
        }
        Command::IamPolicy => {
            report::write(None, &crate::aws::permissions::iam_policy_json())
                .map_err(AppError::Runtime)?;
            Ok(ExitCode::Success)
        }
        Command::Evaluate(args) => {
            let inventory = Inventory::load(&args.snapshot)?;
            assess(&catalog, &inventory, &args.assessment, true)
        }
        Command::Demo(args) => {
            let inventory = crate::demo::inventory()
                .map_err(|e| AppError::Runtime(format!("built-in demo: {e}")))?;
            // The demo is a showcase: it gates only when asked on the command line.
            let gated = args.assessment.gate.fail_on.is_some();
            assess(&catalog, &inventory, &args.assessment, gated)
        }
        Command::VerifyLogs(args) => verify_logs(&args, cli.verbose > 0),
        Command::Rules { command } => rules(&catalog, command),
        Command::Frameworks { command } => frameworks(&catalog, command),
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

/// `verify-logs`: prove one trail's logs over a window; the exit code says what was proved.
fn verify_logs(args: &VerifyLogsArgs, verbose: bool) -> Result<ExitCode, AppError> {
    use crate::verify::run::{self, Keys, Outcome, Target, Window};
    let now = chrono::Utc::now();
    let window = Window {
        start: args.start.resolve(now),
        end: args.end.map_or(now, |end| end.resolve(now)),
    };
    if window.start >= window.end {
        return Err(AppError::Usage(format!(
            "--start {} is not before --end {}",
            window.start.format("%Y-%m-%dT%H:%M:%SZ"),
            window.end.format("%Y-%m-%dT%H:%M:%SZ")
        )));
    }
    let keys = match &args.public_keys {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                AppError::Usage(format!("cannot read --public-keys {}: {e}", path.display()))
            })?;
            let store = crate::verify::keys::KeyStore::from_json(&text)
                .map_err(|e| AppError::Usage(format!("--public-keys {}: {e}", path.display())))?;
            if store.is_empty() {
                return Err(AppError::Usage(format!(
                    "--public-keys {}: the file lists no keys",
                    path.display()
                )));
            }
            Keys::File(store)
        }
        None => Keys::CloudTrail,
    };
    let target = Target {
        trail_arn: args.trail.arn.clone(),
        trail_name: args.trail.name.clone(),
        home_region: args.trail.home_region.clone(),
        account: args
            .account_id
            .clone()
            .unwrap_or_else(|| args.trail.account.clone()),
        bucket: args.s3_bucket.clone(),
        prefix: args.s3_prefix.clone(),
        organization_id: args.organization_id.clone(),
        source_regions: (!args.region.is_empty()).then(|| args.region.clone()),
    };
    let options = crate::aws::sdk_config::AwsOptions {
        region: Some(args.trail.home_region.clone()),
        ..aws_options(&args.connection)
    };
    let runtime = async_runtime()?;
    let progress = crate::progress::FileProgress::for_terminal(verbose);
    let verification = runtime.block_on(async {
        let config = crate::aws::sdk_config::sdk_config(&options).await;
        let clients = std::sync::Arc::new(crate::aws::clients::Clients::new(
            config,
            crate::aws::guard::ApiCallLog::default(),
        ));
        let store = crate::verify::store::Store::new(
            clients,
            &target.home_region,
            args.max_concurrency as usize,
        );
        run::verify(&store, &target, window, &keys, &progress).await
    });
    progress.finish();
    let verification = verification.map_err(AppError::Runtime)?;
    let rendered = match args.format {
        VerifyFormat::Text => crate::verify::render::text(&verification, verbose),
        VerifyFormat::Json => crate::verify::render::json(&verification),
    };
    report::write(args.output.as_deref(), &rendered).map_err(AppError::Runtime)?;
    Ok(match verification.outcome() {
        Outcome::Valid => ExitCode::Success,
        Outcome::Invalid | Outcome::NoDigests => ExitCode::Failures,
        Outcome::Incomplete => ExitCode::Incomplete,
    })
}

/// Collects the accounts in scope live. The async runtime lives only as long as the scan.
fn collect_live(aws: &AwsArgs, verbose: bool) -> Result<Inventory, AppError> {
    let options = crate::aws::sdk_config::AwsOptions {
        region: aws.region.clone(),
        ..aws_options(&aws.connection)
    };
    let settings = CollectSettings {
        regions: aws.regions.clone(),
        accounts: AccountScope {
            organization: aws.accounts.org,
            accounts: aws.accounts.accounts.clone(),
            exclude: aws.accounts.exclude_accounts.clone(),
            role: RoleSpec {
                name: aws.accounts.role_name.clone(),
                external_id: aws.accounts.external_id.clone(),
                session_name: aws.accounts.role_session_name.clone(),
            },
        },
        max_concurrency: aws.max_concurrency as usize,
        verify_logs_window: aws.verify_logs_window,
    };
    let runtime = async_runtime()?;
    let progress = ScanProgress::for_terminal(verbose);
    let inventory = runtime.block_on(async {
        let config = crate::aws::sdk_config::sdk_config(&options).await;
        collect::collect(config, &settings, progress.clone()).await
    });
    progress.finish();
    inventory.map_err(|e| AppError::Runtime(e.to_string()))
}

fn write_snapshot(inventory: &Inventory, path: &std::path::Path) -> Result<(), AppError> {
    let mut json = inventory
        .to_json()
        .map_err(|e| AppError::Runtime(format!("cannot serialize the snapshot: {e}")))?;
    json.push('\n');
    report::write(Some(path), &json).map_err(AppError::Runtime)
}

/// One line about what a collection saw, for standard error.
fn collection_summary(inventory: &Inventory) -> String {
    let regions = inventory
        .accounts
        .values()
        .flat_map(|a| a.regions.values())
        .filter(|r| r.skipped.is_none())
        .count();
    let (calls, failed) = inventory
        .collection
        .iter()
        .flat_map(|c| &c.api_calls)
        .fold((0, 0), |(calls, failed), c| {
            (calls + c.calls, failed + c.errors)
        });
    format!(
        "{} account(s), {regions} region(s), {} trail(s), {} bucket(s), {} KMS key(s), \
         {} log group(s); {calls} AWS calls ({failed} answered with an error, \"not configured\" answers included)",
        inventory.accounts.len(),
        inventory.trails.len(),
        inventory.buckets.len(),
        inventory.kms_keys.len(),
        inventory.log_groups.len(),
    )
}

/// `--strict-patterns` as a `strict_patterns=true` override of every rule that has the
/// parameter, placed first so that an explicit `--param` still wins.
fn with_strict_patterns(
    catalog: &Catalog,
    overrides: &[ParamOverride],
    strict: bool,
) -> Vec<ParamOverride> {
    let mut all: Vec<ParamOverride> = if strict {
        catalog
            .rules
            .iter()
            .filter(|rule| rule.spec.parameters.contains_key("strict_patterns"))
            .map(|rule| ParamOverride {
                rule: rule.spec.code.clone(),
                name: "strict_patterns".to_owned(),
                value: "true".to_owned(),
            })
            .collect()
    } else {
        Vec::new()
    };
    all.extend(overrides.iter().cloned());
    all
}

/// Evaluates, reports and gates as `scan`, `evaluate` and `demo` do: configuration, rule
/// selection, parameters, severity overrides, waivers, baseline, every format, the gate.
fn assess(
    catalog: &Catalog,
    inventory: &Inventory,
    args: &AssessmentArgs,
    gated: bool,
) -> Result<ExitCode, AppError> {
    let evaluation_args = &args.evaluation;
    let output = &args.report;
    let targets = output_targets(output)?;
    let config = Config::discover(
        catalog,
        evaluation_args.config.as_deref(),
        evaluation_args.no_config,
    )
    .map_err(|e| AppError::Usage(e.to_string()))?;
    let baseline = evaluation_args
        .baseline
        .as_deref()
        .map(Baseline::load)
        .transpose()
        .map_err(|e| AppError::Usage(e.to_string()))?;
    let selection = config
        .selection(
            catalog,
            &evaluation_args.rules,
            evaluation_args.framework.as_deref(),
        )
        .map_err(AppError::Usage)?;
    let now = evaluation_args.now.unwrap_or(inventory.collected_at);
    let mut params = config.params.clone();
    params.extend(with_strict_patterns(
        catalog,
        &evaluation_args.params,
        evaluation_args.strict_patterns,
    ));
    let mut evaluation =
        engine::evaluate(inventory, catalog, &selection, &params, now).map_err(|e| {
            if e.is_usage() {
                AppError::Usage(e.to_string())
            } else {
                AppError::Runtime(e.to_string())
            }
        })?;
    config.apply_severities(&mut evaluation.findings);
    let waivers = engine::apply_waivers(&mut evaluation.findings, &config.waivers, now);
    let comparison = baseline.map(|baseline| report::BaselineComparison {
        fixed: baseline.compare(&mut evaluation.findings, &evaluation.rules),
        origin: baseline.origin,
    });
    let framework = evaluation_args
        .framework
        .as_deref()
        .and_then(|id| catalog.framework(id))
        .map(|framework| framework.view(&evaluation.findings));
    let decision = gated.then(|| {
        let gate = args.gate.gate(&config);
        let (code, reason) = gate.decide(&evaluation.findings);
        report::GateDecision { gate, code, reason }
    });
    let report = Report {
        catalog,
        inventory,
        evaluation: &evaluation,
        framework,
        gate: decision.clone(),
        config: &config,
        waivers: &waivers,
        baseline: comparison.as_ref(),
    };
    // The directory is needed to stage reports in; one made here is removed again if the
    // run fails before any report is in place.
    let made_dir = match &output.output_dir {
        Some(dir) if !dir.exists() => {
            std::fs::create_dir_all(dir).map_err(|e| {
                AppError::Runtime(format!("cannot create --output-dir {}: {e}", dir.display()))
            })?;
            Some(dir.clone())
        }
        _ => None,
    };
    // Each report is rendered and staged beside its destination, its text freed before the
    // next is rendered; all are put in place only once every one is staged, so a rendering
    // error leaves no file (the staged ones are dropped, and removed, with the error).
    let stage_all = || -> Result<(Vec<report::Staged>, Option<String>), AppError> {
        let mut staged = Vec::new();
        let mut to_stdout = None;
        for (format, path) in &targets {
            let color = path.is_none() && use_color(output);
            let Some(path) = path else {
                to_stdout = Some(render(&report, *format, output.all, color)?);
                continue;
            };
            staged.push(if *format == ReportFormat::Json {
                // The largest report goes straight into its file.
                report::stage_with(path, &mut |out| {
                    report::json::write(&report, out).map_err(std::io::Error::other)
                })
                .map_err(AppError::Runtime)?
            } else {
                let text = render(&report, *format, output.all, color)?;
                report::stage(path, &text).map_err(AppError::Runtime)?
            });
        }
        Ok((staged, to_stdout))
    };
    let (staged, to_stdout) = stage_all().inspect_err(|_| {
        if let Some(dir) = &made_dir {
            let _ = std::fs::remove_dir(dir);
        }
    })?;
    for report in staged {
        report.commit().map_err(AppError::Runtime)?;
    }
    if let Some(text) = to_stdout {
        report::write(None, &text).map_err(AppError::Runtime)?;
    }
    for waiver in waivers
        .iter()
        .filter(|w| w.state == engine::WaiverState::Expired)
    {
        eprintln!(
            "trailwarden: waiver {} for {} on `{}` expired on {}; it no longer applies ({} finding(s))",
            waiver.source,
            waiver.rule,
            waiver.resource.as_str(),
            waiver.expires,
            waiver.findings
        );
    }
    let code = decision.as_ref().map_or(ExitCode::Success, |d| d.code);
    if let Some(decision) = decision.filter(|d| d.code != ExitCode::Success) {
        eprintln!(
            "trailwarden: {} (exit {})",
            decision.reason,
            decision.code.code()
        );
    }
    Ok(code)
}

/// Where each requested format goes: standard output, `--output`, or a file per format in
/// `--output-dir` (created when the reports are written).
fn output_targets(
    output: &ReportArgs,
) -> Result<Vec<(ReportFormat, Option<std::path::PathBuf>)>, AppError> {
    let mut formats = output.format.clone();
    formats.sort();
    formats.dedup();
    match &output.output_dir {
        Some(dir) => {
            if dir.exists() && !dir.is_dir() {
                return Err(AppError::Usage(format!(
                    "--output-dir {}: not a directory",
                    dir.display()
                )));
            }
            Ok(formats
                .into_iter()
                .map(|format| (format, Some(dir.join(format.file_name()))))
                .collect())
        }
        None if formats.len() > 1 => Err(AppError::Usage(format!(
            "{} formats need --output-dir DIR (one file each); --output and standard output take one",
            formats.len()
        ))),
        None => Ok(formats
            .into_iter()
            .map(|format| (format, output.output.clone()))
            .collect()),
    }
}

fn render(
    report: &Report,
    format: ReportFormat,
    all: bool,
    color: bool,
) -> Result<String, AppError> {
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        AppError::Runtime(format!("cannot render the {what} report: {e}"))
    };
    Ok(match format {
        ReportFormat::Table => report::table::render(report, all, color),
        ReportFormat::Json => report::json::render(report).map_err(|e| failed("JSON", &e))?,
        ReportFormat::Sarif => report::sarif::render(report).map_err(|e| failed("SARIF", &e))?,
        ReportFormat::Junit => report::junit::render(report).map_err(|e| failed("JUnit", &e))?,
        ReportFormat::Csv => report::csv::render(report).map_err(|e| failed("CSV", &e))?,
        ReportFormat::Html => report::html::render(report),
        ReportFormat::Markdown => report::markdown::render(report),
    })
}

fn use_color(output: &ReportArgs) -> bool {
    match output.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            output.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    }
}

fn rules(catalog: &Catalog, command: RulesCommand) -> Result<ExitCode, AppError> {
    let text = match command {
        RulesCommand::List {
            format: Format::Table,
        } => report::catalog::rules_table(catalog),
        RulesCommand::List {
            format: Format::Json,
        } => report::catalog::rules_json(catalog).map_err(|e| AppError::Runtime(e.to_string()))?,
        RulesCommand::Show { rule } => {
            let rule = catalog.rule(&rule).ok_or_else(|| {
                AppError::Usage(format!(
                    "unknown rule `{rule}`: `trailwarden rules list` shows the catalog"
                ))
            })?;
            crate::docs::rule_page(catalog, rule)
        }
        RulesCommand::Docs { out } => {
            crate::docs::write_all(catalog, &out).map_err(AppError::Runtime)?;
            return Ok(ExitCode::Success);
        }
    };
    report::write(None, &text).map_err(AppError::Runtime)?;
    Ok(ExitCode::Success)
}

fn frameworks(catalog: &Catalog, command: FrameworksCommand) -> Result<ExitCode, AppError> {
    let text = match command {
        FrameworksCommand::List {
            format: Format::Table,
        } => report::catalog::frameworks_table(catalog),
        FrameworksCommand::List {
            format: Format::Json,
        } => report::catalog::frameworks_json(catalog)
            .map_err(|e| AppError::Runtime(e.to_string()))?,
        FrameworksCommand::Show {
            id,
            format,
            snapshot,
            demo,
        } => {
            let framework = catalog.framework(&id).ok_or_else(|| {
                AppError::Usage(format!(
                    "unknown framework `{id}`: `trailwarden frameworks show` needs an id from `trailwarden frameworks list`"
                ))
            })?;
            let inventory = match (snapshot, demo) {
                (Some(path), _) => Some((Inventory::load(&path)?, path.display().to_string())),
                (None, true) => Some((
                    crate::demo::inventory()
                        .map_err(|e| AppError::Runtime(format!("built-in demo: {e}")))?,
                    "the built-in demo organization".to_owned(),
                )),
                (None, false) => None,
            };
            if let Some((inventory, origin)) = inventory {
                let selection = Selection::resolve(catalog, &[], Some(&framework.id))
                    .map_err(AppError::Usage)?;
                let evaluation =
                    engine::evaluate(&inventory, catalog, &selection, &[], inventory.collected_at)
                        .map_err(|e| AppError::Runtime(e.to_string()))?;
                let view = framework.view(&evaluation.findings);
                let text = match format {
                    Format::Table => report::table::framework_status(&view, &origin, &inventory),
                    Format::Json => serde_json::to_string_pretty(&view)
                        .map(|text| text + "\n")
                        .map_err(|e| AppError::Runtime(e.to_string()))?,
                };
                report::write(None, &text).map_err(AppError::Runtime)?;
                return Ok(ExitCode::Success);
            }
            match format {
                Format::Table => report::catalog::framework_table(framework),
                Format::Json => report::catalog::framework_json(framework)
                    .map_err(|e| AppError::Runtime(e.to_string()))?,
            }
        }
    };
    report::write(None, &text).map_err(AppError::Runtime)?;
    Ok(ExitCode::Success)
}
