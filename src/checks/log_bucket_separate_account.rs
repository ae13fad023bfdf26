//! TW203 log-bucket-separate-account — forensic vault: logs go to a bucket of a separate
//! log-archive account, out of reach of the accounts they record.

use crate::rule::{CheckResult, Outcome, RuleContext};
use crate::inventory::path;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let log_archive = ctx.string("log_archive_account")?.trim();
    let mut outcomes = Vec::new();
    for trail in ctx.inventory.trails.values() {
        let Some(name) = trail.s3_bucket_name.as_deref() else {
            continue;
        };
        let trail_account = trail.owner_account();
        let outcome = Outcome::on_trail(trail)
            .evidence(format!("{}.s3_bucket_name", path::trail(&trail.arn)), name);
        let Some(bucket) = ctx.inventory.buckets.get(name) else {
            outcomes.push(outcome.error(format!("bucket {name} was not collected")));
            continue;
        };
        let outcome = outcome
            .evidence(
                format!("{}.owner_account", path::bucket(name)),
                &bucket.owner_account,
            )
            .evidence(
                format!("{}.not_owned_by", path::bucket(name)),
                &bucket.not_owned_by,
            );
        outcomes.push(match (bucket.owner_account.as_deref(), log_archive) {
            (Some(owner), "") if owner == trail_account => outcome.fail(format!(
                "{name} is in the trail's own account {owner}: whoever controls the account controls its logs"
            )),
            (Some(owner), "") => outcome.pass(format!(
                "{name} is kept in account {owner}, apart from the trail's account {trail_account}"
            )),
            (Some(owner), archive) if owner == archive => outcome.pass(format!(
                "{name} is kept in the log-archive account {archive}"
            )),
            (Some(owner), archive) => outcome.fail(format!(
                "{name} is in account {owner}, not in the log-archive account {archive}"
            )),
            (None, _) => match bucket.region.value() {
                Err(error) => outcome.error(format!(
                    "the owner of {name} is unknown: the bucket could not be read ({error})"
                )),
                // The collector proved the trail's account does not own it: it is kept in an
                // account the scan did not cover.
                Ok(_) if log_archive.is_empty()
                    && bucket.not_owned_by.iter().any(|a| a == trail_account) =>
                {
                    outcome.pass(format!(
                        "{name} is not owned by the trail's account {trail_account} (its owner was not scanned)"
                    ))
                }
                Ok(_) => outcome.error(format!(
                    "the owner of {name} is unknown: it belongs to no scanned account; scan the log-archive account too"
                )),
            },
        });
    }
    Ok(outcomes)
}
