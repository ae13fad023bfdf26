//! A bucket's settings from their split resources or inline arguments: versioning, access
//! logging, lifecycle rules, default encryption and Object Lock. Where neither configures a
//! setting, a new bucket has S3's default for it.

use super::bucket::{configured, part};
use super::context::{Attr, Context};
use super::document::Instance;
use super::trail::{resolved, Resolved};
use crate::inventory::{
    BucketEncryption, BucketLogging, LifecycleExpiration, LifecycleFilter, LifecycleRule,
    LifecycleTransition, NoncurrentVersionExpiration, ObjectLock, ObjectLockRetention, Observed,
    Tag, Versioning,
};
use serde_json::Value;

pub(super) fn versioning(
    context: &Context,
    instance: &Instance,
    split: &[&Instance],
) -> Observed<Versioning> {
    if let Some(part) = part(split, "aws_s3_bucket_versioning") {
        return match context.attr(part, "versioning_configuration") {
            Attr::Unknown => context.unknown(part, "versioning_configuration"),
            attr => {
                let block = attr.blocks().first();
                let text = |key: &str| block.and_then(|b| b.get(key)).and_then(Value::as_str);
                Observed::Ok(Versioning {
                    status: text("status")
                        .filter(|s| *s != "Disabled")
                        .map(str::to_owned),
                    mfa_delete: text("mfa_delete").map(|m| m == "Enabled"),
                })
            }
        };
    }
    configured(context, instance, None, "", "versioning", |attr| {
        let block = attr.blocks().first();
        let enabled = block
            .and_then(|b| b.get("enabled"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        Observed::Ok(Versioning {
            status: enabled.then(|| "Enabled".to_owned()),
            mfa_delete: block
                .and_then(|b| b.get("mfa_delete"))
                .and_then(Value::as_bool),
        })
    })
    .unwrap_or(Observed::Ok(Versioning {
        status: None,
        mfa_delete: None,
    }))
}

pub(super) fn logging(
    context: &Context,
    instance: &Instance,
    split: &[&Instance],
) -> Observed<Option<BucketLogging>> {
    if let Some(part) = part(split, "aws_s3_bucket_logging") {
        return match resolved(context, part, "target_bucket") {
            Resolved::Value(target) => Observed::Ok(Some(BucketLogging {
                target_bucket: target,
                target_prefix: context
                    .attr(part, "target_prefix")
                    .str()
                    .unwrap_or_default()
                    .to_owned(),
            })),
            Resolved::Absent => Observed::Ok(None),
            Resolved::Unknown(_) => context.unknown(part, "target_bucket"),
        };
    }
    configured(context, instance, None, "", "logging", |attr| {
        Observed::Ok(attr.blocks().first().and_then(|b| {
            Some(BucketLogging {
                target_bucket: b.get("target_bucket")?.as_str()?.to_owned(),
                target_prefix: b
                    .get("target_prefix")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            })
        }))
    })
    .unwrap_or(Observed::Ok(None))
}

fn int(value: Option<&Value>) -> Option<i64> {
    value.and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
}

fn date(value: Option<&Value>) -> Option<chrono::DateTime<chrono::Utc>> {
    value
        .and_then(Value::as_str)
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .map(|d| d.with_timezone(&chrono::Utc))
}

fn first<'v>(block: &'v Value, key: &str) -> Option<&'v Value> {
    block.get(key).and_then(|v| v.get(0))
}

pub(super) fn lifecycle(
    context: &Context,
    instance: &Instance,
    split: &[&Instance],
) -> Observed<Vec<LifecycleRule>> {
    let read = |attr: Attr| {
        Observed::Ok(
            attr.blocks()
                .iter()
                .map(|rule| {
                    let filter = first(rule, "filter");
                    let and = filter.and_then(|f| first(f, "and"));
                    let tags = |v: Option<&Value>| -> Vec<Tag> {
                        match v {
                            Some(Value::Object(map)) => map
                                .iter()
                                .map(|(k, v)| Tag {
                                    key: k.clone(),
                                    value: v.as_str().unwrap_or_default().to_owned(),
                                })
                                .collect(),
                            Some(Value::Array(list)) => list
                                .iter()
                                .filter_map(|t| {
                                    Some(Tag {
                                        key: t.get("key")?.as_str()?.to_owned(),
                                        value: t.get("value")?.as_str()?.to_owned(),
                                    })
                                })
                                .collect(),
                            _ => Vec::new(),
                        }
                    };
                    let prefix = and
                        .and_then(|a| a.get("prefix"))
                        .or_else(|| filter.and_then(|f| f.get("prefix")))
                        .or_else(|| rule.get("prefix"))
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    let mut filter_tags = tags(and.and_then(|a| a.get("tags")));
                    filter_tags.extend(tags(filter.and_then(|f| f.get("tag"))));
                    filter_tags.extend(tags(rule.get("tags")));
                    let size = |key: &str| {
                        int(and.and_then(|a| a.get(key)))
                            .or_else(|| int(filter.and_then(|f| f.get(key))))
                            .filter(|n| *n > 0)
                    };
                    LifecycleRule {
                        id: rule.get("id").and_then(Value::as_str).map(str::to_owned),
                        enabled: match rule.get("status").and_then(Value::as_str) {
                            Some(status) => status == "Enabled",
                            None => rule
                                .get("enabled")
                                .and_then(Value::as_bool)
                                .unwrap_or(false),
                        },
                        filter: LifecycleFilter {
                            prefix,
                            tags: filter_tags,
                            object_size_greater_than: size("object_size_greater_than"),
                            object_size_less_than: size("object_size_less_than"),
                        },
                        expiration: first(rule, "expiration").and_then(|e| {
                            let expiration = LifecycleExpiration {
                                days: int(e.get("days")).filter(|d| *d > 0),
                                date: date(e.get("date")),
                                expired_object_delete_marker: e
                                    .get("expired_object_delete_marker")
                                    .and_then(Value::as_bool)
                                    .filter(|m| *m),
                            };
                            (expiration.days.is_some()
                                || expiration.date.is_some()
                                || expiration.expired_object_delete_marker.is_some())
                            .then_some(expiration)
                        }),
                        noncurrent_version_expiration: first(rule, "noncurrent_version_expiration")
                            .and_then(|e| {
                                let days =
                                    int(e.get("noncurrent_days")).or_else(|| int(e.get("days")));
                                let newer = int(e.get("newer_noncurrent_versions"));
                                (days.is_some() || newer.is_some()).then_some(
                                    NoncurrentVersionExpiration {
                                        noncurrent_days: days,
                                        newer_noncurrent_versions: newer,
                                    },
                                )
                            }),
                        transitions: rule
                            .get("transition")
                            .and_then(Value::as_array)
                            .map(|ts| {
                                ts.iter()
                                    .map(|t| LifecycleTransition {
                                        days: int(t.get("days")),
                                        date: date(t.get("date")),
                                        storage_class: t
                                            .get("storage_class")
                                            .and_then(Value::as_str)
                                            .unwrap_or_default()
                                            .to_owned(),
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    }
                })
                .collect(),
        )
    };
    configured(
        context,
        instance,
        part(split, "aws_s3_bucket_lifecycle_configuration"),
        "rule",
        "lifecycle_rule",
        read,
    )
    .unwrap_or(Observed::Ok(Vec::new()))
}

pub(super) fn encryption(
    context: &Context,
    instance: &Instance,
    split: &[&Instance],
) -> Observed<Option<BucketEncryption>> {
    let read = |attr: Attr| {
        let rule = attr.blocks().first().and_then(|c| {
            // The split resource has `rule` at the top; the inline argument one level down.
            first(c, "rule").or(Some(c))
        });
        let default = rule.and_then(|r| first(r, "apply_server_side_encryption_by_default"));
        Observed::Ok(default.map(|d| {
            BucketEncryption {
                sse_algorithm: d
                    .get("sse_algorithm")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                kms_master_key_id: d
                    .get("kms_master_key_id")
                    .and_then(Value::as_str)
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned),
                bucket_key_enabled: rule
                    .and_then(|r| r.get("bucket_key_enabled"))
                    .and_then(Value::as_bool),
            }
        }))
    };
    if let Some(part) = part(split, "aws_s3_bucket_server_side_encryption_configuration") {
        return match context.attr(part, "rule") {
            Attr::Unknown => context.unknown(part, "rule"),
            attr => {
                let observed = read(attr);
                // A key given by reference (known only after apply) is still the key it names.
                match (observed, linked_key(context, part)) {
                    (Observed::Ok(Some(mut e)), Some(key))
                        if e.kms_master_key_id.is_none() && e.sse_algorithm.contains("kms") =>
                    {
                        e.kms_master_key_id = Some(key);
                        Observed::Ok(Some(e))
                    }
                    (observed, _) => observed,
                }
            }
        };
    }
    configured(
        context,
        instance,
        None,
        "",
        "server_side_encryption_configuration",
        read,
    )
    .unwrap_or(
        // Every new bucket is encrypted with SSE-S3 by default (since January 2023).
        Observed::Ok(Some(BucketEncryption {
            sse_algorithm: "AES256".to_owned(),
            kms_master_key_id: None,
            bucket_key_enabled: Some(false),
        })),
    )
}

/// The KMS key an encryption rule refers to when its ARN is known only after apply.
fn linked_key(context: &Context, part: &Instance) -> Option<String> {
    let rule = part
        .config
        .as_ref()?
        .get("expressions")?
        .get("rule")?
        .get(0)?;
    let default = rule
        .get("apply_server_side_encryption_by_default")?
        .get(0)?;
    let references = default
        .get("kms_master_key_id")?
        .get("references")?
        .as_array()?;
    references
        .iter()
        .filter_map(Value::as_str)
        .find_map(|reference| {
            let block = reference
                .rsplit_once('.')
                .map(|(b, _)| b)
                .unwrap_or(reference);
            let target = context.instances.iter().find(|i| {
                i.module == part.module
                    && super::document::local_address(i) == block.split('[').next().unwrap_or(block)
            })?;
            Some(super::resources::identity(context, target, "arn"))
        })
}

pub(super) fn object_lock(
    context: &Context,
    instance: &Instance,
    split: &[&Instance],
) -> Observed<Option<ObjectLock>> {
    let retention = |rule: Option<&Value>| {
        rule.and_then(|r| first(r, "default_retention"))
            .map(|d| ObjectLockRetention {
                mode: d
                    .get("mode")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                days: int(d.get("days")),
                years: int(d.get("years")),
            })
    };
    if let Some(part) = part(split, "aws_s3_bucket_object_lock_configuration") {
        return match context.attr(part, "rule") {
            Attr::Unknown => context.unknown(part, "rule"),
            attr => Observed::Ok(Some(ObjectLock {
                enabled: true,
                default_retention: retention(attr.blocks().first()),
            })),
        };
    }
    match context.attr(instance, "object_lock_enabled") {
        Attr::Known(Value::Bool(true)) => Observed::Ok(Some(ObjectLock {
            enabled: true,
            default_retention: None,
        })),
        Attr::Unknown if context.configured(instance, "object_lock_enabled") => {
            context.unknown(instance, "object_lock_enabled")
        }
        _ => Observed::Ok(None),
    }
}
