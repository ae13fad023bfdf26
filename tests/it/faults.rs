//! Differential resilience tests: the seeded organization of `organization.rs` scanned through
//! the fault-injecting proxy (tests/support/fault_proxy.py), once clean and once under each
//! fault profile. Every finding must be identical to the clean run's, or ERROR naming an
//! operation the proxy faulted: never PASS where the clean run says FAIL or the reverse, no
//! finding lost, no panic, bounded time, and no call retried past its budget.
//!
//! `cargo test --test it faults -- --nocapture` prints the figures per profile.

use crate::emulator::{block_on, FaultProxy, Moto};
use crate::organization::{seed_organization, start};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// `--max-attempts` of every scan here: the retry budget the proxy's log is checked against.
const MAX_ATTEMPTS: u64 = 5;
/// No scan may take longer than this, whatever is injected.
const TIME_BOUND: Duration = Duration::from_secs(150);

/// A fault profile: its name, the proxy's profile, and extra scan arguments.
struct Profile {
    name: &'static str,
    proxy: Value,
    args: &'static [&'static str],
}

fn every_operation(seed: u64, kind: &str, rate: f64) -> Value {
    json!({"seed": seed, "faults": [{"kind": kind, "rate": rate}]})
}

fn profiles() -> Vec<Profile> {
    vec![
        Profile {
            name: "latency 5-45 ms",
            proxy: json!({"seed": 1, "latency_ms": 5, "jitter_ms": 40}),
            args: &[],
        },
        Profile {
            name: "HTTP 500 (30%)",
            proxy: every_operation(2, "http500", 0.3),
            args: &[],
        },
        Profile {
            name: "HTTP 503 (30%)",
            proxy: every_operation(3, "http503", 0.3),
            args: &[],
        },
        Profile {
            name: "throttling (40%)",
            proxy: every_operation(4, "throttle", 0.4),
            args: &[],
        },
        Profile {
            name: "connection resets (25%)",
            proxy: every_operation(5, "reset", 0.25),
            args: &[],
        },
        Profile {
            name: "truncated bodies (25%)",
            proxy: every_operation(6, "truncate", 0.25),
            args: &[],
        },
        Profile {
            name: "slower than the timeout (10%)",
            proxy: json!({"seed": 7, "slow_ms": 3000,
                "faults": [{"kind": "slow", "rate": 0.1}]}),
            args: &["--timeout", "1"],
        },
        Profile {
            name: "malformed answers (15%)",
            proxy: every_operation(8, "malformed", 0.15),
            args: &[],
        },
        Profile {
            name: "access denied (chosen operations)",
            proxy: json!({"seed": 9, "faults": [{"kind": "denied", "rate": 1.0,
                "operations": "s3:GetBucketPolicy|kms:GetKeyRotationStatus|logs:DescribeMetricFilters\
                               |cloudtrail:GetEventSelectors|sns:ListSubscriptionsByTopic\
                               |s3:GetBucketLogging|ec2:DescribeRegions"}]}),
            args: &[],
        },
        Profile {
            name: "storm (every kind, 4% each)",
            proxy: {
                let every_kind = [
                    "http500",
                    "http503",
                    "throttle",
                    "reset",
                    "truncate",
                    "slow",
                    "malformed",
                    "denied",
                ]
                .map(|kind| json!({"kind": kind, "rate": 0.04}));
                json!({"seed": 10, "latency_ms": 2, "jitter_ms": 20, "slow_ms": 3000,
                    "faults": every_kind})
            },
            args: &["--timeout", "1"],
        },
    ]
}

/// Findings by fingerprint.
fn findings(report: &Value) -> BTreeMap<String, &Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["fingerprint"].as_str().expect("fingerprint").to_owned(),
                f,
            )
        })
        .collect()
}

/// How a faulted scan's findings compare with the clean scan's.
#[derive(Default)]
struct Comparison {
    compared: usize,
    identical: usize,
    /// Same status, with the failed call named in the message or evidence: a verdict that
    /// holds whatever the unknown value is (a lifecycle with no rules retains logs whatever
    /// the versioning), and says what could not be read.
    disclosed: usize,
    /// Findings that became ERROR, naming an operation the proxy faulted.
    errors: usize,
    mismatches: Vec<String>,
}

/// A finding's verdict with the times in it masked: "2 min ago" and a timestamp in the
/// evidence differ between two scans minutes apart, and are not what is compared.
fn verdict(finding: &Value) -> String {
    static TIMES: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?|\d+ (days|h \d+ min|min) ago",
        )
        .expect("regex")
    });
    let text = format!(
        "{} {} {}",
        finding["status"], finding["message"], finding["evidence"]
    );
    TIMES.replace_all(&text, "<time>").into_owned()
}

fn compare(clean: &Value, faulted: &Value, faulted_operations: &BTreeSet<String>) -> Comparison {
    let clean = findings(clean);
    let faulted = findings(faulted);
    let mut comparison = Comparison::default();
    let names_a_fault = |text: &str| {
        faulted_operations
            .iter()
            .any(|operation| text.contains(operation.as_str()))
    };
    let error_naming_a_fault = |finding: &Value| {
        finding["status"] == "ERROR"
            && names_a_fault(finding["message"].as_str().unwrap_or_default())
    };
    let describe = |f: &Value| {
        format!(
            "{} {} {}: {} {}",
            f["rule"], f["account"], f["resource"], f["status"], f["message"]
        )
    };
    // Where a listing failed, the resources it would have named are unknown: their findings
    // are replaced by an ERROR of the same rule and account on what is known (the log group
    // whose alarms could not be listed, the account whose regions could not be).
    let replaced_by_error = |lost: &Value| {
        faulted.values().any(|f| {
            f["rule"] == lost["rule"] && f["account"] == lost["account"] && error_naming_a_fault(f)
        })
    };
    for (fingerprint, expected) in &clean {
        comparison.compared += 1;
        match faulted.get(fingerprint) {
            Some(actual) if verdict(actual) == verdict(expected) => comparison.identical += 1,
            Some(actual) if error_naming_a_fault(actual) => comparison.errors += 1,
            Some(actual)
                if actual["status"] == expected["status"] && names_a_fault(&verdict(actual)) =>
            {
                comparison.disclosed += 1
            }
            Some(actual) => comparison.mismatches.push(format!(
                "changed: {}\n   was: {}",
                verdict(actual),
                verdict(expected)
            )),
            None if replaced_by_error(expected) => comparison.errors += 1,
            None => comparison
                .mismatches
                .push(format!("lost: {}", describe(expected))),
        }
    }
    for (fingerprint, extra) in &faulted {
        if !clean.contains_key(fingerprint) && !error_naming_a_fault(extra) {
            comparison
                .mismatches
                .push(format!("new: {}", describe(extra)));
        }
    }
    comparison
}

/// Scans the organization through `proxy`; returns (exit code, report, stderr, wall time).
fn scan(
    moto: &Moto,
    proxy: &FaultProxy,
    excluded: &str,
    extra: &[&str],
) -> (i32, Value, String, Duration) {
    let max_attempts = MAX_ATTEMPTS.to_string();
    let mut args = vec![
        "scan",
        "--org",
        "--exclude-accounts",
        excluded,
        "--regions",
        "us-east-1,eu-west-1",
        "--max-attempts",
        &max_attempts,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let started = Instant::now();
    let (code, stdout, stderr) = moto.run_through(&proxy.endpoint(), &args);
    let elapsed = started.elapsed();
    assert!(
        !stderr.contains("panicked"),
        "trailwarden panicked: {stderr}"
    );
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}), exit {code}: {stderr}"));
    (code, report, stderr, elapsed)
}

/// Requests per SDK invocation: no call may be attempted more often than its budget.
fn check_retry_budget(name: &str, log: &[Value]) -> (usize, usize) {
    let mut attempts: BTreeMap<&str, u64> = BTreeMap::new();
    for request in log {
        let invocation = request["invocation"].as_str().unwrap_or_default();
        assert!(
            !invocation.is_empty(),
            "{name}: a request without an invocation id: {request}"
        );
        *attempts.entry(invocation).or_default() += 1;
        let attempt = request["attempt"].as_u64().expect("attempt");
        assert!(
            attempt <= MAX_ATTEMPTS,
            "{name}: attempt {attempt} past the budget of {MAX_ATTEMPTS}: {request}"
        );
        assert_eq!(
            request["max_attempts"].as_u64(),
            Some(MAX_ATTEMPTS),
            "{name}: {request}"
        );
    }
    let most = attempts.values().max().copied().unwrap_or_default();
    assert!(
        most <= MAX_ATTEMPTS,
        "{name}: an invocation made {most} requests, past the budget of {MAX_ATTEMPTS}"
    );
    (attempts.len(), log.len())
}

#[test]
fn scans_under_injected_faults_agree_with_the_clean_scan_or_say_error() {
    let moto = start();
    // The same account ids in every run, so that the proxy's draws (which hash the requests)
    // are the same too.
    moto.seed_random(20261122);
    let estate = block_on(seed_organization(&moto));

    let clean_proxy = FaultProxy::start(&moto, &json!({"seed": 0}));
    let (clean_code, clean, stderr, clean_time) = scan(&moto, &clean_proxy, &estate.outside, &[]);
    assert_eq!(clean_code, 3, "{stderr}");
    let clean_log = clean_proxy.log();
    assert!(clean_log.iter().all(|r| r["fault"].is_null()));
    let (clean_calls, clean_requests) = check_retry_budget("clean", &clean_log);
    let statuses: BTreeSet<&str> = clean["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["status"].as_str())
        .collect();
    // The clean scan has verdicts of every kind to lose: PASS, FAIL and ERROR (the account
    // whose role cannot be assumed).
    for status in ["PASS", "FAIL", "ERROR"] {
        assert!(statuses.contains(status), "clean scan has no {status}");
    }

    let mut table = vec![format!(
        "{:<36} {:>5} {:>8} {:>6} {:>6} {:>8} {:>5} {:>9} {:>9} {:>4} {:>7}",
        "profile",
        "exit",
        "requests",
        "calls",
        "faults",
        "compared",
        "same",
        "disclosed",
        "error(op)",
        "diff",
        "time"
    )];
    table.push(format!(
        "{:<36} {:>5} {:>8} {:>6} {:>6} {:>8} {:>5} {:>9} {:>9} {:>4} {:>6.1}s",
        "clean",
        clean_code,
        clean_requests,
        clean_calls,
        0,
        "-",
        "-",
        "-",
        "-",
        "-",
        clean_time.as_secs_f64()
    ));
    let mut failures = Vec::new();
    let mut total_faults = 0;
    // TRAILWARDEN_FAULT_PROFILES=throttl runs only the profiles whose name contains it
    // (while working on one).
    let only = std::env::var("TRAILWARDEN_FAULT_PROFILES").unwrap_or_default();
    for profile in profiles().into_iter().filter(|p| p.name.contains(&only)) {
        let proxy = FaultProxy::start(&moto, &profile.proxy);
        let (code, report, stderr, elapsed) = scan(&moto, &proxy, &estate.outside, profile.args);
        let log = proxy.log();
        let (calls, requests) = check_retry_budget(profile.name, &log);
        let faulted: BTreeSet<String> = log
            .iter()
            .filter(|r| !r["fault"].is_null())
            .filter_map(|r| r["operation"].as_str().map(str::to_owned))
            .collect();
        let faults = log.iter().filter(|r| !r["fault"].is_null()).count();
        total_faults += faults;
        let comparison = compare(&clean, &report, &faulted);
        table.push(format!(
            "{:<36} {:>5} {:>8} {:>6} {:>6} {:>8} {:>5} {:>9} {:>9} {:>4} {:>6.1}s",
            profile.name,
            code,
            requests,
            calls,
            faults,
            comparison.compared,
            comparison.identical,
            comparison.disclosed,
            comparison.errors,
            comparison.mismatches.len(),
            elapsed.as_secs_f64()
        ));
        if profile.name != "latency 5-45 ms" {
            assert!(faults > 0, "{}: no fault was injected", profile.name);
        }
        // FAILs stay FAIL or become ERROR: the gate never goes green.
        if ![3, 4].contains(&code) {
            failures.push(format!("{}: exit {code}: {stderr}", profile.name));
        }
        if elapsed > TIME_BOUND {
            failures.push(format!("{}: took {elapsed:?}", profile.name));
        }
        for mismatch in comparison.mismatches {
            failures.push(format!("{}: {mismatch}", profile.name));
        }
    }
    eprintln!("{}", table.join("\n"));
    eprintln!(
        "faults injected in all: {total_faults}; mismatches: {}",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
