//! `plan`: a Terraform plan (or state) converted into an inventory, judged by the one
//! assessment pipeline; a plan made against existing state is compared with that state.

use super::assess::{self, PlanSource};
use super::{async_runtime, aws_options, AppError};
use crate::aws::clients::Clients;
use crate::aws::guard::ApiCallLog;
use crate::aws::limits::Limits;
use crate::cli::PlanArgs;
use crate::collect::{self, CollectSettings, Wanted};
use crate::engine::{Catalog, ExitCode, SourceLocation};
use crate::inventory::{keyed, ErrorKind, Inventory, Observed};
use crate::progress::ScanProgress;
use crate::scope::sessions::RoleSpec;
use crate::scope::{AccountScope, RegionSelection, ScopeSettings};
use crate::terraform::{self, Converted, PlanOptions};
use std::collections::BTreeMap;

pub(super) fn run(catalog: &Catalog, args: &PlanArgs) -> Result<ExitCode, AppError> {
    let path = &args.plan;
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::Usage(format!("cannot read {}: {e}", path.display())))?;
    let options = PlanOptions {
        account_id: args.account_id.clone(),
        tf_dir: Some(args.tf_dir.clone()),
    };
    let mut converted = terraform::convert(&text, &options)
        .map_err(|e| AppError::Usage(format!("{}: {e}", path.display())))?;
    if args.live {
        live(args, &mut converted)?;
    }
    let locations: BTreeMap<String, SourceLocation> = converted
        .addresses
        .iter()
        .map(|(key, address)| {
            let place = converted.places.get(address);
            (
                key.clone(),
                SourceLocation {
                    address: address.clone(),
                    file: place.map(|p| p.file.clone()),
                    line: place.map(|p| p.line),
                },
            )
        })
        .collect();
    assess::run_plan(
        catalog,
        &converted.planned,
        &args.assessment,
        true,
        PlanSource {
            prior: converted.prior.as_ref(),
            locations: Some(&locations),
        },
    )
}

/// `--live`: reads what the plan refers to but does not hold, and puts it in the planned
/// inventory in place of the entries that said so.
fn live(args: &PlanArgs, converted: &mut Converted) -> Result<(), AppError> {
    let planned = &converted.planned;
    let account_block_missing = planned.accounts.values().any(|a| {
        matches!(&a.s3_public_access_block, Observed::Error(e) if e.kind == ErrorKind::NotCollected)
    });
    let missing = &converted.missing;
    let wanted = Wanted {
        buckets: missing.buckets.iter().cloned().collect(),
        kms_keys: missing.kms_keys.iter().cloned().collect(),
        log_groups: missing.log_groups.iter().cloned().collect(),
        topics: missing.topics.iter().cloned().collect(),
        account_public_access_block: account_block_missing,
    };
    if wanted == Wanted::default() {
        tracing::info!("--live: the plan holds everything it refers to; nothing to read");
        return Ok(());
    }
    let options = crate::aws::sdk_config::AwsOptions {
        region: args.region.clone(),
        ..aws_options(&args.connection)
    };
    let scope_settings = ScopeSettings {
        regions: RegionSelection::All,
        accounts: AccountScope {
            organization: false,
            accounts: None,
            exclude: Vec::new(),
            role: RoleSpec {
                name: "OrganizationAccountAccessRole".to_owned(),
                external_id: None,
                session_name: "trailwarden".to_owned(),
            },
        },
    };
    let settings = CollectSettings {
        max_concurrency: 32,
        verify_logs_window: None,
    };
    let progress = ScanProgress::for_terminal(false);
    let limits = Limits::new(settings.max_concurrency);
    let runtime = async_runtime()?;
    let read = runtime.block_on(async {
        let config = crate::aws::sdk_config::sdk_config(&options).await;
        let caller = Clients::new(config, ApiCallLog::new(progress.clone()));
        let scope = crate::scope::resolve(caller, &scope_settings, &limits, &progress).await?;
        Ok::<_, AppError>(collect::resources(scope, &wanted, &settings, &limits, &progress).await)
    });
    progress.finish();
    let read = read?;
    let plan_account = planned
        .identity
        .as_ref()
        .map(|i| i.account.clone())
        .unwrap_or_default();
    let live_account = read
        .identity
        .as_ref()
        .map(|i| i.account.as_str())
        .unwrap_or_default();
    if live_account != plan_account {
        return Err(AppError::Usage(format!(
            "--live: your credentials are of account {live_account}, the plan applies to {plan_account}: use credentials of the plan's account (or --account-id)"
        )));
    }
    merge(&mut converted.planned, read, &wanted);
    Ok(())
}

/// The live observations in place of the plan's "not in the plan" entries.
fn merge(planned: &mut Inventory, read: Inventory, wanted: &Wanted) {
    for bucket in read.buckets.into_values() {
        keyed::insert(&mut planned.buckets, bucket);
    }
    for mut key in read.kms_keys.into_values() {
        // The plan refers to the key by the ARN (or alias) it named: keep that name on it.
        for reference in &wanted.kms_keys {
            if reference != &key.arn && planned.kms_keys.remove(reference).is_some() {
                key.aliases.push(reference.clone());
            }
        }
        planned.kms_keys.remove(&key.arn);
        keyed::insert(&mut planned.kms_keys, key);
    }
    for group in read.log_groups.into_values() {
        planned.log_groups.remove(&group.arn);
        keyed::insert(&mut planned.log_groups, group);
    }
    for topic in read.topics.into_values() {
        planned.topics.remove(&topic.arn);
        keyed::insert(&mut planned.topics, topic);
    }
    if wanted.account_public_access_block {
        if let Some(live) = read.accounts.into_values().next() {
            if let Some(account) = planned.accounts.get_mut(&live.id) {
                account.s3_public_access_block = live.s3_public_access_block;
            }
        }
    }
}
