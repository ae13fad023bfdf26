//! Which trails record an account's activity, and whether they do it fully.
//!
//! An account is covered by its own trails and by an organization trail of the
//! organization's management account — whether or not the member can see that trail
//! (members see it in real AWS; an emulator may hide it; the verdict must not depend on
//! it). A multi-region trail seen in many regions is one trail: the inventory keys trails
//! by ARN.

use super::event_selectors::management_coverage;
use super::Truth;
use crate::inventory::{Account, Inventory, ObservationError, Organization, Trail};
use std::collections::{BTreeMap, HashMap};

/// How a trail relates to the account it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// The account owns the trail.
    Own,
    /// An organization trail of the management account; covers every member account.
    OrganizationTrail,
    /// Listed by the account's `DescribeTrails` though owned elsewhere (an organization trail
    /// seen from a member when the organization itself was not in scope).
    Listed,
}

#[derive(Debug, Clone, Copy)]
pub struct CoveringTrail<'a> {
    pub trail: &'a Trail,
    pub via: Via,
}

/// Which trails may cover which account, indexed once per rule: an organization has about
/// as many trails as accounts, and passing over every trail for every account made a
/// 1,000-account evaluation quadratic.
pub struct TrailIndex<'a> {
    inventory: &'a Inventory,
    by_owner: HashMap<&'a str, Vec<&'a Trail>>,
    organization_trails: Vec<&'a Trail>,
}

impl<'a> TrailIndex<'a> {
    pub fn new(inventory: &'a Inventory) -> TrailIndex<'a> {
        let mut by_owner: HashMap<&str, Vec<&Trail>> = HashMap::new();
        let mut organization_trails = Vec::new();
        for trail in inventory.trails.values() {
            by_owner
                .entry(trail.owner_account())
                .or_default()
                .push(trail);
            if trail.is_organization_trail {
                organization_trails.push(trail);
            }
        }
        TrailIndex {
            inventory,
            by_owner,
            organization_trails,
        }
    }

    pub fn inventory(&self) -> &'a Inventory {
        self.inventory
    }

    /// Trails that may record `account`'s activity, in ARN order, each once: its own, the
    /// organization's, and any other its regions list (in that order of precedence).
    pub fn covering(&self, account: &Account) -> Vec<CoveringTrail<'a>> {
        let mut found: BTreeMap<&str, CoveringTrail<'a>> = BTreeMap::new();
        let listed = account
            .regions
            .values()
            .filter_map(|region| region.trails.value().ok())
            .flatten()
            .filter_map(|arn| self.inventory.trails.get(arn));
        for trail in listed {
            found.insert(
                &trail.arn,
                CoveringTrail {
                    trail,
                    via: Via::Listed,
                },
            );
        }
        if let Some(organization) = self.inventory.organization() {
            if organization.contains(&account.id) {
                for trail in &self.organization_trails {
                    if trail.owner_account() == organization.management_account_id {
                        found.insert(
                            &trail.arn,
                            CoveringTrail {
                                trail,
                                via: Via::OrganizationTrail,
                            },
                        );
                    }
                }
            }
        }
        for trail in self.by_owner.get(account.id.as_str()).into_iter().flatten() {
            found.insert(
                &trail.arn,
                CoveringTrail {
                    trail,
                    via: Via::Own,
                },
            );
        }
        found.into_values().collect()
    }
}

/// Whether the account's trails could be discovered at all. Multi-region and organization
/// trails appear in every region's `DescribeTrails`, so one region that answered suffices
/// to know them; if none answered, the account's trails are unknown.
pub fn discovery(account: &Account) -> Result<(), Vec<ObservationError>> {
    if let Some(error) = &account.session_error {
        return Err(vec![error.clone()]);
    }
    let scanned = account
        .regions
        .values()
        .filter(|r| r.skipped.is_none())
        .collect::<Vec<_>>();
    if scanned.iter().any(|region| region.trails.is_ok()) {
        return Ok(());
    }
    let errors = scanned
        .iter()
        .filter_map(|region| region.trails.value().err().cloned())
        .collect::<Vec<_>>();
    if errors.is_empty() {
        return Err(vec![ObservationError {
            kind: crate::inventory::ErrorKind::NotCollected,
            operation: "cloudtrail:DescribeTrails".into(),
            message: "no region of the account was scanned".into(),
        }]);
    }
    Err(errors)
}

/// Whether the trail is logging (from its observed status).
pub fn is_logging(trail: &Trail) -> Truth {
    match trail.status.value() {
        Ok(status) if status.is_logging => Truth::Yes,
        Ok(_) => Truth::no(format!("{} is not logging", trail.name)),
        Err(error) => Truth::unknown(format!("{}: logging status unknown ({error})", trail.name)),
    }
}

/// Whether the trail records every region.
pub fn is_multi_region(trail: &Trail) -> Truth {
    if let Some(reason) = trail.unknown_settings.get("is_multi_region") {
        return Truth::unknown(reason.clone());
    }
    if trail.is_multi_region {
        Truth::Yes
    } else {
        Truth::no(format!(
            "{} is a single-region trail ({})",
            trail.name, trail.home_region
        ))
    }
}

/// Whether the trail records all management events, read and write, from every source.
pub fn records_all_management_events(trail: &Trail) -> Truth {
    match trail.event_selectors.value() {
        Ok(selectors) => {
            let coverage = management_coverage(selectors);
            if coverage.is_complete() {
                Truth::Yes
            } else {
                Truth::no(format!("{}: {}", trail.name, coverage.shortfall()))
            }
        }
        Err(error) => Truth::unknown(format!("{}: event selectors unknown ({error})", trail.name)),
    }
}

/// CIS "CloudTrail enabled in all regions": multi-region AND logging AND all management
/// events, read and write, from every source.
pub fn records_all_regions(trail: &Trail) -> Truth {
    Truth::all([
        is_multi_region(trail),
        is_logging(trail),
        records_all_management_events(trail),
    ])
}

/// Records global service events (IAM, STS, CloudFront) for the account: a logging
/// multi-region trail with `IncludeGlobalServiceEvents`.
pub fn records_global_service_events(trail: &Trail) -> Truth {
    let global = if let Some(reason) = trail.unknown_settings.get("include_global_service_events") {
        Truth::unknown(reason.clone())
    } else if trail.include_global_service_events {
        Truth::Yes
    } else {
        Truth::no(format!("{} excludes global service events", trail.name))
    };
    Truth::all([is_multi_region(trail), global, is_logging(trail)])
}

/// An account-level verdict over the trails that cover the account.
pub struct AccountJudgement<'a> {
    /// Every covering trail with its own verdict, for evidence.
    pub trails: Vec<(CoveringTrail<'a>, Truth)>,
    pub verdict: AccountVerdict<'a>,
}

pub enum AccountVerdict<'a> {
    /// This trail satisfies the test.
    Satisfied(CoveringTrail<'a>),
    /// No trail is known to satisfy it, and some could not be judged: why, in one sentence.
    Unknown(String),
    /// No covering trail satisfies it; the reasons per trail (empty: there is no trail at all).
    Unsatisfied(Vec<String>),
}

/// Judges an account by whether any trail covering it passes `test`. A trail that passes
/// decides; otherwise an unknown trail, or trails that could not be listed, make it unknown.
pub fn judge<'a>(
    index: &TrailIndex<'a>,
    account: &Account,
    test: impl Fn(&Trail) -> Truth,
) -> AccountJudgement<'a> {
    let inventory = index.inventory();
    let trails: Vec<_> = index
        .covering(account)
        .into_iter()
        .map(|covering| {
            let truth = test(covering.trail);
            (covering, truth)
        })
        .collect();
    let verdict = if let Some((covering, _)) = trails.iter().find(|(_, truth)| truth.is_yes()) {
        AccountVerdict::Satisfied(*covering)
    } else if let Some(why) =
        why_incomplete(&trails, account).or_else(|| organization_trails_unknown(inventory, account))
    {
        AccountVerdict::Unknown(why)
    } else {
        AccountVerdict::Unsatisfied(
            trails
                .iter()
                .flat_map(|(_, truth)| truth.reasons().iter().cloned())
                .collect(),
        )
    };
    AccountJudgement { trails, verdict }
}

/// Whether the trails of the organization's management account — where organization
/// trails live — are known: why not, if they are not (not scanned, or not listed).
pub fn management_trails_unknown(inventory: &Inventory, org: &Organization) -> Option<String> {
    let management = &org.management_account_id;
    match inventory.accounts.get(management) {
        None => Some(format!(
            "the management account {management} was not scanned"
        )),
        Some(account) => discovery(account).err().map(|errors| {
            let errors = errors.iter().map(ToString::to_string).collect::<Vec<_>>();
            format!(
                "the trails of the management account {management} could not be listed: {}",
                errors.join("; ")
            )
        }),
    }
}

/// For a member of a scanned organization: why an organization trail of the management
/// account might cover it unseen, if the management account's trails are unknown. A member
/// must not FAIL for lack of a trail that may exist where the scan could not look.
pub fn organization_trails_unknown(inventory: &Inventory, account: &Account) -> Option<String> {
    let org = inventory.organization()?;
    if org.management_account_id == account.id || !org.contains(&account.id) {
        return None;
    }
    management_trails_unknown(inventory, org)
        .map(|why| format!("{why}, so an organization trail may cover this account unseen"))
}

/// Why the judged trails do not give the whole picture of the account, if they do not: some
/// trail could not be judged, or the account's trails could not be listed at all.
pub fn why_incomplete(trails: &[(CoveringTrail, Truth)], account: &Account) -> Option<String> {
    let unknown: Vec<&str> = trails
        .iter()
        .filter(|(_, truth)| matches!(truth, Truth::Unknown(_)))
        .flat_map(|(_, truth)| truth.reasons().iter().map(String::as_str))
        .collect();
    if !unknown.is_empty() {
        return Some(format!("could not decide: {}", unknown.join("; ")));
    }
    discovery(account).err().map(|errors| {
        let errors = errors.iter().map(ToString::to_string).collect::<Vec<_>>();
        format!(
            "trails of the account could not be listed: {}",
            errors.join("; ")
        )
    })
}
