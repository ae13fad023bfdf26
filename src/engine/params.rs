//! Rule parameters: typed defaults from the catalog, overridable per run.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A parameter value. Its type is fixed by the default in the catalog; an override of
/// another type is rejected before evaluation starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(String),
    List(Vec<String>),
}

impl ParamValue {
    pub fn type_name(&self) -> &'static str {
        match self {
            ParamValue::Bool(_) => "boolean",
            ParamValue::Integer(_) => "integer",
            ParamValue::Float(_) => "number",
            ParamValue::String(_) => "string",
            ParamValue::List(_) => "list of strings",
        }
    }

    /// Parses `text` as a value of the same type as `self`.
    pub fn parse_like(&self, text: &str) -> Result<ParamValue, String> {
        let expected = self.type_name();
        let bad = || format!("`{text}` is not a valid {expected}");
        Ok(match self {
            ParamValue::Bool(_) => ParamValue::Bool(text.parse().map_err(|_| bad())?),
            ParamValue::Integer(_) => ParamValue::Integer(text.parse().map_err(|_| bad())?),
            ParamValue::Float(_) => ParamValue::Float(text.parse().map_err(|_| bad())?),
            ParamValue::String(_) => ParamValue::String(text.to_owned()),
            ParamValue::List(_) => ParamValue::List(
                text.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
        })
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(v) => write!(f, "{v}"),
            ParamValue::Integer(v) => write!(f, "{v}"),
            ParamValue::Float(v) => write!(f, "{v}"),
            ParamValue::String(v) => write!(f, "{v:?}"),
            ParamValue::List(v) => write!(
                f,
                "[{}]",
                v.iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// `RULE.NAME=VALUE` from the command line; RULE is a code or a name.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamOverride {
    pub rule: String,
    pub name: String,
    pub value: String,
}

impl std::str::FromStr for ParamOverride {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let usage = || {
            format!("`{text}`: expected RULE.PARAMETER=VALUE, e.g. TW301.max_delivery_age_hours=12")
        };
        let (target, value) = text.split_once('=').ok_or_else(usage)?;
        let (rule, name) = target.split_once('.').ok_or_else(usage)?;
        if rule.is_empty() || name.is_empty() {
            return Err(usage());
        }
        Ok(ParamOverride {
            rule: rule.to_owned(),
            name: name.to_owned(),
            value: value.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_override_syntax() {
        let o: ParamOverride = "TW501.min_retention_days=3650".parse().unwrap();
        assert_eq!(
            (o.rule.as_str(), o.name.as_str(), o.value.as_str()),
            ("TW501", "min_retention_days", "3650")
        );
        assert!("TW501=3".parse::<ParamOverride>().is_err());
        assert!("TW501.x".parse::<ParamOverride>().is_err());
        assert!(".x=1".parse::<ParamOverride>().is_err());
    }

    #[test]
    fn values_keep_the_default_type() {
        assert_eq!(
            ParamValue::Integer(1).parse_like("24").unwrap(),
            ParamValue::Integer(24)
        );
        assert!(ParamValue::Integer(1).parse_like("a day").is_err());
        assert_eq!(
            ParamValue::Bool(false).parse_like("true").unwrap(),
            ParamValue::Bool(true)
        );
        assert_eq!(
            ParamValue::List(vec![]).parse_like("a, b,").unwrap(),
            ParamValue::List(vec!["a".into(), "b".into()])
        );
    }
}
