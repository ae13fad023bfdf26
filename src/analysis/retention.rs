//! How long an S3 lifecycle configuration keeps CloudTrail logs.
//!
//! A rule concerns the logs when it is enabled and its prefix overlaps the trail's log
//! prefix (`[prefix/]AWSLogs/`): a rule on `AWSLogs/111122223333/` expires part of the logs
//! and counts; a rule on `tmp/` does not. Rules filtered by object tags never match log
//! files, which CloudTrail writes untagged. Size filters are ignored (conservative: they
//! may match some logs). Transitions to colder storage keep the data and are fine.

use crate::inventory::LifecycleRule;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{LifecycleExpiration, LifecycleFilter, Tag};

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
