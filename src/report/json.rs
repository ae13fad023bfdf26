//! The JSON report, format version 1 (docs/report-json.md).
//!
//! These structs are the frozen public format, separate from the engine's types: the
//! engine may change shape; this file changes only with `report_schema_version`.

use super::{account_summaries, AccountSummary, Report, StatusCounts};
use crate::engine::{BaselineFinding, FrameworkView};
use crate::rule::Evidence;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::Path;

pub const REPORT_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    report_schema_version: u32,
    generator: String,
    evaluated_at: DateTime<Utc>,
    snapshot: Snapshot<'a>,
    rules: Vec<&'a str>,
    summary: StatusCounts,
    #[serde(skip_serializing_if = "Option::is_none")]
    gate: Option<Gate>,
    findings: Vec<Finding<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    framework: Option<&'a FrameworkView>,
    /// Per scanned account: its findings rolled up by rule.
    accounts: Vec<AccountSummary<'a>>,
    /// Accounts the scope named but that were not scanned, and why.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    skipped_accounts: &'a [crate::inventory::SkippedAccount],
    /// The organization, when it was scanned.
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<&'a crate::inventory::Observed<crate::inventory::Organization>>,
    /// The configuration file in effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<String>,
    /// Every configured waiver and what became of it (active, expired, unused).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    waivers: &'a [crate::engine::WaiverReport],
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<Baseline<'a>>,
}

#[derive(Serialize)]
struct Baseline<'a> {
    origin: &'a str,
    /// Baseline FAIL/ERROR findings that are gone in this run.
    fixed: &'a [crate::engine::BaselineFinding],
}

#[derive(Serialize)]
struct Snapshot<'a> {
    schema_version: u32,
    generator: &'a str,
    collected_at: DateTime<Utc>,
    partition: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    identity: Option<&'a crate::inventory::CallerIdentity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_id: Option<&'a str>,
    accounts: Vec<&'a str>,
}

#[derive(Serialize)]
struct Gate {
    fail_on: String,
    allow_incomplete: bool,
    exit_code: u8,
    reason: String,
}

#[derive(Serialize)]
struct Finding<'a> {
    rule: &'a str,
    rule_name: &'a str,
    title: &'a str,
    severity: &'a str,
    status: &'a str,
    account: &'a str,
    region: &'a str,
    resource_kind: &'a str,
    resource: &'a str,
    message: &'a str,
    evidence: &'a [Evidence],
    controls: Vec<String>,
    /// Stable identity across runs: SHA-256 of rule, account, region, resource.
    fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<&'a crate::engine::AppliedWaiver>,
    /// `new` or `unchanged` against --baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<crate::engine::BaselineState>,
    /// Where the resource is written (a Terraform plan's findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a crate::engine::SourceLocation>,
}

pub fn render(report: &Report) -> Result<String, serde_json::Error> {
    let mut text = Vec::new();
    write(report, &mut text)?;
    String::from_utf8(text).map_err(|e| serde_json::Error::io(std::io::Error::other(e)))
}

/// The report straight into `out` (a report file), never whole in memory: at 1,000 accounts
/// it is 150 MB of text.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> Result<(), serde_json::Error> {
    let inventory = report.inventory;
    let findings = &report.evaluation.findings;
    let document = JsonReport {
        report_schema_version: REPORT_SCHEMA_VERSION,
        generator: format!("trailwarden {}", env!("CARGO_PKG_VERSION")),
        evaluated_at: report.evaluation.now,
        snapshot: Snapshot {
            schema_version: inventory.schema_version,
            generator: &inventory.generator,
            collected_at: inventory.collected_at,
            partition: &inventory.partition,
            identity: inventory.identity.as_ref(),
            organization_id: inventory.organization().map(|org| org.id.as_str()),
            accounts: inventory.accounts.keys().map(String::as_str).collect(),
        },
        rules: report.evaluation.rules.iter().map(String::as_str).collect(),
        summary: StatusCounts::of(findings),
        gate: report.gate.as_ref().map(|decision| Gate {
            fail_on: decision.gate.fail_on.to_string(),
            allow_incomplete: decision.gate.allow_incomplete,
            exit_code: decision.code.code(),
            reason: decision.reason.clone(),
        }),
        findings: findings
            .iter()
            .map(|f| Finding {
                rule: &f.rule_code,
                rule_name: &f.rule_name,
                title: &f.title,
                severity: f.severity.as_str(),
                status: f.status.as_str(),
                account: &f.account,
                region: &f.region,
                resource_kind: f.resource_kind.as_str(),
                resource: &f.resource,
                message: &f.message,
                evidence: &f.evidence,
                controls: f.controls.iter().map(ToString::to_string).collect(),
                fingerprint: f.fingerprint(),
                waiver: f.waiver.as_ref(),
                baseline: f.baseline,
                location: f.location.as_ref(),
            })
            .collect(),
        framework: report.framework.as_ref(),
        accounts: account_summaries(report),
        skipped_accounts: &inventory.skipped_accounts,
        organization: inventory.organization.as_ref(),
        config: report
            .config
            .source
            .as_ref()
            .map(|path| path.display().to_string()),
        waivers: report.waivers,
        baseline: report.baseline.map(|b| Baseline {
            origin: &b.origin,
            fixed: &b.fixed,
        }),
    };
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &document)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)?;
    out.flush().map_err(serde_json::Error::io)
}

/// A JSON report read back as a baseline: only what a comparison needs.
#[derive(Deserialize)]
struct ReportShape {
    report_schema_version: u32,
    findings: Vec<BaselineFinding>,
}

/// A baseline file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("baseline {path}: {message}")]
pub struct BaselineError {
    pub path: String,
    pub message: String,
}

/// Reads a JSON report written by `--format json` (this report format version) as a baseline.
pub fn read_baseline(path: &Path) -> Result<crate::engine::Baseline, BaselineError> {
    let fail = |message: String| BaselineError {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let shape: ReportShape = serde_json::from_str(&text).map_err(|e| {
        fail(format!(
            "not a trailwarden JSON report (write one with `--format json`): {e}"
        ))
    })?;
    if shape.report_schema_version != REPORT_SCHEMA_VERSION {
        return Err(fail(format!(
            "report format version {} is not supported (this build reads version {})",
            shape.report_schema_version, REPORT_SCHEMA_VERSION
        )));
    }
    Ok(crate::engine::Baseline::new(
        path.display().to_string(),
        shape.findings,
    ))
}
