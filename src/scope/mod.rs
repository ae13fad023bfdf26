//! What to scan and with which credentials: the accounts (the caller's, those named, or the
//! organization's), the regions of each, and one credential session per account.
//! [`resolve`] turns what the user asked ([`ScopeSettings`]) into a [`Scope`]; collection
//! then reads AWS within it. Nothing here reads a trail, a bucket or a key.

pub mod accounts;
pub mod regions;
pub mod sessions;

use crate::aws::api::regions::{describe_regions, RegionAvailability};
use crate::aws::api::sts::caller_identity;
use crate::aws::clients::Clients;
use crate::aws::guard::ApiCallLog;
use crate::aws::limits::{Limits, Service};
use crate::inventory::{Arn, CallerIdentity, ObservationError, Organization, SkippedAccount};
use crate::progress::ScanProgress;
use accounts::{plan_accounts, read_organization, PlannedAccount};
use chrono::{DateTime, Utc};
use futures::future::join_all;
use sessions::{Caller, RoleSpec, Session};
use std::sync::Arc;

/// Which regions to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionSelection {
    /// Every region enabled for the account.
    All,
    /// These regions; any that is not enabled for the account is skipped.
    Listed(Vec<String>),
}

/// Which accounts to scan, and how to get into them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountScope {
    /// Every account of the caller's organization (`--org`).
    pub organization: bool,
    /// Only these accounts (`--accounts`); with `organization`, those of them in it.
    pub accounts: Option<Vec<String>>,
    /// Never these (`--exclude-accounts`).
    pub exclude: Vec<String>,
    pub role: RoleSpec,
}

/// What the user asked to scan.
#[derive(Debug, Clone)]
pub struct ScopeSettings {
    pub regions: RegionSelection,
    pub accounts: AccountScope,
}

/// Why the scope could not be resolved, so nothing can be scanned. Everything after the
/// scope is known is recorded in the inventory instead.
#[derive(Debug, thiserror::Error)]
pub enum ScopeError {
    #[error(
        "cannot identify the caller with sts:GetCallerIdentity ({0}); check the credentials \
         (--profile, AWS_PROFILE, AWS_ACCESS_KEY_ID, `aws sso login`) and --endpoint-url"
    )]
    Identity(String),
    #[error(
        "cannot list the organization's accounts ({0}); run --org with credentials of the \
         management account or of a delegated administrator, or name accounts with --accounts"
    )]
    Organization(String),
    #[error("nothing to scan: {0}")]
    NothingToScan(String),
}

/// Where global calls go when neither `--region`, the profile nor `AWS_REGION` names one.
const DEFAULT_HOME_REGION: &str = "us-east-1";

/// The scope of a scan: who the caller is, which accounts are scanned (each with its session
/// or the reason it has none) and which were left out, and the region selection each
/// account's enabled regions are matched against.
pub struct Scope {
    pub started_at: DateTime<Utc>,
    /// Where global calls go.
    pub home_region: String,
    pub partition: String,
    pub identity: CallerIdentity,
    pub organization: Option<Organization>,
    pub skipped_accounts: Vec<SkippedAccount>,
    pub regions: RegionSelection,
    /// Each account to scan, sorted by id, with its session or why none could be opened.
    pub accounts: Vec<(PlannedAccount, Result<Session, ObservationError>)>,
    /// The caller's own account's regions, listed at once with its identity.
    pub caller_regions: Result<Vec<RegionAvailability>, ObservationError>,
    /// Every AWS call of the scan, this stage's and those made with its sessions.
    pub api_calls: ApiCallLog,
}

/// Resolves `settings` starting from the caller's own credentials (`caller`, whose call log
/// records the whole scan): the caller's identity and
/// regions (and with `--org` the organization) at once, then every account's session at once.
pub async fn resolve(
    caller: Clients,
    settings: &ScopeSettings,
    limits: &Limits,
    progress: &ScanProgress,
) -> Result<Scope, ScopeError> {
    let started_at = Utc::now();
    let home_region = match caller.configured_region() {
        Some(region) => region,
        None => {
            tracing::info!("no region configured: using {DEFAULT_HOME_REGION} as the home region");
            DEFAULT_HOME_REGION.to_owned()
        }
    };
    let api_calls = caller.call_log().clone();
    let caller = Arc::new(caller);

    let sts = caller.sts(&home_region);
    let ec2 = caller.ec2(&home_region);
    let (identity, caller_regions, organization) = tokio::join!(
        limits.run("", Service::Sts, &home_region, caller_identity(&sts)),
        limits.run("", Service::Ec2, &home_region, describe_regions(&ec2)),
        async {
            if settings.accounts.organization {
                Some(read_organization(&caller, limits, &home_region).await)
            } else {
                None
            }
        },
    );
    let identity = identity.map_err(|e| ScopeError::Identity(e.message))?;
    let partition = match Arn::parse(&identity.arn) {
        Ok(arn) if crate::inventory::is_account_id(&identity.account) => arn.partition.to_owned(),
        _ => {
            return Err(ScopeError::Identity(format!(
                "AWS answered an unusable identity (account `{}`, ARN `{}`)",
                identity.account, identity.arn
            )))
        }
    };
    let organization = organization
        .transpose()
        .map_err(|error| ScopeError::Organization(error.to_string()))?;
    let (planned, skipped_accounts) =
        plan_accounts(&settings.accounts, &identity.account, organization.as_ref())?;
    progress.add_accounts(planned.len() as u64);

    // One session per account, all assumed at once.
    let opener = Caller {
        account: identity.account.clone(),
        partition: partition.clone(),
        home_region: home_region.clone(),
        clients: caller.clone(),
    };
    let sessions = join_all(
        planned
            .iter()
            .map(|account| opener.open_session(account, &settings.accounts.role, limits)),
    )
    .await;
    let accounts = sessions
        .into_iter()
        .map(|(account, session)| (account.clone(), session))
        .collect();
    Ok(Scope {
        started_at,
        home_region,
        partition,
        identity,
        organization,
        skipped_accounts,
        regions: settings.regions.clone(),
        accounts,
        caller_regions,
        api_calls,
    })
}
