//! Rule documentation generated from the catalog: docs/rules/<CODE>.md and its index.
//! `trailwarden rules show CODE` prints the same page. A test fails when docs/rules is stale.

use crate::engine::{Catalog, Rule};
use crate::output::OutputError;
use std::fmt::Write as _;
use std::path::Path;

/// One rule's page (Markdown).
pub fn rule_page(catalog: &Catalog, rule: &Rule) -> String {
    let spec = &rule.spec;
    let mut page = String::new();
    let _ = writeln!(page, "# {} {}\n", spec.code, spec.name);
    let _ = writeln!(page, "**{}**\n", spec.title);
    let _ = writeln!(
        page,
        "| Severity | Resource |\n|---|---|\n| {} | {} |\n",
        spec.severity,
        spec.resource.as_str()
    );
    let _ = writeln!(page, "## What it checks\n\n{}\n", spec.checks.trim());
    let _ = writeln!(page, "## Why it matters\n\n{}\n", spec.rationale.trim());
    let _ = writeln!(
        page,
        "## Remediation\n\n{}\n",
        spec.remediation.summary.trim()
    );
    let _ = writeln!(
        page,
        "### AWS CLI\n\n```sh\n{}\n```\n",
        spec.remediation.cli.trim()
    );
    let _ = writeln!(
        page,
        "### Terraform\n\n```hcl\n{}\n```\n",
        spec.remediation.terraform.trim()
    );
    if !spec.parameters.is_empty() {
        let _ = writeln!(
            page,
            "## Parameters\n\n| Name | Default | Description |\n|---|---|---|"
        );
        for (name, parameter) in &spec.parameters {
            let _ = writeln!(
                page,
                "| `{name}` | `{}` | {} |",
                parameter.default,
                parameter.description.trim()
            );
        }
        let _ = writeln!(
            page,
            "\nOverride with `--param {}.NAME=VALUE`.\n",
            spec.code
        );
    }
    let mut mapped = Vec::new();
    for framework in &catalog.frameworks {
        for control in framework
            .controls
            .iter()
            .filter(|c| c.rules.contains(&spec.code))
        {
            mapped.push(format!(
                "| {} {} | {} | {} |",
                framework.name, framework.version, control.id, control.title
            ));
        }
    }
    if !mapped.is_empty() {
        let _ = writeln!(
            page,
            "## Frameworks\n\n| Framework | Control | Title |\n|---|---|---|\n{}\n",
            mapped.join("\n")
        );
    }
    if !spec.references.is_empty() {
        let _ = writeln!(page, "## References\n");
        for reference in &spec.references {
            let _ = writeln!(page, "- <{reference}>");
        }
        page.push('\n');
    }
    let _ = writeln!(
        page,
        "<!-- generated from rules/{}-{}.toml; do not edit -->",
        spec.code, spec.name
    );
    page
}

/// The index page of every rule (Markdown).
pub fn index(catalog: &Catalog) -> String {
    let mut page = String::from("# trailwarden rules\n\n| Code | Name | Severity | Resource | Title |\n|---|---|---|---|---|\n");
    for rule in &catalog.rules {
        let spec = &rule.spec;
        let _ = writeln!(
            page,
            "| [{code}]({code}.md) | {} | {} | {} | {} |",
            spec.name,
            spec.severity,
            spec.resource.as_str(),
            spec.title,
            code = spec.code
        );
    }
    page.push_str("\n<!-- generated from rules/*.toml; do not edit -->\n");
    page
}

/// Every generated file: (file name, contents).
pub fn generate(catalog: &Catalog) -> Vec<(String, String)> {
    let mut files = vec![("README.md".to_owned(), index(catalog))];
    files.extend(
        catalog
            .rules
            .iter()
            .map(|rule| (format!("{}.md", rule.spec.code), rule_page(catalog, rule))),
    );
    files
}

/// Writes the generated docs into `dir`, creating it if needed.
pub fn write_all(catalog: &Catalog, dir: &Path) -> Result<(), OutputError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| OutputError::new(format!("cannot create {}: {e}", dir.display())))?;
    for (name, text) in generate(catalog) {
        crate::output::write(Some(&dir.join(&name)), &text)?;
    }
    Ok(())
}
