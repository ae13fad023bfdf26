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

use crate::aws::limits::Limits;
use crate::inventory::keyed;
use crate::inventory::{Collection, Inventory, KmsKey, LogGroup, Observed, SCHEMA_VERSION};
use crate::progress::ScanProgress;
use crate::scope::Scope;
use chrono::Utc;
use futures::future::join_all;
use std::sync::Mutex;
use tokio::sync::OnceCell;

use crawl::{accounts_in_flight, Crawl, MonitoringChain};

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
    let scan = Crawl {
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
