//! TW116 security-trail: one trail does it all (AWS Config
//! `cloudtrail-security-trail-enabled`).

use super::judge::{judge_accounts, Requirement};
use crate::analysis::trail_coverage::{
    is_logging, records_all_management_events, records_global_service_events,
};
use crate::analysis::Truth;
use crate::rule::{CheckResult, RuleContext};
use crate::inventory::Trail;

/// AWS Config's security trail: one trail that does everything at once.
pub fn check(ctx: &RuleContext) -> CheckResult {
    let test = |trail: &Trail| {
        let validation = if trail.log_file_validation_enabled {
            Truth::Yes
        } else {
            Truth::no(format!("{} has log file validation disabled", trail.name))
        };
        let encrypted = if trail.kms_key_id.is_some() {
            Truth::Yes
        } else {
            Truth::no(format!("{} is not encrypted with a KMS key", trail.name))
        };
        Truth::all([
            records_global_service_events(trail),
            validation,
            encrypted,
            records_all_management_events(trail),
            is_logging(trail),
        ])
    };
    Ok(judge_accounts(
        ctx,
        test,
        Requirement {
            satisfied: "is a security trail: multi-region, logging, global service events, log file validation, KMS encryption, all read and write management events with no source excluded",
            unsatisfied: "no trail is a security trail",
            no_trail: "no trail records this account's activity",
        },
    ))
}
