//! The inventory snapshot: the pivot between collection and evaluation.
//!
//! `collect` writes it, `evaluate` reads it, fixtures are made of it. The format is
//! documented in docs/inventory.md and versioned by [`SCHEMA_VERSION`].

pub(crate) mod arn;
pub mod keyed;
mod model;
mod observed;

pub use arn::{
    arn_account_region, is_account_id, is_region_name, is_sns_topic, log_key_prefix,
    normalize_log_group_arn, Arn, ArnError, TrailArn, TrailArnError,
};
pub use model::*;
pub use observed::{ErrorKind, ObservationError, Observed};

use std::path::Path;

/// The snapshot format version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Why a snapshot could not be loaded. Each message names the file's problem and the fix.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("snapshot {path} is not valid JSON: {message}")]
    Syntax { path: String, message: String },
    #[error(
        "snapshot {path} has schema_version {found}, this trailwarden reads version {SCHEMA_VERSION}: \
         collect it again with this version"
    )]
    Version { path: String, found: u64 },
    #[error("snapshot {path} is not a trailwarden inventory: {message}")]
    Shape { path: String, message: String },
    #[error("snapshot {path} is inconsistent: {message}")]
    Invalid { path: String, message: String },
}

impl Inventory {
    /// Reads and validates a snapshot file.
    pub fn load(path: &Path) -> Result<Inventory, SnapshotError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SnapshotError::Read {
            path: shown.clone(),
            source,
        })?;
        Inventory::from_json(&text, &shown)
    }

    /// Parses and validates a snapshot; `origin` names it in error messages.
    pub fn from_json(text: &str, origin: &str) -> Result<Inventory, SnapshotError> {
        let path = origin.to_owned();
        // Look at the version first, so an old or future snapshot gets a version message
        // rather than a confusing complaint about some field.
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| SnapshotError::Syntax {
                path: path.clone(),
                message: e.to_string(),
            })?;
        let Some(object) = value.as_object() else {
            return Err(SnapshotError::Shape {
                path,
                message: "the top level must be a JSON object".into(),
            });
        };
        match object.get("schema_version").map(|v| v.as_u64()) {
            None => {
                return Err(SnapshotError::Shape {
                    path,
                    message: "missing `schema_version`".into(),
                });
            }
            Some(None) => {
                return Err(SnapshotError::Shape {
                    path,
                    message: "`schema_version` must be a whole number".into(),
                });
            }
            Some(Some(found)) if found != u64::from(SCHEMA_VERSION) => {
                return Err(SnapshotError::Version { path, found });
            }
            Some(Some(_)) => {}
        }
        let inventory: Inventory =
            serde_json::from_value(value).map_err(|e| SnapshotError::Shape {
                path: path.clone(),
                message: e.to_string(),
            })?;
        inventory
            .validate()
            .map_err(|message| SnapshotError::Invalid { path, message })?;
        Ok(inventory)
    }

    /// Checks what serde cannot: identities are well-formed and references resolve.
    fn validate(&self) -> Result<(), String> {
        for account in self.accounts.values() {
            if !is_account_id(&account.id) {
                return Err(format!("account id `{}` must be 12 digits", account.id));
            }
            for region in account.regions.values() {
                if !is_region_name(&region.name) {
                    return Err(format!(
                        "account {}: `{}` is not a region name",
                        account.id, region.name
                    ));
                }
                if let Ok(arns) = region.trails.value() {
                    if let Some(missing) = arns.iter().find(|arn| !self.trails.contains_key(*arn)) {
                        return Err(format!(
                            "account {} region {} lists trail {missing}, which is not in `trails`",
                            account.id, region.name
                        ));
                    }
                }
            }
        }
        for trail in self.trails.values() {
            let arn =
                Arn::parse_regional(&trail.arn, "cloudtrail").map_err(|e| format!("trail: {e}"))?;
            if arn.region != trail.home_region {
                return Err(format!(
                    "trail {}: home_region `{}` differs from the region in its ARN",
                    trail.arn, trail.home_region
                ));
            }
            if let Some(group) = &trail.cloud_watch_logs_log_group_arn {
                Arn::parse_regional(group, "logs")
                    .map_err(|e| format!("trail {}: log group: {e}", trail.arn))?;
            }
        }
        for bucket in self.buckets.values() {
            if bucket.name.is_empty() {
                return Err("a bucket has an empty name".into());
            }
            if let Some(bad) = bucket.not_owned_by.iter().find(|id| !is_account_id(id)) {
                return Err(format!(
                    "bucket {}: not_owned_by `{bad}` must be 12 digits",
                    bucket.name
                ));
            }
            if let Some(owner) = &bucket.owner_account {
                if !is_account_id(owner) {
                    return Err(format!(
                        "bucket {}: owner_account `{owner}` must be 12 digits",
                        bucket.name
                    ));
                }
            }
        }
        for key in self.kms_keys.values() {
            Arn::parse_regional(&key.arn, "kms").map_err(|e| format!("KMS key: {e}"))?;
        }
        for group in self.log_groups.values() {
            Arn::parse_regional(&group.arn, "logs").map_err(|e| format!("log group: {e}"))?;
            if group.arn.ends_with(":*") {
                return Err(format!(
                    "log group {}: write the ARN without the trailing `:*`",
                    group.arn
                ));
            }
        }
        if let Some(Observed::Ok(org)) = &self.organization {
            if !is_account_id(&org.management_account_id) {
                return Err(format!(
                    "organization management account `{}` must be 12 digits",
                    org.management_account_id
                ));
            }
            let member_ids = org.accounts.iter().map(|a| a.id.as_str());
            let admin_ids = org
                .cloudtrail_delegated_administrators
                .value()
                .map(|ids| ids.iter().map(String::as_str).collect::<Vec<_>>())
                .unwrap_or_default();
            if let Some(bad) = member_ids.chain(admin_ids).find(|id| !is_account_id(id)) {
                return Err(format!(
                    "organization {}: account id `{bad}` must be 12 digits",
                    org.id
                ));
            }
        }
        for skipped in &self.skipped_accounts {
            if !is_account_id(&skipped.id) {
                return Err(format!(
                    "skipped account id `{}` must be 12 digits",
                    skipped.id
                ));
            }
            if self.accounts.contains_key(&skipped.id) {
                return Err(format!(
                    "account {} is both scanned and listed as skipped",
                    skipped.id
                ));
            }
        }
        Ok(())
    }

    /// The KMS key a trail or bucket names, by key ARN or alias.
    pub fn kms_key(&self, reference: &str) -> Option<&KmsKey> {
        self.kms_keys.get(reference).or_else(|| {
            self.kms_keys
                .values()
                .find(|key| key.aliases.iter().any(|alias| alias == reference))
        })
    }

    /// The account that owns `bucket`, when known and in scope.
    pub fn bucket_owner(&self, bucket: &Bucket) -> Option<&Account> {
        bucket
            .owner_account
            .as_deref()
            .and_then(|owner| self.accounts.get(owner))
    }

    /// The organization, when it was in scope and could be read.
    pub fn organization(&self) -> Option<&Organization> {
        match &self.organization {
            Some(Observed::Ok(org)) => Some(org),
            _ => None,
        }
    }

    /// Serializes the snapshot as pretty JSON (stable order: every collection is sorted by key).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal(version: &str) -> String {
        format!(
            r#"{{"schema_version": {version}, "generator": "test", "collected_at": "2026-01-01T00:00:00Z",
                "accounts": [{{"id": "111122223333"}}]}}"#
        )
    }

    #[test]
    fn loads_minimal_snapshot() {
        let inventory = Inventory::from_json(&minimal("1"), "t").unwrap();
        assert_eq!(inventory.accounts.len(), 1);
        assert_eq!(inventory.partition, "aws");
    }

    #[test]
    fn rejects_other_schema_versions_with_a_clear_message() {
        let error = Inventory::from_json(&minimal("2"), "snap.json")
            .unwrap_err()
            .to_string();
        assert!(error.contains("schema_version 2"), "{error}");
        assert!(error.contains("reads version 1"), "{error}");
    }

    #[test]
    fn rejects_unknown_fields() {
        let text = minimal("1").replace("\"accounts\"", "\"acounts_typo\": 1, \"accounts\"");
        let error = Inventory::from_json(&text, "t").unwrap_err().to_string();
        assert!(error.contains("acounts_typo"), "{error}");
    }

    #[test]
    fn rejects_duplicate_accounts() {
        let text = minimal("1").replace(
            r#"[{"id": "111122223333"}]"#,
            r#"[{"id": "111122223333"}, {"id": "111122223333"}]"#,
        );
        let error = Inventory::from_json(&text, "t").unwrap_err().to_string();
        assert!(error.contains("duplicate entry `111122223333`"), "{error}");
    }

    #[test]
    fn rejects_dangling_trail_reference() {
        let text = minimal("1").replace(
            r#"{"id": "111122223333"}"#,
            r#"{"id": "111122223333", "regions": [{"name": "us-east-1", "trails": {"ok": ["arn:aws:cloudtrail:us-east-1:111122223333:trail/x"]}}]}"#,
        );
        let error = Inventory::from_json(&text, "t").unwrap_err().to_string();
        assert!(error.contains("not in `trails`"), "{error}");
    }

    #[test]
    fn log_key_prefix_follows_cloudtrail_layout() {
        let mut trail: Trail = serde_json::from_str(
            r#"{"arn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t", "name": "t", "home_region": "us-east-1",
                "is_multi_region": true, "is_organization_trail": false, "include_global_service_events": true,
                "log_file_validation_enabled": true}"#,
        )
        .unwrap();
        assert_eq!(trail.log_key_prefix(), "AWSLogs/");
        trail.s3_key_prefix = Some("audit/".into());
        assert_eq!(trail.log_key_prefix(), "audit/AWSLogs/");
        assert_eq!(trail.owner_account(), "111122223333");
    }
}

/// Paths into a snapshot, as findings cite them in their evidence.
pub mod path {
    pub fn account(id: &str) -> String {
        format!("accounts[{id:?}]")
    }

    pub fn trail(arn: &str) -> String {
        format!("trails[{arn:?}]")
    }

    pub fn bucket(name: &str) -> String {
        format!("buckets[{name:?}]")
    }

    pub fn kms_key(arn: &str) -> String {
        format!("kms_keys[{arn:?}]")
    }

    pub fn log_group(arn: &str) -> String {
        format!("log_groups[{arn:?}]")
    }

    pub fn region(account: &str, region: &str) -> String {
        format!("{}.regions[{region:?}]", self::account(account))
    }
}
