//! Pure evaluation: selected rules over an inventory, with parameters and an injected "now".

use super::catalog::Catalog;
use super::params::{ParamOverride, ParamValue};
use super::{Evidence, Finding, Status};
use crate::inventory::Inventory;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What a check returns: its outcomes, or a message if the rule itself is broken
/// (e.g. a parameter it reads is missing from its catalog entry).
pub type CheckResult = Result<Vec<Outcome>, String>;

/// What a check sees: the inventory, its parameters and the time to measure freshness against.
pub struct RuleContext<'a> {
    pub inventory: &'a Inventory,
    pub now: DateTime<Utc>,
    params: &'a BTreeMap<String, ParamValue>,
}

impl RuleContext<'_> {
    pub fn string(&self, name: &str) -> Result<&str, String> {
        match self.params.get(name) {
            Some(ParamValue::String(value)) => Ok(value),
            Some(other) => Err(format!(
                "parameter `{name}` is a {}, the rule reads a string",
                other.type_name()
            )),
            None => Err(format!(
                "parameter `{name}` is not declared in the rule's catalog entry"
            )),
        }
    }

    pub fn list(&self, name: &str) -> Result<&[String], String> {
        match self.params.get(name) {
            Some(ParamValue::List(values)) => Ok(values),
            Some(other) => Err(format!(
                "parameter `{name}` is a {}, the rule reads a list of strings",
                other.type_name()
            )),
            None => Err(format!(
                "parameter `{name}` is not declared in the rule's catalog entry"
            )),
        }
    }

    pub fn boolean(&self, name: &str) -> Result<bool, String> {
        match self.params.get(name) {
            Some(ParamValue::Bool(value)) => Ok(*value),
            Some(other) => Err(format!(
                "parameter `{name}` is a {}, the rule reads a boolean",
                other.type_name()
            )),
            None => Err(format!(
                "parameter `{name}` is not declared in the rule's catalog entry"
            )),
        }
    }

    pub fn integer(&self, name: &str) -> Result<i64, String> {
        match self.params.get(name) {
            Some(ParamValue::Integer(value)) => Ok(*value),
            Some(other) => Err(format!(
                "parameter `{name}` is a {}, the rule reads an integer",
                other.type_name()
            )),
            None => Err(format!(
                "parameter `{name}` is not declared in the rule's catalog entry"
            )),
        }
    }
}

/// A check's verdict on one resource; the engine adds the rule's metadata to make a [`Finding`].
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub account: String,
    pub region: String,
    pub resource: String,
    pub status: Status,
    pub message: String,
    pub evidence: Vec<Evidence>,
}

impl Outcome {
    /// Starts an outcome about `resource` in `account` and `region` (`global` if none).
    pub fn on(
        account: impl Into<String>,
        region: impl Into<String>,
        resource: impl Into<String>,
    ) -> OutcomeBuilder {
        OutcomeBuilder {
            account: account.into(),
            region: region.into(),
            resource: resource.into(),
            evidence: Vec::new(),
        }
    }

    /// Starts an outcome about a trail: its owner account, its home region, its ARN.
    pub fn on_trail(trail: &crate::inventory::Trail) -> OutcomeBuilder {
        Outcome::on(trail.owner_account(), &trail.home_region, &trail.arn)
    }
}

/// Collects evidence, then ends in exactly one status.
#[must_use = "an outcome builder does nothing until it is given a status"]
pub struct OutcomeBuilder {
    account: String,
    region: String,
    resource: String,
    evidence: Vec<Evidence>,
}

impl OutcomeBuilder {
    /// Records an observed value and where it is in the inventory.
    pub fn evidence(mut self, path: impl Into<String>, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value)
            .unwrap_or_else(|e| serde_json::Value::String(format!("<unserializable: {e}>")));
        self.evidence.push(Evidence {
            path: path.into(),
            value,
        });
        self
    }

    fn finish(self, status: Status, message: impl Into<String>) -> Outcome {
        Outcome {
            account: self.account,
            region: self.region,
            resource: self.resource,
            status,
            message: message.into(),
            evidence: self.evidence,
        }
    }

    pub fn pass(self, message: impl Into<String>) -> Outcome {
        self.finish(Status::Pass, message)
    }

    pub fn fail(self, message: impl Into<String>) -> Outcome {
        self.finish(Status::Fail, message)
    }

    /// Could not decide: name what was not observed and why.
    pub fn error(self, message: impl Into<String>) -> Outcome {
        self.finish(Status::Error, message)
    }

    pub fn not_applicable(self, message: impl Into<String>) -> Outcome {
        self.finish(Status::NotApplicable, message)
    }
}

/// Which rules run: every rule in the catalog, or the listed codes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// `None`: every rule.
    codes: Option<BTreeSet<String>>,
}

impl Selection {
    pub fn all() -> Selection {
        Selection::default()
    }

    /// Exactly these rule codes (none, if empty).
    pub fn of(codes: impl IntoIterator<Item = String>) -> Selection {
        Selection {
            codes: Some(codes.into_iter().collect()),
        }
    }

    /// Resolves rule codes or names, and the rules of a framework, into a selection.
    pub fn resolve(
        catalog: &Catalog,
        rules: &[String],
        framework: Option<&str>,
    ) -> Result<Selection, String> {
        let mut codes = BTreeSet::new();
        for wanted in rules {
            let rule = catalog.rule(wanted).ok_or_else(|| {
                format!("unknown rule `{wanted}`: `trailwarden rules list` shows the catalog")
            })?;
            codes.insert(rule.spec.code.clone());
        }
        if let Some(id) = framework {
            let framework = catalog.framework(id).ok_or_else(|| {
                format!("unknown framework `{id}`: `trailwarden frameworks list` shows them")
            })?;
            codes.extend(framework.rule_codes().into_iter().map(str::to_owned));
        }
        if codes.is_empty() {
            return Ok(Selection::all());
        }
        Ok(Selection::of(codes))
    }

    pub fn includes(&self, code: &str) -> bool {
        self.codes.as_ref().is_none_or(|codes| codes.contains(code))
    }
}

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
        let context = RuleContext {
            inventory,
            now,
            params: params.get(spec.code.as_str()).unwrap_or(&empty),
        };
        let outcomes = (rule.check)(&context).map_err(|message| EvaluationError::Rule {
            code: spec.code.clone(),
            message,
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
