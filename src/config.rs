//! `trailwarden.toml`: rule selection, parameters, severity overrides, waivers and gate
//! defaults, checked against the catalog before anything runs.
//!
//! The file is found with `--config FILE`, else `trailwarden.toml` in the working directory
//! (`--no-config` ignores it). Every mistake — an unknown key, an unknown rule, a parameter
//! of the wrong type, a waiver without reason or expiry — is one error naming the file and
//! line. See docs/config.md.

use crate::engine::{
    Catalog, FailOn, ParamOverride, ResourcePattern, Selection, SelectionError, Waiver,
};
use crate::rule::{ParamValue, Severity};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The name looked for in the working directory.
pub const DEFAULT_FILE: &str = "trailwarden.toml";

/// A validated configuration (the empty one when there is no file).
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from.
    pub source: Option<PathBuf>,
    /// Rules to run (codes), from `rules.include` and `rules.frameworks`; empty: every rule.
    pub include: BTreeSet<String>,
    /// Whether `rules.include` or `rules.frameworks` said anything (an empty union is then
    /// an error, not "every rule").
    pub selects: bool,
    pub exclude: BTreeSet<String>,
    pub min_severity: Option<Severity>,
    pub params: Vec<ParamOverride>,
    /// Rule code → the severity to report instead of the catalog's.
    pub severities: BTreeMap<String, Severity>,
    pub waivers: Vec<Waiver>,
    pub fail_on: Option<FailOn>,
    pub allow_incomplete: Option<bool>,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ConfigError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    parameters: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    waivers: Vec<Spanned<RawWaiver>>,
    #[serde(default)]
    gate: RawGate,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    frameworks: Vec<Spanned<String>>,
    min_severity: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    rule: Spanned<String>,
    resource: Spanned<String>,
    reason: Spanned<String>,
    expires: Spanned<toml::Value>,
    owner: Option<Spanned<String>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGate {
    fail_on: Option<Spanned<String>>,
    allow_incomplete: Option<bool>,
}

impl Config {
    /// The configuration to use: `explicit` if given (it must exist), else
    /// `trailwarden.toml` in the working directory if there is one, else none.
    pub fn discover(
        catalog: &Catalog,
        explicit: Option<&Path>,
        disabled: bool,
    ) -> Result<Config, ConfigError> {
        if disabled {
            return Ok(Config::default());
        }
        match explicit {
            Some(path) => Config::load(catalog, path),
            None => {
                let path = Path::new(DEFAULT_FILE);
                if path.is_file() {
                    Config::load(catalog, path)
                } else {
                    Ok(Config::default())
                }
            }
        }
    }

    pub fn load(catalog: &Catalog, path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.display().to_string(),
            line: None,
            message: format!("cannot read the configuration: {e}"),
        })?;
        let mut config = Config::parse(catalog, &text, &path.display().to_string())?;
        config.source = Some(path.to_owned());
        Ok(config)
    }

    /// Parses and validates configuration text; `file` names it in errors.
    pub fn parse(catalog: &Catalog, text: &str, file: &str) -> Result<Config, ConfigError> {
        let at = |span: std::ops::Range<usize>, message: String| ConfigError {
            file: file.to_owned(),
            line: Some(line_of(text, span.start)),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError {
            file: file.to_owned(),
            line: e.span().map(|span| line_of(text, span.start)),
            message: e.message().trim().replace('\n', " "),
        })?;
        let rule = |name: &Spanned<String>| {
            catalog.rule(name.get_ref()).ok_or_else(|| {
                at(
                    name.span(),
                    format!(
                        "unknown rule `{}` (`trailwarden rules list` shows the catalog)",
                        name.get_ref()
                    ),
                )
            })
        };
        let rule_code = |name: &Spanned<String>| rule(name).map(|rule| rule.spec.code.clone());
        let severity = |text: &Spanned<String>| {
            use clap::ValueEnum as _;
            Severity::from_str(text.get_ref(), true).map_err(|_| {
                at(
                    text.span(),
                    format!(
                        "`{}` is not a severity (critical, high, medium, low, info)",
                        text.get_ref()
                    ),
                )
            })
        };

        let mut config = Config::default();
        for name in &raw.rules.include {
            config.include.insert(rule_code(name)?);
        }
        for id in &raw.rules.frameworks {
            let framework = catalog.framework(id.get_ref()).ok_or_else(|| {
                at(
                    id.span(),
                    format!(
                        "unknown framework `{}` (`trailwarden frameworks list` shows them)",
                        id.get_ref()
                    ),
                )
            })?;
            config
                .include
                .extend(framework.rule_codes().into_iter().map(str::to_owned));
        }
        config.selects = !raw.rules.include.is_empty() || !raw.rules.frameworks.is_empty();
        for name in &raw.rules.exclude {
            config.exclude.insert(rule_code(name)?);
        }
        config.min_severity = raw.rules.min_severity.as_ref().map(severity).transpose()?;

        for (name, values) in &raw.parameters {
            let spec = &rule(name)?.spec;
            let code = &spec.code;
            for (name, value) in values {
                let Some(declared) = spec.parameters.get(name.get_ref()) else {
                    return Err(at(name.span(), spec.unknown_parameter(name.get_ref())));
                };
                let text = parameter_text(&declared.default, value.get_ref())
                    .map_err(|m| at(value.span(), format!("{code}.{}: {m}", name.get_ref())))?;
                config.params.push(ParamOverride {
                    rule: code.clone(),
                    name: name.get_ref().clone(),
                    value: text,
                });
            }
        }

        for (rule, level) in &raw.severity {
            config.severities.insert(rule_code(rule)?, severity(level)?);
        }

        for waiver in &raw.waivers {
            let span = waiver.span();
            let waiver = waiver.get_ref();
            let rule = rule_code(&waiver.rule)?;
            let resource = ResourcePattern::new(waiver.resource.get_ref())
                .map_err(|m| at(waiver.resource.span(), format!("waiver resource: {m}")))?;
            let reason = waiver.reason.get_ref().trim();
            if reason.is_empty() {
                return Err(at(
                    waiver.reason.span(),
                    "a waiver needs a reason: say why the risk is accepted".into(),
                ));
            }
            let expires =
                expiry_date(waiver.expires.get_ref()).map_err(|m| at(waiver.expires.span(), m))?;
            let owner = match &waiver.owner {
                Some(owner) if owner.get_ref().trim().is_empty() => {
                    return Err(at(
                        owner.span(),
                        "a waiver's owner, when given, must not be empty".into(),
                    ))
                }
                Some(owner) => Some(owner.get_ref().trim().to_owned()),
                None => None,
            };
            config.waivers.push(Waiver {
                rule,
                resource,
                reason: reason.to_owned(),
                owner,
                expires,
                source: format!("{file}:{}", line_of(text, span.start)),
            });
        }

        config.fail_on = raw
            .gate
            .fail_on
            .as_ref()
            .map(|value| {
                value
                    .get_ref()
                    .parse::<FailOn>()
                    .map_err(|m| at(value.span(), format!("gate.fail_on: {m}")))
            })
            .transpose()?;
        config.allow_incomplete = raw.gate.allow_incomplete;
        Ok(config)
    }

    /// The rules to run: the command line's `--rules`/`--framework` if given, else the
    /// configuration's `include`/`frameworks`, else every rule; then without `exclude` and
    /// below `min_severity` (judged on the severity after overrides).
    pub fn selection(
        &self,
        catalog: &Catalog,
        cli_rules: &[String],
        cli_framework: Option<&str>,
    ) -> Result<Selection, SelectionError> {
        let chosen = if !cli_rules.is_empty() || cli_framework.is_some() {
            Some(Selection::resolve(catalog, cli_rules, cli_framework)?)
        } else if self.selects {
            Some(Selection::of(self.include.iter().cloned()))
        } else {
            None
        };
        let codes: BTreeSet<String> = catalog
            .rules
            .iter()
            .map(|rule| &rule.spec)
            .filter(|spec| chosen.as_ref().is_none_or(|s| s.includes(&spec.code)))
            .filter(|spec| !self.exclude.contains(&spec.code))
            .filter(|spec| {
                self.min_severity
                    .is_none_or(|min| self.severity_of(&spec.code, spec.severity) >= min)
            })
            .map(|spec| spec.code.clone())
            .collect();
        if codes.is_empty() {
            return Err(SelectionError(format!(
                "no rule is selected: the configuration{} excludes every rule chosen",
                self.source
                    .as_ref()
                    .map(|p| format!(" ({})", p.display()))
                    .unwrap_or_default()
            )));
        }
        Ok(Selection::of(codes))
    }

    /// Reports each finding at its rule's severity after the overrides.
    pub fn apply_severities(&self, findings: &mut [crate::engine::Finding]) {
        for finding in findings {
            finding.severity = self.severity_of(&finding.rule_code, finding.severity);
        }
    }

    /// A rule's severity after the configuration's overrides.
    pub fn severity_of(&self, code: &str, catalog_severity: Severity) -> Severity {
        self.severities
            .get(code)
            .copied()
            .unwrap_or(catalog_severity)
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |before| before.matches('\n').count())
        + 1
}

/// A TOML value as the text `--param` would give, after checking it has the parameter's type.
fn parameter_text(default: &ParamValue, value: &toml::Value) -> Result<String, String> {
    let expected = default.type_name();
    let wrong = || format!("expected a {expected}, found a {}", value.type_str());
    match (default, value) {
        (ParamValue::Bool(_), toml::Value::Boolean(b)) => Ok(b.to_string()),
        (ParamValue::Integer(_), toml::Value::Integer(i)) => Ok(i.to_string()),
        (ParamValue::Float(_), toml::Value::Float(f)) => Ok(f.to_string()),
        (ParamValue::Float(_), toml::Value::Integer(i)) => Ok(i.to_string()),
        (ParamValue::String(_), toml::Value::String(s)) => Ok(s.clone()),
        (ParamValue::List(_), toml::Value::Array(items)) => {
            let mut texts = Vec::new();
            for item in items {
                match item {
                    toml::Value::String(s) if s.contains(',') => {
                        return Err(format!("list element `{s}` contains a comma"))
                    }
                    toml::Value::String(s) => texts.push(s.clone()),
                    _ => return Err(wrong()),
                }
            }
            Ok(texts.join(","))
        }
        _ => Err(wrong()),
    }
}

/// `expires = 2027-03-31` (a TOML date) or `"2027-03-31"`.
fn expiry_date(value: &toml::Value) -> Result<NaiveDate, String> {
    let text = match value {
        toml::Value::Datetime(datetime) if datetime.date.is_some() && datetime.time.is_none() => {
            datetime.to_string()
        }
        toml::Value::String(text) => text.clone(),
        _ => {
            return Err(format!(
                "a waiver's expires must be a date like 2027-03-31, found `{value}`"
            ))
        }
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("a waiver's expires must be a date like 2027-03-31, found `{text}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        let catalog = Catalog::builtin().expect("catalog");
        Config::parse(&catalog, text, "trailwarden.toml").map_err(|e| e.to_string())
    }

    #[test]
    fn a_full_configuration_is_read() {
        let config = parse(
            r#"
[rules]
frameworks = ["cis-aws-5.0"]
include = ["trail-tagged"]
exclude = ["TW205"]
min_severity = "low"

[parameters.TW501]
min_retention_days = 3650

[parameters.TW109]
dynamodb_tables = ["arn:aws:dynamodb:us-east-1:111122223333:table/orders"]

[severity]
TW117 = "high"

[[waivers]]
rule = "log-bucket-mfa-delete"
resource = "acme-*"
reason = "MFA delete needs the root user; tracked in SEC-42"
expires = 2027-03-31
owner = "platform-team"

[gate]
fail_on = "medium"
allow_incomplete = true
"#,
        )
        .expect("valid configuration");
        assert!(config.include.contains("TW101") && config.include.contains("TW117"));
        assert!(config.exclude.contains("TW205"));
        assert_eq!(config.min_severity, Some(Severity::Low));
        assert_eq!(config.params.len(), 2);
        assert_eq!(config.severities.get("TW117"), Some(&Severity::High));
        assert_eq!(config.waivers[0].rule, "TW205");
        assert_eq!(config.waivers[0].source, "trailwarden.toml:17");
        assert_eq!(config.fail_on, Some(FailOn::AtLeast(Severity::Medium)));
        assert_eq!(config.allow_incomplete, Some(true));
    }

    #[test]
    fn every_mistake_names_its_line() {
        let cases = [
            ("[rules]\nincldue = [\"TW101\"]\n", ":2:", "unknown field `incldue`"),
            ("[rules]\ninclude = [\n  \"TW101\",\n  \"TW999\",\n]\n", ":4:", "unknown rule `TW999`"),
            ("[severity]\n\nTW998 = \"high\"\n", ":3:", "unknown rule `TW998`"),
            ("[severity]\nTW101 = \"urgent\"\n", ":2:", "not a severity"),
            ("[parameters.TW501]\nmin_retention = 1\n", ":2:", "has no parameter"),
            ("[parameters.TW501]\nmin_retention_days = \"long\"\n", ":2:", "expected a integer"),
            (
                "[[waivers]]\nrule = \"TW205\"\nresource = \"*\"\nexpires = 2027-01-01\n",
                ":1:",
                "missing field `reason`",
            ),
            (
                "[[waivers]]\nrule = \"TW205\"\nresource = \"*\"\nreason = \"x\"\n",
                ":1:",
                "missing field `expires`",
            ),
            (
                "[[waivers]]\nrule = \"TW205\"\nresource = \"*\"\nreason = \"  \"\nexpires = 2027-01-01\n",
                ":4:",
                "needs a reason",
            ),
            (
                "[[waivers]]\nrule = \"TW205\"\nresource = \"*\"\nreason = \"r\"\nexpires = \"next year\"\n",
                ":5:",
                "date like",
            ),
            ("[gate]\nfail_on = \"sometimes\"\n", ":2:", "gate.fail_on"),
            ("[rules\n", ":1:", ""),
        ];
        for (text, line, message) in cases {
            let error = parse(text).expect_err(text);
            assert!(
                error.starts_with(&format!("trailwarden.toml{line}")) && error.contains(message),
                "{text:?} gave {error:?}"
            );
            assert!(!error.contains('\n'), "one line: {error:?}");
        }
    }

    #[test]
    fn selection_follows_command_line_then_configuration() {
        let catalog = Catalog::builtin().expect("catalog");
        let config = parse(
            "[rules]\ninclude = [\"TW101\", \"TW117\", \"TW205\"]\nexclude = [\"TW205\"]\nmin_severity = \"low\"\n",
        )
        .expect("valid");
        let selection = config.selection(&catalog, &[], None).expect("selection");
        assert!(selection.includes("TW101"));
        assert!(!selection.includes("TW117"), "info is below min_severity");
        assert!(!selection.includes("TW205"), "excluded");
        assert!(!selection.includes("TW102"), "not included");
        let cli = config
            .selection(&catalog, &["TW102".to_owned(), "TW205".to_owned()], None)
            .expect("selection");
        assert!(cli.includes("TW102") && !cli.includes("TW101") && !cli.includes("TW205"));
        let raised = parse("[rules]\nmin_severity = \"high\"\n[severity]\nTW117 = \"critical\"\n")
            .expect("valid")
            .selection(&catalog, &[], None)
            .expect("selection");
        assert!(raised.includes("TW117") && !raised.includes("TW102"));
        let none = parse("[rules]\ninclude = [\"TW117\"]\nexclude = [\"TW117\"]\n")
            .expect("valid")
            .selection(&catalog, &[], None);
        assert!(none.is_err());
    }
}
