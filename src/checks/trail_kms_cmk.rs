//! TW401 trail-kms-cmk — CIS "Ensure CloudTrail logs are encrypted at rest using KMS CMKs".

use super::judge::{judge_key, with_key, KeyVerdict};
use crate::rule::{CheckResult, Outcome, RuleContext};
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
            let (account, region) = (trail.owner_account(), trail.home_region.as_str());
            let (key, verdict) = judge_key(ctx.inventory, reference, account, region);
            let outcome = with_key(outcome, key);
            match verdict {
                KeyVerdict::Customer(key) => outcome.pass(format!(
                    "{} is encrypted with customer managed key {}",
                    trail.name, key.arn
                )),
                KeyVerdict::Fails(why) => outcome.fail(format!(
                    "{}: {why}; CloudTrail cannot encrypt with it as a customer managed key",
                    trail.name
                )),
                KeyVerdict::Unknown(why) => outcome.error(format!("{}: {why}", trail.name)),
            }
        })
        .collect())
}
