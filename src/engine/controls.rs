//! A framework's verdict over a run's findings: one status per control, with the counts it
//! rests on.

use super::{AssessmentMode, Finding, Framework};
use crate::rule::Status;
use serde::Serialize;

impl Framework {
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
    pub assessment: Option<AssessmentMode>,
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
