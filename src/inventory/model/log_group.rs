//! CloudWatch Logs groups: details, metric filters and the alarms on their metrics.

use crate::inventory::keyed::Keyed;
use crate::inventory::observed::Observed;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A CloudWatch Logs group a trail delivers to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogGroup {
    /// `arn:aws:logs:REGION:ACCOUNT:log-group:NAME` (without `:*`).
    pub arn: String,
    /// `logs:DescribeLogGroups`; `Ok(None)`: the group does not exist.
    #[serde(default)]
    pub details: Observed<Option<LogGroupDetails>>,
    /// `logs:DescribeMetricFilters` on this group. Asked only for the groups of trails that
    /// may qualify for the CIS monitoring controls (multi-region, logging, all management
    /// events); `None`: not asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_filters: Option<Observed<Vec<MetricFilter>>>,
    /// `cloudwatch:DescribeAlarms` in the group's account and region: the metric alarms on a
    /// metric named as one that the group's metric filters publish (in any namespace).
    /// `None`: not asked, as for `metric_filters`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms: Option<Observed<Vec<MetricAlarm>>>,
}

/// A CloudWatch Logs metric filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricFilter {
    pub name: String,
    /// The filter pattern as written (empty: every event).
    #[serde(default)]
    pub pattern: String,
    #[serde(default)]
    pub transformations: Vec<MetricTransformation>,
}

/// What a metric filter publishes for each matching event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricTransformation {
    pub metric_name: String,
    pub metric_namespace: String,
    /// The value published per match: a number (`"1"`) or a selector (`"$.bytes"`).
    pub metric_value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<f64>,
    /// Dimension name → selector. A filter with dimensions publishes per dimension value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dimensions: BTreeMap<String, String>,
}

/// A CloudWatch metric alarm (single metric; metric-math alarms are recorded with their
/// metric unset and never count as watching a filter's metric).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricAlarm {
    pub name: String,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dimensions: BTreeMap<String, String>,
    pub actions_enabled: bool,
    #[serde(default)]
    pub alarm_actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ok_actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub insufficient_data_actions: Vec<String>,
    /// `Sum`, `SampleCount`, `Average`, `Minimum`, `Maximum`; or a percentile in
    /// `extended_statistic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_statistic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison_operator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_periods: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datapoints_to_alarm: Option<i32>,
}

impl Keyed for LogGroup {
    fn key(&self) -> &str {
        &self.arn
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogGroupDetails {
    /// `None`: never expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_in_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}
