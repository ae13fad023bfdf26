//! `--verify-logs-window`: a trail's digest chain and log files verified over a recent window
//! during the scan, with verify-logs' own engine, as the evidence rule TW118 reads.

use crate::inventory::LogIntegrity;
use crate::progress::FileProgress;
use crate::verify::result::{Keys, Target, Window};
use crate::verify::store::Store;
use chrono::{DateTime, Duration, Utc};

/// Verifies a trail's files over the `window` before `now`, for a scan: keys from
/// `cloudtrail:ListPublicKeys`, every source region and layout found in its bucket.
pub(super) async fn verify_recent(
    clients: std::sync::Arc<crate::aws::clients::Clients>,
    trail: &crate::inventory::Trail,
    window: Duration,
    now: DateTime<Utc>,
    concurrency: usize,
) -> crate::inventory::Observed<LogIntegrity> {
    use crate::inventory::{ErrorKind, ObservationError, Observed};
    let arn = match crate::inventory::TrailArn::parse(&trail.arn) {
        Ok(arn) => arn,
        Err(message) => {
            return Observed::Error(ObservationError {
                kind: ErrorKind::Failed,
                operation: "verify-logs".to_owned(),
                message: message.to_string(),
            })
        }
    };
    let target = Target {
        account: arn.account.clone(),
        trail: arn,
        bucket: trail.s3_bucket_name.clone(),
        prefix: trail.s3_key_prefix.clone(),
        organization_id: None,
        source_regions: None,
    };
    let store = Store::new(clients, &trail.home_region, concurrency);
    let window = Window {
        start: now - window,
        end: now,
    };
    match crate::verify::run::verify(
        &store,
        &target,
        window,
        &Keys::CloudTrail,
        &FileProgress::default(),
    )
    .await
    {
        Ok(verification) => Observed::Ok(verification.evidence()),
        Err(message) => Observed::Error(ObservationError {
            kind: ErrorKind::Failed,
            operation: "verify-logs".to_owned(),
            message: message.to_string(),
        }),
    }
}
