//! TW501 log-archive-retention — baseline R9: the S3 archive keeps logs at least
//! `min_retention_days`, counting lifecycle expiration of current and noncurrent versions,
//! versioning and Object Lock (see `analysis::retention`).

use crate::analysis::retention::{applies_to_logs, archive_shortfalls, lock_days, Versions};
use crate::rule::{CheckResult, Outcome, RuleContext};
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
        let versions = match bucket.versioning.value() {
            Ok(v) if v.status.as_deref() == Some("Enabled") => Some(Versions::Kept),
            Ok(_) => Some(Versions::NotKept),
            Err(_) => None,
        };
        let lock = match bucket.object_lock.value() {
            Ok(lock) => Ok(lock.as_ref().and_then(lock_days)),
            Err(error) => Err(error),
        };
        let outcome = outcome
            .evidence(
                format!("{}.versioning", path::bucket(name)),
                &bucket.versioning,
            )
            .evidence(
                format!("{}.object_lock", path::bucket(name)),
                &bucket.object_lock,
            );
        // Unknown versioning: judge both ways; the verdict stands only if they agree.
        let judged = |versions| {
            archive_shortfalls(
                &applicable,
                versions,
                *lock.as_ref().unwrap_or(&None),
                min_days,
            )
        };
        let shorter = match versions {
            Some(versions) => judged(versions),
            None => {
                let (kept, not_kept) = (judged(Versions::Kept), judged(Versions::NotKept));
                if kept.is_empty() != not_kept.is_empty() {
                    outcomes.push(outcome.error(format!(
                        "whether lifecycle rules delete logs in {name} early depends on its versioning, which is unknown"
                    )));
                    continue;
                }
                not_kept
            }
        };
        if let (false, Err(error)) = (shorter.is_empty(), &lock) {
            outcomes.push(outcome.error(format!(
                "lifecycle rules of {name} delete logs early unless Object Lock keeps them, and Object Lock is unknown ({error})"
            )));
            continue;
        }
        let lock_note = match lock {
            Ok(Some(days)) => format!("; Object Lock keeps every version {days} days"),
            _ => String::new(),
        };
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
                "no lifecycle rule of {name} deletes logs under {prefix} before {min_days} days{lock_note}{transitions}"
            ))
        } else {
            outcome.fail(format!("logs in s3://{name}/{prefix} are kept less than {min_days} days: {}", shorter.join("; ")))
        });
    }
    Ok(outcomes)
}
