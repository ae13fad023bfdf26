//! CloudWatch Logs: the log groups trails deliver to, and their metric filters.

use crate::aws::failure::{observation_error, observe_pages};
use crate::inventory::{LogGroupDetails, MetricFilter, MetricTransformation, Observed};
use aws_sdk_cloudwatchlogs::Client;

/// The log group named `name`; `Ok(None)`: it does not exist. `DescribeLogGroups` filters by
/// prefix, so the pages are walked until the exact name shows up.
pub async fn log_group(client: &Client, name: &str) -> Observed<Option<LogGroupDetails>> {
    let mut pages = client
        .describe_log_groups()
        .log_group_name_prefix(name)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(e) => return Observed::Error(observation_error("logs:DescribeLogGroups", &e)),
        };
        if let Some(group) = page
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(name))
        {
            return Observed::Ok(Some(LogGroupDetails {
                retention_in_days: group.retention_in_days().map(i64::from),
                kms_key_id: group.kms_key_id().map(str::to_owned),
            }));
        }
    }
    Observed::Ok(None)
}

/// Every metric filter on the log group `name`.
pub async fn metric_filters(client: &Client, name: &str) -> Observed<Vec<MetricFilter>> {
    let pages = client
        .describe_metric_filters()
        .log_group_name(name)
        .into_paginator()
        .send();
    observe_pages("logs:DescribeMetricFilters", pages, |page| {
        page.metric_filters()
            .iter()
            .map(|filter| MetricFilter {
                name: filter.filter_name().unwrap_or_default().to_owned(),
                pattern: filter.filter_pattern().unwrap_or_default().to_owned(),
                transformations: filter
                    .metric_transformations()
                    .iter()
                    .map(|t| MetricTransformation {
                        metric_name: t.metric_name().to_owned(),
                        metric_namespace: t.metric_namespace().to_owned(),
                        metric_value: t.metric_value().to_owned(),
                        default_value: t.default_value(),
                        dimensions: t
                            .dimensions()
                            .map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                            .unwrap_or_default(),
                    })
                    .collect(),
            })
            .collect()
    })
    .await
}
