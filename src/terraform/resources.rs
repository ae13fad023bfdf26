//! Everything else a verdict rests on: KMS keys (`aws_kms_key`, `_alias`, `_key_policy`),
//! CloudWatch Logs groups with their metric filters and alarms, SNS topics and
//! subscriptions, CloudTrail Lake event data stores, AWS Config recorders, the organization
//! and its CloudTrail delegated administrator, and account-level Block Public Access.

use super::context::{Attr, Context};
use super::document::Instance;
use super::trail::linked;
use super::{record, Missing};
use crate::inventory::{keyed, ErrorKind, Inventory, KeyMetadata, KmsKey, Observed};
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
    // A key policy resource whose key cannot be told before apply may be any key's.
    let orphan_policy = context.managed("aws_kms_key_policy").find(|p| {
        matches!(
            super::trail::resolved(context, p, "key_id"),
            super::trail::Resolved::Unknown(_)
        )
    });
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
        let policy = match (policy_resource, orphan_policy) {
            (None, Some(orphan)) => context.unknown(orphan, "key_id"),
            (Some(p), _) => match context.attr(p, "policy") {
                Attr::Known(Value::String(text)) => Observed::Ok(text.clone()),
                _ => context.unknown(p, "policy"),
            },
            (None, None) => match context.attr(instance, "policy") {
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
pub(super) fn not_in_plan<T>(message: &str) -> Observed<T> {
    Observed::failure(ErrorKind::NotCollected, "", message)
}

/// KMS's default key policy: the account's principals, through IAM, may do everything.
fn default_key_policy(partition: &str, account: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Id":"key-default-1","Statement":[{{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{{"AWS":"arn:{partition}:iam::{account}:root"}},"Action":"kms:*","Resource":"*"}}]}}"#
    )
}

pub(super) fn strings_of(attr: Attr) -> Vec<String> {
    match attr {
        Attr::Known(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}
