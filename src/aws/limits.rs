//! How many AWS calls may be in flight: one global limit (`--max-concurrency`) and, per
//! account, service and region, a smaller one below that service's API rate limits.
//!
//! AWS throttles per account and region, so the per-service limit is keyed the same way:
//! seventeen regions can each have their `DescribeTrails` in flight at once, while one
//! region never gets more than a handful of CloudTrail calls. The SDK's standard retry
//! (jittered exponential backoff) handles whatever throttling still happens.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// The AWS services trailwarden calls, each with its in-flight limit per account and region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Sts,
    Organizations,
    Ec2,
    CloudTrail,
    S3,
    S3Control,
    Kms,
    Logs,
    Config,
    CloudWatch,
    Sns,
}

impl Service {
    /// In-flight calls per account and region. CloudTrail's and CloudWatch Logs' control-plane
    /// reads are limited to a few transactions per second per region (a region has at most
    /// five trails, so eight in flight covers one round of their details); S3 bucket reads
    /// and KMS reads are limited to thousands per second, and every bucket's
    /// `GetBucketLocation` goes to the home region, so S3 gets a wide window.
    fn limit(self) -> usize {
        match self {
            Service::CloudTrail => 8,
            Service::Logs
            | Service::Ec2
            | Service::Organizations
            | Service::Config
            | Service::CloudWatch
            | Service::Sns => 4,
            // Every AssumeRole of a scan is the caller's, in one region: STS allows hundreds
            // per second there, and 500 accounts should not queue behind four slots.
            Service::Sts => 32,
            Service::S3Control => 2,
            Service::Kms => 16,
            Service::S3 => 64,
        }
    }
}

type Key = (String, Service, String);

#[derive(Debug)]
pub struct Limits {
    global: Arc<Semaphore>,
    per_service: Mutex<HashMap<Key, Arc<Semaphore>>>,
}

impl Limits {
    pub fn new(max_concurrency: usize) -> Limits {
        Limits {
            global: Arc::new(Semaphore::new(max_concurrency.max(1))),
            per_service: Mutex::default(),
        }
    }

    /// Runs `call` once both the service's and the global limit allow it.
    pub async fn run<F: Future>(
        &self,
        account: &str,
        service: Service,
        region: &str,
        call: F,
    ) -> F::Output {
        let service_limit = self.service_semaphore(account, service, region);
        // The service permit first, so a call waiting for its service holds no global slot.
        // The semaphores are never closed, so acquiring cannot fail; if it ever did, the
        // call would simply run unthrottled.
        let _service_permit = service_limit.acquire_owned().await.ok();
        let _global_permit = self.global.clone().acquire_owned().await.ok();
        call.await
    }

    fn service_semaphore(&self, account: &str, service: Service, region: &str) -> Arc<Semaphore> {
        let mut map = self
            .per_service
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.entry((account.to_owned(), service, region.to_owned()))
            .or_insert_with(|| Arc::new(Semaphore::new(service.limit())))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    async fn peak_in_flight(
        limits: Arc<Limits>,
        regions: &[&str],
        calls_per_region: usize,
    ) -> usize {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for region in regions {
            for _ in 0..calls_per_region {
                let (limits, in_flight, peak) = (limits.clone(), in_flight.clone(), peak.clone());
                let region = (*region).to_owned();
                tasks.push(tokio::spawn(async move {
                    limits
                        .run("111111111111", Service::CloudTrail, &region, async {
                            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                            peak.fetch_max(now, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(5)).await;
                            in_flight.fetch_sub(1, Ordering::SeqCst);
                        })
                        .await;
                }));
            }
        }
        for task in tasks {
            task.await.expect("task");
        }
        peak.load(Ordering::SeqCst)
    }

    #[tokio::test]
    async fn one_region_is_held_to_the_service_limit() {
        let peak = peak_in_flight(Arc::new(Limits::new(100)), &["us-east-1"], 20).await;
        assert_eq!(peak, Service::CloudTrail.limit());
    }

    #[tokio::test]
    async fn regions_run_side_by_side_up_to_the_global_limit() {
        let regions = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"];
        let peak = peak_in_flight(Arc::new(Limits::new(100)), &regions, 10).await;
        assert_eq!(peak, regions.len() * Service::CloudTrail.limit());
        let peak = peak_in_flight(Arc::new(Limits::new(6)), &regions, 10).await;
        assert_eq!(peak, 6);
    }
}
