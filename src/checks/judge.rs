//! How rules turn observations into outcomes, shared by the rule files: per account over the
//! trails that cover it, per bucket trails write to, per KMS key, per observed field.

use crate::analysis::trail_coverage::{
    is_logging, is_multi_region, judge, AccountVerdict, TrailIndex, Via,
};
use crate::analysis::Truth;
use crate::inventory::{
    path, Account, Bucket, Inventory, KmsKey, Observed, Organization, Region, Trail,
};
use crate::rule::{Outcome, OutcomeBuilder, RuleContext};
use std::collections::BTreeMap;

/// Region label of findings about an account as a whole.
pub(super) const GLOBAL: &str = "global";

/// Buckets that trails write to, each with the trails that use it.
pub(super) fn trail_buckets(inventory: &Inventory) -> BTreeMap<&str, Vec<&Trail>> {
    let mut buckets: BTreeMap<&str, Vec<&Trail>> = BTreeMap::new();
    for trail in inventory.trails.values() {
        if let Some(name) = trail.s3_bucket_name.as_deref() {
            buckets.entry(name).or_default().push(trail);
        }
    }
    buckets
}

/// The ARN of an S3 bucket in the inventory's partition.
pub(super) fn bucket_arn(inventory: &Inventory, name: &str) -> String {
    format!("arn:{}:s3:::{name}", inventory.partition)
}

/// The account and region a bucket finding is reported under: the owner if known, else the
/// account of the first trail that uses it; the observed region, else `unknown`.
pub(super) fn bucket_location<'a>(
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
pub(super) enum OrganizationScope<'a> {
    Scanned(&'a Organization),
    /// The outcome to report instead: not applicable (not scanned) or error (unreadable).
    Unscanned(Outcome),
}

pub(super) fn organization_scope(inventory: &Inventory) -> OrganizationScope<'_> {
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

/// What an account-level requirement says in its findings.
pub(super) struct Requirement<'a> {
    /// Completes "TRAIL …" when a covering trail satisfies the requirement.
    pub(super) satisfied: &'a str,
    /// The failure when trails cover the account but none satisfies it (reasons follow).
    pub(super) unsatisfied: &'a str,
    /// The failure when no trail covers the account at all.
    pub(super) no_trail: &'a str,
}

/// One finding per account: PASS when a trail covering it (its own, or an organization
/// trail) passes `test`; ERROR when none does and some trail, or the account's trail list,
/// could not be judged; FAIL otherwise. Every covering trail is evidence, with its verdict.
pub(super) fn judge_accounts(
    ctx: &RuleContext,
    test: impl Fn(&Trail) -> Truth,
    requirement: Requirement,
) -> Vec<Outcome> {
    judge_accounts_in_detail(ctx, test, requirement, |_| None)
}

/// What a rule can say of a trail beyond its verdict: how it satisfies the requirement
/// (appended to the PASS message) and the matching evidence.
pub(super) struct Detail {
    pub(super) text: String,
    pub(super) evidence: serde_json::Value,
}

/// [`judge_accounts`], where `detail` describes how a trail satisfies the requirement.
pub(super) fn judge_accounts_in_detail(
    ctx: &RuleContext,
    test: impl Fn(&Trail) -> Truth,
    requirement: Requirement,
    detail: impl Fn(&Trail) -> Option<Detail>,
) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let index = TrailIndex::new(ctx.inventory);
    for account in ctx.inventory.accounts.values() {
        let judgement = judge(&index, account, &test);
        let mut outcome = Outcome::on(&account.id, GLOBAL, &account.id);
        for (covering, truth) in &judgement.trails {
            let trail = covering.trail;
            let mut evidence = serde_json::json!({
                "via": covering.via,
                "is_multi_region": trail.is_multi_region,
                "is_logging": trail.status.value().ok().map(|s| s.is_logging),
                "verdict": match truth {
                    Truth::Yes => "qualifies",
                    Truth::No(_) => "does not qualify",
                    Truth::Unknown(_) => "unknown",
                },
                "reasons": truth.reasons(),
            });
            if let (Some(found), serde_json::Value::Object(map)) = (detail(trail), &mut evidence) {
                map.insert("detail".to_owned(), found.evidence);
            }
            outcome = outcome.evidence(path::trail(&trail.arn), evidence);
        }
        outcomes.push(match judgement.verdict {
            AccountVerdict::Satisfied(covering) => {
                let via = match covering.via {
                    Via::Own => String::new(),
                    Via::OrganizationTrail | Via::Listed => format!(
                        " (organization trail of account {})",
                        covering.trail.owner_account()
                    ),
                };
                let how = detail(covering.trail)
                    .map(|found| format!(" {}", found.text))
                    .unwrap_or_default();
                outcome.pass(format!(
                    "{}{via} {}{how}",
                    covering.trail.name, requirement.satisfied
                ))
            }
            AccountVerdict::Unknown(why) => outcome.error(why),
            AccountVerdict::Unsatisfied(reasons) if reasons.is_empty() => {
                outcome.fail(requirement.no_trail)
            }
            AccountVerdict::Unsatisfied(reasons) => outcome.fail(format!(
                "{}: {}",
                requirement.unsatisfied,
                reasons.join("; ")
            )),
        });
    }
    outcomes
}

/// A trail's data as a truth: its observed value, or unknown with the reason.
pub(super) fn observed<'t, T>(
    trail: &Trail,
    what: &str,
    value: &'t Observed<T>,
) -> Result<&'t T, Truth> {
    value
        .value()
        .map_err(|error| Truth::unknown(format!("{}: {what} unknown ({error})", trail.name)))
}

/// `test` holds only for a logging multi-region trail.
pub(super) fn logging_multi_region(trail: &Trail) -> Truth {
    Truth::all([is_multi_region(trail), is_logging(trail)])
}

/// For a rule judging what is collected per region: the ERROR finding of an account in which
/// nothing could be read (its role could not be assumed), if so.
pub(super) fn session_unknown(account: &Account, what: &str) -> Option<Outcome> {
    let error = account.session_error.as_ref()?;
    Some(
        Outcome::on(&account.id, GLOBAL, &account.id)
            .evidence(
                format!("{}.session_error", path::account(&account.id)),
                error,
            )
            .error(format!("{what} unknown ({error})")),
    )
}

/// For a rule that must see every region: the ERROR finding of an account whose enabled
/// regions could not be listed, so that regions beyond those scanned are unknown, if so.
pub(super) fn regions_unknown(account: &Account, what: &str) -> Option<Outcome> {
    let error = account.regions_error.as_ref()?;
    Some(
        Outcome::on(&account.id, GLOBAL, &account.id)
            .evidence(format!("{}.regions_error", path::account(&account.id)), error)
            .error(format!(
                "{what} of regions beyond those scanned unknown: the enabled regions could not be listed ({error})"
            )),
    )
}

/// A finding on one region of an account (resource `ACCOUNT/REGION`), with the region's
/// `field` observation as evidence.
pub(super) fn region_outcome(
    account: &str,
    region: &Region,
    field: &str,
    value: &impl serde::Serialize,
) -> OutcomeBuilder {
    Outcome::on(account, &region.name, format!("{account}/{}", region.name)).evidence(
        format!("{}.{field}", path::region(account, &region.name)),
        value,
    )
}

/// Adds the key's metadata as evidence, when the key was found.
pub(super) fn with_key(outcome: OutcomeBuilder, key: Option<&KmsKey>) -> OutcomeBuilder {
    match key {
        Some(key) => outcome.evidence(
            format!("{}.metadata", path::kms_key(&key.arn)),
            &key.metadata,
        ),
        None => outcome,
    }
}

/// Judges an observed part of a resource: its value as evidence at `path`, ERROR naming
/// `what` when it is unknown, else `judge`'s verdict.
pub(super) fn judge_observed<T: serde::Serialize>(
    outcome: OutcomeBuilder,
    path: String,
    what: &str,
    observed: &Observed<T>,
    judge: impl FnOnce(OutcomeBuilder, &T) -> Outcome,
) -> Outcome {
    let outcome = outcome.evidence(path, observed);
    match observed.value() {
        Ok(value) => judge(outcome, value),
        Err(error) => outcome.error(format!("{what} unknown ({error})")),
    }
}

/// The verdict on a KMS key used to encrypt logs: customer managed and enabled.
pub(super) enum KeyVerdict<'a> {
    Customer(&'a KmsKey),
    Fails(String),
    Unknown(String),
}

/// Finds the key a resource names (ARN, alias ARN, or a bare id or alias completed with the
/// resource's account and region) and judges it.
pub(super) fn judge_key<'a>(
    inventory: &'a Inventory,
    reference: &str,
    account: &str,
    region: &str,
) -> (Option<&'a KmsKey>, KeyVerdict<'a>) {
    let key = inventory.kms_key(reference).or_else(|| {
        if reference.starts_with("arn:") {
            return None;
        }
        let resource = if reference.starts_with("alias/") {
            reference.to_owned()
        } else {
            format!("key/{reference}")
        };
        inventory.kms_key(&format!(
            "arn:{}:kms:{region}:{account}:{resource}",
            inventory.partition
        ))
    });
    let Some(key) = key else {
        return (
            None,
            KeyVerdict::Unknown(format!("key {reference} was not collected")),
        );
    };
    let verdict = match key.metadata.value() {
        Err(error) => KeyVerdict::Unknown(format!("key {} unknown ({error})", key.arn)),
        Ok(None) => KeyVerdict::Fails(format!("key {} does not exist", key.arn)),
        Ok(Some(meta)) if meta.key_state != "Enabled" => {
            KeyVerdict::Fails(format!("key {} is {}", key.arn, meta.key_state))
        }
        Ok(Some(meta)) if meta.key_manager != "CUSTOMER" => KeyVerdict::Fails(format!(
            "key {} is managed by {}, not a customer managed key",
            key.arn, meta.key_manager
        )),
        Ok(Some(_)) => KeyVerdict::Customer(key),
    };
    (Some(key), verdict)
}

/// One finding per bucket trails write to: `judge` decides on the collected bucket; a bucket
/// that was not collected is ERROR.
pub(super) fn judge_trail_buckets(
    ctx: &RuleContext,
    judge: impl Fn(OutcomeBuilder, &Bucket, &[&Trail]) -> Outcome,
) -> Vec<Outcome> {
    let inventory = ctx.inventory;
    trail_buckets(inventory)
        .into_iter()
        .map(|(name, trails)| {
            let (account, region) = bucket_location(inventory, name, &trails);
            let outcome = Outcome::on(account, region, bucket_arn(inventory, name));
            match inventory.buckets.get(name) {
                Some(bucket) => judge(outcome, bucket, &trails),
                None => outcome.error(format!("bucket {name} was not collected")),
            }
        })
        .collect()
}
