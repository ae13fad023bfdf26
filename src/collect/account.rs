//! One account and its regions: the enabled regions, then in each the trails listed, the
//! CloudTrail Lake event data stores and the AWS Config recorders; the account's S3 Block
//! Public Access.

use super::crawl::Crawl;
use crate::aws::api::regions::RegionAvailability;
use crate::aws::api::{cloudtrail, config_recorders, regions, s3};
use crate::aws::limits::Service;
use crate::inventory::keyed;
use crate::inventory::{Account, ErrorKind, ObservationError, Observed, Region};
use crate::scope::accounts::PlannedAccount;
use crate::scope::regions::{plan_regions, PlannedRegion};
use crate::scope::sessions::Session;
use crate::scope::RegionSelection;
use futures::future::join_all;

impl Crawl<'_> {
    pub(super) async fn account(
        &self,
        target: &PlannedAccount,
        session: &Result<Session, ObservationError>,
        known_regions: Option<Result<Vec<RegionAvailability>, ObservationError>>,
        selection: &RegionSelection,
    ) -> Account {
        // The semaphore is never closed; if acquiring ever failed, the scan would go unbounded.
        let _slot = self.accounts_in_flight.acquire().await.ok();
        let session = match session {
            Ok(session) => session,
            Err(error) => {
                self.progress.account_done();
                return Account {
                    id: target.id.clone(),
                    name: target.name.clone(),
                    session_error: Some(error.clone()),
                    regions: Default::default(),
                    regions_error: None,
                    s3_public_access_block: Observed::failure(
                        ErrorKind::NotCollected,
                        "s3:GetAccountPublicAccessBlock",
                        format!("no session in the account ({error})"),
                    ),
                };
            }
        };
        let home = self.home_region.as_str();
        let available = match known_regions {
            Some(available) => available,
            None => {
                let ec2 = session.clients.ec2(home);
                self.limited(session, Service::Ec2, home, regions::describe_regions(&ec2))
                    .await
            }
        };
        let (planned, regions_error) = plan_regions(selection, home, available);
        self.progress.add_regions(planned.len() as u64);
        let s3control = session.clients.s3control(home);
        let (public_access_block, regions) = tokio::join!(
            self.limited(
                session,
                Service::S3Control,
                home,
                s3::account_public_access_block(&s3control, &session.account)
            ),
            join_all(
                planned
                    .into_iter()
                    .map(|region| self.region(session, region))
            ),
        );
        let mut account = Account {
            id: target.id.clone(),
            name: target.name.clone(),
            session_error: None,
            regions: Default::default(),
            regions_error,
            s3_public_access_block: public_access_block,
        };
        for region in regions {
            keyed::insert(&mut account.regions, region);
        }
        session.clients.release();
        self.progress.account_done();
        account
    }

    pub(super) async fn region(&self, session: &Session, planned: PlannedRegion) -> Region {
        if let Some(reason) = planned.skipped {
            self.progress.region_done();
            let trails = Observed::failure(
                ErrorKind::NotCollected,
                "cloudtrail:DescribeTrails",
                format!("region skipped: {reason}"),
            );
            let why = format!("region skipped: {reason}");
            return Region {
                event_data_stores: Observed::failure(
                    ErrorKind::NotCollected,
                    "cloudtrail:ListEventDataStores",
                    &why,
                ),
                config_recorders: Observed::failure(
                    ErrorKind::NotCollected,
                    "config:DescribeConfigurationRecorders",
                    &why,
                ),
                name: planned.name,
                skipped: Some(reason),
                trails,
            };
        }
        let region = planned.name.as_str();
        let client = session.clients.cloudtrail(region);
        let config = session.clients.config_service(region);
        let (listed, event_data_stores, config_recorders) = tokio::join!(
            self.limited(
                session,
                Service::CloudTrail,
                region,
                cloudtrail::describe_trails(&client),
            ),
            self.limited(
                session,
                Service::CloudTrail,
                region,
                cloudtrail::event_data_stores(&client),
            ),
            self.limited(
                session,
                Service::Config,
                region,
                config_recorders::recorders(&config)
            ),
        );
        if let Observed::Ok(stores) = &event_data_stores {
            let keys = stores.iter().filter_map(|store| store.kms_key_id.clone());
            join_all(keys.map(|key| async move { self.kms_key(session, &key, region).await }))
                .await;
        }
        self.progress.region_done();
        let trails = match listed {
            Ok(trails) => {
                tracing::info!(account = %session.account, region = %planned.name, trails = trails.len(), "listed trails");
                let arns = trails.iter().map(|t| t.arn.clone()).collect();
                let new = trails
                    .into_iter()
                    .filter(|trail| self.claim("trail", &trail.arn));
                join_all(new.map(|trail| self.trail(session, trail))).await;
                Observed::Ok(arns)
            }
            Err(error) => {
                tracing::warn!(account = %session.account, region = %planned.name, %error, "cannot list trails");
                Observed::Error(error)
            }
        };
        Region {
            name: planned.name,
            skipped: None,
            trails,
            event_data_stores,
            config_recorders,
        }
    }
}
