//! TW101 multi-region-trail — CIS "Ensure CloudTrail is enabled in all regions".

use super::judge::{judge_accounts, Requirement};
use crate::analysis::trail_coverage::records_all_regions;
use crate::rule::{CheckResult, RuleContext};

pub fn check(ctx: &RuleContext) -> CheckResult {
    Ok(judge_accounts(
        ctx,
        records_all_regions,
        Requirement {
            satisfied: "is multi-region, logging, and records all read and write management events",
            unsatisfied: "no trail records all management events in all regions",
            no_trail: "no trail records this account's activity",
        },
    ))
}
