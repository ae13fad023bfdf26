//! Hostile and malformed AWS data: policies in every shape IAM accepts and many it does not
//! (fixtures/hostile/policies.toml), selectors with fields nobody knows, names in any script,
//! timestamps that are empty strings, and lists far longer than AWS allows. Everything
//! evaluates without a panic; nothing unknown becomes PASS.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use trailwarden::engine::{evaluate, Catalog, Evaluation, Selection};
use trailwarden::inventory::Inventory;
use trailwarden::rule::Status;

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The PASS inventory of a rule's fixtures, as JSON to edit.
fn pass_fixture(rule_directory: &str) -> Value {
    let path: PathBuf = repository()
        .join("fixtures/rules")
        .join(rule_directory)
        .join("pass.json");
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("JSON")
}

/// Every rule over an edited inventory.
fn evaluate_value(inventory: &Value) -> Evaluation {
    let inventory = Inventory::from_json(&inventory.to_string(), "hostile fixture")
        .unwrap_or_else(|e| panic!("the hostile inventory loads: {e}"));
    let catalog = Catalog::builtin().expect("catalog");
    evaluate(
        &inventory,
        &catalog,
        &Selection::all(),
        &[],
        inventory.collected_at,
    )
    .expect("every rule runs")
}

/// The statements of a policy document, each as JSON text.
fn statements(policy: &str) -> Vec<String> {
    let document: Value = serde_json::from_str(policy).expect("fixture policy");
    document["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .map(Value::to_string)
        .collect()
}

#[derive(serde::Deserialize)]
struct Cases {
    bucket: Vec<Case>,
    key: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    document: String,
    expect: BTreeMap<String, String>,
}

/// Puts each case's document in place of one policy and checks the named rules' verdicts on
/// that resource. Returns the failures.
fn run_cases(
    cases: &[Case],
    base: &Value,
    resource: &str,
    place: &dyn Fn(&mut Value, &str),
    substitutions: &[(&str, String)],
) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases {
        let mut document = case.document.clone();
        for (name, value) in substitutions {
            document = document.replace(name, value);
        }
        let mut inventory = base.clone();
        place(&mut inventory, &document);
        let evaluation = evaluate_value(&inventory);
        for (rule, expected) in &case.expect {
            let finding = evaluation
                .findings
                .iter()
                .find(|f| &f.rule_code == rule && f.resource == resource);
            let Some(finding) = finding else {
                failures.push(format!("{}: no {rule} finding on {resource}", case.name));
                continue;
            };
            let actual = finding.status.as_str();
            if !expected.split('|').any(|e| e == actual) {
                failures.push(format!(
                    "{}: {rule} is {actual} ({}), expected {expected}",
                    case.name, finding.message
                ));
            }
        }
    }
    failures
}

#[test]
fn hostile_policy_documents_are_judged_by_meaning_or_are_errors() {
    let cases: Cases = toml::from_str(
        &std::fs::read_to_string(repository().join("fixtures/hostile/policies.toml"))
            .expect("fixtures/hostile/policies.toml"),
    )
    .expect("cases");
    let mut failures = Vec::new();

    let buckets = pass_fixture("TW207-log-bucket-policy-scoped");
    let original = buckets["buckets"][0]["policy"]["ok"]
        .as_str()
        .expect("policy")
        .to_owned();
    let parts = statements(&original);
    assert_eq!(parts.len(), 3, "ACL check, write, TLS deny");
    let place_bucket_policy = |inventory: &mut Value, document: &str| {
        assert_eq!(inventory["buckets"][0]["name"], "scoped");
        inventory["buckets"][0]["policy"] = json!({ "ok": document });
    };
    failures.extend(run_cases(
        &cases.bucket,
        &buckets,
        "arn:aws:s3:::scoped",
        &place_bucket_policy,
        &[
            ("$CLOUDTRAIL", format!("{}, {}", parts[0], parts[1])),
            ("$TLS", parts[2].clone()),
            ("$BUCKET", "arn:aws:s3:::scoped".to_owned()),
            (
                "$TRAIL",
                "arn:aws:cloudtrail:us-east-1:111111111111:trail/trail-scoped".to_owned(),
            ),
        ],
    ));

    let keys = pass_fixture("TW403-key-policy-scoped");
    let key_policy = keys["kms_keys"][0]["policy"]["ok"]
        .as_str()
        .expect("key policy")
        .to_owned();
    let place_key_policy = |inventory: &mut Value, document: &str| {
        assert_eq!(
            inventory["kms_keys"][0]["arn"],
            "arn:aws:kms:us-east-1:111111111111:key/context"
        );
        inventory["kms_keys"][0]["policy"] = json!({ "ok": document });
    };
    failures.extend(run_cases(
        &cases.key,
        &keys,
        "arn:aws:kms:us-east-1:111111111111:key/context",
        &place_key_policy,
        &[("$KMS_CLOUDTRAIL", statements(&key_policy).join(", "))],
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_policy_nested_past_any_parser_limit_is_an_error_not_a_crash() {
    let mut buckets = pass_fixture("TW207-log-bucket-policy-scoped");
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    buckets["buckets"][0]["policy"] = json!({ "ok": deep });
    let evaluation = evaluate_value(&buckets);
    for rule in ["TW207", "TW208"] {
        let finding = evaluation
            .findings
            .iter()
            .find(|f| f.rule_code == rule && f.resource == "arn:aws:s3:::scoped")
            .expect("finding");
        assert_eq!(finding.status, Status::Error, "{rule}: {}", finding.message);
    }
}

/// The status of `rule` on `resource`.
fn status_of(evaluation: &Evaluation, rule: &str, resource: &str) -> (Status, String) {
    let finding = evaluation
        .findings
        .iter()
        .find(|f| f.rule_code == rule && f.resource == resource)
        .unwrap_or_else(|| panic!("no {rule} finding on {resource}"));
    (finding.status, finding.message.clone())
}

#[test]
fn selectors_with_fields_nobody_knows_never_count_as_recording_everything() {
    let base = pass_fixture("TW101-multi-region-trail");
    assert_eq!(
        base["trails"][0]["arn"],
        "arn:aws:cloudtrail:us-east-1:111111111111:trail/classic-all"
    );
    let management = json!({"field": "eventCategory", "equals": ["Management"]});
    let cases = [
        (
            "a field from the future narrows the selector",
            json!({"advanced": [{"field_selectors": [management,
                {"field": "eventSourceFromTheFuture", "equals": ["x"]}]}]}),
            &[Status::Fail, Status::Error][..],
        ),
        (
            "readOnly neither true nor false",
            json!({"advanced": [{"field_selectors": [management,
                {"field": "readOnly", "equals": ["maybe"]}]}]}),
            &[Status::Fail, Status::Error],
        ),
        (
            // AWS accepts only Equals on eventCategory; read by meaning, "every category but
            // Data" still records every management event.
            "eventCategory by NotEquals Data",
            json!({"advanced": [{"field_selectors": [
                {"field": "eventCategory", "not_equals": ["Data"]}]}]}),
            &[Status::Pass],
        ),
        (
            "eventCategory by NotEquals Management",
            json!({"advanced": [{"field_selectors": [
                {"field": "eventCategory", "not_equals": ["Management"]}]}]}),
            &[Status::Fail, Status::Error],
        ),
        (
            "an empty advanced selector list records nothing",
            json!({"advanced": []}),
            &[Status::Fail, Status::Error],
        ),
        (
            "a classic selector of an unknown data resource type, no management events",
            json!({"classic": [{"read_write_type": "All", "include_management_events": false,
                "data_resources": [{"type": "AWS::Future::Thing", "values": ["arn:aws:future"]}]}]}),
            &[Status::Fail, Status::Error],
        ),
        (
            "a unicode selector name means nothing",
            json!({"advanced": [{"name": "🔥 \u{202e}llA\u{202c} — 管理", "field_selectors": [management]}]}),
            &[Status::Pass],
        ),
    ];
    let mut failures = Vec::new();
    for (name, selectors, allowed) in cases {
        let mut inventory = base.clone();
        inventory["trails"][0]["event_selectors"] = json!({ "ok": selectors });
        let (status, message) = status_of(&evaluate_value(&inventory), "TW101", "111111111111");
        if !allowed.contains(&status) {
            failures.push(format!("{name}: TW101 {status:?} ({message})"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn names_in_any_script_and_markup_reach_every_report_intact_and_escaped() {
    let inventory = pass_fixture("TW101-multi-region-trail");
    let hostile = "<img src=x onerror=alert(1)>\"Ünï,cødé\";\u{202e}txt.exe—日本語😀";
    let old_arn = inventory["trails"][0]["arn"]
        .as_str()
        .expect("arn")
        .to_owned();
    let new_arn = old_arn.replace("classic-all", hostile);
    // The trail's ARN everywhere the fixture mentions it (a JSON string's inside).
    let escaped = |text: &str| {
        let quoted = serde_json::to_string(text).expect("json");
        quoted[1..quoted.len() - 1].to_owned()
    };
    let mut inventory: Value = serde_json::from_str(
        &inventory
            .to_string()
            .replace(&escaped(&old_arn), &escaped(&new_arn)),
    )
    .expect("edited inventory");
    inventory["trails"][0]["name"] = json!(hostile);
    let directory = tempfile::tempdir().expect("temp dir");
    let snapshot = directory.path().join("hostile.json");
    std::fs::write(&snapshot, inventory.to_string()).expect("snapshot");
    let reports = directory.path().join("reports");
    let output = assert_cmd::Command::cargo_bin("trailwarden")
        .expect("binary")
        .args([
            "evaluate",
            "--format",
            "table,json,sarif,junit,csv,html,markdown",
            "--output-dir",
        ])
        .arg(&reports)
        .arg(&snapshot)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        [0, 3, 4].contains(&output.status.code().expect("code")),
        "{stderr}"
    );
    let read = |name: &str| std::fs::read_to_string(reports.join(name)).expect(name);
    // Data formats carry the name exactly.
    let json_report: Value = serde_json::from_str(&read("trailwarden.json")).expect("JSON");
    assert!(json_report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["resource"] == new_arn.as_str()));
    let sarif: Value = serde_json::from_str(&read("trailwarden.sarif")).expect("SARIF is JSON");
    assert!(sarif.to_string().contains("日本語😀"));
    let csv_text = read("trailwarden.csv");
    let mut csv = ::csv::Reader::from_reader(csv_text.as_bytes());
    assert!(csv
        .records()
        .map(|r| r.expect("CSV record"))
        .any(|record| record.iter().any(|field| field == new_arn)));
    // Markup never passes through unescaped.
    for name in ["trailwarden.html", "trailwarden.junit.xml"] {
        let text = read(name);
        assert!(text.contains("日本語😀"), "{name} lost the name");
        assert!(!text.contains("<img src=x"), "{name} carries raw markup");
    }
}

#[test]
fn empty_strings_where_timestamps_belong_are_one_line_errors() {
    let directory = tempfile::tempdir().expect("temp dir");
    let mut collected = pass_fixture("TW101-multi-region-trail");
    collected["collected_at"] = json!("");
    let mut delivery = pass_fixture("TW101-multi-region-trail");
    delivery["trails"][0]["status"] =
        json!({"ok": {"is_logging": true, "latest_delivery_time": ""}});
    for (name, inventory) in [
        ("collected_at", collected),
        ("latest_delivery_time", delivery),
    ] {
        let snapshot = directory.path().join(format!("{name}.json"));
        std::fs::write(&snapshot, inventory.to_string()).expect("snapshot");
        let report = directory.path().join(format!("{name}.report.json"));
        let output = assert_cmd::Command::cargo_bin("trailwarden")
            .expect("binary")
            .args(["evaluate", "--format", "json", "--output"])
            .arg(&report)
            .arg(&snapshot)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.contains(&format!("{name}.json")), "{name}: {stderr}");
        assert!(!report.exists(), "{name}: a report was written");
    }
}

#[test]
fn lists_far_longer_than_aws_allows_evaluate() {
    // 2,000 more trails in one account, every one listed in both of its regions: far past
    // AWS's limit of 5 a region. Every rule still finishes and judges every trail.
    let mut inventory = pass_fixture("TW101-multi-region-trail");
    let template = inventory["trails"][0].clone();
    let trails_in_fixture = inventory["trails"].as_array().expect("trails").len();
    let mut trails = inventory["trails"].as_array().expect("trails").clone();
    let mut arns = vec![template["arn"].clone()];
    for index in 0..2_000 {
        let mut trail = template.clone();
        let arn = format!("arn:aws:cloudtrail:us-east-1:111111111111:trail/t{index}");
        trail["arn"] = json!(arn);
        trail["name"] = json!(format!("t{index}"));
        arns.push(json!(arn));
        trails.push(trail);
    }
    inventory["trails"] = json!(trails);
    for region in inventory["accounts"][0]["regions"]
        .as_array_mut()
        .expect("regions")
    {
        region["trails"] = json!({ "ok": arns });
    }
    let evaluation = evaluate_value(&inventory);
    let judged = evaluation
        .findings
        .iter()
        .filter(|f| f.rule_code == "TW102")
        .count();
    assert_eq!(judged, trails_in_fixture + 2_000, "every trail judged");
    assert_eq!(
        status_of(&evaluation, "TW101", "111111111111").0,
        Status::Pass
    );
}

/// A long paginated list from the emulator: 150 metric filters on the trail's log group (the
/// emulator pages them 50 at a time), the one that matters last. The scan must follow every
/// page to find it.
#[test]
fn every_page_of_a_long_list_is_read() {
    use crate::emulator::{block_on, seed, status_of, Moto, ACCOUNT};
    let moto = Moto::start(&[]);
    block_on(async {
        let home = moto.config("us-east-1").await;
        seed::bucket(&home, "tw-paged").await;
        let group = seed::log_group(&home, "/paged/cloudtrail", 400).await;
        for index in 0..150 {
            seed::metric_filter(
                &home,
                "/paged/cloudtrail",
                &format!("A-noise-{index:03}"),
                "{ $.eventName = DescribeInstances }",
                ("Noise", &format!("noise{index}")),
            )
            .await;
        }
        seed::cis_alarm(&home, "/paged/cloudtrail", &home).await;
        seed::trail(
            &home,
            seed::TrailSpec {
                log_group_arn: Some(&group),
                ..seed::TrailSpec::multi_region("paged", "tw-paged")
            },
        )
        .await;
    });
    moto.clear_requests();
    let (_, stdout, stderr) = moto.run(&[
        "scan",
        "--regions",
        "us-east-1",
        "--rules",
        "TW805",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(status_of(&report, "TW805", ACCOUNT), "PASS", "{report:#}");
    let pages = moto
        .requests()
        .iter()
        .filter(|r| r["action"] == "DescribeMetricFilters")
        .count();
    assert!(
        pages >= 4,
        "{pages} DescribeMetricFilters requests for 151 filters"
    );
}
