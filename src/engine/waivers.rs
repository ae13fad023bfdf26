//! Waivers: accepted risks, written down with a reason, an owner and an expiry date.
//!
//! A waiver names one rule and a resource pattern. While it is in force, a FAIL or ERROR
//! finding it matches stays in every report, marked waived, and no longer breaks the gate.
//! After its expiry date it no longer applies: the findings it matches count again, carry
//! the expired waiver so the reader sees why, and the waiver itself is reported as expired.
//! PASS findings are never waived; a waiver that matches nothing is reported as unused, so
//! stale waivers are found and removed.

use super::Finding;
use crate::rule::Status;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// One waiver, as the configuration gives it (rule already resolved to its code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub rule: String,
    pub resource: ResourcePattern,
    pub reason: String,
    pub owner: Option<String>,
    /// Last day (UTC) on which the waiver applies.
    pub expires: NaiveDate,
    /// Where it is written, e.g. `trailwarden.toml:12`, so a reader can find it.
    pub source: String,
}

/// A waiver's resource pattern that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PatternError(&'static str);

/// Which resources a waiver covers: an exact ARN (or bucket name, account id), or a glob
/// where `*` matches any run of characters and `?` one character.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ResourcePattern(String);

impl ResourcePattern {
    pub fn new(pattern: &str) -> Result<ResourcePattern, PatternError> {
        if pattern.trim().is_empty() {
            return Err(PatternError(
                "the resource pattern is empty (use `*` for every resource)",
            ));
        }
        if pattern.chars().any(char::is_control) {
            return Err(PatternError(
                "the resource pattern contains a control character",
            ));
        }
        Ok(ResourcePattern(pattern.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, resource: &str) -> bool {
        glob_matches(self.0.as_bytes(), resource.as_bytes())
    }
}

/// Iterative glob match with backtracking to the last `*`: linear in practice, never
/// exponential, whatever the pattern.
fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                last_star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match last_star {
                Some((star, matched)) => {
                    p = star + 1;
                    t = matched + 1;
                    last_star = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// The waiver a finding matched, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedWaiver {
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub expires: NaiveDate,
    /// The waiver's expiry date has passed: it no longer applies to this finding.
    pub expired: bool,
    pub source: String,
}

/// What became of one waiver in this evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverState {
    /// In force, and it waived at least one finding.
    Active,
    /// Past its expiry date: it waives nothing.
    Expired,
    /// In force but no FAIL or ERROR finding matched it.
    Unused,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverReport {
    pub rule: String,
    pub resource: ResourcePattern,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub expires: NaiveDate,
    pub source: String,
    pub state: WaiverState,
    /// FAIL and ERROR findings it matched (for an expired waiver: would have waived).
    pub findings: usize,
}

/// Marks the findings the waivers match, as of `now`, and reports on every waiver. The first
/// waiver in force that matches a finding wins; an expired one is recorded only when no
/// waiver in force matches.
pub fn apply(
    findings: &mut [Finding],
    waivers: &[Waiver],
    now: DateTime<Utc>,
) -> Vec<WaiverReport> {
    let today = now.date_naive();
    let mut matched = vec![0usize; waivers.len()];
    for finding in findings
        .iter_mut()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error))
    {
        let candidates: Vec<_> = waivers
            .iter()
            .enumerate()
            .filter(|(_, w)| w.rule == finding.rule_code && w.resource.matches(&finding.resource))
            .collect();
        for (index, _) in &candidates {
            matched[*index] += 1;
        }
        let chosen = candidates
            .iter()
            .find(|(_, w)| w.expires >= today)
            .or_else(|| candidates.first());
        if let Some((_, waiver)) = chosen {
            finding.waiver = Some(AppliedWaiver {
                reason: waiver.reason.clone(),
                owner: waiver.owner.clone(),
                expires: waiver.expires,
                expired: waiver.expires < today,
                source: waiver.source.clone(),
            });
        }
    }
    waivers
        .iter()
        .zip(matched)
        .map(|(waiver, findings)| WaiverReport {
            rule: waiver.rule.clone(),
            resource: waiver.resource.clone(),
            reason: waiver.reason.clone(),
            owner: waiver.owner.clone(),
            expires: waiver.expires,
            source: waiver.source.clone(),
            state: if waiver.expires < today {
                WaiverState::Expired
            } else if findings == 0 {
                WaiverState::Unused
            } else {
                WaiverState::Active
            },
            findings,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_resources() {
        let pattern = |p: &str| ResourcePattern::new(p).expect("valid pattern");
        assert!(pattern("arn:aws:s3:::acme-*").matches("arn:aws:s3:::acme-logs"));
        assert!(!pattern("arn:aws:s3:::acme-*").matches("arn:aws:s3:::other"));
        assert!(pattern("*:trail/org-?").matches("arn:aws:cloudtrail:us-east-1:1:trail/org-1"));
        assert!(!pattern("*:trail/org-?").matches("arn:aws:cloudtrail:us-east-1:1:trail/org-12"));
        assert!(pattern("a*b*c").matches("aXbYbZc"));
        assert!(!pattern("a*b*c").matches("aXbYbZ"));
        assert!(pattern("exact").matches("exact"));
        assert!(!pattern("exact").matches("exactly"));
        assert!(pattern("*").matches(""));
        // Many stars against a long near-miss stays fast (no exponential backtracking).
        let long = "a".repeat(10_000);
        assert!(!pattern(&"*a".repeat(50)).matches(&(long + "b")));
        assert!(ResourcePattern::new("  ").is_err());
    }
}
