//! How long an S3 lifecycle configuration keeps CloudTrail logs.
//!
//! A rule concerns the logs when it is enabled and its prefix overlaps the trail's log
//! prefix (`[prefix/]AWSLogs/`): a rule on `AWSLogs/111122223333/` expires part of the logs
//! and counts; a rule on `tmp/` does not. Rules filtered by object tags never match log
//! files, which CloudTrail writes untagged. Size filters are ignored (conservative: they
//! may match some logs). Transitions to colder storage keep the data and are fine.
//!
//! With versioning enabled, expiring a current object only hides it behind a delete marker:
//! the log is gone when its noncurrent version expires, `NoncurrentDays` later — unless the
//! rule keeps `NewerNoncurrentVersions` (a log file is written once, so it never has newer
//! noncurrent versions and such a rule never removes it). Suspended versioning protects
//! nothing new: objects written then have the `null` version that expiration replaces.
//! Object Lock default retention keeps every version for its period whatever the lifecycle
//! says, in GOVERNANCE mode too (lifecycle cannot bypass it).

use crate::inventory::{LifecycleRule, ObjectLock};

/// Whether `rule` can act on objects under `log_prefix`.
pub fn applies_to_logs(rule: &LifecycleRule, log_prefix: &str) -> bool {
    if !rule.enabled || !rule.filter.tags.is_empty() {
        return false;
    }
    let prefix = rule.filter.prefix.as_deref().unwrap_or_default();
    log_prefix.starts_with(prefix) || prefix.starts_with(log_prefix)
}

/// What a lifecycle rule does to current log objects that keeps them shorter than `min_days`.
pub fn expires_sooner(rule: &LifecycleRule, min_days: i64) -> Option<String> {
    let expiration = rule.expiration.as_ref()?;
    let id = rule.id.as_deref().unwrap_or("(unnamed)");
    if let Some(days) = expiration.days {
        if days < min_days {
            return Some(format!(
                "lifecycle rule {id} expires current log objects after {days} days"
            ));
        }
    }
    if let Some(date) = expiration.date {
        return Some(format!(
            "lifecycle rule {id} expires every current log object on {}",
            date.format("%Y-%m-%d")
        ));
    }
    None
}

/// How long Object Lock's default retention keeps each version, in days (a year is 365).
pub fn lock_days(lock: &ObjectLock) -> Option<i64> {
    let retention = lock.default_retention.as_ref().filter(|_| lock.enabled)?;
    match (retention.days, retention.years) {
        (Some(days), _) if days > 0 => Some(days),
        (_, Some(years)) if years > 0 => Some(years * 365),
        _ => None,
    }
}

/// Whether versioning keeps expired logs as noncurrent versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versions {
    Kept,
    NotKept,
}

/// The ways the lifecycle `rules` (those applying to the logs) delete a log before
/// `min_days`, given versioning and Object Lock (`lock_days`). Empty: none.
pub fn archive_shortfalls(
    rules: &[&LifecycleRule],
    versions: Versions,
    lock_days: Option<i64>,
    min_days: i64,
) -> Vec<String> {
    if lock_days.is_some_and(|days| days >= min_days) {
        return Vec::new();
    }
    let id = |rule: &LifecycleRule| rule.id.clone().unwrap_or_else(|| "(unnamed)".into());
    match versions {
        Versions::NotKept => rules
            .iter()
            .filter_map(|rule| expires_sooner(rule, min_days))
            .collect(),
        Versions::Kept => {
            // A log leaves only when a current expiration hides it and a noncurrent
            // expiration (of any applicable rule) then removes it.
            let purges = rules
                .iter()
                .filter_map(|rule| {
                    let expiry = rule.noncurrent_version_expiration.as_ref()?;
                    if expiry.newer_noncurrent_versions.is_some_and(|n| n > 0) {
                        return None;
                    }
                    Some((id(rule), expiry.noncurrent_days.unwrap_or(0)))
                })
                .collect::<Vec<_>>();
            let mut shortfalls = Vec::new();
            for rule in rules {
                let Some(expiration) = &rule.expiration else {
                    continue;
                };
                let hidden_after = match (expiration.days, expiration.date) {
                    (Some(days), _) => Some(days),
                    (None, Some(_)) => Some(0),
                    (None, None) => None,
                };
                let Some(hidden_after) = hidden_after else {
                    continue;
                };
                for (purger, noncurrent_days) in &purges {
                    let total = hidden_after + noncurrent_days;
                    if total < min_days {
                        shortfalls.push(format!(
                            "lifecycle rule {} expires current log objects after {hidden_after} days and rule {purger} deletes the noncurrent version {noncurrent_days} days later ({total} days in all)",
                            id(rule)
                        ));
                    }
                }
            }
            shortfalls
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{
        LifecycleExpiration, LifecycleFilter, NoncurrentVersionExpiration, ObjectLockRetention, Tag,
    };

    #[test]
    fn versioning_defers_deletion_to_the_noncurrent_expiry() {
        let mut current = rule(None, Some(365));
        current.noncurrent_version_expiration = Some(NoncurrentVersionExpiration {
            noncurrent_days: Some(30),
            newer_noncurrent_versions: None,
        });
        let only_current = rule(None, Some(365));
        assert!(archive_shortfalls(&[&only_current], Versions::Kept, None, 2190).is_empty());
        assert_eq!(
            archive_shortfalls(&[&only_current], Versions::NotKept, None, 2190).len(),
            1
        );
        let shortfalls = archive_shortfalls(&[&current], Versions::Kept, None, 2190);
        assert!(shortfalls[0].contains("395 days in all"), "{shortfalls:?}");
        assert!(archive_shortfalls(&[&current], Versions::Kept, None, 300).is_empty());
        current
            .noncurrent_version_expiration
            .as_mut()
            .unwrap()
            .newer_noncurrent_versions = Some(1);
        assert!(archive_shortfalls(&[&current], Versions::Kept, None, 2190).is_empty());
    }

    #[test]
    fn object_lock_long_enough_overrides_the_lifecycle() {
        let short = rule(None, Some(30));
        assert!(archive_shortfalls(&[&short], Versions::NotKept, Some(2190), 2190).is_empty());
        assert!(!archive_shortfalls(&[&short], Versions::NotKept, Some(365), 2190).is_empty());
        let lock = ObjectLock {
            enabled: true,
            default_retention: Some(ObjectLockRetention {
                mode: "GOVERNANCE".into(),
                days: Some(0),
                years: Some(6),
            }),
        };
        assert_eq!(lock_days(&lock), Some(2190));
    }

    fn rule(prefix: Option<&str>, days: Option<i64>) -> LifecycleRule {
        LifecycleRule {
            id: Some("r".into()),
            enabled: true,
            filter: LifecycleFilter {
                prefix: prefix.map(str::to_owned),
                ..LifecycleFilter::default()
            },
            expiration: days.map(|d| LifecycleExpiration {
                days: Some(d),
                date: None,
                expired_object_delete_marker: None,
            }),
            noncurrent_version_expiration: None,
            transitions: vec![],
        }
    }

    #[test]
    fn prefix_overlap_decides_applicability() {
        assert!(applies_to_logs(&rule(None, Some(1)), "AWSLogs/"));
        assert!(applies_to_logs(&rule(Some(""), Some(1)), "AWSLogs/"));
        assert!(applies_to_logs(
            &rule(Some("AWSLogs/111122223333/"), Some(1)),
            "AWSLogs/"
        ));
        assert!(applies_to_logs(
            &rule(Some("audit/"), Some(1)),
            "audit/AWSLogs/"
        ));
        assert!(!applies_to_logs(&rule(Some("tmp/"), Some(1)), "AWSLogs/"));
        assert!(!applies_to_logs(
            &rule(Some("AWSLogs/"), Some(1)),
            "audit/AWSLogs/"
        ));
    }

    #[test]
    fn disabled_and_tag_filtered_rules_do_not_apply() {
        let mut disabled = rule(None, Some(1));
        disabled.enabled = false;
        assert!(!applies_to_logs(&disabled, "AWSLogs/"));
        let mut tagged = rule(None, Some(1));
        tagged.filter.tags = vec![Tag {
            key: "k".into(),
            value: "v".into(),
        }];
        assert!(!applies_to_logs(&tagged, "AWSLogs/"));
    }

    #[test]
    fn expiry_threshold() {
        assert!(expires_sooner(&rule(None, Some(365)), 2190).is_some());
        assert!(expires_sooner(&rule(None, Some(2190)), 2190).is_none());
        assert!(expires_sooner(&rule(None, None), 2190).is_none());
    }
}
