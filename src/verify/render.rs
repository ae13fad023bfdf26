//! How a verification is shown: the AWS CLI's familiar lines (per-file detail of valid files
//! only with `-v`), or a JSON document (documented in docs/verify-logs.md).

use super::chain::{DigestStatus, Interval, ObjectRef};
use super::result::{DigestResult, LogResult, LogStatus, Verification};
use crate::inventory::FileTally;
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::HashMap;
use std::fmt::Write as _;

fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn tally_line(tally: &FileTally, what: &str) -> String {
    let total = tally.total;
    let mut line = format!("{}/{total} {what} valid", tally.valid);
    if tally.invalid + tally.not_found > 0 {
        let _ = write!(
            line,
            ", {}/{total} {what} INVALID",
            tally.invalid + tally.not_found
        );
    }
    if tally.unreadable > 0 {
        let _ = write!(line, ", {}/{total} {what} UNREADABLE", tally.unreadable);
    }
    line
}

/// The text a person reads: invalid, missing and unreadable files always; valid ones with
/// `verbose`; gaps and holes; then the summary.
pub fn text(verification: &Verification, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Validating log files for trail {} between {} and {}",
        verification.trail_arn,
        time(verification.window.start),
        time(verification.window.end)
    );
    for source in &verification.sources {
        if let Some(error) = &source.error {
            let _ = writeln!(
                out,
                "Source region {}\t{}\tUNVERIFIED: {error}",
                if source.region.is_empty() {
                    "?"
                } else {
                    &source.region
                },
                source.base
            );
        }
        // Each digest's log files, listed after it.
        let mut logs_of: HashMap<&ObjectRef, Vec<&LogResult>> = HashMap::new();
        for log in &source.logs {
            logs_of.entry(&log.digest).or_default().push(log);
        }
        for digest in &source.digests {
            write_digest(&mut out, digest, verbose);
            for log in logs_of.get(&digest.object).into_iter().flatten() {
                match (&log.status, log.status.reason()) {
                    (LogStatus::Valid, _) if verbose => {
                        let _ = writeln!(out, "Log file\t{}\tvalid", log.object);
                    }
                    (LogStatus::Unreadable(_), Some(reason)) => {
                        let _ = writeln!(out, "Log file\t{}\tUNREADABLE: {reason}", log.object);
                    }
                    (_, Some(reason)) => {
                        let _ = writeln!(out, "Log file\t{}\tINVALID: {reason}", log.object);
                    }
                    _ => {}
                }
            }
        }
        for interval in &source.intervals {
            match interval {
                Interval::Gap {
                    older_end,
                    newer_start,
                } => {
                    let _ = writeln!(
                        out,
                        "No log files were delivered by CloudTrail between {older_end} and {newer_start} ({})",
                        source.region
                    );
                }
                Interval::Hole { from, to } => {
                    let _ = writeln!(
                        out,
                        "Digest files MISSING between {} and {} ({}): the chain does not reach back",
                        time(*from),
                        time(*to),
                        source.region
                    );
                }
            }
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Results requested for {} to {}",
        time(verification.window.start),
        time(verification.window.end)
    );
    match (verification.found_range(), verification.digests().next()) {
        (Some((from, to)), _) => {
            let _ = writeln!(out, "Results found for {} to {}:", time(from), time(to));
        }
        (None, None) => {
            let _ = writeln!(out, "No digests found");
        }
        (None, Some(_)) => {
            let _ = writeln!(out, "No valid digests found in range");
        }
    }
    let (standard, backfill, logs) = verification.tallies();
    let _ = writeln!(out, "{}", tally_line(&standard, "digest files"));
    if backfill.total > 0 {
        let _ = writeln!(out, "{}", tally_line(&backfill, "backfill digest files"));
    }
    let _ = writeln!(out, "{}", tally_line(&logs, "log files"));
    out
}

fn write_digest(out: &mut String, digest: &DigestResult, verbose: bool) {
    let label = if digest.backfill {
        "(backfill) Digest file"
    } else {
        "Digest file"
    };
    let reasons = digest.status.reasons();
    match &digest.status {
        DigestStatus::Valid if verbose => {
            let _ = writeln!(out, "{label}\t{}\tvalid", digest.object);
        }
        DigestStatus::Valid => {}
        DigestStatus::Unreadable(_) => {
            let _ = writeln!(
                out,
                "{label}\t{}\tUNREADABLE: {}",
                digest.object,
                reasons.join("; ")
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "{label}\t{}\tINVALID: {}",
                digest.object,
                reasons.join("; ")
            );
        }
    }
}

/// The machine-readable result.
pub fn json(verification: &Verification) -> String {
    let (standard, backfill, logs) = verification.tallies();
    let found = verification
        .found_range()
        .map(|(from, to)| json!({"start": time(from), "end": time(to)}));
    let (gaps, holes) = verification.interval_counts();
    let intervals: Vec<_> = verification
        .sources
        .iter()
        .flat_map(|source| source.intervals.iter().map(move |interval| (source, interval)))
        .map(|(source, interval)| match interval {
            Interval::Gap {
                older_end,
                newer_start,
            } => json!({"kind": "gap", "source_region": source.region, "from": older_end, "to": newer_start}),
            Interval::Hole { from, to } => json!({"kind": "missing_digests", "source_region": source.region, "from": time(*from), "to": time(*to)}),
        })
        .collect();
    let document = json!({
        "version": 1,
        "kind": "trailwarden-verify-logs",
        "tool": {"name": "trailwarden", "version": env!("CARGO_PKG_VERSION")},
        "trail": verification.trail_arn,
        "bucket": verification.bucket,
        "prefix": verification.prefix,
        "public_keys": verification.keys_origin,
        "requested": {"start": time(verification.window.start), "end": time(verification.window.end)},
        "found": found,
        "outcome": verification.outcome(),
        "summary": {
            "digest_files": standard,
            "backfill_digest_files": backfill,
            "log_files": logs,
            "gaps": gaps,
            "missing_digest_intervals": holes,
        },
        "sources": verification.sources.iter().map(|s| json!({
            "base": s.base,
            "source_region": s.region,
            "digest_files": s.digests.len(),
            "log_files": s.logs.len(),
            "error": s.error,
        })).collect::<Vec<_>>(),
        "digest_files": verification.sources.iter().flat_map(|s| s.digests.iter().map(move |d| {
            json!({
                "object": d.object.to_string(),
                "source_region": s.region,
                "backfill": d.backfill,
                "status": d.status.label(),
                "reasons": d.status.reasons(),
                "start": d.start,
                "end": d.end,
                "log_files": d.log_files,
            })
        })).collect::<Vec<_>>(),
        "log_files": verification.logs().map(|l| {
            json!({
                "object": l.object.to_string(),
                "digest": l.digest.to_string(),
                "status": l.status.label(),
                "reason": l.status.reason(),
            })
        }).collect::<Vec<_>>(),
        "intervals": intervals,
    });
    // Serializing a `serde_json::Value` cannot fail.
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
