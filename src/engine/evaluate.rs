//! Pure evaluation: selected rules over an inventory, with parameters and an injected "now".

use super::{Catalog, Finding, ParamOverride, Selection};
use crate::inventory::Inventory;
use crate::rule::{ParamValue, RuleContext};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    #[error("--param {0}")]
    Parameter(String),
    #[error("rule {code} could not run: {message}")]
    Rule { code: String, message: String },
}

impl EvaluationError {
    /// Whether the user can fix it (a bad argument) rather than it being a defect.
    pub fn is_usage(&self) -> bool {
        matches!(self, EvaluationError::Parameter(_))
    }
}

/// The findings of one evaluation, in a deterministic order.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub now: DateTime<Utc>,
    /// Codes of the rules that ran.
    pub rules: Vec<String>,
    pub findings: Vec<Finding>,
}

/// Runs the selected rules over the inventory.
pub fn evaluate(
    inventory: &Inventory,
    catalog: &Catalog,
    selection: &Selection,
    overrides: &[ParamOverride],
    now: DateTime<Utc>,
) -> Result<Evaluation, EvaluationError> {
    let params = resolve_parameters(catalog, overrides)?;
    let controls = catalog.controls_by_rule();
    let mut findings = Vec::new();
    let mut ran = Vec::new();
    for rule in catalog
        .rules
        .iter()
        .filter(|rule| selection.includes(&rule.spec.code))
    {
        let spec = &rule.spec;
        let empty = BTreeMap::new();
        let context = RuleContext::new(
            &spec.code,
            inventory,
            now,
            params.get(spec.code.as_str()).unwrap_or(&empty),
        );
        let outcomes = (rule.check)(&context).map_err(|message| EvaluationError::Rule {
            code: spec.code.clone(),
            message: message.0,
        })?;
        let rule_controls = controls
            .get(spec.code.as_str())
            .cloned()
            .unwrap_or_default();
        findings.extend(outcomes.into_iter().map(|outcome| Finding {
            rule_code: spec.code.clone(),
            rule_name: spec.name.clone(),
            title: spec.title.clone(),
            severity: spec.severity,
            status: outcome.status,
            account: outcome.account,
            region: outcome.region,
            resource_kind: spec.resource,
            resource: outcome.resource,
            message: outcome.message,
            evidence: outcome.evidence,
            controls: rule_controls.clone(),
            waiver: None,
            baseline: None,
            location: None,
        }));
        ran.push(spec.code.clone());
    }
    findings.sort_by(|a, b| {
        (
            &a.rule_code,
            &a.account,
            &a.region,
            &a.resource,
            a.status,
            &a.message,
        )
            .cmp(&(
                &b.rule_code,
                &b.account,
                &b.region,
                &b.resource,
                b.status,
                &b.message,
            ))
    });
    Ok(Evaluation {
        now,
        rules: ran,
        findings,
    })
}

/// Defaults from the catalog with the overrides applied, per rule code.
fn resolve_parameters<'c>(
    catalog: &'c Catalog,
    overrides: &[ParamOverride],
) -> Result<BTreeMap<&'c str, BTreeMap<String, ParamValue>>, EvaluationError> {
    let mut params: BTreeMap<&str, BTreeMap<String, ParamValue>> = catalog
        .rules
        .iter()
        .map(|rule| {
            let defaults = rule
                .spec
                .parameters
                .iter()
                .map(|(name, p)| (name.clone(), p.default.clone()))
                .collect();
            (rule.spec.code.as_str(), defaults)
        })
        .collect();
    for o in overrides {
        let rule = catalog.rule(&o.rule).ok_or_else(|| {
            EvaluationError::Parameter(format!("{}.{}: unknown rule `{}`", o.rule, o.name, o.rule))
        })?;
        let Some(declared) = rule.spec.parameters.get(&o.name) else {
            return Err(EvaluationError::Parameter(format!(
                "{}.{}: {}",
                o.rule,
                o.name,
                rule.spec.unknown_parameter(&o.name)
            )));
        };
        let value = declared.default.parse_like(&o.value).map_err(|message| {
            EvaluationError::Parameter(format!("{}.{}: {message}", o.rule, o.name))
        })?;
        if let Some(rule_params) = params.get_mut(rule.spec.code.as_str()) {
            rule_params.insert(o.name.clone(), value);
        }
    }
    Ok(params)
}
