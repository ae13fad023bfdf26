//! The real binary: every subcommand, format, exit code and bad input.

use crate::emulator::status_of;
use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn trailwarden() -> Command {
    let mut command = Command::cargo_bin("trailwarden").expect("binary is built");
    command.env_clear();
    command
}

fn fixture(rule_dir: &str, file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/rules")
        .join(rule_dir)
        .join(file)
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output).expect("stdout is JSON")
}

/// Runs and returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let output = trailwarden().args(args).output().expect("runs");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn assert_one_line_error(stderr: &str, needle: &str) {
    assert!(
        stderr.contains(needle),
        "stderr should mention {needle:?}: {stderr}"
    );
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "a one-line error: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn demo_prints_a_readable_report_and_exits_zero() {
    let (code, stdout, _) = run(&["demo"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("CloudTrail compliance report"));
    assert!(stdout.contains("organization o-7h2kq9x4ab"));
    assert!(
        stdout.contains("acme-prod-trail-logs"),
        "the public bucket is listed"
    );
    assert!(!stdout.contains('\u{1b}'), "no colour when piped");
    assert!(
        stdout.lines().all(|line| line.chars().count() <= 100),
        "fits 100 columns"
    );
}

#[test]
fn demo_json_follows_the_documented_schema() {
    let output = trailwarden()
        .args(["demo", "--format", "json"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let report = json_of(&output.stdout);
    assert_eq!(report["report_schema_version"], 1);
    assert_eq!(report["snapshot"]["schema_version"], 1);
    let findings = report["findings"].as_array().expect("findings");
    let summary = &report["summary"];
    assert_eq!(summary["total"].as_u64(), Some(findings.len() as u64));
    let count = |status: &str| findings.iter().filter(|f| f["status"] == status).count() as u64;
    assert_eq!(summary["fail"].as_u64(), Some(count("FAIL")));
    assert_eq!(summary["error"].as_u64(), Some(count("ERROR")));
    let public = findings
        .iter()
        .find(|f| f["rule"] == "TW201" && f["resource"] == "arn:aws:s3:::acme-prod-trail-logs")
        .expect("finding for the public bucket");
    assert_eq!(public["status"], "FAIL");
    assert_eq!(public["severity"], "critical");
    assert!(public["controls"]
        .as_array()
        .expect("controls")
        .contains(&Value::from("cis-aws-1.4:3.3")));
    assert!(!public["evidence"].as_array().expect("evidence").is_empty());
}

#[test]
fn demo_gate_applies_when_asked() {
    let (code, _, stderr) = run(&["demo", "--fail-on", "high"]);
    assert_eq!(code, 3);
    assert!(
        stderr.contains("failing finding(s) at or above severity high"),
        "{stderr}"
    );
}

#[test]
fn framework_view_groups_by_control() {
    let output = trailwarden()
        .args(["demo", "--framework", "cis-aws-5.0", "--format", "json"])
        .output()
        .expect("runs");
    let report = json_of(&output.stdout);
    let controls = report["framework"]["controls"]
        .as_array()
        .expect("controls");
    let status = |id: &str| {
        controls
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["status"].clone())
            .expect(id)
    };
    assert_eq!(status("3.1"), "PASS");
    assert_eq!(status("3.2"), "FAIL");
    // AWS Config: a region without a recorder fails the control.
    assert_eq!(status("3.3"), "FAIL");
    // VPC flow logs are not CloudTrail: listed, explained, not assessed.
    assert_eq!(status("3.7"), "NOT_ASSESSED");
    // Only the framework's rules ran.
    let rules = report["rules"].as_array().expect("rules");
    assert!(
        !rules.contains(&Value::from("TW104")),
        "TW104 is in no CIS control"
    );
    let (_, table, _) = run(&["demo", "--framework", "cis-aws-5.0"]);
    assert!(table.contains("CIS Amazon Web Services Foundations Benchmark 5.0.0"));
}

#[test]
fn exit_codes_follow_the_gate_policy() {
    let pass = fixture("TW102-log-file-validation", "pass.json");
    let fail = fixture("TW102-log-file-validation", "fail.json");
    let error = fixture("TW202-log-bucket-access-logging", "error.json");
    // A failure outranks incompleteness.
    let mixed = fixture("TW101-multi-region-trail", "error.json");
    let cases: &[(&Path, &[&str], i32, &str)] = &[
        (&pass, &["--rules", "TW102"], 0, "passing"),
        (
            &fail,
            &["--rules", "TW102"],
            3,
            "failing at the default threshold",
        ),
        (
            &fail,
            &["--rules", "TW102", "--fail-on", "none"],
            0,
            "gate off",
        ),
        (
            &fail,
            &["--rules", "TW102", "--fail-on", "high"],
            0,
            "TW102 is medium",
        ),
        (
            &fail,
            &["--rules", "log-file-validation", "--fail-on", "medium"],
            3,
            "at the threshold, rule named by name",
        ),
        (&error, &["--rules", "TW202"], 4, "incomplete"),
        (
            &error,
            &["--rules", "TW202", "--allow-incomplete"],
            0,
            "incomplete allowed",
        ),
        (
            &mixed,
            &["--rules", "TW101"],
            3,
            "a failure outranks incompleteness",
        ),
    ];
    for (snapshot, flags, expected, why) in cases {
        let mut args = vec!["evaluate", snapshot.to_str().unwrap()];
        args.extend_from_slice(flags);
        assert_eq!(run(&args).0, *expected, "{why}: {args:?}");
    }
}

#[test]
fn every_fixture_evaluates_through_the_cli() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    for dir in std::fs::read_dir(&root).expect("fixtures") {
        let dir = dir.expect("entry").path();
        let code = dir.file_name().expect("name").to_string_lossy()[..5].to_owned();
        let expect: toml::Table =
            toml::from_str(&std::fs::read_to_string(dir.join("expect.toml")).expect("expect"))
                .expect("toml");
        for (file, expected) in &expect {
            let output = trailwarden()
                .args([
                    "evaluate",
                    dir.join(file).to_str().unwrap(),
                    "--rules",
                    &code,
                    "--format",
                    "json",
                    "--fail-on",
                    "none",
                    "--allow-incomplete",
                ])
                .output()
                .expect("runs");
            assert!(output.status.success(), "{code} {file}");
            let report = json_of(&output.stdout);
            for finding in report["findings"].as_array().expect("findings") {
                let resource = finding["resource"].as_str().expect("resource");
                let wanted = &expected[resource];
                let wanted = wanted.get("status").unwrap_or(wanted);
                assert_eq!(
                    finding["status"].as_str(),
                    wanted.as_str(),
                    "{code} {file} {resource}"
                );
            }
        }
    }
}

#[test]
fn parameters_and_now_change_freshness_verdicts() {
    let stale = fixture("TW301-cloudwatch-logs-delivery", "fail.json");
    let stale_arn = "arn:aws:cloudtrail:us-east-1:333333333333:trail/stale";
    let status_of = |args: &[&str]| {
        let output = trailwarden().args(args).output().expect("runs");
        let report = json_of(&output.stdout);
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["resource"] == stale_arn)
            .map(|f| f["status"].clone())
            .expect("finding")
    };
    let base = [
        "evaluate",
        stale.to_str().unwrap(),
        "--rules",
        "TW301",
        "--format",
        "json",
    ];
    assert_eq!(
        status_of(&base),
        "FAIL",
        "78 hours old against a 24 h limit"
    );
    let mut relaxed = base.to_vec();
    relaxed.extend(["--param", "TW301.max_delivery_age_hours=100"]);
    assert_eq!(status_of(&relaxed), "PASS");
    let mut earlier = relaxed.clone();
    earlier.extend(["--now", "2026-05-29T07:00:00Z"]);
    assert_eq!(status_of(&earlier), "PASS");
    let mut later = relaxed;
    later.extend(["--now", "2026-06-10T00:00:00Z"]);
    assert_eq!(status_of(&later), "FAIL");
}

#[test]
fn strict_patterns_require_the_cis_text() {
    // Account 222222222222's filter matches the same events as the CIS text, written
    // differently: compliant by meaning, not under --strict-patterns (as Security Hub).
    let snapshot = fixture("TW805-monitor-cloudtrail-changes", "pass.json");
    let statuses = |extra: &[&str]| {
        let mut args = vec![
            "evaluate",
            snapshot.to_str().unwrap(),
            "--rules",
            "TW805",
            "--format",
            "json",
        ];
        args.extend(extra);
        let output = trailwarden().args(&args).output().expect("runs");
        let report = json_of(&output.stdout);
        let findings = report["findings"].as_array().expect("findings").clone();
        let of = |account: &str| {
            findings
                .iter()
                .find(|f| f["account"] == account)
                .map(|f| {
                    (
                        f["status"].clone(),
                        f["message"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .expect("finding")
        };
        (of("111111111111"), of("222222222222"))
    };
    let (cis_text, equivalent) = statuses(&[]);
    assert_eq!(cis_text.0, "PASS");
    assert_eq!(equivalent.0, "PASS");
    let (cis_text, equivalent) = statuses(&["--strict-patterns"]);
    assert_eq!(cis_text.0, "PASS", "{}", cis_text.1);
    assert_eq!(equivalent.0, "FAIL");
    assert!(
        equivalent.1.contains("not the CIS pattern text"),
        "{}",
        equivalent.1
    );
    // An explicit --param still wins over the flag.
    let (_, equivalent) = statuses(&[
        "--strict-patterns",
        "--param",
        "TW805.strict_patterns=false",
    ]);
    assert_eq!(equivalent.0, "PASS");
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("report.json");
    let output = trailwarden()
        .args([
            "demo",
            "--format",
            "json",
            "--output",
            target.to_str().unwrap(),
        ])
        .output()
        .expect("runs");
    assert!(output.status.success());
    assert!(
        output.stdout.is_empty(),
        "nothing on stdout when writing a file"
    );
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&target).expect("file")).expect("JSON");
    assert_eq!(written["report_schema_version"], 1);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temporary files left behind: {leftovers:?}"
    );
}

#[test]
fn unwritable_output_is_a_runtime_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("missing-dir/report.json");
    let (code, stdout, stderr) = run(&["demo", "--output", target.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert_one_line_error(&stderr, "cannot write report to");
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(!target.exists());

    // A directory in place of the file.
    let (code, _, stderr) = run(&["demo", "--output", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert_one_line_error(&stderr, "it is a directory");

    // A device that is full: written to as it is (never replaced by a rename, which would
    // swap the device for a file), and the write's failure is the error.
    if Path::new("/dev/full").exists() {
        let (code, _, stderr) = run(&["demo", "--format", "json", "--output", "/dev/full"]);
        assert_eq!(code, 1, "{stderr}");
        assert_one_line_error(&stderr, "cannot write report to /dev/full");
        use std::os::unix::fs::FileTypeExt as _;
        let kind = std::fs::metadata("/dev/full")
            .expect("/dev/full")
            .file_type();
        assert!(kind.is_char_device(), "/dev/full was replaced");
    }
    // A device that takes anything: the report goes there.
    let (code, _, stderr) = run(&["demo", "--format", "json", "--output", "/dev/null"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn bad_snapshots_are_input_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.to_string_lossy().into_owned()
    };
    let missing = dir.path().join("nope.json").to_string_lossy().into_owned();
    let cases = [
        (missing, "cannot read snapshot"),
        (write("text.json", "this is not json"), "is not valid JSON"),
        (
            write("array.json", "[1, 2]"),
            "top level must be a JSON object",
        ),
        (write("noversion.json", "{}"), "missing `schema_version`"),
        (
            write("future.json", r#"{"schema_version": 99}"#),
            "has schema_version 99",
        ),
        (
            write(
                "shape.json",
                r#"{"schema_version": 1, "generator": "x", "collected_at": "yesterday", "accounts": []}"#,
            ),
            "not a trailwarden inventory",
        ),
        (
            write(
                "badid.json",
                r#"{"schema_version": 1, "generator": "x", "collected_at": "2026-01-01T00:00:00Z", "accounts": [{"id": "12"}]}"#,
            ),
            "must be 12 digits",
        ),
    ];
    for (path, needle) in cases {
        let (code, stdout, stderr) = run(&["evaluate", &path]);
        assert_eq!(code, 2, "{needle}: {stderr}");
        assert!(stdout.is_empty());
        assert_one_line_error(&stderr, needle);
    }
}

#[test]
fn bad_arguments_are_usage_errors() {
    let pass = fixture("TW102-log-file-validation", "pass.json");
    let snapshot = pass.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["evaluate", snapshot, "--rules", "TW000"],
            "unknown rule `TW000`",
        ),
        (
            vec!["evaluate", snapshot, "--framework", "cis-aws-9.9"],
            "unknown framework `cis-aws-9.9`",
        ),
        (
            vec!["evaluate", snapshot, "--param", "TW301.nope=1"],
            "has no parameter `nope`",
        ),
        (
            vec![
                "evaluate",
                snapshot,
                "--param",
                "TW301.max_delivery_age_hours=soon",
            ],
            "is not a valid integer",
        ),
        (
            vec!["evaluate", snapshot, "--param", "TW000.x=1"],
            "unknown rule `TW000`",
        ),
        (vec!["rules", "show", "TW000"], "unknown rule `TW000`"),
        (
            vec!["frameworks", "show", "nope"],
            "unknown framework `nope`",
        ),
    ] {
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert_one_line_error(&stderr, needle);
    }
    for args in [
        vec!["evaluate", snapshot, "--fail-on", "severe"],
        vec!["evaluate", snapshot, "--now", "tomorrow"],
        vec!["evaluate", snapshot, "--format", "xml"],
        vec!["evaluate", snapshot, "--param", "no-equals"],
        vec!["evaluate"],
    ] {
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"));
    }
}

#[test]
fn rules_and_frameworks_listings() {
    trailwarden()
        .args(["rules", "list"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("TW101")
                .and(predicate::str::contains("log-archive-retention")),
        );
    let output = trailwarden()
        .args(["rules", "list", "--format", "json"])
        .output()
        .expect("runs");
    let rules = json_of(&output.stdout);
    let tw501 = rules
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["code"] == "TW501")
        .expect("TW501");
    assert_eq!(tw501["parameters"]["min_retention_days"]["default"], 2190);
    trailwarden()
        .args(["rules", "show", "multi-region-trail"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("# TW101 multi-region-trail")
                .and(predicate::str::contains("## What it checks")),
        );
    trailwarden()
        .args(["frameworks", "list"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("cis-aws-7.0")
                .and(predicate::str::contains("trailwarden-baseline")),
        );
    trailwarden()
        .args(["frameworks", "show", "cis-aws-1.2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2.1").and(predicate::str::contains("not assessed:")));
    let output = trailwarden()
        .args(["frameworks", "show", "cis-aws-1.4", "--format", "json"])
        .output()
        .expect("runs");
    let framework = json_of(&output.stdout);
    assert_eq!(
        framework["controls"].as_array().expect("controls").len(),
        26,
        "CIS 1.4: 3.1-3.11 logging and 4.1-4.15 monitoring"
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let (_, coloured, _) = run(&["demo", "--color", "always"]);
    assert!(coloured.contains('\u{1b}'));
    let (_, plain, _) = run(&["demo"]);
    assert!(!plain.contains('\u{1b}'));
}

#[test]
fn table_lists_passes_only_with_all() {
    let pass = fixture("TW102-log-file-validation", "pass.json");
    let (_, default, _) = run(&["evaluate", pass.to_str().unwrap(), "--rules", "TW102"]);
    assert!(default.contains("No failing or unevaluated findings."));
    let (_, all, _) = run(&[
        "evaluate",
        pass.to_str().unwrap(),
        "--rules",
        "TW102",
        "--all",
    ]);
    assert!(all.contains("validated signs digest files"));
}

#[test]
fn published_iam_policy_is_the_allowlist() {
    let (code, stdout, _) = run(&["iam-policy"]);
    assert_eq!(code, 0);
    let published =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/iam-policy.json"))
            .expect("docs/iam-policy.json exists");
    assert_eq!(
        stdout, published,
        "docs/iam-policy.json is stale: cargo run -- iam-policy > docs/iam-policy.json"
    );
    let policy = json_of(stdout.as_bytes());
    let actions = policy["Statement"][0]["Action"]
        .as_array()
        .expect("actions");
    assert!(actions.iter().any(|a| a == "cloudtrail:DescribeTrails"));
    // Reads only; AssumeRole changes nothing and only opens the sessions of other accounts.
    for action in actions.iter().filter(|a| *a != "sts:AssumeRole") {
        let name = action
            .as_str()
            .expect("string")
            .split(':')
            .nth(1)
            .unwrap_or_default();
        assert!(
            ["Describe", "Get", "List"]
                .iter()
                .any(|p| name.starts_with(p)),
            "{action} is not read-only"
        );
    }
}

#[test]
fn bad_aws_arguments_are_usage_errors() {
    for (args, needle) in [
        (vec!["scan", "--regions", "us-east-1,narnia"], "narnia"),
        (vec!["scan", "--region", "nowhere"], "nowhere"),
        (
            vec!["scan", "--endpoint-url", "localhost:5000"],
            "localhost:5000",
        ),
        (vec!["scan", "--max-concurrency", "0"], "max-concurrency"),
        (vec!["collect"], "--output"),
    ] {
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

#[test]
fn frameworks_show_judges_each_control_over_a_snapshot() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/organization.json");
    let output = trailwarden()
        .args([
            "frameworks",
            "show",
            "cis-aws-5.0",
            "--format",
            "json",
            "--snapshot",
        ])
        .arg(&demo)
        .output()
        .expect("runs");
    assert!(output.status.success());
    let view = json_of(&output.stdout);
    let status = |id: &str| {
        view["controls"]
            .as_array()
            .expect("controls")
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["status"].clone())
            .expect(id)
    };
    assert_eq!(status("3.1"), "PASS");
    assert_eq!(
        status("3.8"),
        "PASS",
        "S3 write data events: the org trail records them"
    );
    assert_eq!(
        status("3.9"),
        "FAIL",
        "S3 read data events: nobody records them"
    );
    assert_eq!(status("3.7"), "NOT_ASSESSED");
    let (code, table, _) = run(&["frameworks", "show", "cis-aws-5.0", "--demo"]);
    assert_eq!(code, 0);
    assert!(table.contains("25 controls:"), "{table}");
    // An unreadable snapshot is one line and a non-zero exit.
    let (code, _, stderr) = run(&[
        "frameworks",
        "show",
        "cis-aws-5.0",
        "--snapshot",
        "/nonexistent.json",
    ]);
    assert_ne!(code, 0);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[test]
fn listed_dynamodb_tables_are_judged_one_by_one() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/rules/TW109-dynamodb-data-events/fail.json");
    let table = "arn:aws:dynamodb:us-east-1:222222222222:table/orders";
    let other = "arn:aws:dynamodb:us-east-1:222222222222:table/payments";
    let output = trailwarden()
        .args([
            "evaluate", "--rules", "TW109", "--format", "json", "--param",
        ])
        .arg(format!("TW109.dynamodb_tables={table},{other}"))
        .arg(&fixture)
        .output()
        .expect("runs");
    let report = json_of(&output.stdout);
    assert_eq!(
        status_of(&report, "TW109", table),
        "PASS",
        "the selector names this table"
    );
    assert_eq!(status_of(&report, "TW109", other), "FAIL");
    let (code, _, stderr) = run(&[
        "evaluate",
        "--rules",
        "TW109",
        "--param",
        "TW109.dynamodb_tables=not-an-arn",
        fixture.to_str().expect("path"),
    ]);
    assert_ne!(code, 0);
    assert!(stderr.contains("not a dynamodb ARN"), "{stderr}");
}

/// Every argument the parser refuses is one line naming the argument and why, exit 2, and
/// nothing on stdout: a CI log shows the whole reason on the line that says `error:`.
#[test]
fn every_refused_argument_is_one_line_naming_it() {
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/organization.json");
    let snapshot = snapshot.to_str().expect("path");
    let cases: &[(&[&str], &str)] = &[
        (
            &["evaluate", snapshot, "--format", "nope"],
            "possible values",
        ),
        (&["evaluate", snapshot, "--now", "yesterday"], "--now"),
        (&["evaluate", snapshot, "--fail-on", "bogus"], "--fail-on"),
        (
            &["evaluate", snapshot, "--param", "nonsense"],
            "RULE.PARAMETER=VALUE",
        ),
        (&["evaluate"], "<SNAPSHOT>"),
        (&["scan", "--regions", "mars-1"], "not a region name"),
        (&["scan", "--accounts", "12345"], "not an AWS account id"),
        (&["scan", "--role-name", "bad role"], "not an IAM role name"),
        (&["scan", "--max-concurrency", "0"], "--max-concurrency"),
        (&["scan", "--max-attempts", "99"], "--max-attempts"),
        (&["scan", "--timeout", "0"], "--timeout"),
        (
            &["scan", "--verify-logs-window", "400d"],
            "longer than 31 days",
        ),
        (
            &["scan", "--endpoint-url", "notaurl"],
            "not an http:// or https:// URL",
        ),
        (
            &[
                "verify-logs",
                "--trail",
                "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
                "--start",
                "1h",
                "--organization-id",
                "org-1",
            ],
            "--organization-id",
        ),
        (
            &[
                "verify-logs",
                "--trail",
                "arn:aws:s3:::bucket",
                "--start",
                "1h",
            ],
            "--trail",
        ),
        (
            &[
                "verify-logs",
                "--trail",
                "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
                "--start",
                "soon",
            ],
            "--start",
        ),
        (&["bogus"], "unrecognized subcommand"),
    ];
    for (args, needle) in cases {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert_one_line_error(&stderr, needle);
    }
}

/// Every command's `--help`, and what `trailwarden` alone prints, as a user reads them:
/// tests/snapshots/help/*.txt (`UPDATE_SNAPSHOTS=1` rewrites them). Each subcommand's help ends
/// with examples that are real command lines.
#[test]
fn help_texts_teach_and_stay_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/help");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let commands = [
        "",
        "scan",
        "collect",
        "evaluate",
        "demo",
        "plan",
        "rules",
        "frameworks",
        "verify-logs",
        "iam-policy",
    ];
    let mut stale = Vec::new();
    let mut texts = vec![("start-here".to_owned(), run(&[]))];
    for command in commands {
        let mut args: Vec<&str> = command.split_whitespace().collect();
        args.push("--help");
        let name = if command.is_empty() {
            "trailwarden"
        } else {
            command
        };
        texts.push((name.to_owned(), run(&args)));
    }
    for (name, (code, stdout, stderr)) in &texts {
        assert_eq!(*code, 0, "{name}: {stderr}");
        if !["trailwarden", "start-here"].contains(&name.as_str()) {
            let examples = stdout.split("Examples:\n").nth(1).unwrap_or_default();
            assert!(
                examples
                    .lines()
                    .filter(|l| l.trim_start().starts_with("trailwarden "))
                    .count()
                    >= 1,
                "{name}: --help ends with examples"
            );
        }
        let path = dir.join(format!("{name}.txt"));
        if update {
            std::fs::create_dir_all(&dir).expect("snapshot dir");
            std::fs::write(&path, stdout).expect("write snapshot");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(stdout.as_str()) {
            stale.push(name.clone());
        }
    }
    let start = &texts[0].1 .1;
    for first_steps in [
        "trailwarden demo",
        "trailwarden scan",
        "trailwarden plan",
        "trailwarden rules list",
    ] {
        assert!(
            start.contains(first_steps),
            "start here names `{first_steps}`"
        );
    }
    assert!(
        stale.is_empty(),
        "help differs from tests/snapshots/help: {stale:?}; if intended, rerun with UPDATE_SNAPSHOTS=1 and review the diff"
    );
}
