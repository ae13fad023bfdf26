//! `aws_cloudtrail`: settings, selectors (classic and advanced), insight selectors, tags, and
//! links to its bucket, key, log group and topic.

use super::context::{Attr, Context, Linked};
use super::document::Instance;
use super::record;
use super::resources::identity;
use crate::inventory::{
    AdvancedEventSelector, AdvancedFieldSelector, DataResource, EventSelector, EventSelectors,
    InsightSelector, Observed, ReadWriteType, Tag, Trail, TrailStatus,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// Why a planned trail's deliveries cannot be judged.
const NOT_DELIVERED: &str = "a trail of a Terraform plan has delivered nothing yet; deliveries are observed on the live trail";

pub(super) fn trails(context: &Context, addresses: &mut BTreeMap<String, String>) -> Vec<Trail> {
    context
        .managed("aws_cloudtrail")
        .map(|instance| {
            let trail = trail(context, instance);
            record(addresses, &trail.arn, instance);
            trail
        })
        .collect()
}

/// A string attribute, or what it refers to when known only after apply; when neither can be
/// had, a text naming the attribute, which every rule that looks it up reports.
pub(super) fn linked(context: &Context, instance: &Instance, key: &str) -> Option<String> {
    match resolved(context, instance, key) {
        Resolved::Value(value) => Some(value),
        Resolved::Absent => None,
        Resolved::Unknown(text) => Some(text),
    }
}

/// What a string attribute is, when the plan can say.
pub(super) enum Resolved {
    Value(String),
    Absent,
    /// Known only after apply and not to be had through a reference: the text names it.
    Unknown(String),
}

pub(super) fn resolved(context: &Context, instance: &Instance, key: &str) -> Resolved {
    match context.attr(instance, key) {
        Attr::Known(Value::String(text)) if !text.is_empty() => Resolved::Value(text.clone()),
        Attr::Known(_) | Attr::Absent => Resolved::Absent,
        Attr::Unknown => match context.link(instance, key) {
            Some(Linked::Instance(target, attribute)) => {
                Resolved::Value(identity(context, target, &attribute))
            }
            Some(Linked::Value(Value::String(text))) => Resolved::Value(text),
            _ => Resolved::Unknown(format!(
                "`{}.{key}` (known only after apply)",
                instance.address
            )),
        },
    }
}

fn trail(context: &Context, instance: &Instance) -> Trail {
    let region = context.region_or_default(instance);
    let name = context
        .attr(instance, "name")
        .str()
        .map_or_else(|| instance.address.clone(), str::to_owned);
    let arn = context
        .attr(instance, "arn")
        .str()
        .map(str::to_owned)
        .unwrap_or_else(|| {
            format!(
                "arn:{}:cloudtrail:{region}:{}:trail/{name}",
                context.partition, context.account
            )
        });
    // A setting known only after apply reads as off (never as the recommended value), and the
    // trail's status says which it is, so every rule that needs a logging trail says ERROR.
    let flags = [
        "is_multi_region_trail",
        "is_organization_trail",
        "include_global_service_events",
        "enable_log_file_validation",
        "enable_logging",
    ];
    let unknown_flags: Vec<&str> = flags
        .iter()
        .copied()
        .filter(|key| matches!(context.attr(instance, key), Attr::Unknown))
        .collect();
    let flag = |key: &str, default: bool| match context.attr(instance, key) {
        Attr::Unknown => false,
        attr => attr.bool().unwrap_or(default),
    };
    let sns_topic_arn = linked(context, instance, "sns_topic_name").map(|topic| {
        if topic.starts_with("arn:") || topic.starts_with('`') {
            topic
        } else {
            format!(
                "arn:{}:sns:{region}:{}:{topic}",
                context.partition, context.account
            )
        }
    });
    let status = match unknown_flags.as_slice() {
        [] => Observed::Ok(TrailStatus {
            is_logging: flag("enable_logging", true),
            latest_delivery_time: None,
            latest_delivery_error: None,
            latest_digest_delivery_time: None,
            latest_digest_delivery_error: None,
            latest_cloud_watch_logs_delivery_time: None,
            latest_cloud_watch_logs_delivery_error: None,
            start_logging_time: None,
            stop_logging_time: None,
            deliveries_unknown: Some(NOT_DELIVERED.to_owned()),
        }),
        [one] => context.unknown(instance, one),
        many => Observed::failure(
            crate::inventory::ErrorKind::Unknown,
            "",
            format!(
                "`{}` {} are known only after apply",
                instance.address,
                many.join(", ")
            ),
        ),
    };
    Trail {
        arn,
        name,
        home_region: region,
        is_multi_region: flag("is_multi_region_trail", false),
        is_organization_trail: flag("is_organization_trail", false),
        include_global_service_events: flag("include_global_service_events", true),
        log_file_validation_enabled: flag("enable_log_file_validation", false),
        s3_bucket_name: linked(context, instance, "s3_bucket_name"),
        s3_key_prefix: context
            .attr(instance, "s3_key_prefix")
            .str()
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
        kms_key_id: linked(context, instance, "kms_key_id"),
        sns_topic_arn,
        cloud_watch_logs_log_group_arn: linked(context, instance, "cloud_watch_logs_group_arn"),
        cloud_watch_logs_role_arn: linked(context, instance, "cloud_watch_logs_role_arn"),
        status,
        event_selectors: event_selectors(context, instance),
        insight_selectors: match context.attr(instance, "insight_selector") {
            Attr::Unknown => context.unknown(instance, "insight_selector"),
            attr => Observed::Ok(
                attr.blocks()
                    .iter()
                    .filter_map(|s| s.get("insight_type")?.as_str())
                    .map(|t| InsightSelector {
                        insight_type: t.to_owned(),
                    })
                    .collect(),
            ),
        },
        tags: match context.attr(instance, "tags") {
            Attr::Unknown => context.unknown(instance, "tags"),
            Attr::Known(Value::Object(tags)) => Observed::Ok(
                tags.iter()
                    .map(|(key, value)| Tag {
                        key: key.clone(),
                        value: value.as_str().unwrap_or_default().to_owned(),
                    })
                    .collect(),
            ),
            _ => Observed::Ok(Vec::new()),
        },
        log_integrity: None,
        unknown_settings: [
            ("s3_bucket_name", "s3_bucket_name"),
            ("kms_key_id", "kms_key_id"),
            ("sns_topic_arn", "sns_topic_name"),
            (
                "cloud_watch_logs_log_group_arn",
                "cloud_watch_logs_group_arn",
            ),
            ("cloud_watch_logs_role_arn", "cloud_watch_logs_role_arn"),
        ]
        .into_iter()
        .filter_map(|(field, key)| match resolved(context, instance, key) {
            Resolved::Unknown(_) => Some((
                field.to_owned(),
                format!("`{}.{key}` is known only after apply", instance.address),
            )),
            _ => None,
        })
        .chain(
            [
                ("is_multi_region", "is_multi_region_trail"),
                ("is_organization_trail", "is_organization_trail"),
                (
                    "include_global_service_events",
                    "include_global_service_events",
                ),
                ("log_file_validation_enabled", "enable_log_file_validation"),
            ]
            .into_iter()
            .filter(|(_, key)| unknown_flags.contains(key))
            .map(|(field, key)| {
                (
                    field.to_owned(),
                    format!("`{}.{key}` is known only after apply", instance.address),
                )
            }),
        )
        .collect(),
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Classic or advanced selectors; none written is CloudTrail's default for a new trail:
/// every management event, read and write.
fn event_selectors(context: &Context, instance: &Instance) -> Observed<EventSelectors> {
    let classic = context.attr_whole(instance, "event_selector");
    let advanced = context.attr_whole(instance, "advanced_event_selector");
    if matches!(classic, Attr::Unknown) {
        return context.unknown(instance, "event_selector");
    }
    if matches!(advanced, Attr::Unknown) {
        return context.unknown(instance, "advanced_event_selector");
    }
    let mut selectors = EventSelectors::default();
    for selector in advanced.blocks() {
        selectors.advanced.push(AdvancedEventSelector {
            name: selector
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            field_selectors: selector
                .get("field_selector")
                .and_then(Value::as_array)
                .map(|fields| {
                    fields
                        .iter()
                        .map(|f| AdvancedFieldSelector {
                            field: f
                                .get("field")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_owned(),
                            equals: strings(f.get("equals")),
                            starts_with: strings(f.get("starts_with")),
                            ends_with: strings(f.get("ends_with")),
                            not_equals: strings(f.get("not_equals")),
                            not_starts_with: strings(f.get("not_starts_with")),
                            not_ends_with: strings(f.get("not_ends_with")),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    if selectors.advanced.is_empty() {
        for selector in classic.blocks() {
            let read_write_type = match selector.get("read_write_type").and_then(Value::as_str) {
                Some("ReadOnly") => ReadWriteType::ReadOnly,
                Some("WriteOnly") => ReadWriteType::WriteOnly,
                _ => ReadWriteType::All,
            };
            selectors.classic.push(EventSelector {
                read_write_type,
                include_management_events: selector
                    .get("include_management_events")
                    .and_then(Value::as_bool)
                    .unwrap_or(true),
                data_resources: selector
                    .get("data_resource")
                    .and_then(Value::as_array)
                    .map(|resources| {
                        resources
                            .iter()
                            .map(|r| DataResource {
                                resource_type: r
                                    .get("type")
                                    .and_then(Value::as_str)
                                    .unwrap_or_default()
                                    .to_owned(),
                                values: strings(r.get("values")),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                exclude_management_event_sources: strings(
                    selector.get("exclude_management_event_sources"),
                ),
            });
        }
    }
    if selectors.classic.is_empty() && selectors.advanced.is_empty() {
        selectors.classic.push(EventSelector {
            read_write_type: ReadWriteType::All,
            include_management_events: true,
            data_resources: Vec::new(),
            exclude_management_event_sources: Vec::new(),
        });
    }
    Observed::Ok(selectors)
}
