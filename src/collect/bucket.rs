//! A log bucket: who owns it, and reading it with the owner's session in the bucket's region.

use super::crawl::{BucketOwners, Crawl};
use crate::aws::api::s3;
use crate::aws::failure;
use crate::aws::limits::Service;
use crate::inventory::{Bucket, ErrorKind, ObservationError, Observed};
use crate::scope::sessions::Session;
use futures::future::join_all;

impl Crawl<'_> {
    /// Which scanned account owns each bucket; asked once, in every session at once.
    pub(super) async fn bucket_owners(&self) -> &BucketOwners {
        self.bucket_owners
            .get_or_init(|| async {
                let home = self.home_region.as_str();
                let lists = join_all(self.sessions.values().map(|session| async move {
                    let client = session.clients.s3(home);
                    let owned = self
                        .limited(session, Service::S3, home, s3::owned_buckets(&client))
                        .await;
                    (session.account.clone(), owned)
                }))
                .await;
                let mut owners = BucketOwners::default();
                for (account, owned) in lists {
                    match owned {
                        Observed::Ok(names) => {
                            for name in names {
                                owners.owners.insert(name, account.clone());
                            }
                        }
                        Observed::Error(error) => {
                            tracing::warn!(%account, %error, "cannot list the account's buckets");
                            owners.unknown.push(account);
                        }
                    }
                }
                owners
            })
            .await
    }

    /// The bucket's region, asked in the home region with `session`.
    pub(super) async fn locate(
        &self,
        session: &Session,
        name: &str,
        expected_owner: Option<&str>,
    ) -> Result<String, s3::LocationError> {
        let home = self.home_region.as_str();
        let client = session.clients.s3(home);
        self.limited(
            session,
            Service::S3,
            home,
            s3::location(&client, name, expected_owner),
        )
        .await
    }

    /// A log bucket, read with its owner's session. The referrer (the account of the trail
    /// that writes to it) is asked first as expected owner, which settles the common case in
    /// one call; a bucket kept elsewhere is looked up among the scanned accounts' buckets.
    /// A bucket of no scanned account is read with the referrer's session if its policy lets
    /// it, and otherwise recorded as unreadable, with why.
    pub(super) async fn bucket(&self, referrer: &Session, name: &str) {
        if !self.claim("bucket", name) {
            return;
        }
        let probe = self.locate(referrer, name, Some(&referrer.account)).await;
        let mut not_owned_by = Vec::new();
        let (reader, location, owner) = match probe {
            Ok(region) => (
                referrer,
                Observed::Ok(region),
                Some(referrer.account.clone()),
            ),
            Err(e) if s3::is_denied(&e) => {
                let owners = if self.sessions.len() > 1 {
                    Some(self.bucket_owners().await)
                } else {
                    None
                };
                match owners
                    .and_then(|o| o.owners.get(name))
                    .and_then(|owner| self.sessions.get(owner))
                {
                    Some(owner) => {
                        let located = self.locate(owner, name, Some(&owner.account)).await;
                        (
                            owner,
                            failure::observe("s3:GetBucketLocation", located),
                            Some(owner.account.clone()),
                        )
                    }
                    None => {
                        // Not the referrer's and (as far as could be seen) no other scanned
                        // account's: ask without the owner condition, which a bucket policy
                        // granting the referrer read access allows.
                        let located = self.locate(referrer, name, None).await;
                        let mut location = failure::observe("s3:GetBucketLocation", located);
                        if location.is_ok() {
                            // Refused with the referrer as expected owner, answered without:
                            // not the referrer's, nor any scanned account's that listed its own.
                            not_owned_by.push(referrer.account.clone());
                            if let Some(owners) = owners {
                                not_owned_by.extend(
                                    self.sessions
                                        .keys()
                                        .filter(|account| !owners.unknown.contains(account))
                                        .cloned(),
                                );
                            }
                            not_owned_by.sort();
                            not_owned_by.dedup();
                        }
                        if let (Observed::Error(error), Some(owners)) = (&mut location, owners) {
                            error.message = format!(
                                "{}; the bucket belongs to none of the {} scanned account(s){}{}",
                                error.message,
                                self.sessions.len(),
                                if owners.unknown.is_empty() {
                                    String::new()
                                } else {
                                    format!(
                                        " whose buckets could be listed (not: {})",
                                        owners.unknown.join(", ")
                                    )
                                },
                                self.unentered_accounts()
                            );
                        }
                        (referrer, location, None)
                    }
                }
            }
            Err(e) => (
                referrer,
                failure::observe::<String, _>("s3:GetBucketLocation", Err(e)),
                None,
            ),
        };
        let region = match location {
            Observed::Ok(region) => region,
            Observed::Error(location_error) => {
                self.record(|found| found.buckets.push(unlocated_bucket(name, location_error)));
                return;
            }
        };
        let client = reader.clients.s3(&region);
        let (acl, policy, policy_status, public_access_block, versioning) = tokio::join!(
            self.limited(reader, Service::S3, &region, s3::acl(&client, name)),
            self.limited(reader, Service::S3, &region, s3::policy(&client, name)),
            self.limited(
                reader,
                Service::S3,
                &region,
                s3::policy_status(&client, name)
            ),
            self.limited(
                reader,
                Service::S3,
                &region,
                s3::bucket_public_access_block(&client, name)
            ),
            self.limited(reader, Service::S3, &region, s3::versioning(&client, name)),
        );
        let (logging, lifecycle, encryption, object_lock) = tokio::join!(
            self.limited(reader, Service::S3, &region, s3::logging(&client, name)),
            self.limited(reader, Service::S3, &region, s3::lifecycle(&client, name)),
            self.limited(reader, Service::S3, &region, s3::encryption(&client, name)),
            self.limited(reader, Service::S3, &region, s3::object_lock(&client, name)),
        );
        if let Ok(Some(key)) = encryption
            .value()
            .map(|e| e.as_ref().and_then(|e| e.kms_master_key_id.as_ref()))
        {
            self.kms_key(reader, key, &region).await;
        }
        let bucket = Bucket {
            name: name.to_owned(),
            owner_account: owner,
            not_owned_by,
            region: Observed::Ok(region.clone()),
            acl,
            policy,
            policy_status,
            public_access_block,
            versioning,
            logging,
            lifecycle,
            encryption,
            object_lock,
        };
        self.record(|found| found.buckets.push(bucket));
    }
}

/// A bucket whose region could not be learned: every other call would be a guess, so each
/// is recorded as not asked, naming the call that failed.
pub(super) fn unlocated_bucket(name: &str, location_error: ObservationError) -> Bucket {
    let not_asked = |action: &str| ObservationError {
        kind: ErrorKind::NotCollected,
        operation: action.to_owned(),
        message: format!("not asked: the bucket's region is unknown ({location_error})"),
    };
    Bucket {
        name: name.to_owned(),
        owner_account: None,
        not_owned_by: Vec::new(),
        region: Observed::Error(location_error.clone()),
        acl: Observed::Error(not_asked("s3:GetBucketAcl")),
        policy: Observed::Error(not_asked("s3:GetBucketPolicy")),
        policy_status: Observed::Error(not_asked("s3:GetBucketPolicyStatus")),
        public_access_block: Observed::Error(not_asked("s3:GetBucketPublicAccessBlock")),
        versioning: Observed::Error(not_asked("s3:GetBucketVersioning")),
        logging: Observed::Error(not_asked("s3:GetBucketLogging")),
        lifecycle: Observed::Error(not_asked("s3:GetLifecycleConfiguration")),
        encryption: Observed::Error(not_asked("s3:GetEncryptionConfiguration")),
        object_lock: Observed::Error(not_asked("s3:GetBucketObjectLockConfiguration")),
    }
}
