//! TW101 multi-region-trail — CIS "Ensure CloudTrail is enabled in all regions".

use super::GLOBAL;
use crate::analysis::trail_coverage::{judge, records_all_regions, AccountVerdict, Via};
use crate::analysis::Truth;
use crate::engine::{CheckResult, Outcome, RuleContext};
use crate::inventory::path;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let mut outcomes = Vec::new();
    for account in ctx.inventory.accounts.values() {
        let judgement = judge(ctx.inventory, account, records_all_regions);
        let mut outcome = Outcome::on(&account.id, GLOBAL, &account.id);
        for (covering, truth) in &judgement.trails {
            let trail = covering.trail;
            outcome = outcome.evidence(
                path::trail(&trail.arn),
                serde_json::json!({
                    "via": covering.via,
                    "is_multi_region": trail.is_multi_region,
                    "is_logging": trail.status.value().ok().map(|s| s.is_logging),
                    "verdict": match truth { Truth::Yes => "qualifies", Truth::No(_) => "does not qualify", Truth::Unknown(_) => "unknown" },
                    "reasons": truth.reasons(),
                }),
            );
        }
        outcomes.push(match judgement.verdict {
            AccountVerdict::Satisfied(covering) => {
                let via = match covering.via {
                    Via::Own => String::new(),
                    Via::OrganizationTrail | Via::Listed => {
                        format!(" (organization trail of account {})", covering.trail.owner_account())
                    }
                };
                outcome.pass(format!(
                    "{}{via} is multi-region, logging, and records all read and write management events",
                    covering.trail.name
                ))
            }
            AccountVerdict::Unknown(why) => outcome.error(why),
            AccountVerdict::Unsatisfied(reasons) if reasons.is_empty() => {
                outcome.fail("no trail records this account's activity")
            }
            AccountVerdict::Unsatisfied(reasons) => outcome.fail(format!(
                "no trail records all management events in all regions: {}",
                reasons.join("; ")
            )),
        });
    }
    Ok(outcomes)
}
