//! TW106 cloudtrail-delegated-admin — forensic vault: CloudTrail is administered from a
//! delegated administrator account, not from the management account.

use super::judge::{organization_scope, OrganizationScope, GLOBAL};
use crate::rule::{CheckResult, Outcome, RuleContext};

pub fn check(ctx: &RuleContext) -> CheckResult {
    let org = match organization_scope(ctx.inventory) {
        OrganizationScope::Scanned(org) => org,
        OrganizationScope::Unscanned(outcome) => return Ok(vec![outcome]),
    };
    let management = &org.management_account_id;
    let outcome = Outcome::on(management, GLOBAL, &org.id).evidence(
        "organization.cloudtrail_delegated_administrators",
        &org.cloudtrail_delegated_administrators,
    );
    Ok(vec![match org.cloudtrail_delegated_administrators.value() {
        Err(error) => outcome.error(format!(
            "CloudTrail's delegated administrators unknown ({error})"
        )),
        Ok(admins) if admins.is_empty() => outcome.fail(format!(
            "CloudTrail has no delegated administrator in {}: its trails are administered from the management account {management}",
            org.id
        )),
        Ok(admins) if admins.contains(management) => outcome.fail(format!(
            "the management account {management} is CloudTrail's delegated administrator"
        )),
        Ok(admins) => outcome.pass(format!(
            "CloudTrail is administered from delegated administrator account(s) {}, not the management account",
            admins.join(", ")
        )),
    }])
}
