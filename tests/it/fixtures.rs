//! Every rule over its fixture inventories: each finding's status must be exactly the one
//! `expect.toml` names, and every rule must have PASS, FAIL and (where it reads fallible
//! data) ERROR cases.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use trailwarden::engine::{evaluate, Catalog, Evaluation, Selection};
use trailwarden::inventory::Inventory;
use trailwarden::rule::Status;

/// Rules that read only fields every trail description carries, so nothing they read can fail
/// on its own: they have no ERROR fixture.
const NO_FALLIBLE_DATA: &[&str] = &["TW102", "TW115"];

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules")
}

/// Per fixture file, per resource: the status, or the status and a part of the message.
/// Every rule over `inventory`, at its collection time.
fn evaluate_all(catalog: &Catalog, inventory: &Inventory) -> Evaluation {
    evaluate(
        inventory,
        catalog,
        &Selection::all(),
        &[],
        inventory.collected_at,
    )
    .expect("all rules run")
}

type Expectations = BTreeMap<String, BTreeMap<String, Expected>>;

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Expected {
    Status(String),
    WithMessage { status: String, message: String },
}

impl Expected {
    fn status(&self) -> &str {
        match self {
            Expected::Status(status) | Expected::WithMessage { status, .. } => status,
        }
    }
}

#[test]
fn every_rule_has_a_fixture_directory_and_every_directory_a_rule() {
    let catalog = Catalog::builtin().expect("catalog");
    let expected: BTreeSet<String> = catalog
        .rules
        .iter()
        .map(|r| format!("{}-{}", r.spec.code, r.spec.name))
        .collect();
    let found: BTreeSet<String> = std::fs::read_dir(rules_dir())
        .expect("fixtures/rules")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn every_fixture_gives_exactly_the_expected_statuses() {
    let catalog = Catalog::builtin().expect("catalog");
    let mut checked = 0;
    for rule in &catalog.rules {
        let code = &rule.spec.code;
        let dir = rules_dir().join(format!("{}-{}", code, rule.spec.name));
        let expectations: Expectations =
            toml::from_str(&std::fs::read_to_string(dir.join("expect.toml")).expect("expect.toml"))
                .expect("expect.toml parses");
        let mut statuses_seen = BTreeSet::new();
        for (file, expected) in &expectations {
            let inventory =
                Inventory::load(&dir.join(file)).unwrap_or_else(|e| panic!("{code} {file}: {e}"));
            let selection =
                Selection::resolve(&catalog, std::slice::from_ref(code), None).expect("selection");
            let evaluation = evaluate(
                &inventory,
                &catalog,
                &selection,
                &[],
                inventory.collected_at,
            )
            .expect("evaluates");
            let expected_statuses: BTreeMap<String, String> = expected
                .iter()
                .map(|(resource, e)| (resource.clone(), e.status().to_owned()))
                .collect();
            let actual: BTreeMap<String, String> = evaluation
                .findings
                .iter()
                .map(|f| {
                    assert_eq!(&f.rule_code, code, "only the selected rule runs");
                    (f.resource.clone(), f.status.as_str().to_owned())
                })
                .collect();
            assert_eq!(
                actual.len(),
                evaluation.findings.len(),
                "{code} {file}: one finding per resource (shadow copies must not repeat)"
            );
            assert_eq!(
                actual,
                expected_statuses,
                "{code} {file}: statuses differ; messages: {:#?}",
                evaluation
                    .findings
                    .iter()
                    .map(|f| (&f.resource, &f.message))
                    .collect::<Vec<_>>()
            );
            for finding in &evaluation.findings {
                assert!(!finding.message.is_empty(), "{code} {file}: empty message");
                if let Some(Expected::WithMessage { message, .. }) = expected.get(&finding.resource)
                {
                    assert!(
                        finding.message.contains(message.as_str()),
                        "{code} {file} {}: message {:?} lacks {message:?}",
                        finding.resource,
                        finding.message
                    );
                }
                if finding.status == Status::Error {
                    assert!(
                        !finding.evidence.is_empty()
                            || finding.message.contains("not collected")
                            || finding.message.contains("could not"),
                        "{code} {file}: an ERROR must say what was not observed: {}",
                        finding.message
                    );
                }
                statuses_seen.insert(finding.status);
            }
            // Each fixture is also a complete, valid snapshot for the other rules: none may fail to run.
            evaluate_all(&catalog, &inventory);
            checked += 1;
        }
        assert!(
            statuses_seen.contains(&Status::Pass),
            "{code} has no PASS fixture"
        );
        assert!(
            statuses_seen.contains(&Status::Fail),
            "{code} has no FAIL fixture"
        );
        if !NO_FALLIBLE_DATA.contains(&code.as_str()) {
            assert!(
                statuses_seen.contains(&Status::Error),
                "{code} has no ERROR fixture"
            );
        }
    }
    assert!(checked >= 2 * catalog.rules.len());
}

#[test]
fn the_demo_organization_shows_every_kind_of_status() {
    let catalog = Catalog::builtin().expect("catalog");
    let inventory = trailwarden::demo::inventory().expect("demo loads");
    assert!(inventory.accounts.len() >= 4, "several accounts");
    let regions: BTreeSet<_> = inventory
        .accounts
        .values()
        .flat_map(|a| a.regions.keys())
        .collect();
    assert!(regions.len() >= 3, "several regions");
    let evaluation = evaluate_all(&catalog, &inventory);
    let statuses: BTreeSet<_> = evaluation.findings.iter().map(|f| f.status).collect();
    assert!(
        statuses.contains(&Status::Pass)
            && statuses.contains(&Status::Fail)
            && statuses.contains(&Status::Error)
    );
    // The member account whose role could not be assumed is still covered by the org trail...
    let sandbox = |code: &str| {
        evaluation
            .findings
            .iter()
            .find(|f| f.rule_code == code && f.account == "555555555555")
            .map(|f| f.status)
    };
    assert_eq!(sandbox("TW101"), Some(Status::Pass));
    // ...but whether it duplicates global events with trails of its own cannot be known.
    assert_eq!(sandbox("TW104"), Some(Status::Error));
}

#[test]
fn evaluation_is_deterministic() {
    let catalog = Catalog::builtin().expect("catalog");
    let inventory = trailwarden::demo::inventory().expect("demo loads");
    let run = || {
        evaluate_all(&catalog, &inventory)
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{} {} {} {} {}",
                    f.rule_code, f.account, f.region, f.resource, f.status
                )
            })
            .collect::<Vec<_>>()
    };
    let first = run();
    let mut sorted = first.clone();
    sorted.sort();
    assert_eq!(
        first, sorted,
        "findings come out sorted by rule, account, region, resource"
    );
    assert_eq!(first, run());
}

#[test]
fn snapshots_round_trip() {
    let inventory = trailwarden::demo::inventory().expect("demo loads");
    let text = inventory.to_json().expect("serializes");
    let back = Inventory::from_json(&text, "round trip").expect("reloads");
    assert_eq!(back, inventory);
}

#[test]
fn log_archive_account_parameter_names_the_one_allowed_owner() {
    let catalog = Catalog::builtin().expect("catalog");
    let inventory =
        Inventory::load(&rules_dir().join("TW203-log-bucket-separate-account/pass.json"))
            .expect("fixture");
    let selection = Selection::resolve(&catalog, &["TW203".to_owned()], None).expect("selection");
    let statuses = |archive: &str| -> BTreeMap<String, String> {
        let overrides = [format!("TW203.log_archive_account={archive}")
            .parse()
            .expect("override")];
        evaluate(
            &inventory,
            &catalog,
            &selection,
            &overrides,
            inventory.collected_at,
        )
        .expect("evaluates")
        .findings
        .iter()
        .map(|f| {
            (
                f.resource.rsplit('/').next().unwrap_or_default().to_owned(),
                f.status.as_str().to_owned(),
            )
        })
        .collect()
    };
    // The organization trail's bucket is the log-archive account's; the other bucket's
    // owner was not scanned, so whether it is the log-archive account is unknown.
    let expected = BTreeMap::from([
        ("org-trail".to_owned(), "PASS".to_owned()),
        ("elsewhere".to_owned(), "ERROR".to_owned()),
    ]);
    assert_eq!(statuses("666666666666"), expected);
    assert_eq!(statuses("777777777777")["org-trail"], "FAIL");
}
