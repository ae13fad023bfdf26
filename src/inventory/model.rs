//! What was observed, as a versioned snapshot.
//!
//! Shared resources (trails, buckets, keys, log groups) are top-level collections keyed by
//! their identity, each carrying the account that owns it: a trail is one trail however many
//! regions or accounts saw it, and a bucket in a log-archive account is one bucket for every
//! trail that writes to it. Accounts hold what is per account and per region.

use super::keyed::{self, Keyed, KeyedMap};
use super::observed::Observed;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// One account in scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Why trailwarden could not act in this account at all (e.g. the role could not be
    /// assumed). Every observation of the account then carries the same error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_error: Option<super::ObservationError>,
    #[serde(default, with = "keyed")]
    pub regions: KeyedMap<Region>,
    /// Why the account's enabled regions could not be listed (`ec2:DescribeRegions`); the
    /// regions scanned are then only those named on the command line, or the home region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions_error: Option<super::ObservationError>,
    /// Account-level S3 Block Public Access (`s3control:GetPublicAccessBlock`); `Ok(None)`: not configured.
    #[serde(default)]
    pub s3_public_access_block: Observed<Option<PublicAccessBlock>>,
}

impl Keyed for Account {
    fn key(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub name: String,
    /// Why the region was not scanned (e.g. not enabled for the account). Skipped is not failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// ARNs of the trails `DescribeTrails` (with shadow trails) listed in this region.
    #[serde(default)]
    pub trails: Observed<Vec<String>>,
    /// CloudTrail Lake event data stores of this region (`cloudtrail:ListEventDataStores`,
    /// then `cloudtrail:GetEventDataStore` each). Where Lake is not offered the error is
    /// `unsupported`.
    #[serde(default)]
    pub event_data_stores: Observed<Vec<EventDataStore>>,
    /// AWS Config configuration recorders of this region, with their status
    /// (`config:DescribeConfigurationRecorders`, `config:DescribeConfigurationRecorderStatus`).
    #[serde(default)]
    pub config_recorders: Observed<Vec<ConfigRecorder>>,
}

/// A CloudTrail Lake event data store (`GetEventDataStore`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDataStore {
    pub arn: String,
    #[serde(default)]
    pub name: String,
    /// `ENABLED`, `CREATED`, `PENDING_DELETION`, `STARTING_INGESTION`, `STOPPED_INGESTION`, ...
    pub status: String,
    pub multi_region_enabled: bool,
    pub organization_enabled: bool,
    /// Days events are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_period: Option<i64>,
    pub termination_protection_enabled: bool,
    /// The KMS key encrypting the store; `None`: an AWS owned key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// What the store collects; the same selector language as trails.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
}

impl EventDataStore {
    pub fn owner_account(&self) -> &str {
        arn_account_region(&self.arn).0
    }
}

/// An AWS Config configuration recorder and its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigRecorder {
    pub name: String,
    /// Records every resource type the region supports (`recordingGroup.allSupported`).
    pub all_supported: bool,
    pub include_global_resource_types: bool,
    /// `ALL_SUPPORTED_RESOURCE_TYPES`, `INCLUSION_BY_RESOURCE_TYPES` or
    /// `EXCLUSION_BY_RESOURCE_TYPES`, when AWS says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_strategy: Option<String>,
    /// Resource types excluded from recording.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_resource_types: Vec<String>,
    /// `DescribeConfigurationRecorderStatus`: recording now.
    pub recording: bool,
    /// `SUCCESS`, `FAILURE` or `PENDING`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<String>,
}

impl Keyed for Region {
    fn key(&self) -> &str {
        &self.name
    }
}

/// A trail, once, however many regions and accounts listed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    pub arn: String,
    pub name: String,
    pub home_region: String,
    pub is_multi_region: bool,
    pub is_organization_trail: bool,
    pub include_global_service_events: bool,
    pub log_file_validation_enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_bucket_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_key_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sns_topic_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_watch_logs_log_group_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_watch_logs_role_arn: Option<String>,
    /// `cloudtrail:GetTrailStatus` in the home region.
    #[serde(default)]
    pub status: Observed<TrailStatus>,
    /// `cloudtrail:GetEventSelectors` in the home region.
    #[serde(default)]
    pub event_selectors: Observed<EventSelectors>,
    /// `cloudtrail:GetInsightSelectors` in the home region.
    #[serde(default)]
    pub insight_selectors: Observed<Vec<InsightSelector>>,
    /// `cloudtrail:ListTags` in the home region.
    #[serde(default)]
    pub tags: Observed<Vec<Tag>>,
    /// The digest chain and log files verified over a recent window (`--verify-logs-window`);
    /// absent when not asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_integrity: Option<Observed<LogIntegrity>>,
}

/// What `verify-logs` proved about a trail's delivered files over a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogIntegrity {
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub outcome: IntegrityOutcome,
    pub digest_files: FileTally,
    pub backfill_digest_files: FileTally,
    pub log_files: FileTally,
    /// Starting digests mid-window: logging or validation stopped and restarted.
    pub gaps: usize,
    /// Stretches where the chain does not reach back (digests deleted with their keys unknown).
    pub missing_digest_intervals: usize,
    /// The first problems found, `s3://BUCKET/KEY: reason` (at most 20).
    #[serde(default)]
    pub problems: Vec<String>,
    /// Where the public keys came from (`cloudtrail:ListPublicKeys`).
    pub public_keys: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrityOutcome {
    /// Every digest and log file in the window is valid.
    Valid,
    /// Something is missing, altered, or not signed by CloudTrail.
    Invalid,
    /// Nothing invalid, but some objects could not be read.
    Incomplete,
    /// No digest of the trail in the window.
    NoDigests,
}

/// Counts of files by verdict.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileTally {
    pub total: usize,
    pub valid: usize,
    pub invalid: usize,
    pub not_found: usize,
    pub unreadable: usize,
}

impl Keyed for Trail {
    fn key(&self) -> &str {
        &self.arn
    }
}

impl Trail {
    /// The account that owns the trail (from its ARN; validated when a snapshot is loaded).
    pub fn owner_account(&self) -> &str {
        arn_account_region(&self.arn).0
    }

    /// The S3 key prefix under which CloudTrail writes logs and digests: `[prefix/]AWSLogs/`.
    pub fn log_key_prefix(&self) -> String {
        log_key_prefix(self.s3_key_prefix.as_deref())
    }

    /// The log group ARN without the `:*` suffix CloudTrail reports.
    pub fn log_group_arn(&self) -> Option<&str> {
        self.cloud_watch_logs_log_group_arn
            .as_deref()
            .map(normalize_log_group_arn)
    }
}

/// `arn:aws:logs:r:a:log-group:NAME:*` → `arn:aws:logs:r:a:log-group:NAME`.
pub fn normalize_log_group_arn(arn: &str) -> &str {
    arn.strip_suffix(":*").unwrap_or(arn)
}

/// `[prefix/]AWSLogs/`: where CloudTrail writes under a trail's S3 key prefix.
pub fn log_key_prefix(prefix: Option<&str>) -> String {
    match prefix.map(|p| p.trim_end_matches('/')) {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}/AWSLogs/"),
        _ => "AWSLogs/".to_owned(),
    }
}

/// The account and region of an ARN already validated at load time; empty where absent.
pub fn arn_account_region(arn: &str) -> (&str, &str) {
    // Only the fields are cut out: snapshot ARNs are validated when loaded, and this runs
    // for every trail of an organization against every account (a full parse made a
    // 1,000-account evaluation spend a quarter of its time here).
    let mut fields = arn.splitn(6, ':');
    match (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) {
        (Some("arn"), Some(_), Some(_), Some(region), Some(account), Some(_)) => (account, region),
        _ => ("", ""),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrailStatus {
    pub is_logging: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_delivery_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_delivery_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_digest_delivery_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_digest_delivery_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_cloud_watch_logs_delivery_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_cloud_watch_logs_delivery_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_logging_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_logging_time: Option<DateTime<Utc>>,
}

/// A trail has classic or advanced selectors, never both (AWS returns one kind).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSelectors {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classic: Vec<EventSelector>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advanced: Vec<AdvancedEventSelector>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSelector {
    pub read_write_type: ReadWriteType,
    pub include_management_events: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_resources: Vec<DataResource>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_management_event_sources: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadWriteType {
    ReadOnly,
    WriteOnly,
    All,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataResource {
    #[serde(rename = "type")]
    pub resource_type: String,
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvancedEventSelector {
    /// Informational only: AWS gives the name no meaning, and neither does trailwarden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub field_selectors: Vec<AdvancedFieldSelector>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvancedFieldSelector {
    pub field: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ends_with: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsightSelector {
    /// `ApiCallRateInsight` or `ApiErrorRateInsight`.
    pub insight_type: String,
}

/// An S3 bucket a trail writes to (or that receives its access logs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    /// The account that owns the bucket, when known (the account whose session could read it,
    /// or the trail owner's account for a same-account bucket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_account: Option<String>,
    /// When the owner is unknown: accounts proved not to own the bucket (sorted). The
    /// referrer, whose `GetBucketLocation` with itself as expected owner was refused while the
    /// same call without it succeeded, and every scanned account whose bucket list (which
    /// could be read) lacks it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_owned_by: Vec<String>,
    /// `s3:GetBucketLocation`, normalized (`us-east-1` for the empty answer).
    #[serde(default)]
    pub region: Observed<String>,
    #[serde(default)]
    pub acl: Observed<BucketAcl>,
    /// The policy document as AWS returned it; `Ok(None)`: no policy.
    #[serde(default)]
    pub policy: Observed<Option<String>>,
    /// `s3:GetBucketPolicyStatus`; `Ok(None)`: no policy.
    #[serde(default)]
    pub policy_status: Observed<Option<PolicyStatus>>,
    #[serde(default)]
    pub public_access_block: Observed<Option<PublicAccessBlock>>,
    #[serde(default)]
    pub versioning: Observed<Versioning>,
    /// Server access logging; `Ok(None)`: disabled.
    #[serde(default)]
    pub logging: Observed<Option<BucketLogging>>,
    /// Lifecycle rules; `Ok(vec![])`: no lifecycle configuration.
    #[serde(default)]
    pub lifecycle: Observed<Vec<LifecycleRule>>,
    /// Default encryption; `Ok(None)`: none configured.
    #[serde(default)]
    pub encryption: Observed<Option<BucketEncryption>>,
    /// `Ok(None)`: Object Lock not configured.
    #[serde(default)]
    pub object_lock: Observed<Option<ObjectLock>>,
}

impl Keyed for Bucket {
    fn key(&self) -> &str {
        &self.name
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketAcl {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub grants: Vec<Grant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    pub grantee: Grantee,
    /// `FULL_CONTROL`, `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`.
    pub permission: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grantee {
    /// `CanonicalUser`, `Group` or `AmazonCustomerByEmail`.
    #[serde(rename = "type")]
    pub grantee_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyStatus {
    pub is_public: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Versioning {
    /// `Enabled` or `Suspended`; `None`: never enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_delete: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketLogging {
    pub target_bucket: String,
    #[serde(default)]
    pub target_prefix: String,
}

/// A lifecycle rule, normalized: the legacy top-level `Prefix`, `Filter.Prefix`, `Filter.Tag`
/// and `Filter.And` all become one conjunctive [`LifecycleFilter`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub enabled: bool,
    #[serde(default)]
    pub filter: LifecycleFilter,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<LifecycleExpiration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_version_expiration: Option<NoncurrentVersionExpiration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<LifecycleTransition>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleFilter {
    /// Key prefix; `None` or empty: every object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_size_greater_than: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_size_less_than: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleExpiration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_object_delete_marker: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoncurrentVersionExpiration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer_noncurrent_versions: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleTransition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DateTime<Utc>>,
    pub storage_class: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketEncryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub sse_algorithm: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_master_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_key_enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectLock {
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_retention: Option<ObjectLockRetention>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectLockRetention {
    /// `GOVERNANCE` or `COMPLIANCE`.
    pub mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<i64>,
}

/// A KMS key a trail, bucket or log group uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    /// The key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`).
    pub arn: String,
    /// Other references that name this key (alias ARNs, as trails may use them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// `kms:DescribeKey`; `Ok(None)`: the key does not exist.
    #[serde(default)]
    pub metadata: Observed<Option<KeyMetadata>>,
    /// `kms:GetKeyRotationStatus`.
    #[serde(default)]
    pub rotation_enabled: Observed<bool>,
    /// `kms:GetKeyPolicy` (policy name `default`), the document as returned.
    #[serde(default)]
    pub policy: Observed<String>,
}

impl Keyed for KmsKey {
    fn key(&self) -> &str {
        &self.arn
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyMetadata {
    /// `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`, `Unavailable`, ...
    pub key_state: String,
    /// `CUSTOMER` or `AWS`.
    pub key_manager: String,
    #[serde(default = "default_key_spec")]
    pub key_spec: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<DateTime<Utc>>,
}

fn default_key_spec() -> String {
    "SYMMETRIC_DEFAULT".to_owned()
}

/// A CloudWatch Logs group a trail delivers to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogGroup {
    /// `arn:aws:logs:REGION:ACCOUNT:log-group:NAME` (without `:*`).
    pub arn: String,
    /// `logs:DescribeLogGroups`; `Ok(None)`: the group does not exist.
    #[serde(default)]
    pub details: Observed<Option<LogGroupDetails>>,
    /// `logs:DescribeMetricFilters` on this group. Asked only for the groups of trails that
    /// may qualify for the CIS monitoring controls (multi-region, logging, all management
    /// events); `None`: not asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_filters: Option<Observed<Vec<MetricFilter>>>,
    /// `cloudwatch:DescribeAlarms` in the group's account and region: the metric alarms on a
    /// metric named as one that the group's metric filters publish (in any namespace).
    /// `None`: not asked, as for `metric_filters`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms: Option<Observed<Vec<MetricAlarm>>>,
}

/// A CloudWatch Logs metric filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricFilter {
    pub name: String,
    /// The filter pattern as written (empty: every event).
    #[serde(default)]
    pub pattern: String,
    #[serde(default)]
    pub transformations: Vec<MetricTransformation>,
}

/// What a metric filter publishes for each matching event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricTransformation {
    pub metric_name: String,
    pub metric_namespace: String,
    /// The value published per match: a number (`"1"`) or a selector (`"$.bytes"`).
    pub metric_value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<f64>,
    /// Dimension name → selector. A filter with dimensions publishes per dimension value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dimensions: BTreeMap<String, String>,
}

/// A CloudWatch metric alarm (single metric; metric-math alarms are recorded with their
/// metric unset and never count as watching a filter's metric).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricAlarm {
    pub name: String,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dimensions: BTreeMap<String, String>,
    pub actions_enabled: bool,
    #[serde(default)]
    pub alarm_actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ok_actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub insufficient_data_actions: Vec<String>,
    /// `Sum`, `SampleCount`, `Average`, `Minimum`, `Maximum`; or a percentile in
    /// `extended_statistic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_statistic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison_operator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_periods: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datapoints_to_alarm: Option<i32>,
}

/// An SNS topic an alarm notifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnsTopic {
    pub arn: String,
    /// `sns:ListSubscriptionsByTopic`. Endpoints (addresses) are not kept.
    #[serde(default)]
    pub subscriptions: Observed<Vec<SnsSubscription>>,
}

impl Keyed for SnsTopic {
    fn key(&self) -> &str {
        &self.arn
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnsSubscription {
    /// The subscription ARN, or `PendingConfirmation` while the subscriber has not confirmed.
    pub arn: String,
    /// `email`, `sqs`, `lambda`, `https`, …
    pub protocol: String,
}

impl SnsSubscription {
    /// Confirmed: AWS gives a subscription ARN once the endpoint confirmed; until then the
    /// literal `PendingConfirmation` (or, after a deletion, `Deleted`).
    pub fn is_confirmed(&self) -> bool {
        self.arn.starts_with("arn:")
    }
}

impl Keyed for LogGroup {
    fn key(&self) -> &str {
        &self.arn
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogGroupDetails {
    /// `None`: never expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_in_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}
