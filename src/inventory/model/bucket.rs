//! S3 log buckets: ACL, policy and its status, Block Public Access, versioning, logging,
//! lifecycle, encryption, Object Lock.

use super::*;
use crate::inventory::keyed::Keyed;
use crate::inventory::observed::Observed;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
