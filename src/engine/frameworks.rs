//! Framework mappings (`rules/frameworks/*.toml`): the data, and its own consistency.
//!
//! Mappings are written once, here, per framework version; a rule's own documentation shows
//! them by inversion. A control either maps to rules or says why trailwarden does not assess it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// Stable id used on the command line, e.g. `cis-aws-5.0`.
    pub id: String,
    pub name: String,
    pub version: String,
    /// Where the control list comes from, and what in it is unverified.
    pub source: String,
    pub controls: Vec<FrameworkControl>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkControl {
    pub id: String,
    pub title: String,
    /// Profile level (CIS Level 1 / Level 2), where the framework has levels.
    #[serde(default)]
    pub level: Option<u8>,
    #[serde(default)]
    pub assessment: Option<AssessmentMode>,
    /// Rules that together assess the control: it passes only when all their findings pass.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Why trailwarden does not assess this control (instead of `rules`).
    #[serde(default)]
    pub not_assessed: Option<String>,
    /// What the mapped rules do not (yet) cover of the control's text.
    #[serde(default)]
    pub gaps: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssessmentMode {
    Automated,
    Manual,
}

impl Framework {
    /// Checks the mapping against itself and the catalog's rule codes (`known`); the message
    /// names what is wrong, the catalog says in which file.
    pub(super) fn validate(&self, file: &str, known: &BTreeSet<&str>) -> Result<(), String> {
        let fail = |message: String| Err(message);
        if format!("{}.toml", self.id) != file {
            return fail(format!("the file must be named {}.toml", self.id));
        }
        if self.controls.is_empty() {
            return fail("no controls".into());
        }
        let mut seen = BTreeSet::new();
        for control in &self.controls {
            if !seen.insert(control.id.as_str()) {
                return fail(format!("control {} is listed twice", control.id));
            }
            match (control.rules.is_empty(), &control.not_assessed) {
                (true, None) => {
                    return fail(format!(
                        "control {} maps to no rule and gives no `not_assessed` reason",
                        control.id
                    ))
                }
                (false, Some(_)) => {
                    return fail(format!(
                        "control {} has both `rules` and `not_assessed`",
                        control.id
                    ))
                }
                (true, Some(reason)) if reason.trim().is_empty() => {
                    return fail(format!(
                        "control {}: `not_assessed` needs a reason",
                        control.id
                    ))
                }
                _ => {}
            }
            for code in &control.rules {
                if !known.contains(code.as_str()) {
                    return fail(format!("control {} names unknown rule {code}", control.id));
                }
            }
        }
        Ok(())
    }

    /// Every rule code this framework uses.
    pub fn rule_codes(&self) -> BTreeSet<&str> {
        self.controls
            .iter()
            .flat_map(|c| c.rules.iter().map(String::as_str))
            .collect()
    }
}
