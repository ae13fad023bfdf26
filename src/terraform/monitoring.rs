//! CloudWatch Logs groups with their metric filters and the alarms on their metrics, and the
//! SNS topics the alarms notify with their subscriptions (confirmed at creation, or only once
//! the subscriber answers: known only after apply).

use super::context::{Attr, Context};
use super::document::Instance;
use super::resources::{identity, not_in_plan, strings_of};
use super::trail::linked;
use super::{record, Missing};
use crate::inventory::{
    keyed, ErrorKind, Inventory, LogGroup, LogGroupDetails, MetricAlarm, MetricFilter,
    MetricTransformation, Observed, SnsSubscription, SnsTopic,
};
use serde_json::Value;
use std::collections::BTreeMap;

pub(super) fn log_groups(
    context: &Context,
    inventory: &mut Inventory,
    addresses: &mut BTreeMap<String, String>,
    missing: &mut Missing,
) {
    let filters: Vec<&Instance> = context
        .managed("aws_cloudwatch_log_metric_filter")
        .collect();
    let alarms: Vec<MetricAlarm> = context
        .managed("aws_cloudwatch_metric_alarm")
        .map(|alarm| {
            let arn = identity_alarm(context, alarm);
            record(addresses, &arn, alarm);
            metric_alarm(context, alarm, arn)
        })
        .collect();
    for instance in context.managed("aws_cloudwatch_log_group") {
        let arn = crate::inventory::normalize_log_group_arn(&identity(context, instance, "arn"))
            .to_owned();
        let name = identity(context, instance, "name");
        record(addresses, &arn, instance);
        let details = match super::trail::resolved(context, instance, "kms_key_id") {
            super::trail::Resolved::Unknown(_) => context.unknown(instance, "kms_key_id"),
            _ => Observed::Ok(Some(LogGroupDetails {
                retention_in_days: context
                    .attr(instance, "retention_in_days")
                    .int()
                    .filter(|d| *d > 0),
                kms_key_id: linked(context, instance, "kms_key_id"),
            })),
        };
        let group_filters: Vec<MetricFilter> = filters
            .iter()
            .filter(|f| linked(context, f, "log_group_name").is_some_and(|g| g == name || g == arn))
            .map(|f| metric_filter(context, f))
            .collect();
        let metrics: Vec<(&str, &str)> = group_filters
            .iter()
            .flat_map(|f| f.transformations.iter())
            .map(|t| (t.metric_name.as_str(), t.metric_namespace.as_str()))
            .collect();
        let group_alarms: Vec<MetricAlarm> = alarms
            .iter()
            .filter(|a| {
                a.metric_name
                    .as_deref()
                    .is_some_and(|m| metrics.iter().any(|(name, _)| *name == m))
            })
            .cloned()
            .collect();
        keyed::insert(
            &mut inventory.log_groups,
            LogGroup {
                arn,
                details,
                metric_filters: Some(Observed::Ok(group_filters)),
                alarms: Some(Observed::Ok(group_alarms)),
            },
        );
    }
    let named: Vec<String> = inventory
        .trails
        .values()
        .filter_map(|t| t.log_group_arn().map(str::to_owned))
        .collect();
    for arn in named {
        if inventory.log_groups.contains_key(&arn) || !arn.starts_with("arn:") {
            continue;
        }
        missing.log_groups.insert(arn.clone());
        let message = format!("log group {arn} is not in the plan; give --live to read it");
        keyed::insert(
            &mut inventory.log_groups,
            LogGroup {
                arn: arn.clone(),
                details: not_in_plan(&message),
                metric_filters: Some(not_in_plan(&message)),
                alarms: Some(not_in_plan(&message)),
            },
        );
    }
}

fn identity_alarm(context: &Context, alarm: &Instance) -> String {
    context.attr(alarm, "arn").str().map_or_else(
        || {
            let name = context
                .attr(alarm, "alarm_name")
                .str()
                .unwrap_or(&alarm.address)
                .to_owned();
            format!(
                "arn:{}:cloudwatch:{}:{}:alarm:{name}",
                context.partition,
                context.region_or_default(alarm),
                context.account
            )
        },
        str::to_owned,
    )
}

fn string_map(attr: Attr) -> BTreeMap<String, String> {
    match attr {
        Attr::Known(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn metric_filter(context: &Context, filter: &Instance) -> MetricFilter {
    MetricFilter {
        name: context
            .attr(filter, "name")
            .str()
            .unwrap_or(&filter.address)
            .to_owned(),
        pattern: context
            .attr(filter, "pattern")
            .str()
            .unwrap_or_default()
            .to_owned(),
        transformations: context
            .attr(filter, "metric_transformation")
            .blocks()
            .iter()
            .map(|t| MetricTransformation {
                metric_name: t
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                metric_namespace: t
                    .get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                metric_value: t
                    .get("value")
                    .and_then(Value::as_str)
                    .unwrap_or("1")
                    .to_owned(),
                default_value: t
                    .get("default_value")
                    .and_then(|v| v.as_f64().or_else(|| v.as_str()?.parse().ok())),
                dimensions: string_map(t.get("dimensions").map_or(Attr::Absent, Attr::Known)),
            })
            .collect(),
    }
}

fn metric_alarm(context: &Context, alarm: &Instance, arn: String) -> MetricAlarm {
    let text = |key: &str| context.attr(alarm, key).str().map(str::to_owned);
    let actions = |key: &str| {
        let mut list = strings_of(context.attr(alarm, key));
        if list.is_empty() {
            if let Attr::Unknown = context.attr(alarm, key) {
                // Actions given by reference (a topic ARN known only after apply).
                if let Some(super::context::Linked::Instance(target, attr)) =
                    context.link(alarm, key)
                {
                    list.push(identity(context, target, &attr));
                }
            }
        }
        list
    };
    MetricAlarm {
        name: text("alarm_name").unwrap_or_else(|| alarm.address.clone()),
        arn,
        metric_name: text("metric_name"),
        namespace: text("namespace"),
        dimensions: string_map(context.attr(alarm, "dimensions")),
        actions_enabled: context
            .attr(alarm, "actions_enabled")
            .bool()
            .unwrap_or(true),
        alarm_actions: actions("alarm_actions"),
        ok_actions: actions("ok_actions"),
        insufficient_data_actions: actions("insufficient_data_actions"),
        statistic: text("statistic"),
        extended_statistic: text("extended_statistic"),
        comparison_operator: text("comparison_operator"),
        threshold: match context.attr(alarm, "threshold") {
            Attr::Known(v) => v.as_f64(),
            _ => None,
        },
        evaluation_periods: context
            .attr(alarm, "evaluation_periods")
            .int()
            .and_then(|n| i32::try_from(n).ok()),
        datapoints_to_alarm: context
            .attr(alarm, "datapoints_to_alarm")
            .int()
            .and_then(|n| i32::try_from(n).ok()),
    }
}

/// Protocols whose subscriptions are confirmed when created (no message to answer).
const CONFIRMED_AT_CREATION: &[&str] = &["sqs", "lambda", "firehose", "application", "sms"];

pub(super) fn topics(
    context: &Context,
    inventory: &mut Inventory,
    addresses: &mut BTreeMap<String, String>,
    missing: &mut Missing,
) {
    let subscriptions: Vec<&Instance> = context.managed("aws_sns_topic_subscription").collect();
    for instance in context.managed("aws_sns_topic") {
        let arn = identity(context, instance, "arn");
        record(addresses, &arn, instance);
        let mine: Vec<&&Instance> = subscriptions
            .iter()
            .filter(|s| linked(context, s, "topic_arn").is_some_and(|t| t == arn))
            .collect();
        let confirmed: Vec<SnsSubscription> = mine
            .iter()
            .filter_map(|s| {
                let protocol = context.attr(s, "protocol").str()?.to_owned();
                let done = CONFIRMED_AT_CREATION.contains(&protocol.as_str())
                    || context.attr(s, "pending_confirmation").bool() == Some(false);
                done.then(|| SnsSubscription {
                    arn: context
                        .attr(s, "arn")
                        .str()
                        .map_or_else(|| format!("{arn}:{}", s.address), str::to_owned),
                    protocol,
                })
            })
            .collect();
        let pending: Vec<String> = mine
            .iter()
            .filter(|s| {
                let protocol = context.attr(s, "protocol").str().unwrap_or_default();
                !CONFIRMED_AT_CREATION.contains(&protocol)
                    && context.attr(s, "pending_confirmation").bool() != Some(false)
            })
            .map(|s| {
                format!(
                    "{} ({})",
                    s.address,
                    context.attr(s, "protocol").str().unwrap_or("?")
                )
            })
            .collect();
        let observed = if confirmed.is_empty() && !pending.is_empty() {
            Observed::failure(
                ErrorKind::Unknown,
                "",
                format!(
                    "whether {} will be confirmed is known only after apply (the subscriber must answer AWS's message)",
                    pending.join(", ")
                ),
            )
        } else {
            Observed::Ok(confirmed)
        };
        keyed::insert(
            &mut inventory.topics,
            SnsTopic {
                arn,
                subscriptions: observed,
            },
        );
    }
    let mut named: Vec<String> = Vec::new();
    for group in inventory.log_groups.values() {
        if let Some(Observed::Ok(alarms)) = &group.alarms {
            named.extend(alarms.iter().flat_map(|a| a.alarm_actions.iter().cloned()));
        }
    }
    for arn in named {
        if inventory.topics.contains_key(&arn) || !crate::inventory::is_sns_topic(&arn) {
            continue;
        }
        missing.topics.insert(arn.clone());
        keyed::insert(
            &mut inventory.topics,
            SnsTopic {
                arn: arn.clone(),
                subscriptions: Observed::failure(
                    ErrorKind::NotCollected,
                    "",
                    format!("topic {arn} is not in the plan; give --live to read it"),
                ),
            },
        );
    }
}
