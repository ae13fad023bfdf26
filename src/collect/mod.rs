//! Live collection: read-only AWS calls that fill an [`Inventory`]. Nothing here decides
//! pass or fail; a call that failed is recorded where its answer would have gone.
//!
//! The order of calls follows the data dependencies and nothing else, so a scan is as many
//! round trips deep as those dependencies force, whatever the number of accounts and regions:
//!
//! 1. `sts:GetCallerIdentity` and `ec2:DescribeRegions` (both need only credentials), and
//!    with `--org` the organization and its accounts;
//! 2. `sts:AssumeRole` into every other scanned account, all at once;
//! 3. per account: `ec2:DescribeRegions` (other accounts), then in every enabled region
//!    `cloudtrail:DescribeTrails`, the CloudTrail Lake event data stores (and their KMS keys)
//!    and the AWS Config recorders; and the account's S3 Block Public Access;
//! 4. per trail, as soon as any region of any account lists it: its status, event and
//!    insight selectors, tags, its bucket's location, its KMS key, its log group;
//! 5. the bucket's configuration in the bucket's region and its default KMS key; the log
//!    group's KMS key.
//!
//! Each trail, bucket, key and log group is fetched once however many regions and accounts
//! list it, with the session of the account that owns it when that account is scanned. All
//! accounts and regions are in flight at once, bounded by [`limits::Limits`].

use crate::analysis::{monitoring, trail_coverage, Truth};
use crate::aws::api::regions::RegionAvailability;
use crate::aws::api::{cloudtrail, cloudwatch, config_recorders, kms, logs, regions, s3, sns};
use crate::aws::failure;
use crate::aws::limits::{Limits, Service};
use crate::inventory::keyed;
use crate::inventory::{
    Account, Arn, Bucket, Collection, ErrorKind, Inventory, KmsKey, LogGroup, MetricAlarm,
    MetricFilter, ObservationError, Observed, Region, SnsTopic, Trail, SCHEMA_VERSION,
};
use crate::progress::ScanProgress;
use crate::scope::accounts::PlannedAccount;
use crate::scope::regions::{plan_regions, PlannedRegion};
use crate::scope::sessions::Session;
use crate::scope::{RegionSelection, Scope};
use chrono::Utc;
use futures::future::join_all;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::sync::Mutex;
use tokio::sync::OnceCell;

/// How collection reads within a scope.
#[derive(Debug, Clone)]
pub struct CollectSettings {
    /// Calls in flight at once, over all services, regions and accounts.
    pub max_concurrency: usize,
    /// Verify each trail's digest chain and log files over this recent window (`verify-logs`
    /// evidence for rule TW118); `None`: not verified.
    pub verify_logs_window: Option<chrono::Duration>,
}

/// Collects every account of `scope` with its session, within `limits`.
pub async fn collect(
    scope: Scope,
    settings: &CollectSettings,
    limits: &Limits,
    progress: &ScanProgress,
) -> Inventory {
    let Scope {
        started_at,
        home_region,
        partition,
        identity,
        organization,
        skipped_accounts,
        regions: selection,
        accounts: sessions,
        caller_regions,
        api_calls: log,
    } = scope;
    let scan = Scan {
        partition: partition.clone(),
        home_region: home_region.clone(),
        limits,
        progress,
        sessions: sessions
            .iter()
            .filter_map(|(_, session)| session.as_ref().ok())
            .map(|session| (session.account.clone(), session.clone()))
            .collect(),
        unentered: sessions
            .iter()
            .filter_map(|(target, session)| {
                let error = session.as_ref().err()?;
                Some((target.id.clone(), error.operation.clone()))
            })
            .collect(),
        claimed: Mutex::default(),
        found: Mutex::default(),
        bucket_owners: OnceCell::new(),
        accounts_in_flight: tokio::sync::Semaphore::new(accounts_in_flight(
            settings.max_concurrency,
        )),
        verify_logs_window: settings.verify_logs_window,
        verify_concurrency: settings.max_concurrency.clamp(1, 64),
    };
    let mut caller_regions = Some(caller_regions);
    let account_scans = sessions.iter().map(|(target, session)| {
        // The caller's regions were listed with its identity; every other account lists its own.
        let known_regions = if target.id == identity.account {
            caller_regions.take()
        } else {
            None
        };
        scan.account(target, session, known_regions, &selection)
    });
    let accounts = join_all(account_scans).await;

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
        organization: organization.map(Observed::Ok),
        accounts: Default::default(),
        trails: Default::default(),
        buckets: Default::default(),
        kms_keys: Default::default(),
        log_groups: Default::default(),
        topics: Default::default(),
        skipped_accounts,
        collection: None,
    };
    for account in accounts {
        keyed::insert(&mut inventory.accounts, account);
    }
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
    for (arn, metric_filters, alarms) in found.monitoring {
        let group = inventory
            .log_groups
            .entry(arn.clone())
            .or_insert_with(|| LogGroup {
                arn,
                details: Observed::default(),
                metric_filters: None,
                alarms: None,
            });
        group.metric_filters = Some(metric_filters);
        group.alarms = Some(alarms);
    }
    for topic in found.topics {
        keyed::insert(&mut inventory.topics, topic);
    }
    let api_calls = log.snapshot();
    tracing::info!(
        seconds = (inventory.collected_at - started_at).num_milliseconds() as f64 / 1000.0,
        accounts = inventory.accounts.len(),
        calls = api_calls.iter().map(|c| c.calls).sum::<u64>(),
        "collection finished"
    );
    inventory.collection = Some(Collection {
        started_at,
        api_calls,
    });
    inventory
}

/// ` (OPERATION failed)`, or nothing when the operation is not known.
fn failed_call(operation: &str) -> String {
    if operation.is_empty() {
        String::new()
    } else {
        format!(" ({operation} failed)")
    }
}

/// `observed`, with `note` added to its error's message if it is one.
fn with_note<T>(observed: Observed<T>, note: &str) -> Observed<T> {
    match observed {
        Observed::Error(mut error) => {
            error.message = format!("{}; {note}", error.message);
            Observed::Error(error)
        }
        ok => ok,
    }
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

/// A log group's monitoring chain as collected: its ARN, metric filters, alarms.
type Monitoring = (
    String,
    Observed<Vec<MetricFilter>>,
    Observed<Vec<MetricAlarm>>,
);

#[derive(Debug, Default)]
struct Found {
    trails: Vec<Trail>,
    buckets: Vec<Bucket>,
    kms_keys: Vec<KmsKey>,
    log_groups: Vec<LogGroup>,
    /// Per log group ARN: its metric filters and the alarms on their metrics.
    monitoring: Vec<Monitoring>,
    topics: Vec<SnsTopic>,
}

/// Which scanned account owns each bucket (`s3:ListAllMyBuckets` in every session), and the
/// accounts whose list could not be read.
#[derive(Debug, Default)]
struct BucketOwners {
    owners: HashMap<String, String>,
    unknown: Vec<String>,
}

/// A whole collection: the sessions of the scanned accounts and what was found. The claims
/// make every shared resource fetched once over all accounts.
struct Scan<'a> {
    partition: String,
    home_region: String,
    limits: &'a Limits,
    progress: &'a ScanProgress,
    /// Every scanned account with a working session.
    sessions: BTreeMap<String, Session>,
    /// The accounts of the scope without one, with the call that failed (`sts:AssumeRole`):
    /// whatever they own is unknown, which a bucket owned by none of the sessions must say.
    unentered: BTreeMap<String, String>,
    claimed: Mutex<HashSet<(&'static str, String)>>,
    found: Mutex<Found>,
    /// Built on first need only: when a bucket turns out not to be its referrer's.
    bucket_owners: OnceCell<BucketOwners>,
    /// Accounts scanned at once (see [`accounts_in_flight`]).
    accounts_in_flight: tokio::sync::Semaphore,
    verify_logs_window: Option<chrono::Duration>,
    /// S3 requests in flight for one trail's verification.
    verify_concurrency: usize,
}

/// How many accounts are scanned at once. The global call limit already bounds the work in
/// flight; this bounds memory: every account scanned at once keeps an SDK client per service
/// and region (~100 KiB each, 2 MiB for an account of 20 regions). A tenth of the call
/// limit still keeps the call limit busy (an account has 20+ calls to make at once).
fn accounts_in_flight(max_concurrency: usize) -> usize {
    (max_concurrency / 10).max(4)
}

impl Scan<'_> {
    async fn limited<F: Future>(
        &self,
        session: &Session,
        service: Service,
        region: &str,
        call: F,
    ) -> F::Output {
        self.limits
            .run(&session.account, service, region, call)
            .await
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

    /// The accounts of the scope that could not be entered, as a clause for a message
    /// (empty when every account was): `; it may be one of 2 account(s) that could not be
    /// entered: 111… (sts:AssumeRole failed), …`.
    fn unentered_accounts(&self) -> String {
        if self.unentered.is_empty() {
            return String::new();
        }
        let listed: Vec<String> = self
            .unentered
            .iter()
            .map(|(account, operation)| format!("{account}{}", failed_call(operation)))
            .collect();
        format!(
            "; it may be one of {} account(s) that could not be entered: {}",
            listed.len(),
            listed.join(", ")
        )
    }

    /// Why a resource of `account`, which has no session, could not be read with its owner's:
    /// the account is outside the scope, or its session could not be opened (naming the call).
    fn unscanned(&self, account: &str) -> String {
        match self.unentered.get(account) {
            None => format!("account {account}, which is not scanned"),
            Some(operation) => format!(
                "account {account}, which could not be entered{}",
                failed_call(operation)
            ),
        }
    }

    /// The session of `account` if it is scanned, else `fallback`.
    fn session_of<'s>(&'s self, account: &str, fallback: &'s Session) -> &'s Session {
        self.sessions.get(account).unwrap_or(fallback)
    }

    async fn account(
        &self,
        target: &PlannedAccount,
        session: &Result<Session, ObservationError>,
        known_regions: Option<Result<Vec<RegionAvailability>, ObservationError>>,
        selection: &RegionSelection,
    ) -> Account {
        // The semaphore is never closed; if acquiring ever failed, the scan would go unbounded.
        let _slot = self.accounts_in_flight.acquire().await.ok();
        let session = match session {
            Ok(session) => session,
            Err(error) => {
                self.progress.account_done();
                return Account {
                    id: target.id.clone(),
                    name: target.name.clone(),
                    session_error: Some(error.clone()),
                    regions: Default::default(),
                    regions_error: None,
                    s3_public_access_block: Observed::failure(
                        ErrorKind::NotCollected,
                        "s3:GetAccountPublicAccessBlock",
                        format!("no session in the account ({error})"),
                    ),
                };
            }
        };
        let home = self.home_region.as_str();
        let available = match known_regions {
            Some(available) => available,
            None => {
                let ec2 = session.clients.ec2(home);
                self.limited(session, Service::Ec2, home, regions::describe_regions(&ec2))
                    .await
            }
        };
        let (planned, regions_error) = plan_regions(selection, home, available);
        self.progress.add_regions(planned.len() as u64);
        let s3control = session.clients.s3control(home);
        let (public_access_block, regions) = tokio::join!(
            self.limited(
                session,
                Service::S3Control,
                home,
                s3::account_public_access_block(&s3control, &session.account)
            ),
            join_all(
                planned
                    .into_iter()
                    .map(|region| self.region(session, region))
            ),
        );
        let mut account = Account {
            id: target.id.clone(),
            name: target.name.clone(),
            session_error: None,
            regions: Default::default(),
            regions_error,
            s3_public_access_block: public_access_block,
        };
        for region in regions {
            keyed::insert(&mut account.regions, region);
        }
        session.clients.release();
        self.progress.account_done();
        account
    }

    async fn region(&self, session: &Session, planned: PlannedRegion) -> Region {
        if let Some(reason) = planned.skipped {
            self.progress.region_done();
            let trails = Observed::failure(
                ErrorKind::NotCollected,
                "cloudtrail:DescribeTrails",
                format!("region skipped: {reason}"),
            );
            let why = format!("region skipped: {reason}");
            return Region {
                event_data_stores: Observed::failure(
                    ErrorKind::NotCollected,
                    "cloudtrail:ListEventDataStores",
                    &why,
                ),
                config_recorders: Observed::failure(
                    ErrorKind::NotCollected,
                    "config:DescribeConfigurationRecorders",
                    &why,
                ),
                name: planned.name,
                skipped: Some(reason),
                trails,
            };
        }
        let region = planned.name.as_str();
        let client = session.clients.cloudtrail(region);
        let config = session.clients.config_service(region);
        let (listed, event_data_stores, config_recorders) = tokio::join!(
            self.limited(
                session,
                Service::CloudTrail,
                region,
                cloudtrail::describe_trails(&client),
            ),
            self.limited(
                session,
                Service::CloudTrail,
                region,
                cloudtrail::event_data_stores(&client),
            ),
            self.limited(
                session,
                Service::Config,
                region,
                config_recorders::recorders(&config)
            ),
        );
        if let Observed::Ok(stores) = &event_data_stores {
            let keys = stores.iter().filter_map(|store| store.kms_key_id.clone());
            join_all(keys.map(|key| async move { self.kms_key(session, &key, region).await }))
                .await;
        }
        self.progress.region_done();
        let trails = match listed {
            Ok(trails) => {
                tracing::info!(account = %session.account, region = %planned.name, trails = trails.len(), "listed trails");
                let arns = trails.iter().map(|t| t.arn.clone()).collect();
                let new = trails
                    .into_iter()
                    .filter(|trail| self.claim("trail", &trail.arn));
                join_all(new.map(|trail| self.trail(session, trail))).await;
                Observed::Ok(arns)
            }
            Err(error) => {
                tracing::warn!(account = %session.account, region = %planned.name, %error, "cannot list trails");
                Observed::Error(error)
            }
        };
        Region {
            name: planned.name,
            skipped: None,
            trails,
            event_data_stores,
            config_recorders,
        }
    }

    /// A trail's details, asked by its owner when the owner is scanned (a member sees an
    /// organization trail, but the management account is the one that keeps it).
    async fn trail(&self, lister: &Session, mut trail: Trail) {
        let owner = self.session_of(trail.owner_account(), lister);
        let region = trail.home_region.clone();
        let client = owner.clients.cloudtrail(&region);
        let bucket = trail.s3_bucket_name.clone();
        let key = trail.kms_key_id.clone();
        let log_group = trail.log_group_arn().map(str::to_owned);
        let arn = trail.arn.clone();
        let verify_window = self
            .verify_logs_window
            .filter(|_| trail.log_file_validation_enabled);
        let ((status, event_selectors, insight_selectors, tags), (), (), (), log_integrity) = tokio::join!(
            async {
                tokio::join!(
                    self.limited(
                        owner,
                        Service::CloudTrail,
                        &region,
                        cloudtrail::trail_status(&client, &arn)
                    ),
                    self.limited(
                        owner,
                        Service::CloudTrail,
                        &region,
                        cloudtrail::event_selectors(&client, &arn)
                    ),
                    self.limited(
                        owner,
                        Service::CloudTrail,
                        &region,
                        cloudtrail::insight_selectors(&client, &arn)
                    ),
                    self.limited(
                        owner,
                        Service::CloudTrail,
                        &region,
                        cloudtrail::tags(&client, &arn)
                    ),
                )
            },
            async {
                if let Some(bucket) = &bucket {
                    self.bucket(owner, bucket).await;
                }
            },
            async {
                if let Some(key) = &key {
                    self.kms_key(owner, key, &region).await;
                }
            },
            async {
                if let Some(log_group) = &log_group {
                    self.log_group(log_group).await;
                }
            },
            async {
                // A trail without validation has nothing to verify: TW118 says so.
                match verify_window {
                    Some(window) => Some(
                        crate::verify::run::verify_recent(
                            owner.clients.clone(),
                            &trail,
                            window,
                            chrono::Utc::now(),
                            self.verify_concurrency,
                        )
                        .await,
                    ),
                    None => None,
                }
            },
        );
        trail.status = status;
        trail.log_integrity = log_integrity;
        trail.event_selectors = event_selectors;
        trail.insight_selectors = insight_selectors;
        trail.tags = tags;
        if let Some(log_group) = &log_group {
            if may_qualify_for_monitoring(&trail) {
                self.monitoring(log_group).await;
            }
        }
        self.found(|found| found.trails.push(trail));
    }

    /// Which scanned account owns each bucket; asked once, in every session at once.
    async fn bucket_owners(&self) -> &BucketOwners {
        self.bucket_owners
            .get_or_init(|| async {
                let home = self.home_region.as_str();
                let lists = join_all(self.sessions.values().map(|session| async move {
                    let client = session.clients.s3(home);
                    let owned = self
                        .limited(session, Service::S3, home, s3::owned_buckets(&client))
                        .await;
                    (session.account.clone(), owned)
                }))
                .await;
                let mut owners = BucketOwners::default();
                for (account, owned) in lists {
                    match owned {
                        Observed::Ok(names) => {
                            for name in names {
                                owners.owners.insert(name, account.clone());
                            }
                        }
                        Observed::Error(error) => {
                            tracing::warn!(%account, %error, "cannot list the account's buckets");
                            owners.unknown.push(account);
                        }
                    }
                }
                owners
            })
            .await
    }

    /// The bucket's region, asked in the home region with `session`.
    async fn locate(
        &self,
        session: &Session,
        name: &str,
        expected_owner: Option<&str>,
    ) -> Result<String, s3::LocationError> {
        let home = self.home_region.as_str();
        let client = session.clients.s3(home);
        self.limited(
            session,
            Service::S3,
            home,
            s3::location(&client, name, expected_owner),
        )
        .await
    }

    /// A log bucket, read with its owner's session. The referrer (the account of the trail
    /// that writes to it) is asked first as expected owner, which settles the common case in
    /// one call; a bucket kept elsewhere is looked up among the scanned accounts' buckets.
    /// A bucket of no scanned account is read with the referrer's session if its policy lets
    /// it, and otherwise recorded as unreadable, with why.
    async fn bucket(&self, referrer: &Session, name: &str) {
        if !self.claim("bucket", name) {
            return;
        }
        let probe = self.locate(referrer, name, Some(&referrer.account)).await;
        let mut not_owned_by = Vec::new();
        let (reader, location, owner) = match probe {
            Ok(region) => (
                referrer,
                Observed::Ok(region),
                Some(referrer.account.clone()),
            ),
            Err(e) if s3::is_denied(&e) => {
                let owners = if self.sessions.len() > 1 {
                    Some(self.bucket_owners().await)
                } else {
                    None
                };
                match owners
                    .and_then(|o| o.owners.get(name))
                    .and_then(|owner| self.sessions.get(owner))
                {
                    Some(owner) => {
                        let located = self.locate(owner, name, Some(&owner.account)).await;
                        (
                            owner,
                            failure::observe("s3:GetBucketLocation", located),
                            Some(owner.account.clone()),
                        )
                    }
                    None => {
                        // Not the referrer's and (as far as could be seen) no other scanned
                        // account's: ask without the owner condition, which a bucket policy
                        // granting the referrer read access allows.
                        let located = self.locate(referrer, name, None).await;
                        let mut location = failure::observe("s3:GetBucketLocation", located);
                        if location.is_ok() {
                            // Refused with the referrer as expected owner, answered without:
                            // not the referrer's, nor any scanned account's that listed its own.
                            not_owned_by.push(referrer.account.clone());
                            if let Some(owners) = owners {
                                not_owned_by.extend(
                                    self.sessions
                                        .keys()
                                        .filter(|account| !owners.unknown.contains(account))
                                        .cloned(),
                                );
                            }
                            not_owned_by.sort();
                            not_owned_by.dedup();
                        }
                        if let (Observed::Error(error), Some(owners)) = (&mut location, owners) {
                            error.message = format!(
                                "{}; the bucket belongs to none of the {} scanned account(s){}{}",
                                error.message,
                                self.sessions.len(),
                                if owners.unknown.is_empty() {
                                    String::new()
                                } else {
                                    format!(
                                        " whose buckets could be listed (not: {})",
                                        owners.unknown.join(", ")
                                    )
                                },
                                self.unentered_accounts()
                            );
                        }
                        (referrer, location, None)
                    }
                }
            }
            Err(e) => (
                referrer,
                failure::observe::<String, _>("s3:GetBucketLocation", Err(e)),
                None,
            ),
        };
        let region = match location {
            Observed::Ok(region) => region,
            Observed::Error(location_error) => {
                self.found(|found| found.buckets.push(unlocated_bucket(name, location_error)));
                return;
            }
        };
        let client = reader.clients.s3(&region);
        let (acl, policy, policy_status, public_access_block, versioning) = tokio::join!(
            self.limited(reader, Service::S3, &region, s3::acl(&client, name)),
            self.limited(reader, Service::S3, &region, s3::policy(&client, name)),
            self.limited(
                reader,
                Service::S3,
                &region,
                s3::policy_status(&client, name)
            ),
            self.limited(
                reader,
                Service::S3,
                &region,
                s3::bucket_public_access_block(&client, name)
            ),
            self.limited(reader, Service::S3, &region, s3::versioning(&client, name)),
        );
        let (logging, lifecycle, encryption, object_lock) = tokio::join!(
            self.limited(reader, Service::S3, &region, s3::logging(&client, name)),
            self.limited(reader, Service::S3, &region, s3::lifecycle(&client, name)),
            self.limited(reader, Service::S3, &region, s3::encryption(&client, name)),
            self.limited(reader, Service::S3, &region, s3::object_lock(&client, name)),
        );
        if let Ok(Some(key)) = encryption
            .value()
            .map(|e| e.as_ref().and_then(|e| e.kms_master_key_id.as_ref()))
        {
            self.kms_key(reader, key, &region).await;
        }
        let bucket = Bucket {
            name: name.to_owned(),
            owner_account: owner,
            not_owned_by,
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
    /// is completed with the scan's partition, the referring account and region.
    fn key_arn(&self, reference: &str, account: &str, region: &str) -> String {
        if reference.starts_with("arn:") {
            return reference.to_owned();
        }
        let resource = if reference.starts_with("alias/") {
            reference.to_owned()
        } else {
            format!("key/{reference}")
        };
        format!("arn:{}:kms:{region}:{account}:{resource}", self.partition)
    }

    /// A KMS key, read with its owner's session when the owner is scanned, else with the
    /// referrer's (a key policy may grant it). From a session of another account, "not
    /// found" proves nothing, so it is recorded as unreadable rather than as absent.
    async fn kms_key(&self, referrer: &Session, reference: &str, referrer_region: &str) {
        let reference = self.key_arn(reference, &referrer.account, referrer_region);
        if !self.claim("kms-key", &reference) {
            return;
        }
        let Ok(parsed) = Arn::parse_regional(&reference, "kms") else {
            tracing::warn!(key = %reference, "skipping a KMS key reference that is not a KMS ARN");
            return;
        };
        let reader = self.session_of(parsed.account, referrer);
        let foreign = reader.account != parsed.account;
        let region = parsed.region.to_owned();
        let client = reader.clients.kms(&region);
        // Rotation and policy need the key itself, not an alias: with a key ARN all three
        // calls go at once; an alias is resolved by DescribeKey first.
        let (metadata, rotation_enabled, policy) = if parsed.resource.starts_with("key/") {
            tokio::join!(
                self.limited(
                    reader,
                    Service::Kms,
                    &region,
                    kms::describe_key(&client, &reference)
                ),
                self.limited(
                    reader,
                    Service::Kms,
                    &region,
                    kms::rotation_enabled(&client, &reference)
                ),
                self.limited(
                    reader,
                    Service::Kms,
                    &region,
                    kms::policy(&client, &reference)
                ),
            )
        } else {
            let metadata = self
                .limited(
                    reader,
                    Service::Kms,
                    &region,
                    kms::describe_key(&client, &reference),
                )
                .await;
            match &metadata {
                Observed::Ok(Some((key_arn, _))) => {
                    let (rotation, policy) = tokio::join!(
                        self.limited(
                            reader,
                            Service::Kms,
                            &region,
                            kms::rotation_enabled(&client, key_arn)
                        ),
                        self.limited(reader, Service::Kms, &region, kms::policy(&client, key_arn)),
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
        let metadata = match metadata {
            Observed::Ok(None) if foreign => Observed::failure(
                ErrorKind::Denied,
                "kms:DescribeKey",
                format!(
                    "the key belongs to {}, and is not visible from account {}",
                    self.unscanned(parsed.account),
                    reader.account
                ),
            ),
            other => other,
        };
        // A foreign key's calls failing (NotFound, AccessDenied) says little on its own: say
        // why the owner's session was not used, naming its failed call if it had one.
        let (rotation_enabled, policy) = if foreign {
            let owner = format!("the key belongs to {}", self.unscanned(parsed.account));
            (
                with_note(rotation_enabled, &owner),
                with_note(policy, &owner),
            )
        } else {
            (rotation_enabled, policy)
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

    /// A log group, read with its owner's session; CloudWatch Logs cannot describe another
    /// account's log groups, so one of an account that is not scanned is recorded as such.
    async fn log_group(&self, arn: &str) {
        if !self.claim("log-group", arn) {
            return;
        }
        let Some((parsed, name)) = parse_log_group(arn) else {
            tracing::warn!(log_group = %arn, "skipping a log group reference that is not a Logs ARN");
            return;
        };
        let region = parsed.region.to_owned();
        let owner = self.sessions.get(parsed.account);
        let details = match owner {
            Some(owner) => {
                self.limited(
                    owner,
                    Service::Logs,
                    &region,
                    logs::log_group(&owner.clients.logs(&region), name),
                )
                .await
            }
            None => Observed::failure(
                ErrorKind::NotCollected,
                "logs:DescribeLogGroups",
                format!(
                    "the log group belongs to {}",
                    self.unscanned(parsed.account)
                ),
            ),
        };
        if let (Observed::Ok(Some(group)), Some(owner)) = (&details, owner) {
            if let Some(key) = &group.kms_key_id {
                self.kms_key(owner, key, &region).await;
            }
        }
        self.found(|found| {
            found.log_groups.push(LogGroup {
                arn: arn.to_owned(),
                details,
                metric_filters: None,
                alarms: None,
            })
        });
    }

    /// The CIS monitoring chain behind a log group: its metric filters, the alarms in its
    /// account and region on their metrics, and the SNS topics those alarms notify. Read
    /// with the group owner's session; a group of an account that is not scanned is
    /// recorded as not collected.
    async fn monitoring(&self, arn: &str) {
        if !self.claim("log-group-monitoring", arn) {
            return;
        }
        let Some((parsed, name)) = parse_log_group(arn) else {
            return;
        };
        let region = parsed.region.to_owned();
        let (filters, alarms) = match self.sessions.get(parsed.account) {
            None => {
                let why = format!(
                    "the log group belongs to {}",
                    self.unscanned(parsed.account)
                );
                (
                    Observed::failure(ErrorKind::NotCollected, "logs:DescribeMetricFilters", &why),
                    Observed::failure(ErrorKind::NotCollected, "cloudwatch:DescribeAlarms", why),
                )
            }
            Some(owner) => {
                let filters = self
                    .limited(
                        owner,
                        Service::Logs,
                        &region,
                        logs::metric_filters(&owner.clients.logs(&region), name),
                    )
                    .await;
                let alarms = match &filters {
                    Observed::Ok(filters) => {
                        let metrics: BTreeSet<String> = filters
                            .iter()
                            .flat_map(|f| &f.transformations)
                            .map(|t| t.metric_name.clone())
                            .collect();
                        if metrics.is_empty() {
                            Observed::Ok(Vec::new())
                        } else {
                            self.limited(
                                owner,
                                Service::CloudWatch,
                                &region,
                                cloudwatch::alarms_on(&owner.clients.cloudwatch(&region), &metrics),
                            )
                            .await
                        }
                    }
                    Observed::Error(error) => Observed::failure(
                        ErrorKind::NotCollected,
                        "cloudwatch:DescribeAlarms",
                        format!("not asked: the metric filters are unknown ({error})"),
                    ),
                };
                if let Observed::Ok(alarms) = &alarms {
                    let topics: BTreeSet<&str> = alarms
                        .iter()
                        .flat_map(|alarm| &alarm.alarm_actions)
                        .map(String::as_str)
                        .filter(|action| monitoring::is_sns_topic(action))
                        .collect();
                    join_all(topics.into_iter().map(|topic| self.topic(owner, topic))).await;
                }
                (filters, alarms)
            }
        };
        self.found(|found| found.monitoring.push((arn.to_owned(), filters, alarms)));
    }

    /// An SNS topic's subscriptions, read with the topic owner's session when the owner is
    /// scanned, else with the referrer's (a topic policy may allow it; if not, ERROR).
    async fn topic(&self, referrer: &Session, arn: &str) {
        if !self.claim("topic", arn) {
            return;
        }
        let subscriptions = match Arn::parse_regional(arn, "sns") {
            Ok(parsed) => {
                let reader = self.session_of(parsed.account, referrer);
                let region = parsed.region.to_owned();
                let subscriptions = self
                    .limited(
                        reader,
                        Service::Sns,
                        &region,
                        sns::subscriptions(&reader.clients.sns(&region), arn),
                    )
                    .await;
                if reader.account == parsed.account {
                    subscriptions
                } else {
                    let owner = format!("the topic belongs to {}", self.unscanned(parsed.account));
                    with_note(subscriptions, &owner)
                }
            }
            Err(error) => Observed::failure(
                ErrorKind::NotCollected,
                "sns:ListSubscriptionsByTopic",
                format!("not asked: {error}"),
            ),
        };
        self.found(|found| {
            found.topics.push(SnsTopic {
                arn: arn.to_owned(),
                subscriptions,
            })
        });
    }
}

/// Whether a trail may qualify for the CIS monitoring controls: not known to be
/// single-region, stopped, or short of all management events. A trail whose status is
/// unknown is followed too, so that a broken chain behind it can still be a definite FAIL.
fn may_qualify_for_monitoring(trail: &Trail) -> bool {
    !matches!(trail_coverage::records_all_regions(trail), Truth::No(_))
}

/// A bucket whose region could not be learned: every other call would be a guess, so each
/// is recorded as not asked, naming the call that failed.
fn unlocated_bucket(name: &str, location_error: ObservationError) -> Bucket {
    let not_asked = |action: &str| ObservationError {
        kind: ErrorKind::NotCollected,
        operation: action.to_owned(),
        message: format!("not asked: the bucket's region is unknown ({location_error})"),
    };
    Bucket {
        name: name.to_owned(),
        owner_account: None,
        not_owned_by: Vec::new(),
        region: Observed::Error(location_error.clone()),
        acl: Observed::Error(not_asked("s3:GetBucketAcl")),
        policy: Observed::Error(not_asked("s3:GetBucketPolicy")),
        policy_status: Observed::Error(not_asked("s3:GetBucketPolicyStatus")),
        public_access_block: Observed::Error(not_asked("s3:GetBucketPublicAccessBlock")),
        versioning: Observed::Error(not_asked("s3:GetBucketVersioning")),
        logging: Observed::Error(not_asked("s3:GetBucketLogging")),
        lifecycle: Observed::Error(not_asked("s3:GetLifecycleConfiguration")),
        encryption: Observed::Error(not_asked("s3:GetEncryptionConfiguration")),
        object_lock: Observed::Error(not_asked("s3:GetBucketObjectLockConfiguration")),
    }
}

/// A log group ARN and the group's name (its resource without `log-group:`).
fn parse_log_group(arn: &str) -> Option<(Arn<'_>, &str)> {
    let parsed = Arn::parse_regional(arn, "logs").ok()?;
    let name = parsed
        .resource
        .strip_prefix("log-group:")
        .unwrap_or(parsed.resource);
    Some((parsed, name))
}
