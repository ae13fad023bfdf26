//! TW301 cloudwatch-logs-delivery — CIS "Ensure CloudTrail trails are integrated with CloudWatch Logs".

use super::delivery_health::age;
use crate::rule::{CheckResult, Outcome, RuleContext};
use crate::inventory::path;
use chrono::Duration;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let max_age_hours = ctx.integer("max_delivery_age_hours")?;
    let max_age = Duration::hours(max_age_hours);
    Ok(ctx
        .inventory
        .trails
        .values()
        .map(|trail| {
            let outcome = Outcome::on_trail(trail).evidence(
                format!("{}.cloud_watch_logs_log_group_arn", path::trail(&trail.arn)),
                &trail.cloud_watch_logs_log_group_arn,
            );
            let Some(group) = trail.log_group_arn() else {
                return outcome.fail(format!("{} does not deliver to CloudWatch Logs", trail.name));
            };
            let status = match trail.status.value() {
                Ok(status) => status,
                Err(error) => return outcome.error(format!("{}: delivery status unknown ({error})", trail.name)),
            };
            let outcome = outcome
                .evidence(
                    format!("{}.status.latest_cloud_watch_logs_delivery_time", path::trail(&trail.arn)),
                    status.latest_cloud_watch_logs_delivery_time,
                )
                .evidence(
                    format!("{}.status.latest_cloud_watch_logs_delivery_error", path::trail(&trail.arn)),
                    &status.latest_cloud_watch_logs_delivery_error,
                );
            if let Some(reason) = &status.deliveries_unknown {
                return outcome.error(format!(
                    "{}: delivery to {group} unknown ({reason})",
                    trail.name
                ));
            }
            let error_note = status
                .latest_cloud_watch_logs_delivery_error
                .as_deref()
                .map(|e| format!(" (last error: {e})"))
                .unwrap_or_default();
            // AWS reports the latest error until a delivery succeeds again; an error beside a
            // recent time still means events are being lost now or were lately.
            if let Some(error) = &status.latest_cloud_watch_logs_delivery_error {
                return outcome.fail(format!(
                    "{}: the latest delivery to {group} failed: {error}",
                    trail.name
                ));
            }
            match status.latest_cloud_watch_logs_delivery_time {
                None => outcome.fail(format!("{} is set to deliver to {group} but has never delivered{error_note}", trail.name)),
                Some(time) if ctx.now - time > max_age => outcome.fail(format!(
                    "{}: last delivery to CloudWatch Logs was {} ago, more than {max_age_hours} h{error_note}",
                    trail.name,
                    age(ctx.now - time)
                )),
                Some(time) => outcome.pass(format!(
                    "{} delivers to {group}; last delivery {} ago",
                    trail.name,
                    age(ctx.now - time)
                )),
            }
        })
        .collect())
}
