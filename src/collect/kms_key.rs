//! A KMS key, by alias or ARN: read by its owner when that account is scanned, else by the
//! account that refers to it.

use super::crawl::{with_note, Crawl};
use crate::aws::api::kms;
use crate::aws::limits::Service;
use crate::inventory::{Arn, ErrorKind, KmsKey, Observed};
use crate::scope::sessions::Session;

impl Crawl<'_> {
    /// A key as an ARN: trails and log groups name keys by ARN, but a bare key id or alias
    /// is completed with the scan's partition, the referring account and region.
    pub(super) fn key_arn(&self, reference: &str, account: &str, region: &str) -> String {
        if reference.starts_with("arn:") {
            return reference.to_owned();
        }
        let resource = if reference.starts_with("alias/") {
            reference.to_owned()
        } else {
            format!("key/{reference}")
        };
        format!("arn:{}:kms:{region}:{account}:{resource}", self.partition)
    }

    /// A KMS key, read with its owner's session when the owner is scanned, else with the
    /// referrer's (a key policy may grant it). From a session of another account, "not
    /// found" proves nothing, so it is recorded as unreadable rather than as absent.
    pub(super) async fn kms_key(&self, referrer: &Session, reference: &str, referrer_region: &str) {
        let reference = self.key_arn(reference, &referrer.account, referrer_region);
        if !self.claim("kms-key", &reference) {
            return;
        }
        let Ok(parsed) = Arn::parse_regional(&reference, "kms") else {
            tracing::warn!(key = %reference, "skipping a KMS key reference that is not a KMS ARN");
            return;
        };
        let reader = self.session_of(parsed.account, referrer);
        let foreign = reader.account != parsed.account;
        let region = parsed.region.to_owned();
        let client = reader.clients.kms(&region);
        // Rotation and policy need the key itself, not an alias: with a key ARN all three
        // calls go at once; an alias is resolved by DescribeKey first.
        let (metadata, rotation_enabled, policy) = if parsed.resource.starts_with("key/") {
            tokio::join!(
                self.limited(
                    reader,
                    Service::Kms,
                    &region,
                    kms::describe_key(&client, &reference)
                ),
                self.limited(
                    reader,
                    Service::Kms,
                    &region,
                    kms::rotation_enabled(&client, &reference)
                ),
                self.limited(
                    reader,
                    Service::Kms,
                    &region,
                    kms::policy(&client, &reference)
                ),
            )
        } else {
            let metadata = self
                .limited(
                    reader,
                    Service::Kms,
                    &region,
                    kms::describe_key(&client, &reference),
                )
                .await;
            match &metadata {
                Observed::Ok(Some((key_arn, _))) => {
                    let (rotation, policy) = tokio::join!(
                        self.limited(
                            reader,
                            Service::Kms,
                            &region,
                            kms::rotation_enabled(&client, key_arn)
                        ),
                        self.limited(reader, Service::Kms, &region, kms::policy(&client, key_arn)),
                    );
                    (metadata.clone(), rotation, policy)
                }
                _ => {
                    let message =
                        format!("not asked: the alias {reference} does not resolve to a key");
                    (
                        metadata.clone(),
                        Observed::failure(
                            ErrorKind::NotCollected,
                            "kms:GetKeyRotationStatus",
                            message.clone(),
                        ),
                        Observed::failure(ErrorKind::NotCollected, "kms:GetKeyPolicy", message),
                    )
                }
            }
        };
        let metadata = match metadata {
            Observed::Ok(None) if foreign => Observed::failure(
                ErrorKind::Denied,
                "kms:DescribeKey",
                format!(
                    "the key belongs to {}, and is not visible from account {}",
                    self.unscanned(parsed.account),
                    reader.account
                ),
            ),
            other => other,
        };
        // A foreign key's calls failing (NotFound, AccessDenied) says little on its own: say
        // why the owner's session was not used, naming its failed call if it had one.
        let (rotation_enabled, policy) = if foreign {
            let owner = format!("the key belongs to {}", self.unscanned(parsed.account));
            (
                with_note(rotation_enabled, &owner),
                with_note(policy, &owner),
            )
        } else {
            (rotation_enabled, policy)
        };
        let (arn, metadata) = match metadata {
            Observed::Ok(Some((arn, metadata))) => (arn, Observed::Ok(Some(metadata))),
            Observed::Ok(None) => (reference.clone(), Observed::Ok(None)),
            Observed::Error(error) => (reference.clone(), Observed::Error(error)),
        };
        let aliases = if arn == reference {
            Vec::new()
        } else {
            vec![reference.clone()]
        };
        let key = KmsKey {
            arn,
            aliases,
            metadata,
            rotation_enabled,
            policy,
        };
        self.record(|found| found.kms_keys.push(key));
    }
}
