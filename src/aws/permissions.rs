//! The read-only allowlist: every AWS operation trailwarden may make, and the IAM action it needs.
//!
//! One list serves three purposes, so they cannot drift apart: the SDK interceptor
//! ([`super::guard::ApiCallLog`]) refuses any operation not listed here before it is sent,
//! `trailwarden iam-policy` prints the least-privilege policy built from it (checked in as
//! `docs/iam-policy.json`), and the live tests assert that a full scan stays inside it.

use serde_json::json;

/// An AWS operation as the SDK names it, and the IAM action that authorizes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    /// The SDK's service name (`aws_smithy_runtime_api::client::orchestrator::Metadata::service`).
    pub service: &'static str,
    /// The operation name (`Metadata::name`).
    pub operation: &'static str,
    /// The IAM action a policy must allow.
    pub action: &'static str,
    /// Why trailwarden makes the call.
    pub purpose: &'static str,
}

const fn allow(
    service: &'static str,
    operation: &'static str,
    action: &'static str,
    purpose: &'static str,
) -> Permission {
    Permission {
        service,
        operation,
        action,
        purpose,
    }
}

/// Every operation trailwarden may make. Only Describe/Get/List-style reads (and, for
/// organizations, AssumeRole) belong here; a test enforces that.
pub const READ_ONLY_OPERATIONS: &[Permission] = &[
    allow(
        "STS",
        "GetCallerIdentity",
        "sts:GetCallerIdentity",
        "who is scanning",
    ),
    allow(
        "STS",
        "AssumeRole",
        "sts:AssumeRole",
        "a session in each scanned account (--accounts, --org)",
    ),
    allow(
        "Organizations",
        "DescribeOrganization",
        "organizations:DescribeOrganization",
        "the organization and its management account (--org)",
    ),
    allow(
        "Organizations",
        "ListAccounts",
        "organizations:ListAccounts",
        "the organization's accounts (--org)",
    ),
    allow(
        "Organizations",
        "ListDelegatedAdministrators",
        "organizations:ListDelegatedAdministrators",
        "CloudTrail's delegated administrator (--org)",
    ),
    allow(
        "Organizations",
        "ListAWSServiceAccessForOrganization",
        "organizations:ListAWSServiceAccessForOrganization",
        "trusted service access (--org)",
    ),
    allow(
        "EC2",
        "DescribeRegions",
        "ec2:DescribeRegions",
        "which regions are enabled",
    ),
    allow(
        "CloudTrail",
        "DescribeTrails",
        "cloudtrail:DescribeTrails",
        "trails per region",
    ),
    allow(
        "CloudTrail",
        "GetTrailStatus",
        "cloudtrail:GetTrailStatus",
        "is the trail logging",
    ),
    allow(
        "CloudTrail",
        "GetEventSelectors",
        "cloudtrail:GetEventSelectors",
        "what the trail records",
    ),
    allow(
        "CloudTrail",
        "GetInsightSelectors",
        "cloudtrail:GetInsightSelectors",
        "Insights configuration",
    ),
    allow(
        "CloudTrail",
        "ListTags",
        "cloudtrail:ListTags",
        "the trail's tags",
    ),
    allow(
        "CloudTrail",
        "ListEventDataStores",
        "cloudtrail:ListEventDataStores",
        "CloudTrail Lake event data stores per region",
    ),
    allow(
        "CloudTrail",
        "GetEventDataStore",
        "cloudtrail:GetEventDataStore",
        "each event data store's retention, encryption and protection",
    ),
    allow(
        "Config Service",
        "DescribeConfigurationRecorders",
        "config:DescribeConfigurationRecorders",
        "AWS Config recorders per region",
    ),
    allow(
        "Config Service",
        "DescribeConfigurationRecorderStatus",
        "config:DescribeConfigurationRecorderStatus",
        "whether each recorder is recording",
    ),
    allow(
        "CloudTrail",
        "ListPublicKeys",
        "cloudtrail:ListPublicKeys",
        "verify-logs: the public keys that sign digest files, per source region",
    ),
    allow(
        "S3",
        "ListObjectsV2",
        "s3:ListBucket",
        "verify-logs: the digest files of the trail in the window",
    ),
    allow(
        "S3",
        "GetObject",
        "s3:GetObject",
        "verify-logs: digest files and the log files they list (read, never written)",
    ),
    allow(
        "S3",
        "GetBucketLocation",
        "s3:GetBucketLocation",
        "the log bucket's region",
    ),
    allow(
        "S3",
        "ListBuckets",
        "s3:ListAllMyBuckets",
        "which scanned account owns a log bucket kept in another account",
    ),
    allow(
        "S3",
        "GetBucketAcl",
        "s3:GetBucketAcl",
        "public grants on the log bucket",
    ),
    allow(
        "S3",
        "GetBucketPolicy",
        "s3:GetBucketPolicy",
        "the log bucket's policy",
    ),
    allow(
        "S3",
        "GetBucketPolicyStatus",
        "s3:GetBucketPolicyStatus",
        "is the bucket policy public",
    ),
    allow(
        "S3",
        "GetPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
        "bucket Block Public Access",
    ),
    allow(
        "S3",
        "GetBucketVersioning",
        "s3:GetBucketVersioning",
        "versioning and MFA delete",
    ),
    allow(
        "S3",
        "GetBucketLogging",
        "s3:GetBucketLogging",
        "server access logging",
    ),
    allow(
        "S3",
        "GetBucketLifecycleConfiguration",
        "s3:GetLifecycleConfiguration",
        "log retention",
    ),
    allow(
        "S3",
        "GetBucketEncryption",
        "s3:GetEncryptionConfiguration",
        "default encryption",
    ),
    allow(
        "S3",
        "GetObjectLockConfiguration",
        "s3:GetBucketObjectLockConfiguration",
        "Object Lock",
    ),
    allow(
        "S3 Control",
        "GetPublicAccessBlock",
        "s3:GetAccountPublicAccessBlock",
        "account Block Public Access",
    ),
    allow(
        "KMS",
        "DescribeKey",
        "kms:DescribeKey",
        "the trail's or log group's key",
    ),
    allow(
        "KMS",
        "GetKeyRotationStatus",
        "kms:GetKeyRotationStatus",
        "key rotation",
    ),
    allow(
        "KMS",
        "GetKeyPolicy",
        "kms:GetKeyPolicy",
        "who may use the key",
    ),
    allow(
        "CloudWatch Logs",
        "DescribeLogGroups",
        "logs:DescribeLogGroups",
        "log group retention and key",
    ),
    allow(
        "CloudWatch Logs",
        "DescribeMetricFilters",
        "logs:DescribeMetricFilters",
        "metric filters on the log groups of trails that may qualify for CIS monitoring",
    ),
    allow(
        "CloudWatch",
        "DescribeAlarms",
        "cloudwatch:DescribeAlarms",
        "alarms on the metrics of those filters",
    ),
    allow(
        "SNS",
        "ListSubscriptionsByTopic",
        "sns:ListSubscriptionsByTopic",
        "whether someone confirmed a subscription to the alarms' topics",
    ),
];

/// The allowlisted permission for an SDK operation, if any.
pub fn lookup(service: &str, operation: &str) -> Option<&'static Permission> {
    READ_ONLY_OPERATIONS
        .iter()
        .find(|p| p.service == service && p.operation == operation)
}

/// The IAM actions of the allowlist, sorted and without duplicates.
pub fn actions() -> Vec<&'static str> {
    let mut actions = READ_ONLY_OPERATIONS
        .iter()
        .map(|p| p.action)
        .collect::<Vec<_>>();
    actions.sort_unstable();
    actions.dedup();
    actions
}

/// The least-privilege IAM policy for a scan, as pretty JSON with a trailing newline.
pub fn iam_policy_json() -> String {
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "TrailwardenReadOnly",
            "Effect": "Allow",
            "Action": actions(),
            "Resource": "*",
        }],
    });
    // Serializing a `serde_json::Value` cannot fail.
    let mut text = serde_json::to_string_pretty(&policy).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_a_read() {
        // AssumeRole reads nothing and changes nothing: it only yields credentials.
        let reads = READ_ONLY_OPERATIONS
            .iter()
            .filter(|p| p.action != "sts:AssumeRole");
        for permission in reads {
            let verb = permission
                .action
                .split_once(':')
                .map(|(_, name)| name)
                .unwrap_or_default();
            assert!(
                ["Describe", "Get", "List"]
                    .iter()
                    .any(|prefix| verb.starts_with(prefix)),
                "{} is not a read-only action",
                permission.action
            );
            assert!(
                ["Describe", "Get", "List"]
                    .iter()
                    .any(|prefix| permission.operation.starts_with(prefix)),
                "{} is not a read-only operation",
                permission.operation
            );
        }
    }

    #[test]
    fn operations_are_unique() {
        for (i, a) in READ_ONLY_OPERATIONS.iter().enumerate() {
            for b in &READ_ONLY_OPERATIONS[i + 1..] {
                assert!(
                    (a.service, a.operation) != (b.service, b.operation),
                    "{}:{} listed twice",
                    a.service,
                    a.operation
                );
            }
        }
    }
}
