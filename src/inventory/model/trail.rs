//! Trails: settings, status, event and insight selectors, tags, and the integrity evidence
//! of `--verify-logs-window`.

use super::*;
use crate::inventory::arn::{arn_account_region, log_key_prefix, normalize_log_group_arn};
use crate::inventory::keyed::Keyed;
use crate::inventory::observed::Observed;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// A trail of a Terraform plan: the settings above known only after apply, each with
    /// why (`sns_topic_arn` → "`aws_cloudtrail.x.sns_topic_name` is known only after apply").
    /// A rule that reads one of them says ERROR with the reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unknown_settings: BTreeMap<String, String>,
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
    /// Why deliveries cannot be known: a trail of a Terraform plan has delivered nothing yet.
    /// The rules about deliveries say ERROR with it, never PASS or FAIL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliveries_unknown: Option<String>,
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
