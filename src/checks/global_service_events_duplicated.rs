//! TW104 global-service-events-duplicated — global service events recorded by one trail only.

use super::judge::GLOBAL;
use crate::analysis::trail_coverage::{
    judge, organization_trails_unknown, records_global_service_events, why_incomplete, TrailIndex,
};
use crate::rule::{CheckResult, Outcome, RuleContext};

pub fn check(ctx: &RuleContext) -> CheckResult {
    let mut outcomes = Vec::new();
    let index = TrailIndex::new(ctx.inventory);
    for account in ctx.inventory.accounts.values() {
        // The verdict of `judge` stops at the first recording trail; duplication needs them all.
        let judgement = judge(&index, account, records_global_service_events);
        let recording = judgement
            .trails
            .iter()
            .filter(|(_, truth)| truth.is_yes())
            .map(|(covering, _)| covering.trail)
            .collect::<Vec<_>>();
        let outcome = Outcome::on(&account.id, GLOBAL, &account.id).evidence(
            "trails[*] (covering this account, recording global service events)",
            recording.iter().map(|t| t.arn.as_str()).collect::<Vec<_>>(),
        );
        let names = recording
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        outcomes.push(if recording.len() > 1 {
            outcome.fail(format!(
                "{} trails record global service events ({names}): each IAM/STS event is delivered {} times",
                recording.len(),
                recording.len()
            ))
        } else if let Some(why) = why_incomplete(&judgement.trails, account)
            // "At most one" needs every trail: an organization trail unseen would be another.
            .or_else(|| organization_trails_unknown(ctx.inventory, account))
        {
            outcome.error(why)
        } else if recording.is_empty() {
            outcome.pass("no trail records global service events, so none duplicates them (TW103 reports the gap)")
        } else {
            outcome.pass(format!("only {names} records global service events"))
        });
    }
    Ok(outcomes)
}
