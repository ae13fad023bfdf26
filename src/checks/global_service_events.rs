//! TW103 global-service-events — IAM, STS and other global service events are recorded.

use super::judge::GLOBAL;
use crate::analysis::trail_coverage::{
    judge, records_global_service_events, AccountVerdict, TrailIndex,
};
use crate::rule::{CheckResult, Outcome, RuleContext};
use crate::inventory::path;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let mut outcomes = Vec::new();
    let index = TrailIndex::new(ctx.inventory);
    for account in ctx.inventory.accounts.values() {
        let judgement = judge(&index, account, records_global_service_events);
        let mut outcome = Outcome::on(&account.id, GLOBAL, &account.id);
        for (covering, _) in &judgement.trails {
            outcome = outcome.evidence(
                format!(
                    "{}.include_global_service_events",
                    path::trail(&covering.trail.arn)
                ),
                covering.trail.include_global_service_events,
            );
        }
        outcomes.push(match judgement.verdict {
            AccountVerdict::Satisfied(covering) => outcome.pass(format!(
                "{} records global service events from all regions",
                covering.trail.name
            )),
            AccountVerdict::Unknown(why) => outcome.error(why),
            AccountVerdict::Unsatisfied(reasons) if reasons.is_empty() => outcome.fail(
                "no trail records this account's global service events (IAM, STS, CloudFront)",
            ),
            AccountVerdict::Unsatisfied(reasons) => outcome.fail(format!(
                "no logging multi-region trail records global service events: {}",
                reasons.join("; ")
            )),
        });
    }
    Ok(outcomes)
}
