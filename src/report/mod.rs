//! Rendering findings for people and machines: the report model every format reads, and
//! one module per format. Writing the rendered text out is `output.rs`'s job.

pub mod catalog;
pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;

use crate::config::Config;
use crate::engine::{
    BaselineFinding, Catalog, Evaluation, ExitCode, FrameworkView, Gate, WaiverReport,
};
use crate::inventory::Inventory;
use crate::rule::Severity;
use clap::ValueEnum;

/// Everything a report shows.
pub struct Report<'a> {
    pub catalog: &'a Catalog,
    pub inventory: &'a Inventory,
    pub evaluation: &'a Evaluation,
    /// The per-control view, when a framework was selected.
    pub framework: Option<FrameworkView>,
    /// The gate's decision, when the run is gated.
    pub gate: Option<GateDecision>,
    /// The configuration in effect (the empty one without a file).
    pub config: &'a Config,
    /// What became of each configured waiver.
    pub waivers: &'a [WaiverReport],
    /// The comparison with `--baseline`, when one was given.
    pub baseline: Option<&'a BaselineComparison>,
}

/// The outcome of comparing with a previous report.
#[derive(Debug, Clone)]
pub struct BaselineComparison {
    /// Where the baseline was read from.
    pub origin: String,
    /// Its FAIL and ERROR findings that are gone.
    pub fixed: Vec<BaselineFinding>,
}

impl BaselineComparison {
    /// FAIL and ERROR findings of this run that are new against the baseline.
    pub fn new_failures(findings: &[crate::engine::Finding]) -> usize {
        findings
            .iter()
            .filter(|f| {
                matches!(
                    f.status,
                    crate::rule::Status::Fail | crate::rule::Status::Error
                ) && f.baseline == Some(crate::engine::BaselineState::New)
            })
            .count()
    }
}

impl Report<'_> {
    /// A rule's severity as reported: the catalog's, unless the configuration overrides it.
    pub fn severity_of(&self, rule: &crate::engine::Rule) -> Severity {
        self.config.severity_of(&rule.spec.code, rule.spec.severity)
    }
}

#[derive(Debug, Clone)]
pub struct GateDecision {
    pub gate: Gate,
    pub code: ExitCode,
    pub reason: String,
}

/// Counts of findings by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct StatusCounts {
    pub total: usize,
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub not_applicable: usize,
    /// FAIL and ERROR findings under a waiver in force (also counted in `fail`/`error`).
    pub waived: usize,
}

impl StatusCounts {
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a crate::engine::Finding>) -> StatusCounts {
        use crate::rule::Status;
        let mut counts = StatusCounts::default();
        for finding in findings {
            counts.total += 1;
            if finding.is_waived() {
                counts.waived += 1;
            }
            match finding.status {
                Status::Pass => counts.pass += 1,
                Status::Fail => counts.fail += 1,
                Status::Error => counts.error += 1,
                Status::NotApplicable => counts.not_applicable += 1,
            }
        }
        counts
    }
}

/// One scanned account's findings rolled up: the worst status of each rule over the
/// resources the account owns (FAIL, then ERROR, then PASS, then NOT_APPLICABLE).
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccountSummary<'a> {
    pub id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// Why the account could not be entered at all (e.g. the role could not be assumed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_error: Option<&'a crate::inventory::ObservationError>,
    pub summary: StatusCounts,
    /// Rule code → worst status, for the rules with a finding in this account.
    pub rules: std::collections::BTreeMap<&'a str, crate::rule::Status>,
}

/// The per-account view of a report, in account order (accounts without findings included).
pub fn account_summaries<'a>(report: &Report<'a>) -> Vec<AccountSummary<'a>> {
    let mut by_account: std::collections::BTreeMap<&str, Vec<&crate::engine::Finding>> =
        std::collections::BTreeMap::new();
    for finding in &report.evaluation.findings {
        by_account
            .entry(finding.account.as_str())
            .or_default()
            .push(finding);
    }
    report
        .inventory
        .accounts
        .values()
        .map(|account| {
            let own = by_account.remove(account.id.as_str()).unwrap_or_default();
            let mut rules = std::collections::BTreeMap::new();
            for finding in &own {
                rules
                    .entry(finding.rule_code.as_str())
                    .and_modify(|worst: &mut crate::rule::Status| {
                        *worst = (*worst).min(finding.status)
                    })
                    .or_insert(finding.status);
            }
            AccountSummary {
                id: &account.id,
                name: account.name.as_deref(),
                session_error: account.session_error.as_ref(),
                summary: StatusCounts::of(own.iter().copied()),
                rules,
            }
        })
        .collect()
}

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum ReportFormat {
    /// Terminal table (default).
    Table,
    /// JSON report, format version 1 (docs/report-json.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: a test suite per rule, a test case per resource.
    Junit,
    /// CSV, one row per finding.
    Csv,
    /// One self-contained HTML file.
    Html,
    /// Markdown summary and failures (PR comments, $GITHUB_STEP_SUMMARY).
    Markdown,
}

impl ReportFormat {
    /// The file name used in --output-dir.
    pub fn file_name(self) -> &'static str {
        match self {
            ReportFormat::Table => "trailwarden.txt",
            ReportFormat::Json => "trailwarden.json",
            ReportFormat::Sarif => "trailwarden.sarif",
            ReportFormat::Junit => "trailwarden.junit.xml",
            ReportFormat::Csv => "trailwarden.csv",
            ReportFormat::Html => "trailwarden.html",
            ReportFormat::Markdown => "trailwarden.md",
        }
    }
}

/// A report that could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("cannot render the {format} report: {message}")]
pub struct RenderError {
    format: &'static str,
    message: String,
}

/// Renders `report` in `format`; `all` lists passing findings in the table too, `color`
/// colours the table.
pub fn render(
    report: &Report,
    format: ReportFormat,
    all: bool,
    color: bool,
) -> Result<String, RenderError> {
    let failed = |format: &'static str| {
        move |e: &dyn std::fmt::Display| RenderError {
            format,
            message: e.to_string(),
        }
    };
    Ok(match format {
        ReportFormat::Table => table::render(report, all, color),
        ReportFormat::Json => json::render(report).map_err(|e| failed("JSON")(&e))?,
        ReportFormat::Sarif => sarif::render(report).map_err(|e| failed("SARIF")(&e))?,
        ReportFormat::Junit => junit::render(report).map_err(|e| failed("JUnit")(&e))?,
        ReportFormat::Csv => csv::render(report).map_err(|e| failed("CSV")(&e))?,
        ReportFormat::Html => html::render(report),
        ReportFormat::Markdown => markdown::render(report),
    })
}
