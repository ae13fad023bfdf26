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

/// A profile with its seed moved by `TRAILWARDEN_FAULT_SEED` (0 when unset): the same faults,
/// drawn elsewhere. The committed seeds are what CI runs; a loop over other offsets hunts for
/// what they miss (`for n in $(seq 1 20); do TRAILWARDEN_FAULT_SEED=$n cargo test --test it
/// faults; done`).
fn reseeded(mut profile: Value) -> Value {
    let offset: u64 = match std::env::var("TRAILWARDEN_FAULT_SEED") {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("TRAILWARDEN_FAULT_SEED is not a number: {text}")),
        Err(_) => 0,
    };
    let seed = profile["seed"].as_u64().unwrap_or_default();
    profile["seed"] = json!(seed + offset);
    profile
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
            // Every call but the organization's own (the scope: the profile after this one).
            proxy: json!({"seed": 8, "faults": [{"kind": "malformed", "rate": 0.15,
                "operations": "(?!organizations:).*"}]}),
            args: &[],
        },
        Profile {
            name: "empty answers (15%)",
            // Status 200 and no body at all, for every call but the organization's own.
            proxy: json!({"seed": 12, "faults": [{"kind": "empty", "rate": 0.15,
                "operations": "(?!organizations:).*"}]}),
            args: &[],
        },
        Profile {
            name: "malformed account list",
            proxy: json!({"seed": 11, "faults": [{"kind": "malformed", "rate": 1.0,
                "operations": "organizations:ListAccounts"}]}),
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
                    "empty",
                    "denied",
                ]
                .map(|kind| {
                    // What is not retried (a malformed, empty or refused answer) spares the
                    // organization's own calls: there, it stops the scan (a profile of its own).
                    let retried = !["malformed", "empty", "denied"].contains(&kind);
                    let operations = if retried {
                        ".*"
                    } else {
                        "(?!organizations:).*"
                    };
                    json!({"kind": kind, "rate": 0.04, "operations": operations})
                });
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
    /// Same status on other evidence: a verdict that holds whatever the unknown value is (a
    /// lifecycle with no rules retains logs whatever the versioning; a filter narrower than
    /// CIS fails whether or not the trail is logging).
    same_status: usize,
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
    // An ERROR found only under faults may name the call that failed downstream of the
    // faulted one (a bucket's location refused once its owner account could not be read).
    static OPERATION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\b[a-z0-9-]+:[A-Z][A-Za-z0-9]+\b").expect("regex")
    });
    let error_naming_an_operation = |finding: &Value| {
        finding["status"] == "ERROR"
            && OPERATION.is_match(finding["message"].as_str().unwrap_or_default())
    };
    let describe = |f: &Value| {
        format!(
            "{} {} {}: {} {}",
            f["rule"], f["account"], f["resource"], f["status"], f["message"]
        )
    };
    // Where a listing failed, the resources it would have named are unknown: their findings
    // are replaced by an ERROR of the same rule, on the same account or resource, on what is
    // known (the log group whose alarms could not be listed; the bucket whose owner could
    // not be read, under the trail's account).
    // An account whose session or listings failed (a malformed AssumeRole answer) has no
    // known trails or buckets: their findings go, and the account's ERRORs name the call.
    let replaced_by_error = |lost: &Value| {
        faulted.values().any(|f| {
            (f["rule"] == lost["rule"]
                && (f["account"] == lost["account"] || f["resource"] == lost["resource"])
                && error_naming_an_operation(f))
                || (f["account"] == lost["account"] && error_naming_a_fault(f))
        })
    };
    // A resource known only through another (the KMS key of a trail of another account) is
    // unknown when that one is: a lost finding is accepted, too, if a finding whose evidence
    // names its resource was itself lost and accepted.
    let lost: Vec<(&str, &Value)> = clean
        .iter()
        .filter(|(fingerprint, _)| !faulted.contains_key(*fingerprint))
        .map(|(fingerprint, finding)| (fingerprint.as_str(), *finding))
        .collect();
    let mut accepted_losses: BTreeSet<&str> = BTreeSet::new();
    // The evidence of each accepted loss, as text: what it made known.
    let mut known_through: Vec<String> = Vec::new();
    let mut newly: Vec<(&str, &Value)> = lost
        .iter()
        .copied()
        .filter(|(_, finding)| replaced_by_error(finding))
        .collect();
    while !newly.is_empty() {
        for (fingerprint, finding) in &newly {
            accepted_losses.insert(fingerprint);
            known_through.push(finding["evidence"].to_string());
        }
        newly = lost
            .iter()
            .copied()
            .filter(|(fingerprint, finding)| {
                !accepted_losses.contains(fingerprint)
                    && finding["resource"].as_str().is_some_and(|resource| {
                        known_through.iter().any(|text| text.contains(resource))
                    })
            })
            .collect();
    }
    for (fingerprint, expected) in &clean {
        comparison.compared += 1;
        match faulted.get(fingerprint) {
            Some(actual) if verdict(actual) == verdict(expected) => comparison.identical += 1,
            Some(actual) if error_naming_a_fault(actual) => comparison.errors += 1,
            // The same verdict on other evidence: a trail's status unknown beside a reason
            // that fails it anyway, another trail satisfying the rule. Never a flip.
            Some(actual) if actual["status"] == expected["status"] => comparison.same_status += 1,
            Some(actual) => comparison.mismatches.push(format!(
                "changed: {}\n   was: {}",
                verdict(actual),
                verdict(expected)
            )),
            None if accepted_losses.contains(fingerprint.as_str()) => comparison.errors += 1,
            None => comparison
                .mismatches
                .push(format!("lost: {}", describe(expected))),
        }
    }
    for (fingerprint, extra) in &faulted {
        if !clean.contains_key(fingerprint) && !error_naming_an_operation(extra) {
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
) -> (i32, Option<Value>, String, Duration) {
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
    // No report at all only when the run ends in an error (checked by the caller).
    let report = serde_json::from_str(&stdout).ok();
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
    let clean = clean.unwrap_or_else(|| panic!("no clean report: {stderr}"));
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
        "same status",
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
    let mut aborted = Vec::new();
    // TRAILWARDEN_FAULT_PROFILES=throttl runs only the profiles whose name contains it
    // (while working on one).
    let only = std::env::var("TRAILWARDEN_FAULT_PROFILES").unwrap_or_default();
    for profile in profiles().into_iter().filter(|p| p.name.contains(&only)) {
        let proxy = FaultProxy::start(&moto, &reseeded(profile.proxy));
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
        let comparison = match &report {
            Some(report) => compare(&clean, report, &faulted),
            // Where the scope itself cannot be read (the organization's accounts), there is
            // nothing to scan: the run must stop with one line naming the failed call and
            // exit 1, never a report that looks complete.
            None => {
                let named = faulted.iter().any(|op| stderr.contains(op.as_str()));
                if code != 1 || !named || stderr.trim().lines().count() != 1 {
                    failures.push(format!(
                        "{}: no report, exit {code}: {stderr}",
                        profile.name
                    ));
                }
                aborted.push(format!("{}: {}", profile.name, stderr.trim()));
                Comparison::default()
            }
        };
        table.push(format!(
            "{:<36} {:>5} {:>8} {:>6} {:>6} {:>8} {:>5} {:>9} {:>9} {:>4} {:>6.1}s",
            profile.name,
            code,
            requests,
            calls,
            faults,
            comparison.compared,
            comparison.identical,
            comparison.same_status,
            comparison.errors,
            comparison.mismatches.len(),
            elapsed.as_secs_f64()
        ));
        if profile.name != "latency 5-45 ms" {
            assert!(faults > 0, "{}: no fault was injected", profile.name);
        }
        // FAILs stay FAIL or become ERROR: the gate never goes green.
        if report.is_some() && ![3, 4].contains(&code) {
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
    for line in &aborted {
        eprintln!("stopped before scanning: {line}");
    }
    eprintln!(
        "faults injected in all: {total_faults}; mismatches: {}",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The comparison itself: what it must refuse, it refuses.
#[test]
fn the_comparison_refuses_flips_losses_and_errors_that_name_no_fault() {
    let finding = |fingerprint: &str, rule: &str, status: &str, message: &str| {
        json!({"fingerprint": fingerprint, "rule": rule, "account": "111111111111",
               "resource": fingerprint, "status": status, "message": message, "evidence": []})
    };
    let report = |findings: Vec<Value>| json!({ "findings": findings });
    let clean = report(vec![
        finding("a", "TW101", "PASS", "covered"),
        finding("b", "TW102", "FAIL", "not validated"),
        finding("c", "TW816", "PASS", "alarm has actions"),
    ]);
    let faulted_ops: BTreeSet<String> = ["cloudtrail:GetTrailStatus".to_owned()].into();
    let mismatches =
        |faulted: Vec<Value>| compare(&clean, &report(faulted), &faulted_ops).mismatches;

    // Identical, or ERROR naming the faulted call, or a lost alarm replaced by an ERROR of
    // its rule and account: accepted.
    let same = compare(&clean, &clean, &faulted_ops);
    assert_eq!((same.identical, same.mismatches.len()), (3, 0));
    let explained = compare(
        &clean,
        &report(vec![
            finding(
                "a",
                "TW101",
                "ERROR",
                "cloudtrail:GetTrailStatus failed: HTTP 503",
            ),
            finding("b", "TW102", "FAIL", "not validated"),
            finding(
                "d",
                "TW816",
                "ERROR",
                "alarms unknown (cloudtrail:GetTrailStatus failed)",
            ),
        ]),
        &faulted_ops,
    );
    assert_eq!((explained.errors, explained.mismatches.len()), (2, 0));

    let refused = [
        // PASS -> FAIL and FAIL -> PASS.
        (
            vec![
                finding("a", "TW101", "FAIL", "covered"),
                finding("b", "TW102", "PASS", "not validated"),
                finding("c", "TW816", "PASS", "alarm has actions"),
            ],
            2,
        ),
        // An ERROR that names no faulted call; a finding lost without an ERROR in its place;
        // a new finding that is not an explained ERROR.
        (
            vec![
                finding("a", "TW101", "ERROR", "kms:DescribeKey failed"),
                finding("b", "TW102", "FAIL", "not validated"),
                finding("e", "TW999", "PASS", "new"),
            ],
            3,
        ),
        // The same status for another reason is no flip (counted apart).
        (
            vec![
                finding("a", "TW101", "PASS", "covered by another trail"),
                finding("b", "TW102", "FAIL", "not validated"),
                finding("c", "TW816", "PASS", "alarm has actions"),
            ],
            0,
        ),
        // An ERROR in place of a lost finding that names no operation at all.
        (
            vec![
                finding("a", "TW101", "PASS", "covered"),
                finding("b", "TW102", "FAIL", "not validated"),
                finding("d", "TW816", "ERROR", "something went wrong"),
            ],
            2,
        ),
    ];
    for (faulted, expected) in refused {
        assert_eq!(mismatches(faulted).len(), expected);
    }

    // A key known only through a trail of another account goes with that trail: its loss is
    // accepted when the trail's loss is. A key no lost finding names is not.
    let key = "arn:aws:kms:us-east-1:222222222222:key/k";
    let trail_finding = json!({"fingerprint": "t", "rule": "TW401", "account": "111111111111",
        "resource": "trail", "status": "PASS", "message": "encrypted",
        "evidence": [{"path": "trails[\"trail\"].kms_key_id", "value": key}]});
    let key_finding = json!({"fingerprint": "k", "rule": "TW402", "account": "222222222222",
        "resource": key, "status": "ERROR", "message": "not scanned", "evidence": []});
    let other_key = json!({"fingerprint": "o", "rule": "TW402", "account": "333333333333",
        "resource": "arn:aws:kms:us-east-1:333333333333:key/o", "status": "PASS",
        "message": "rotated", "evidence": []});
    let clean = report(vec![trail_finding, key_finding, other_key]);
    let account_error = json!({"fingerprint": "x", "rule": "TW101", "account": "111111111111",
        "resource": "111111111111", "status": "ERROR",
        "message": "trails of the account could not be listed: cloudtrail:GetTrailStatus failed",
        "evidence": []});
    let derived = compare(&clean, &report(vec![account_error]), &faulted_ops);
    assert_eq!((derived.errors, derived.mismatches.len()), (2, 1));
    assert!(
        derived.mismatches[0].contains("key/o"),
        "{:?}",
        derived.mismatches
    );
}

/// `verify-logs` on a valid chain under transport faults: every run proves the same files
/// valid, or reports the files it could not read as UNREADABLE (exit 4). A fault never makes
/// a file INVALID or missing (a tampering claim) and never makes the run PASS with less.
#[test]
fn verify_logs_under_injected_faults_proves_the_same_files_or_says_unreadable() {
    use crate::verify::{create_bucket, keys_file, upload, Plan, TRAIL_ARN};
    let moto = Moto::start(&[]);
    let directory = tempfile::tempdir().expect("temp dir");
    let keys = keys_file(directory.path());
    let keys = keys.to_str().expect("utf-8 path");
    block_on(async {
        let config = moto.config("us-east-1").await;
        create_bucket(&config, "fault-chain").await;
        let mut plan = Plan::new("fault-chain");
        plan.hours = 12;
        plan.logs_per_digest = 4;
        upload(&config, &plan.make()).await;
    });
    let verify = |proxy: &FaultProxy, extra: &[&str]| {
        let mut args = vec![
            "verify-logs",
            "--trail",
            TRAIL_ARN,
            "--s3-bucket",
            "fault-chain",
            "--public-keys",
            keys,
            "--start",
            "2026-01-20T00:00:00Z",
            "--end",
            "2026-01-20T13:00:00Z",
            "--format",
            "json",
            "--max-attempts",
            "5",
        ];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = moto.run_through(&proxy.endpoint(), &args);
        assert!(!stderr.contains("panicked"), "{stderr}");
        // No JSON only when the bucket's top level could not be listed: nothing is known,
        // and the run stops with one line naming the call (exit 1).
        let result: Option<Value> = serde_json::from_str(&stdout).ok();
        if result.is_none() {
            assert_eq!(code, 1, "verify-logs printed no JSON: {stderr}");
            assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        }
        (code, result, stderr)
    };
    let statuses = |result: &Value| -> BTreeMap<String, String> {
        ["digest_files", "log_files"]
            .iter()
            .flat_map(|list| result[list].as_array().expect("files").iter())
            .map(|f| {
                (
                    f["object"].as_str().expect("object").to_owned(),
                    f["status"].as_str().expect("status").to_owned(),
                )
            })
            .collect()
    };

    let clean_proxy = FaultProxy::start(&moto, &json!({"seed": 0}));
    let (code, clean, _) = verify(&clean_proxy, &[]);
    let clean = clean.expect("the clean run's JSON");
    assert_eq!(code, 0, "{clean}");
    let clean = statuses(&clean);
    let (clean_calls, _) = check_retry_budget("clean", &clean_proxy.log());
    assert_eq!(clean.len(), 12 + 48);
    assert!(clean.values().all(|status| status == "valid"));

    let transport = |seed: u64, kind: &str, rate: f64| {
        json!({"seed": seed, "slow_ms": 3000,
               "faults": [{"kind": kind, "rate": rate, "operations": "s3:.*"}]})
    };
    let profiles: [(&str, Value, &[&str]); 7] = [
        ("HTTP 503 (30%)", transport(21, "http503", 0.3), &[]),
        ("SlowDown (30%)", transport(22, "throttle", 0.3), &[]),
        ("connection resets (30%)", transport(23, "reset", 0.3), &[]),
        (
            "truncated bodies (30%)",
            transport(24, "truncate", 0.3),
            &[],
        ),
        (
            "slower than the timeout (15%)",
            transport(25, "slow", 0.15),
            &["--timeout", "1"],
        ),
        (
            "GetObject AccessDenied (15%)",
            json!({"seed": 26, "faults": [{"kind": "denied", "rate": 0.15,
                   "operations": "s3:GetObject"}]}),
            &[],
        ),
        (
            "AccessDenied (10%), listing too",
            transport(27, "denied", 0.1),
            &[],
        ),
    ];
    let mut table = vec![format!(
        "{:<32} {:>4} {:>8} {:>6} {:>6} {:>5} {:>10} {:>7}",
        "verify-logs profile",
        "exit",
        "requests",
        "calls",
        "faults",
        "valid",
        "unreadable",
        "unknown"
    )];
    for (name, profile, extra) in profiles {
        let proxy = FaultProxy::start(&moto, &reseeded(profile));
        let (code, result, stderr) = verify(&proxy, extra);
        let log = proxy.log();
        let (calls, requests) = check_retry_budget(name, &log);
        let faults = log.iter().filter(|r| !r["fault"].is_null()).count();
        assert!(faults > 0, "{name}: no fault injected");
        let Some(result) = result else {
            let faulted_listing = log
                .iter()
                .any(|r| r["operation"] == "s3:ListBucket" && !r["fault"].is_null());
            assert!(
                faulted_listing && stderr.contains("s3:ListBucket"),
                "{name}: stopped without a failed listing to name: {stderr}"
            );
            table.push(format!(
                "{name:<32} {code:>4} {requests:>8} {calls:>6} {faults:>6} stopped: {}",
                stderr.trim()
            ));
            continue;
        };
        let faulted = statuses(&result);
        // The logs of a digest that could not be read are unknown, so not listed; nothing
        // else may be missing, and nothing may be added.
        let unknown: Vec<_> = faulted.keys().filter(|k| !clean.contains_key(*k)).collect();
        assert!(unknown.is_empty(), "{name}: files never made: {unknown:?}");
        let unreadable_digests = result["digest_files"]
            .as_array()
            .expect("digests")
            .iter()
            .filter(|d| d["status"] == "unreadable")
            .count();
        let missing = clean.len() - faulted.len();
        // A listing that failed leaves its source unread: said, naming the call.
        let unlisted = result["sources"]
            .as_array()
            .expect("sources")
            .iter()
            .filter_map(|source| source["error"].as_str())
            .inspect(|error| assert!(error.contains("s3:"), "{name}: {error}"))
            .count();
        assert!(
            missing <= unreadable_digests * 4 || unlisted > 0,
            "{name}: {missing} files missing, {unreadable_digests} digests unreadable"
        );
        let count = |wanted: &str| faulted.values().filter(|s| *s == wanted).count();
        let (valid, unreadable) = (count("valid"), count("unreadable"));
        table.push(format!(
            "{name:<32} {code:>4} {requests:>8} {calls:>6} {faults:>6} {valid:>5} {unreadable:>10} {missing:>7}",
        ));
        // Never invalid or not found: a fault is not tampering.
        assert_eq!(valid + unreadable, faulted.len(), "{name}: {result:#}");
        if name.starts_with("truncated") {
            // A body cut off mid-transfer is fetched again (a new call), not given up on:
            // without that, a third of the files here would be UNREADABLE.
            assert!(calls > clean_calls, "{name}: no transfer was retried");
            assert!(unreadable <= 2, "{name}: {unreadable} files unreadable");
        }
        let incomplete = unreadable > 0 || unlisted > 0;
        assert_eq!(code, if incomplete { 4 } else { 0 }, "{name}: {result:#}");
    }
    eprintln!("{}", table.join("\n"));
}

/// Every error recorded in an inventory, as (operation, message), wherever it sits.
fn observation_errors(value: &Value, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            // An observation's error, an account's session or regions error.
            if let (
                Some(Value::String(_)),
                Some(Value::String(operation)),
                Some(Value::String(message)),
            ) = (map.get("kind"), map.get("operation"), map.get("message"))
            {
                found.push((operation.clone(), message.clone()));
            }
            map.values().for_each(|v| observation_errors(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| observation_errors(v, found)),
        _ => {}
    }
}

/// An XML answer cut in half (status 200, correctly framed) is an error naming its call, in
/// every client that reads XML (S3, S3 Control, EC2, CloudWatch, SNS): never the first half
/// taken for the whole. The SDK's XML deserializers accept such a prefix, and read a bucket's
/// Block Public Access settings with their last flags false, an ACL without its grants, an
/// alarm list without its later alarms. An empty answer (JSON or XML) is an error too, never
/// an answer with nothing in it.
#[test]
fn an_answer_cut_short_or_empty_is_an_error_never_half_a_configuration() {
    let moto = start();
    let estate = block_on(seed_organization(&moto));
    let directory = tempfile::tempdir().expect("temp dir");
    let runs = [
        (
            "malformed",
            "s3:GetBucketAcl|s3:GetBucketPublicAccessBlock|s3:GetAccountPublicAccessBlock\
             |ec2:DescribeRegions|cloudwatch:DescribeAlarms",
        ),
        ("malformed", "sns:ListSubscriptionsByTopic"),
        // An empty body would read as "no selectors", "not public", "no filters".
        (
            "empty",
            "cloudtrail:GetEventSelectors|s3:GetBucketPolicyStatus|logs:DescribeMetricFilters",
        ),
    ];
    for (index, (kind, operations)) in runs.into_iter().enumerate() {
        let proxy = FaultProxy::start(
            &moto,
            &json!({"seed": 1, "faults": [{"kind": kind, "rate": 1.0,
                                           "operations": operations}]}),
        );
        let output = directory.path().join(format!("inventory-{index}.json"));
        let output = output.to_str().expect("utf-8 path");
        let (code, _, stderr) = moto.run_through(
            &proxy.endpoint(),
            &[
                "collect",
                "--org",
                "--exclude-accounts",
                &estate.outside,
                "--regions",
                "us-east-1,eu-west-1",
                "--output",
                output,
            ],
        );
        assert_eq!(code, 0, "{stderr}");
        let inventory: Value =
            serde_json::from_str(&std::fs::read_to_string(output).expect("inventory"))
                .expect("inventory JSON");
        let faulted: BTreeSet<String> = proxy
            .log()
            .iter()
            .filter(|r| r["fault"] == kind)
            .filter_map(|r| r["operation"].as_str().map(str::to_owned))
            .collect();
        let wanted: BTreeSet<String> = operations.split('|').map(str::to_owned).collect();
        // Nothing read from the faulted calls stands as an observation.
        let list = |key: &str| inventory[key].as_array().expect(key).clone();
        let located = |bucket: &&Value| bucket["region"].get("ok").is_some();
        match index {
            0 => {
                for bucket in list("buckets").iter().filter(located) {
                    for field in ["acl", "public_access_block"] {
                        assert!(bucket[field].get("ok").is_none(), "{field}: {bucket:#}");
                    }
                }
                for account in list("accounts") {
                    if account.get("session_error").is_none() {
                        assert!(account["regions_error"].is_object(), "{account:#}");
                        assert!(
                            account["s3_public_access_block"].get("ok").is_none(),
                            "{account:#}"
                        );
                    }
                }
                for group in list("log_groups") {
                    if group["metric_filters"]["ok"]
                        .as_array()
                        .is_some_and(|f| !f.is_empty())
                    {
                        assert!(group["alarms"].get("ok").is_none(), "{group:#}");
                    }
                }
            }
            1 => assert!(!list("topics").is_empty()),
            _ => {
                for trail in list("trails") {
                    assert!(trail["event_selectors"].get("ok").is_none(), "{trail:#}");
                }
                for bucket in list("buckets").iter().filter(located) {
                    assert!(bucket["policy_status"].get("ok").is_none(), "{bucket:#}");
                }
                for group in list("log_groups") {
                    if group["details"].get("ok").is_some() {
                        assert!(group["metric_filters"].get("ok").is_none(), "{group:#}");
                    }
                }
            }
        }
        for topic in list("topics") {
            assert!(topic["subscriptions"].get("ok").is_none(), "{topic:#}");
        }
        assert_eq!(
            faulted, wanted,
            "every operation was cut short at least once"
        );
        let mut errors = Vec::new();
        observation_errors(&inventory, &mut errors);
        for operation in &wanted {
            let refused = errors
                .iter()
                .filter(|(op, message)| {
                    // Refused by trailwarden's check ("incomplete answer"), or by the
                    // SDK where half an error answer came with status 200.
                    op == operation && message.starts_with("malformed answer (HTTP 200): ")
                })
                .count();
            assert!(
                refused > 0,
                "{operation}: no error says the answer was cut short: {errors:?}"
            );
        }
    }
}
