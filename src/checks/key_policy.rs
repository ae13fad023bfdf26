//! TW403 key-policy-scoped: the trail's CMK lets CloudTrail encrypt only for named trails
//! and grants nothing to anyone.

use super::judge::judge_key;
use crate::analysis::policy::{confinement, parse, ServiceUse};
use crate::rule::{CheckResult, Outcome, RuleContext};
use crate::inventory::{arn_account_region, path};
use std::collections::BTreeMap;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let inventory = ctx.inventory;
    // Each key once, with the trails that use it.
    let mut keys = BTreeMap::new();
    let mut outcomes = Vec::new();
    for trail in inventory.trails.values() {
        let Some(reference) = trail.kms_key_id.as_deref() else {
            continue;
        };
        let (account, region) = arn_account_region(&trail.arn);
        match judge_key(inventory, reference, account, region).0 {
            Some(key) => keys
                .entry(key.arn.as_str())
                .or_insert_with(|| (key, Vec::new()))
                .1
                .push(trail.name.as_str()),
            None => outcomes.push(
                Outcome::on_trail(trail)
                    .error(format!("{}: key {reference} was not collected", trail.name)),
            ),
        }
    }
    for (arn, (key, trails)) in keys {
        let (account, region) = arn_account_region(arn);
        let outcome = Outcome::on(account, region, arn)
            .evidence("trails using the key", &trails)
            .evidence(format!("{}.policy", path::kms_key(arn)), &key.policy);
        let text = match key.policy.value() {
            Ok(text) => text,
            Err(error) => {
                outcomes.push(outcome.error(format!("policy of key {arn} unknown ({error})")));
                continue;
            }
        };
        let policy = match parse(text) {
            Ok(policy) => policy,
            Err(why) => {
                outcomes.push(outcome.error(format!("policy of key {arn} cannot be read: {why}")));
                continue;
            }
        };
        let usage = ServiceUse {
            service: "cloudtrail.amazonaws.com",
            who: "CloudTrail",
            action: "kms:GenerateDataKey",
            required_keys: &["aws:SourceArn", "kms:EncryptionContext:aws:cloudtrail:arn"],
            verb: "encrypt with the key",
        };
        outcomes.push(match confinement(&policy, &usage) {
            Ok(scoped) => outcome.pass(format!(
                "key {arn} lets CloudTrail encrypt only under {}, and grants nothing to anyone",
                scoped.join(", ")
            )),
            Err(problems) => outcome.fail(format!("key {arn}: {}", problems.join("; "))),
        });
    }
    Ok(outcomes)
}
