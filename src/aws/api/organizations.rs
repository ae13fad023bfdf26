//! AWS Organizations: the organization, its accounts, CloudTrail's delegated administrators
//! and trusted service access. Asked with the caller's credentials, which must be those of
//! the management account or of a delegated administrator.

use crate::aws::failure::{observation_error, observe_pages};
use crate::inventory::{ObservationError, Observed, Organization, OrganizationAccount};
use aws_sdk_organizations::Client;

/// The service principal of CloudTrail, for its delegated administrators.
const CLOUDTRAIL_PRINCIPAL: &str = "cloudtrail.amazonaws.com";

/// The organization and every account in it. An error here means the scope itself is
/// unknown, so the caller stops rather than scanning a guess.
pub async fn organization(client: &Client) -> Result<Organization, ObservationError> {
    let (described, accounts) =
        tokio::join!(client.describe_organization().send(), list_accounts(client));
    let described =
        described.map_err(|e| observation_error("organizations:DescribeOrganization", &e))?;
    let org = described.organization();
    let id = org.and_then(|o| o.id()).unwrap_or_default().to_owned();
    let management_account_id = org
        .and_then(|o| o.master_account_id())
        .unwrap_or_default()
        .to_owned();
    Ok(Organization {
        id,
        management_account_id,
        accounts: accounts?,
        cloudtrail_delegated_administrators: Observed::default(),
        trusted_services: Observed::default(),
    })
}

async fn list_accounts(client: &Client) -> Result<Vec<OrganizationAccount>, ObservationError> {
    let mut pages = client.list_accounts().into_paginator().send();
    let mut accounts = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| observation_error("organizations:ListAccounts", &e))?;
        accounts.extend(page.accounts().iter().map(|account| {
            OrganizationAccount {
                id: account.id().unwrap_or_default().to_owned(),
                name: account.name().unwrap_or_default().to_owned(),
                // `State` replaces the deprecated `Status`; older answers carry only `Status`.
                status: account
                    .state()
                    .map(|s| s.as_str().to_owned())
                    .or_else(|| account.status().map(|s| s.as_str().to_owned()))
                    .unwrap_or_default(),
            }
        }));
    }
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(accounts)
}

/// Accounts registered as CloudTrail's delegated administrator, sorted.
pub async fn cloudtrail_delegated_administrators(client: &Client) -> Observed<Vec<String>> {
    let pages = client
        .list_delegated_administrators()
        .service_principal(CLOUDTRAIL_PRINCIPAL)
        .into_paginator()
        .send();
    observe_pages("organizations:ListDelegatedAdministrators", pages, |page| {
        page.delegated_administrators()
            .iter()
            .filter_map(|admin| admin.id().map(str::to_owned))
            .collect()
    })
    .await
    .map(sorted)
}

/// Service principals with trusted access to the organization, sorted.
pub async fn trusted_services(client: &Client) -> Observed<Vec<String>> {
    let pages = client
        .list_aws_service_access_for_organization()
        .into_paginator()
        .send();
    observe_pages(
        "organizations:ListAWSServiceAccessForOrganization",
        pages,
        |page| {
            page.enabled_service_principals()
                .iter()
                .filter_map(|service| service.service_principal().map(str::to_owned))
                .collect()
        },
    )
    .await
    .map(sorted)
}

fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items
}
