//! The rule engine: catalog, registry, evaluation, findings, framework views and the gate.

mod baseline;
mod catalog;
mod evaluate;
mod frameworks;
mod gate;
mod params;
mod registry;
mod waivers;

pub use baseline::{fingerprint, Baseline, BaselineError, BaselineFinding, BaselineState};
pub use catalog::{Catalog, CatalogError, Parameter, Remediation, Rule, RuleSpec};
pub use evaluate::{
    evaluate, CheckResult, Evaluation, Outcome, OutcomeBuilder, RuleContext, Selection,
};
pub use frameworks::{Assessment, Control, ControlStatus, ControlView, Framework, FrameworkView};
pub use gate::{ExitCode, FailOn, Gate};
pub use params::{ParamOverride, ParamValue};
pub use registry::REGISTRY;
pub use waivers::{
    apply as apply_waivers, AppliedWaiver, ResourcePattern, Waiver, WaiverReport, WaiverState,
};

use serde::{Deserialize, Serialize};
use std::fmt;

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

/// A framework control a finding serves.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ControlRef {
    pub framework: String,
    pub control: String,
}

/// `FRAMEWORK:CONTROL`, e.g. `cis-aws-5.0:3.1`, as every report writes it.
impl fmt::Display for ControlRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.framework, self.control)
    }
}

/// The verdict of one rule on one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule_code: String,
    pub rule_name: String,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub account: String,
    /// The resource's region, or `global`.
    pub region: String,
    pub resource_kind: ResourceKind,
    /// ARN where the resource has one, else its name (bucket) or id (account).
    pub resource: String,
    pub message: String,
    pub evidence: Vec<Evidence>,
    pub controls: Vec<ControlRef>,
    /// The waiver that matched this FAIL or ERROR (in force, or expired and so not applied).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
    /// New or unchanged against `--baseline`, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
}

impl Finding {
    /// A waiver in force covers this finding: it is reported, but does not break the gate.
    pub fn is_waived(&self) -> bool {
        self.waiver.as_ref().is_some_and(|waiver| !waiver.expired)
    }
}
