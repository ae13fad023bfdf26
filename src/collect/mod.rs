//! Live collection: read-only AWS calls that fill an [`Inventory`]. Nothing here decides
//! pass or fail; a call that failed is recorded where its answer would have gone.
//!
//! The order of calls follows the data dependencies and nothing else, so a scan is as many
//! round trips deep as those dependencies force, whatever the number of regions:
//!
//! 1. `sts:GetCallerIdentity` and `ec2:DescribeRegions` (both need only credentials);
//! 2. `cloudtrail:DescribeTrails` in every enabled region, and the account's S3 Block Public
//!    Access (needs the account id);
//! 3. per trail, as soon as any region lists it: its status, event and insight selectors,
//!    its bucket's location, its KMS key, its log group;
//! 4. the bucket's configuration in the bucket's region; the log group's KMS key.
//!
//! Each trail, bucket, key and log group is fetched once however many regions list it. All
//! regions are in flight at once, bounded by [`limits::Limits`].

pub mod api_calls;
mod clients;
mod cloudtrail;
mod failure;
mod kms;
mod limits;
mod logs;
pub mod permissions;
pub mod progress;
mod regions;
mod s3;

use crate::inventory::keyed;
use crate::inventory::{
    Account, Arn, Bucket, CallerIdentity, Collection, ErrorKind, Inventory, KmsKey, LogGroup,
    ObservationError, Observed, Region, Trail, SCHEMA_VERSION,
};
use api_calls::ApiCallLog;
use aws_config::SdkConfig;
use chrono::{DateTime, Utc};
use clients::Clients;
use futures::future::join_all;
use limits::{Limits, Service};
pub use progress::Progress;
use std::collections::HashSet;
use std::future::Future;
use std::sync::Mutex;

/// Which regions to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionSelection {
    /// Every region enabled for the account.
    All,
    /// These regions; any that is not enabled for the account is skipped.
    Listed(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct CollectSettings {
    pub regions: RegionSelection,
    /// Calls in flight at once, over all services, regions and accounts.
    pub max_concurrency: usize,
}

/// Why a collection could not even start. Everything after the caller's identity is
/// recorded in the inventory instead.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error(
        "cannot identify the caller with sts:GetCallerIdentity ({0}); check the credentials \
         (--profile, AWS_PROFILE, AWS_ACCESS_KEY_ID, `aws sso login`) and --endpoint-url"
    )]
    Identity(String),
}

/// Where global calls go when neither `--region`, the profile nor `AWS_REGION` names one.
const DEFAULT_HOME_REGION: &str = "us-east-1";

/// Smithy timestamp → chrono; `None` for a time chrono cannot represent.
fn timestamp(time: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(time.secs(), time.subsec_nanos())
}

/// Collects the account of the credentials in `config`.
pub async fn collect(
    config: SdkConfig,
    settings: &CollectSettings,
    progress: Progress,
) -> Result<Inventory, CollectError> {
    let started_at = Utc::now();
    let home_region = match config.region() {
        Some(region) => region.as_ref().to_owned(),
        None => {
            tracing::info!("no region configured: using {DEFAULT_HOME_REGION} as the home region");
            DEFAULT_HOME_REGION.to_owned()
        }
    };
    let log = ApiCallLog::new(progress.clone());
    let clients = Clients::new(config, log.clone());
    let limits = Limits::new(settings.max_concurrency);
    progress.add_accounts(1);

    let sts = clients.sts(&home_region);
    let ec2 = clients.ec2(&home_region);
    let (identity, available) = tokio::join!(
        limits.run(
            "",
            Service::Sts,
            &home_region,
            sts.get_caller_identity().send()
        ),
        limits.run(
            "",
            Service::Ec2,
            &home_region,
            regions::describe_regions(&ec2)
        ),
    );
    let identity = identity.map_err(|e| {
        CollectError::Identity(failure::observation_error("sts:GetCallerIdentity", &e).message)
    })?;
    let identity = CallerIdentity {
        account: identity.account().unwrap_or_default().to_owned(),
        arn: identity.arn().unwrap_or_default().to_owned(),
        user_id: identity.user_id().unwrap_or_default().to_owned(),
    };
    let partition = match Arn::parse(&identity.arn) {
        Ok(arn) if crate::inventory::is_account_id(&identity.account) => arn.partition.to_owned(),
        _ => {
            return Err(CollectError::Identity(format!(
                "AWS answered an unusable identity (account `{}`, ARN `{}`)",
                identity.account, identity.arn
            )))
        }
    };

    let (planned, regions_error) = plan_regions(&settings.regions, &home_region, available);
    let scan = AccountScan {
        account: identity.account.clone(),
        partition: partition.clone(),
        home_region,
        clients: &clients,
        limits: &limits,
        progress: &progress,
        claimed: Mutex::default(),
        found: Mutex::default(),
    };
    let mut account = scan.run(planned).await;
    account.regions_error = regions_error;
    progress.account_done();

    let found = scan
        .found
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut inventory = Inventory {
        schema_version: SCHEMA_VERSION,
        generator: format!("trailwarden {}", env!("CARGO_PKG_VERSION")),
        collected_at: Utc::now(),
        partition,
        identity: Some(identity),
        organization: None,
        accounts: Default::default(),
        trails: Default::default(),
        buckets: Default::default(),
        kms_keys: Default::default(),
        log_groups: Default::default(),
        collection: None,
    };
    keyed::insert(&mut inventory.accounts, account);
    for trail in found.trails {
        keyed::insert(&mut inventory.trails, trail);
    }
    for bucket in found.buckets {
        keyed::insert(&mut inventory.buckets, bucket);
    }
    for key in found.kms_keys {
        merge_key(&mut inventory.kms_keys, key);
    }
    for group in found.log_groups {
        keyed::insert(&mut inventory.log_groups, group);
    }
    let api_calls = log.snapshot();
    tracing::info!(
        seconds = (inventory.collected_at - started_at).num_milliseconds() as f64 / 1000.0,
        calls = api_calls.iter().map(|c| c.calls).sum::<u64>(),
        "collection finished"
    );
    inventory.collection = Some(Collection {
        started_at,
        api_calls,
    });
    Ok(inventory)
}

/// Two references (an alias ARN and the key ARN) may resolve to one key: keep one entry
/// that knows both names.
fn merge_key(keys: &mut keyed::KeyedMap<KmsKey>, key: KmsKey) {
    match keys.get_mut(&key.arn) {
        Some(existing) => {
            for alias in key.aliases {
                if !existing.aliases.contains(&alias) {
                    existing.aliases.push(alias);
                }
            }
        }
        None => {
            keyed::insert(keys, key);
        }
    }
}

/// A region to scan, or to record as skipped with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PlannedRegion {
    name: String,
    skipped: Option<String>,
}

/// Decides which regions to scan from the selection and the account's enabled regions.
fn plan_regions(
    selection: &RegionSelection,
    home_region: &str,
    available: Result<Vec<regions::RegionAvailability>, ObservationError>,
) -> (Vec<PlannedRegion>, Option<ObservationError>) {
    let scan = |name: &str| PlannedRegion {
        name: name.to_owned(),
        skipped: None,
    };
    match (selection, available) {
        (RegionSelection::All, Ok(available)) => (
            available
                .iter()
                .map(|region| PlannedRegion {
                    name: region.name.clone(),
                    skipped: (!region.is_enabled()).then(|| {
                        format!(
                            "not enabled for this account (opt-in status {})",
                            region.opt_in_status
                        )
                    }),
                })
                .collect(),
            None,
        ),
        (RegionSelection::Listed(names), Ok(available)) => (
            names
                .iter()
                .map(|name| match available.iter().find(|r| &r.name == name) {
                    Some(region) if region.is_enabled() => scan(name),
                    Some(region) => PlannedRegion {
                        name: name.clone(),
                        skipped: Some(format!(
                            "not enabled for this account (opt-in status {})",
                            region.opt_in_status
                        )),
                    },
                    None => PlannedRegion {
                        name: name.clone(),
                        skipped: Some("not a region of this account's partition".to_owned()),
                    },
                })
                .collect(),
            None,
        ),
        // Without the list, scan what was asked for (a region that is not enabled will show
        // its calls failing), or the home region, which the credentials evidently work in.
        (RegionSelection::Listed(names), Err(error)) => {
            (names.iter().map(|name| scan(name)).collect(), Some(error))
        }
        (RegionSelection::All, Err(error)) => (vec![scan(home_region)], Some(error)),
    }
}

#[derive(Debug, Default)]
struct Found {
    trails: Vec<Trail>,
    buckets: Vec<Bucket>,
    kms_keys: Vec<KmsKey>,
    log_groups: Vec<LogGroup>,
}

/// One account's collection: the claims make every shared resource fetched once.
struct AccountScan<'a> {
    account: String,
    partition: String,
    home_region: String,
    clients: &'a Clients,
    limits: &'a Limits,
    progress: &'a Progress,
    claimed: Mutex<HashSet<(&'static str, String)>>,
    found: Mutex<Found>,
}

impl AccountScan<'_> {
    async fn limited<F: Future>(&self, service: Service, region: &str, call: F) -> F::Output {
        self.limits.run(&self.account, service, region, call).await
    }

    /// True for the first caller only: that one fetches the resource.
    fn claim(&self, kind: &'static str, key: &str) -> bool {
        self.claimed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert((kind, key.to_owned()))
    }

    fn found(&self, record: impl FnOnce(&mut Found)) {
        record(
            &mut self
                .found
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
    }

    async fn run(&self, planned: Vec<PlannedRegion>) -> Account {
        self.progress.add_regions(planned.len() as u64);
        let home = self.home_region.as_str();
        let s3control = self.clients.s3control(home);
        let (public_access_block, regions) = tokio::join!(
            self.limited(
                Service::S3Control,
                home,
                s3::account_public_access_block(&s3control, &self.account)
            ),
            join_all(planned.into_iter().map(|region| self.region(region))),
        );
        let mut account = Account {
            id: self.account.clone(),
            name: None,
            session_error: None,
            regions: Default::default(),
            regions_error: None,
            s3_public_access_block: public_access_block,
        };
        for region in regions {
            keyed::insert(&mut account.regions, region);
        }
        account
    }

    async fn region(&self, planned: PlannedRegion) -> Region {
        if let Some(reason) = planned.skipped {
            self.progress.region_done();
            let trails = Observed::failure(
                ErrorKind::NotCollected,
                "cloudtrail:DescribeTrails",
                format!("region skipped: {reason}"),
            );
            return Region {
                name: planned.name,
                skipped: Some(reason),
                trails,
            };
        }
        let client = self.clients.cloudtrail(&planned.name);
        let listed = self
            .limited(
                Service::CloudTrail,
                &planned.name,
                cloudtrail::describe_trails(&client),
            )
            .await;
        self.progress.region_done();
        let trails = match listed {
            Ok(trails) => {
                tracing::info!(region = %planned.name, trails = trails.len(), "listed trails");
                let arns = trails.iter().map(|t| t.arn.clone()).collect();
                let new = trails
                    .into_iter()
                    .filter(|trail| self.claim("trail", &trail.arn));
                join_all(new.map(|trail| self.trail(trail))).await;
                Observed::Ok(arns)
            }
            Err(error) => {
                tracing::warn!(region = %planned.name, %error, "cannot list trails");
                Observed::Error(error)
            }
        };
        Region {
            name: planned.name,
            skipped: None,
            trails,
        }
    }

    async fn trail(&self, mut trail: Trail) {
        let region = trail.home_region.clone();
        let client = self.clients.cloudtrail(&region);
        let bucket = trail.s3_bucket_name.clone();
        let key = trail.kms_key_id.clone();
        let log_group = trail.log_group_arn().map(str::to_owned);
        let arn = trail.arn.clone();
        let ((status, event_selectors, insight_selectors), (), (), ()) = tokio::join!(
            async {
                tokio::join!(
                    self.limited(
                        Service::CloudTrail,
                        &region,
                        cloudtrail::trail_status(&client, &arn)
                    ),
                    self.limited(
                        Service::CloudTrail,
                        &region,
                        cloudtrail::event_selectors(&client, &arn)
                    ),
                    self.limited(
                        Service::CloudTrail,
                        &region,
                        cloudtrail::insight_selectors(&client, &arn)
                    ),
                )
            },
            async {
                if let Some(bucket) = &bucket {
                    self.bucket(bucket).await;
                }
            },
            async {
                if let Some(key) = &key {
                    self.kms_key(key, &region).await;
                }
            },
            async {
                if let Some(log_group) = &log_group {
                    self.log_group(log_group).await;
                }
            },
        );
        trail.status = status;
        trail.event_selectors = event_selectors;
        trail.insight_selectors = insight_selectors;
        self.found(|found| found.trails.push(trail));
    }

    async fn bucket(&self, name: &str) {
        if !self.claim("bucket", name) {
            return;
        }
        let home = self.home_region.as_str();
        let location = self
            .limited(
                Service::S3,
                home,
                s3::location(&self.clients.s3(home), name, &self.account),
            )
            .await;
        let (region, owned) = match location {
            Observed::Ok((region, owned)) => (region, owned),
            Observed::Error(location_error) => {
                // Without the bucket's region every other call would be a guess; record
                // each as not asked, naming the call that failed.
                let not_asked = |action: &str| ObservationError {
                    kind: ErrorKind::NotCollected,
                    operation: action.to_owned(),
                    message: format!(
                        "not asked: the bucket's region is unknown ({location_error})"
                    ),
                };
                let bucket = Bucket {
                    name: name.to_owned(),
                    owner_account: None,
                    region: Observed::Error(location_error.clone()),
                    acl: Observed::Error(not_asked("s3:GetBucketAcl")),
                    policy: Observed::Error(not_asked("s3:GetBucketPolicy")),
                    policy_status: Observed::Error(not_asked("s3:GetBucketPolicyStatus")),
                    public_access_block: Observed::Error(not_asked(
                        "s3:GetBucketPublicAccessBlock",
                    )),
                    versioning: Observed::Error(not_asked("s3:GetBucketVersioning")),
                    logging: Observed::Error(not_asked("s3:GetBucketLogging")),
                    lifecycle: Observed::Error(not_asked("s3:GetLifecycleConfiguration")),
                    encryption: Observed::Error(not_asked("s3:GetEncryptionConfiguration")),
                    object_lock: Observed::Error(not_asked("s3:GetBucketObjectLockConfiguration")),
                };
                self.found(|found| found.buckets.push(bucket));
                return;
            }
        };
        let client = self.clients.s3(&region);
        let (acl, policy, policy_status, public_access_block, versioning) = tokio::join!(
            self.limited(Service::S3, &region, s3::acl(&client, name)),
            self.limited(Service::S3, &region, s3::policy(&client, name)),
            self.limited(Service::S3, &region, s3::policy_status(&client, name)),
            self.limited(
                Service::S3,
                &region,
                s3::bucket_public_access_block(&client, name)
            ),
            self.limited(Service::S3, &region, s3::versioning(&client, name)),
        );
        let (logging, lifecycle, encryption, object_lock) = tokio::join!(
            self.limited(Service::S3, &region, s3::logging(&client, name)),
            self.limited(Service::S3, &region, s3::lifecycle(&client, name)),
            self.limited(Service::S3, &region, s3::encryption(&client, name)),
            self.limited(Service::S3, &region, s3::object_lock(&client, name)),
        );
        let bucket = Bucket {
            name: name.to_owned(),
            owner_account: owned.then(|| self.account.clone()),
            region: Observed::Ok(region.clone()),
            acl,
            policy,
            policy_status,
            public_access_block,
            versioning,
            logging,
            lifecycle,
            encryption,
            object_lock,
        };
        self.found(|found| found.buckets.push(bucket));
    }

    /// A key as an ARN: trails and log groups name keys by ARN, but a bare key id or alias
    /// is completed with the scan's partition, account and the referring resource's region.
    fn key_arn(&self, reference: &str, region: &str) -> String {
        if reference.starts_with("arn:") {
            return reference.to_owned();
        }
        let resource = if reference.starts_with("alias/") {
            reference.to_owned()
        } else {
            format!("key/{reference}")
        };
        format!(
            "arn:{}:kms:{region}:{}:{resource}",
            self.partition, self.account
        )
    }

    async fn kms_key(&self, reference: &str, referrer_region: &str) {
        let reference = self.key_arn(reference, referrer_region);
        if !self.claim("kms-key", &reference) {
            return;
        }
        let Ok(parsed) = Arn::parse_regional(&reference, "kms") else {
            tracing::warn!(key = %reference, "skipping a KMS key reference that is not a KMS ARN");
            return;
        };
        let region = parsed.region.to_owned();
        let client = self.clients.kms(&region);
        // Rotation and policy need the key itself, not an alias: with a key ARN all three
        // calls go at once; an alias is resolved by DescribeKey first.
        let (metadata, rotation_enabled, policy) = if parsed.resource.starts_with("key/") {
            tokio::join!(
                self.limited(
                    Service::Kms,
                    &region,
                    kms::describe_key(&client, &reference)
                ),
                self.limited(
                    Service::Kms,
                    &region,
                    kms::rotation_enabled(&client, &reference)
                ),
                self.limited(Service::Kms, &region, kms::policy(&client, &reference)),
            )
        } else {
            let metadata = self
                .limited(
                    Service::Kms,
                    &region,
                    kms::describe_key(&client, &reference),
                )
                .await;
            match &metadata {
                Observed::Ok(Some((key_arn, _))) => {
                    let (rotation, policy) = tokio::join!(
                        self.limited(
                            Service::Kms,
                            &region,
                            kms::rotation_enabled(&client, key_arn)
                        ),
                        self.limited(Service::Kms, &region, kms::policy(&client, key_arn)),
                    );
                    (metadata.clone(), rotation, policy)
                }
                _ => {
                    let message =
                        format!("not asked: the alias {reference} does not resolve to a key");
                    (
                        metadata.clone(),
                        Observed::failure(
                            ErrorKind::NotCollected,
                            "kms:GetKeyRotationStatus",
                            message.clone(),
                        ),
                        Observed::failure(ErrorKind::NotCollected, "kms:GetKeyPolicy", message),
                    )
                }
            }
        };
        let (arn, metadata) = match metadata {
            Observed::Ok(Some((arn, metadata))) => (arn, Observed::Ok(Some(metadata))),
            Observed::Ok(None) => (reference.clone(), Observed::Ok(None)),
            Observed::Error(error) => (reference.clone(), Observed::Error(error)),
        };
        let aliases = if arn == reference {
            Vec::new()
        } else {
            vec![reference.clone()]
        };
        let key = KmsKey {
            arn,
            aliases,
            metadata,
            rotation_enabled,
            policy,
        };
        self.found(|found| found.kms_keys.push(key));
    }

    async fn log_group(&self, arn: &str) {
        if !self.claim("log-group", arn) {
            return;
        }
        let Ok(parsed) = Arn::parse_regional(arn, "logs") else {
            tracing::warn!(log_group = %arn, "skipping a log group reference that is not a Logs ARN");
            return;
        };
        let region = parsed.region.to_owned();
        let name = parsed
            .resource
            .strip_prefix("log-group:")
            .unwrap_or(parsed.resource);
        let details = if parsed.account == self.account {
            self.limited(
                Service::Logs,
                &region,
                logs::log_group(&self.clients.logs(&region), name),
            )
            .await
        } else {
            Observed::failure(
                ErrorKind::NotCollected,
                "logs:DescribeLogGroups",
                format!(
                    "the log group belongs to account {}, which this scan cannot read",
                    parsed.account
                ),
            )
        };
        if let Observed::Ok(Some(group)) = &details {
            if let Some(key) = &group.kms_key_id {
                self.kms_key(key, &region).await;
            }
        }
        self.found(|found| {
            found.log_groups.push(LogGroup {
                arn: arn.to_owned(),
                details,
            })
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regions::RegionAvailability;

    fn available() -> Vec<RegionAvailability> {
        [
            ("eu-west-1", "opt-in-not-required"),
            ("me-south-1", "not-opted-in"),
            ("ap-east-1", "opted-in"),
        ]
        .iter()
        .map(|(name, status)| RegionAvailability {
            name: (*name).into(),
            opt_in_status: (*status).into(),
        })
        .collect()
    }

    fn denied() -> ObservationError {
        ObservationError {
            kind: ErrorKind::Denied,
            operation: "ec2:DescribeRegions".into(),
            message: "AccessDenied".into(),
        }
    }

    #[test]
    fn all_regions_scans_the_enabled_and_skips_the_rest() {
        let (plan, error) = plan_regions(&RegionSelection::All, "eu-west-1", Ok(available()));
        assert!(error.is_none());
        let scanned = plan
            .iter()
            .filter(|r| r.skipped.is_none())
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>();
        assert_eq!(scanned, ["eu-west-1", "ap-east-1"]);
        let skipped = plan
            .iter()
            .find(|r| r.name == "me-south-1")
            .expect("listed");
        assert!(skipped
            .skipped
            .as_deref()
            .is_some_and(|s| s.contains("not-opted-in")));
    }

    #[test]
    fn listed_regions_that_are_not_enabled_or_unknown_are_skipped() {
        let selection = RegionSelection::Listed(vec![
            "me-south-1".into(),
            "eu-west-1".into(),
            "cn-north-1".into(),
        ]);
        let (plan, _) = plan_regions(&selection, "eu-west-1", Ok(available()));
        let skipped = plan
            .iter()
            .map(|r| (r.name.as_str(), r.skipped.is_some()))
            .collect::<Vec<_>>();
        assert_eq!(
            skipped,
            [
                ("me-south-1", true),
                ("eu-west-1", false),
                ("cn-north-1", true)
            ]
        );
    }

    #[test]
    fn without_the_region_list_the_scan_goes_on_and_says_why() {
        let (plan, error) = plan_regions(&RegionSelection::All, "eu-west-1", Err(denied()));
        assert_eq!(plan.len(), 1);
        assert_eq!(plan[0].name, "eu-west-1");
        assert_eq!(error, Some(denied()));
        let selection = RegionSelection::Listed(vec!["us-east-1".into(), "ap-east-1".into()]);
        let (plan, error) = plan_regions(&selection, "eu-west-1", Err(denied()));
        assert!(plan.iter().all(|r| r.skipped.is_none()));
        assert_eq!(plan.len(), 2);
        assert!(error.is_some());
    }
}
