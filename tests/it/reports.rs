//! Reports and CI gates: every format from one inventory (snapshot tests), SARIF through the
//! official schema and Microsoft's validator, the HTML report in a real headless Chromium,
//! JUnit structure, the configuration file, waivers and baselines.
//!
//! The validator and the browser are installed by scripts/test (tests/support/node, Debian's
//! chromium); without them these tests fail and say how to install them.
//! `UPDATE_SNAPSHOTS=1 cargo test --test it reports::` rewrites tests/snapshots/reports/.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run in `dir` with a scrubbed environment (so no ./trailwarden.toml of the
/// checkout is picked up).
fn trailwarden_in(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("trailwarden").expect("binary is built");
    command.env_clear().current_dir(dir);
    command
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = trailwarden_in(dir).args(args).output().expect("runs");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("report file")).expect("JSON")
}

/// The demo rules the snapshots use: PASS, FAIL and ERROR across accounts.
const SNAPSHOT_RULES: &str = "TW101,TW102,TW201,TW205,TW601";

/// A severity override, a waiver in force on a FAIL, one on an ERROR (glob), and one that
/// expired before the demo's collection time (2026-11-20).
const CONFIG: &str = r#"
[severity]
TW102 = "high"

[[waivers]]
rule = "TW205"
resource = "arn:aws:s3:::acme-dev-trail"
reason = "MFA delete needs the root user; tracked in SEC-42"
expires = 2027-06-30
owner = "platform-team"

[[waivers]]
rule = "TW201"
resource = "arn:aws:s3:::acme-dev-*"
reason = "dev bucket policy is read by another team's role"
expires = 2027-01-31

[[waivers]]
rule = "log-file-validation"
resource = "*:trail/legacy-trail"
reason = "legacy trail is being retired"
expires = 2026-01-31
owner = "platform-team"
"#;

/// A directory with the configuration and a baseline derived from the same selection:
/// the baseline lacks the prod-audit TW102 FAIL (so it is new now) and has the archive's
/// TW201 as FAIL (so it is fixed now).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("trailwarden.toml"), CONFIG).expect("config");
    let (code, stdout, stderr) = run_in(
        dir.path(),
        &[
            "demo",
            "--no-config",
            "--rules",
            SNAPSHOT_RULES,
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let mut baseline: Value = serde_json::from_str(&stdout).expect("JSON");
    let findings = baseline["findings"].as_array_mut().expect("findings");
    let before = findings.len();
    findings.retain(|f| {
        !(f["rule"] == "TW102"
            && f["resource"] == "arn:aws:cloudtrail:eu-west-1:333333333333:trail/prod-audit")
    });
    assert_eq!(findings.len(), before - 1);
    for finding in findings.iter_mut() {
        if finding["rule"] == "TW201"
            && finding["resource"] == "arn:aws:s3:::acme-cloudtrail-archive"
        {
            finding["status"] = "FAIL".into();
        }
    }
    std::fs::write(
        dir.path().join("baseline.json"),
        serde_json::to_string_pretty(&baseline).expect("JSON"),
    )
    .expect("baseline");
    dir
}

#[test]
fn every_format_matches_its_snapshot() {
    let dir = workspace();
    let (code, stdout, stderr) = run_in(
        dir.path(),
        &[
            "demo",
            "--rules",
            SNAPSHOT_RULES,
            "--baseline",
            "baseline.json",
            "--format",
            "table,json,sarif,junit,csv,html,markdown",
            "--output-dir",
            "out",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "everything goes to files: {stdout}");
    assert!(
        stderr.contains("trailwarden.toml:18 for TW102")
            && stderr.contains("expired on 2026-01-31"),
        "the expired waiver is reported: {stderr}"
    );
    let snapshots = repository().join("tests/snapshots/reports");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut stale = Vec::new();
    for name in [
        "trailwarden.txt",
        "trailwarden.json",
        "trailwarden.sarif",
        "trailwarden.junit.xml",
        "trailwarden.csv",
        "trailwarden.html",
        "trailwarden.md",
    ] {
        let actual = std::fs::read_to_string(dir.path().join("out").join(name))
            .unwrap_or_else(|e| panic!("{name} written: {e}"));
        // The version is the only thing that changes between releases.
        let actual = actual.replace(env!("CARGO_PKG_VERSION"), "<version>");
        let expected_path = snapshots.join(name);
        if update {
            std::fs::create_dir_all(&snapshots).expect("snapshot dir");
            std::fs::write(&expected_path, &actual).expect("snapshot written");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            let line = expected
                .lines()
                .zip(actual.lines())
                .position(|(a, b)| a != b)
                .map_or(expected.lines().count().min(actual.lines().count()), |n| n)
                + 1;
            stale.push(format!("{name} (first difference at line {line})"));
        }
    }
    assert!(
        stale.is_empty(),
        "reports differ from tests/snapshots/reports: {stale:?}; if the change is intended, rerun with UPDATE_SNAPSHOTS=1 and review the diff"
    );

    // What the snapshots must show, asserted directly so a snapshot update cannot hide it.
    let report = read_json(&dir.path().join("out/trailwarden.json"));
    let finding = |rule: &str, resource: &str| -> Value {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["rule"] == rule && f["resource"] == resource)
            .cloned()
            .unwrap_or_else(|| panic!("finding {rule} {resource}"))
    };
    let waived = finding("TW205", "arn:aws:s3:::acme-dev-trail");
    assert_eq!(
        waived["status"], "FAIL",
        "a waived finding keeps its status"
    );
    assert_eq!(waived["waiver"]["expired"], false);
    assert_eq!(waived["waiver"]["owner"], "platform-team");
    let waived_error = finding("TW201", "arn:aws:s3:::acme-dev-trail");
    assert_eq!(waived_error["status"], "ERROR");
    assert_eq!(waived_error["waiver"]["expired"], false);
    let expired = finding(
        "TW102",
        "arn:aws:cloudtrail:us-east-1:111111111111:trail/legacy-trail",
    );
    assert_eq!(expired["waiver"]["expired"], true);
    assert_eq!(expired["severity"], "high", "severity override");
    assert_eq!(expired["baseline"], "unchanged");
    let new = finding(
        "TW102",
        "arn:aws:cloudtrail:eu-west-1:333333333333:trail/prod-audit",
    );
    assert_eq!(new["baseline"], "new");
    let fixed = report["baseline"]["fixed"].as_array().expect("fixed");
    assert_eq!(fixed.len(), 1, "{fixed:?}");
    assert_eq!(fixed[0]["resource"], "arn:aws:s3:::acme-cloudtrail-archive");
    let states: Vec<&str> = report["waivers"]
        .as_array()
        .expect("waivers")
        .iter()
        .map(|w| w["state"].as_str().expect("state"))
        .collect();
    assert_eq!(states, ["active", "active", "expired"]);
    assert_eq!(report["summary"]["waived"], 2);

    let csv = std::fs::read_to_string(dir.path().join("out/trailwarden.csv")).expect("csv");
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let headers = rows.headers().expect("headers").clone();
    assert!(headers.iter().any(|h| h == "controls"));
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("row")).collect();
    assert_eq!(
        records.len(),
        report["findings"].as_array().expect("findings").len(),
        "one row per finding"
    );
    let controls = headers
        .iter()
        .position(|h| h == "controls")
        .expect("column");
    assert!(records
        .iter()
        .any(|r| r[controls].contains("cis-aws-5.0:3.2")));

    let markdown = std::fs::read_to_string(dir.path().join("out/trailwarden.md")).expect("md");
    assert!(markdown.contains("**1 new**") && markdown.contains("**1 fixed**"));
    assert!(
        !markdown.contains("acme-dev-trail |"),
        "waived findings are not in the failures table"
    );
    assert!(markdown.contains("**expired** on 2026-01-31"));
}

fn node_tools() -> PathBuf {
    let dir = repository().join("tests/support/node/node_modules");
    assert!(
        dir.join("playwright-core").is_dir()
            && dir.join("@microsoft/sarif-multitool-linux").is_dir(),
        "the report test tools are missing: run scripts/test (it runs `npm ci` in tests/support/node)"
    );
    dir
}

fn python() -> PathBuf {
    std::env::var_os("TRAILWARDEN_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repository().join(".venv/bin/python"))
}

/// Runs the SARIF validators on a file: (passed, output).
pub fn validate_sarif(path: &Path) -> (bool, String) {
    let tool = node_tools().join("@microsoft/sarif-multitool-linux");
    let output = std::process::Command::new(python())
        .arg(repository().join("tests/support/validate_sarif.py"))
        .arg(path)
        .arg(&tool)
        .output()
        .expect("python runs (scripts/test installs .venv)");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

#[test]
fn sarif_passes_the_schema_and_microsofts_validator() {
    let dir = workspace();
    let (code, _, stderr) = run_in(
        dir.path(),
        &[
            "demo",
            "--baseline",
            "baseline.json",
            "--format",
            "sarif,json",
            "--output-dir",
            "out",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let sarif_path = dir.path().join("out/trailwarden.sarif");
    let (valid, output) = validate_sarif(&sarif_path);
    assert!(valid, "the SARIF is invalid:\n{output}");

    let sarif = read_json(&sarif_path);
    let report = read_json(&dir.path().join("out/trailwarden.json"));
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(
        rules.len(),
        report["rules"].as_array().expect("rules").len(),
        "one reportingDescriptor per rule"
    );
    assert!(rules.iter().all(|r| r["helpUri"]
        .as_str()
        .is_some_and(|u| u.ends_with(&format!("/docs/rules/{}.md", r["id"].as_str().unwrap())))));
    let results = run["results"].as_array().expect("results");
    let failing = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["status"] == "FAIL" || f["status"] == "ERROR")
        .count();
    assert_eq!(
        results.len(),
        failing,
        "a result per FAIL and ERROR finding"
    );
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(
            result["partialFingerprints"]["trailwarden/v1"]
                .as_str()
                .map(str::len),
            Some(64)
        );
        let logical = result["locations"][0]["logicalLocations"]
            .as_array()
            .expect("logical locations");
        assert_eq!(
            logical[2]["fullyQualifiedName"],
            result["properties"]["resource"]
        );
    }
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 2, "the two waivers in force");
    assert!(suppressed
        .iter()
        .all(|r| r["suppressions"][0]["status"] == "accepted"));
    assert!(results.iter().any(|r| r["baselineState"] == "new"));
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert!(notes.iter().any(|n| n["message"]["text"]
        .as_str()
        .unwrap_or("")
        .contains("expired")));

    // Fingerprints are stable: a second run gives the same ones.
    let (code, again, _) = run_in(dir.path(), &["demo", "--format", "sarif"]);
    assert_eq!(code, 0);
    let again: Value = serde_json::from_str(&again).expect("SARIF");
    let prints = |log: &Value| -> Vec<Value> {
        log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    assert_eq!(prints(&sarif), prints(&again));

    // The validators can fail: a level outside the schema's enum is caught.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    let broken_path = dir.path().join("broken.sarif");
    std::fs::write(&broken_path, serde_json::to_string(&broken).expect("JSON")).expect("write");
    let (valid, output) = validate_sarif(&broken_path);
    assert!(!valid && output.contains("fatal"), "{output}");
}

#[test]
fn html_report_works_in_a_real_browser() {
    let tools = node_tools();
    let dir = workspace();
    let (code, _, stderr) = run_in(
        dir.path(),
        &["demo", "--format", "html,json", "--output-dir", "out"],
    );
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(dir.path().join("out/trailwarden.html")).expect("html");
    for external in ["src=\"http", "href=\"//", "<link", "@import", "url("] {
        assert!(!html.contains(external), "self-contained: found {external}");
    }
    let report = read_json(&dir.path().join("out/trailwarden.json"));
    let findings = report["findings"].as_array().expect("findings");
    let waived = |f: &&Value| f["waiver"]["expired"] == false;
    let attention: Vec<&Value> = findings
        .iter()
        .filter(|f| (f["status"] == "FAIL" || f["status"] == "ERROR") && !waived(f))
        .collect();
    let mut severity = serde_json::Map::new();
    for level in ["critical", "high", "medium", "low", "info"] {
        let count = findings.iter().filter(|f| f["severity"] == level).count();
        severity.insert(level.into(), count.into());
    }
    let account = "333333333333";
    let frameworks = {
        let output = trailwarden_in(dir.path())
            .args(["frameworks", "list", "--format", "json"])
            .output()
            .expect("runs");
        serde_json::from_slice::<Value>(&output.stdout)
            .expect("JSON")
            .as_array()
            .expect("frameworks")
            .len()
    };
    let expected = serde_json::json!({
        "all": findings.len(),
        "attention": attention.len(),
        "pass": findings.iter().filter(|f| f["status"] == "PASS").count(),
        "severity": severity,
        "account": {"id": account, "attention": attention.iter().filter(|f| f["account"] == account).count()},
        "text": "TW201",
        "frameworks": frameworks,
    });
    let expected_path = dir.path().join("expected.json");
    std::fs::write(&expected_path, expected.to_string()).expect("expected");
    let screenshots = repository().join("target/test-output");
    std::fs::create_dir_all(&screenshots).expect("screenshot dir");
    let screenshot = screenshots.join("html-report.png");
    let _ = std::fs::remove_file(&screenshot);
    let output = std::process::Command::new("node")
        .current_dir(tools.parent().expect("node dir"))
        .arg("html_report_check.mjs")
        .arg(dir.path().join("out/trailwarden.html"))
        .arg(&screenshot)
        .arg(&expected_path)
        .output()
        .expect("node runs (scripts/test installs chromium and tests/support/node)");
    let log = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "browser check failed:\n{log}");
    let png = std::fs::read(&screenshot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real screenshot"
    );
    eprintln!("HTML report screenshot: {}", screenshot.display());
}

#[test]
fn junit_has_a_suite_per_rule_and_a_case_per_resource() {
    let dir = workspace();
    let (code, _, stderr) = run_in(
        dir.path(),
        &["demo", "--format", "junit,json", "--output-dir", "out"],
    );
    assert_eq!(code, 0, "{stderr}");
    let xml = std::fs::read_to_string(dir.path().join("out/trailwarden.junit.xml")).expect("xml");
    let junit = quick_junit::Report::deserialize_from_str(&xml).expect("well-formed JUnit XML");
    let report = read_json(&dir.path().join("out/trailwarden.json"));
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(
        junit.test_suites.len(),
        report["rules"].as_array().expect("rules").len()
    );
    let cases: Vec<&quick_junit::TestCase> = junit
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .collect();
    assert_eq!(cases.len(), findings.len(), "a test case per finding");
    let count = |wanted: fn(&quick_junit::TestCaseStatus) -> bool| {
        cases.iter().filter(|c| wanted(&c.status)).count()
    };
    let in_force = |f: &&Value| f["waiver"]["expired"] == false;
    let fails = findings
        .iter()
        .filter(|f| f["status"] == "FAIL" && !in_force(f))
        .count();
    let errors = findings
        .iter()
        .filter(|f| f["status"] == "ERROR" && !in_force(f))
        .count();
    let skipped = findings
        .iter()
        .filter(|f| in_force(f) || f["status"] == "NOT_APPLICABLE")
        .count();
    use quick_junit::{NonSuccessKind, TestCaseStatus};
    assert_eq!(
        count(|s| matches!(
            s,
            TestCaseStatus::NonSuccess {
                kind: NonSuccessKind::Failure,
                ..
            }
        )),
        fails
    );
    assert_eq!(
        count(|s| matches!(
            s,
            TestCaseStatus::NonSuccess {
                kind: NonSuccessKind::Error,
                ..
            }
        )),
        errors
    );
    assert_eq!(
        count(|s| matches!(s, TestCaseStatus::Skipped { .. })),
        skipped
    );
    assert_eq!(skipped, 2, "the two waived findings are skipped");
    let waived = cases
        .iter()
        .find(|c| {
            c.name.as_str().starts_with("arn:aws:s3:::acme-dev-trail")
                && c.classname
                    .as_ref()
                    .is_some_and(|n| n.as_str() == "trailwarden.TW205")
        })
        .expect("the waived case");
    match &waived.status {
        TestCaseStatus::Skipped { message, .. } => assert!(message
            .as_ref()
            .is_some_and(|m| m.as_str().contains("tracked in SEC-42"))),
        other => panic!("waived → skipped, got {other:?}"),
    }
    let failure = cases
        .iter()
        .find_map(|c| match &c.status {
            TestCaseStatus::NonSuccess {
                kind: NonSuccessKind::Failure,
                description,
                ..
            } => description.clone(),
            _ => None,
        })
        .expect("a failure");
    assert!(failure.as_str().contains("Remediation:"), "{failure:?}");
}

#[test]
fn config_file_selects_rules_and_sets_parameters() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("trailwarden.toml"),
        "[rules]\nframeworks = [\"cis-aws-1.2\"]\nexclude = [\"TW205\", \"log-file-validation\"]\nmin_severity = \"medium\"\n\n[parameters.TW502]\nmin_log_group_retention_days = 9999\n\n[gate]\nfail_on = \"critical\"\n",
    )
    .expect("config");
    let (code, stdout, stderr) = run_in(dir.path(), &["demo", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    let rules: Vec<&str> = report["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r.as_str().expect("code"))
        .collect();
    assert!(rules.contains(&"TW101") && rules.contains(&"TW201"));
    assert!(!rules.contains(&"TW102"), "excluded by name: {rules:?}");
    assert!(!rules.contains(&"TW117"), "not in CIS 1.2");
    assert!(!rules.contains(&"TW502"), "low, below min_severity");
    assert_eq!(report["config"], "trailwarden.toml");

    // The gate default from the file: only critical FAILs fail `evaluate` (exit 3 here: the
    // public bucket), and the command line still wins.
    let demo = repository().join("fixtures/demo/organization.json");
    let demo = demo.to_str().expect("path");
    let (code, _, stderr) = run_in(dir.path(), &["evaluate", demo, "--allow-incomplete"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("at or above severity critical"), "{stderr}");
    let (code, _, _) = run_in(
        dir.path(),
        &["evaluate", demo, "--fail-on", "none", "--allow-incomplete"],
    );
    assert_eq!(code, 0);

    // --no-config ignores the file; --config names another.
    let (_, stdout, _) = run_in(dir.path(), &["demo", "--no-config", "--format", "json"]);
    let all: Value = serde_json::from_str(&stdout).expect("JSON");
    assert!(all["rules"].as_array().expect("rules").len() > rules.len());
    assert!(all.get("config").is_none());
    std::fs::write(
        dir.path().join("other.toml"),
        "[parameters.TW502]\nmin_log_group_retention_days = 1\n",
    )
    .expect("config");
    let (code, stdout, _) = run_in(
        dir.path(),
        &[
            "demo",
            "--config",
            "other.toml",
            "--rules",
            "TW502",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let lenient: Value = serde_json::from_str(&stdout).expect("JSON");
    let (_, stdout, _) = run_in(
        dir.path(),
        &[
            "demo",
            "--no-config",
            "--rules",
            "TW502",
            "--format",
            "json",
        ],
    );
    let default: Value = serde_json::from_str(&stdout).expect("JSON");
    assert!(
        lenient["summary"]["pass"].as_u64() > default["summary"]["pass"].as_u64(),
        "min_retention_days = 1 passes more log groups"
    );
}

#[test]
fn config_mistakes_are_one_line_errors_naming_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (text, needle) in [
        (
            "[rules]\ninclude = [\"TW101\"]\nfail_on = \"high\"\n",
            "trailwarden.toml:3: unknown field `fail_on`",
        ),
        (
            "\n[severity]\nTW999 = \"high\"\n",
            "trailwarden.toml:3: unknown rule `TW999`",
        ),
        (
            "[[waivers]]\nrule = \"TW205\"\nresource = \"*\"\nexpires = 2027-01-01\n",
            "trailwarden.toml:1: missing field `reason`",
        ),
    ] {
        std::fs::write(dir.path().join("trailwarden.toml"), text).expect("config");
        let (code, stdout, stderr) = run_in(dir.path(), &["demo"]);
        assert_eq!(code, 2, "{text:?}: {stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(needle), "{text:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    }
    let (code, _, stderr) = run_in(dir.path(), &["demo", "--config", "missing.toml"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("missing.toml: cannot read the configuration"),
        "{stderr}"
    );
}

#[test]
fn waivers_release_the_gate_until_they_expire() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = repository().join("fixtures/rules/TW102-log-file-validation/fail.json");
    let fixture = fixture.to_str().expect("path");
    let (code, _, _) = run_in(dir.path(), &["evaluate", fixture, "--rules", "TW102"]);
    assert_eq!(code, 3, "the unwaived FAIL breaks the gate");
    let waiver = |expires: &str| {
        format!("[[waivers]]\nrule = \"TW102\"\nresource = \"*\"\nreason = \"accepted for the test\"\nexpires = {expires}\n")
    };
    std::fs::write(dir.path().join("trailwarden.toml"), waiver("2099-12-31")).expect("config");
    let (code, stdout, stderr) = run_in(
        dir.path(),
        &["evaluate", fixture, "--rules", "TW102", "--format", "json"],
    );
    assert_eq!(code, 0, "waived: {stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    assert!(report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["status"] == "FAIL" && f["waiver"]["reason"] == "accepted for the test"));
    std::fs::write(dir.path().join("trailwarden.toml"), waiver("2001-01-01")).expect("config");
    let (code, _, stderr) = run_in(dir.path(), &["evaluate", fixture, "--rules", "TW102"]);
    assert_eq!(code, 3, "an expired waiver no longer applies");
    assert!(
        stderr.contains("trailwarden.toml:1 for TW102 on `*` expired on 2001-01-01"),
        "{stderr}"
    );
}

#[test]
fn baseline_gates_only_on_new_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = |name: &str| {
        repository()
            .join("fixtures/rules/TW102-log-file-validation")
            .join(name)
            .to_str()
            .expect("path")
            .to_owned()
    };
    let (fail, pass) = (fixture("fail.json"), fixture("pass.json"));
    // Evaluates TW102 over `inventory`, against `baseline` when given, with `extra` flags.
    let evaluate = |inventory: &str, baseline: Option<&str>, extra: &[&str]| {
        let mut args = vec!["evaluate", inventory, "--rules", "TW102"];
        if let Some(baseline) = baseline {
            args.extend(["--baseline", baseline]);
        }
        args.extend(extra);
        run_in(dir.path(), &args)
    };
    let json = |text: &str| -> Value { serde_json::from_str(text).expect("JSON") };
    let (_, previous, _) = evaluate(&fail, None, &["--format", "json"]);
    std::fs::write(dir.path().join("previous.json"), previous).expect("baseline");
    let (_, clean, _) = evaluate(&pass, None, &["--format", "json"]);
    std::fs::write(dir.path().join("clean.json"), clean).expect("baseline");

    // Same failures as the baseline: --fail-on-new passes, a plain gate does not.
    let (code, stdout, stderr) = evaluate(
        &fail,
        Some("previous.json"),
        &["--fail-on-new", "--format", "json"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(json(&stdout)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .all(|f| f["baseline"] == "unchanged"));
    assert_eq!(evaluate(&fail, Some("previous.json"), &[]).0, 3);
    // Fixed: the passing inventory against the failing baseline.
    let (code, stdout, _) = evaluate(
        &pass,
        Some("previous.json"),
        &["--fail-on-new", "--format", "json"],
    );
    assert_eq!(code, 0);
    assert!(!json(&stdout)["baseline"]["fixed"]
        .as_array()
        .expect("fixed")
        .is_empty());
    // New: the failing inventory against the passing baseline.
    let (code, _, stderr) = evaluate(&fail, Some("clean.json"), &["--fail-on-new"]);
    assert_eq!(code, 3);
    assert!(stderr.contains("new failing finding"), "{stderr}");
    // Bad baselines and a missing --baseline are usage errors.
    std::fs::write(dir.path().join("not-a-report.json"), "{\"findings\": 3}").expect("file");
    let (code, _, stderr) = evaluate(&fail, Some("not-a-report.json"), &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("baseline not-a-report.json: not a trailwarden JSON report"),
        "{stderr}"
    );
    assert_eq!(evaluate(&fail, None, &["--fail-on-new"]).0, 2);
}

#[test]
fn formats_go_to_one_file_each_or_one_stream() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stdout, stderr) = run_in(dir.path(), &["demo", "--format", "json,csv"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("need --output-dir"), "{stderr}");
    let (code, _, stderr) = run_in(
        dir.path(),
        &[
            "demo",
            "--format",
            "json",
            "--output",
            "a.json",
            "--output-dir",
            "x",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    std::fs::write(dir.path().join("file"), "").expect("file");
    let (code, _, stderr) = run_in(
        dir.path(),
        &["demo", "--format", "json,csv", "--output-dir", "file"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("not a directory"), "{stderr}");

    let (code, _, stderr) = run_in(
        dir.path(),
        &[
            "demo",
            "--format",
            "sarif,markdown,csv",
            "--output-dir",
            "reports/today",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("reports/today"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["trailwarden.csv", "trailwarden.md", "trailwarden.sarif"],
        "one file per format, no temporary file left"
    );
    let (code, stdout, _) = run_in(dir.path(), &["demo", "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("## trailwarden"));
}
