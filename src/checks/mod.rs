//! Rule logic: one file per rule, named after the rule. Each exposes
//! `pub fn check(&RuleContext) -> CheckResult`, bound to its code in the registry.

pub mod cloudtrail_delegated_admin;
pub mod cloudwatch_logs_delivery;
pub mod cmk_rotation;
pub mod global_service_events;
pub mod global_service_events_duplicated;
pub mod log_archive_retention;
pub mod log_bucket_access_logging;
pub mod log_bucket_not_public;
pub mod log_bucket_separate_account;
pub mod log_file_validation;
pub mod log_group_retention;
pub mod multi_region_trail;
pub mod organization_trail;
pub mod trail_kms_cmk;

use crate::engine::Outcome;
use crate::inventory::{Inventory, Observed, Organization, Trail};
use std::collections::BTreeMap;

/// Region label of findings about an account as a whole.
pub const GLOBAL: &str = "global";

/// Buckets that trails write to, each with the trails that use it.
fn trail_buckets(inventory: &Inventory) -> BTreeMap<&str, Vec<&Trail>> {
    let mut buckets: BTreeMap<&str, Vec<&Trail>> = BTreeMap::new();
    for trail in inventory.trails.values() {
        if let Some(name) = trail.s3_bucket_name.as_deref() {
            buckets.entry(name).or_default().push(trail);
        }
    }
    buckets
}

/// The ARN of an S3 bucket in the inventory's partition.
fn bucket_arn(inventory: &Inventory, name: &str) -> String {
    format!("arn:{}:s3:::{name}", inventory.partition)
}

/// The account and region a bucket finding is reported under: the owner if known, else the
/// account of the first trail that uses it; the observed region, else `unknown`.
fn bucket_location<'a>(
    inventory: &'a Inventory,
    name: &str,
    trails: &[&'a Trail],
) -> (String, String) {
    let bucket = inventory.buckets.get(name);
    let account = bucket
        .and_then(|b| b.owner_account.clone())
        .or_else(|| trails.first().map(|t| t.owner_account().to_owned()))
        .unwrap_or_default();
    let region = bucket
        .and_then(|b| b.region.value().ok().cloned())
        .unwrap_or_else(|| "unknown".to_owned());
    (account, region)
}

/// Whether an organization-level rule has an organization to judge.
enum OrganizationScope<'a> {
    Scanned(&'a Organization),
    /// The outcome to report instead: not applicable (not scanned) or error (unreadable).
    Unscanned(Outcome),
}

fn organization_scope(inventory: &Inventory) -> OrganizationScope<'_> {
    let caller = inventory
        .identity
        .as_ref()
        .map(|i| i.account.clone())
        .or_else(|| inventory.accounts.keys().next().cloned())
        .unwrap_or_default();
    match &inventory.organization {
        Some(Observed::Ok(org)) => OrganizationScope::Scanned(org),
        Some(Observed::Error(error)) => OrganizationScope::Unscanned(
            Outcome::on(&caller, GLOBAL, "organization")
                .error(format!("the organization could not be read ({error})")),
        ),
        None => OrganizationScope::Unscanned(
            Outcome::on(&caller, GLOBAL, "organization")
                .not_applicable("the organization was not scanned (scan with --org)"),
        ),
    }
}
