//! JUnit XML (quick-junit), the test-report format GitLab, Jenkins and GitHub test reporters
//! read: a test suite per rule that ran, a test case per resource.
//!
//! FAIL → `<failure>` with the message and the remediation; ERROR → `<error>` (the rule could
//! not decide); PASS → a passing case; a FAIL or ERROR under a waiver in force, and
//! NOT_APPLICABLE, → `<skipped>` with the reason. Test case names are stable (resource, then
//! account and region), so reporters track a case across pipelines.

use super::Report;
use crate::rule::Status;
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

pub fn render(report: &Report) -> Result<String, quick_junit::SerializeError> {
    let mut junit = quick_junit::Report::new("trailwarden");
    junit.set_timestamp(report.evaluation.now.fixed_offset());
    for code in &report.evaluation.rules {
        let Some(rule) = report.catalog.rule(code) else {
            continue;
        };
        let spec = &rule.spec;
        let mut suite = TestSuite::new(format!("{} {}", spec.code, spec.name));
        suite.add_property(Property::new("title", spec.title.trim()));
        suite.add_property(Property::new("severity", report.severity_of(rule).as_str()));
        suite.add_property(Property::new("documentation", spec.docs_url()));
        let remediation = format!(
            "Remediation: {}\n\nAWS CLI:\n{}\n\nDocumentation: {}",
            spec.remediation.summary.trim(),
            spec.remediation.cli.trim(),
            spec.docs_url()
        );
        for finding in report
            .evaluation
            .findings
            .iter()
            .filter(|f| &f.rule_code == code)
        {
            let status = match (finding.status, &finding.waiver) {
                (Status::Fail | Status::Error, Some(waiver)) if !waiver.expired => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_type("waived");
                    status.set_message(format!(
                        "waived until {}: {}",
                        waiver.expires, waiver.reason
                    ));
                    status.set_description(format!(
                        "{} {}: {}\nWaiver {}{}",
                        finding.status,
                        finding.severity,
                        finding.message,
                        waiver.source,
                        waiver
                            .owner
                            .as_ref()
                            .map(|o| format!(", owner {o}"))
                            .unwrap_or_default()
                    ));
                    status
                }
                (Status::Fail, _) => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status.set_type(finding.severity.as_str());
                    status.set_message(&finding.message);
                    status.set_description(format!(
                        "{}\n\n{remediation}{}",
                        finding.message,
                        expired_note(finding)
                    ));
                    status
                }
                (Status::Error, _) => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                    status.set_type("could not evaluate");
                    status.set_message(&finding.message);
                    status.set_description(format!(
                        "The rule could not decide: {}{}",
                        finding.message,
                        expired_note(finding)
                    ));
                    status
                }
                (Status::NotApplicable, _) => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_type("not applicable");
                    status.set_message(&finding.message);
                    status
                }
                (Status::Pass, _) => TestCaseStatus::success(),
            };
            let mut case = TestCase::new(
                format!(
                    "{} ({} {})",
                    finding.resource, finding.account, finding.region
                ),
                status,
            );
            case.set_classname(format!("trailwarden.{}", spec.code));
            if finding.status == Status::Pass {
                case.set_system_out(finding.message.as_str());
            }
            if let Some(state) = finding.baseline {
                case.add_property(Property::new("baseline", state.as_str()));
            }
            case.add_property(Property::new("fingerprint", finding.fingerprint()));
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit.to_string()
}

fn expired_note(finding: &crate::engine::Finding) -> String {
    match &finding.waiver {
        Some(waiver) if waiver.expired => format!(
            "\n\nWaiver {} expired on {}; it no longer applies.",
            waiver.source, waiver.expires
        ),
        _ => String::new(),
    }
}
