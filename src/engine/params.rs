//! Parameter overrides from the command line and the configuration, resolved against the
//! catalog's typed defaults (`rule::ParamValue`) before evaluation starts.

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
    use crate::rule::ParamValue;

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
