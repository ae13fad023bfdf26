//! TW202 log-bucket-access-logging — CIS "Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket".

use super::judge::{bucket_arn, bucket_location, trail_buckets};
use crate::rule::{CheckResult, Outcome, RuleContext};
use crate::inventory::path;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let inventory = ctx.inventory;
    let mut outcomes = Vec::new();
    for (name, trails) in trail_buckets(inventory) {
        let (account, region) = bucket_location(inventory, name, &trails);
        let outcome = Outcome::on(account, region, bucket_arn(inventory, name));
        let Some(bucket) = inventory.buckets.get(name) else {
            outcomes.push(outcome.error(format!("bucket {name} was not collected")));
            continue;
        };
        let outcome = outcome.evidence(format!("{}.logging", path::bucket(name)), &bucket.logging);
        outcomes.push(match bucket.logging.value() {
            Ok(Some(logging)) if logging.target_bucket == name => outcome.fail(format!(
                "{name} writes its access logs into itself: each log write is logged again, and whoever can delete the logs can delete the record of it"
            )),
            Ok(Some(logging)) => outcome.pass(format!(
                "{name} logs access to s3://{}/{}",
                logging.target_bucket, logging.target_prefix
            )),
            Ok(None) => outcome.fail(format!("server access logging is disabled on {name}")),
            Err(error) => outcome.error(format!("logging configuration of {name} unknown: {error}")),
        });
    }
    Ok(outcomes)
}
