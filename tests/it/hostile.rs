//! Hostile and malformed AWS data: policies in every shape IAM accepts and many it does not
//! (fixtures/hostile/policies.toml), selectors with fields nobody knows, names in any script,
//! timestamps that are empty strings, and lists far longer than AWS allows. Everything
//! evaluates without a panic; nothing unknown becomes PASS.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use trailwarden::engine::{evaluate, Catalog, Evaluation, Selection, Status};
use trailwarden::inventory::Inventory;

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

fn status_label(status: Status) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{status:?}"))
        .to_uppercase()
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
            let actual = status_label(finding.status);
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
