//! Framework mappings (`rules/frameworks/*.toml`) and the per-control view of a run.
//!
//! Mappings are written once, here, per framework version; a rule's own documentation shows
//! them by inversion. A control either maps to rules or says why trailwarden does not assess it.

use super::catalog::{CatalogError, Rule};
use super::{Finding, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// Stable id used on the command line, e.g. `cis-aws-5.0`.
    pub id: String,
    pub name: String,
    pub version: String,
    /// Where the control list comes from, and what in it is unverified.
    pub source: String,
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub title: String,
    /// Profile level (CIS Level 1 / Level 2), where the framework has levels.
    #[serde(default)]
    pub level: Option<u8>,
    #[serde(default)]
    pub assessment: Option<Assessment>,
    /// Rules that together assess the control: it passes only when all their findings pass.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Why trailwarden does not assess this control (instead of `rules`).
    #[serde(default)]
    pub not_assessed: Option<String>,
    /// What the mapped rules do not (yet) cover of the control's text.
    #[serde(default)]
    pub gaps: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Assessment {
    Automated,
    Manual,
}

impl Framework {
    pub(super) fn validate(&self, file: &str, rules: &[Rule]) -> Result<(), CatalogError> {
        let fail =
            |message: String| Err(CatalogError(format!("rules/frameworks/{file}: {message}")));
        if format!("{}.toml", self.id) != file {
            return fail(format!("the file must be named {}.toml", self.id));
        }
        if self.controls.is_empty() {
            return fail("no controls".into());
        }
        let mut seen = BTreeSet::new();
        for control in &self.controls {
            if !seen.insert(control.id.as_str()) {
                return fail(format!("control {} is listed twice", control.id));
            }
            match (control.rules.is_empty(), &control.not_assessed) {
                (true, None) => {
                    return fail(format!(
                        "control {} maps to no rule and gives no `not_assessed` reason",
                        control.id
                    ))
                }
                (false, Some(_)) => {
                    return fail(format!(
                        "control {} has both `rules` and `not_assessed`",
                        control.id
                    ))
                }
                (true, Some(reason)) if reason.trim().is_empty() => {
                    return fail(format!(
                        "control {}: `not_assessed` needs a reason",
                        control.id
                    ))
                }
                _ => {}
            }
            for code in &control.rules {
                if !rules.iter().any(|rule| &rule.spec.code == code) {
                    return fail(format!("control {} names unknown rule {code}", control.id));
                }
            }
        }
        Ok(())
    }

    /// Every rule code this framework uses.
    pub fn rule_codes(&self) -> BTreeSet<&str> {
        self.controls
            .iter()
            .flat_map(|c| c.rules.iter().map(String::as_str))
            .collect()
    }

    /// The verdict per control over a run's findings.
    pub fn view(&self, findings: &[Finding]) -> FrameworkView {
        let controls = self
            .controls
            .iter()
            .map(|control| {
                let mut view = ControlView {
                    id: control.id.clone(),
                    title: control.title.clone(),
                    level: control.level,
                    assessment: control.assessment,
                    rules: control.rules.clone(),
                    status: ControlStatus::NotAssessed,
                    pass: 0,
                    fail: 0,
                    error: 0,
                    waived: 0,
                    not_applicable: 0,
                    note: control
                        .not_assessed
                        .clone()
                        .or_else(|| control.gaps.clone()),
                };
                if control.not_assessed.is_some() {
                    return view;
                }
                for finding in findings
                    .iter()
                    .filter(|f| control.rules.contains(&f.rule_code))
                {
                    match finding.status {
                        Status::Fail | Status::Error if finding.is_waived() => view.waived += 1,
                        Status::Pass => view.pass += 1,
                        Status::Fail => view.fail += 1,
                        Status::Error => view.error += 1,
                        Status::NotApplicable => view.not_applicable += 1,
                    }
                }
                view.status = if view.fail > 0 {
                    ControlStatus::Fail
                } else if view.error > 0 {
                    ControlStatus::Error
                } else if view.waived > 0 {
                    ControlStatus::Waived
                } else if view.pass > 0 {
                    ControlStatus::Pass
                } else {
                    ControlStatus::NotApplicable
                };
                view
            })
            .collect();
        FrameworkView {
            id: self.id.clone(),
            name: self.name.clone(),
            version: self.version.clone(),
            controls,
        }
    }
}

/// A control's verdict: FAIL if any finding of its rules fails, else ERROR if any could not be
/// evaluated, else WAIVED if some failed or could not be evaluated under a waiver in force,
/// else PASS if any passed; NOT_APPLICABLE when nothing in scope concerns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ControlStatus {
    Pass,
    Fail,
    Error,
    Waived,
    NotApplicable,
    NotAssessed,
}

impl ControlStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Pass => "PASS",
            ControlStatus::Fail => "FAIL",
            ControlStatus::Error => "ERROR",
            ControlStatus::Waived => "WAIVED",
            ControlStatus::NotApplicable => "NOT_APPLICABLE",
            ControlStatus::NotAssessed => "NOT_ASSESSED",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkView {
    pub id: String,
    pub name: String,
    pub version: String,
    pub controls: Vec<ControlView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlView {
    pub id: String,
    pub title: String,
    pub level: Option<u8>,
    pub assessment: Option<Assessment>,
    pub rules: Vec<String>,
    pub status: ControlStatus,
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    /// FAIL or ERROR findings under a waiver in force (not counted in `fail`/`error`).
    pub waived: usize,
    pub not_applicable: usize,
    /// Why it is not assessed, or what its rules do not cover.
    pub note: Option<String>,
}
