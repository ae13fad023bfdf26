//! `trailwarden plan` over real Terraform output (tests/data/terraform: Terraform 1.11.4, AWS
//! provider 5.100.0): every workspace's verdicts as tests/data/terraform-expect.toml derives
//! them; change plans that fail only on what they break; hand-edited variants for every
//! unknown and missing path; hostile plans; SARIF that points at `.tf` lines.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/terraform")
}

fn workspace(name: &str) -> PathBuf {
    data().join(name)
}

/// Runs `trailwarden ARGS` with no configuration file around: (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = Command::cargo_bin("trailwarden")
        .expect("binary")
        .current_dir(dir.path())
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The JSON report of `plan FILE EXTRA…`, the gate off.
fn report(file: &Path, extra: &[&str]) -> Value {
    let file = file.to_string_lossy();
    let mut args = vec![
        "plan",
        file.as_ref(),
        "--format",
        "json",
        "--fail-on",
        "none",
        "--allow-incomplete",
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("a JSON report")
}

fn findings<'a>(report: &'a Value, rule: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(move |f| f["rule"] == rule)
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Expected {
    Status(String),
    WithMessage { status: String, message: String },
}

#[test]
fn every_workspace_gives_the_verdicts_its_configuration_calls_for() {
    let text = std::fs::read_to_string(data().join("../terraform-expect.toml")).expect("expect");
    let expectations: BTreeMap<String, BTreeMap<String, Expected>> =
        toml::from_str(&text).expect("expectations parse");
    assert_eq!(expectations.len(), 14, "every workspace has expectations");
    let mut checked = 0;
    for (name, expected) in &expectations {
        let dir = workspace(name);
        // 02 has no data source at all: the account comes from the command line.
        let account: &[&str] = if name.starts_with("02") {
            &["--account-id", "123456789012"]
        } else {
            &[]
        };
        let report = report(&dir.join("plan.json"), account);
        let all = report["findings"].as_array().expect("findings");
        for finding in all {
            // Unknown is never PASS: a message about an unknown value never comes with PASS.
            let message = finding["message"].as_str().unwrap_or_default();
            if message.contains("known only after apply") || message.contains("not in the plan") {
                assert_ne!(finding["status"], "PASS", "{name}: {finding}");
            }
        }
        for (key, expectation) in expected {
            let (rule, resource) = key.split_once(' ').expect("RULE RESOURCE");
            let finding = all
                .iter()
                .find(|f| f["rule"] == rule && f["resource"] == resource)
                .unwrap_or_else(|| panic!("{name}: no {rule} finding on {resource}"));
            let (status, fragment) = match expectation {
                Expected::Status(status) => (status, None),
                Expected::WithMessage { status, message } => (status, Some(message)),
            };
            assert_eq!(
                finding["status"],
                status.as_str(),
                "{name} {key}: {finding}"
            );
            if let Some(fragment) = fragment {
                assert!(
                    finding["message"]
                        .as_str()
                        .is_some_and(|m| m.contains(fragment.as_str())),
                    "{name} {key}: message lacks `{fragment}`: {}",
                    finding["message"]
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 300, "{checked} verdicts checked");
}

#[test]
fn findings_name_the_terraform_address() {
    let report = report(&workspace("05_modules_for_each").join("plan.json"), &[]);
    let staging = findings(&report, "TW102")
        .find(|f| f["status"] == "FAIL")
        .expect("staging's trail fails TW102");
    assert_eq!(
        staging["location"]["address"],
        "module.trail[\"staging\"].aws_cloudtrail.this[0]"
    );
    // A bucket named by prefix is unknown until apply: the address is its name.
    assert!(findings(&report, "TW201")
        .any(|f| f["resource"] == "arn:aws:s3:::module.trail[\"prod\"].aws_s3_bucket.logs"));
    // The key of a nested module, through two module outputs and an input.
    assert!(findings(&report, "TW402").any(|f| f["status"] == "PASS"
        && f["location"]["address"] == "module.trail[\"prod\"].module.key[0].aws_kms_key.this"));
}

#[test]
fn sarif_of_a_plan_points_at_the_tf_line_and_validates() {
    let dir = workspace("05_modules_for_each");
    let out = tempfile::tempdir().expect("temp dir");
    let sarif = out.path().join("plan.sarif");
    let plan = dir.join("plan.json");
    let (code, _, stderr) = run(&[
        "plan",
        plan.to_str().expect("path"),
        "--tf-dir",
        dir.to_str().expect("path"),
        "--format",
        "sarif",
        "--output",
        sarif.to_str().expect("path"),
        "--allow-incomplete",
    ]);
    assert_eq!(code, 3, "FAILs break the gate: {stderr}");
    let log: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("sarif")).expect("json");
    let result = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| {
            r["ruleId"] == "TW102"
                && r["locations"][0]["logicalLocations"]
                    .as_array()
                    .is_some_and(|l| {
                        l.iter()
                            .any(|x| x["name"].as_str().is_some_and(|n| n.contains("staging")))
                    })
        })
        .expect("TW102 result for staging");
    let physical = &result["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "modules/trail/main.tf");
    let line = physical["region"]["startLine"].as_u64().expect("line") as usize;
    let source = std::fs::read_to_string(dir.join("modules/trail/main.tf")).expect("tf");
    assert_eq!(
        source.lines().nth(line - 1).map(str::trim),
        Some("resource \"aws_cloudtrail\" \"this\" {"),
        "the line is the resource block"
    );
    let (valid, output) = super::reports::validate_sarif(&sarif);
    assert!(valid, "{output}");
}

#[test]
fn a_change_plan_fails_on_what_it_breaks_and_not_on_what_was_broken() {
    // 10: the change turns log file validation off (and shortens an expiration that was
    // already too short).
    let change = workspace("10_apply_change_weaken_trail").join("change-plan.json");
    let change = change.to_str().expect("path");
    let (code, stdout, stderr) = run(&[
        "plan",
        change,
        "--fail-on-new",
        "--allow-incomplete",
        "--format",
        "json",
    ]);
    assert_eq!(code, 3, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("json");
    let tw102 = findings(&report, "TW102").next().expect("TW102");
    assert_eq!(
        (&tw102["status"], &tw102["baseline"]),
        (&"FAIL".into(), &"new".into())
    );
    // Failures the state already had are unchanged, and gate nothing with --fail-on-new.
    let tw501 = findings(&report, "TW501").next().expect("TW501");
    assert_eq!(
        (&tw501["status"], &tw501["baseline"]),
        (&"FAIL".into(), &"unchanged".into())
    );
    let (code, _, stderr) = run(&[
        "plan",
        change,
        "--fail-on-new",
        "--allow-incomplete",
        "--rules",
        "TW203,TW206,TW501",
    ]);
    assert_eq!(
        code, 0,
        "unrelated failures do not break the gate: {stderr}"
    );
    // Without --fail-on-new the same plan fails on them too.
    let (code, _, _) = run(&[
        "plan",
        change,
        "--allow-incomplete",
        "--rules",
        "TW203,TW206,TW501",
    ]);
    assert_eq!(code, 3);

    // 11: the change destroys the trail.
    let destroy = workspace("11_apply_change_destroy_trail").join("change-plan.json");
    let (code, stdout, stderr) = run(&[
        "plan",
        destroy.to_str().expect("path"),
        "--fail-on-new",
        "--allow-incomplete",
        "--format",
        "json",
    ]);
    assert_eq!(code, 3, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("json");
    let tw101 = findings(&report, "TW101").next().expect("TW101");
    assert_eq!(
        (&tw101["status"], &tw101["baseline"]),
        (&"FAIL".into(), &"new".into())
    );
    assert!(report.to_string().contains("the plan's prior state"));
}

#[test]
fn a_state_is_judged_like_a_plan() {
    let state = workspace("10_apply_change_weaken_trail").join("state.json");
    let applied = report(&state, &[]);
    let tw102 = findings(&applied, "TW102").next().expect("TW102");
    assert_eq!(
        tw102["status"], "PASS",
        "the applied trail validates its logs"
    );
    // The state knows the trail's real ARN.
    assert_eq!(
        tw102["resource"],
        "arn:aws:cloudtrail:us-east-1:123456789012:trail/tw-applied-trail"
    );
    // 11 before its trail is destroyed: a multi-region logging trail, a log group keeping
    // 180 days.
    let state = workspace("11_apply_change_destroy_trail").join("state.json");
    let before = report(&state, &[]);
    let verdict = |rule: &str| {
        findings(&before, rule)
            .next()
            .map(|f| f["status"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(verdict("TW101").as_deref(), Some("PASS"));
    assert_eq!(verdict("TW112").as_deref(), Some("PASS"));
    assert_eq!(verdict("TW502").as_deref(), Some("FAIL"));
}

/// `plan` over `text` written to a file: (exit code, stdout, stderr).
fn plan_text(text: &str, extra: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("plan.json");
    std::fs::write(&file, text).expect("write");
    let file = file.to_string_lossy().into_owned();
    let mut args = vec!["plan", file.as_str()];
    args.extend_from_slice(extra);
    run(&args)
}

/// The JSON report of `plan` over `text`, the gate off.
fn judged(text: &str, extra: &[&str]) -> Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("plan.json");
    std::fs::write(&file, text).expect("write");
    report(&file, extra)
}

fn edited(name: &str, edit: impl FnOnce(&mut Value)) -> String {
    let text = std::fs::read_to_string(workspace(name).join("plan.json")).expect("plan");
    let mut plan: Value = serde_json::from_str(&text).expect("json");
    edit(&mut plan);
    plan.to_string()
}

#[test]
fn what_is_not_a_usable_plan_is_refused_in_one_line() {
    let clean =
        std::fs::read_to_string(workspace("01_clean_baseline").join("plan.json")).expect("plan");
    let cases: Vec<(String, &str)> = vec![
        (
            "{\"format_version\": \"1.2\", \"planned_val".to_owned(),
            "not JSON",
        ),
        (clean[..clean.len() / 2].to_owned(), "not JSON"),
        ("[1, 2, 3]".to_owned(), "not a JSON object"),
        ("{\"accounts\": []}".to_owned(), "format_version"),
        (
            clean.replacen(
                "\"format_version\":\"1.2\"",
                "\"format_version\":\"2.0\"",
                1,
            ),
            "format_version 2.0 is not supported",
        ),
        (
            "{\"format_version\":\"1.2\",\"planned_values\":{\"root_module\":{}}}".to_owned(),
            "no AWS resources",
        ),
        (
            edited("01_clean_baseline", |p| {
                p["planned_values"]["root_module"]["resources"] = "many".into()
            }),
            "is not a list",
        ),
        (
            edited("01_clean_baseline", |p| {
                p["planned_values"]["root_module"]["resources"][0] = Value::from(7)
            }),
            "is missing or not a string",
        ),
        (
            edited("01_clean_baseline", |p| p["errored"] = true.into()),
            "the plan errored",
        ),
        (
            edited("01_clean_baseline", |p| {
                p["configuration"]["provider_config"]["aws"]["expressions"]["region"]
                    ["constant_value"] = "the moon".into()
            }),
            "not a region name",
        ),
    ];
    for (text, expected) in cases {
        let (code, stdout, stderr) = plan_text(&text, &[]);
        assert_eq!(code, 2, "{expected}: {stderr}");
        assert!(stdout.is_empty(), "no report: {stdout}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains(expected), "`{expected}` in: {stderr}");
        assert!(!stderr.contains("panicked"));
    }
    // 02 names no account: it must be given.
    let plan = workspace("02_classic_mistakes").join("plan.json");
    let (code, _, stderr) = run(&["plan", plan.to_str().expect("path")]);
    assert_eq!(code, 2);
    assert!(stderr.contains("give --account-id"), "{stderr}");
    let (code, _, stderr) = run(&["plan", "/nonexistent/plan.json"]);
    assert_eq!((code, stderr.lines().count()), (2, 1), "{stderr}");
}

#[test]
fn values_known_only_after_apply_are_errors_naming_the_attribute() {
    // The trail's bucket given by a reference that leads nowhere: the bucket is unknown.
    let text = edited("01_clean_baseline", |p| {
        for block in p["configuration"]["root_module"]["resources"]
            .as_array_mut()
            .expect("blocks")
        {
            if block["type"] == "aws_cloudtrail" {
                block["expressions"]["s3_bucket_name"]["references"] =
                    serde_json::json!(["local.somewhere_else"]);
            }
        }
    });
    let report = judged(&text, &[]);
    let tw201: Vec<&Value> = findings(&report, "TW201").collect();
    assert!(
        tw201.iter().any(|f| f["status"] == "ERROR"
            && f["message"].as_str().is_some_and(
                |m| m.contains("`aws_cloudtrail.main.s3_bucket_name` (known only after apply)")
            )),
        "{tw201:?}"
    );
    // A trail setting known only after apply: the rules that need it are ERROR, never PASS.
    let text = edited("01_clean_baseline", |p| {
        for resource in p["planned_values"]["root_module"]["resources"]
            .as_array_mut()
            .expect("resources")
        {
            if resource["type"] == "aws_cloudtrail" {
                resource["values"]
                    .as_object_mut()
                    .expect("values")
                    .remove("include_global_service_events");
            }
        }
        for change in p["resource_changes"].as_array_mut().expect("changes") {
            if change["type"] == "aws_cloudtrail" {
                change["change"]["after_unknown"]["include_global_service_events"] = true.into();
            }
        }
    });
    let report = judged(&text, &[]);
    for rule in ["TW101", "TW103", "TW116"] {
        let finding = findings(&report, rule).next().expect("finding");
        assert_eq!(finding["status"], "ERROR", "{finding}");
        assert!(
            finding["message"].as_str().is_some_and(|m| m.contains(
                "`aws_cloudtrail.main.include_global_service_events` is known only after apply"
            )),
            "{finding}"
        );
    }
    // An alarm topic whose only subscriber is an email address: confirmed only after apply.
    let text = edited("04_cis_monitoring", |p| {
        let resources = p["planned_values"]["root_module"]["resources"]
            .as_array_mut()
            .expect("resources");
        resources.retain(|r| r["address"] != "aws_sns_topic_subscription.sqs");
    });
    let report = judged(&text, &["--rules", "TW801"]);
    let tw801 = findings(&report, "TW801").next().expect("TW801");
    assert_eq!(tw801["status"], "ERROR", "{tw801}");
    assert!(
        tw801["message"]
            .as_str()
            .is_some_and(|m| m.contains("aws_sns_topic_subscription.email (email)")
                && m.contains("known only after apply")),
        "{tw801}"
    );
}

#[test]
fn hostile_plans_end_in_an_answer_never_a_panic() {
    // A module output that refers to itself, and one that refers to the other in a circle.
    let text = edited("05_modules_for_each", |p| {
        let outputs =
            &mut p["configuration"]["root_module"]["module_calls"]["trail"]["module"]["outputs"];
        outputs["bucket"]["expression"]["references"] = serde_json::json!(["module.trail.bucket"]);
        let calls = &mut p["configuration"]["root_module"]["module_calls"]["trail"]["module"]
            ["module_calls"];
        if let Some(key) = calls.get_mut("key") {
            key["module"]["outputs"]["arn"]["expression"]["references"] =
                serde_json::json!(["module.key[0].arn", "var.kms"]);
        }
    });
    let report = judged(&text, &[]);
    assert!(findings(&report, "TW101").next().is_some(), "an answer");
    // A policy that is not JSON, and wrong types where objects belong.
    let text = edited("01_clean_baseline", |p| {
        for resource in p["planned_values"]["root_module"]["resources"]
            .as_array_mut()
            .expect("resources")
        {
            if resource["type"] == "aws_s3_bucket_policy" {
                resource["values"]["policy"] = "{\"Statement\": [".into();
            }
            if resource["type"] == "aws_cloudtrail" {
                resource["values"]["event_selector"] = "all of them".into();
                resource["values"]["insight_selector"] = Value::from(3);
                resource["values"]["tags"] = serde_json::json!([1, 2]);
            }
        }
    });
    let report = judged(&text, &[]);
    for rule in ["TW207", "TW208"] {
        let finding = findings(&report, rule)
            .find(|f| f["resource"] == "arn:aws:s3:::tw-clean-trail-123456789012")
            .expect("bucket finding");
        assert_ne!(
            finding["status"], "PASS",
            "a policy that is not JSON proves nothing: {finding}"
        );
    }
    // An enormous for_each: 5,000 trails in one module.
    let text = edited("01_clean_baseline", |p| {
        let resources = p["planned_values"]["root_module"]["resources"]
            .as_array_mut()
            .expect("resources");
        let trail = resources
            .iter()
            .find(|r| r["type"] == "aws_cloudtrail")
            .cloned()
            .expect("trail");
        for n in 0..5000 {
            let mut copy = trail.clone();
            copy["address"] = format!("aws_cloudtrail.many[\"t{n}\"]").into();
            copy["name"] = "many".into();
            copy["index"] = format!("t{n}").into();
            copy["values"]["name"] = format!("trail-{n}").into();
            resources.push(copy);
        }
    });
    let report = judged(&text, &["--rules", "TW102"]);
    assert_eq!(findings(&report, "TW102").count(), 5001);
}

#[test]
fn live_reads_exactly_what_the_plan_refers_to_but_does_not_hold() {
    use crate::emulator::{block_on, seed, Moto};
    let moto = Moto::start(&[]);
    // 08's trail writes to a bucket and uses a key that exist already, outside the plan.
    let key = block_on(async {
        let home = moto.config("us-east-1").await;
        seed::bucket(&home, "tw-central-logs-preexisting").await;
        seed::versioning(&home, "tw-central-logs-preexisting").await;
        seed::block_public_access(&home, "tw-central-logs-preexisting").await;
        seed::kms_key(&home, true).await
    });
    // The plan names the key the emulator had when the plan was made: name the seeded one.
    let original =
        std::fs::read_to_string(workspace("08_existing_bucket_data_source").join("plan.json"))
            .expect("plan");
    let text = original.replace(
        "arn:aws:kms:us-east-1:123456789012:key/1e7155b2-5a6d-4e21-b0e9-e3d607310f4a",
        &key,
    );
    assert_ne!(text, original, "the plan names the pre-existing key");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("plan.json");
    std::fs::write(&file, &text).expect("write");
    let file = file.to_str().expect("path");
    let gate_off = [
        "--format",
        "json",
        "--fail-on",
        "none",
        "--allow-incomplete",
    ];

    let mut args = vec!["plan", file];
    args.extend_from_slice(&gate_off);
    let (code, stdout, stderr) = moto.run(&args);
    assert_eq!(code, 0, "{stderr}");
    let offline: Value = serde_json::from_str(&stdout).expect("json");
    let bucket = "arn:aws:s3:::tw-central-logs-preexisting";
    let status = |report: &Value, rule: &str, resource: &str| {
        findings(report, rule)
            .find(|f| f["resource"] == resource)
            .map(|f| {
                (
                    f["status"].as_str().unwrap_or_default().to_owned(),
                    f["message"].to_string(),
                )
            })
            .unwrap_or_else(|| panic!("no {rule} on {resource}"))
    };
    assert_eq!(status(&offline, "TW204", bucket).0, "ERROR");
    assert_eq!(status(&offline, "TW402", &key).0, "ERROR");

    moto.clear_requests();
    let mut args = vec!["plan", file, "--live"];
    args.extend_from_slice(&gate_off);
    let (code, stdout, stderr) = moto.run(&args);
    assert_eq!(code, 0, "{stderr}");
    let live: Value = serde_json::from_str(&stdout).expect("json");
    // Plan and live together: the bucket's versioning and the key's rotation are known now.
    assert_eq!(
        status(&live, "TW204", bucket).0,
        "PASS",
        "{:?}",
        status(&live, "TW204", bucket)
    );
    assert_eq!(
        status(&live, "TW402", &key).0,
        "PASS",
        "{:?}",
        status(&live, "TW402", &key)
    );
    assert_eq!(
        status(
            &live,
            "TW401",
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/tw-workload-trail"
        )
        .0,
        "PASS"
    );
    assert!(
        !live.to_string().contains("is not in the plan"),
        "nothing left unread"
    );
    // Exactly those: the caller's identity and regions, the bucket, the key, the account's
    // Block Public Access; no trail, log group or organization was listed.
    let requests = moto.requests();
    let actions: std::collections::BTreeSet<String> = requests
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r["service"].as_str().unwrap_or_default(),
                r["action"].as_str().unwrap_or_default()
            )
        })
        .collect();
    for request in &requests {
        let service = request["service"].as_str().unwrap_or_default();
        let action = request["action"].as_str().unwrap_or_default();
        assert!(
            !matches!(service, "cloudtrail" | "logs" | "organizations" | "config"),
            "not asked for: {request}"
        );
        let read = if service == "s3" {
            matches!(request["method"].as_str(), Some("GET" | "HEAD"))
        } else {
            ["Describe", "Get", "List"]
                .iter()
                .any(|p| action.starts_with(p))
        };
        assert!(read, "a request that is not a read: {request}");
    }
    assert!(actions.iter().any(|a| a.starts_with("kms:")), "{actions:?}");
    assert!(actions.iter().any(|a| a.starts_with("s3:")), "{actions:?}");
}
