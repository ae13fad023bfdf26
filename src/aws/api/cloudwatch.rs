//! CloudWatch: the metric alarms that watch what metric filters publish.

use crate::aws::failure::observe_pages;
use crate::inventory::{MetricAlarm, Observed};
use aws_sdk_cloudwatch::Client;
use std::collections::BTreeSet;

/// The region's metric alarms on a metric named in `metric_names`, whatever the namespace
/// (an alarm on the right name in the wrong namespace is worth reporting). The region's
/// alarms are listed once, 100 to a page, rather than asked per metric: a log group may
/// carry hundreds of filters.
pub async fn alarms_on(
    client: &Client,
    metric_names: &BTreeSet<String>,
) -> Observed<Vec<MetricAlarm>> {
    let pages = client
        .describe_alarms()
        .max_records(100)
        .into_paginator()
        .send();
    observe_pages("cloudwatch:DescribeAlarms", pages, |page| {
        page.metric_alarms()
            .iter()
            .filter(|alarm| {
                alarm
                    .metric_name()
                    .is_some_and(|name| metric_names.contains(name))
            })
            .map(|alarm| MetricAlarm {
                name: alarm.alarm_name().unwrap_or_default().to_owned(),
                arn: alarm.alarm_arn().unwrap_or_default().to_owned(),
                metric_name: alarm.metric_name().map(str::to_owned),
                namespace: alarm.namespace().map(str::to_owned),
                dimensions: alarm
                    .dimensions()
                    .iter()
                    .map(|d| {
                        (
                            d.name().unwrap_or_default().to_owned(),
                            d.value().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect(),
                // AWS's default when the field is absent is enabled.
                actions_enabled: alarm.actions_enabled().unwrap_or(true),
                alarm_actions: alarm.alarm_actions().to_vec(),
                ok_actions: alarm.ok_actions().to_vec(),
                insufficient_data_actions: alarm.insufficient_data_actions().to_vec(),
                statistic: alarm.statistic().map(|s| s.as_str().to_owned()),
                extended_statistic: alarm.extended_statistic().map(str::to_owned),
                comparison_operator: alarm.comparison_operator().map(|c| c.as_str().to_owned()),
                threshold: alarm.threshold(),
                evaluation_periods: alarm.evaluation_periods(),
                datapoints_to_alarm: alarm.datapoints_to_alarm(),
            })
            .collect()
    })
    .await
}
