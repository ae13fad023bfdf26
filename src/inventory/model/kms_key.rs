//! KMS keys: metadata, rotation, policy, and the aliases trails refer to them by.

use crate::inventory::keyed::Keyed;
use crate::inventory::observed::Observed;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
