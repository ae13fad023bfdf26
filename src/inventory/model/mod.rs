//! What was observed, as a versioned snapshot.
//!
//! Shared resources (trails, buckets, keys, log groups) are top-level collections keyed by
//! their identity, each carrying the account that owns it: a trail is one trail however many
//! regions or accounts saw it, and a bucket in a log-archive account is one bucket for every
//! trail that writes to it. Accounts hold what is per account and per region.

mod account;
mod bucket;
mod kms_key;
mod log_group;
mod organization;
mod topic;
mod trail;

pub use account::*;
pub use bucket::*;
pub use kms_key::*;
pub use log_group::*;
pub use organization::*;
pub use topic::*;
pub use trail::*;

use super::keyed::{self, KeyedMap};
use super::observed::Observed;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// Version of this format; see docs/inventory.md. Loading another version is an error.
    pub schema_version: u32,
    /// The program that wrote the snapshot, e.g. `trailwarden 0.1.0`.
    pub generator: String,
    /// When collection finished. Freshness rules measure against this unless `--now` is given.
    pub collected_at: DateTime<Utc>,
    #[serde(default = "default_partition")]
    pub partition: String,
    /// Who ran the collection (`sts:GetCallerIdentity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<CallerIdentity>,
    /// `None`: the organization was not in scope. `Some(Error)`: it was, but could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Observed<Organization>>,
    #[serde(with = "keyed")]
    pub accounts: KeyedMap<Account>,
    #[serde(default, with = "keyed")]
    pub trails: KeyedMap<Trail>,
    #[serde(default, with = "keyed")]
    pub buckets: KeyedMap<Bucket>,
    #[serde(default, with = "keyed")]
    pub kms_keys: KeyedMap<KmsKey>,
    #[serde(default, with = "keyed")]
    pub log_groups: KeyedMap<LogGroup>,
    /// SNS topics that alarms on trail log metrics notify.
    #[serde(default, with = "keyed")]
    pub topics: KeyedMap<SnsTopic>,
    /// Accounts the scope named but that were not scanned, with the reason (suspended,
    /// excluded, not a member of the organization). Skipped is not failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_accounts: Vec<SkippedAccount>,
    /// How a live collection went: when it started and every AWS operation it made.
    /// Absent from fixtures and hand-written snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<Collection>,
}

/// The record of a live collection, for auditors ("by which API calls") and benchmarks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collection {
    pub started_at: DateTime<Utc>,
    /// Every AWS operation made, with how often and how often it failed (sorted).
    #[serde(default)]
    pub api_calls: Vec<ApiCallCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiCallCount {
    /// The IAM action, e.g. `cloudtrail:DescribeTrails`.
    pub action: String,
    /// Operations the SDK executed (retries included in `requests`, not here).
    pub calls: u64,
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Calls that ended in an error (including "not configured" answers such as NoSuchBucketPolicy).
    pub errors: u64,
}

fn default_partition() -> String {
    "aws".to_owned()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    #[serde(default)]
    pub user_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    pub key: String,
    pub value: String,
}
