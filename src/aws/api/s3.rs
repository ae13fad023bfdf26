//! S3: everything about a log bucket, asked in the bucket's own region, and the account-level
//! Block Public Access (S3 Control).
//!
//! "Not configured" answers (NoSuchBucketPolicy, NoSuchLifecycleConfiguration, …) are
//! observations of absence, not failures.

use crate::aws::failure::{error_code, observe, observe_or, observe_pages};
use crate::aws::timestamp;
use crate::inventory::{
    BucketAcl, BucketEncryption, BucketLogging, Grant, Grantee, LifecycleExpiration,
    LifecycleFilter, LifecycleRule, LifecycleTransition, NoncurrentVersionExpiration, ObjectLock,
    ObjectLockRetention, Observed, PolicyStatus, PublicAccessBlock, Tag, Versioning,
};
use aws_sdk_s3::Client;

pub type LocationError = aws_smithy_runtime_api::client::result::SdkError<
    aws_sdk_s3::operation::get_bucket_location::GetBucketLocationError,
    aws_smithy_runtime_api::client::orchestrator::HttpResponse,
>;

/// The bucket's region. With `expected_owner`, success also proves that account owns the
/// bucket, and a bucket of another account answers AccessDenied.
pub async fn location(
    client: &Client,
    bucket: &str,
    expected_owner: Option<&str>,
) -> Result<String, LocationError> {
    let output = client
        .get_bucket_location()
        .bucket(bucket)
        .set_expected_bucket_owner(expected_owner.map(str::to_owned))
        .send()
        .await?;
    Ok(match output.location_constraint().map(|c| c.as_str()) {
        // AWS answers an empty constraint for us-east-1 and `EU` for the oldest eu-west-1 buckets.
        None | Some("") => "us-east-1".to_owned(),
        Some("EU") => "eu-west-1".to_owned(),
        Some(region) => region.to_owned(),
    })
}

/// Whether a location request was refused (not the expected owner, or not allowed).
pub fn is_denied(error: &LocationError) -> bool {
    error_code(error) == Some("AccessDenied")
}

/// The names of the buckets the session's account owns.
pub async fn owned_buckets(client: &Client) -> Observed<Vec<String>> {
    let pages = client.list_buckets().into_paginator().send();
    observe_pages("s3:ListAllMyBuckets", pages, |page| {
        page.buckets()
            .iter()
            .filter_map(|b| b.name().map(str::to_owned))
            .collect()
    })
    .await
}

pub async fn acl(client: &Client, bucket: &str) -> Observed<BucketAcl> {
    let result = client.get_bucket_acl().bucket(bucket).send().await;
    observe(
        "s3:GetBucketAcl",
        result.map(|output| BucketAcl {
            owner_id: output.owner().and_then(|o| o.id()).map(str::to_owned),
            grants: output
                .grants()
                .iter()
                .filter_map(|grant| {
                    let grantee = grant.grantee()?;
                    Some(Grant {
                        grantee: Grantee {
                            grantee_type: grantee.r#type().as_str().to_owned(),
                            id: grantee.id().map(str::to_owned),
                            uri: grantee.uri().map(str::to_owned),
                            display_name: grantee.display_name().map(str::to_owned),
                            email_address: grantee.email_address().map(str::to_owned),
                        },
                        permission: grant
                            .permission()
                            .map(|p| p.as_str().to_owned())
                            .unwrap_or_default(),
                    })
                })
                .collect(),
        }),
    )
}

pub async fn policy(client: &Client, bucket: &str) -> Observed<Option<String>> {
    let result = client.get_bucket_policy().bucket(bucket).send().await;
    observe_or(
        "s3:GetBucketPolicy",
        result.map(|output| output.policy().map(str::to_owned)),
        &["NoSuchBucketPolicy"],
        || None,
    )
}

pub async fn policy_status(client: &Client, bucket: &str) -> Observed<Option<PolicyStatus>> {
    let result = client
        .get_bucket_policy_status()
        .bucket(bucket)
        .send()
        .await;
    observe_or(
        "s3:GetBucketPolicyStatus",
        result.map(|output| {
            output.policy_status().map(|status| PolicyStatus {
                is_public: status.is_public().unwrap_or(false),
            })
        }),
        &["NoSuchBucketPolicy"],
        || None,
    )
}

/// The four Block Public Access flags of a bucket- or account-level configuration (two SDK
/// types with the same accessors); an absent flag is off, as AWS documents.
macro_rules! public_access_block {
    ($config:expr) => {{
        let config = $config;
        PublicAccessBlock {
            block_public_acls: config.block_public_acls().unwrap_or(false),
            ignore_public_acls: config.ignore_public_acls().unwrap_or(false),
            block_public_policy: config.block_public_policy().unwrap_or(false),
            restrict_public_buckets: config.restrict_public_buckets().unwrap_or(false),
        }
    }};
}

pub async fn bucket_public_access_block(
    client: &Client,
    bucket: &str,
) -> Observed<Option<PublicAccessBlock>> {
    let result = client.get_public_access_block().bucket(bucket).send().await;
    observe_or(
        "s3:GetBucketPublicAccessBlock",
        result.map(|output| {
            output
                .public_access_block_configuration()
                .map(|c| public_access_block!(c))
        }),
        &["NoSuchPublicAccessBlockConfiguration"],
        || None,
    )
}

pub async fn versioning(client: &Client, bucket: &str) -> Observed<Versioning> {
    let result = client.get_bucket_versioning().bucket(bucket).send().await;
    observe(
        "s3:GetBucketVersioning",
        result.map(|output| Versioning {
            status: output.status().map(|s| s.as_str().to_owned()),
            mfa_delete: output.mfa_delete().map(|m| m.as_str() == "Enabled"),
        }),
    )
}

pub async fn logging(client: &Client, bucket: &str) -> Observed<Option<BucketLogging>> {
    let result = client.get_bucket_logging().bucket(bucket).send().await;
    observe(
        "s3:GetBucketLogging",
        result.map(|output| {
            output.logging_enabled().map(|l| BucketLogging {
                target_bucket: l.target_bucket().to_owned(),
                target_prefix: l.target_prefix().to_owned(),
            })
        }),
    )
}

pub async fn lifecycle(client: &Client, bucket: &str) -> Observed<Vec<LifecycleRule>> {
    let result = client
        .get_bucket_lifecycle_configuration()
        .bucket(bucket)
        .send()
        .await;
    observe_or(
        "s3:GetLifecycleConfiguration",
        result.map(|output| output.rules().iter().map(lifecycle_rule).collect()),
        &["NoSuchLifecycleConfiguration"],
        Vec::new,
    )
}

fn tag(tag: &aws_sdk_s3::types::Tag) -> Tag {
    Tag {
        key: tag.key().to_owned(),
        value: tag.value().to_owned(),
    }
}

/// Normalizes the legacy top-level `Prefix`, `Filter.Prefix`, `Filter.Tag` and `Filter.And`
/// into one conjunctive filter.
fn lifecycle_rule(rule: &aws_sdk_s3::types::LifecycleRule) -> LifecycleRule {
    #[allow(deprecated)]
    let legacy_prefix = rule.prefix();
    let mut filter = LifecycleFilter {
        prefix: legacy_prefix.map(str::to_owned),
        ..LifecycleFilter::default()
    };
    if let Some(f) = rule.filter() {
        if let Some(and) = f.and() {
            filter.prefix = and.prefix().map(str::to_owned).or(filter.prefix);
            filter.tags = and.tags().iter().map(tag).collect();
            filter.object_size_greater_than = and.object_size_greater_than();
            filter.object_size_less_than = and.object_size_less_than();
        } else {
            filter.prefix = f.prefix().map(str::to_owned).or(filter.prefix);
            filter.tags = f.tag().map(tag).into_iter().collect();
            filter.object_size_greater_than = f.object_size_greater_than();
            filter.object_size_less_than = f.object_size_less_than();
        }
    }
    LifecycleRule {
        id: rule.id().map(str::to_owned),
        enabled: rule.status().as_str() == "Enabled",
        filter,
        expiration: rule.expiration().map(|e| LifecycleExpiration {
            days: e.days().map(i64::from),
            date: e.date().and_then(timestamp),
            expired_object_delete_marker: e.expired_object_delete_marker(),
        }),
        noncurrent_version_expiration: rule.noncurrent_version_expiration().map(|e| {
            NoncurrentVersionExpiration {
                noncurrent_days: e.noncurrent_days().map(i64::from),
                newer_noncurrent_versions: e.newer_noncurrent_versions().map(i64::from),
            }
        }),
        transitions: rule
            .transitions()
            .iter()
            .map(|t| LifecycleTransition {
                days: t.days().map(i64::from),
                date: t.date().and_then(timestamp),
                storage_class: t
                    .storage_class()
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

pub async fn encryption(client: &Client, bucket: &str) -> Observed<Option<BucketEncryption>> {
    let result = client.get_bucket_encryption().bucket(bucket).send().await;
    observe_or(
        "s3:GetEncryptionConfiguration",
        result.map(|output| {
            let rule = output
                .server_side_encryption_configuration()
                .and_then(|c| c.rules().first())?;
            let default = rule.apply_server_side_encryption_by_default()?;
            Some(BucketEncryption {
                sse_algorithm: default.sse_algorithm().as_str().to_owned(),
                kms_master_key_id: default.kms_master_key_id().map(str::to_owned),
                bucket_key_enabled: rule.bucket_key_enabled(),
            })
        }),
        &["ServerSideEncryptionConfigurationNotFoundError"],
        || None,
    )
}

pub async fn object_lock(client: &Client, bucket: &str) -> Observed<Option<ObjectLock>> {
    let result = client
        .get_object_lock_configuration()
        .bucket(bucket)
        .send()
        .await;
    observe_or(
        "s3:GetBucketObjectLockConfiguration",
        result.map(|output| {
            output.object_lock_configuration().map(|c| ObjectLock {
                enabled: c
                    .object_lock_enabled()
                    .is_some_and(|e| e.as_str() == "Enabled"),
                default_retention: c.rule().and_then(|r| r.default_retention()).map(|d| {
                    ObjectLockRetention {
                        mode: d.mode().map(|m| m.as_str().to_owned()).unwrap_or_default(),
                        days: d.days().map(i64::from),
                        years: d.years().map(i64::from),
                    }
                }),
            })
        }),
        &["ObjectLockConfigurationNotFoundError"],
        || None,
    )
}

/// Account-level Block Public Access (`s3:GetAccountPublicAccessBlock`).
pub async fn account_public_access_block(
    client: &aws_sdk_s3control::Client,
    account: &str,
) -> Observed<Option<PublicAccessBlock>> {
    let result = client
        .get_public_access_block()
        .account_id(account)
        .send()
        .await;
    observe_or(
        "s3:GetAccountPublicAccessBlock",
        result.map(|output| {
            output
                .public_access_block_configuration()
                .map(|c| public_access_block!(c))
        }),
        &["NoSuchPublicAccessBlockConfiguration"],
        || None,
    )
}
