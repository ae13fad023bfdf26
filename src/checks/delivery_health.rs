//! Delivery health, per trail: TW112 trail-logging, TW113 log-delivery, TW114
//! digest-delivery (baseline R8: working integrity), TW115 sns-notifications.

use super::judge::judge_observed;
use crate::rule::{CheckResult, Outcome, OutcomeBuilder, RuleContext};
use crate::inventory::{path, Trail, TrailStatus};
use chrono::{DateTime, Duration, Utc};

/// A duration in words a person reads at a glance: `3 h 5 min`, `12 days`.
pub fn age(duration: Duration) -> String {
    let duration = duration.max(Duration::zero());
    if duration.num_days() >= 2 {
        format!("{} days", duration.num_days())
    } else if duration.num_hours() >= 1 {
        format!(
            "{} h {} min",
            duration.num_hours(),
            duration.num_minutes() % 60
        )
    } else {
        format!("{} min", duration.num_minutes())
    }
}

/// Every trail with its status, or ERROR where the status is unknown.
fn per_trail(
    ctx: &RuleContext,
    judge: impl Fn(OutcomeBuilder, &Trail, &TrailStatus) -> Outcome,
) -> CheckResult {
    Ok(ctx
        .inventory
        .trails
        .values()
        .map(|trail| {
            judge_observed(
                Outcome::on_trail(trail),
                format!("{}.status", path::trail(&trail.arn)),
                &format!("{}: trail status", trail.name),
                &trail.status,
                |outcome, status| judge(outcome, trail, status),
            )
        })
        .collect())
}

pub fn logging(ctx: &RuleContext) -> CheckResult {
    per_trail(ctx, |outcome, trail, status| {
        if status.is_logging {
            return outcome.pass(format!("{} is logging", trail.name));
        }
        let since = status
            .stop_logging_time
            .map(|t| format!(" since {} ({} ago)", t.to_rfc3339(), age(ctx.now - t)))
            .unwrap_or_default();
        outcome.fail(format!(
            "{} is not logging{since}: nothing it is meant to record is recorded",
            trail.name
        ))
    })
}

/// The verdict on a delivery of which AWS reports the latest time and error.
fn delivery(
    outcome: OutcomeBuilder,
    now: DateTime<Utc>,
    what: &str,
    latest: Option<DateTime<Utc>>,
    error: Option<&str>,
    started: Option<DateTime<Utc>>,
    max_age_hours: i64,
) -> Outcome {
    let max_age = Duration::hours(max_age_hours);
    if let Some(error) = error {
        return outcome.fail(format!("the last {what} failed: {error}"));
    }
    match (latest, started) {
        (Some(time), _) if now - time > max_age => outcome.fail(format!(
            "the last {what} was {} ago, more than {max_age_hours} h",
            age(now - time)
        )),
        (Some(time), _) => outcome.pass(format!("the last {what} was {} ago", age(now - time))),
        (None, Some(start)) if now - start <= max_age => outcome.pass(format!(
            "logging started {} ago; the first {what} is not due yet",
            age(now - start)
        )),
        (None, _) => outcome.fail(format!("no {what} is recorded")),
    }
}

pub fn log_delivery(ctx: &RuleContext) -> CheckResult {
    let max_age_hours = ctx.integer("max_delivery_age_hours")?;
    per_trail(ctx, |outcome, trail, status| {
        if !status.is_logging {
            return outcome.fail(format!(
                "{} is not logging: no logs are delivered",
                trail.name
            ));
        }
        if let Some(reason) = &status.deliveries_unknown {
            return outcome.error(format!("{}: log delivery unknown ({reason})", trail.name));
        }
        let bucket = trail.s3_bucket_name.as_deref().unwrap_or("its bucket");
        delivery(
            outcome,
            ctx.now,
            &format!("log delivery to {bucket}"),
            status.latest_delivery_time,
            status.latest_delivery_error.as_deref(),
            status.start_logging_time,
            max_age_hours,
        )
    })
}

pub fn digest_delivery(ctx: &RuleContext) -> CheckResult {
    let max_age_hours = ctx.integer("max_digest_age_hours")?;
    per_trail(ctx, |outcome, trail, status| {
        let outcome = outcome.evidence(
            format!("{}.log_file_validation_enabled", path::trail(&trail.arn)),
            trail.log_file_validation_enabled,
        );
        if !trail.log_file_validation_enabled {
            return outcome.fail(format!(
                "{} has log file validation disabled: no digest files are delivered",
                trail.name
            ));
        }
        if !status.is_logging {
            return outcome.fail(format!(
                "{} is not logging: no digest files are delivered",
                trail.name
            ));
        }
        if let Some(reason) = &status.deliveries_unknown {
            return outcome.error(format!(
                "{}: digest delivery unknown ({reason})",
                trail.name
            ));
        }
        delivery(
            outcome,
            ctx.now,
            "digest file delivery",
            status.latest_digest_delivery_time,
            status.latest_digest_delivery_error.as_deref(),
            status.start_logging_time,
            max_age_hours,
        )
    })
}

pub fn sns_notifications(ctx: &RuleContext) -> CheckResult {
    Ok(ctx
        .inventory
        .trails
        .values()
        .map(|trail| {
            let outcome = Outcome::on_trail(trail).evidence(
                format!("{}.sns_topic_arn", path::trail(&trail.arn)),
                &trail.sns_topic_arn,
            );
            if let Some(reason) = trail.unknown_settings.get("sns_topic_arn") {
                return outcome.error(format!("{}: its SNS topic is unknown ({reason})", trail.name));
            }
            match &trail.sns_topic_arn {
                Some(topic) => outcome.pass(format!(
                    "{} notifies {topic} of every log file delivery",
                    trail.name
                )),
                None => outcome.fail(format!(
                    "{} sends no SNS notification when it delivers a log file",
                    trail.name
                )),
            }
        })
        .collect())
}
