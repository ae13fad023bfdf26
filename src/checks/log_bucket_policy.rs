//! The trail bucket's policy: TW207 log-bucket-policy-scoped (CloudTrail writes only for
//! named trails or accounts; no grant to anyone) and TW208 log-bucket-tls-only.

use super::judge::judge_trail_buckets;
use crate::analysis::policy::{confinement, parse, Policy, ServiceUse};
use crate::rule::{CheckResult, Outcome, OutcomeBuilder, RuleContext};
use crate::inventory::{path, Bucket};

pub const CLOUDTRAIL: &str = "cloudtrail.amazonaws.com";

/// The bucket's parsed policy, or the finding when there is none to judge.
fn bucket_policy(
    outcome: OutcomeBuilder,
    bucket: &Bucket,
) -> Result<(OutcomeBuilder, Policy), Box<Outcome>> {
    let name = &bucket.name;
    let outcome = outcome.evidence(format!("{}.policy", path::bucket(name)), &bucket.policy);
    match bucket.policy.value() {
        Err(error) => Err(Box::new(
            outcome.error(format!("policy of {name} unknown ({error})")),
        )),
        Ok(None) => Err(Box::new(
            outcome.fail(format!("{name} has no bucket policy")),
        )),
        Ok(Some(text)) => match parse(text) {
            Ok(policy) => Ok((outcome, policy)),
            Err(why) => Err(Box::new(
                outcome.error(format!("policy of {name} cannot be read: {why}")),
            )),
        },
    }
}

pub fn scoped(ctx: &RuleContext) -> CheckResult {
    Ok(judge_trail_buckets(ctx, |outcome, bucket, _| {
        let name = &bucket.name;
        let (outcome, policy) = match bucket_policy(outcome, bucket) {
            Ok(parsed) => parsed,
            Err(finding) => return *finding,
        };
        let usage = ServiceUse {
            service: CLOUDTRAIL,
            who: "CloudTrail",
            action: "s3:PutObject",
            required_keys: &["aws:SourceArn", "aws:SourceAccount"],
            verb: "write",
        };
        match confinement(&policy, &usage) {
            Ok(scoped) => outcome.pass(format!(
                "{name} lets CloudTrail write only under {}, and grants nothing to anyone",
                scoped.join(", ")
            )),
            Err(problems) => outcome.fail(format!("{name}: {}", problems.join("; "))),
        }
    }))
}

pub fn tls_only(ctx: &RuleContext) -> CheckResult {
    let partition = ctx.inventory.partition.clone();
    Ok(judge_trail_buckets(ctx, |outcome, bucket, _| {
        let name = &bucket.name;
        let (outcome, policy) = match bucket_policy(outcome, bucket) {
            Ok(parsed) => parsed,
            Err(finding) => return *finding,
        };
        let bucket_arn = format!("arn:{partition}:s3:::{name}");
        let objects = format!("{bucket_arn}/*");
        let denies = policy.statements.iter().enumerate().find(|(_, s)| {
            !s.allow
                && s.anyone()
                && s.covers_action("s3:*")
                && s.covers_resource(&bucket_arn)
                && s.covers_resource(&objects)
                && s.conditions.iter().any(|c| {
                    c.base_operator() == "Bool"
                        && c.key == "aws:securetransport"
                        && c.values.iter().any(|v| v.eq_ignore_ascii_case("false"))
                })
        });
        match denies {
            Some((index, statement)) => outcome.pass(format!(
                "{name}: {} denies every request not sent over TLS",
                statement.label(index)
            )),
            None => outcome.fail(format!(
                "no statement of {name}'s policy denies all s3 actions on {bucket_arn} and {objects} to anyone when aws:SecureTransport is false"
            )),
        }
    }))
}
