//! `scan` and `collect`: arguments → scope → collection → the inventory, its snapshot file
//! and a one-line summary.

use super::{async_runtime, aws_options, AppError};
use crate::aws::clients::Clients;
use crate::aws::guard::ApiCallLog;
use crate::aws::limits::Limits;
use crate::cli::AwsArgs;
use crate::collect::{self, CollectSettings};
use crate::inventory::Inventory;
use crate::progress::ScanProgress;
use crate::scope::sessions::RoleSpec;
use crate::scope::{AccountScope, ScopeSettings};

/// Collects the accounts in scope live. The async runtime lives only as long as the scan.
pub(super) fn collect_live(aws: &AwsArgs, verbose: bool) -> Result<Inventory, AppError> {
    let options = crate::aws::sdk_config::AwsOptions {
        region: aws.region.clone(),
        ..aws_options(&aws.connection)
    };
    let scope_settings = ScopeSettings {
        regions: aws.regions.clone(),
        accounts: AccountScope {
            organization: aws.accounts.org,
            accounts: aws.accounts.accounts.clone(),
            exclude: aws.accounts.exclude_accounts.clone(),
            role: RoleSpec {
                name: aws.accounts.role_name.clone(),
                external_id: aws.accounts.external_id.clone(),
                session_name: aws.accounts.role_session_name.clone(),
            },
        },
    };
    let settings = CollectSettings {
        max_concurrency: aws.max_concurrency as usize,
        verify_logs_window: aws.verify_logs_window,
    };
    let runtime = async_runtime()?;
    let progress = ScanProgress::for_terminal(verbose);
    let limits = Limits::new(settings.max_concurrency);
    let inventory = runtime.block_on(async {
        let config = crate::aws::sdk_config::sdk_config(&options).await;
        let caller = Clients::new(config, ApiCallLog::new(progress.clone()));
        let scope = crate::scope::resolve(caller, &scope_settings, &limits, &progress).await?;
        Ok::<_, AppError>(collect::collect(scope, &settings, &limits, &progress).await)
    });
    progress.finish();
    inventory
}

pub(super) fn write_snapshot(
    inventory: &Inventory,
    path: &std::path::Path,
) -> Result<(), AppError> {
    let mut json = inventory
        .to_json()
        .map_err(|e| AppError::Runtime(format!("cannot serialize the snapshot: {e}")))?;
    json.push('\n');
    Ok(crate::output::write(Some(path), &json)?)
}

/// One line about what a collection saw, for standard error.
pub(super) fn collection_summary(inventory: &Inventory) -> String {
    let regions = inventory
        .accounts
        .values()
        .flat_map(|a| a.regions.values())
        .filter(|r| r.skipped.is_none())
        .count();
    let (calls, failed) = inventory
        .collection
        .iter()
        .flat_map(|c| &c.api_calls)
        .fold((0, 0), |(calls, failed), c| {
            (calls + c.calls, failed + c.errors)
        });
    format!(
        "{} account(s), {regions} region(s), {} trail(s), {} bucket(s), {} KMS key(s), \
         {} log group(s); {calls} AWS calls ({failed} answered with an error, \"not configured\" answers included)",
        inventory.accounts.len(),
        inventory.trails.len(),
        inventory.buckets.len(),
        inventory.kms_keys.len(),
        inventory.log_groups.len(),
    )
}
