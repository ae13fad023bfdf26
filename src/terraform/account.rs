//! What is per account and per region: account-level Block Public Access, the organization and
//! its CloudTrail delegated administrator, and per region the trails listed there, CloudTrail
//! Lake event data stores and AWS Config recorders.

use super::bucket::public_access_block_of;
use super::context::{Attr, Context};
use super::document::Instance;
use super::resources::{identity, strings_of};
use super::trail::linked;
use crate::inventory::{
    AdvancedEventSelector, AdvancedFieldSelector, ConfigRecorder, ErrorKind, EventDataStore,
    Inventory, Observed, Organization, PublicAccessBlock, Region,
};
use serde_json::Value;
use std::collections::BTreeMap;

pub(super) fn account_public_access_block(
    context: &Context,
) -> Observed<Option<PublicAccessBlock>> {
    match context.managed("aws_s3_account_public_access_block").next() {
        Some(block) => public_access_block_of(context, block),
        None => Observed::failure(
            ErrorKind::NotCollected,
            "",
            "the plan has no aws_s3_account_public_access_block: the account's setting is not in it; give --live to read it",
        ),
    }
}

pub(super) fn organization(context: &Context) -> Option<Organization> {
    let instance = context.managed("aws_organizations_organization").next()?;
    let admins: Vec<String> = context
        .managed("aws_organizations_delegated_administrator")
        .filter(|d| context.attr(d, "service_principal").str() == Some("cloudtrail.amazonaws.com"))
        .filter_map(|d| context.attr(d, "account_id").str().map(str::to_owned))
        .collect();
    let mut trusted = strings_of(context.attr(instance, "aws_service_access_principals"));
    trusted.sort();
    Some(Organization {
        id: context
            .attr(instance, "id")
            .str()
            .map_or_else(|| format!("o-({})", instance.address), str::to_owned),
        management_account_id: context.account.clone(),
        accounts: Vec::new(),
        cloudtrail_delegated_administrators: Observed::Ok(admins),
        trusted_services: Observed::Ok(trusted),
    })
}

/// Per region: the trails listed there, the Lake event data stores and the Config recorders.
pub(super) fn regional(
    context: &Context,
    inventory: &Inventory,
    regions: &mut BTreeMap<String, Region>,
) {
    for (name, region) in regions.iter_mut() {
        region.trails = Observed::Ok(
            inventory
                .trails
                .values()
                .filter(|t| t.is_multi_region || &t.home_region == name)
                .map(|t| t.arn.clone())
                .collect(),
        );
    }
    let mut stores: BTreeMap<String, Vec<EventDataStore>> = BTreeMap::new();
    for instance in context.managed("aws_cloudtrail_event_data_store") {
        stores
            .entry(context.region_or_default(instance))
            .or_default()
            .push(event_data_store(context, instance));
    }
    let statuses: Vec<&Instance> = context
        .managed("aws_config_configuration_recorder_status")
        .collect();
    let mut recorders: BTreeMap<String, Vec<ConfigRecorder>> = BTreeMap::new();
    for instance in context.managed("aws_config_configuration_recorder") {
        let name = context
            .attr(instance, "name")
            .str()
            .unwrap_or("default")
            .to_owned();
        let region = context.region_or_default(instance);
        let status = statuses.iter().find(|s| {
            context.region_or_default(s) == region
                && linked(context, s, "name").is_some_and(|n| n == name)
        });
        let group = context
            .attr(instance, "recording_group")
            .blocks()
            .first()
            .cloned();
        let get = |key: &str| group.as_ref().and_then(|g| g.get(key));
        let strategy = get("recording_strategy")
            .and_then(|s| s.get(0))
            .and_then(|s| s.get("use_only"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let excluded = get("exclusion_by_resource_types")
            .and_then(|e| e.get(0))
            .and_then(|e| e.get("resource_types"))
            .and_then(Value::as_array)
            .map(|t| {
                t.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        recorders.entry(region).or_default().push(ConfigRecorder {
            name,
            all_supported: get("all_supported")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            include_global_resource_types: get("include_global_resource_types")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            recording_strategy: strategy,
            excluded_resource_types: excluded,
            // A recorder records only once started (`aws_config_configuration_recorder_status`).
            recording: status.is_some_and(|s| context.attr(s, "is_enabled").bool() == Some(true)),
            last_status: None,
        });
    }
    for (name, region) in regions.iter_mut() {
        region.event_data_stores = Observed::Ok(stores.remove(name).unwrap_or_default());
        region.config_recorders = Observed::Ok(recorders.remove(name).unwrap_or_default());
    }
}

fn event_data_store(context: &Context, instance: &Instance) -> EventDataStore {
    let flag = |key: &str, default: bool| context.attr(instance, key).bool().unwrap_or(default);
    let suspended = matches!(context.attr(instance, "suspend").str(), Some("true"))
        || context.attr(instance, "suspend").bool() == Some(true);
    EventDataStore {
        arn: identity(context, instance, "arn"),
        name: context
            .attr(instance, "name")
            .str()
            .unwrap_or_default()
            .to_owned(),
        status: if suspended {
            "STOPPED_INGESTION"
        } else {
            "ENABLED"
        }
        .to_owned(),
        multi_region_enabled: flag("multi_region_enabled", true),
        organization_enabled: flag("organization_enabled", false),
        retention_period: context.attr(instance, "retention_period").int(),
        termination_protection_enabled: flag("termination_protection_enabled", true),
        kms_key_id: linked(context, instance, "kms_key_id"),
        advanced_event_selectors: if matches!(
            context.attr(instance, "advanced_event_selector"),
            Attr::Unknown
        ) && !context.configured(instance, "advanced_event_selector")
        {
            // Not written: a store collects every management event (CloudTrail's default).
            vec![AdvancedEventSelector {
                name: Some("Default management events".to_owned()),
                field_selectors: vec![AdvancedFieldSelector {
                    field: "eventCategory".to_owned(),
                    equals: vec!["Management".to_owned()],
                    starts_with: Vec::new(),
                    ends_with: Vec::new(),
                    not_equals: Vec::new(),
                    not_starts_with: Vec::new(),
                    not_ends_with: Vec::new(),
                }],
            }]
        } else {
            context
                .attr(instance, "advanced_event_selector")
                .blocks()
                .iter()
                .map(|s| AdvancedEventSelector {
                    name: s.get("name").and_then(Value::as_str).map(str::to_owned),
                    field_selectors: s
                        .get("field_selector")
                        .and_then(Value::as_array)
                        .map(|fields| {
                            fields
                                .iter()
                                .map(|f| {
                                    let list = |k: &str| -> Vec<String> {
                                        f.get(k)
                                            .and_then(Value::as_array)
                                            .map(|l| {
                                                l.iter()
                                                    .filter_map(Value::as_str)
                                                    .map(str::to_owned)
                                                    .collect()
                                            })
                                            .unwrap_or_default()
                                    };
                                    AdvancedFieldSelector {
                                        field: f
                                            .get("field")
                                            .and_then(Value::as_str)
                                            .unwrap_or_default()
                                            .to_owned(),
                                        equals: list("equals"),
                                        starts_with: list("starts_with"),
                                        ends_with: list("ends_with"),
                                        not_equals: list("not_equals"),
                                        not_starts_with: list("not_starts_with"),
                                        not_ends_with: list("not_ends_with"),
                                    }
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        },
    }
}
