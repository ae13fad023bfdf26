//! CloudWatch Logs: the log groups trails deliver to.

use super::failure::observation_error;
use crate::inventory::{LogGroupDetails, Observed};
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
