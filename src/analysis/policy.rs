//! Resource policies (S3 bucket policies, KMS key policies), read as AWS reads them.
//!
//! The document is parsed leniently in shape — `Statement` as one object or a list,
//! `Principal` as `"*"`, a string or a map of lists, `Action`/`Resource` as a string or a
//! list, `NotPrincipal`/`NotAction`/`NotResource` — and strictly in meaning: a statement whose
//! parts cannot be read makes the whole document unreadable (an error, never a guess).
//! Keys of conditions are compared case-insensitively, as IAM does; actions and resources
//! are matched with IAM's `*` and `?` wildcards.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sid: Option<String>,
    pub allow: bool,
    pub principal: Principals,
    /// Action patterns; with `not_action` they name what the statement does *not* cover.
    pub actions: Vec<String>,
    pub not_action: bool,
    pub resources: Vec<String>,
    pub not_resource: bool,
    pub conditions: Vec<Condition>,
}

/// Who a statement applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principals {
    /// `"*"` or `{"AWS": "*"}`: anyone.
    Anyone,
    /// `NotPrincipal`: everyone except these — as broad as anyone for a grant.
    AllExcept(Vec<String>),
    /// Named principals: `(kind, value)`, e.g. `("Service", "cloudtrail.amazonaws.com")`.
    Named(Vec<(String, String)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The operator as written, e.g. `StringEquals`, `ForAnyValue:StringLike`, `BoolIfExists`.
    pub operator: String,
    /// The key, lower-cased (IAM condition keys are case-insensitive).
    pub key: String,
    pub values: Vec<String>,
}

impl Condition {
    /// The operator without set qualifiers or `IfExists`: `StringLike`, `Bool`, ...
    pub fn base_operator(&self) -> &str {
        let op = self
            .operator
            .strip_prefix("ForAnyValue:")
            .or_else(|| self.operator.strip_prefix("ForAllValues:"))
            .unwrap_or(&self.operator);
        op.strip_suffix("IfExists").unwrap_or(op)
    }

    /// Whether the condition restricts `key` to named values: a positive string or ARN
    /// comparison with at least one value that is not a bare wildcard, which a request
    /// without the key fails. `…IfExists` and `ForAllValues:` are true when the key is
    /// absent (an anonymous request has no aws:PrincipalOrgID), so they restrict nothing.
    pub fn restricts(&self, key: &str) -> bool {
        let absent_key_passes =
            self.operator.ends_with("IfExists") || self.operator.starts_with("ForAllValues:");
        !absent_key_passes
            && self.key.eq_ignore_ascii_case(key)
            && matches!(
                self.base_operator(),
                "StringEquals" | "StringEqualsIgnoreCase" | "StringLike" | "ArnEquals" | "ArnLike"
            )
            && !self.values.is_empty()
            && self.values.iter().all(|v| v.trim_matches('*').len() > 1)
    }
}

/// A policy document that cannot be read: what could not be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(String);

/// Parses a policy document; the error says what could not be read.
pub fn parse(text: &str) -> Result<Policy, PolicyError> {
    let document: Value = serde_json::from_str(text)
        .map_err(|e| PolicyError(format!("the policy is not JSON ({e})")))?;
    let statements = match document.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect::<Vec<_>>(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(_) => {
            return Err(PolicyError(
                "`Statement` is neither an object nor a list".into(),
            ))
        }
        None => return Err(PolicyError("the policy has no `Statement`".into())),
    };
    let statements = statements
        .into_iter()
        .enumerate()
        .map(|(index, statement)| {
            statement_of(statement)
                .map_err(|e| PolicyError(format!("statement {}: {e}", index + 1)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Policy { statements })
}

fn strings(value: &Value, what: &str) -> Result<Vec<String>, String> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(list) => list
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                Value::Bool(b) => Ok(b.to_string()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(format!("`{what}` holds a value that is not a string")),
            })
            .collect(),
        Value::Bool(b) => Ok(vec![b.to_string()]),
        Value::Number(n) => Ok(vec![n.to_string()]),
        _ => Err(format!("`{what}` is neither a string nor a list")),
    }
}

fn named(value: &Value, what: &str) -> Result<Vec<(String, String)>, String> {
    match value {
        Value::String(s) => Ok(vec![("AWS".into(), s.clone())]),
        Value::Object(map) => {
            let mut all = Vec::new();
            for (kind, values) in map {
                for v in strings(values, what)? {
                    all.push((kind.clone(), v));
                }
            }
            Ok(all)
        }
        _ => Err(format!("`{what}` is neither a string nor a map")),
    }
}

fn statement_of(statement: &Value) -> Result<Statement, String> {
    let Value::Object(fields) = statement else {
        return Err("not an object".into());
    };
    let allow = match fields.get("Effect").and_then(Value::as_str) {
        Some("Allow") => true,
        Some("Deny") => false,
        Some(other) => return Err(format!("unknown `Effect` {other:?}")),
        None => return Err("no `Effect`".into()),
    };
    let principal = match (fields.get("Principal"), fields.get("NotPrincipal")) {
        (Some(p), None) => {
            let names = named(p, "Principal")?;
            if names.iter().any(|(kind, v)| kind == "AWS" && v == "*") || p == "*" {
                Principals::Anyone
            } else {
                Principals::Named(names)
            }
        }
        (None, Some(p)) => Principals::AllExcept(
            named(p, "NotPrincipal")?
                .into_iter()
                .map(|(_, v)| v)
                .collect(),
        ),
        (None, None) => Principals::Named(Vec::new()),
        (Some(_), Some(_)) => return Err("both `Principal` and `NotPrincipal`".into()),
    };
    let pick = |positive: &str, negative: &str| -> Result<(Vec<String>, bool), String> {
        match (fields.get(positive), fields.get(negative)) {
            (Some(v), None) => Ok((strings(v, positive)?, false)),
            (None, Some(v)) => Ok((strings(v, negative)?, true)),
            (None, None) => Ok((Vec::new(), false)),
            (Some(_), Some(_)) => Err(format!("both `{positive}` and `{negative}`")),
        }
    };
    let (actions, not_action) = pick("Action", "NotAction")?;
    let (resources, not_resource) = pick("Resource", "NotResource")?;
    let mut conditions = Vec::new();
    match fields.get("Condition") {
        None | Some(Value::Null) => {}
        Some(Value::Object(operators)) => {
            for (operator, keys) in operators {
                let Value::Object(keys) = keys else {
                    return Err(format!("condition `{operator}` is not a map"));
                };
                for (key, values) in keys {
                    conditions.push(Condition {
                        operator: operator.clone(),
                        key: key.to_ascii_lowercase(),
                        values: strings(values, "Condition")?,
                    });
                }
            }
        }
        Some(_) => return Err("`Condition` is not a map".into()),
    }
    Ok(Statement {
        sid: fields.get("Sid").and_then(Value::as_str).map(str::to_owned),
        allow,
        principal,
        actions,
        not_action,
        resources,
        not_resource,
        conditions,
    })
}

/// IAM wildcard match: `*` any run of characters, `?` one character; case-insensitive
/// when `fold` (actions), exact otherwise (resources).
pub fn wildcard_match(pattern: &str, text: &str, fold: bool) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) = if fold {
        (
            pattern.to_lowercase().chars().collect(),
            text.to_lowercase().chars().collect(),
        )
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    // Iterative matching with backtracking to the last `*`: linear in practice, no recursion.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

impl Statement {
    /// A label for messages: the Sid, else the position.
    pub fn label(&self, index: usize) -> String {
        match &self.sid {
            Some(sid) if !sid.is_empty() => format!("statement {sid:?}"),
            _ => format!("statement {}", index + 1),
        }
    }

    /// Whether the statement covers `action` (e.g. `s3:PutObject`). With a pattern for
    /// `action` (`s3:*`), whether it covers every action the pattern names.
    pub fn covers_action(&self, action: &str) -> bool {
        let listed = self
            .actions
            .iter()
            .any(|pattern| wildcard_match(pattern, action, true));
        listed != self.not_action
    }

    /// Whether the statement covers the resource `arn` (or every ARN of the pattern `arn`).
    pub fn covers_resource(&self, arn: &str) -> bool {
        let listed = self
            .resources
            .iter()
            .any(|pattern| wildcard_match(pattern, arn, false));
        listed != self.not_resource
    }

    /// Whether the statement applies to anyone (`*`, `{"AWS": "*"}` or `NotPrincipal`).
    pub fn anyone(&self) -> bool {
        matches!(
            self.principal,
            Principals::Anyone | Principals::AllExcept(_)
        )
    }

    /// Whether the statement names the service principal `service`.
    pub fn names_service(&self, service: &str) -> bool {
        match &self.principal {
            Principals::Named(names) => names
                .iter()
                .any(|(kind, v)| kind == "Service" && v.eq_ignore_ascii_case(service)),
            _ => false,
        }
    }

    /// The condition keys among `keys` that this statement restricts to named values.
    pub fn restricted_keys<'k>(&self, keys: &[&'k str]) -> Vec<&'k str> {
        keys.iter()
            .copied()
            .filter(|key| self.conditions.iter().any(|c| c.restricts(key)))
            .collect()
    }
}

/// Condition keys that confine a grant to named principals, accounts, organizations or
/// networks: a wildcard principal with one of them is not open to anyone.
pub const SCOPING_KEYS: &[&str] = &[
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "kms:CallerAccount",
    "kms:ViaService",
];

/// Allow statements open to anyone without a scoping condition, as "statement X".
pub fn open_grants(policy: &Policy) -> Vec<String> {
    policy
        .statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.allow && s.anyone() && s.restricted_keys(SCOPING_KEYS).is_empty())
        .map(|(index, s)| s.label(index))
        .collect()
}

/// How a policy lets a service principal perform an action.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceGrants {
    /// Grants confined by one of the required condition keys: (statement, keys).
    pub scoped: Vec<(String, Vec<String>)>,
    /// Grants without such a condition.
    pub unscoped: Vec<String>,
}

/// The Allow statements that let `service` perform `action`, split by whether they are
/// confined by one of `required_keys`.
pub fn service_grants(
    policy: &Policy,
    service: &str,
    action: &str,
    required_keys: &[&str],
) -> ServiceGrants {
    let mut grants = ServiceGrants::default();
    for (index, statement) in policy.statements.iter().enumerate() {
        if !statement.allow || !statement.names_service(service) || !statement.covers_action(action)
        {
            continue;
        }
        let keys = statement.restricted_keys(required_keys);
        if keys.is_empty() {
            grants.unscoped.push(statement.label(index));
        } else {
            grants.scoped.push((
                statement.label(index),
                keys.into_iter().map(str::to_owned).collect(),
            ));
        }
    }
    grants
}

/// What a resource policy that CloudTrail uses must say: the action CloudTrail needs and the
/// condition keys that confine it to named trails or accounts.
pub struct ServiceUse<'a> {
    pub service: &'a str,
    /// The service as messages name it, e.g. "CloudTrail".
    pub who: &'a str,
    pub action: &'a str,
    pub required_keys: &'a [&'a str],
    /// Completes "… let(s) CloudTrail …": what the grant allows, e.g. "write".
    pub verb: &'a str,
}

/// Why `policy` lets the service act too broadly or not at all, or grants to anyone: empty
/// when every grant to the service is confined and nothing is open. On success, the
/// confining statements, for the message.
pub fn confinement(policy: &Policy, usage: &ServiceUse) -> Result<Vec<String>, Vec<String>> {
    let grants = service_grants(policy, usage.service, usage.action, usage.required_keys);
    let open = open_grants(policy);
    let mut problems = Vec::new();
    if !open.is_empty() {
        problems.push(format!(
            "{} grant(s) access to anyone without a scoping condition",
            open.join(", ")
        ));
    }
    if !grants.unscoped.is_empty() {
        problems.push(format!(
            "{} let(s) {} {} without an {} condition: a trail of any account could do the same",
            grants.unscoped.join(", "),
            usage.who,
            usage.verb,
            usage.required_keys.join(" or ")
        ));
    }
    if grants.scoped.is_empty() && grants.unscoped.is_empty() {
        problems.push(format!("no statement lets {} {}", usage.who, usage.verb));
    }
    if problems.is_empty() {
        Ok(grants
            .scoped
            .iter()
            .map(|(label, keys)| format!("{label} ({})", keys.join(", ")))
            .collect())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_an_absent_key_passes_confine_nobody() {
        let open_under = |operator: &str| {
            let text = format!(
                r#"{{"Statement":{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
                   "Condition":{{"{operator}":{{"aws:PrincipalOrgID":["o-abcdefghij"]}}}}}}}}"#
            );
            !open_grants(&parse(&text).unwrap()).is_empty()
        };
        assert!(!open_under("StringEquals"));
        assert!(!open_under("ForAnyValue:StringEquals"));
        assert!(open_under("StringEqualsIfExists"));
        assert!(open_under("ForAllValues:StringEquals"));
        assert!(open_under("ForAllValues:StringLikeIfExists"));
    }

    #[test]
    fn shapes_are_read_leniently() {
        let p = parse(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#).unwrap();
        assert!(p.statements[0].anyone());
        let p = parse(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root","*"]},"Action":["s3:*"]}]}"#).unwrap();
        assert!(p.statements[0].anyone());
        let p = parse(r#"{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"NotAction":"s3:Delete*"}]}"#).unwrap();
        assert!(p.statements[0].anyone());
        assert!(p.statements[0].covers_action("s3:GetObject"));
        assert!(!p.statements[0].covers_action("s3:DeleteObject"));
    }

    #[test]
    fn unreadable_documents_are_errors() {
        assert!(parse("not json").is_err());
        assert!(parse(r#"{"Version":"2012-10-17"}"#).is_err());
        assert!(parse(r#"{"Statement":[{"Effect":"Maybe"}]}"#).is_err());
        assert!(parse(r#"{"Statement":[{"Effect":"Allow","Action":{"a":1}}]}"#).is_err());
        assert!(
            parse(r#"{"Statement":[{"Effect":"Allow","Condition":{"StringEquals":"x"}}]}"#)
                .is_err()
        );
    }

    #[test]
    fn wildcards_match_as_iam_does() {
        assert!(wildcard_match("s3:*", "s3:PutObject", true));
        assert!(wildcard_match("S3:put*", "s3:PutObject", true));
        assert!(wildcard_match("*", "kms:GenerateDataKey", true));
        assert!(wildcard_match(
            "kms:GenerateDataKey*",
            "kms:GenerateDataKey",
            true
        ));
        assert!(!wildcard_match("s3:Get*", "s3:PutObject", true));
        assert!(wildcard_match(
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::b/*",
            false
        ));
        assert!(wildcard_match(
            "arn:aws:s3:::b*",
            "arn:aws:s3:::b/AWSLogs/x",
            false
        ));
        assert!(!wildcard_match("arn:aws:s3:::b", "arn:aws:s3:::b/*", false));
        assert!(wildcard_match("a?c", "abc", false));
        assert!(!wildcard_match("a?c", "ac", false));
    }

    #[test]
    fn service_grants_need_the_required_condition() {
        let p = parse(r#"{"Statement":[
            {"Sid":"Scoped","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject",
             "Condition":{"StringEquals":{"AWS:SourceArn":"arn:aws:cloudtrail:us-east-1:1:trail/t"}}},
            {"Sid":"Loose","Effect":"Allow","Principal":{"Service":["cloudtrail.amazonaws.com"]},"Action":"s3:*"},
            {"Sid":"Wild","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject",
             "Condition":{"StringLike":{"aws:SourceArn":"*"}}}]}"#).unwrap();
        let g = service_grants(
            &p,
            "cloudtrail.amazonaws.com",
            "s3:PutObject",
            &["aws:SourceArn", "aws:SourceAccount"],
        );
        assert_eq!(g.scoped.len(), 1);
        assert_eq!(
            g.unscoped,
            vec!["statement \"Loose\"", "statement \"Wild\""]
        );
    }

    #[test]
    fn open_grants_ignore_scoped_and_deny_statements() {
        let p = parse(r#"{"Statement":[
            {"Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
            {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}},
            {"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]}"#).unwrap();
        assert_eq!(open_grants(&p), vec!["statement 3"]);
    }
}
