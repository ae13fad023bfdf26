//! Listings of the catalog: rules and frameworks, as tables or JSON.

use super::table::new_table;
use crate::engine::{Catalog, Framework};
use serde_json::json;

pub fn rules_table(catalog: &Catalog) -> String {
    let mut table = new_table(false);
    table.set_header(["Code", "Name", "Severity", "Resource", "Title"]);
    for rule in &catalog.rules {
        let spec = &rule.spec;
        table.add_row([
            &spec.code,
            &spec.name,
            spec.severity.as_str(),
            spec.resource.as_str(),
            &spec.title,
        ]);
    }
    format!(
        "{table}\n{} rules. `trailwarden rules show CODE` explains one.\n",
        catalog.rules.len()
    )
}

pub fn rules_json(catalog: &Catalog) -> Result<String, serde_json::Error> {
    let controls = catalog.controls_by_rule();
    let rules = catalog
        .rules
        .iter()
        .map(|rule| {
            let spec = &rule.spec;
            json!({
                "code": spec.code,
                "name": spec.name,
                "title": spec.title,
                "severity": spec.severity,
                "resource": spec.resource,
                "parameters": spec.parameters.iter().map(|(name, p)| (name.clone(), json!({"default": p.default, "description": p.description}))).collect::<serde_json::Map<_, _>>(),
                "controls": controls.get(spec.code.as_str()).map(|c| c.iter().map(ToString::to_string).collect::<Vec<_>>()).unwrap_or_default(),
            })
        })
        .collect::<Vec<_>>();
    serde_json::to_string_pretty(&rules).map(|text| text + "\n")
}

pub fn frameworks_table(catalog: &Catalog) -> String {
    let mut table = new_table(false);
    table.set_header(["Id", "Framework", "Version", "Controls", "Assessed"]);
    for framework in &catalog.frameworks {
        let assessed = framework
            .controls
            .iter()
            .filter(|c| c.not_assessed.is_none())
            .count();
        table.add_row([
            framework.id.clone(),
            framework.name.clone(),
            framework.version.clone(),
            framework.controls.len().to_string(),
            assessed.to_string(),
        ]);
    }
    format!("{table}\n")
}

pub fn frameworks_json(catalog: &Catalog) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&catalog.frameworks).map(|text| text + "\n")
}

pub fn framework_table(framework: &Framework) -> String {
    let mut table = new_table(false);
    table.set_header(["Control", "Title", "Level", "Rules / not assessed because"]);
    for control in &framework.controls {
        let mapping = match &control.not_assessed {
            Some(reason) => format!("not assessed: {reason}"),
            None => match &control.gaps {
                Some(gaps) => format!("{}\ngaps: {gaps}", control.rules.join(" ")),
                None => control.rules.join(" "),
            },
        };
        let level = control.level.map(|l| format!("L{l}")).unwrap_or_default();
        let level = match control.assessment {
            Some(assessment) => format!(
                "{level} {}",
                serde_json::to_value(assessment)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            )
            .trim()
            .to_owned(),
            None => level,
        };
        table.add_row([control.id.clone(), control.title.clone(), level, mapping]);
    }
    format!(
        "{} {} ({})\nSource: {}\n{table}\n",
        framework.name, framework.version, framework.id, framework.source
    )
}

pub fn framework_json(framework: &Framework) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(framework).map(|text| text + "\n")
}
