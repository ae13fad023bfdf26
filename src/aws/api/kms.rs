//! KMS: the keys trails and log groups encrypt with — metadata, rotation and key policy.

use crate::aws::failure::{observe, observe_or};
use crate::aws::timestamp;
use crate::inventory::{KeyMetadata, Observed};
use aws_sdk_kms::Client;

/// `DescribeKey`; `Ok(None)`: no such key. Accepts a key ARN, key id, alias name or alias ARN;
/// the metadata carries the key ARN.
pub async fn describe_key(client: &Client, key: &str) -> Observed<Option<(String, KeyMetadata)>> {
    let result = client.describe_key().key_id(key).send().await;
    let metadata = result.map(|output| {
        output.key_metadata().map(|m| {
            (
                m.arn().unwrap_or(key).to_owned(),
                KeyMetadata {
                    key_state: m
                        .key_state()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    key_manager: m
                        .key_manager()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    key_spec: m
                        .key_spec()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_else(|| "SYMMETRIC_DEFAULT".to_owned()),
                    origin: m.origin().map(|o| o.as_str().to_owned()),
                    deletion_date: m.deletion_date().and_then(timestamp),
                },
            )
        })
    });
    observe_or("kms:DescribeKey", metadata, &["NotFoundException"], || None)
}

pub async fn rotation_enabled(client: &Client, key: &str) -> Observed<bool> {
    let result = client.get_key_rotation_status().key_id(key).send().await;
    observe(
        "kms:GetKeyRotationStatus",
        result.map(|output| output.key_rotation_enabled()),
    )
}

/// The key policy. The policy name `default` is the only one AWS has; sending it explicitly
/// is what the API documents and what every AWS-compatible endpoint accepts.
pub async fn policy(client: &Client, key: &str) -> Observed<String> {
    let result = client
        .get_key_policy()
        .key_id(key)
        .policy_name("default")
        .send()
        .await;
    observe(
        "kms:GetKeyPolicy",
        result.map(|output| output.policy().unwrap_or_default().to_owned()),
    )
}
