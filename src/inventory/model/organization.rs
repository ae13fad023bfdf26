//! The organization: its accounts, CloudTrail's delegated administrators and trusted
//! services, and the accounts deliberately left out of a scan.

use crate::inventory::observed::Observed;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub id: String,
    pub management_account_id: String,
    /// Every account of the organization, in scope or not.
    #[serde(default)]
    pub accounts: Vec<OrganizationAccount>,
    /// Accounts registered as delegated administrator for CloudTrail
    /// (`organizations:ListDelegatedAdministrators` for `cloudtrail.amazonaws.com`).
    #[serde(default)]
    pub cloudtrail_delegated_administrators: Observed<Vec<String>>,
    /// Service principals with trusted access to the organization
    /// (`organizations:ListAWSServiceAccessForOrganization`), sorted.
    #[serde(default)]
    pub trusted_services: Observed<Vec<String>>,
}

impl Organization {
    pub fn contains(&self, account_id: &str) -> bool {
        self.management_account_id == account_id || self.accounts.iter().any(|a| a.id == account_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationAccount {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`.
    #[serde(default)]
    pub status: String,
}

/// An account named by the scope that was deliberately not scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkippedAccount {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub reason: String,
}
