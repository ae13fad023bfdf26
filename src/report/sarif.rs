//! SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: a small hand-written model
//! of only what trailwarden emits.
//!
//! - One `reportingDescriptor` per rule that ran, with its help (rationale, remediation, AWS
//!   CLI) and `helpUri` to its page, built from the rule code like the docs themselves.
//! - One result per FAIL or ERROR finding (passes are not alerts). FAIL is at the level of its
//!   severity; ERROR (could not evaluate) is a warning whose message says so. A finding under
//!   a waiver in force carries an accepted external suppression with the waiver's reason, so
//!   code scanning shows it dismissed rather than dropping it.
//! - `partialFingerprints` is the finding's fingerprint (rule, account, region, resource), so
//!   an alert keeps its identity across runs.
//! - Cloud resources are not files. Code scanning still needs a physical location: a relative
//!   URI `aws/<account>/<region>/<resource>` (percent-encoded), line 1. The logical locations
//!   carry the account, the region and the resource ARN as they are. A finding of a Terraform
//!   plan points at the `.tf` file and line of the resource's block when the configuration was
//!   at hand, and carries the Terraform address as a logical location.

use super::Report;
use crate::engine::Finding;
use crate::rule::{Severity, Status};
use serde::Serialize;
use std::collections::BTreeMap;

pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const FINGERPRINT_KEY: &str = "trailwarden/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult<'a>>,
    column_kind: &'static str,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    precision: &'static str,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    end_time_utc: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    kind: &'static str,
    level: &'static str,
    message: Text,
    locations: Vec<Location<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation,
    logical_locations: Vec<LogicalLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    end_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    status: &'static str,
    severity: &'static str,
    account: &'a str,
    region: &'a str,
    resource: &'a str,
    #[serde(rename = "resourceKind")]
    resource_kind: &'static str,
    controls: Vec<String>,
    evidence: &'a [crate::rule::Evidence],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    collected_at: String,
    accounts: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gate: Option<String>,
}

pub fn render(report: &Report) -> Result<String, serde_json::Error> {
    let catalog = report.catalog;
    let rules: Vec<&crate::engine::Rule> = report
        .evaluation
        .rules
        .iter()
        .filter_map(|code| catalog.rule(code))
        .collect();
    let controls = catalog.controls_by_rule();
    let descriptors = rules
        .iter()
        .map(|rule| {
            let spec = &rule.spec;
            let severity = report.severity_of(rule);
            let mut tags = vec![
                "security".to_owned(),
                "cloudtrail".to_owned(),
                spec.resource.as_str().to_owned(),
            ];
            tags.extend(
                controls
                    .get(spec.code.as_str())
                    .into_iter()
                    .flatten()
                    .map(ToString::to_string),
            );
            let url = spec.docs_url();
            ReportingDescriptor {
                id: spec.code.clone(),
                name: pascal_case(&spec.name),
                short_description: Text {
                    text: spec.title.trim().to_owned(),
                },
                full_description: Text {
                    text: spec.checks.trim().to_owned(),
                },
                help: Help {
                    text: format!(
                        "{}\n\nRemediation: {}\n\nAWS CLI:\n{}\n\nDocumentation: {url}",
                        spec.rationale.trim(),
                        spec.remediation.summary.trim(),
                        spec.remediation.cli.trim()
                    ),
                    markdown: format!(
                        "{}\n\n**Remediation.** {}\n\n```sh\n{}\n```\n\n[{} {}]({url})",
                        spec.rationale.trim(),
                        spec.remediation.summary.trim(),
                        spec.remediation.cli.trim(),
                        spec.code,
                        spec.name
                    ),
                },
                help_uri: url,
                default_configuration: Configuration {
                    level: level_of(severity),
                },
                properties: RuleProperties {
                    tags,
                    precision: "very-high",
                    security_severity: security_severity(severity),
                },
            }
        })
        .collect();
    let index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| (rule.spec.code.as_str(), i))
        .collect();
    let results = report
        .evaluation
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error))
        .filter_map(|f| index.get(f.rule_code.as_str()).map(|i| result(f, *i)))
        .collect();
    let notifications = report
        .waivers
        .iter()
        .filter(|w| w.state != crate::engine::WaiverState::Active)
        .map(|w| Notification {
            level: "warning",
            message: Text {
                text: match w.state {
                    crate::engine::WaiverState::Expired => format!(
                        "Waiver {} ({} on `{}`) expired on {}: it no longer applies to {} finding(s).",
                        w.source, w.rule, w.resource.as_str(), w.expires, w.findings
                    ),
                    _ => format!(
                        "Waiver {} ({} on `{}`) matches no FAIL or ERROR finding.",
                        w.source,
                        w.rule,
                        w.resource.as_str()
                    ),
                },
            },
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "trailwarden",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: descriptors,
                },
            },
            invocations: vec![Invocation {
                execution_successful: true,
                end_time_utc: report
                    .evaluation
                    .now
                    .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                    .to_string(),
                tool_execution_notifications: notifications,
            }],
            results,
            column_kind: "unicodeCodePoints",
            properties: RunProperties {
                collected_at: report
                    .inventory
                    .collected_at
                    .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                    .to_string(),
                accounts: report
                    .inventory
                    .accounts
                    .keys()
                    .map(String::as_str)
                    .collect(),
                gate: report
                    .gate
                    .as_ref()
                    .map(|d| format!("{} (exit {})", d.reason, d.code.code())),
            },
        }],
    };
    let mut text = serde_json::to_string_pretty(&log)?;
    text.push('\n');
    Ok(text)
}

/// The resource's `.tf` block when known, else the `aws/…` pseudo-path.
fn physical_location(finding: &Finding) -> PhysicalLocation {
    if let Some((file, line)) = finding
        .location
        .as_ref()
        .and_then(|place| Some((place.file.as_ref()?, place.line?)))
    {
        return PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: file
                    .split('/')
                    .map(encode_segment)
                    .collect::<Vec<_>>()
                    .join("/"),
            },
            region: Region {
                start_line: line,
                end_line: line,
            },
        };
    }
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: format!(
                "aws/{}/{}/{}",
                encode_segment(&finding.account),
                encode_segment(&finding.region),
                encode_segment(&finding.resource)
            ),
        },
        region: Region {
            start_line: 1,
            end_line: 1,
        },
    }
}

fn result(finding: &Finding, rule_index: usize) -> SarifResult<'_> {
    let (level, message) = match finding.status {
        Status::Error => (
            "warning",
            format!("Could not evaluate: {}", finding.message),
        ),
        _ => (level_of(finding.severity), finding.message.clone()),
    };
    SarifResult {
        rule_id: &finding.rule_code,
        rule_index,
        kind: "fail",
        level,
        message: Text {
            text: ensure_period(message),
        },
        locations: vec![Location {
            physical_location: physical_location(finding),
            logical_locations: vec![
                LogicalLocation {
                    name: &finding.account,
                    fully_qualified_name: format!("aws/{}", finding.account),
                    kind: "namespace",
                },
                LogicalLocation {
                    name: &finding.region,
                    fully_qualified_name: format!("aws/{}/{}", finding.account, finding.region),
                    kind: "namespace",
                },
                LogicalLocation {
                    name: &finding.resource,
                    fully_qualified_name: finding.resource.clone(),
                    kind: "resource",
                },
            ]
            .into_iter()
            .chain(finding.location.as_ref().map(|place| LogicalLocation {
                name: &place.address,
                fully_qualified_name: place.address.clone(),
                kind: "module",
            }))
            .collect(),
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, finding.fingerprint())]),
        baseline_state: finding.baseline.map(|state| state.as_str()),
        suppressions: finding
            .waiver
            .iter()
            .filter(|w| !w.expired)
            .map(|w| Suppression {
                kind: "external",
                status: "accepted",
                justification: format!(
                    "{} (waiver {}, expires {}{})",
                    w.reason,
                    w.source,
                    w.expires,
                    w.owner
                        .as_ref()
                        .map(|o| format!(", owner {o}"))
                        .unwrap_or_default()
                ),
            })
            .collect(),
        properties: ResultProperties {
            status: finding.status.as_str(),
            severity: finding.severity.as_str(),
            account: &finding.account,
            region: &finding.region,
            resource: &finding.resource,
            resource_kind: finding.resource_kind.as_str(),
            controls: finding.controls.iter().map(ToString::to_string).collect(),
            evidence: &finding.evidence,
        },
    }
}

fn level_of(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's scale: 9.0+ critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.5",
    }
}

/// SARIF viewers show `message.text` as a sentence.
fn ensure_period(mut text: String) -> String {
    let text_end = text.trim_end().len();
    text.truncate(text_end);
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// `multi-region-trail` → `MultiRegionTrail`, the identifier form SARIF names take.
fn pascal_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so an ARN is one segment.
fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_and_names_are_encoded() {
        assert_eq!(
            super::encode_segment("arn:aws:s3:::a b/c"),
            "arn%3Aaws%3As3%3A%3A%3Aa%20b%2Fc"
        );
        assert_eq!(super::pascal_case("multi-region-trail"), "MultiRegionTrail");
        assert_eq!(super::ensure_period("ok ".into()), "ok.");
    }
}
