//! Markdown: a summary and the failures table, sized for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY` (GitHub caps a comment at 65,536 characters: the table lists the
//! most severe findings first, at most 100 rows and about 50,000 characters, and says how
//! many more there are).
//!
//! Every value from AWS is escaped, so a resource name cannot inject markup or HTML.

use super::{Report, StatusCounts};
use crate::engine::WaiverState;
use crate::rule::Status;
use std::fmt::Write as _;

const MAX_ROWS: usize = 100;
const MAX_CHARS: usize = 50_000;

pub fn render(report: &Report) -> String {
    let inventory = report.inventory;
    let findings = &report.evaluation.findings;
    let totals = StatusCounts::of(findings);
    let mut out = String::new();
    let _ = writeln!(out, "## trailwarden · CloudTrail compliance\n");
    if let Some(decision) = &report.gate {
        let verdict = if decision.code == crate::engine::ExitCode::Success {
            "✅ **Gate passed**"
        } else {
            "❌ **Gate failed**"
        };
        let _ = writeln!(
            out,
            "{verdict}: {} (exit {})\n",
            escape(&decision.reason),
            decision.code.code()
        );
    }
    let regions = inventory
        .accounts
        .values()
        .flat_map(|a| a.regions.values().filter(|r| r.skipped.is_none()))
        .map(|r| r.name.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let _ = writeln!(
        out,
        "{} account(s){} · {regions} region(s) · collected {} · evaluated {} · {} rule(s)\n",
        inventory.accounts.len(),
        inventory
            .organization()
            .map(|org| format!(" of organization {}", escape(&org.id)))
            .unwrap_or_default(),
        inventory.collected_at.format("%Y-%m-%d %H:%M UTC"),
        report.evaluation.now.format("%Y-%m-%d %H:%M UTC"),
        report.evaluation.rules.len()
    );
    let _ = writeln!(
        out,
        "| Findings | PASS | FAIL | ERROR | NOT_APPLICABLE | waived |\n|---:|---:|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} | {} |\n",
        totals.total, totals.pass, totals.fail, totals.error, totals.not_applicable, totals.waived
    );
    if let Some(baseline) = report.baseline {
        let new = super::BaselineComparison::new_failures(findings);
        let _ = writeln!(
            out,
            "Against the baseline ({}): **{new} new** FAIL/ERROR finding(s), **{} fixed**.\n",
            escape(&baseline.origin),
            baseline.fixed.len()
        );
    }

    let mut attention: Vec<_> = findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error) && !f.is_waived())
        .collect();
    attention.sort_by(|a, b| {
        (b.status == Status::Fail, b.severity)
            .cmp(&(a.status == Status::Fail, a.severity))
            .then_with(|| a.rule_code.cmp(&b.rule_code))
    });
    if attention.is_empty() {
        let _ = writeln!(out, "No failing or unevaluated findings outside waivers.");
    } else {
        let _ = writeln!(out, "### Failures and errors ({})\n", attention.len());
        let new_column = report.baseline.is_some();
        let _ = writeln!(
            out,
            "| Severity | Status | Rule | Account | Region | Resource | Finding |{}\n|---|---|---|---|---|---|---|{}",
            if new_column { " Baseline |" } else { "" },
            if new_column { "---|" } else { "" }
        );
        let mut listed = 0;
        for finding in attention.iter().take(MAX_ROWS) {
            if out.len() > MAX_CHARS {
                break;
            }
            listed += 1;
            let rule = report
                .catalog
                .rule(&finding.rule_code)
                .map(|rule| {
                    format!(
                        "[{} {}]({})",
                        finding.rule_code,
                        escape(&finding.rule_name),
                        rule.spec.docs_url()
                    )
                })
                .unwrap_or_else(|| escape(&finding.rule_code));
            let _ = writeln!(
                out,
                "| {} | {} | {rule} | {} | {} | {} | {} |{}",
                finding.severity,
                finding.status,
                escape(&finding.account),
                escape(&finding.region),
                // A plan's finding names the code that makes the resource.
                match &finding.location {
                    Some(place) => format!("`{}`", place.address.replace('`', "'")),
                    None => escape(&finding.resource),
                },
                escape(&finding.message),
                if new_column {
                    format!(
                        " {} |",
                        finding.baseline.map(|b| b.as_str()).unwrap_or_default()
                    )
                } else {
                    String::new()
                }
            );
        }
        if attention.len() > listed {
            let _ = writeln!(
                out,
                "\n… and {} more: see the full report (JSON, CSV or HTML).",
                attention.len() - listed
            );
        }
    }

    let notable: Vec<_> = report
        .waivers
        .iter()
        .filter(|w| w.state != WaiverState::Active)
        .collect();
    if totals.waived > 0 || !notable.is_empty() {
        let _ = writeln!(
            out,
            "\n### Waivers\n\n{} finding(s) under a waiver in force.",
            totals.waived
        );
        for waiver in notable {
            let state = match waiver.state {
                WaiverState::Expired => format!(
                    "**expired** on {}: no longer applies ({} finding(s))",
                    waiver.expires, waiver.findings
                ),
                _ => "matches no FAIL or ERROR finding".to_owned(),
            };
            let _ = writeln!(
                out,
                "- {} {} on `{}`: {state}",
                escape(&waiver.source),
                waiver.rule,
                waiver.resource.as_str().replace('`', "'")
            );
        }
    }
    out
}

/// Escapes a value for a Markdown table cell: markup characters, HTML, pipes, line breaks.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_cannot_inject_markup() {
        assert_eq!(
            super::escape("a|b <script> *x* [l](u)\nnext"),
            "a\\|b &lt;script&gt; \\*x\\* \\[l\\](u) next"
        );
    }
}
