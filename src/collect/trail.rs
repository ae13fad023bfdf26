//! A trail: its details asked once from its home region with its owner's session, then its
//! bucket, KMS key, log group and monitoring chain, and with `--verify-logs-window` its
//! integrity.

use super::crawl::Crawl;
use crate::analysis::{trail_coverage, Truth};
use crate::aws::api::cloudtrail;
use crate::aws::limits::Service;
use crate::inventory::Trail;
use crate::scope::sessions::Session;

impl Crawl<'_> {
    /// A trail's details, asked by its owner when the owner is scanned (a member sees an
    /// organization trail, but the management account is the one that keeps it).
    pub(super) async fn trail(&self, lister: &Session, mut trail: Trail) {
        let owner = self.session_of(trail.owner_account(), lister);
        let region = trail.home_region.clone();
        let client = owner.clients.cloudtrail(&region);
        let bucket = trail.s3_bucket_name.clone();
        let key = trail.kms_key_id.clone();
        let log_group = trail.log_group_arn().map(str::to_owned);
        let arn = trail.arn.clone();
        let verify_window = self
            .verify_logs_window
            .filter(|_| trail.log_file_validation_enabled);
        let ((status, event_selectors, insight_selectors, tags), (), (), (), log_integrity) = tokio::join!(
            async {
                tokio::join!(
                    self.limited(
                        owner,
                        Service::CloudTrail,
                        &region,
                        cloudtrail::trail_status(&client, &arn)
                    ),
                    self.limited(
                        owner,
                        Service::CloudTrail,
                        &region,
                        cloudtrail::event_selectors(&client, &arn)
                    ),
                    self.limited(
                        owner,
                        Service::CloudTrail,
                        &region,
                        cloudtrail::insight_selectors(&client, &arn)
                    ),
                    self.limited(
                        owner,
                        Service::CloudTrail,
                        &region,
                        cloudtrail::tags(&client, &arn)
                    ),
                )
            },
            async {
                if let Some(bucket) = &bucket {
                    self.bucket(owner, bucket).await;
                }
            },
            async {
                if let Some(key) = &key {
                    self.kms_key(owner, key, &region).await;
                }
            },
            async {
                if let Some(log_group) = &log_group {
                    self.log_group(log_group).await;
                }
            },
            async {
                // A trail without validation has nothing to verify: TW118 says so.
                match verify_window {
                    Some(window) => Some(
                        super::integrity::verify_recent(
                            owner.clients.clone(),
                            &trail,
                            window,
                            chrono::Utc::now(),
                            self.verify_concurrency,
                        )
                        .await,
                    ),
                    None => None,
                }
            },
        );
        trail.status = status;
        trail.log_integrity = log_integrity;
        trail.event_selectors = event_selectors;
        trail.insight_selectors = insight_selectors;
        trail.tags = tags;
        if let Some(log_group) = &log_group {
            if may_qualify_for_monitoring(&trail) {
                self.monitoring(log_group).await;
            }
        }
        self.record(|found| found.trails.push(trail));
    }
}

/// Whether a trail may qualify for the CIS monitoring controls: not known to be
/// single-region, stopped, or short of all management events. A trail whose status is
/// unknown is followed too, so that a broken chain behind it can still be a definite FAIL.
pub(super) fn may_qualify_for_monitoring(trail: &Trail) -> bool {
    !matches!(trail_coverage::records_all_regions(trail), Truth::No(_))
}
