//! TW101 multi-region-trail — CIS "Ensure CloudTrail is enabled in all regions".

use super::GLOBAL;
use crate::analysis::trail_coverage::{covering_trails, discovery, records_all_regions, Via};
use crate::analysis::Truth;
use crate::engine::{CheckResult, Outcome, RuleContext};
use crate::inventory::path;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let mut outcomes = Vec::new();
    for account in ctx.inventory.accounts.values() {
        let mut outcome = Outcome::on(&account.id, GLOBAL, &account.id);
        let mut qualifying = None;
        let mut unknown = Vec::new();
        let mut reasons = Vec::new();
        for covering in covering_trails(ctx.inventory, account) {
            let trail = covering.trail;
            let verdict = records_all_regions(trail);
            outcome = outcome.evidence(
                path::trail(&trail.arn),
                serde_json::json!({
                    "via": covering.via,
                    "is_multi_region": trail.is_multi_region,
                    "is_logging": trail.status.value().ok().map(|s| s.is_logging),
                    "verdict": match &verdict { Truth::Yes => "qualifies", Truth::No(_) => "does not qualify", Truth::Unknown(_) => "unknown" },
                    "reasons": verdict.reasons(),
                }),
            );
            match verdict {
                Truth::Yes => {
                    qualifying.get_or_insert(covering);
                }
                Truth::No(why) => reasons.extend(why),
                Truth::Unknown(why) => unknown.extend(why),
            }
        }
        let result = if let Some(covering) = qualifying {
            let via = match covering.via {
                Via::Own => String::new(),
                Via::OrganizationTrail | Via::Listed => {
                    format!(
                        " (organization trail of account {})",
                        covering.trail.owner_account()
                    )
                }
            };
            outcome.pass(format!(
                "{}{via} is multi-region, logging, and records all read and write management events",
                covering.trail.name
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
            outcome.fail("no trail records this account's activity")
        } else {
            outcome.fail(format!(
                "no trail records all management events in all regions: {}",
                reasons.join("; ")
            ))
        };
        outcomes.push(result);
    }
    Ok(outcomes)
}
