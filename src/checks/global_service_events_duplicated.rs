//! TW104 global-service-events-duplicated — global service events recorded by one trail only.

use super::GLOBAL;
use crate::analysis::trail_coverage::{covering_trails, discovery, records_global_service_events};
use crate::analysis::Truth;
use crate::engine::{CheckResult, Outcome, RuleContext};

pub fn check(ctx: &RuleContext) -> CheckResult {
    let mut outcomes = Vec::new();
    for account in ctx.inventory.accounts.values() {
        let mut recording = Vec::new();
        let mut unknown = Vec::new();
        for covering in covering_trails(ctx.inventory, account) {
            match records_global_service_events(covering.trail) {
                Truth::Yes => recording.push(covering.trail),
                Truth::No(_) => {}
                Truth::Unknown(why) => unknown.extend(why),
            }
        }
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
        } else if !unknown.is_empty() {
            outcome.error(format!("could not decide: {}", unknown.join("; ")))
        } else if let Err(errors) = discovery(account) {
            let errors = errors.iter().map(ToString::to_string).collect::<Vec<_>>();
            outcome.error(format!("trails of the account could not be listed: {}", errors.join("; ")))
        } else if recording.is_empty() {
            outcome.pass("no trail records global service events, so none duplicates them (TW103 reports the gap)")
        } else {
            outcome.pass(format!("only {names} records global service events"))
        });
    }
    Ok(outcomes)
}
