//! TW404 log-group-kms: the CloudWatch Logs copy of the trail is KMS-encrypted.

use crate::rule::{CheckResult, Outcome, RuleContext};
use crate::inventory::{arn_account_region, path};
use std::collections::BTreeMap;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for trail in ctx.inventory.trails.values() {
        if let Some(group) = trail.log_group_arn() {
            groups.entry(group).or_default().push(trail.arn.as_str());
        }
    }
    Ok(groups
        .into_iter()
        .map(|(arn, trails)| {
            let (account, region) = arn_account_region(arn);
            let outcome = Outcome::on(account, region, arn).evidence(
                "trails[*].cloud_watch_logs_log_group_arn (trails delivering here)",
                &trails,
            );
            let Some(group) = ctx.inventory.log_groups.get(arn) else {
                return outcome.error(format!("log group {arn} was not collected"));
            };
            let outcome =
                outcome.evidence(format!("{}.details", path::log_group(arn)), &group.details);
            match group.details.value() {
                Err(error) => outcome.error(format!("log group {arn} unknown ({error})")),
                Ok(None) => outcome.fail(format!("log group {arn} does not exist")),
                Ok(Some(details)) => match &details.kms_key_id {
                    Some(key) => outcome.pass(format!("the log group is encrypted with {key}")),
                    None => outcome.fail(
                        "the log group is encrypted only with CloudWatch Logs' own keys, not a KMS key",
                    ),
                },
            }
        })
        .collect())
}
