//! The rule catalog: metadata from `rules/*.toml` bound to logic from the registry.
//!
//! The TOML files are embedded at build time (build.rs). [`Catalog::builtin`] parses them,
//! binds each to its check function and refuses any disagreement — a rule without logic,
//! logic without a rule, a framework naming an unknown rule — so the catalog a binary runs
//! with is whole or the binary says exactly what is wrong.

use super::{ControlRef, Framework};
use crate::checks::REGISTRY;
use crate::rule::{CheckFn, ParamValue, ResourceKind, Severity};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_catalog.rs"));
}

/// A rule's metadata, as written in `rules/<CODE>-<name>.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable code, `TW` and three digits. Never reused.
    pub code: String,
    /// Stable readable name, kebab-case.
    pub name: String,
    pub title: String,
    pub severity: Severity,
    pub resource: ResourceKind,
    /// What the rule checks, precisely: the semantics a finding rests on.
    pub checks: String,
    pub rationale: String,
    pub remediation: Remediation,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub parameters: BTreeMap<String, Parameter>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    pub summary: String,
    pub cli: String,
    pub terraform: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub default: ParamValue,
    pub description: String,
}

impl RuleSpec {
    /// Where the rule's page is published: the repository's `docs/rules/<CODE>.md`. Built
    /// from the code, so a report's link (SARIF `helpUri`, HTML) and the generated page cannot
    /// disagree.
    pub fn docs_url(&self) -> String {
        format!(
            "{}/blob/main/docs/rules/{}.md",
            env!("CARGO_PKG_REPOSITORY"),
            self.code
        )
    }

    /// The error for a parameter the rule does not declare, listing those it does.
    pub fn unknown_parameter(&self, name: &str) -> String {
        let known: Vec<&str> = self.parameters.keys().map(String::as_str).collect();
        format!(
            "{} has no parameter `{name}` (parameters: {})",
            self.code,
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        )
    }
}

/// A rule: its metadata and its logic.
#[derive(Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    pub check: CheckFn,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("code", &self.spec.code)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("rule catalog: {0}")]
pub struct CatalogError(pub String);

/// Every rule and framework this build knows.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Sorted by code.
    pub rules: Vec<Rule>,
    /// Sorted by id.
    pub frameworks: Vec<Framework>,
}

impl Catalog {
    /// The catalog embedded in this binary.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Catalog::from_sources(embedded::RULE_FILES, embedded::FRAMEWORK_FILES, REGISTRY)
    }

    /// Builds a catalog from `(file name, TOML text)` pairs and a registry, checking that
    /// they agree one to one.
    pub fn from_sources(
        rule_files: &[(&str, &str)],
        framework_files: &[(&str, &str)],
        registry: &[(&str, CheckFn)],
    ) -> Result<Catalog, CatalogError> {
        let fail = |message: String| Err(CatalogError(message));
        let checks: BTreeMap<&str, CheckFn> = registry.iter().copied().collect();
        if checks.len() != registry.len() {
            return fail("the registry lists a rule code twice".into());
        }
        let mut rules = Vec::new();
        let mut names = BTreeSet::new();
        for (file, text) in rule_files {
            let spec: RuleSpec =
                toml::from_str(text).map_err(|e| CatalogError(format!("rules/{file}: {e}")))?;
            validate_spec(file, &spec)?;
            if !names.insert(spec.name.clone()) {
                return fail(format!("rules/{file}: name `{}` is used twice", spec.name));
            }
            let Some(check) = checks.get(spec.code.as_str()) else {
                return fail(format!(
                    "rules/{file}: {} has no logic in the registry (src/checks/mod.rs)",
                    spec.code
                ));
            };
            rules.push(Rule {
                spec,
                check: *check,
            });
        }
        rules.sort_by(|a, b| a.spec.code.cmp(&b.spec.code));
        if let Some(pair) = rules
            .windows(2)
            .find(|pair| pair[0].spec.code == pair[1].spec.code)
        {
            return fail(format!("rule code {} is used twice", pair[0].spec.code));
        }
        for code in checks.keys() {
            if !rules.iter().any(|rule| rule.spec.code == *code) {
                return fail(format!(
                    "registry entry {code} has no rules/{code}-<name>.toml"
                ));
            }
        }
        let known: BTreeSet<&str> = rules.iter().map(|rule| rule.spec.code.as_str()).collect();
        let mut frameworks = Vec::new();
        for (file, text) in framework_files {
            let framework: Framework = toml::from_str(text)
                .map_err(|e| CatalogError(format!("rules/frameworks/{file}: {e}")))?;
            framework
                .validate(file, &known)
                .map_err(|message| CatalogError(format!("rules/frameworks/{file}: {message}")))?;
            frameworks.push(framework);
        }
        frameworks.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(pair) = frameworks.windows(2).find(|pair| pair[0].id == pair[1].id) {
            return fail(format!("framework id {} is used twice", pair[0].id));
        }
        Ok(Catalog { rules, frameworks })
    }

    /// A rule by code (any case) or name.
    pub fn rule(&self, code_or_name: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| {
            rule.spec.code.eq_ignore_ascii_case(code_or_name) || rule.spec.name == code_or_name
        })
    }

    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.frameworks
            .iter()
            .find(|framework| framework.id.eq_ignore_ascii_case(id))
    }

    /// The framework controls each rule serves, by rule code (the inversion of the mappings).
    pub fn controls_by_rule(&self) -> BTreeMap<&str, Vec<ControlRef>> {
        let mut map: BTreeMap<&str, Vec<ControlRef>> = BTreeMap::new();
        for framework in &self.frameworks {
            for control in &framework.controls {
                for code in &control.rules {
                    map.entry(code.as_str()).or_default().push(ControlRef {
                        framework: framework.id.clone(),
                        control: control.id.clone(),
                    });
                }
            }
        }
        map
    }
}

fn validate_spec(file: &str, spec: &RuleSpec) -> Result<(), CatalogError> {
    let fail = |message: String| Err(CatalogError(format!("rules/{file}: {message}")));
    let code_ok = spec.code.len() == 5
        && spec.code.starts_with("TW")
        && spec.code[2..].bytes().all(|b| b.is_ascii_digit());
    if !code_ok {
        return fail(format!(
            "code `{}` must be `TW` and three digits",
            spec.code
        ));
    }
    let name_ok = !spec.name.is_empty()
        && !spec.name.starts_with('-')
        && !spec.name.ends_with('-')
        && spec
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !name_ok {
        return fail(format!("name `{}` must be kebab-case", spec.name));
    }
    let expected = format!("{}-{}.toml", spec.code, spec.name);
    if file != expected {
        return fail(format!("the file must be named {expected}"));
    }
    for (field, value) in [
        ("title", &spec.title),
        ("checks", &spec.checks),
        ("rationale", &spec.rationale),
        ("remediation.summary", &spec.remediation.summary),
        ("remediation.cli", &spec.remediation.cli),
        ("remediation.terraform", &spec.remediation.terraform),
    ] {
        if value.trim().is_empty() {
            return fail(format!("`{field}` is empty"));
        }
    }
    if spec.references.iter().any(|r| !r.starts_with("https://")) {
        return fail("references must be https:// URLs".into());
    }
    Ok(())
}
