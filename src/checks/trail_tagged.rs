//! TW117 trail-tagged: the trail carries the required tags (Security Hub CloudTrail.9).

use super::judge::judge_observed;
use crate::rule::{CheckResult, Outcome, OutcomeBuilder, RuleContext};
use crate::inventory::{path, Tag, Trail};

pub fn check(ctx: &RuleContext) -> CheckResult {
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
