//! Which rules run: every rule of the catalog, or those named, or a framework's.

use super::Catalog;
use std::collections::BTreeSet;

/// A rule or framework that is not in the catalog, or a selection of nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectionError(pub String);

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
    ) -> Result<Selection, SelectionError> {
        let mut codes = BTreeSet::new();
        for wanted in rules {
            let rule = catalog.rule(wanted).ok_or_else(|| {
                SelectionError(format!(
                    "unknown rule `{wanted}`: `trailwarden rules list` shows the catalog"
                ))
            })?;
            codes.insert(rule.spec.code.clone());
        }
        if let Some(id) = framework {
            let framework = catalog.framework(id).ok_or_else(|| {
                SelectionError(format!(
                    "unknown framework `{id}`: `trailwarden frameworks list` shows them"
                ))
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
