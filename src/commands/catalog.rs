//! The catalog commands: `rules`, `frameworks` and `iam-policy`.

use super::assess::judge;
use super::AppError;
use crate::cli::{EvaluationArgs, FrameworksCommand, ListFormat, RulesCommand};
use crate::engine::{Catalog, ExitCode};
use crate::inventory::Inventory;
use crate::report;

/// `iam-policy`: the least-privilege policy a scan needs, from the read-only allowlist.
pub(super) fn iam_policy() -> Result<ExitCode, AppError> {
    crate::output::write(None, &crate::aws::permissions::iam_policy_json())?;
    Ok(ExitCode::Success)
}

/// `rules list`, `rules show` and (hidden) `rules docs`.
pub(super) fn rules(catalog: &Catalog, command: RulesCommand) -> Result<ExitCode, AppError> {
    let text = match command {
        RulesCommand::List {
            format: ListFormat::Table,
        } => report::catalog::rules_table(catalog),
        RulesCommand::List {
            format: ListFormat::Json,
        } => report::catalog::rules_json(catalog).map_err(|e| AppError::Runtime(e.to_string()))?,
        RulesCommand::Show { rule } => {
            let rule = catalog.rule(&rule).ok_or_else(|| {
                AppError::Usage(format!(
                    "unknown rule `{rule}`: `trailwarden rules list` shows the catalog"
                ))
            })?;
            crate::docs::rule_page(catalog, rule)
        }
        RulesCommand::Docs { out } => {
            crate::docs::write_all(catalog, &out)?;
            return Ok(ExitCode::Success);
        }
    };
    crate::output::write(None, &text)?;
    Ok(ExitCode::Success)
}

/// `frameworks list` and `frameworks show` (with `--snapshot` or `--demo`, each control's
/// status over that inventory, through the one assessment pipeline).
pub(super) fn frameworks(
    catalog: &Catalog,
    command: FrameworksCommand,
) -> Result<ExitCode, AppError> {
    let text = match command {
        FrameworksCommand::List {
            format: ListFormat::Table,
        } => report::catalog::frameworks_table(catalog),
        FrameworksCommand::List {
            format: ListFormat::Json,
        } => report::catalog::frameworks_json(catalog)
            .map_err(|e| AppError::Runtime(e.to_string()))?,
        FrameworksCommand::Show {
            id,
            format,
            snapshot,
            demo,
        } => {
            let framework = catalog.framework(&id).ok_or_else(|| {
                AppError::Usage(format!(
                    "unknown framework `{id}`: `trailwarden frameworks show` needs an id from `trailwarden frameworks list`"
                ))
            })?;
            let inventory = match (snapshot, demo) {
                (Some(path), _) => Some((Inventory::load(&path)?, path.display().to_string())),
                (None, true) => Some((
                    crate::demo::inventory()
                        .map_err(|e| AppError::Runtime(format!("built-in demo: {e}")))?,
                    "the built-in demo organization".to_owned(),
                )),
                (None, false) => None,
            };
            if let Some((inventory, origin)) = inventory {
                let args = EvaluationArgs {
                    rules: Vec::new(),
                    framework: Some(framework.id.clone()),
                    params: Vec::new(),
                    now: None,
                    strict_patterns: false,
                    config: None,
                    no_config: false,
                    baseline: None,
                };
                let judged = judge(catalog, &inventory, &args, Default::default())?;
                let view = judged
                    .framework
                    .unwrap_or_else(|| framework.view(&judged.evaluation.findings));
                let text = match format {
                    ListFormat::Table => {
                        report::table::framework_status(&view, &origin, &inventory)
                    }
                    ListFormat::Json => serde_json::to_string_pretty(&view)
                        .map(|text| text + "\n")
                        .map_err(|e| AppError::Runtime(e.to_string()))?,
                };
                crate::output::write(None, &text)?;
                return Ok(ExitCode::Success);
            }
            match format {
                ListFormat::Table => report::catalog::framework_table(framework),
                ListFormat::Json => report::catalog::framework_json(framework)
                    .map_err(|e| AppError::Runtime(e.to_string()))?,
            }
        }
    };
    crate::output::write(None, &text)?;
    Ok(ExitCode::Success)
}
