//! TW401 trail-kms-cmk — CIS "Ensure CloudTrail logs are encrypted at rest using KMS CMKs".

use crate::engine::{CheckResult, Outcome, RuleContext};
use crate::inventory::path;

pub fn check(ctx: &RuleContext) -> CheckResult {
    Ok(ctx
        .inventory
        .trails
        .values()
        .map(|trail| {
            let outcome = Outcome::on_trail(trail).evidence(
                format!("{}.kms_key_id", path::trail(&trail.arn)),
                &trail.kms_key_id,
            );
            let Some(reference) = trail.kms_key_id.as_deref() else {
                return outcome.fail(format!(
                    "{} logs are encrypted with S3-managed keys only, not a KMS key",
                    trail.name
                ));
            };
            let Some(key) = ctx.inventory.kms_key(reference) else {
                return outcome.error(format!("{}: key {reference} was not collected", trail.name));
            };
            let outcome = outcome.evidence(
                format!("{}.metadata", path::kms_key(&key.arn)),
                &key.metadata,
            );
            match key.metadata.value() {
                Err(error) => {
                    outcome.error(format!("{}: key {} unknown ({error})", trail.name, key.arn))
                }
                Ok(None) => outcome.fail(format!(
                    "{}: key {} does not exist; CloudTrail cannot deliver logs",
                    trail.name, key.arn
                )),
                Ok(Some(meta)) if meta.key_state != "Enabled" => outcome.fail(format!(
                    "{}: key {} is {}; CloudTrail cannot encrypt new logs",
                    trail.name, key.arn, meta.key_state
                )),
                Ok(Some(meta)) if meta.key_manager != "CUSTOMER" => outcome.fail(format!(
                    "{}: key {} is managed by {}, not a customer managed key",
                    trail.name, key.arn, meta.key_manager
                )),
                Ok(Some(_)) => outcome.pass(format!(
                    "{} is encrypted with customer managed key {}",
                    trail.name, key.arn
                )),
            }
        })
        .collect())
}
