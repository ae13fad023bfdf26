//! A finding: one rule's verdict on one resource, with the rule's metadata and the framework
//! controls it serves; waivers and the baseline mark it after evaluation.

use super::{AppliedWaiver, BaselineState};
use crate::rule::{Evidence, ResourceKind, Severity, Status};
use serde::{Deserialize, Serialize};
use std::fmt;

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
    /// Where the resource is written, when the inventory came from a Terraform plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
}

/// Where a resource is written in Terraform: its address, and the file and line of its
/// block when the configuration was at hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLocation {
    /// `module.audit["prod"].aws_cloudtrail.this[0]`.
    pub address: String,
    /// Relative to the configuration directory, `/`-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Finding {
    /// A waiver in force covers this finding: it is reported, but does not break the gate.
    pub fn is_waived(&self) -> bool {
        self.waiver.as_ref().is_some_and(|waiver| !waiver.expired)
    }
}
