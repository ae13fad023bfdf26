//! The exit-code policy over findings: what makes a CI gate go red.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | evaluation complete, no FAIL at or above the `--fail-on` threshold |
//! | 1 | runtime error: trailwarden could not finish (I/O, internal error) |
//! | 2 | usage or input error: bad argument, unreadable or invalid snapshot, unknown rule |
//! | 3 | at least one FAIL at or above the threshold |
//! | 4 | no such FAIL, but evaluation is incomplete (ERROR findings) and `--allow-incomplete` was not given |
//!
//! Failures take precedence over incompleteness: a definite FAIL is the stronger signal.
//! Findings under a waiver in force never break the gate. With `--fail-on-new` (and a
//! `--baseline`), only findings new against the baseline count, for 3 and for 4 alike.

use super::Finding;
use crate::rule::{Severity, Status};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Success = 0,
    Runtime = 1,
    Usage = 2,
    Failures = 3,
    Incomplete = 4,
}

impl ExitCode {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// `--fail-on`: the lowest severity whose FAIL breaks the gate, or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Never,
    AtLeast(Severity),
}

impl FromStr for FailOn {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        use clap::ValueEnum as _;
        if text.eq_ignore_ascii_case("none") {
            return Ok(FailOn::Never);
        }
        Severity::from_str(text, true)
            .map(FailOn::AtLeast)
            .map_err(|_| {
                format!("`{text}`: expected one of none, info, low, medium, high, critical")
            })
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailOn::Never => f.write_str("none"),
            FailOn::AtLeast(severity) => write!(f, "{severity}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    pub fail_on: FailOn,
    pub allow_incomplete: bool,
    /// Count only findings that are new against the baseline.
    pub fail_on_new: bool,
}

impl Gate {
    /// The exit code for these findings, and a one-line reason for it.
    pub fn decide(&self, findings: &[Finding]) -> (ExitCode, String) {
        let counted = |f: &&Finding| {
            !f.is_waived()
                && (!self.fail_on_new || f.baseline != Some(super::BaselineState::Unchanged))
        };
        let failing = match self.fail_on {
            FailOn::Never => 0,
            FailOn::AtLeast(threshold) => findings
                .iter()
                .filter(counted)
                .filter(|f| f.status == Status::Fail && f.severity >= threshold)
                .count(),
        };
        let errors = findings
            .iter()
            .filter(counted)
            .filter(|f| f.status == Status::Error)
            .count();
        let new = if self.fail_on_new { " new" } else { "" };
        if failing > 0 {
            let reason = format!(
                "{failing}{new} failing finding(s) at or above severity {}",
                self.fail_on
            );
            return (ExitCode::Failures, reason);
        }
        if errors > 0 && !self.allow_incomplete {
            let reason = format!("evaluation incomplete: {errors}{new} finding(s) could not be evaluated (ERROR); --allow-incomplete accepts that");
            return (ExitCode::Incomplete, reason);
        }
        (ExitCode::Success, "gate passed".to_owned())
    }
}
