//! CloudTrail Lake: TW601 lake-event-data-store — an event data store keeps the account's
//! events as long as the baseline asks, protected and encrypted; TW602 event-data-store-cmk —
//! every event data store is encrypted with a customer managed key (Security Hub CloudTrail.10).

use super::judge::{judge_key, region_outcome, regions_unknown, session_unknown, KeyVerdict, GLOBAL};
use crate::analysis::event_selectors::management_coverage;
use crate::analysis::Truth;
use crate::rule::{CheckResult, Outcome, RuleContext};
use crate::inventory::{path, Account, EventDataStore, Inventory, Observed};
use std::collections::BTreeMap;

/// The stores of an account, each with its region, and why a region's list is unknown.
type Listed<'a> = (Vec<(&'a str, &'a EventDataStore)>, Vec<String>);

/// The stores listed in an account's scanned regions, and why a region's list is unknown.
fn account_stores(account: &Account) -> Listed<'_> {
    let mut stores = Vec::new();
    let mut unknown = Vec::new();
    if let Some(error) = &account.session_error {
        unknown.push(format!("account {}: {error}", account.id));
    }
    if let Some(error) = &account.regions_error {
        unknown.push(format!(
            "account {}: regions beyond those scanned ({error})",
            account.id
        ));
    }
    for region in account.regions.values().filter(|r| r.skipped.is_none()) {
        match &region.event_data_stores {
            Observed::Ok(list) => stores.extend(list.iter().map(|s| (region.name.as_str(), s))),
            Observed::Error(error) => {
                unknown.push(format!("{} {}: {error}", account.id, region.name))
            }
        }
    }
    (stores, unknown)
}

/// Accounts whose organization-wide stores cover `account`: the management account and the
/// CloudTrail delegated administrators, when `account` is a member of the scanned organization.
fn organization_store_owners<'a>(inventory: &'a Inventory, account: &Account) -> Vec<&'a str> {
    let Some(org) = inventory.organization() else {
        return Vec::new();
    };
    if !org.contains(&account.id) {
        return Vec::new();
    }
    let mut owners = vec![org.management_account_id.as_str()];
    if let Ok(admins) = org.cloudtrail_delegated_administrators.value() {
        owners.extend(admins.iter().map(String::as_str));
    }
    owners.retain(|owner| *owner != account.id);
    owners
}

pub fn event_data_store(ctx: &RuleContext) -> CheckResult {
    let inventory = ctx.inventory;
    let min_days = ctx.integer("min_lake_retention_days")?;
    let organization_scanned = inventory.organization().is_some();
    let judge = |region: &str, store: &EventDataStore| {
        let check = |ok: bool, why: String| if ok { Truth::Yes } else { Truth::no(why) };
        let name = &store.name;
        let key = match &store.kms_key_id {
            None => Truth::no(format!(
                "{name} is encrypted with an AWS owned key, not a customer managed key"
            )),
            Some(reference) => {
                match judge_key(inventory, reference, store.owner_account(), region).1 {
                    KeyVerdict::Customer(_) => Truth::Yes,
                    KeyVerdict::Fails(why) => Truth::no(format!("{name}: {why}")),
                    KeyVerdict::Unknown(why) => Truth::unknown(format!("{name}: {why}")),
                }
            }
        };
        let coverage = management_coverage(&crate::inventory::EventSelectors {
            classic: Vec::new(),
            advanced: store.advanced_event_selectors.clone(),
        });
        let retention = store.retention_period.unwrap_or(0);
        Truth::all([
            check(
                store.status == "ENABLED",
                format!("{name} is {}, not ENABLED", store.status),
            ),
            check(
                store.multi_region_enabled,
                format!("{name} collects one region only"),
            ),
            check(
                store.organization_enabled || !organization_scanned,
                format!("{name} collects this account only, not the organization"),
            ),
            check(
                coverage.is_complete(),
                format!("{name}: {}", coverage.shortfall()),
            ),
            key,
            check(
                store.termination_protection_enabled,
                format!("{name} has termination protection off: it can be deleted"),
            ),
            check(
                retention >= min_days,
                format!("{name} keeps events {retention} days, less than {min_days}"),
            ),
        ])
    };
    // Every account's stores are listed, and every store judged, once: an organization
    // store serves every member.
    let listed: BTreeMap<&str, Listed> = inventory
        .accounts
        .values()
        .map(|account| (account.id.as_str(), account_stores(account)))
        .collect();
    let judged: BTreeMap<&str, Truth> = listed
        .values()
        .flat_map(|(stores, _)| stores)
        .map(|(region, store)| (store.arn.as_str(), judge(region, store)))
        .collect();
    let mut outcomes = Vec::new();
    for account in inventory.accounts.values() {
        let (mut stores, mut unknown) =
            listed.get(account.id.as_str()).cloned().unwrap_or_default();
        for owner in organization_store_owners(inventory, account) {
            match listed.get(owner) {
                Some((theirs, their_unknown)) => {
                    stores.extend(theirs.iter().filter(|(_, s)| s.organization_enabled));
                    unknown.extend(their_unknown.iter().cloned());
                }
                None => unknown.push(format!(
                    "account {owner}, which may keep an organization event data store, was not scanned"
                )),
            }
        }
        let mut outcome = Outcome::on(&account.id, GLOBAL, &account.id);
        let mut verdicts = Vec::new();
        for (region, store) in &stores {
            let truth = judged
                .get(store.arn.as_str())
                .cloned()
                .unwrap_or_else(|| judge(region, store));
            outcome = outcome.evidence(
                format!("{}.event_data_stores", path::region(store.owner_account(), region)),
                serde_json::json!({"arn": store.arn, "verdict": truth.is_yes(), "reasons": truth.reasons()}),
            );
            verdicts.push((*store, truth));
        }
        outcomes.push(if let Some((store, _)) = verdicts.iter().find(|(_, t)| t.is_yes()) {
            outcome.pass(format!(
                "event data store {} (account {}) keeps all management events at least {min_days} days, multi-region{}, with a customer managed key and termination protection",
                store.name,
                store.owner_account(),
                if organization_scanned { ", organization-wide" } else { "" }
            ))
        } else {
            let unjudged = verdicts
                .iter()
                .filter(|(_, t)| matches!(t, Truth::Unknown(_)))
                .flat_map(|(_, t)| t.reasons().iter().cloned());
            unknown.extend(unjudged);
            let reasons = verdicts
                .iter()
                .flat_map(|(_, t)| t.reasons().iter().cloned())
                .collect::<Vec<_>>();
            if !unknown.is_empty() {
                outcome.error(format!(
                    "no qualifying event data store found, and some could not be listed or judged: {}",
                    unknown.join("; ")
                ))
            } else if reasons.is_empty() {
                outcome.fail("no CloudTrail Lake event data store keeps this account's events")
            } else {
                outcome.fail(format!("no event data store qualifies: {}", reasons.join("; ")))
            }
        });
    }
    Ok(outcomes)
}

pub fn cmk(ctx: &RuleContext) -> CheckResult {
    let inventory = ctx.inventory;
    let mut outcomes = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for account in inventory.accounts.values() {
        if let Some(unknown) = session_unknown(account, "event data stores") {
            outcomes.push(unknown);
            continue;
        }
        outcomes.extend(regions_unknown(account, "event data stores"));
        for region in account.regions.values().filter(|r| r.skipped.is_none()) {
            let stores = match region.event_data_stores.value() {
                Ok(stores) => stores,
                Err(error) => {
                    outcomes.push(
                        region_outcome(
                            &account.id,
                            region,
                            "event_data_stores",
                            &region.event_data_stores,
                        )
                        .error(format!(
                            "event data stores of {} unknown ({error})",
                            region.name
                        )),
                    );
                    continue;
                }
            };
            for store in stores.iter().filter(|s| seen.insert(s.arn.clone())) {
                let outcome = Outcome::on(&account.id, &region.name, &store.arn).evidence(
                    format!(
                        "{}.event_data_stores[{:?}].kms_key_id",
                        path::region(&account.id, &region.name),
                        store.arn
                    ),
                    &store.kms_key_id,
                );
                let Some(reference) = &store.kms_key_id else {
                    outcomes.push(outcome.fail(format!(
                        "{} is encrypted with an AWS owned key, not a customer managed key",
                        store.name
                    )));
                    continue;
                };
                outcomes.push(
                    match judge_key(inventory, reference, &account.id, &region.name).1 {
                        KeyVerdict::Customer(key) => outcome.pass(format!(
                            "{} is encrypted with customer managed key {}",
                            store.name, key.arn
                        )),
                        KeyVerdict::Fails(why) => outcome.fail(format!("{}: {why}", store.name)),
                        KeyVerdict::Unknown(why) => outcome.error(format!("{}: {why}", store.name)),
                    },
                );
            }
        }
    }
    Ok(outcomes)
}
