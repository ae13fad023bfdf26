//! TW103 global-service-events — IAM, STS and other global service events are recorded.

use super::GLOBAL;
use crate::analysis::trail_coverage::{covering_trails, discovery, records_global_service_events};
use crate::analysis::Truth;
use crate::engine::{CheckResult, Outcome, RuleContext};
use crate::inventory::path;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let mut outcomes = Vec::new();
    for account in ctx.inventory.accounts.values() {
        let mut outcome = Outcome::on(&account.id, GLOBAL, &account.id);
        let mut recording = None;
        let mut unknown = Vec::new();
        let mut reasons = Vec::new();
        for covering in covering_trails(ctx.inventory, account) {
            let trail = covering.trail;
            outcome = outcome.evidence(
                format!("{}.include_global_service_events", path::trail(&trail.arn)),
                trail.include_global_service_events,
            );
            match records_global_service_events(trail) {
                Truth::Yes => {
                    recording.get_or_insert(trail);
                }
                Truth::No(why) => reasons.extend(why),
                Truth::Unknown(why) => unknown.extend(why),
            }
        }
        outcomes.push(if let Some(trail) = recording {
            outcome.pass(format!(
                "{} records global service events from all regions",
                trail.name
            ))
        } else if !unknown.is_empty() {
            outcome.error(format!("could not decide: {}", unknown.join("; ")))
        } else if let Err(errors) = discovery(account) {
            let errors = errors.iter().map(ToString::to_string).collect::<Vec<_>>();
            outcome.error(format!(
                "trails of the account could not be listed: {}",
                errors.join("; ")
            ))
        } else if reasons.is_empty() {
            outcome.fail(
                "no trail records this account's global service events (IAM, STS, CloudFront)",
            )
        } else {
            outcome.fail(format!(
                "no logging multi-region trail records global service events: {}",
                reasons.join("; ")
            ))
        });
    }
    Ok(outcomes)
}
