//! SNS: who listens on the topics alarms notify.

use crate::aws::failure::observe_pages;
use crate::inventory::{Observed, SnsSubscription};
use aws_sdk_sns::Client;

/// The topic's subscriptions; endpoints (e-mail addresses, URLs) are deliberately dropped.
pub async fn subscriptions(client: &Client, topic_arn: &str) -> Observed<Vec<SnsSubscription>> {
    let pages = client
        .list_subscriptions_by_topic()
        .topic_arn(topic_arn)
        .into_paginator()
        .send();
    observe_pages("sns:ListSubscriptionsByTopic", pages, |page| {
        page.subscriptions()
            .iter()
            .map(|s| SnsSubscription {
                arn: s.subscription_arn().unwrap_or_default().to_owned(),
                protocol: s.protocol().unwrap_or_default().to_owned(),
            })
            .collect()
    })
    .await
}
