//! The catalog holds together: TOML entries, logic, frameworks and generated docs.

use std::collections::BTreeMap;
use std::path::Path;
use trailwarden::checks::REGISTRY;
use trailwarden::engine::Catalog;
use trailwarden::rule::{CheckResult, RuleContext};

fn noop(_: &RuleContext) -> CheckResult {
    Ok(vec![])
}

const RULE: &str = r#"
code = "TW999"
name = "example"
title = "Example"
severity = "low"
resource = "trail"
checks = "x"
rationale = "y"
[remediation]
summary = "s"
cli = "c"
terraform = "t"
"#;

const FRAMEWORK: &str = r#"
id = "fw"
name = "Framework"
version = "1"
source = "test"
[[controls]]
id = "1"
title = "One"
rules = ["TW999"]
"#;

#[test]
fn builtin_catalog_is_whole() {
    let catalog = Catalog::builtin().expect("the embedded catalog must be consistent");
    assert_eq!(
        catalog.rules.len(),
        REGISTRY.len(),
        "catalog and registry agree one to one"
    );
    for id in [
        "cis-aws-1.2",
        "cis-aws-1.4",
        "cis-aws-3.0",
        "cis-aws-5.0",
        "cis-aws-7.0",
        "trailwarden-baseline",
    ] {
        assert!(catalog.framework(id).is_some(), "framework {id} is missing");
    }
    let baseline = catalog.framework("trailwarden-baseline").expect("baseline");
    let ids: Vec<_> = baseline.controls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9"]);
}

#[test]
fn rule_files_on_disk_are_the_embedded_catalog() {
    let catalog = Catalog::builtin().expect("catalog");
    let mut on_disk: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"))
            .expect("rules/")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".toml"))
            .collect();
    on_disk.sort();
    let embedded: Vec<String> = catalog
        .rules
        .iter()
        .map(|r| format!("{}-{}.toml", r.spec.code, r.spec.name))
        .collect();
    assert_eq!(on_disk, embedded);
}

#[derive(serde::Deserialize)]
struct ControlLists {
    controls: BTreeMap<String, Vec<String>>,
    concepts: BTreeMap<String, Concept>,
}

#[derive(serde::Deserialize)]
struct Concept {
    rule: String,
    ids: BTreeMap<String, String>,
}

fn control_lists() -> ControlLists {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/framework-controls.toml");
    toml::from_str(&std::fs::read_to_string(path).expect("control lists")).expect("parses")
}

#[test]
fn every_framework_lists_exactly_its_controls_each_assessed_or_explained() {
    let catalog = Catalog::builtin().expect("catalog");
    let lists = control_lists();
    let listed: Vec<&String> = lists.controls.keys().collect();
    let frameworks: Vec<&String> = catalog.frameworks.iter().map(|f| &f.id).collect();
    assert_eq!(
        listed, frameworks,
        "the control lists and rules/frameworks/ name the same frameworks"
    );
    for framework in &catalog.frameworks {
        let ids: Vec<&str> = framework.controls.iter().map(|c| c.id.as_str()).collect();
        let expected: Vec<&str> = lists.controls[&framework.id]
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(ids, expected, "{}: controls (in order)", framework.id);
        for control in &framework.controls {
            match (&control.not_assessed, control.rules.is_empty()) {
                (None, false) => {}
                (Some(reason), true) => assert!(
                    reason.len() > 20,
                    "{} {}: a reason",
                    framework.id,
                    control.id
                ),
                _ => panic!(
                    "{} {}: rules or a reason, not both or neither",
                    framework.id, control.id
                ),
            }
        }
    }
}

#[test]
fn cis_control_numbers_follow_each_version() {
    let catalog = Catalog::builtin().expect("catalog");
    let lists = control_lists();
    let cis: Vec<_> = catalog
        .frameworks
        .iter()
        .filter(|f| f.id.starts_with("cis-aws-"))
        .collect();
    assert_eq!(
        cis.len(),
        10,
        "CIS 1.2, 1.3, 1.4, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0"
    );
    for (name, concept) in &lists.concepts {
        for framework in &cis {
            let mapped: Vec<&str> = framework
                .controls
                .iter()
                .filter(|c| c.rules.contains(&concept.rule))
                .map(|c| c.id.as_str())
                .collect();
            let expected: Vec<&str> = concept
                .ids
                .get(&framework.id)
                .map(String::as_str)
                .into_iter()
                .collect();
            assert_eq!(
                mapped, expected,
                "{name} ({}) in {}",
                concept.rule, framework.id
            );
        }
    }
    // The monitoring section moves with the versions: 3.x in 1.2, 4.x to 5.0, 5.x in 6.0 and 7.0.
    for (id, first) in [
        ("cis-aws-1.2", "3.1"),
        ("cis-aws-5.0", "4.1"),
        ("cis-aws-7.0", "5.1"),
    ] {
        let framework = catalog.framework(id).expect("framework");
        let control = framework
            .controls
            .iter()
            .find(|c| c.id == first)
            .expect("control");
        assert!(
            control.title.contains("unauthorized API calls"),
            "{id} {first}: {}",
            control.title
        );
    }
}

#[test]
fn a_rule_without_logic_is_refused() {
    let error =
        Catalog::from_sources(&[("TW999-example.toml", RULE)], &[], &[]).expect_err("no logic");
    assert!(error.to_string().contains("TW999 has no logic"), "{error}");
}

#[test]
fn logic_without_a_rule_is_refused() {
    let error = Catalog::from_sources(&[], &[], &[("TW999", noop)]).expect_err("no toml");
    assert!(
        error
            .to_string()
            .contains("registry entry TW999 has no rules/TW999"),
        "{error}"
    );
}

#[test]
fn a_misnamed_rule_file_is_refused() {
    let error = Catalog::from_sources(&[("TW999-other.toml", RULE)], &[], &[("TW999", noop)])
        .expect_err("name");
    assert!(
        error
            .to_string()
            .contains("must be named TW999-example.toml"),
        "{error}"
    );
}

#[test]
fn duplicate_codes_are_refused() {
    let twin = RULE.replace("name = \"example\"", "name = \"twin\"");
    let error = Catalog::from_sources(
        &[("TW999-example.toml", RULE), ("TW999-twin.toml", &twin)],
        &[],
        &[("TW999", noop)],
    )
    .expect_err("duplicate code");
    assert!(error.to_string().contains("TW999 is used twice"), "{error}");
}

#[test]
fn frameworks_must_name_existing_rules_or_say_why_not() {
    let rules = [("TW999-example.toml", RULE)];
    let registry = [("TW999", noop as fn(&RuleContext) -> CheckResult)];
    assert!(Catalog::from_sources(&rules, &[("fw.toml", FRAMEWORK)], &registry).is_ok());
    let unknown = FRAMEWORK.replace("TW999", "TW998");
    let error = Catalog::from_sources(&rules, &[("fw.toml", &unknown)], &registry)
        .expect_err("unknown rule");
    assert!(
        error.to_string().contains("names unknown rule TW998"),
        "{error}"
    );
    let unmapped = FRAMEWORK.replace("rules = [\"TW999\"]", "");
    let error =
        Catalog::from_sources(&rules, &[("fw.toml", &unmapped)], &registry).expect_err("unmapped");
    assert!(
        error
            .to_string()
            .contains("maps to no rule and gives no `not_assessed` reason"),
        "{error}"
    );
    let reasoned = FRAMEWORK.replace("rules = [\"TW999\"]", "not_assessed = \"outside scope\"");
    assert!(Catalog::from_sources(&rules, &[("fw.toml", &reasoned)], &registry).is_ok());
}

#[test]
fn generated_rule_docs_are_current() {
    let catalog = Catalog::builtin().expect("catalog");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let generated = trailwarden::docs::generate(&catalog);
    let mut stale = Vec::new();
    for (name, text) in &generated {
        if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    let expected: std::collections::BTreeSet<_> =
        generated.iter().map(|(n, _)| n.clone()).collect();
    let present: std::collections::BTreeSet<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let extra: Vec<_> = present.difference(&expected).collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "docs/rules is stale ({stale:?}, extra {extra:?}): run `cargo run -- rules docs --out docs/rules`"
    );
}
