//! TW502 log-group-retention — baseline R9: the CloudWatch Logs copy keeps events long enough.

use crate::rule::{CheckResult, Outcome, RuleContext};
use crate::inventory::{arn_account_region, path};
use std::collections::BTreeMap;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let min_days = ctx.integer("min_log_group_retention_days")?;
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for trail in ctx.inventory.trails.values() {
        if let Some(group) = trail.log_group_arn() {
            groups.entry(group).or_default().push(trail.arn.as_str());
        }
    }
    let mut outcomes = Vec::new();
    for (arn, trails) in groups {
        let (account, region) = arn_account_region(arn);
        let outcome = Outcome::on(account, region, arn).evidence(
            "trails[*].cloud_watch_logs_log_group_arn (trails delivering here)",
            &trails,
        );
        let Some(group) = ctx.inventory.log_groups.get(arn) else {
            outcomes.push(outcome.error(format!("log group {arn} was not collected")));
            continue;
        };
        let outcome = outcome.evidence(format!("{}.details", path::log_group(arn)), &group.details);
        outcomes.push(match group.details.value() {
            Err(error) => outcome.error(format!("log group {arn} unknown ({error})")),
            Ok(None) => outcome.fail(format!("log group {arn} does not exist")),
            Ok(Some(details)) => match details.retention_in_days {
                None => outcome.pass("the log group never expires events"),
                Some(days) if days < min_days => outcome.fail(format!(
                    "the log group keeps events {days} days, less than {min_days}"
                )),
                Some(days) => outcome.pass(format!(
                    "the log group keeps events {days} days (minimum {min_days})"
                )),
            },
        });
    }
    Ok(outcomes)
}
