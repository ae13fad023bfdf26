//! TW111 insights-enabled: CloudTrail Insights (call rate and error rate) on a logging
//! multi-region trail that covers the account.

use super::judge::{judge_accounts, logging_multi_region, observed, Requirement};
use crate::analysis::Truth;
use crate::rule::{CheckResult, RuleContext};
use crate::inventory::Trail;

pub fn check(ctx: &RuleContext) -> CheckResult {
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
