//! TW402 cmk-rotation — CIS "Ensure rotation for customer-created symmetric CMKs is enabled", for trail keys.

use crate::rule::{CheckResult, Outcome, RuleContext};
use crate::inventory::{arn_account_region, path};
use std::collections::BTreeMap;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let inventory = ctx.inventory;
    // Keys by the reference trails use, each once.
    let mut references: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for trail in inventory.trails.values() {
        if let Some(reference) = trail.kms_key_id.as_deref() {
            let key = inventory
                .kms_key(reference)
                .map_or(reference, |key| key.arn.as_str());
            references.entry(key).or_default().push(trail.arn.as_str());
        }
    }
    let mut outcomes = Vec::new();
    for (reference, trails) in references {
        let (account, region) = arn_account_region(reference);
        let outcome = Outcome::on(account, region, reference)
            .evidence("trails[*].kms_key_id (trails using the key)", &trails);
        let Some(key) = inventory.kms_key(reference) else {
            outcomes.push(outcome.error(format!("key {reference} was not collected")));
            continue;
        };
        let outcome = outcome.evidence(
            format!("{}.metadata", path::kms_key(&key.arn)),
            &key.metadata,
        );
        let meta = match key.metadata.value() {
            Err(error) => {
                outcomes.push(outcome.error(format!("key {} unknown ({error})", key.arn)));
                continue;
            }
            Ok(None) => {
                outcomes.push(outcome.not_applicable("the key does not exist (TW401 reports it)"));
                continue;
            }
            Ok(Some(meta)) => meta,
        };
        let not_rotatable = if meta.key_manager != "CUSTOMER" {
            Some("AWS rotates AWS managed keys itself")
        } else if meta.key_spec != "SYMMETRIC_DEFAULT" {
            Some("automatic rotation exists only for symmetric encryption keys")
        } else if meta
            .origin
            .as_deref()
            .is_some_and(|origin| origin != "AWS_KMS")
        {
            Some("keys with imported or external key material cannot rotate automatically")
        } else {
            None
        };
        if let Some(reason) = not_rotatable {
            outcomes.push(outcome.not_applicable(reason));
            continue;
        }
        let outcome = outcome.evidence(
            format!("{}.rotation_enabled", path::kms_key(&key.arn)),
            &key.rotation_enabled,
        );
        outcomes.push(match key.rotation_enabled.value() {
            Ok(true) => outcome.pass(format!("automatic rotation is enabled for {}", key.arn)),
            Ok(false) => outcome.fail(format!("automatic rotation is disabled for {}", key.arn)),
            Err(error) => {
                outcome.error(format!("rotation status of {} unknown ({error})", key.arn))
            }
        });
    }
    Ok(outcomes)
}
