//! THE pipeline from an inventory to verdicts, reports and the gate, shared by `scan`,
//! `evaluate`, `demo` and `frameworks show`. Its order is the contract:
//!
//! 1. the configuration (`trailwarden.toml`), the baseline and the rule selection;
//! 2. parameters: the configuration's, then `--strict-patterns`, then `--param`;
//! 3. evaluation;
//! 4. severity overrides, then waivers, then the baseline comparison (each marks findings,
//!    in this order: a waiver matches the severity in force, the baseline sees waived findings);
//! 5. the framework view, the gate, the reports (all rendered and staged before any is put
//!    in place) and the warnings on standard error.

use super::AppError;
use crate::cli::{AssessmentArgs, ColorChoice, EvaluationArgs, GateArgs, ReportArgs};
use crate::config::Config;
use crate::engine::{
    self, Baseline, BaselineFinding, Catalog, Evaluation, ExitCode, FailOn, FrameworkView, Gate,
    ParamOverride, SourceLocation, WaiverReport,
};
use crate::inventory::Inventory;
use crate::report::{self, BaselineComparison, Report, ReportFormat};
use crate::rule::Severity;
use std::collections::BTreeMap;
use std::io::IsTerminal;

/// An evaluation with every policy of the run applied to its findings.
pub(super) struct Judged {
    pub config: Config,
    pub evaluation: Evaluation,
    pub waivers: Vec<WaiverReport>,
    pub comparison: Option<BaselineComparison>,
    /// The per-control view of `--framework`, when one is given.
    pub framework: Option<FrameworkView>,
}

/// Where an inventory came from when it is a Terraform plan: what the plan starts from, and
/// where each resource is written.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct PlanSource<'a> {
    /// The plan's prior state: without `--baseline`, the baseline its findings are marked
    /// against (new, unchanged, fixed), so `--fail-on-new` fails on what the change breaks.
    pub prior: Option<&'a Inventory>,
    /// Resource key (ARN, bucket name) → where it is written.
    pub locations: Option<&'a BTreeMap<String, SourceLocation>>,
}

/// Steps 1 to 4 of the pipeline, and the framework view.
pub(super) fn judge(
    catalog: &Catalog,
    inventory: &Inventory,
    args: &EvaluationArgs,
    source: PlanSource,
) -> Result<Judged, AppError> {
    let config = Config::discover(catalog, args.config.as_deref(), args.no_config)?;
    let baseline = args
        .baseline
        .as_deref()
        .map(report::json::read_baseline)
        .transpose()?;
    let selection = config.selection(catalog, &args.rules, args.framework.as_deref())?;
    let now = args.now.unwrap_or(inventory.collected_at);
    let mut params = config.params.clone();
    params.extend(with_strict_patterns(
        catalog,
        &args.params,
        args.strict_patterns,
    ));
    let mut evaluation = engine::evaluate(inventory, catalog, &selection, &params, now)?;
    config.apply_severities(&mut evaluation.findings);
    let waivers = engine::apply_waivers(&mut evaluation.findings, &config.waivers, now);
    let baseline = match (baseline, source.prior) {
        (Some(baseline), _) => Some(baseline),
        (None, Some(prior)) => {
            let mut before = engine::evaluate(prior, catalog, &selection, &params, now)?;
            config.apply_severities(&mut before.findings);
            Some(Baseline::new(
                "the plan's prior state",
                before.findings.iter().map(BaselineFinding::of).collect(),
            ))
        }
        (None, None) => None,
    };
    if let Some(locations) = source.locations {
        for finding in &mut evaluation.findings {
            finding.location = locations.get(&finding.resource).cloned();
        }
    }
    let comparison = baseline.map(|baseline| BaselineComparison {
        fixed: baseline.compare(&mut evaluation.findings, &evaluation.rules),
        origin: baseline.origin,
    });
    let framework = args
        .framework
        .as_deref()
        .and_then(|id| catalog.framework(id))
        .map(|framework| framework.view(&evaluation.findings));
    Ok(Judged {
        config,
        evaluation,
        waivers,
        comparison,
        framework,
    })
}

/// The gate from the flags, with the configuration's defaults under them.
fn gate(args: &GateArgs, config: &Config) -> Gate {
    Gate {
        fail_on: args
            .fail_on
            .or(config.fail_on)
            .unwrap_or(FailOn::AtLeast(Severity::Low)),
        allow_incomplete: args.allow_incomplete || config.allow_incomplete.unwrap_or(false),
        fail_on_new: args.fail_on_new,
    }
}

/// The whole pipeline: judges, reports in every requested format and gates (when `gated`).
pub(super) fn run(
    catalog: &Catalog,
    inventory: &Inventory,
    args: &AssessmentArgs,
    gated: bool,
) -> Result<ExitCode, AppError> {
    run_plan(catalog, inventory, args, gated, PlanSource::default())
}

/// [`run`] over an inventory made from a Terraform plan.
pub(super) fn run_plan(
    catalog: &Catalog,
    inventory: &Inventory,
    args: &AssessmentArgs,
    gated: bool,
    source: PlanSource,
) -> Result<ExitCode, AppError> {
    let output = &args.report;
    let targets = output_targets(output)?;
    let Judged {
        config,
        evaluation,
        waivers,
        comparison,
        framework,
    } = judge(catalog, inventory, &args.evaluation, source)?;
    if args.gate.fail_on_new && comparison.is_none() {
        return Err(AppError::Usage(
            "--fail-on-new needs something to compare with: --baseline FILE, or a plan made against existing state".to_owned(),
        ));
    }
    let decision = gated.then(|| {
        let gate = gate(&args.gate, &config);
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
    let stage_all = || -> Result<(Vec<crate::output::Staged>, Option<String>), AppError> {
        let mut staged = Vec::new();
        let mut to_stdout = None;
        for (format, path) in &targets {
            let color = path.is_none() && use_color(output);
            let Some(path) = path else {
                to_stdout = Some(report::render(&report, *format, output.all, color)?);
                continue;
            };
            staged.push(if *format == ReportFormat::Json {
                // The largest report goes straight into its file.
                crate::output::stage_with(path, &mut |out| {
                    report::json::write(&report, out).map_err(std::io::Error::other)
                })?
            } else {
                let text = report::render(&report, *format, output.all, color)?;
                crate::output::stage(path, &text)?
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
        report.commit()?;
    }
    if let Some(text) = to_stdout {
        crate::output::write(None, &text)?;
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
