//! Live collection: read-only AWS calls that fill an [`Inventory`]. Nothing here decides
//! pass or fail; a call that failed is recorded where its answer would have gone.
//!
//! The order of calls follows the data dependencies and nothing else, so a scan is as many
//! round trips deep as those dependencies force, whatever the number of accounts and regions:
//!
//! 1. (`scope::resolve`) `sts:GetCallerIdentity` and `ec2:DescribeRegions` (both need only
//!    credentials), and with `--org` the organization and its accounts;
//! 2. (`scope::resolve`) `sts:AssumeRole` into every other scanned account, all at once;
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
//! accounts and regions are in flight at once, bounded by [`Limits`].
//!
//! The crawl (`crawl.rs`) holds what is shared; each file adds what is fetched of one kind of
//! resource: `account.rs`, `trail.rs`, `bucket.rs`, `kms_key.rs`, `log_group.rs`, and
//! `integrity.rs` for `--verify-logs-window`. This is one producer of the inventory; nothing
//! downstream of the inventory knows it was this one.

mod account;
mod bucket;
mod crawl;
mod integrity;
mod kms_key;
mod log_group;
mod trail;

use crate::aws::api::s3;
use crate::aws::limits::{Limits, Service};
use crate::inventory::keyed;
use crate::inventory::{
    Account, Collection, ErrorKind, Inventory, KmsKey, LogGroup, Observed, SCHEMA_VERSION,
};
use crate::progress::ScanProgress;
use crate::scope::Scope;
use chrono::Utc;
use futures::future::join_all;

use crawl::{Crawl, MonitoringChain};

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
    let crawl = Crawl::new(
        &partition,
        &home_region,
        &sessions,
        settings,
        limits,
        progress,
    );
    let mut caller_regions = Some(caller_regions);
    let account_scans = sessions.iter().map(|(target, session)| {
        // The caller's regions were listed with its identity; every other account lists its own.
        let known_regions = if target.id == identity.account {
            caller_regions.take()
        } else {
            None
        };
        crawl.account(target, session, known_regions, &selection)
    });
    let accounts = join_all(account_scans).await;
    let found = crawl
        .found
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut inventory = assemble(found, partition, identity, started_at, &log);
    inventory.organization = organization.map(Observed::Ok);
    inventory.skipped_accounts = skipped_accounts;
    for account in accounts {
        keyed::insert(&mut inventory.accounts, account);
    }
    inventory
}

/// Named resources to read, and nothing else: what a Terraform plan refers to but does not
/// hold (`plan --live`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted {
    pub buckets: Vec<String>,
    /// ARNs (key or alias).
    pub kms_keys: Vec<String>,
    /// Log group ARNs; their metric filters and alarms are read too.
    pub log_groups: Vec<String>,
    pub topics: Vec<String>,
    /// The caller's account-level S3 Block Public Access.
    pub account_public_access_block: bool,
}

/// Reads exactly the `wanted` resources with the caller's session: each bucket with its
/// configuration (and default key), each key, each log group with its monitoring chain, each
/// topic's subscriptions. The inventory has the caller's account only.
pub async fn resources(
    scope: Scope,
    wanted: &Wanted,
    settings: &CollectSettings,
    limits: &Limits,
    progress: &ScanProgress,
) -> Inventory {
    let Scope {
        started_at,
        home_region,
        partition,
        identity,
        accounts: sessions,
        api_calls: log,
        ..
    } = scope;
    let crawl = Crawl::new(
        &partition,
        &home_region,
        &sessions,
        settings,
        limits,
        progress,
    );
    let session = sessions
        .iter()
        .find(|(account, _)| account.id == identity.account)
        .and_then(|(_, session)| session.as_ref().ok());
    let mut account = Account {
        id: identity.account.clone(),
        name: None,
        session_error: None,
        regions: Default::default(),
        regions_error: None,
        s3_public_access_block: Observed::failure(
            ErrorKind::NotCollected,
            "s3:GetAccountPublicAccessBlock",
            "not asked",
        ),
    };
    if let Some(session) = session {
        let home = home_region.as_str();
        let reads = async {
            join_all(
                wanted
                    .buckets
                    .iter()
                    .map(|name| crawl.bucket(session, name)),
            )
            .await;
            join_all(
                wanted
                    .kms_keys
                    .iter()
                    .map(|key| crawl.kms_key(session, key, home)),
            )
            .await;
            let crawl = &crawl;
            join_all(wanted.log_groups.iter().map(|arn| async move {
                crawl.log_group(arn).await;
                crawl.monitoring(arn).await;
            }))
            .await;
            join_all(wanted.topics.iter().map(|arn| crawl.topic(session, arn))).await;
        };
        let block = async {
            if wanted.account_public_access_block {
                let s3control = session.clients.s3control(home);
                Some(
                    crawl
                        .limited(
                            session,
                            Service::S3Control,
                            home,
                            s3::account_public_access_block(&s3control, &session.account),
                        )
                        .await,
                )
            } else {
                None
            }
        };
        let ((), block) = tokio::join!(reads, block);
        if let Some(block) = block {
            account.s3_public_access_block = block;
        }
    }
    let found = crawl
        .found
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut inventory = assemble(found, partition, identity, started_at, &log);
    keyed::insert(&mut inventory.accounts, account);
    inventory
}

/// The inventory of what a crawl found.
fn assemble(
    found: crawl::Found,
    partition: String,
    identity: crate::inventory::CallerIdentity,
    started_at: chrono::DateTime<Utc>,
    log: &crate::aws::guard::ApiCallLog,
) -> Inventory {
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
        topics: Default::default(),
        skipped_accounts: Vec::new(),
        collection: None,
    };
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
    for MonitoringChain {
        log_group_arn: arn,
        metric_filters,
        alarms,
    } in found.monitoring
    {
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
