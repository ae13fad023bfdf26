//! Baselines: compare a run with a previous JSON report, so a gate can fail only on what is
//! new.
//!
//! A finding is identified by rule, account, region and resource (its fingerprint, the same
//! one SARIF's `partialFingerprints` carries). Against the baseline each finding of this run
//! is `new` (no finding with that identity and status before: a new resource, or a status
//! that changed) or `unchanged`. A baseline FAIL or ERROR whose identity is no longer FAIL or
//! ERROR (now PASS, or the resource is gone) is listed as `fixed`, for the rules that ran.

use super::Finding;
use crate::rule::Status;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// A finding's state relative to the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineState {
    New,
    Unchanged,
}

impl BaselineState {
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }
    }
}

/// A finding's stable identity across runs: SHA-256 of rule, account, region and resource.
pub fn fingerprint(rule: &str, account: &str, region: &str, resource: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [rule, account, region, resource] {
        hasher.update(part.as_bytes());
        // A separator that cannot appear in the parts keeps ("ab","c") and ("a","bc") apart.
        hasher.update([0u8]);
    }
    hex::encode(hasher.finalize())
}

impl Finding {
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.rule_code, &self.account, &self.region, &self.resource)
    }
}

/// A previous report's findings, reduced to what a comparison needs.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// Where it was read from, for messages.
    pub origin: String,
    findings: Vec<BaselineFinding>,
}

/// A baseline finding that no longer fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineFinding {
    pub rule: String,
    pub account: String,
    pub region: String,
    pub resource: String,
    pub status: Status,
    #[serde(default)]
    pub severity: Option<crate::rule::Severity>,
    #[serde(default)]
    pub message: String,
}

impl BaselineFinding {
    /// A finding of this run, as a later run's baseline reads it.
    pub fn of(finding: &Finding) -> BaselineFinding {
        BaselineFinding {
            rule: finding.rule_code.clone(),
            account: finding.account.clone(),
            region: finding.region.clone(),
            resource: finding.resource.clone(),
            status: finding.status,
            severity: Some(finding.severity),
            message: finding.message.clone(),
        }
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.rule, &self.account, &self.region, &self.resource)
    }
}

impl Baseline {
    /// A previous run's findings, read from `origin`.
    pub fn new(origin: impl Into<String>, findings: Vec<BaselineFinding>) -> Baseline {
        Baseline {
            origin: origin.into(),
            findings,
        }
    }

    /// Marks each finding new or unchanged, and returns the baseline's failures and errors
    /// that are gone, for the rules in `rules_run`.
    pub fn compare(&self, findings: &mut [Finding], rules_run: &[String]) -> Vec<BaselineFinding> {
        let mut before: BTreeMap<String, BTreeSet<Status>> = BTreeMap::new();
        for finding in &self.findings {
            before
                .entry(finding.fingerprint())
                .or_default()
                .insert(finding.status);
        }
        let mut still_bad = BTreeSet::new();
        for finding in findings.iter_mut() {
            let fingerprint = finding.fingerprint();
            let unchanged = before
                .get(&fingerprint)
                .is_some_and(|statuses| statuses.contains(&finding.status));
            finding.baseline = Some(if unchanged {
                BaselineState::Unchanged
            } else {
                BaselineState::New
            });
            if matches!(finding.status, Status::Fail | Status::Error) {
                still_bad.insert(fingerprint);
            }
        }
        self.findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Error))
            .filter(|f| rules_run.contains(&f.rule))
            .filter(|f| !still_bad.contains(&f.fingerprint()))
            .cloned()
            .collect()
    }
}
