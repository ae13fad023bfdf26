//! The contract rules are written against: what a check sees ([`RuleContext`]), what it
//! returns ([`Outcome`]s, ended by [`OutcomeBuilder`] in exactly one [`Status`]), and the
//! vocabulary of the catalog a rule's metadata uses ([`Severity`], [`ResourceKind`],
//! [`ParamValue`]). Checks import this module, `analysis` and `inventory`, nothing else of the
//! crate; the engine runs them through [`CheckFn`].

use crate::inventory::Inventory;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A rule's logic: a pure function of the inventory and its parameters.
pub type CheckFn = fn(&RuleContext) -> CheckResult;

/// How bad a failure of the rule is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict on one resource. `Error` means the rule could not decide: data it needs was
/// not observed. It is never turned into a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Fail,
    Error,
    Pass,
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
            Status::NotApplicable => "NOT_APPLICABLE",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of resource a rule reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Organization,
    Account,
    Region,
    Trail,
    Bucket,
    Key,
    LogGroup,
    EventDataStore,
    Alarm,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Organization => "organization",
            ResourceKind::Account => "account",
            ResourceKind::Region => "region",
            ResourceKind::Trail => "trail",
            ResourceKind::Bucket => "bucket",
            ResourceKind::Key => "key",
            ResourceKind::LogGroup => "log_group",
            ResourceKind::EventDataStore => "event_data_store",
            ResourceKind::Alarm => "alarm",
        }
    }
}

/// One observed value that a verdict rests on, and where it sits in the inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Path into the inventory snapshot, e.g. `trails["arn:…"].status.is_logging`.
    pub path: String,
    pub value: serde_json::Value,
}

/// What a check returns: its outcomes, or a message if the rule itself is broken
/// (e.g. a parameter it reads is missing from its catalog entry).
pub type CheckResult = Result<Vec<Outcome>, RuleError>;

/// A rule that cannot run at all (not a verdict: a defect of the rule or its catalog entry).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct RuleError(pub String);

/// What a check sees: the code of the rule it runs for, the inventory, its parameters and the
/// time to measure freshness against.
pub struct RuleContext<'a> {
    /// One function can judge several rules (the CIS monitoring controls); the code says which.
    pub code: &'a str,
    pub inventory: &'a Inventory,
    pub now: DateTime<Utc>,
    params: &'a BTreeMap<String, ParamValue>,
}

impl<'a> RuleContext<'a> {
    /// What the engine hands a check: the parameters are the rule's catalog defaults with the
    /// run's overrides applied.
    pub fn new(
        code: &'a str,
        inventory: &'a Inventory,
        now: DateTime<Utc>,
        params: &'a BTreeMap<String, ParamValue>,
    ) -> RuleContext<'a> {
        RuleContext {
            code,
            inventory,
            now,
            params,
        }
    }

    /// The parameter `name`, of the type its catalog default has.
    pub fn param<T: FromParam<'a>>(&self, name: &str) -> Result<T, RuleError> {
        let params: &'a BTreeMap<String, ParamValue> = self.params;
        match params.get(name) {
            Some(value) => T::from_param(value).ok_or_else(|| {
                RuleError(format!(
                    "parameter `{name}` is a {}, the rule reads {}",
                    value.type_name(),
                    T::TYPE_NAME
                ))
            }),
            None => Err(RuleError(format!(
                "parameter `{name}` is not declared in the rule's catalog entry"
            ))),
        }
    }

    pub fn string(&self, name: &str) -> Result<&'a str, RuleError> {
        self.param(name)
    }

    pub fn list(&self, name: &str) -> Result<&'a [String], RuleError> {
        self.param(name)
    }

    pub fn boolean(&self, name: &str) -> Result<bool, RuleError> {
        self.param(name)
    }

    pub fn integer(&self, name: &str) -> Result<i64, RuleError> {
        self.param(name)
    }
}

/// A type a rule reads a parameter as: the one [`ParamValue`] variant it accepts.
pub trait FromParam<'a>: Sized {
    /// As error messages name it: "the rule reads a string".
    const TYPE_NAME: &'static str;
    fn from_param(value: &'a ParamValue) -> Option<Self>;
}

impl<'a> FromParam<'a> for &'a str {
    const TYPE_NAME: &'static str = "a string";
    fn from_param(value: &'a ParamValue) -> Option<Self> {
        match value {
            ParamValue::String(text) => Some(text),
            _ => None,
        }
    }
}

impl<'a> FromParam<'a> for &'a [String] {
    const TYPE_NAME: &'static str = "a list of strings";
    fn from_param(value: &'a ParamValue) -> Option<Self> {
        match value {
            ParamValue::List(values) => Some(values),
            _ => None,
        }
    }
}

impl FromParam<'_> for bool {
    const TYPE_NAME: &'static str = "a boolean";
    fn from_param(value: &ParamValue) -> Option<Self> {
        match value {
            ParamValue::Bool(flag) => Some(*flag),
            _ => None,
        }
    }
}

impl FromParam<'_> for i64 {
    const TYPE_NAME: &'static str = "an integer";
    fn from_param(value: &ParamValue) -> Option<Self> {
        match value {
            ParamValue::Integer(number) => Some(*number),
            _ => None,
        }
    }
}

/// A check's verdict on one resource; the engine adds the rule's metadata to make a finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub account: String,
    pub region: String,
    pub resource: String,
    pub status: Status,
    pub message: String,
    pub evidence: Vec<Evidence>,
}

impl Outcome {
    /// Starts an outcome about `resource` in `account` and `region` (`global` if none).
    pub fn on(
        account: impl Into<String>,
        region: impl Into<String>,
        resource: impl Into<String>,
    ) -> OutcomeBuilder {
        OutcomeBuilder {
            account: account.into(),
            region: region.into(),
            resource: resource.into(),
            evidence: Vec::new(),
        }
    }

    /// Starts an outcome about a trail: its owner account, its home region, its ARN.
    pub fn on_trail(trail: &crate::inventory::Trail) -> OutcomeBuilder {
        Outcome::on(trail.owner_account(), &trail.home_region, &trail.arn)
    }
}

/// Collects evidence, then ends in exactly one status.
#[must_use = "an outcome builder does nothing until it is given a status"]
pub struct OutcomeBuilder {
    account: String,
    region: String,
    resource: String,
    evidence: Vec<Evidence>,
}

impl OutcomeBuilder {
    /// Records an observed value and where it is in the inventory.
    pub fn evidence(mut self, path: impl Into<String>, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value)
            .unwrap_or_else(|e| serde_json::Value::String(format!("<unserializable: {e}>")));
        self.evidence.push(Evidence {
            path: path.into(),
            value,
        });
        self
    }

    fn finish(self, status: Status, message: impl Into<String>) -> Outcome {
        Outcome {
            account: self.account,
            region: self.region,
            resource: self.resource,
            status,
            message: message.into(),
            evidence: self.evidence,
        }
    }

    pub fn pass(self, message: impl Into<String>) -> Outcome {
        self.finish(Status::Pass, message)
    }

    pub fn fail(self, message: impl Into<String>) -> Outcome {
        self.finish(Status::Fail, message)
    }

    /// Could not decide: name what was not observed and why.
    pub fn error(self, message: impl Into<String>) -> Outcome {
        self.finish(Status::Error, message)
    }

    pub fn not_applicable(self, message: impl Into<String>) -> Outcome {
        self.finish(Status::NotApplicable, message)
    }
}

/// A parameter value that is not of its parameter's type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ParamError(String);

/// A parameter value. Its type is fixed by the default in the catalog; an override of
/// another type is rejected before evaluation starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(String),
    List(Vec<String>),
}

impl ParamValue {
    pub fn type_name(&self) -> &'static str {
        match self {
            ParamValue::Bool(_) => "boolean",
            ParamValue::Integer(_) => "integer",
            ParamValue::Float(_) => "number",
            ParamValue::String(_) => "string",
            ParamValue::List(_) => "list of strings",
        }
    }

    /// Parses `text` as a value of the same type as `self`.
    pub fn parse_like(&self, text: &str) -> Result<ParamValue, ParamError> {
        let expected = self.type_name();
        let bad = || ParamError(format!("`{text}` is not a valid {expected}"));
        Ok(match self {
            ParamValue::Bool(_) => ParamValue::Bool(text.parse().map_err(|_| bad())?),
            ParamValue::Integer(_) => ParamValue::Integer(text.parse().map_err(|_| bad())?),
            ParamValue::Float(_) => ParamValue::Float(text.parse().map_err(|_| bad())?),
            ParamValue::String(_) => ParamValue::String(text.to_owned()),
            ParamValue::List(_) => ParamValue::List(
                text.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
        })
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(v) => write!(f, "{v}"),
            ParamValue::Integer(v) => write!(f, "{v}"),
            ParamValue::Float(v) => write!(f, "{v}"),
            ParamValue::String(v) => write!(f, "{v:?}"),
            ParamValue::List(v) => write!(
                f,
                "[{}]",
                v.iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}
