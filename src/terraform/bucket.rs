//! S3 buckets: `aws_s3_bucket` with its deprecated inline arguments, and the split resources
//! (`_acl`, `_policy`, `_public_access_block`, `_versioning`,
//! `_server_side_encryption_configuration`, `_lifecycle_configuration`,
//! `_object_lock_configuration`, `_logging`, `_ownership_controls`) joined to their bucket by
//! value or by reference. A bucket a trail names that the plan does not hold is recorded as
//! not collected.

use super::bucket_settings::{encryption, lifecycle, logging, object_lock, versioning};
use super::context::{Attr, Context};
use super::document::Instance;
use super::trail::{resolved, Resolved};
use super::{record, Missing};
use crate::analysis::bucket_exposure::{ALL_USERS, AUTHENTICATED_USERS};
use crate::analysis::policy;
use crate::inventory::keyed::KeyedMap;
use crate::inventory::{
    Bucket, BucketAcl, ErrorKind, Grant, Grantee, Observed, PolicyStatus, PublicAccessBlock, Trail,
};
use serde_json::Value;
use std::collections::BTreeMap;

const LOG_DELIVERY: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

pub(super) fn buckets(
    context: &Context,
    trails: &KeyedMap<Trail>,
    addresses: &mut BTreeMap<String, String>,
    missing: &mut Missing,
) -> Vec<Bucket> {
    // The split resources, by the bucket they configure; those whose bucket cannot be told
    // before apply could configure any bucket of the plan.
    let mut parts: BTreeMap<String, Vec<&Instance>> = BTreeMap::new();
    let mut orphans: Vec<&Instance> = Vec::new();
    for instance in context.instances.iter().filter(|i| {
        !i.data && i.kind.starts_with("aws_s3_bucket_") && i.kind != "aws_s3_bucket_notification"
    }) {
        match resolved(context, instance, "bucket") {
            Resolved::Value(name) => parts.entry(name).or_default().push(instance),
            Resolved::Unknown(_) => orphans.push(instance),
            Resolved::Absent => {}
        }
    }
    let mut buckets = Vec::new();
    for instance in context.managed("aws_s3_bucket") {
        let name = super::resources::identity(context, instance, "bucket");
        record(addresses, &name, instance);
        record(
            addresses,
            &format!("arn:{}:s3:::{name}", context.partition),
            instance,
        );
        let split = parts.remove(&name).unwrap_or_default();
        let mut bucket = bucket(context, instance, name, &split);
        for orphan in &orphans {
            if !split.iter().any(|p| p.kind == orphan.kind) {
                unknown_setting(context, &mut bucket, orphan);
            }
        }
        buckets.push(bucket);
    }
    // Buckets the trails write to, and access-log targets, that the plan does not create.
    let mut named: Vec<String> = trails
        .values()
        .filter_map(|t| t.s3_bucket_name.clone())
        .collect();
    named.extend(buckets.iter().filter_map(|b| match &b.logging {
        Observed::Ok(Some(logging)) => Some(logging.target_bucket.clone()),
        _ => None,
    }));
    for name in named {
        if buckets.iter().any(|b| b.name == name) {
            continue;
        }
        missing.buckets.insert(name.clone());
        buckets.push(outside(context, &name));
    }
    buckets
}

/// A setting a split resource of unknown bucket may make: unknown on every bucket that has no
/// resource of that kind of its own.
fn unknown_setting(context: &Context, bucket: &mut Bucket, orphan: &Instance) {
    match orphan.kind.as_str() {
        "aws_s3_bucket_acl" | "aws_s3_bucket_ownership_controls" => {
            bucket.acl = context.unknown(orphan, "bucket");
        }
        "aws_s3_bucket_policy" => {
            bucket.policy = context.unknown(orphan, "bucket");
            bucket.policy_status = context.unknown(orphan, "bucket");
        }
        "aws_s3_bucket_public_access_block" => {
            bucket.public_access_block = context.unknown(orphan, "bucket");
        }
        "aws_s3_bucket_versioning" => bucket.versioning = context.unknown(orphan, "bucket"),
        "aws_s3_bucket_server_side_encryption_configuration" => {
            bucket.encryption = context.unknown(orphan, "bucket");
        }
        "aws_s3_bucket_lifecycle_configuration" => {
            bucket.lifecycle = context.unknown(orphan, "bucket");
        }
        "aws_s3_bucket_object_lock_configuration" => {
            bucket.object_lock = context.unknown(orphan, "bucket");
        }
        "aws_s3_bucket_logging" => bucket.logging = context.unknown(orphan, "bucket"),
        _ => {}
    }
}

/// A bucket the plan names but does not hold: every observation not collected.
fn outside(context: &Context, name: &str) -> Bucket {
    let message = format!(
        "bucket {name} is not in the plan (another workspace or a data source); give --live to read it"
    );
    fn not_in_plan<T>(message: &str) -> Observed<T> {
        Observed::failure(ErrorKind::NotCollected, "", message)
    }
    let _ = context;
    Bucket {
        name: name.to_owned(),
        owner_account: None,
        not_owned_by: Vec::new(),
        region: not_in_plan(&message),
        acl: not_in_plan(&message),
        policy: not_in_plan(&message),
        policy_status: not_in_plan(&message),
        public_access_block: not_in_plan(&message),
        versioning: not_in_plan(&message),
        logging: not_in_plan(&message),
        lifecycle: not_in_plan(&message),
        encryption: not_in_plan(&message),
        object_lock: not_in_plan(&message),
    }
}

pub(super) fn part<'a>(split: &[&'a Instance], kind: &str) -> Option<&'a Instance> {
    split.iter().copied().find(|i| i.kind == kind)
}

fn bucket(context: &Context, instance: &Instance, name: String, split: &[&Instance]) -> Bucket {
    let ownership = part(split, "aws_s3_bucket_ownership_controls").and_then(|o| {
        context
            .attr(o, "rule")
            .blocks()
            .first()?
            .get("object_ownership")?
            .as_str()
            .map(str::to_owned)
    });
    let policy = policy_of(context, instance, split);
    let policy_status = match &policy {
        Observed::Ok(Some(text)) => Observed::Ok(Some(PolicyStatus {
            is_public: policy::parse(text).is_ok_and(|p| !policy::open_grants(&p).is_empty()),
        })),
        Observed::Ok(None) => Observed::Ok(None),
        Observed::Error(error) => Observed::Error(error.clone()),
    };
    Bucket {
        owner_account: Some(context.account.clone()),
        not_owned_by: Vec::new(),
        region: Observed::Ok(context.region_or_default(instance)),
        acl: acl(context, instance, split, ownership.as_deref()),
        policy,
        policy_status,
        public_access_block: public_access_block(context, split),
        versioning: versioning(context, instance, split),
        logging: logging(context, instance, split),
        lifecycle: lifecycle(context, instance, split),
        encryption: encryption(context, instance, split),
        object_lock: object_lock(context, instance, split),
        name,
    }
}

/// The value of the split resource's `key`, else the bucket's inline argument `inline` when
/// the configuration writes it; `None` when neither configures it (AWS's default applies).
pub(super) fn configured<'a, T>(
    context: &Context,
    instance: &'a Instance,
    split: Option<&'a Instance>,
    key: &str,
    inline: &str,
    read: impl Fn(Attr<'a>) -> Observed<T>,
) -> Option<Observed<T>> {
    if let Some(part) = split {
        return Some(match context.attr(part, key) {
            Attr::Unknown => context.unknown(part, key),
            attr => read(attr),
        });
    }
    if context.configured(instance, inline) {
        return Some(match context.attr(instance, inline) {
            Attr::Unknown => context.unknown(instance, inline),
            attr => read(attr),
        });
    }
    None
}

fn owner_grant() -> Grant {
    Grant {
        grantee: Grantee {
            grantee_type: "CanonicalUser".to_owned(),
            id: None,
            uri: None,
            display_name: None,
            email_address: None,
        },
        permission: "FULL_CONTROL".to_owned(),
    }
}

fn group_grant(uri: &str, permission: &str) -> Grant {
    Grant {
        grantee: Grantee {
            grantee_type: "Group".to_owned(),
            id: None,
            uri: Some(uri.to_owned()),
            display_name: None,
            email_address: None,
        },
        permission: permission.to_owned(),
    }
}

/// The grants of a canned ACL (S3's documented table).
fn canned(acl: &str) -> Vec<Grant> {
    let mut grants = vec![owner_grant()];
    match acl {
        "public-read" => grants.push(group_grant(ALL_USERS, "READ")),
        "public-read-write" => {
            grants.push(group_grant(ALL_USERS, "READ"));
            grants.push(group_grant(ALL_USERS, "WRITE"));
        }
        "authenticated-read" => grants.push(group_grant(AUTHENTICATED_USERS, "READ")),
        "log-delivery-write" => {
            grants.push(group_grant(LOG_DELIVERY, "WRITE"));
            grants.push(group_grant(LOG_DELIVERY, "READ_ACP"));
        }
        _ => {}
    }
    grants
}

fn acl(
    context: &Context,
    instance: &Instance,
    split: &[&Instance],
    ownership: Option<&str>,
) -> Observed<BucketAcl> {
    // With ACLs disabled (BucketOwnerEnforced, the default of a new bucket) only the owner
    // has access through the ACL, whatever an ACL resource says.
    let private = || {
        Observed::Ok(BucketAcl {
            owner_id: None,
            grants: vec![owner_grant()],
        })
    };
    if ownership.is_none_or(|o| o == "BucketOwnerEnforced") {
        let acl_written = part(split, "aws_s3_bucket_acl").is_some()
            || context.configured(instance, "acl")
            || context.configured(instance, "grant");
        if ownership.is_some() || !acl_written {
            return private();
        }
    }
    if let Some(acl) = part(split, "aws_s3_bucket_acl") {
        if let Attr::Unknown = context.attr(acl, "acl") {
            return context.unknown(acl, "acl");
        }
        if let Some(name) = context.attr(acl, "acl").str() {
            return Observed::Ok(BucketAcl {
                owner_id: None,
                grants: canned(name),
            });
        }
        return match context.attr(acl, "access_control_policy") {
            Attr::Unknown => context.unknown(acl, "access_control_policy"),
            attr => Observed::Ok(BucketAcl {
                owner_id: None,
                grants: attr
                    .blocks()
                    .iter()
                    .flat_map(|p| {
                        p.get("grant")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default()
                    })
                    .map(|g| {
                        let grantee = g
                            .get("grantee")
                            .and_then(|v| v.get(0))
                            .cloned()
                            .unwrap_or(Value::Null);
                        let text = |key: &str| {
                            grantee
                                .get(key)
                                .and_then(Value::as_str)
                                .filter(|s| !s.is_empty())
                                .map(str::to_owned)
                        };
                        Grant {
                            grantee: Grantee {
                                grantee_type: text("type").unwrap_or_default(),
                                id: text("id"),
                                uri: text("uri"),
                                display_name: text("display_name"),
                                email_address: text("email_address"),
                            },
                            permission: g
                                .get("permission")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_owned(),
                        }
                    })
                    .collect(),
            }),
        };
    }
    match context.attr(instance, "acl") {
        Attr::Known(Value::String(name)) if context.configured(instance, "acl") => {
            Observed::Ok(BucketAcl {
                owner_id: None,
                grants: canned(name),
            })
        }
        Attr::Unknown if context.configured(instance, "acl") => context.unknown(instance, "acl"),
        _ => private(),
    }
}

fn policy_of(
    context: &Context,
    instance: &Instance,
    split: &[&Instance],
) -> Observed<Option<String>> {
    let read = |attr: Attr| {
        Observed::Ok(
            attr.str()
                .filter(|p| !p.trim().is_empty())
                .map(str::to_owned),
        )
    };
    configured(
        context,
        instance,
        part(split, "aws_s3_bucket_policy"),
        "policy",
        "policy",
        read,
    )
    .unwrap_or(Observed::Ok(None))
}

fn public_access_block(
    context: &Context,
    split: &[&Instance],
) -> Observed<Option<PublicAccessBlock>> {
    let Some(block) = part(split, "aws_s3_bucket_public_access_block") else {
        // A new bucket has every Block Public Access setting on (S3's default since April 2023).
        return Observed::Ok(Some(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        }));
    };
    public_access_block_of(context, block)
}

pub(super) fn public_access_block_of(
    context: &Context,
    block: &Instance,
) -> Observed<Option<PublicAccessBlock>> {
    let mut flags = [false; 4];
    for (flag, key) in flags.iter_mut().zip([
        "block_public_acls",
        "ignore_public_acls",
        "block_public_policy",
        "restrict_public_buckets",
    ]) {
        match context.attr(block, key) {
            Attr::Unknown => return context.unknown(block, key),
            attr => *flag = attr.bool().unwrap_or(false),
        }
    }
    Observed::Ok(Some(PublicAccessBlock {
        block_public_acls: flags[0],
        ignore_public_acls: flags[1],
        block_public_policy: flags[2],
        restrict_public_buckets: flags[3],
    }))
}
