//! TW102 log-file-validation — CIS "Ensure CloudTrail log file validation is enabled".

use crate::rule::{CheckResult, Outcome, RuleContext};
use crate::inventory::path;

pub fn check(ctx: &RuleContext) -> CheckResult {
    Ok(ctx
        .inventory
        .trails
        .values()
        .map(|trail| {
            let outcome = Outcome::on_trail(trail).evidence(
                format!("{}.log_file_validation_enabled", path::trail(&trail.arn)),
                trail.log_file_validation_enabled,
            );
            if let Some(reason) = trail.unknown_settings.get("log_file_validation_enabled") {
                outcome.error(format!("{}: log file validation unknown ({reason})", trail.name))
            } else if trail.log_file_validation_enabled {
                outcome.pass(format!("{} signs digest files for its logs", trail.name))
            } else {
                outcome.fail(format!("{} has log file validation disabled: tampering with its logs cannot be detected", trail.name))
            }
        })
        .collect())
}
