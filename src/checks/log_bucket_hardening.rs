//! Hardening of the bucket trails write to: TW204 log-bucket-versioning, TW205
//! log-bucket-mfa-delete, TW206 log-bucket-object-lock, TW209 log-bucket-sse-kms.

use super::judge::{judge_key, judge_observed, judge_trail_buckets, with_key, KeyVerdict};
use crate::analysis::retention::lock_days;
use crate::rule::{CheckResult, RuleContext};
use crate::inventory::path;

pub fn versioning(ctx: &RuleContext) -> CheckResult {
    Ok(judge_trail_buckets(ctx, |outcome, bucket, _| {
        let name = &bucket.name;
        judge_observed(
            outcome,
            format!("{}.versioning", path::bucket(name)),
            &format!("versioning of {name}"),
            &bucket.versioning,
            |outcome, v| match v.status.as_deref() {
                Some("Enabled") => {
                    outcome.pass(format!("{name} keeps every version of every log object"))
                }
                Some("Suspended") => outcome.fail(format!(
                    "versioning of {name} is suspended: an overwritten or deleted log is gone"
                )),
                _ => outcome.fail(format!(
                    "versioning was never enabled on {name}: an overwritten or deleted log is gone"
                )),
            },
        )
    }))
}

pub fn mfa_delete(ctx: &RuleContext) -> CheckResult {
    Ok(judge_trail_buckets(ctx, |outcome, bucket, _| {
        let name = &bucket.name;
        judge_observed(
            outcome,
            format!("{}.versioning", path::bucket(name)),
            &format!("versioning of {name}"),
            &bucket.versioning,
            |outcome, v| {
                match (v.status.as_deref(), v.mfa_delete) {
                (Some("Enabled"), Some(true)) => outcome.pass(format!(
                    "deleting a log version of {name} or suspending versioning needs the root user's MFA"
                )),
                (Some("Enabled"), _) => outcome.fail(format!(
                    "MFA delete is off on {name}: anyone allowed s3:DeleteObjectVersion can destroy logs"
                )),
                _ => outcome.fail(format!(
                    "{name} is not versioned, so MFA delete cannot protect it"
                )),
            }
            },
        )
    }))
}

pub fn object_lock(ctx: &RuleContext) -> CheckResult {
    let min_days = ctx.integer("min_retention_days")?;
    Ok(judge_trail_buckets(ctx, |outcome, bucket, _| {
        let name = &bucket.name;
        let outcome = outcome.evidence(
            format!("{}.object_lock", path::bucket(name)),
            &bucket.object_lock,
        );
        let lock = match bucket.object_lock.value() {
            Err(error) => return outcome.error(format!("Object Lock of {name} unknown ({error})")),
            Ok(None) => return outcome.fail(format!("Object Lock is not enabled on {name}")),
            Ok(Some(lock)) if !lock.enabled => {
                return outcome.fail(format!("Object Lock is not enabled on {name}"))
            }
            Ok(Some(lock)) => lock,
        };
        let Some(retention) = &lock.default_retention else {
            return outcome.fail(format!(
                "Object Lock is enabled on {name} but sets no default retention: new logs are not locked"
            ));
        };
        let days = lock_days(lock).unwrap_or(0);
        if retention.mode != "COMPLIANCE" {
            return outcome.fail(format!(
                "{name} locks logs in {} mode, which a user with s3:BypassGovernanceRetention can override; COMPLIANCE mode cannot be",
                retention.mode
            ));
        }
        if days < min_days {
            return outcome.fail(format!(
                "{name} locks logs in COMPLIANCE mode for {days} days, less than {min_days}"
            ));
        }
        outcome.pass(format!(
            "{name} locks every log in COMPLIANCE mode for {days} days (minimum {min_days})"
        ))
    }))
}

pub fn sse_kms(ctx: &RuleContext) -> CheckResult {
    Ok(judge_trail_buckets(ctx, |outcome, bucket, trails| {
        let name = &bucket.name;
        let outcome = outcome.evidence(
            format!("{}.encryption", path::bucket(name)),
            &bucket.encryption,
        );
        let encryption = match bucket.encryption.value() {
            Err(error) => {
                return outcome.error(format!("default encryption of {name} unknown ({error})"))
            }
            Ok(None) => {
                return outcome.fail(format!("{name} has no default encryption configured"))
            }
            Ok(Some(encryption)) => encryption,
        };
        if !encryption.sse_algorithm.starts_with("aws:kms") {
            return outcome.fail(format!(
                "{name} encrypts by default with {}, not SSE-KMS",
                encryption.sse_algorithm
            ));
        }
        let Some(reference) = encryption.kms_master_key_id.as_deref() else {
            return outcome.fail(format!(
                "{name} encrypts by default with the AWS managed key aws/s3, not a customer managed key"
            ));
        };
        let account = bucket
            .owner_account
            .clone()
            .or_else(|| trails.first().map(|t| t.owner_account().to_owned()))
            .unwrap_or_default();
        let region = bucket.region.value().cloned().unwrap_or_default();
        let (key, verdict) = judge_key(ctx.inventory, reference, &account, &region);
        let outcome = with_key(outcome, key);
        match verdict {
            KeyVerdict::Customer(key) => outcome.pass(format!(
                "{name} encrypts by default with customer managed key {}",
                key.arn
            )),
            KeyVerdict::Fails(why) => outcome.fail(format!("{name}: {why}")),
            KeyVerdict::Unknown(why) => outcome.error(format!("{name}: {why}")),
        }
    }))
}
