//! The CIS monitoring controls judged by meaning: does a metric filter match the events a
//! control is about (the corpus in `rules/monitoring/corpus.toml`), and would an alarm on
//! its metric go off, and tell someone, on one such event?

use super::filter_pattern::{self, ParseError, Pattern};
use crate::inventory::{MetricAlarm, MetricTransformation};
use serde::Deserialize;
use serde_json::Value;
use std::sync::OnceLock;

const CORPUS: &str = include_str!("../../rules/monitoring/corpus.toml");

/// The monitoring controls and their events.
#[derive(Debug)]
pub struct Corpus {
    pub controls: Vec<MonitoringControl>,
}

/// One monitoring rule's control: what its filter must match and must not.
#[derive(Debug)]
pub struct MonitoringControl {
    pub rule: String,
    pub subject: String,
    /// The CIS texts, parsed; `--strict-patterns` accepts these only.
    pub cis: Vec<(String, Pattern)>,
    pub must_match: Vec<Sample>,
    pub must_not_match: Vec<Sample>,
}

/// A CloudTrail event with a name for reports.
#[derive(Debug, Clone)]
pub struct Sample {
    pub label: String,
    pub event: Value,
}

/// The corpus, parsed once. An error here is a defect of the embedded data, which the
/// corpus tests catch before a release.
pub fn corpus() -> Result<&'static Corpus, CorpusError> {
    static PARSED: OnceLock<Result<Corpus, String>> = OnceLock::new();
    PARSED
        .get_or_init(|| parse_corpus(CORPUS))
        .as_ref()
        .map_err(|e| CorpusError(format!("the monitoring event corpus is invalid: {e}")))
}

/// The embedded event corpus is unusable, or lacks a rule's control.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CorpusError(String);

/// The control of rule `code`.
pub fn control(code: &str) -> Result<&'static MonitoringControl, CorpusError> {
    corpus()?
        .controls
        .iter()
        .find(|c| c.rule == code)
        .ok_or_else(|| {
            CorpusError(format!(
                "the monitoring event corpus has no entry for {code}"
            ))
        })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorpusFile {
    base: toml::Table,
    control: Vec<ControlEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlEntry {
    rule: String,
    subject: String,
    cis: Vec<String>,
    must_match: Vec<SampleEntry>,
    #[serde(default)]
    must_not_match: Vec<SampleEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SampleEntry {
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    names: Vec<String>,
    event: toml::Table,
}

fn parse_corpus(text: &str) -> Result<Corpus, String> {
    let file: CorpusFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let base = to_json(file.base)?;
    let mut controls = Vec::new();
    for entry in file.control {
        let cis = entry
            .cis
            .iter()
            .map(|text| {
                filter_pattern::parse(text)
                    .map(|p| (text.clone(), p))
                    .map_err(|e| format!("{}: CIS pattern {text:?}: {e}", entry.rule))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let expand = |samples: Vec<SampleEntry>| -> Result<Vec<Sample>, String> {
            let mut out = Vec::new();
            for sample in samples {
                let fields = to_json(sample.event)?;
                let mut event = base.clone();
                merge(&mut event, fields);
                if sample.names.is_empty() {
                    let label = sample.label.ok_or_else(|| {
                        format!("{}: a sample needs `label` or `names`", entry.rule)
                    })?;
                    out.push(Sample { label, event });
                } else {
                    for name in sample.names {
                        let mut event = event.clone();
                        if let Value::Object(map) = &mut event {
                            map.insert("eventName".to_owned(), Value::String(name.clone()));
                        }
                        let source = event
                            .get("eventSource")
                            .and_then(Value::as_str)
                            .unwrap_or("?");
                        let label = format!("{source} {name}");
                        out.push(Sample { label, event });
                    }
                }
            }
            Ok(out)
        };
        controls.push(MonitoringControl {
            must_match: expand(entry.must_match)?,
            must_not_match: expand(entry.must_not_match)?,
            rule: entry.rule,
            subject: entry.subject,
            cis,
        });
    }
    Ok(Corpus { controls })
}

fn to_json(table: toml::Table) -> Result<Value, String> {
    serde_json::to_value(table).map_err(|e| e.to_string())
}

/// Lays `overlay` over `base`; objects merge key by key, anything else replaces.
fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// What a filter pattern does for a control.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterVerdict {
    /// Matches every event the control is about; `broader` names the events outside the
    /// control it also matches (compliant, reported as information).
    Satisfies { broader: Vec<String> },
    /// Misses events the control is about.
    Misses { missed: Vec<String> },
    /// `--strict-patterns`: not one of the CIS texts (whitespace, value quoting and
    /// redundant parentheses aside).
    NotCisText,
    /// The pattern could not be parsed or uses syntax that is not evaluated.
    Unreadable(ParseError),
}

impl MonitoringControl {
    /// Judges a filter pattern against the control's events.
    pub fn judge(&self, pattern: &str, strict: bool) -> FilterVerdict {
        let parsed = match filter_pattern::parse(pattern) {
            Ok(parsed) => parsed,
            Err(error) => return FilterVerdict::Unreadable(error),
        };
        self.judge_parsed(&parsed, strict)
    }

    pub fn judge_parsed(&self, pattern: &Pattern, strict: bool) -> FilterVerdict {
        if strict {
            return if self.cis.iter().any(|(_, cis)| cis == pattern) {
                FilterVerdict::Satisfies {
                    broader: Vec::new(),
                }
            } else {
                FilterVerdict::NotCisText
            };
        }
        let missed: Vec<String> = self
            .must_match
            .iter()
            .filter(|sample| !pattern.matches(&sample.event))
            .map(|sample| sample.label.clone())
            .collect();
        if !missed.is_empty() {
            return FilterVerdict::Misses { missed };
        }
        FilterVerdict::Satisfies {
            broader: self
                .must_not_match
                .iter()
                .filter(|sample| pattern.matches(&sample.event))
                .map(|sample| sample.label.clone())
                .collect(),
        }
    }
}

/// Why an alarm on a filter's metric would not tell anyone about one matching event, if so.
/// `transformation` is what the filter publishes per match.
pub fn alarm_shortfalls(alarm: &MetricAlarm, transformation: &MetricTransformation) -> Vec<String> {
    let mut problems = Vec::new();
    if !alarm.actions_enabled {
        problems.push("its actions are disabled".to_owned());
    }
    if !alarm
        .alarm_actions
        .iter()
        .any(|a| crate::inventory::is_sns_topic(a))
    {
        problems.push("it notifies no SNS topic".to_owned());
    }
    if !alarm.dimensions.is_empty() {
        let dims: Vec<String> = alarm
            .dimensions
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        problems.push(format!(
            "it watches only the dimension value(s) {}",
            dims.join(", ")
        ));
    }
    let value = transformation.metric_value.trim().parse::<f64>().ok();
    let statistic = alarm
        .statistic
        .as_deref()
        .or(alarm.extended_statistic.as_deref().map(|_| "percentile"));
    match statistic {
        Some("Sum" | "SampleCount" | "Maximum") => {}
        Some("Average" | "Minimum" | "percentile") if transformation.default_value.is_none() => {}
        Some(other @ ("Average" | "Minimum" | "percentile")) => problems.push(format!(
            "its statistic {other} is diluted by the filter's default value"
        )),
        Some(other) => problems.push(format!("its statistic {other} is not understood")),
        None => problems.push("its statistic is unknown".to_owned()),
    }
    // One event publishes `value` (SampleCount counts 1) in its period.
    let published = if alarm.statistic.as_deref() == Some("SampleCount") {
        Some(1.0)
    } else {
        value
    };
    match (
        alarm.comparison_operator.as_deref(),
        alarm.threshold,
        published,
    ) {
        (_, _, None) => problems.push(format!(
            "the filter publishes `{}`, not a fixed number, so one event may stay under the threshold",
            transformation.metric_value
        )),
        (Some("GreaterThanOrEqualToThreshold"), Some(t), Some(v)) if v >= t => {}
        (Some("GreaterThanThreshold"), Some(t), Some(v)) if v > t => {}
        (Some(op @ ("GreaterThanOrEqualToThreshold" | "GreaterThanThreshold")), Some(t), Some(v)) => {
            problems.push(format!(
                "one event publishes {v}, which does not reach {op} {t}"
            ))
        }
        (Some(op), Some(_), Some(_)) => {
            problems.push(format!("it fires on {op}, not on events being counted"))
        }
        _ => problems.push("its comparison or threshold is unknown".to_owned()),
    }
    match alarm.datapoints_to_alarm.or(alarm.evaluation_periods) {
        Some(1) => {}
        Some(n) => problems.push(format!(
            "it needs {n} breaching periods, so a single event does not set it off"
        )),
        None => problems.push("its evaluation periods are unknown".to_owned()),
    }
    problems
}

/// The first `limit` labels, and how many more there are.
pub fn summarize(labels: &[String], limit: usize) -> String {
    let shown: Vec<&str> = labels.iter().take(limit).map(String::as_str).collect();
    if labels.len() > limit {
        format!("{} and {} more", shown.join(", "), labels.len() - limit)
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus_ok() -> &'static Corpus {
        corpus().expect("the embedded corpus parses")
    }

    #[test]
    fn every_cis_text_matches_its_events_and_nothing_outside() {
        let corpus = corpus_ok();
        assert!(corpus.controls.len() >= 18);
        for control in &corpus.controls {
            assert!(!control.must_match.is_empty(), "{}", control.rule);
            for (text, pattern) in &control.cis {
                assert_eq!(
                    control.judge_parsed(pattern, false),
                    FilterVerdict::Satisfies { broader: vec![] },
                    "{}: {text}",
                    control.rule
                );
                assert_eq!(
                    control.judge(text, true),
                    FilterVerdict::Satisfies { broader: vec![] }
                );
            }
        }
    }

    #[test]
    fn rule_codes_are_unique() {
        let corpus = corpus_ok();
        let mut codes: Vec<&str> = corpus.controls.iter().map(|c| c.rule.as_str()).collect();
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(before, codes.len());
    }

    #[test]
    fn an_equivalent_pattern_written_differently_satisfies() {
        let control = control("TW805").expect("TW805");
        // Different order, quoting, spacing and an eventSource guard that every event meets.
        let reordered = r#"{ $.eventSource = "cloudtrail.amazonaws.com" && ($.eventName = "StopLogging" || $.eventName = "DeleteTrail" || $.eventName = "UpdateTrail" || $.eventName = "CreateTrail" || $.eventName = "StartLogging") }"#;
        assert_eq!(
            control.judge(reordered, false),
            FilterVerdict::Satisfies { broader: vec![] }
        );
        // … but not under --strict-patterns.
        assert_eq!(control.judge(reordered, true), FilterVerdict::NotCisText);
        // The same CIS text with other spacing and quoting is still the CIS text.
        let respaced = r#"{($.eventName="CreateTrail")||($.eventName="UpdateTrail")||($.eventName="DeleteTrail")||($.eventName="StartLogging")||($.eventName="StopLogging")}"#;
        assert_eq!(
            control.judge(respaced, true),
            FilterVerdict::Satisfies { broader: vec![] }
        );
        // A wildcard that covers the names.
        let wildcard = r#"{ ($.eventName = "*Trail") || ($.eventName = "St*Logging") }"#;
        assert!(matches!(
            control.judge(wildcard, false),
            FilterVerdict::Satisfies { .. }
        ));
    }

    #[test]
    fn a_narrowed_pattern_names_what_it_misses() {
        let control = control("TW805").expect("TW805");
        let narrowed = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) }";
        match control.judge(narrowed, false) {
            FilterVerdict::Misses { missed } => assert_eq!(
                missed,
                vec![
                    "cloudtrail.amazonaws.com StartLogging".to_owned(),
                    "cloudtrail.amazonaws.com StopLogging".to_owned()
                ]
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_broader_pattern_is_compliant_and_says_so() {
        let control = control("TW810").expect("TW810");
        let broad = r#"{ $.eventSource = "ec2.amazonaws.com" }"#;
        match control.judge(broad, false) {
            FilterVerdict::Satisfies { broader } => {
                assert!(broader.contains(&"ec2.amazonaws.com DescribeSecurityGroups".to_owned()))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_cis_versions_differ_where_cis_changed() {
        // Security groups: 5.0 added ModifySecurityGroupRules.
        let old_sg = &control("TW823").expect("TW823").cis[0].0;
        assert!(matches!(
            control("TW810").expect("TW810").judge(old_sg, false),
            FilterVerdict::Misses { missed } if missed == vec!["ec2.amazonaws.com ModifySecurityGroupRules".to_owned()]
        ));
        // Unauthorized calls: the 4.0 text leaves out HeadBucket, which CIS 1.x wanted.
        let modern = &control("TW801").expect("TW801").cis[0].0;
        assert!(matches!(
            control("TW821").expect("TW821").judge(modern, false),
            FilterVerdict::Misses { .. }
        ));
        let v12 = &control("TW821").expect("TW821").cis[0].0;
        assert!(matches!(
            control("TW801").expect("TW801").judge(v12, false),
            FilterVerdict::Satisfies { broader } if !broader.is_empty()
        ));
        // Sign-in without MFA: the SSO variant is enough from 1.4, not in 1.2/1.3.
        let sso = &control("TW802").expect("TW802").cis[1].0;
        assert!(matches!(
            control("TW822").expect("TW822").judge(sso, false),
            FilterVerdict::Misses { .. }
        ));
    }

    #[test]
    fn unreadable_patterns_are_reported_with_their_position() {
        let control = control("TW803").expect("TW803");
        match control.judge("Root", false) {
            FilterVerdict::Unreadable(error) => assert_eq!(error.column, 1),
            other => panic!("{other:?}"),
        }
    }

    fn transformation(value: &str, default: Option<f64>) -> MetricTransformation {
        MetricTransformation {
            metric_name: "m".into(),
            metric_namespace: "CISBenchmark".into(),
            metric_value: value.into(),
            default_value: default,
            dimensions: Default::default(),
        }
    }

    fn cis_alarm() -> MetricAlarm {
        MetricAlarm {
            name: "a".into(),
            arn: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:a".into(),
            metric_name: Some("m".into()),
            namespace: Some("CISBenchmark".into()),
            dimensions: Default::default(),
            actions_enabled: true,
            alarm_actions: vec!["arn:aws:sns:us-east-1:111122223333:alerts".into()],
            ok_actions: vec![],
            insufficient_data_actions: vec![],
            statistic: Some("Sum".into()),
            extended_statistic: None,
            comparison_operator: Some("GreaterThanOrEqualToThreshold".into()),
            threshold: Some(1.0),
            evaluation_periods: Some(1),
            datapoints_to_alarm: None,
        }
    }

    #[test]
    fn the_cis_alarm_fires_on_one_event() {
        assert!(alarm_shortfalls(&cis_alarm(), &transformation("1", None)).is_empty());
    }

    #[test]
    fn alarms_that_would_not_tell_anyone_about_one_event() {
        let one = transformation("1", None);
        let cases: Vec<(MetricAlarm, &str)> = vec![
            (
                MetricAlarm {
                    actions_enabled: false,
                    ..cis_alarm()
                },
                "disabled",
            ),
            (
                MetricAlarm {
                    alarm_actions: vec!["arn:aws:autoscaling:us-east-1:1:scalingPolicy:x".into()],
                    ..cis_alarm()
                },
                "no SNS topic",
            ),
            (
                MetricAlarm {
                    threshold: Some(5.0),
                    ..cis_alarm()
                },
                "does not reach",
            ),
            (
                MetricAlarm {
                    comparison_operator: Some("GreaterThanThreshold".into()),
                    ..cis_alarm()
                },
                "does not reach",
            ),
            (
                MetricAlarm {
                    comparison_operator: Some("LessThanThreshold".into()),
                    ..cis_alarm()
                },
                "not on events",
            ),
            (
                MetricAlarm {
                    evaluation_periods: Some(3),
                    ..cis_alarm()
                },
                "3 breaching periods",
            ),
            (
                MetricAlarm {
                    dimensions: [("k".to_owned(), "v".to_owned())].into(),
                    ..cis_alarm()
                },
                "dimension",
            ),
        ];
        for (alarm, expected) in cases {
            let problems = alarm_shortfalls(&alarm, &one);
            assert!(
                problems.iter().any(|p| p.contains(expected)),
                "{expected}: {problems:?}"
            );
        }
        // M of N with M = 1 fires on one event.
        let one_of_three = MetricAlarm {
            evaluation_periods: Some(3),
            datapoints_to_alarm: Some(1),
            ..cis_alarm()
        };
        assert!(alarm_shortfalls(&one_of_three, &one).is_empty());
        // An average is diluted by a default value of 0.
        let average = MetricAlarm {
            statistic: Some("Average".into()),
            ..cis_alarm()
        };
        assert!(alarm_shortfalls(&average, &one).is_empty());
        assert!(!alarm_shortfalls(&average, &transformation("1", Some(0.0))).is_empty());
        // A value taken from the event is no promise.
        assert!(!alarm_shortfalls(&cis_alarm(), &transformation("$.count", None)).is_empty());
        // SampleCount counts the event whatever its value.
        let count = MetricAlarm {
            statistic: Some("SampleCount".into()),
            ..cis_alarm()
        };
        assert!(alarm_shortfalls(&count, &transformation("0.5", None)).is_empty());
    }
}
