//! Everything else a verdict rests on: KMS keys (`aws_kms_key`, `_alias`, `_key_policy`),
//! CloudWatch Logs groups with their metric filters and alarms, SNS topics and
//! subscriptions, CloudTrail Lake event data stores, AWS Config recorders, the organization
//! and its CloudTrail delegated administrator, and account-level Block Public Access.

use super::bucket::public_access_block_of;
use super::context::{Attr, Context};
use super::document::Instance;
use super::trail::linked;
use super::{record, Missing};
use crate::inventory::{
    keyed, AdvancedEventSelector, AdvancedFieldSelector, ConfigRecorder, ErrorKind, EventDataStore,
    Inventory, KeyMetadata, KmsKey, LogGroup, LogGroupDetails, MetricAlarm, MetricFilter,
    MetricTransformation, Observed, Organization, PublicAccessBlock, Region, SnsSubscription,
    SnsTopic,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// The key a resource is known by in the inventory, also when its AWS identity is known only
/// after apply: the ARN AWS will give it where the name decides it (trails, log groups,
/// topics, alarms), else an ARN-shaped key that carries the Terraform address.
pub(super) fn identity(context: &Context, instance: &Instance, attribute: &str) -> String {
    let region = context.region_or_default(instance);
    let (partition, account) = (&context.partition, &context.account);
    let known = |key: &str| context.attr(instance, key).str().map(str::to_owned);
    let address = &instance.address;
    match (instance.kind.as_str(), instance.data) {
        ("aws_s3_bucket", _) => {
            let name = known("bucket").unwrap_or_else(|| address.clone());
            if attribute == "arn" {
                format!("arn:{partition}:s3:::{name}")
            } else {
                name
            }
        }
        ("aws_kms_key", _) => known("arn")
            .unwrap_or_else(|| format!("arn:{partition}:kms:{region}:{account}:key/{address}")),
        ("aws_kms_alias", false) => {
            let name = known("name").unwrap_or_else(|| format!("alias/{address}"));
            match attribute {
                "target_key_arn" | "target_key_id" => match context.link(instance, "target_key_id")
                {
                    Some(super::context::Linked::Instance(key, _)) => identity(context, key, "arn"),
                    _ => format!("arn:{partition}:kms:{region}:{account}:{name}"),
                },
                _ => format!("arn:{partition}:kms:{region}:{account}:{name}"),
            }
        }
        ("aws_kms_alias", true) => known("target_key_arn")
            .unwrap_or_else(|| format!("arn:{partition}:kms:{region}:{account}:key/{address}")),
        ("aws_cloudwatch_log_group", _) => {
            let name = known("name").unwrap_or_else(|| address.clone());
            if attribute == "name" {
                name
            } else {
                known("arn").unwrap_or_else(|| {
                    format!("arn:{partition}:logs:{region}:{account}:log-group:{name}:*")
                })
            }
        }
        ("aws_sns_topic", _) => {
            let name = known("name").unwrap_or_else(|| address.clone());
            if attribute == "name" {
                name
            } else {
                known("arn")
                    .unwrap_or_else(|| format!("arn:{partition}:sns:{region}:{account}:{name}"))
            }
        }
        ("aws_iam_role", _) => known("arn").unwrap_or_else(|| {
            let name = known("name").unwrap_or_else(|| address.clone());
            format!("arn:{partition}:iam::{account}:role/{name}")
        }),
        ("aws_cloudtrail_event_data_store", _) => known("arn").unwrap_or_else(|| {
            format!("arn:{partition}:cloudtrail:{region}:{account}:eventdatastore/{address}")
        }),
        _ => known(attribute)
            .or_else(|| known("arn"))
            .unwrap_or_else(|| format!("`{address}.{attribute}` (known only after apply)")),
    }
}

pub(super) fn kms_keys(
    context: &Context,
    inventory: &mut Inventory,
    addresses: &mut BTreeMap<String, String>,
    missing: &mut Missing,
) {
    let mut keys: Vec<KmsKey> = Vec::new();
    for instance in context.managed("aws_kms_key") {
        let arn = identity(context, instance, "arn");
        record(addresses, &arn, instance);
        let spec = context
            .attr(instance, "customer_master_key_spec")
            .str()
            .unwrap_or("SYMMETRIC_DEFAULT")
            .to_owned();
        let enabled = context.attr(instance, "is_enabled").bool().unwrap_or(true);
        let policy_resource = context
            .managed("aws_kms_key_policy")
            .find(|p| linked(context, p, "key_id").is_some_and(|k| k == arn));
        let policy = match policy_resource {
            Some(p) => match context.attr(p, "policy") {
                Attr::Known(Value::String(text)) => Observed::Ok(text.clone()),
                _ => context.unknown(p, "policy"),
            },
            None => match context.attr(instance, "policy") {
                Attr::Known(Value::String(text)) => Observed::Ok(text.clone()),
                Attr::Unknown if context.configured(instance, "policy") => {
                    context.unknown(instance, "policy")
                }
                // Not written: KMS gives the key its default policy (the account may use it).
                _ => Observed::Ok(default_key_policy(&context.partition, &context.account)),
            },
        };
        keys.push(KmsKey {
            arn,
            aliases: Vec::new(),
            metadata: Observed::Ok(Some(KeyMetadata {
                key_state: if enabled { "Enabled" } else { "Disabled" }.to_owned(),
                key_manager: "CUSTOMER".to_owned(),
                key_spec: spec,
                origin: Some("AWS_KMS".to_owned()),
                deletion_date: None,
            })),
            rotation_enabled: match context.attr(instance, "enable_key_rotation") {
                Attr::Unknown => context.unknown(instance, "enable_key_rotation"),
                attr => Observed::Ok(attr.bool().unwrap_or(false)),
            },
            policy,
        });
    }
    for alias in context.managed("aws_kms_alias") {
        let alias_arn = identity(context, alias, "arn");
        let target = identity(context, alias, "target_key_arn");
        record(addresses, &alias_arn, alias);
        if let Some(key) = keys.iter_mut().find(|k| k.arn == target) {
            key.aliases.push(alias_arn);
        }
    }
    for key in keys {
        keyed::insert(&mut inventory.kms_keys, key);
    }
    // Keys that trails and buckets name but the plan does not create.
    let mut named: Vec<String> = inventory
        .trails
        .values()
        .filter_map(|t| t.kms_key_id.clone())
        .collect();
    named.extend(
        inventory
            .buckets
            .values()
            .filter_map(|b| match &b.encryption {
                Observed::Ok(Some(e)) => e.kms_master_key_id.clone(),
                _ => None,
            }),
    );
    for reference in named {
        let known = inventory.kms_keys.contains_key(&reference)
            || inventory.kms_keys.values().any(|k| {
                k.aliases
                    .iter()
                    .any(|a| a == &reference || a.ends_with(&format!(":{reference}")))
            });
        if known || !reference.starts_with("arn:") {
            continue;
        }
        missing.kms_keys.insert(reference.clone());
        let message = format!(
            "key {reference} is not in the plan (another workspace or a data source); give --live to read it"
        );
        keyed::insert(
            &mut inventory.kms_keys,
            KmsKey {
                arn: reference.clone(),
                aliases: Vec::new(),
                metadata: not_in_plan(&message),
                rotation_enabled: not_in_plan(&message),
                policy: not_in_plan(&message),
            },
        );
    }
}

/// An observation of a resource the plan refers to but does not hold.
fn not_in_plan<T>(message: &str) -> Observed<T> {
    Observed::failure(ErrorKind::NotCollected, "", message)
}

/// KMS's default key policy: the account's principals, through IAM, may do everything.
fn default_key_policy(partition: &str, account: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Id":"key-default-1","Statement":[{{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{{"AWS":"arn:{partition}:iam::{account}:root"}},"Action":"kms:*","Resource":"*"}}]}}"#
    )
}

pub(super) fn log_groups(
    context: &Context,
    inventory: &mut Inventory,
    addresses: &mut BTreeMap<String, String>,
    missing: &mut Missing,
) {
    let filters: Vec<&Instance> = context
        .managed("aws_cloudwatch_log_metric_filter")
        .collect();
    let alarms: Vec<MetricAlarm> = context
        .managed("aws_cloudwatch_metric_alarm")
        .map(|alarm| {
            let arn = identity_alarm(context, alarm);
            record(addresses, &arn, alarm);
            metric_alarm(context, alarm, arn)
        })
        .collect();
    for instance in context.managed("aws_cloudwatch_log_group") {
        let arn = crate::inventory::normalize_log_group_arn(&identity(context, instance, "arn"))
            .to_owned();
        let name = identity(context, instance, "name");
        record(addresses, &arn, instance);
        let details = Observed::Ok(Some(LogGroupDetails {
            retention_in_days: context
                .attr(instance, "retention_in_days")
                .int()
                .filter(|d| *d > 0),
            kms_key_id: linked(context, instance, "kms_key_id"),
        }));
        let group_filters: Vec<MetricFilter> = filters
            .iter()
            .filter(|f| linked(context, f, "log_group_name").is_some_and(|g| g == name || g == arn))
            .map(|f| metric_filter(context, f))
            .collect();
        let metrics: Vec<(&str, &str)> = group_filters
            .iter()
            .flat_map(|f| f.transformations.iter())
            .map(|t| (t.metric_name.as_str(), t.metric_namespace.as_str()))
            .collect();
        let group_alarms: Vec<MetricAlarm> = alarms
            .iter()
            .filter(|a| {
                a.metric_name
                    .as_deref()
                    .is_some_and(|m| metrics.iter().any(|(name, _)| *name == m))
            })
            .cloned()
            .collect();
        keyed::insert(
            &mut inventory.log_groups,
            LogGroup {
                arn,
                details,
                metric_filters: Some(Observed::Ok(group_filters)),
                alarms: Some(Observed::Ok(group_alarms)),
            },
        );
    }
    let named: Vec<String> = inventory
        .trails
        .values()
        .filter_map(|t| t.log_group_arn().map(str::to_owned))
        .collect();
    for arn in named {
        if inventory.log_groups.contains_key(&arn) || !arn.starts_with("arn:") {
            continue;
        }
        missing.log_groups.insert(arn.clone());
        let message = format!("log group {arn} is not in the plan; give --live to read it");
        keyed::insert(
            &mut inventory.log_groups,
            LogGroup {
                arn: arn.clone(),
                details: not_in_plan(&message),
                metric_filters: Some(not_in_plan(&message)),
                alarms: Some(not_in_plan(&message)),
            },
        );
    }
}

fn identity_alarm(context: &Context, alarm: &Instance) -> String {
    context.attr(alarm, "arn").str().map_or_else(
        || {
            let name = context
                .attr(alarm, "alarm_name")
                .str()
                .unwrap_or(&alarm.address)
                .to_owned();
            format!(
                "arn:{}:cloudwatch:{}:{}:alarm:{name}",
                context.partition,
                context.region_or_default(alarm),
                context.account
            )
        },
        str::to_owned,
    )
}

fn strings_of(attr: Attr) -> Vec<String> {
    match attr {
        Attr::Known(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn string_map(attr: Attr) -> BTreeMap<String, String> {
    match attr {
        Attr::Known(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn metric_filter(context: &Context, filter: &Instance) -> MetricFilter {
    MetricFilter {
        name: context
            .attr(filter, "name")
            .str()
            .unwrap_or(&filter.address)
            .to_owned(),
        pattern: context
            .attr(filter, "pattern")
            .str()
            .unwrap_or_default()
            .to_owned(),
        transformations: context
            .attr(filter, "metric_transformation")
            .blocks()
            .iter()
            .map(|t| MetricTransformation {
                metric_name: t
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                metric_namespace: t
                    .get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                metric_value: t
                    .get("value")
                    .and_then(Value::as_str)
                    .unwrap_or("1")
                    .to_owned(),
                default_value: t
                    .get("default_value")
                    .and_then(|v| v.as_f64().or_else(|| v.as_str()?.parse().ok())),
                dimensions: string_map(t.get("dimensions").map_or(Attr::Absent, Attr::Known)),
            })
            .collect(),
    }
}

fn metric_alarm(context: &Context, alarm: &Instance, arn: String) -> MetricAlarm {
    let text = |key: &str| context.attr(alarm, key).str().map(str::to_owned);
    let actions = |key: &str| {
        let mut list = strings_of(context.attr(alarm, key));
        if list.is_empty() {
            if let Attr::Unknown = context.attr(alarm, key) {
                // Actions given by reference (a topic ARN known only after apply).
                if let Some(super::context::Linked::Instance(target, attr)) =
                    context.link(alarm, key)
                {
                    list.push(identity(context, target, &attr));
                }
            }
        }
        list
    };
    MetricAlarm {
        name: text("alarm_name").unwrap_or_else(|| alarm.address.clone()),
        arn,
        metric_name: text("metric_name"),
        namespace: text("namespace"),
        dimensions: string_map(context.attr(alarm, "dimensions")),
        actions_enabled: context
            .attr(alarm, "actions_enabled")
            .bool()
            .unwrap_or(true),
        alarm_actions: actions("alarm_actions"),
        ok_actions: actions("ok_actions"),
        insufficient_data_actions: actions("insufficient_data_actions"),
        statistic: text("statistic"),
        extended_statistic: text("extended_statistic"),
        comparison_operator: text("comparison_operator"),
        threshold: match context.attr(alarm, "threshold") {
            Attr::Known(v) => v.as_f64(),
            _ => None,
        },
        evaluation_periods: context
            .attr(alarm, "evaluation_periods")
            .int()
            .and_then(|n| i32::try_from(n).ok()),
        datapoints_to_alarm: context
            .attr(alarm, "datapoints_to_alarm")
            .int()
            .and_then(|n| i32::try_from(n).ok()),
    }
}

/// Protocols whose subscriptions are confirmed when created (no message to answer).
const CONFIRMED_AT_CREATION: &[&str] = &["sqs", "lambda", "firehose", "application", "sms"];

pub(super) fn topics(
    context: &Context,
    inventory: &mut Inventory,
    addresses: &mut BTreeMap<String, String>,
    missing: &mut Missing,
) {
    let subscriptions: Vec<&Instance> = context.managed("aws_sns_topic_subscription").collect();
    for instance in context.managed("aws_sns_topic") {
        let arn = identity(context, instance, "arn");
        record(addresses, &arn, instance);
        let mine: Vec<&&Instance> = subscriptions
            .iter()
            .filter(|s| linked(context, s, "topic_arn").is_some_and(|t| t == arn))
            .collect();
        let confirmed: Vec<SnsSubscription> = mine
            .iter()
            .filter_map(|s| {
                let protocol = context.attr(s, "protocol").str()?.to_owned();
                let done = CONFIRMED_AT_CREATION.contains(&protocol.as_str())
                    || context.attr(s, "pending_confirmation").bool() == Some(false);
                done.then(|| SnsSubscription {
                    arn: context
                        .attr(s, "arn")
                        .str()
                        .map_or_else(|| format!("{arn}:{}", s.address), str::to_owned),
                    protocol,
                })
            })
            .collect();
        let pending: Vec<String> = mine
            .iter()
            .filter(|s| {
                let protocol = context.attr(s, "protocol").str().unwrap_or_default();
                !CONFIRMED_AT_CREATION.contains(&protocol)
                    && context.attr(s, "pending_confirmation").bool() != Some(false)
            })
            .map(|s| {
                format!(
                    "{} ({})",
                    s.address,
                    context.attr(s, "protocol").str().unwrap_or("?")
                )
            })
            .collect();
        let observed = if confirmed.is_empty() && !pending.is_empty() {
            Observed::failure(
                ErrorKind::Unknown,
                "",
                format!(
                    "whether {} will be confirmed is known only after apply (the subscriber must answer AWS's message)",
                    pending.join(", ")
                ),
            )
        } else {
            Observed::Ok(confirmed)
        };
        keyed::insert(
            &mut inventory.topics,
            SnsTopic {
                arn,
                subscriptions: observed,
            },
        );
    }
    let mut named: Vec<String> = Vec::new();
    for group in inventory.log_groups.values() {
        if let Some(Observed::Ok(alarms)) = &group.alarms {
            named.extend(alarms.iter().flat_map(|a| a.alarm_actions.iter().cloned()));
        }
    }
    for arn in named {
        if inventory.topics.contains_key(&arn) || !crate::inventory::is_sns_topic(&arn) {
            continue;
        }
        missing.topics.insert(arn.clone());
        keyed::insert(
            &mut inventory.topics,
            SnsTopic {
                arn: arn.clone(),
                subscriptions: Observed::failure(
                    ErrorKind::NotCollected,
                    "",
                    format!("topic {arn} is not in the plan; give --live to read it"),
                ),
            },
        );
    }
}

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
