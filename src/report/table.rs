//! The terminal report: a header, the findings that need attention, and a summary per rule.
//! Sized for 100 columns; colour only when asked for or on a terminal.

use super::{Report, StatusCounts};
use crate::engine::{ControlStatus, FrameworkView};
use crate::inventory::{Arn, Inventory, Observed};
use crate::rule::Status;
use comfy_table::{
    presets, Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Table, Width,
};
use std::fmt::Write as _;

const WIDTH: u16 = 100;

pub fn render(report: &Report, show_all: bool, color: bool) -> String {
    let inventory = report.inventory;
    let findings = &report.evaluation.findings;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "trailwarden {} · CloudTrail compliance report",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        "Snapshot   collected {} by {}",
        inventory.collected_at.format("%Y-%m-%d %H:%M UTC"),
        inventory.generator
    );
    if let Some(identity) = &inventory.identity {
        let _ = writeln!(out, "Identity   {}", identity.arn);
    }
    let regions = inventory
        .accounts
        .values()
        .flat_map(|a| {
            a.regions
                .values()
                .filter(|r| r.skipped.is_none())
                .map(|r| r.name.as_str())
        })
        .collect::<std::collections::BTreeSet<_>>();
    let organization = inventory
        .organization()
        .map(|org| format!(" · organization {}", org.id))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "Scope      {} account(s){organization} · {} region(s)",
        inventory.accounts.len(),
        regions.len()
    );
    organization_view(&mut out, inventory);
    let _ = writeln!(
        out,
        "Evaluated  {} rule(s) at {}",
        report.evaluation.rules.len(),
        report.evaluation.now.format("%Y-%m-%d %H:%M UTC")
    );
    out.push('\n');
    if inventory.accounts.len() > 1 {
        account_matrix(&mut out, report, color);
        out.push('\n');
    }

    let shown = findings
        .iter()
        .filter(|f| show_all || matches!(f.status, Status::Fail | Status::Error))
        .collect::<Vec<_>>();
    if shown.is_empty() {
        let _ = writeln!(out, "No failing or unevaluated findings.");
    } else {
        let mut table = new_table(color);
        table.set_header(["Status", "Rule", "Account · Region", "Resource", "Finding"]);
        for finding in &shown {
            let mut status = status_cell(finding.status, color);
            let marks: Vec<&str> = [
                finding.is_waived().then_some("waived"),
                (finding.baseline == Some(crate::engine::BaselineState::New)).then_some("new"),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !marks.is_empty() {
                status = Cell::new(format!("{}\n{}", finding.status, marks.join(" ")));
            }
            table.add_row(vec![
                status,
                Cell::new(format!("{}\n{}", finding.rule_code, finding.severity)),
                Cell::new(format!("{}\n{}", finding.account, finding.region)),
                Cell::new(match &finding.location {
                    Some(place) => place.address.clone(),
                    None => short_resource(&finding.resource),
                }),
                Cell::new(&finding.message),
            ]);
        }
        limit_columns(&mut table, &[8, 10, 16, 28]);
        let _ = writeln!(out, "{table}");
    }

    if let Some(view) = &report.framework {
        out.push('\n');
        let _ = writeln!(out, "{} {} ({})", view.name, view.version, view.id);
        let _ = writeln!(out, "{}", control_table(view, color));
    }

    out.push('\n');
    let mut summary = new_table(color);
    summary.set_header(["Rule", "Severity", "Pass", "Fail", "Error", "N/A"]);
    for code in &report.evaluation.rules {
        let Some(rule) = report.catalog.rule(code) else {
            continue;
        };
        let counts = StatusCounts::of(findings.iter().filter(|f| &f.rule_code == code));
        summary.add_row(vec![
            Cell::new(format!("{code} {}", rule.spec.name)),
            Cell::new(report.severity_of(rule).as_str()),
            count_cell(counts.pass, Status::Pass, color),
            count_cell(counts.fail, Status::Fail, color),
            count_cell(counts.error, Status::Error, color),
            Cell::new(counts.not_applicable),
        ]);
    }
    limit_columns(&mut summary, &[44, 10, 6, 6, 7, 5]);
    let _ = writeln!(out, "{summary}");
    let totals = StatusCounts::of(findings);
    let _ = writeln!(
        out,
        "{} finding(s): {} PASS, {} FAIL, {} ERROR, {} NOT_APPLICABLE{}",
        totals.total,
        totals.pass,
        totals.fail,
        totals.error,
        totals.not_applicable,
        if show_all || totals.pass + totals.not_applicable == 0 {
            ""
        } else {
            " (--all lists every finding)"
        }
    );
    if totals.waived > 0 {
        let _ = writeln!(
            out,
            "{} of them under a waiver in force (they do not break the gate)",
            totals.waived
        );
    }
    for waiver in report.waivers {
        let state = match waiver.state {
            crate::engine::WaiverState::Active => continue,
            crate::engine::WaiverState::Expired => format!(
                "EXPIRED on {}: no longer applies to {} finding(s)",
                waiver.expires, waiver.findings
            ),
            crate::engine::WaiverState::Unused => "matches no FAIL or ERROR finding".to_owned(),
        };
        let _ = writeln!(
            out,
            "Waiver {} ({} on `{}`): {state}",
            waiver.source,
            waiver.rule,
            waiver.resource.as_str()
        );
    }
    if let Some(baseline) = report.baseline {
        let new = super::BaselineComparison::new_failures(findings);
        let _ = writeln!(
            out,
            "Baseline {}: {new} new FAIL/ERROR finding(s), {} fixed",
            baseline.origin,
            baseline.fixed.len()
        );
    }
    if let Some(decision) = &report.gate {
        let _ = writeln!(
            out,
            "Gate: {} (exit {})",
            decision.reason,
            decision.code.code()
        );
    }
    out
}

/// The organization (when scanned) and the accounts the scope left out, under the header.
fn organization_view(out: &mut String, inventory: &crate::inventory::Inventory) {
    match &inventory.organization {
        Some(Observed::Ok(org)) => {
            let _ = writeln!(
                out,
                "Org        {} · management account {} · {} account(s), {} scanned, {} skipped",
                org.id,
                org.management_account_id,
                org.accounts.len(),
                inventory.accounts.len(),
                inventory.skipped_accounts.len()
            );
            let admins = match org.cloudtrail_delegated_administrators.value() {
                Ok(ids) if ids.is_empty() => "none".to_owned(),
                Ok(ids) => ids.join(", "),
                Err(error) => unknown(error),
            };
            let trusted = match org.trusted_services.value() {
                Ok(services) => services
                    .iter()
                    .any(|s| s == "cloudtrail.amazonaws.com")
                    .to_string(),
                Err(error) => unknown(error),
            };
            let _ = writeln!(
                out,
                "           CloudTrail delegated administrator: {admins} · CloudTrail trusted access: {trusted}"
            );
        }
        Some(Observed::Error(error)) => {
            let _ = writeln!(out, "Org        could not be read: {error}");
        }
        None => {}
    }
    for skipped in &inventory.skipped_accounts {
        let name = skipped
            .name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        header_line(
            out,
            "Skipped",
            &format!("{}{name}: {}", skipped.id, skipped.reason),
        );
    }
    for account in inventory.accounts.values() {
        if let Some(error) = &account.session_error {
            header_line(
                out,
                "No access",
                &format!("{}: {}", account.id, error.message),
            );
        }
    }
}

/// A labelled header line, wrapped at word boundaries to the report's width.
fn header_line(out: &mut String, label: &str, text: &str) {
    const INDENT: usize = 11;
    let mut line = format!("{label:<INDENT$}");
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > usize::from(WIDTH) {
            let _ = writeln!(out, "{line}");
            line = " ".repeat(INDENT);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    let _ = writeln!(out, "{line}");
}

fn unknown(error: &crate::inventory::ObservationError) -> String {
    if error.operation.is_empty() {
        "not collected".to_owned()
    } else {
        format!("unknown ({error})")
    }
}

/// Rules shown as columns of the per-account matrix: the baseline's key controls.
const KEY_CONTROLS: &[&str] = &[
    "TW101", "TW102", "TW103", "TW201", "TW202", "TW301", "TW401", "TW402", "TW501",
];

/// Accounts × key controls: the worst status of each rule over what each account owns.
fn account_matrix(out: &mut String, report: &Report, color: bool) {
    let columns = KEY_CONTROLS
        .iter()
        .filter(|code| report.evaluation.rules.iter().any(|r| r == *code))
        .collect::<Vec<_>>();
    let mut table = new_table(color);
    let mut header = vec!["Account".to_owned()];
    header.extend(columns.iter().map(|c| (**c).to_owned()));
    header.push("F/E".to_owned());
    table.set_header(header);
    for account in super::account_summaries(report) {
        let mut row = vec![Cell::new(match account.name {
            Some(name) => format!("{}\n{name}", account.id),
            None => account.id.to_owned(),
        })];
        for code in &columns {
            row.push(match account.rules.get(**code) {
                Some(status) => {
                    let text = match status {
                        Status::NotApplicable => "n/a",
                        other => other.as_str(),
                    };
                    let cell = Cell::new(text);
                    if color {
                        cell.fg(status_color(*status))
                    } else {
                        cell
                    }
                }
                None => Cell::new("·"),
            });
        }
        row.push(Cell::new(format!(
            "{}/{}",
            account.summary.fail, account.summary.error
        )));
        table.add_row(row);
    }
    if let Some(column) = table.column_mut(0) {
        column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(18)));
    }
    let _ = writeln!(
        out,
        "Accounts × key controls (worst status per account; · no finding; F/E: FAIL/ERROR count)"
    );
    let _ = writeln!(out, "{table}");
}

/// A table sized for 100 columns; styled only when `color` is set.
pub(super) fn new_table(color: bool) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(WIDTH);
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table
}

/// Caps the width of the leading columns so the last, descriptive column gets the room.
fn limit_columns(table: &mut Table, widths: &[u16]) {
    for (column, width) in table.column_iter_mut().zip(widths) {
        column.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(*width)));
    }
}

fn status_color(status: Status) -> Color {
    match status {
        Status::Pass => Color::Green,
        Status::Fail => Color::Red,
        Status::Error => Color::Yellow,
        Status::NotApplicable => Color::Grey,
    }
}

fn control_color(status: ControlStatus) -> Color {
    match status {
        ControlStatus::Pass => Color::Green,
        ControlStatus::Fail => Color::Red,
        ControlStatus::Error => Color::Yellow,
        ControlStatus::Waived => Color::Cyan,
        ControlStatus::NotApplicable | ControlStatus::NotAssessed => Color::Grey,
    }
}

fn status_cell(status: Status, color: bool) -> Cell {
    let cell = Cell::new(status.as_str());
    if color {
        cell.fg(status_color(status)).add_attribute(Attribute::Bold)
    } else {
        cell
    }
}

fn count_cell(count: usize, status: Status, color: bool) -> Cell {
    let cell = Cell::new(count);
    if color && count > 0 {
        cell.fg(status_color(status))
    } else {
        cell
    }
}

/// The readable part of a resource id: a trail's or bucket's name, a log group's name.
fn short_resource(resource: &str) -> String {
    match Arn::parse(resource) {
        Ok(arn) => match arn.service {
            "cloudtrail" => arn.resource.trim_start_matches("trail/").to_owned(),
            "logs" => arn.resource.trim_start_matches("log-group:").to_owned(),
            _ => arn.resource.to_owned(),
        },
        Err(_) => resource.to_owned(),
    }
}

/// One row per control: its status over a run's findings, the rules, and their counts.
fn control_table(view: &FrameworkView, color: bool) -> Table {
    let mut table = new_table(color);
    table.set_header(["Control", "Title", "Status", "Rules", "Pass/Fail/Err"]);
    for control in &view.controls {
        let status = Cell::new(control.status.as_str());
        let status = if color {
            status.fg(control_color(control.status))
        } else {
            status
        };
        let counts = if control.status == ControlStatus::NotAssessed {
            String::new()
        } else {
            format!("{}/{}/{}", control.pass, control.fail, control.error)
        };
        table.add_row(vec![
            Cell::new(&control.id),
            Cell::new(&control.title),
            status,
            Cell::new(control.rules.join(" ")),
            Cell::new(counts),
        ]);
    }
    limit_columns(&mut table, &[9, 42, 16, 14, 15]);
    table
}

/// `frameworks show ID --snapshot FILE`: each control's status over an inventory, and a tally.
pub fn framework_status(view: &FrameworkView, origin: &str, inventory: &Inventory) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {} ({})", view.name, view.version, view.id);
    let _ = writeln!(
        out,
        "Judged over {origin}, collected {}",
        inventory.collected_at.to_rfc3339()
    );
    let _ = writeln!(out, "{}", control_table(view, false));
    let mut tally = std::collections::BTreeMap::new();
    for control in &view.controls {
        *tally.entry(control.status.as_str()).or_insert(0) += 1;
    }
    let tally = tally
        .iter()
        .map(|(status, count)| format!("{count} {status}"))
        .collect::<Vec<_>>();
    let _ = writeln!(
        out,
        "{} controls: {}",
        view.controls.len(),
        tally.join(", ")
    );
    out
}
