//! What a `verify-logs` run is asked (the [`Target`] trail and [`Window`], the [`Keys`] to
//! trust) and what it found: per source region, every digest and log file with its verdict
//! ([`Verification`]), and the evidence a scan records from it.

use super::chain::{DigestStatus, Interval, ObjectRef};
use super::keys::KeyStore;
use crate::inventory::{FileTally, IntegrityOutcome, LogIntegrity, TrailArn};
use chrono::{DateTime, Utc};

/// Which trail, and where its files are.
#[derive(Debug, Clone)]
pub struct Target {
    pub trail: TrailArn,
    /// Whose logs: `--account-id`, else the trail's account.
    pub account: String,
    /// `--s3-bucket`; otherwise `DescribeTrails` says.
    pub bucket: Option<String>,
    /// `--s3-prefix`; with `--s3-bucket`, none unless given.
    pub prefix: Option<String>,
    /// `--organization-id`: the organization layout `AWSLogs/o-…/ACCOUNT/`. Without it, both
    /// layouts are looked for in the bucket.
    pub organization_id: Option<String>,
    /// `--region`: only these source regions (default: every one found in the bucket).
    pub source_regions: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The verdict on one log file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogStatus {
    Valid,
    Invalid(String),
    NotFound,
    Unreadable(String),
}

impl LogStatus {
    /// The status as reports name it.
    pub fn label(&self) -> &'static str {
        match self {
            LogStatus::Valid => "valid",
            LogStatus::Invalid(_) => "invalid",
            LogStatus::NotFound => "not_found",
            LogStatus::Unreadable(_) => "unreadable",
        }
    }

    /// Why the file is not valid (`None` when it is).
    pub fn reason(&self) -> Option<String> {
        match self {
            LogStatus::Valid => None,
            LogStatus::Invalid(reason) | LogStatus::Unreadable(reason) => Some(reason.clone()),
            LogStatus::NotFound => Some("not found".to_owned()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct LogResult {
    pub object: ObjectRef,
    /// The digest that lists it.
    pub digest: ObjectRef,
    pub status: LogStatus,
}

#[derive(Debug, Clone)]
pub struct DigestResult {
    pub object: ObjectRef,
    pub backfill: bool,
    pub status: DigestStatus,
    /// `digestStartTime` / `digestEndTime` as written, when the digest could be read.
    pub start: Option<String>,
    pub end: Option<String>,
    /// How many log files it lists (checked only when the digest is valid: the list of an
    /// invalid digest cannot be trusted).
    pub log_files: usize,
}

/// One source region under one layout.
#[derive(Debug, Clone)]
pub struct Source {
    /// `[prefix/]AWSLogs/[o-…/]ACCOUNT/`
    pub base: String,
    pub region: String,
    /// Why this region could not be verified (its keys or its listing failed).
    pub error: Option<String>,
    pub digests: Vec<DigestResult>,
    pub logs: Vec<LogResult>,
    pub intervals: Vec<Interval>,
}

impl Source {
    pub(super) fn new(base: String, region: String) -> Source {
        Source {
            base,
            region,
            error: None,
            digests: Vec::new(),
            logs: Vec::new(),
            intervals: Vec::new(),
        }
    }

    /// A source region that could not be verified, and why.
    pub(super) fn failed(base: String, region: String, error: String) -> Source {
        Source {
            error: Some(error),
            ..Source::new(base, region)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Verification {
    pub trail_arn: String,
    pub window: Window,
    pub bucket: String,
    pub prefix: Option<String>,
    /// `--public-keys FILE` or `cloudtrail:ListPublicKeys`.
    pub keys_origin: String,
    pub sources: Vec<Source>,
}

/// Public keys: from a file for every region, or asked of CloudTrail per source region.
pub enum Keys {
    File(KeyStore),
    CloudTrail,
}

impl Verification {
    pub fn digests(&self) -> impl Iterator<Item = &DigestResult> {
        self.sources.iter().flat_map(|s| &s.digests)
    }

    pub fn logs(&self) -> impl Iterator<Item = &LogResult> {
        self.sources.iter().flat_map(|s| &s.logs)
    }

    /// (gaps, stretches of missing digests) over every source.
    pub fn interval_counts(&self) -> (usize, usize) {
        let intervals = self.sources.iter().flat_map(|s| &s.intervals);
        let holes = intervals
            .clone()
            .filter(|i| matches!(i, Interval::Hole { .. }))
            .count();
        (intervals.count() - holes, holes)
    }

    /// The time range the valid digests cover, clamped to the requested window.
    pub fn found_range(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let parse = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        let valid = self.digests().filter(|d| d.status == DigestStatus::Valid);
        let (mut first, mut last) = (None::<DateTime<Utc>>, None::<DateTime<Utc>>);
        for digest in valid {
            if let (Some(start), Some(end)) = (parse(&digest.start), parse(&digest.end)) {
                first = Some(first.map_or(start, |f| f.min(start)));
                last = Some(last.map_or(end, |l| l.max(end)));
            }
        }
        Some((first?.max(self.window.start), last?.min(self.window.end)))
    }

    /// The overall verdict.
    pub fn outcome(&self) -> IntegrityOutcome {
        let digests_bad = self
            .digests()
            .any(|d| matches!(d.status, DigestStatus::Invalid(_) | DigestStatus::NotFound));
        let logs_bad = self
            .logs()
            .any(|l| matches!(l.status, LogStatus::Invalid(_) | LogStatus::NotFound));
        let holes = self.interval_counts().1 > 0;
        let unreadable = self
            .digests()
            .any(|d| matches!(d.status, DigestStatus::Unreadable(_)))
            || self
                .logs()
                .any(|l| matches!(l.status, LogStatus::Unreadable(_)))
            || self.sources.iter().any(|s| s.error.is_some());
        if digests_bad || logs_bad || holes {
            IntegrityOutcome::Invalid
        } else if unreadable {
            IntegrityOutcome::Incomplete
        } else if self.digests().next().is_none() {
            IntegrityOutcome::NoDigests
        } else {
            IntegrityOutcome::Valid
        }
    }
}

impl Verification {
    /// Counts of (standard digests, backfill digests, log files).
    pub fn tallies(&self) -> (FileTally, FileTally, FileTally) {
        let verification = self;
        let (mut standard, mut backfill, mut logs) = (
            FileTally::default(),
            FileTally::default(),
            FileTally::default(),
        );
        for digest in verification.digests() {
            let tally = if digest.backfill {
                &mut backfill
            } else {
                &mut standard
            };
            tally.total += 1;
            match digest.status {
                DigestStatus::Valid => tally.valid += 1,
                DigestStatus::Invalid(_) => tally.invalid += 1,
                DigestStatus::NotFound => tally.not_found += 1,
                DigestStatus::Unreadable(_) => tally.unreadable += 1,
            }
        }
        for log in verification.logs() {
            logs.total += 1;
            match log.status {
                LogStatus::Valid => logs.valid += 1,
                LogStatus::Invalid(_) => logs.invalid += 1,
                LogStatus::NotFound => logs.not_found += 1,
                LogStatus::Unreadable(_) => logs.unreadable += 1,
            }
        }
        (standard, backfill, logs)
    }

    /// The evidence a scan records (rule TW118): counts, and the first problems by name.
    pub fn evidence(&self) -> LogIntegrity {
        const MAX_PROBLEMS: usize = 20;
        let (digest_files, backfill_digest_files, log_files) = self.tallies();
        let mut problems: Vec<String> = Vec::new();
        for source in &self.sources {
            if let Some(error) = &source.error {
                problems.push(format!(
                    "source region {} ({}): {error}",
                    source.region, source.base
                ));
            }
            for digest in source
                .digests
                .iter()
                .filter(|d| d.status != DigestStatus::Valid)
            {
                problems.push(format!(
                    "{}: {}",
                    digest.object,
                    digest.status.reasons().join("; ")
                ));
            }
            for log in &source.logs {
                if let Some(reason) = log.status.reason() {
                    problems.push(format!("{}: {reason}", log.object));
                }
            }
            for interval in &source.intervals {
                if let Interval::Hole { from, to } = interval {
                    problems.push(format!(
                        "{}: digest files missing between {} and {}",
                        source.region,
                        from.format("%Y-%m-%dT%H:%M:%SZ"),
                        to.format("%Y-%m-%dT%H:%M:%SZ")
                    ));
                }
            }
        }
        let (gaps, missing_digest_intervals) = self.interval_counts();
        problems.truncate(MAX_PROBLEMS);
        LogIntegrity {
            window_start: self.window.start,
            window_end: self.window.end,
            outcome: self.outcome(),
            digest_files,
            backfill_digest_files,
            log_files,
            gaps,
            missing_digest_intervals,
            problems,
            public_keys: self.keys_origin.clone(),
        }
    }
}
