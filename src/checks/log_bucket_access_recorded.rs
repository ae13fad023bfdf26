//! TW210 log-bucket-access-recorded — baseline R5: every access to the log bucket is recorded,
//! by S3 server access logging to another bucket or by CloudTrail data events on it.

use super::judge::judge_trail_buckets;
use crate::analysis::data_events::{data_coverage, Side, DataEventTarget, S3_OBJECT};
use crate::analysis::trail_coverage::{is_logging, judge, AccountVerdict, TrailIndex};
use crate::analysis::Truth;
use crate::rule::{CheckResult, RuleContext};
use crate::inventory::path;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let inventory = ctx.inventory;
    let index = TrailIndex::new(inventory);
    Ok(judge_trail_buckets(ctx, |outcome, bucket, _| {
        let name = &bucket.name;
        let outcome = outcome.evidence(format!("{}.logging", path::bucket(name)), &bucket.logging);
        let server_logging = match bucket.logging.value() {
            Ok(Some(logging)) if logging.target_bucket != *name => {
                return outcome.pass(format!(
                    "{name} logs every access to s3://{}/{}",
                    logging.target_bucket, logging.target_prefix
                ))
            }
            Ok(Some(_)) => format!("{name} writes its access logs into itself"),
            Ok(None) => format!("server access logging is disabled on {name}"),
            Err(error) => format!("logging configuration of {name} unknown ({error})"),
        };
        let logging_unknown = bucket.logging.value().is_err();
        // Data events of an object reach the trails of the bucket owner's account.
        let Some(owner) = bucket.owner_account.as_deref() else {
            return outcome.error(format!(
                "{server_logging}, and the bucket's owner is unknown, so whether its trails record data events on it is too"
            ));
        };
        let Some(account) = inventory.accounts.get(owner) else {
            return outcome.error(format!(
                "{server_logging}, and the owner account {owner} was not scanned, so whether its trails record data events on {name} is unknown"
            ));
        };
        let objects = DataEventTarget::Prefix(format!("arn:{}:s3:::{name}/", inventory.partition));
        let judgement = judge(&index, account, |trail| {
            let selectors = match trail.event_selectors.value() {
                Ok(selectors) => selectors,
                Err(error) => {
                    return Truth::unknown(format!(
                        "{}: event selectors unknown ({error})",
                        trail.name
                    ))
                }
            };
            let coverage = data_coverage(selectors, S3_OBJECT, &objects);
            let recorded = if coverage.records(Side::Both) {
                Truth::Yes
            } else {
                Truth::no(format!(
                    "{} does not record both read and write data events on {name}",
                    trail.name
                ))
            };
            Truth::all([is_logging(trail), recorded])
        });
        match judgement.verdict {
            AccountVerdict::Satisfied(covering) => outcome.pass(format!(
                "{server_logging}, but {} records every read and write of its objects as data events",
                covering.trail.name
            )),
            AccountVerdict::Unknown(why) => outcome.error(format!("{server_logging}; {why}")),
            AccountVerdict::Unsatisfied(_) if logging_unknown => outcome.error(format!(
                "{server_logging}, and no trail records data events on {name}"
            )),
            AccountVerdict::Unsatisfied(reasons) => outcome.fail(format!(
                "{server_logging}, and no logging trail records data events on it{}",
                if reasons.is_empty() {
                    String::new()
                } else {
                    format!(": {}", reasons.join("; "))
                }
            )),
        }
    }))
}
