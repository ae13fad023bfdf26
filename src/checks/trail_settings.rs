//! Account-level trail settings: TW111 insights-enabled, TW116 security-trail (AWS Config
//! `cloudtrail-security-trail-enabled`); and per trail TW117 trail-tagged.

use super::judge::{judge_accounts, judge_observed, logging_multi_region, observed, Requirement};
use crate::analysis::trail_coverage::{
    is_logging, records_all_management_events, records_global_service_events,
};
use crate::analysis::Truth;
use crate::rule::{CheckResult, Outcome, OutcomeBuilder, RuleContext};
use crate::inventory::{path, Tag, Trail};

pub fn insights(ctx: &RuleContext) -> CheckResult {
    let required = ctx.list("insight_types")?;
    let test = |trail: &Trail| {
        let enabled = match observed(trail, "insight selectors", &trail.insight_selectors) {
            Ok(selectors) => {
                let missing = required
                    .iter()
                    .filter(|t| !selectors.iter().any(|s| &s.insight_type == *t))
                    .map(String::as_str)
                    .collect::<Vec<_>>();
                if missing.is_empty() {
                    Truth::Yes
                } else {
                    Truth::no(format!(
                        "{} has no Insights for {}",
                        trail.name,
                        missing.join(", ")
                    ))
                }
            }
            Err(unknown) => unknown,
        };
        Truth::all([logging_multi_region(trail), enabled])
    };
    let satisfied = format!(
        "analyses every region with CloudTrail Insights ({})",
        required.join(", ")
    );
    Ok(judge_accounts(
        ctx,
        test,
        Requirement {
            satisfied: &satisfied,
            unsatisfied: "no logging multi-region trail has the required Insights",
            no_trail: "no trail records this account's activity, so Insights cannot analyse it",
        },
    ))
}

/// AWS Config's security trail: one trail that does everything at once.
pub fn security_trail(ctx: &RuleContext) -> CheckResult {
    let test = |trail: &Trail| {
        let validation = if trail.log_file_validation_enabled {
            Truth::Yes
        } else {
            Truth::no(format!("{} has log file validation disabled", trail.name))
        };
        let encrypted = if trail.kms_key_id.is_some() {
            Truth::Yes
        } else {
            Truth::no(format!("{} is not encrypted with a KMS key", trail.name))
        };
        Truth::all([
            records_global_service_events(trail),
            validation,
            encrypted,
            records_all_management_events(trail),
            is_logging(trail),
        ])
    };
    Ok(judge_accounts(
        ctx,
        test,
        Requirement {
            satisfied: "is a security trail: multi-region, logging, global service events, log file validation, KMS encryption, all read and write management events with no source excluded",
            unsatisfied: "no trail is a security trail",
            no_trail: "no trail records this account's activity",
        },
    ))
}

pub fn tagged(ctx: &RuleContext) -> CheckResult {
    let required = ctx.list("required_tag_keys")?;
    Ok(ctx
        .inventory
        .trails
        .values()
        .map(|trail| {
            judge_observed(
                Outcome::on_trail(trail),
                format!("{}.tags", path::trail(&trail.arn)),
                &format!("{}: tags", trail.name),
                &trail.tags,
                |outcome, tags| tag_verdict(outcome, trail, tags, required),
            )
        })
        .collect())
}

fn tag_verdict(
    outcome: OutcomeBuilder,
    trail: &Trail,
    tags: &[Tag],
    required: &[String],
) -> Outcome {
    // `aws:` tags are AWS's own (CloudFormation, ...), not the owner's.
    let own = tags
        .iter()
        .filter(|t| !t.key.starts_with("aws:"))
        .collect::<Vec<_>>();
    if required.is_empty() {
        return if own.is_empty() {
            outcome.fail(format!("{} has no tags", trail.name))
        } else {
            outcome.pass(format!(
                "{} is tagged ({})",
                trail.name,
                own.iter()
                    .map(|t| t.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        };
    }
    let missing = required
        .iter()
        .filter(|key| !own.iter().any(|t| &&t.key == key))
        .map(String::as_str)
        .collect::<Vec<_>>();
    if missing.is_empty() {
        outcome.pass(format!("{} has every required tag", trail.name))
    } else {
        outcome.fail(format!(
            "{} lacks the tags {}",
            trail.name,
            missing.join(", ")
        ))
    }
}
