//! The second producer of the inventory: a Terraform plan (or state), as `terraform show
//! -json` writes it, converted into the same [`Inventory`] live collection fills, so the same
//! rules judge a change before it is applied.
//!
//! What the plan knows becomes an observation; what it knows only after apply becomes
//! `Observed::Error` of kind `unknown` naming the attribute; a resource the plan refers to
//! but does not hold (a bucket of another workspace, a `data` source's key) is recorded as
//! not collected, naming it. Nothing is guessed: where AWS applies a documented default to
//! a resource the plan creates (default encryption, Block Public Access and ACLs of a new
//! bucket, the default key policy), that default is what the resource will have.
//! `docs/terraform.md` lists what is read.

mod account;
mod bucket;
mod bucket_settings;
mod context;
mod document;
mod locate;
mod monitoring;
mod resources;
mod trail;

use crate::inventory::keyed::KeyedMap;
use crate::inventory::{
    keyed, Account, CallerIdentity, Inventory, Observed, Region, SCHEMA_VERSION,
};
use chrono::{DateTime, Utc};
use context::Context;
use document::{Document, DocumentKind, Instance};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use locate::Place;

/// A document that cannot be converted: one line saying why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PlanError(String);

impl PlanError {
    pub(crate) fn new(message: impl Into<String>) -> PlanError {
        PlanError(message.into())
    }
}

/// How to read a plan.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// The account the plan applies to, when the plan does not say (no
    /// `data.aws_caller_identity`); overrides it when given.
    pub account_id: Option<String>,
    /// The configuration directory: where each resource block is written is looked up there.
    pub tf_dir: Option<std::path::PathBuf>,
}

/// A converted plan: what will be, and for a plan made against existing state, what was.
#[derive(Debug)]
pub struct Converted {
    pub planned: Inventory,
    /// The prior state as an inventory, when the plan has managed resources in it.
    pub prior: Option<Inventory>,
    /// Each resource key of the inventories (ARN, bucket name, placeholder) → its Terraform
    /// address, for reports to point at the code.
    pub addresses: BTreeMap<String, String>,
    /// Resource keys the plan refers to but does not contain (for `--live`).
    pub missing: Missing,
    /// Each Terraform address → its block's `.tf` file and line (with `tf_dir`).
    pub places: BTreeMap<String, Place>,
}

/// What the plan names but does not hold.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Missing {
    pub buckets: BTreeSet<String>,
    pub kms_keys: BTreeSet<String>,
    pub log_groups: BTreeSet<String>,
    pub topics: BTreeSet<String>,
}

/// The resource types the converter reads; a plan with none of them has nothing to judge.
const READ_TYPES: &[&str] = &[
    "aws_cloudtrail",
    "aws_cloudtrail_event_data_store",
    "aws_s3_bucket",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_object_lock_configuration",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_account_public_access_block",
    "aws_kms_key",
    "aws_kms_alias",
    "aws_kms_key_policy",
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_log_metric_filter",
    "aws_cloudwatch_metric_alarm",
    "aws_sns_topic",
    "aws_sns_topic_subscription",
    "aws_config_configuration_recorder",
    "aws_config_configuration_recorder_status",
    "aws_organizations_organization",
    "aws_organizations_delegated_administrator",
];

/// Converts `terraform show -json` output.
pub fn convert(text: &str, options: &PlanOptions) -> Result<Converted, PlanError> {
    let document = document::parse(text)?;
    if !document.instances.iter().chain(&document.prior).any(|i| {
        i.provider_key
            .as_deref()
            .unwrap_or("aws")
            .starts_with("aws")
            && i.kind.starts_with("aws_")
    }) {
        return Err(PlanError::new(
            "the plan has no AWS resources: nothing for trailwarden to judge",
        ));
    }
    if !document
        .instances
        .iter()
        .chain(&document.prior)
        .any(|i| READ_TYPES.contains(&i.kind.as_str()))
    {
        return Err(PlanError::new(format!(
            "the plan has no resource trailwarden reads ({} …): nothing to judge",
            READ_TYPES[..3].join(", ")
        )));
    }
    let account = account(&document, options)?;
    let partition = "aws".to_owned();
    let regions = provider_regions(&document)?;
    let collected_at = timestamp(text);
    let mut addresses = BTreeMap::new();
    let mut missing = Missing::default();
    let planned = {
        let context = Context::new(
            &document,
            &document.instances,
            account.clone(),
            partition.clone(),
            regions.clone(),
        );
        build(&context, collected_at, &mut addresses, &mut missing)
    };
    let prior = if document.kind == DocumentKind::Plan && document.prior.iter().any(|i| !i.data) {
        let context = Context::new(
            &document,
            &document.prior,
            account.clone(),
            partition.clone(),
            regions,
        );
        let mut ignored = Missing::default();
        Some(build(&context, collected_at, &mut addresses, &mut ignored))
    } else {
        None
    };
    let places = options
        .tf_dir
        .as_deref()
        .map(|dir| locate::locate(&document, dir))
        .unwrap_or_default();
    Ok(Converted {
        planned,
        prior,
        addresses,
        missing,
        places,
    })
}

/// The account: `--account-id`, else `data.aws_caller_identity`.
fn account(document: &Document, options: &PlanOptions) -> Result<String, PlanError> {
    if let Some(account) = &options.account_id {
        return Ok(account.clone());
    }
    document
        .instances
        .iter()
        .chain(&document.prior)
        .filter(|i| i.data && i.kind == "aws_caller_identity")
        .find_map(|i| i.values.get("account_id").and_then(Value::as_str))
        .filter(|id| crate::inventory::is_account_id(id))
        .map(str::to_owned)
        .ok_or_else(|| {
            PlanError::new(
                "the plan does not say which account it applies to (no data.aws_caller_identity): give --account-id",
            )
        })
}

/// Region per provider configuration, from `configuration.provider_config`.
fn provider_regions(document: &Document) -> Result<HashMap<String, String>, PlanError> {
    let mut regions = HashMap::new();
    let Some(Value::Object(providers)) = document.configuration.get("provider_config") else {
        return Ok(regions);
    };
    for (key, provider) in providers {
        if provider.get("name").and_then(Value::as_str) != Some("aws") {
            continue;
        }
        let region = provider
            .get("expressions")
            .and_then(|e| e.get("region"))
            .and_then(|r| {
                r.get("constant_value")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or_else(|| {
                        // `region = var.region`: the root variable's value.
                        r.get("references")?
                            .as_array()?
                            .iter()
                            .filter_map(Value::as_str)
                            .find_map(|reference| {
                                let name = reference.strip_prefix("var.")?;
                                document.variables.get(name)?.as_str().map(str::to_owned)
                            })
                    })
            });
        match region {
            Some(region) if crate::inventory::is_region_name(&region) => {
                regions.insert(key.clone(), region);
            }
            Some(region) => {
                return Err(PlanError::new(format!(
                    "provider {key}: `{region}` is not a region name"
                )))
            }
            None => {}
        }
    }
    Ok(regions)
}

/// The plan's `timestamp`: when it was made, which freshness is measured against.
fn timestamp(text: &str) -> DateTime<Utc> {
    #[derive(serde::Deserialize)]
    struct Stamp {
        timestamp: Option<String>,
    }
    serde_json::from_str::<Stamp>(text)
        .ok()
        .and_then(|s| s.timestamp)
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

/// One side of the plan as an inventory.
fn build(
    context: &Context,
    collected_at: DateTime<Utc>,
    addresses: &mut BTreeMap<String, String>,
    missing: &mut Missing,
) -> Inventory {
    let account = context.account.clone();
    let mut inventory = Inventory {
        schema_version: SCHEMA_VERSION,
        generator: format!("trailwarden {} (terraform plan)", env!("CARGO_PKG_VERSION")),
        collected_at,
        partition: context.partition.clone(),
        identity: Some(CallerIdentity {
            account: account.clone(),
            arn: format!("arn:{}:iam::{account}:root", context.partition),
            user_id: "terraform plan".to_owned(),
        }),
        organization: None,
        accounts: KeyedMap::default(),
        trails: KeyedMap::default(),
        buckets: KeyedMap::default(),
        kms_keys: KeyedMap::default(),
        log_groups: KeyedMap::default(),
        topics: KeyedMap::default(),
        skipped_accounts: Vec::new(),
        collection: None,
    };
    for trail in trail::trails(context, addresses) {
        keyed::insert(&mut inventory.trails, trail);
    }
    for bucket in bucket::buckets(context, &inventory.trails, addresses, missing) {
        keyed::insert(&mut inventory.buckets, bucket);
    }
    resources::kms_keys(context, &mut inventory, addresses, missing);
    monitoring::log_groups(context, &mut inventory, addresses, missing);
    monitoring::topics(context, &mut inventory, addresses, missing);
    inventory.organization = account::organization(context).map(Observed::Ok);
    let mut regions: BTreeMap<String, Region> = BTreeMap::new();
    for instance in context.instances.iter().filter(|i| !i.data) {
        let name = context.region_or_default(instance);
        regions
            .entry(name.clone())
            .or_insert_with(|| empty_region(name));
    }
    account::regional(context, &inventory, &mut regions);
    let mut account_entry = Account {
        id: account,
        name: None,
        session_error: None,
        regions: KeyedMap::default(),
        regions_error: None,
        s3_public_access_block: account::account_public_access_block(context),
    };
    for region in regions.into_values() {
        keyed::insert(&mut account_entry.regions, region);
    }
    keyed::insert(&mut inventory.accounts, account_entry);
    inventory
}

fn empty_region(name: String) -> Region {
    Region {
        name,
        skipped: None,
        trails: Observed::Ok(Vec::new()),
        event_data_stores: Observed::Ok(Vec::new()),
        config_recorders: Observed::Ok(Vec::new()),
    }
}

/// The address of an instance, recorded for a resource key.
fn record(addresses: &mut BTreeMap<String, String>, key: &str, instance: &Instance) {
    addresses
        .entry(key.to_owned())
        .or_insert_with(|| instance.address.clone());
}
