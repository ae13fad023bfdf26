//! TW701 config-recorder — CIS "Ensure AWS Config is enabled in all regions": per scanned
//! region, a configuration recorder records every supported resource type, and is recording.

use super::judge::{region_outcome, regions_unknown, session_unknown};
use crate::rule::{CheckResult, RuleContext};
use crate::inventory::ConfigRecorder;

/// Why a recorder does not qualify, if it does not.
fn shortfall(recorder: &ConfigRecorder) -> Option<String> {
    let name = &recorder.name;
    if !recorder.recording {
        return Some(format!("recorder {name} is not recording"));
    }
    if recorder.last_status.as_deref() == Some("FAILURE") {
        return Some(format!("recorder {name}'s last recording failed"));
    }
    let all = recorder.all_supported
        || recorder.recording_strategy.as_deref() == Some("ALL_SUPPORTED_RESOURCE_TYPES");
    if !all || !recorder.excluded_resource_types.is_empty() {
        return Some(format!(
            "recorder {name} records only some resource types{}",
            if recorder.excluded_resource_types.is_empty() {
                String::new()
            } else {
                format!(
                    " (excludes {})",
                    recorder.excluded_resource_types.join(", ")
                )
            }
        ));
    }
    None
}

pub fn check(ctx: &RuleContext) -> CheckResult {
    let mut outcomes = Vec::new();
    for account in ctx.inventory.accounts.values() {
        if let Some(unknown) = session_unknown(account, "AWS Config recorders") {
            outcomes.push(unknown);
            continue;
        }
        outcomes.extend(regions_unknown(account, "AWS Config recorders"));
        for region in account.regions.values().filter(|r| r.skipped.is_none()) {
            let outcome = region_outcome(
                &account.id,
                region,
                "config_recorders",
                &region.config_recorders,
            );
            outcomes.push(match region.config_recorders.value() {
                Err(error) => outcome.error(format!(
                    "AWS Config recorders of {} unknown ({error})",
                    region.name
                )),
                Ok(recorders) if recorders.is_empty() => outcome.fail(format!(
                    "AWS Config has no configuration recorder in {}",
                    region.name
                )),
                Ok(recorders) => {
                    let problems = recorders.iter().map(shortfall).collect::<Vec<_>>();
                    match recorders.iter().zip(&problems).find(|(_, p)| p.is_none()) {
                        Some((recorder, _)) => outcome.pass(format!(
                            "recorder {} records every supported resource type in {}{}",
                            recorder.name,
                            region.name,
                            if recorder.include_global_resource_types {
                                ", global types included"
                            } else {
                                ""
                            }
                        )),
                        None => outcome.fail(
                            problems
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join("; "),
                        ),
                    }
                }
            });
        }
    }
    Ok(outcomes)
}
