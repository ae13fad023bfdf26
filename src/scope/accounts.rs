//! Which accounts are scanned, and why the others are skipped: the caller's own account,
//! the accounts named, or the organization's active accounts, less those excluded.

use super::{AccountScope, ScopeError};
use crate::aws::api::organizations;
use crate::aws::clients::Clients;
use crate::aws::limits::{Limits, Service};
use crate::inventory::{ObservationError, Organization, SkippedAccount};

/// The organization with its accounts (which decide the scope: an error stops the scan),
/// CloudTrail's delegated administrators and trusted services (recorded as observed).
pub async fn read_organization(
    caller: &Clients,
    limits: &Limits,
    home_region: &str,
) -> Result<Organization, ObservationError> {
    let client = caller.organizations(home_region);
    let (organization, admins, trusted) = tokio::join!(
        limits.run(
            "",
            Service::Organizations,
            home_region,
            organizations::organization(&client)
        ),
        limits.run(
            "",
            Service::Organizations,
            home_region,
            organizations::cloudtrail_delegated_administrators(&client)
        ),
        limits.run(
            "",
            Service::Organizations,
            home_region,
            organizations::trusted_services(&client)
        ),
    );
    let mut organization = organization?;
    organization.cloudtrail_delegated_administrators = admins;
    organization.trusted_services = trusted;
    Ok(organization)
}

/// An account to scan, with its name in the organization if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAccount {
    pub id: String,
    pub name: Option<String>,
}

/// Resolves the scope into the accounts to scan and those deliberately left out, each
/// sorted by id.
pub fn plan_accounts(
    scope: &AccountScope,
    caller: &str,
    organization: Option<&Organization>,
) -> Result<(Vec<PlannedAccount>, Vec<SkippedAccount>), ScopeError> {
    let mut targets = Vec::new();
    let mut skipped = Vec::new();
    let skip = |id: &str, name: Option<String>, reason: String| SkippedAccount {
        id: id.to_owned(),
        name,
        reason,
    };
    // Every candidate with its name and organization status, if known.
    let candidates: Vec<(String, Option<String>, Option<String>)> =
        match (organization, &scope.accounts) {
            (Some(org), named) => {
                let mut candidates = Vec::new();
                for account in &org.accounts {
                    if named.as_ref().is_none_or(|ids| ids.contains(&account.id)) {
                        let name = (!account.name.is_empty()).then(|| account.name.clone());
                        candidates.push((account.id.clone(), name, Some(account.status.clone())));
                    }
                }
                for id in named.iter().flatten() {
                    if !org.accounts.iter().any(|a| &a.id == id) {
                        skipped.push(skip(
                            id,
                            None,
                            format!("not an account of organization {}", org.id),
                        ));
                    }
                }
                candidates
            }
            (None, Some(ids)) => ids.iter().map(|id| (id.clone(), None, None)).collect(),
            (None, None) => vec![(caller.to_owned(), None, None)],
        };
    for (id, name, status) in candidates {
        if scope.exclude.contains(&id) {
            skipped.push(skip(&id, name, "excluded by --exclude-accounts".into()));
        } else if let Some(status) = status.filter(|s| !s.is_empty() && s != "ACTIVE") {
            skipped.push(skip(&id, name, format!("account is {status}")));
        } else if !targets.iter().any(|t: &PlannedAccount| t.id == id) {
            targets.push(PlannedAccount { id, name });
        }
    }
    targets.sort_by(|a, b| a.id.cmp(&b.id));
    skipped.sort_by(|a, b| a.id.cmp(&b.id));
    skipped.dedup_by(|a, b| a.id == b.id);
    if targets.is_empty() {
        return Err(ScopeError::NothingToScan(if skipped.is_empty() {
            "the organization lists no accounts".to_owned()
        } else {
            format!(
                "every account named was skipped ({})",
                skipped
                    .iter()
                    .map(|s| format!("{}: {}", s.id, s.reason))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        }));
    }
    Ok((targets, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Observed;
    use crate::scope::sessions::RoleSpec;

    fn scope(accounts: Option<&[&str]>, exclude: &[&str]) -> AccountScope {
        AccountScope {
            organization: true,
            accounts: accounts.map(|ids| ids.iter().map(|id| (*id).to_owned()).collect()),
            exclude: exclude.iter().map(|id| (*id).to_owned()).collect(),
            role: RoleSpec {
                name: "OrganizationAccountAccessRole".into(),
                external_id: None,
                session_name: "trailwarden".into(),
            },
        }
    }

    fn organization() -> Organization {
        let account = |id: &str, status: &str| crate::inventory::OrganizationAccount {
            id: id.into(),
            name: format!("name-{id}"),
            status: status.into(),
        };
        Organization {
            id: "o-test".into(),
            management_account_id: "111111111111".into(),
            accounts: vec![
                account("111111111111", "ACTIVE"),
                account("222222222222", "ACTIVE"),
                account("333333333333", "SUSPENDED"),
                account("444444444444", "ACTIVE"),
            ],
            cloudtrail_delegated_administrators: Observed::default(),
            trusted_services: Observed::default(),
        }
    }

    fn ids(targets: &[PlannedAccount]) -> Vec<&str> {
        targets.iter().map(|t| t.id.as_str()).collect()
    }

    #[test]
    fn an_organization_scope_skips_suspended_excluded_and_non_member_accounts() {
        let org = organization();
        let (targets, skipped) =
            plan_accounts(&scope(None, &["444444444444"]), "111111111111", Some(&org))
                .expect("plan");
        assert_eq!(ids(&targets), ["111111111111", "222222222222"]);
        assert_eq!(targets[1].name.as_deref(), Some("name-222222222222"));
        let reasons = skipped
            .iter()
            .map(|s| (s.id.as_str(), s.reason.as_str()))
            .collect::<Vec<_>>();
        assert_eq!(
            reasons,
            [
                ("333333333333", "account is SUSPENDED"),
                ("444444444444", "excluded by --exclude-accounts")
            ]
        );

        // --accounts narrows the organization; an id outside it is skipped, not scanned.
        let named = ["222222222222", "999999999999", "222222222222"];
        let (targets, skipped) =
            plan_accounts(&scope(Some(&named), &[]), "111111111111", Some(&org)).expect("plan");
        assert_eq!(ids(&targets), ["222222222222"]);
        assert_eq!(skipped.len(), 1);
        assert!(skipped[0]
            .reason
            .contains("not an account of organization o-test"));
    }

    #[test]
    fn without_an_organization_the_named_accounts_or_the_caller_are_scanned() {
        let mut named = scope(Some(&["333333333333", "222222222222", "333333333333"]), &[]);
        named.organization = false;
        let (targets, skipped) = plan_accounts(&named, "111111111111", None).expect("plan");
        assert_eq!(ids(&targets), ["222222222222", "333333333333"]);
        assert!(skipped.is_empty());

        let mut caller_only = scope(None, &[]);
        caller_only.organization = false;
        let (targets, _) = plan_accounts(&caller_only, "111111111111", None).expect("plan");
        assert_eq!(ids(&targets), ["111111111111"]);

        let mut everything_excluded = scope(None, &["111111111111"]);
        everything_excluded.organization = false;
        let error =
            plan_accounts(&everything_excluded, "111111111111", None).expect_err("nothing left");
        assert!(error.to_string().contains("nothing to scan"), "{error}");
    }
}
