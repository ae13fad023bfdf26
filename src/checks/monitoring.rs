//! TW801–TW815, TW821–TW823: the CIS monitoring controls, followed along the whole chain —
//! a qualifying trail (multi-region, logging, all management events) → its CloudWatch Logs
//! group (by exact ARN: account, region, name) → a metric filter that matches every event
//! of the control → an alarm in that account and region on the filter's metric name and
//! namespace that one event sets off, with actions enabled → an SNS topic with a confirmed
//! subscription. TW816/TW817: hygiene of the alarms found on the way.

use super::judge::{judge_accounts_in_detail, Detail, Requirement};
use crate::analysis::monitoring::{
    self, alarm_shortfalls, summarize, MonitoringControl, FilterVerdict,
};
use crate::analysis::trail_coverage::records_all_regions;
use crate::analysis::Truth;
use crate::rule::{CheckResult, Outcome, OutcomeBuilder, RuleContext, RuleError};
use crate::inventory::{is_sns_topic, path, Arn, Inventory, LogGroup, MetricAlarm, Observed, Trail};
use serde_json::json;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// How many missed or extra events a message names before "and N more".
const LISTED_EVENTS: usize = 3;

/// A complete chain, for the finding's message and evidence.
#[derive(Debug, Clone)]
struct Link {
    log_group: String,
    filter: String,
    metric: String,
    alarm: String,
    topic: String,
    confirmed: usize,
    broader: Vec<String>,
}

impl Link {
    fn describe(&self) -> String {
        let mut text = format!(
            "log group {} → filter {:?} → metric {} → alarm {:?} → topic {} ({} confirmed subscription{})",
            self.log_group,
            self.filter,
            self.metric,
            self.alarm,
            self.topic,
            self.confirmed,
            if self.confirmed == 1 { "" } else { "s" }
        );
        if !self.broader.is_empty() {
            text.push_str(&format!(
                "; note: the filter is broader than CIS, it also fires on {}",
                summarize(&self.broader, LISTED_EVENTS)
            ));
        }
        text
    }
}

/// The chain behind one trail: yes with the best link, or why not.
fn follow(
    inventory: &Inventory,
    trail: &Trail,
    control: &MonitoringControl,
    strict: bool,
) -> (Truth, Option<Link>) {
    let qualifies = records_all_regions(trail);
    let (chain, link) = follow_log_group(inventory, trail, control, strict);
    (Truth::all([qualifies, chain]), link)
}

fn follow_log_group(
    inventory: &Inventory,
    trail: &Trail,
    control: &MonitoringControl,
    strict: bool,
) -> (Truth, Option<Link>) {
    let Some(arn) = trail.log_group_arn() else {
        return (
            Truth::no(format!(
                "{} delivers to no CloudWatch Logs group",
                trail.name
            )),
            None,
        );
    };
    let Some(group) = inventory.log_groups.get(arn) else {
        return (
            Truth::unknown(format!("{}: log group {arn} was not collected", trail.name)),
            None,
        );
    };
    match group.details.value() {
        Ok(Some(_)) => {}
        Ok(None) => {
            return (
                Truth::no(format!("{}: log group {arn} does not exist", trail.name)),
                None,
            )
        }
        Err(error) => {
            return (
                Truth::unknown(format!("log group {arn} unknown ({error})")),
                None,
            )
        }
    }
    let filters = match &group.metric_filters {
        Some(Observed::Ok(filters)) => filters,
        Some(Observed::Error(error)) => {
            return (
                Truth::unknown(format!("metric filters of {arn} unknown ({error})")),
                None,
            )
        }
        None => {
            return (
                Truth::unknown(format!("metric filters of {arn} were not collected")),
                None,
            )
        }
    };
    let mut no = Vec::new();
    let mut unknown = Vec::new();
    let mut links = Vec::new();
    for filter in filters {
        let broader = match control.judge(&filter.pattern, strict) {
            FilterVerdict::Satisfies { broader } => broader,
            FilterVerdict::Misses { missed } => {
                no.push(format!(
                    "filter {:?} is narrower than CIS: it misses {}",
                    filter.name,
                    summarize(&missed, LISTED_EVENTS)
                ));
                continue;
            }
            FilterVerdict::NotCisText => {
                no.push(format!(
                    "filter {:?} is not the CIS pattern text (--strict-patterns)",
                    filter.name
                ));
                continue;
            }
            FilterVerdict::Unreadable(error) => {
                no.push(format!(
                    "filter {:?} cannot be judged: its pattern is {error}",
                    filter.name
                ));
                continue;
            }
        };
        for transformation in &filter.transformations {
            let metric = format!(
                "{}/{}",
                transformation.metric_namespace, transformation.metric_name
            );
            if !transformation.dimensions.is_empty() {
                no.push(format!(
                    "filter {:?} publishes {metric} per dimension value, which an alarm cannot watch as a whole",
                    filter.name
                ));
                continue;
            }
            let alarms = match &group.alarms {
                Some(Observed::Ok(alarms)) => alarms,
                Some(Observed::Error(error)) => {
                    unknown.push(format!("alarms on {metric} unknown ({error})"));
                    continue;
                }
                None => {
                    unknown.push(format!("alarms on {metric} were not collected"));
                    continue;
                }
            };
            let on_metric: Vec<&MetricAlarm> = alarms
                .iter()
                .filter(|alarm| {
                    alarm.metric_name.as_deref() == Some(&transformation.metric_name)
                        && alarm_region_matches(alarm, arn)
                })
                .collect();
            let (same_namespace, elsewhere): (Vec<&MetricAlarm>, Vec<&MetricAlarm>) =
                on_metric.into_iter().partition(|alarm| {
                    alarm.namespace.as_deref() == Some(&transformation.metric_namespace)
                });
            if same_namespace.is_empty() {
                let hint = if elsewhere.is_empty() {
                    String::new()
                } else {
                    let names: Vec<String> = elsewhere
                        .iter()
                        .map(|a| {
                            format!(
                                "{:?} watches namespace {}",
                                a.name,
                                a.namespace.as_deref().unwrap_or("?")
                            )
                        })
                        .collect();
                    format!(" ({})", names.join(", "))
                };
                no.push(format!(
                    "no alarm on metric {metric} of filter {:?}{hint}",
                    filter.name
                ));
                continue;
            }
            for alarm in same_namespace {
                let shortfalls = alarm_shortfalls(alarm, transformation);
                if !shortfalls.is_empty() {
                    no.push(format!(
                        "alarm {:?} on {metric}: {}",
                        alarm.name,
                        shortfalls.join("; ")
                    ));
                    continue;
                }
                for topic_arn in alarm.alarm_actions.iter().filter(|a| is_sns_topic(a)) {
                    let Some(topic) = inventory.topics.get(topic_arn) else {
                        unknown.push(format!(
                            "topic {topic_arn} of alarm {:?} was not collected",
                            alarm.name
                        ));
                        continue;
                    };
                    match topic.subscriptions.value() {
                        Err(error) => unknown.push(format!(
                            "subscriptions of topic {topic_arn} (alarm {:?}) unknown ({error})",
                            alarm.name
                        )),
                        Ok(subscriptions) => {
                            let confirmed =
                                subscriptions.iter().filter(|s| s.is_confirmed()).count();
                            if confirmed == 0 {
                                no.push(format!(
                                    "topic {topic_arn} of alarm {:?} has no confirmed subscription ({} pending confirmation)",
                                    alarm.name,
                                    subscriptions.len()
                                ));
                            } else {
                                links.push(Link {
                                    log_group: arn.to_owned(),
                                    filter: filter.name.clone(),
                                    metric: metric.clone(),
                                    alarm: alarm.name.clone(),
                                    topic: topic_arn.clone(),
                                    confirmed,
                                    broader: broader.clone(),
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    // A filter exactly as broad as CIS is the better evidence.
    links.sort_by_key(|link| link.broader.len());
    if let Some(link) = links.into_iter().next() {
        return (Truth::Yes, Some(link));
    }
    if !unknown.is_empty() {
        return (Truth::Unknown(unknown), None);
    }
    if no.is_empty() {
        no.push(format!(
            "log group {arn} has no metric filter for {}",
            control.subject
        ));
    }
    (
        Truth::No(
            no.into_iter()
                .map(|why| format!("{}: {why}", trail.name))
                .collect(),
        ),
        None,
    )
}

/// An alarm counts only in the log group's own account and region (the metric lives there).
fn alarm_region_matches(alarm: &MetricAlarm, log_group_arn: &str) -> bool {
    match (Arn::parse(&alarm.arn), Arn::parse(log_group_arn)) {
        (Ok(alarm), Ok(group)) => alarm.account == group.account && alarm.region == group.region,
        _ => false,
    }
}

/// One finding per account for the monitoring control of rule `code`.
fn judge_control(ctx: &RuleContext, code: &str) -> CheckResult {
    let control = monitoring::control(code).map_err(|e| RuleError(e.to_string()))?;
    let strict = ctx.boolean("strict_patterns")?;
    let unsatisfied = format!("no qualifying trail is monitored for {}", control.subject);
    let satisfied = format!("is monitored for {}:", control.subject);
    // Each trail's chain is followed once; the detail of the finding reads it back.
    let links: RefCell<BTreeMap<String, Link>> = RefCell::new(BTreeMap::new());
    let test = |trail: &Trail| {
        let (truth, link) = follow(ctx.inventory, trail, control, strict);
        if let Some(link) = link {
            links.borrow_mut().insert(trail.arn.clone(), link);
        }
        truth
    };
    let detail = |trail: &Trail| {
        links.borrow().get(&trail.arn).map(|link| Detail {
            text: link.describe(),
            evidence: json!({
                "log_group": link.log_group,
                "filter": link.filter,
                "metric": link.metric,
                "alarm": link.alarm,
                "topic": link.topic,
                "confirmed_subscriptions": link.confirmed,
                "broader_than_cis": link.broader,
            }),
        })
    };
    Ok(judge_accounts_in_detail(
        ctx,
        test,
        Requirement {
            satisfied: &satisfied,
            unsatisfied: &unsatisfied,
            no_trail: "no trail records the account's activity, so nothing can be monitored",
        },
        detail,
    ))
}

/// The CIS monitoring control of the rule being run (TW801–TW815, TW821–TW823): one
/// function for all, the rule's code in the context says which control.
pub fn control(ctx: &RuleContext) -> CheckResult {
    judge_control(ctx, ctx.code)
}

/// The alarms found on trail log groups, each once, with the log group it was found on;
/// and an ERROR finding for each group whose alarms could not be read. A group whose alarms
/// were not asked (its trail cannot qualify) has nothing to judge.
fn alarms(inventory: &Inventory) -> (Vec<(&LogGroup, &MetricAlarm)>, Vec<Outcome>) {
    let mut seen = std::collections::BTreeSet::new();
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for group in inventory.log_groups.values() {
        match &group.alarms {
            None => {}
            Some(Observed::Ok(alarms)) => {
                for alarm in alarms {
                    if seen.insert(alarm.arn.as_str()) {
                        found.push((group, alarm));
                    }
                }
            }
            Some(Observed::Error(error)) => errors.push(
                on_arn(&group.arn)
                    .evidence(format!("{}.alarms", path::log_group(&group.arn)), error)
                    .error(format!(
                        "alarms on the metrics of {} unknown ({error})",
                        group.arn
                    )),
            ),
        }
    }
    (found, errors)
}

/// A finding about the resource `arn`, in the account and region the ARN names.
fn on_arn(arn: &str) -> OutcomeBuilder {
    let (account, region) = match Arn::parse(arn) {
        Ok(parsed) => (parsed.account.to_owned(), parsed.region.to_owned()),
        Err(_) => (String::new(), "unknown".to_owned()),
    };
    Outcome::on(account, region, arn)
}

fn on_alarm(alarm: &MetricAlarm, group: &LogGroup) -> OutcomeBuilder {
    on_arn(&alarm.arn).evidence(
        format!("{}.alarms[{:?}]", path::log_group(&group.arn), alarm.name),
        json!({
            "actions_enabled": alarm.actions_enabled,
            "alarm_actions": alarm.alarm_actions,
            "ok_actions": alarm.ok_actions,
            "insufficient_data_actions": alarm.insufficient_data_actions,
        }),
    )
}

/// TW816 alarm-actions (Security Hub CloudWatch.15): every alarm has an alarm action, and
/// the OK and INSUFFICIENT_DATA actions the parameters require.
pub fn alarm_actions(ctx: &RuleContext) -> CheckResult {
    let need_ok = ctx.boolean("ok_action_required")?;
    let need_insufficient = ctx.boolean("insufficient_data_action_required")?;
    let (found, mut outcomes) = alarms(ctx.inventory);
    for (group, alarm) in found {
        let mut missing = Vec::new();
        if alarm.alarm_actions.is_empty() {
            missing.push("ALARM");
        }
        if need_ok && alarm.ok_actions.is_empty() {
            missing.push("OK");
        }
        if need_insufficient && alarm.insufficient_data_actions.is_empty() {
            missing.push("INSUFFICIENT_DATA");
        }
        let outcome = on_alarm(alarm, group);
        outcomes.push(if missing.is_empty() {
            outcome.pass(format!("alarm {:?} has the required actions", alarm.name))
        } else {
            outcome.fail(format!(
                "alarm {:?} has no action for state {}",
                alarm.name,
                missing.join(", ")
            ))
        });
    }
    Ok(outcomes)
}

/// TW817 alarm-actions-enabled (Security Hub CloudWatch.17).
pub fn alarm_actions_enabled(ctx: &RuleContext) -> CheckResult {
    let (found, mut outcomes) = alarms(ctx.inventory);
    for (group, alarm) in found {
        let outcome = on_alarm(alarm, group);
        outcomes.push(if alarm.actions_enabled {
            outcome.pass(format!("alarm {:?} has its actions enabled", alarm.name))
        } else {
            outcome.fail(format!(
                "alarm {:?} has its actions disabled: it changes state but notifies no one",
                alarm.name
            ))
        });
    }
    Ok(outcomes)
}
