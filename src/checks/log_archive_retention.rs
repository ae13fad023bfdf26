//! TW501 log-archive-retention — baseline R9: the S3 archive keeps logs at least `min_retention_days`.

use crate::analysis::retention::{applies_to_logs, expires_sooner};
use crate::engine::{CheckResult, Outcome, RuleContext};
use crate::inventory::path;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let min_days = ctx.integer("min_retention_days")?;
    let mut outcomes = Vec::new();
    for trail in ctx.inventory.trails.values() {
        let Some(name) = trail.s3_bucket_name.as_deref() else {
            continue;
        };
        let prefix = trail.log_key_prefix();
        let outcome = Outcome::on_trail(trail)
            .evidence(format!("{}.s3_bucket_name", path::trail(&trail.arn)), name)
            .evidence(
                format!("{}.s3_key_prefix (log key prefix)", path::trail(&trail.arn)),
                &prefix,
            );
        let Some(bucket) = ctx.inventory.buckets.get(name) else {
            outcomes.push(outcome.error(format!("bucket {name} was not collected")));
            continue;
        };
        let rules = match bucket.lifecycle.value() {
            Ok(rules) => rules,
            Err(error) => {
                outcomes.push(outcome.error(format!(
                    "lifecycle configuration of {name} unknown ({error})"
                )));
                continue;
            }
        };
        let applicable = rules
            .iter()
            .filter(|rule| applies_to_logs(rule, &prefix))
            .collect::<Vec<_>>();
        let outcome = outcome.evidence(
            format!(
                "{}.lifecycle (rules applying to {prefix})",
                path::bucket(name)
            ),
            &applicable,
        );
        let shorter = applicable
            .iter()
            .filter_map(|rule| expires_sooner(rule, min_days))
            .collect::<Vec<_>>();
        let transitions = applicable
            .iter()
            .flat_map(|rule| rule.transitions.iter())
            .map(|t| match (t.days, t.date) {
                (Some(days), _) => format!("{} after {days} days", t.storage_class),
                (None, Some(date)) => format!("{} on {}", t.storage_class, date.format("%Y-%m-%d")),
                (None, None) => t.storage_class.clone(),
            })
            .collect::<Vec<_>>();
        let transitions = if transitions.is_empty() {
            String::new()
        } else {
            format!("; transitions kept: {}", transitions.join(", "))
        };
        outcomes.push(if shorter.is_empty() {
            outcome.pass(format!(
                "no lifecycle rule of {name} deletes logs under {prefix} before {min_days} days{transitions}"
            ))
        } else {
            outcome.fail(format!("logs in s3://{name}/{prefix} are kept less than {min_days} days: {}", shorter.join("; ")))
        });
    }
    Ok(outcomes)
}
