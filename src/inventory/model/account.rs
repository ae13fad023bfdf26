//! Per account and per region: the regions scanned or skipped, CloudTrail Lake event data
//! stores, AWS Config recorders, S3 Block Public Access at account level.

use super::*;
use crate::inventory::arn::arn_account_region;
use crate::inventory::keyed::Keyed;
use crate::inventory::observed::Observed;
use serde::{Deserialize, Serialize};

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
    pub session_error: Option<crate::inventory::ObservationError>,
    #[serde(default, with = "keyed")]
    pub regions: KeyedMap<Region>,
    /// Why the account's enabled regions could not be listed (`ec2:DescribeRegions`); the
    /// regions scanned are then only those named on the command line, or the home region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions_error: Option<crate::inventory::ObservationError>,
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
