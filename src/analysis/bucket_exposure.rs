//! Whether an S3 bucket is, or can become, publicly accessible.
//!
//! Public through the ACL (a grant to AllUsers or AuthenticatedUsers that `IgnorePublicAcls`
//! does not neutralize), through the policy (AWS's own `PolicyStatus.IsPublic`, unless
//! `RestrictPublicBuckets` applies), or exposed because Block Public Access is not fully on
//! at the bucket or the owner account. Bucket and account settings combine: a flag is on
//! if either level turns it on. Each part that could not be observed makes the answer
//! unknown unless another part already proves exposure.

use crate::inventory::{Bucket, Inventory, Observed, PublicAccessBlock};

pub const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
pub const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

/// The verdict, with the reasons it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BucketExposure {
    /// Publicly accessible, or open to becoming so: how.
    Exposed(Vec<String>),
    Private,
    /// Not exposed as far as observed, but parts could not be observed: which.
    Unknown(Vec<String>),
}

/// A flag of Block Public Access: from the bucket's and the account's configurations.
fn flag(
    bucket: &Observed<Option<PublicAccessBlock>>,
    account: Option<&Observed<Option<PublicAccessBlock>>>,
    pick: fn(&PublicAccessBlock) -> bool,
) -> Option<bool> {
    let level = |observed: &Observed<Option<PublicAccessBlock>>| match observed.value() {
        Ok(Some(config)) => Some(pick(config)),
        Ok(None) => Some(false),
        Err(_) => None,
    };
    let bucket_level = level(bucket);
    let account_level = account.and_then(level);
    match (bucket_level, account_level) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

pub fn exposure(inventory: &Inventory, bucket: &Bucket) -> BucketExposure {
    let account_block = inventory
        .bucket_owner(bucket)
        .map(|account| &account.s3_public_access_block);
    let mut exposed = Vec::new();
    let mut unknown = Vec::new();
    let block = &bucket.public_access_block;
    let ignore_public_acls = flag(block, account_block, |c| c.ignore_public_acls);
    let restrict_public_buckets = flag(block, account_block, |c| c.restrict_public_buckets);
    let flags = [
        (
            "BlockPublicAcls",
            flag(block, account_block, |c| c.block_public_acls),
        ),
        ("IgnorePublicAcls", ignore_public_acls),
        (
            "BlockPublicPolicy",
            flag(block, account_block, |c| c.block_public_policy),
        ),
        ("RestrictPublicBuckets", restrict_public_buckets),
    ];

    match bucket.acl.value() {
        Ok(acl) => {
            let public = acl
                .grants
                .iter()
                .filter(|g| {
                    matches!(
                        g.grantee.uri.as_deref(),
                        Some(ALL_USERS | AUTHENTICATED_USERS)
                    )
                })
                .map(|g| {
                    format!(
                        "{} to {}",
                        g.permission,
                        g.grantee
                            .uri
                            .as_deref()
                            .unwrap_or_default()
                            .rsplit('/')
                            .next()
                            .unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>();
            if !public.is_empty() {
                match ignore_public_acls {
                    Some(true) => {}
                    Some(false) => exposed.push(format!("the ACL grants {}", public.join(", "))),
                    None => unknown.push(format!(
                        "the ACL grants {} and whether IgnorePublicAcls applies is unknown",
                        public.join(", ")
                    )),
                }
            }
        }
        // With IgnorePublicAcls on, no ACL can expose the bucket: its content does not matter.
        Err(error) if ignore_public_acls != Some(true) => {
            unknown.push(format!("bucket ACL unknown ({error})"))
        }
        Err(_) => {}
    }

    match bucket.policy_status.value() {
        Ok(Some(status)) if status.is_public => match restrict_public_buckets {
            Some(true) => {}
            Some(false) => {
                exposed.push("the bucket policy is public (PolicyStatus.IsPublic)".to_owned())
            }
            None => unknown.push(
                "the bucket policy is public and whether RestrictPublicBuckets applies is unknown"
                    .to_owned(),
            ),
        },
        Ok(_) => {}
        // With RestrictPublicBuckets on, a public policy grants nothing outside the owner account.
        Err(error) if restrict_public_buckets != Some(true) => {
            unknown.push(format!("bucket policy status unknown ({error})"))
        }
        Err(_) => {}
    }

    let off = flags
        .iter()
        .filter(|(_, v)| *v == Some(false))
        .map(|(name, _)| *name)
        .collect::<Vec<_>>();
    // A flag is unknown only when neither level turns it on and one level could not be read;
    // a flag the bucket itself turns on is known, whatever the account says.
    let undecided = flags
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(name, _)| *name)
        .collect::<Vec<_>>();
    if !undecided.is_empty() {
        let mut causes = Vec::new();
        if let Err(error) = block.value() {
            causes.push(format!("bucket setting: {error}"));
        }
        match account_block.map(Observed::value) {
            None => causes.push("account setting of the bucket owner not observed".to_owned()),
            Some(Err(error)) => causes.push(format!("account setting: {error}")),
            Some(Ok(_)) => {}
        }
        unknown.push(format!(
            "whether Block Public Access covers {} is unknown ({})",
            undecided.join(", "),
            causes.join("; ")
        ));
    }
    if !off.is_empty() {
        exposed.push(format!(
            "Block Public Access is off at both bucket and account level for {}",
            off.join(", ")
        ));
    }

    if !exposed.is_empty() {
        BucketExposure::Exposed(exposed)
    } else if !unknown.is_empty() {
        BucketExposure::Unknown(unknown)
    } else {
        BucketExposure::Private
    }
}
