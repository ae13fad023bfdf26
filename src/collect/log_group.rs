//! A CloudWatch Logs group, its metric filters, the alarms on their metrics and the SNS
//! topics the alarms notify.

use super::crawl::{with_note, Crawl, MonitoringChain};
use crate::aws::api::{cloudwatch, logs, sns};
use crate::aws::limits::Service;
use crate::inventory::{Arn, ErrorKind, LogGroup, Observed, SnsTopic};
use crate::scope::sessions::Session;
use futures::future::join_all;
use std::collections::BTreeSet;

impl Crawl<'_> {
    /// A log group, read with its owner's session; CloudWatch Logs cannot describe another
    /// account's log groups, so one of an account that is not scanned is recorded as such.
    pub(super) async fn log_group(&self, arn: &str) {
        if !self.claim("log-group", arn) {
            return;
        }
        let Some((parsed, name)) = parse_log_group(arn) else {
            tracing::warn!(log_group = %arn, "skipping a log group reference that is not a Logs ARN");
            return;
        };
        let region = parsed.region.to_owned();
        let owner = self.sessions.get(parsed.account);
        let details = match owner {
            Some(owner) => {
                self.limited(
                    owner,
                    Service::Logs,
                    &region,
                    logs::log_group(&owner.clients.logs(&region), name),
                )
                .await
            }
            None => Observed::failure(
                ErrorKind::NotCollected,
                "logs:DescribeLogGroups",
                format!(
                    "the log group belongs to {}",
                    self.unscanned(parsed.account)
                ),
            ),
        };
        if let (Observed::Ok(Some(group)), Some(owner)) = (&details, owner) {
            if let Some(key) = &group.kms_key_id {
                self.kms_key(owner, key, &region).await;
            }
        }
        self.record(|found| {
            found.log_groups.push(LogGroup {
                arn: arn.to_owned(),
                details,
                metric_filters: None,
                alarms: None,
            })
        });
    }

    /// The CIS monitoring chain behind a log group: its metric filters, the alarms in its
    /// account and region on their metrics, and the SNS topics those alarms notify. Read
    /// with the group owner's session; a group of an account that is not scanned is
    /// recorded as not collected.
    pub(super) async fn monitoring(&self, arn: &str) {
        if !self.claim("log-group-monitoring", arn) {
            return;
        }
        let Some((parsed, name)) = parse_log_group(arn) else {
            return;
        };
        let region = parsed.region.to_owned();
        let (filters, alarms) = match self.sessions.get(parsed.account) {
            None => {
                let why = format!(
                    "the log group belongs to {}",
                    self.unscanned(parsed.account)
                );
                (
                    Observed::failure(ErrorKind::NotCollected, "logs:DescribeMetricFilters", &why),
                    Observed::failure(ErrorKind::NotCollected, "cloudwatch:DescribeAlarms", why),
                )
            }
            Some(owner) => {
                let filters = self
                    .limited(
                        owner,
                        Service::Logs,
                        &region,
                        logs::metric_filters(&owner.clients.logs(&region), name),
                    )
                    .await;
                let alarms = match &filters {
                    Observed::Ok(filters) => {
                        let metrics: BTreeSet<String> = filters
                            .iter()
                            .flat_map(|f| &f.transformations)
                            .map(|t| t.metric_name.clone())
                            .collect();
                        if metrics.is_empty() {
                            Observed::Ok(Vec::new())
                        } else {
                            self.limited(
                                owner,
                                Service::CloudWatch,
                                &region,
                                cloudwatch::alarms_on(&owner.clients.cloudwatch(&region), &metrics),
                            )
                            .await
                        }
                    }
                    Observed::Error(error) => Observed::failure(
                        ErrorKind::NotCollected,
                        "cloudwatch:DescribeAlarms",
                        format!("not asked: the metric filters are unknown ({error})"),
                    ),
                };
                if let Observed::Ok(alarms) = &alarms {
                    let topics: BTreeSet<&str> = alarms
                        .iter()
                        .flat_map(|alarm| &alarm.alarm_actions)
                        .map(String::as_str)
                        .filter(|action| crate::inventory::is_sns_topic(action))
                        .collect();
                    join_all(topics.into_iter().map(|topic| self.topic(owner, topic))).await;
                }
                (filters, alarms)
            }
        };
        self.record(|found| {
            found.monitoring.push(MonitoringChain {
                log_group_arn: arn.to_owned(),
                metric_filters: filters,
                alarms,
            })
        });
    }

    /// An SNS topic's subscriptions, read with the topic owner's session when the owner is
    /// scanned, else with the referrer's (a topic policy may allow it; if not, ERROR).
    pub(super) async fn topic(&self, referrer: &Session, arn: &str) {
        if !self.claim("topic", arn) {
            return;
        }
        let subscriptions = match Arn::parse_regional(arn, "sns") {
            Ok(parsed) => {
                let reader = self.session_of(parsed.account, referrer);
                let region = parsed.region.to_owned();
                let subscriptions = self
                    .limited(
                        reader,
                        Service::Sns,
                        &region,
                        sns::subscriptions(&reader.clients.sns(&region), arn),
                    )
                    .await;
                if reader.account == parsed.account {
                    subscriptions
                } else {
                    let owner = format!("the topic belongs to {}", self.unscanned(parsed.account));
                    with_note(subscriptions, &owner)
                }
            }
            Err(error) => Observed::failure(
                ErrorKind::NotCollected,
                "sns:ListSubscriptionsByTopic",
                format!("not asked: {error}"),
            ),
        };
        self.record(|found| {
            found.topics.push(SnsTopic {
                arn: arn.to_owned(),
                subscriptions,
            })
        });
    }
}

/// A log group ARN and the group's name (its resource without `log-group:`).
pub(super) fn parse_log_group(arn: &str) -> Option<(Arn<'_>, &str)> {
    let parsed = Arn::parse_regional(arn, "logs").ok()?;
    let name = parsed
        .resource
        .strip_prefix("log-group:")
        .unwrap_or(parsed.resource);
    Some((parsed, name))
}
