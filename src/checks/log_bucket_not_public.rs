//! TW201 log-bucket-not-public — CIS "Ensure the S3 bucket used to store CloudTrail logs is not publicly accessible".

use super::judge::{bucket_arn, bucket_location, trail_buckets};
use crate::analysis::bucket_exposure::{exposure, BucketExposure};
use crate::rule::{CheckResult, Outcome, RuleContext};
use crate::inventory::path;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let inventory = ctx.inventory;
    let mut outcomes = Vec::new();
    for (name, trails) in trail_buckets(inventory) {
        let (account, region) = bucket_location(inventory, name, &trails);
        let outcome = Outcome::on(account, region, bucket_arn(inventory, name)).evidence(
            "trails[*].s3_bucket_name (trails writing here)",
            trails.iter().map(|t| t.arn.as_str()).collect::<Vec<_>>(),
        );
        let Some(bucket) = inventory.buckets.get(name) else {
            outcomes.push(outcome.error(format!("bucket {name} was not collected")));
            continue;
        };
        let account_block = inventory
            .bucket_owner(bucket)
            .map(|account| (path::account(&account.id), &account.s3_public_access_block));
        let mut outcome = outcome
            .evidence(format!("{}.acl", path::bucket(name)), &bucket.acl)
            .evidence(
                format!("{}.policy_status", path::bucket(name)),
                &bucket.policy_status,
            )
            .evidence(
                format!("{}.public_access_block", path::bucket(name)),
                &bucket.public_access_block,
            );
        if let Some((account_path, block)) = account_block {
            outcome = outcome.evidence(format!("{account_path}.s3_public_access_block"), block);
        }
        outcomes.push(match exposure(inventory, bucket) {
            BucketExposure::Exposed(how) => outcome.fail(format!(
                "log bucket {name} is publicly accessible or can be made so: {}",
                how.join("; ")
            )),
            BucketExposure::Unknown(what) => outcome.error(format!(
                "could not decide whether {name} is public: {}",
                what.join("; ")
            )),
            BucketExposure::Private => outcome.pass(format!(
                "{name}: no public ACL grant or policy, and Block Public Access is fully on"
            )),
        });
    }
    Ok(outcomes)
}
