//! TW105 organization-trail — forensic vault: an organization trail records every account.

use super::judge::{organization_scope, OrganizationScope, GLOBAL};
use crate::analysis::trail_coverage::{management_trails_unknown, records_all_regions};
use crate::analysis::Truth;
use crate::rule::{CheckResult, Outcome, RuleContext};
use crate::inventory::path;

pub fn check(ctx: &RuleContext) -> CheckResult {
    let org = match organization_scope(ctx.inventory) {
        OrganizationScope::Scanned(org) => org,
        OrganizationScope::Unscanned(outcome) => return Ok(vec![outcome]),
    };
    let management = &org.management_account_id;
    let mut outcome = Outcome::on(management, GLOBAL, &org.id);
    let candidates = ctx
        .inventory
        .trails
        .values()
        .filter(|t| t.is_organization_trail && t.owner_account() == management)
        .map(|trail| (trail, records_all_regions(trail)))
        .collect::<Vec<_>>();
    for (trail, truth) in &candidates {
        outcome = outcome.evidence(
            path::trail(&trail.arn),
            serde_json::json!({
                "is_organization_trail": true,
                "is_multi_region": trail.is_multi_region,
                "is_logging": trail.status.value().ok().map(|s| s.is_logging),
                "reasons": truth.reasons(),
            }),
        );
    }
    if let Some((trail, _)) = candidates.iter().find(|(_, truth)| truth.is_yes()) {
        return Ok(vec![outcome.pass(format!(
            "{} records every account of {}: multi-region, logging, all read and write management events",
            trail.name, org.id
        ))]);
    }
    let unknown = candidates
        .iter()
        .filter(|(_, truth)| matches!(truth, Truth::Unknown(_)))
        .flat_map(|(_, truth)| truth.reasons().iter().cloned())
        .collect::<Vec<_>>();
    if !unknown.is_empty() {
        return Ok(vec![
            outcome.error(format!("could not decide: {}", unknown.join("; ")))
        ]);
    }
    // Organization trails live in the management account: without its trails, absence is unknown.
    let management_trails = match management_trails_unknown(ctx.inventory, org) {
        Some(why) => Err(format!("{why}, so its organization trails are unknown")),
        None => Ok(()),
    };
    Ok(vec![match management_trails {
        Err(why) => outcome.error(why),
        Ok(()) if candidates.is_empty() => outcome.fail(format!(
            "the management account {management} has no organization trail: each account must keep its own"
        )),
        Ok(()) => {
            let reasons = candidates
                .iter()
                .flat_map(|(_, truth)| truth.reasons().iter().cloned())
                .collect::<Vec<_>>();
            outcome.fail(format!(
                "no organization trail records all management events in all regions: {}",
                reasons.join("; ")
            ))
        }
    }])
}
