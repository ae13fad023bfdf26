//! The crawl: one collection run over a scope. It holds the sessions of the scanned
//! accounts, the claims that make every shared resource fetched once over all accounts, what
//! was found, and the wording for a resource whose owner could not be entered.

use super::CollectSettings;
use crate::aws::limits::{Limits, Service};
use crate::inventory::ObservationError;
use crate::inventory::{
    Bucket, KmsKey, LogGroup, MetricAlarm, MetricFilter, Observed, SnsTopic, Trail,
};
use crate::progress::ScanProgress;
use crate::scope::accounts::PlannedAccount;
use crate::scope::sessions::Session;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::sync::Mutex;
use tokio::sync::OnceCell;

/// A log group's monitoring chain as collected: its metric filters and the alarms on their
/// metrics.
#[derive(Debug)]
pub(super) struct MonitoringChain {
    pub(super) log_group_arn: String,
    pub(super) metric_filters: Observed<Vec<MetricFilter>>,
    pub(super) alarms: Observed<Vec<MetricAlarm>>,
}

/// What the crawl found, each resource once, assembled into the inventory at the end.
#[derive(Debug, Default)]
pub(super) struct Found {
    pub(super) trails: Vec<Trail>,
    pub(super) buckets: Vec<Bucket>,
    pub(super) kms_keys: Vec<KmsKey>,
    pub(super) log_groups: Vec<LogGroup>,
    /// Per log group ARN: its metric filters and the alarms on their metrics.
    pub(super) monitoring: Vec<MonitoringChain>,
    pub(super) topics: Vec<SnsTopic>,
}

/// Which scanned account owns each bucket (`s3:ListAllMyBuckets` in every session), and the
/// accounts whose list could not be read.
#[derive(Debug, Default)]
pub(super) struct BucketOwners {
    pub(super) owners: HashMap<String, String>,
    pub(super) unknown: Vec<String>,
}

/// One collection run over a scope (not the `scan` command): the sessions of the scanned
/// accounts and what was found. The claims
/// make every shared resource fetched once over all accounts.
pub(super) struct Crawl<'a> {
    pub(super) partition: String,
    pub(super) home_region: String,
    pub(super) limits: &'a Limits,
    pub(super) progress: &'a ScanProgress,
    /// Every scanned account with a working session.
    pub(super) sessions: BTreeMap<String, Session>,
    /// The accounts of the scope without one, with the call that failed (`sts:AssumeRole`):
    /// whatever they own is unknown, which a bucket owned by none of the sessions must say.
    pub(super) unentered: BTreeMap<String, String>,
    pub(super) claimed: Mutex<HashSet<(&'static str, String)>>,
    pub(super) found: Mutex<Found>,
    /// Built on first need only: when a bucket turns out not to be its referrer's.
    pub(super) bucket_owners: OnceCell<BucketOwners>,
    /// Accounts scanned at once (see [`accounts_in_flight`]).
    pub(super) accounts_in_flight: tokio::sync::Semaphore,
    pub(super) verify_logs_window: Option<chrono::Duration>,
    /// S3 requests in flight for one trail's verification.
    pub(super) verify_concurrency: usize,
}

/// How many accounts are scanned at once. The global call limit already bounds the work in
/// flight; this bounds memory: every account scanned at once keeps an SDK client per service
/// and region (~100 KiB each, 2 MiB for an account of 20 regions). A tenth of the call
/// limit still keeps the call limit busy (an account has 20+ calls to make at once).
pub(super) fn accounts_in_flight(max_concurrency: usize) -> usize {
    (max_concurrency / 10).max(4)
}

impl<'a> Crawl<'a> {
    /// A crawl over the sessions of a scope.
    pub(super) fn new(
        partition: &str,
        home_region: &str,
        sessions: &[(PlannedAccount, Result<Session, ObservationError>)],
        settings: &CollectSettings,
        limits: &'a Limits,
        progress: &'a ScanProgress,
    ) -> Crawl<'a> {
        Crawl {
            partition: partition.to_owned(),
            home_region: home_region.to_owned(),
            limits,
            progress,
            sessions: sessions
                .iter()
                .filter_map(|(_, session)| session.as_ref().ok())
                .map(|session| (session.account.clone(), session.clone()))
                .collect(),
            unentered: sessions
                .iter()
                .filter_map(|(target, session)| {
                    let error = session.as_ref().err()?;
                    Some((target.id.clone(), error.operation.clone()))
                })
                .collect(),
            claimed: Mutex::default(),
            found: Mutex::default(),
            bucket_owners: OnceCell::new(),
            accounts_in_flight: tokio::sync::Semaphore::new(accounts_in_flight(
                settings.max_concurrency,
            )),
            verify_logs_window: settings.verify_logs_window,
            verify_concurrency: settings.max_concurrency.clamp(1, 64),
        }
    }
}

impl Crawl<'_> {
    pub(super) async fn limited<F: Future>(
        &self,
        session: &Session,
        service: Service,
        region: &str,
        call: F,
    ) -> F::Output {
        self.limits
            .run(&session.account, service, region, call)
            .await
    }

    /// True for the first caller only: that one fetches the resource.
    pub(super) fn claim(&self, kind: &'static str, key: &str) -> bool {
        self.claimed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert((kind, key.to_owned()))
    }

    pub(super) fn record(&self, record: impl FnOnce(&mut Found)) {
        record(
            &mut self
                .found
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
    }

    /// The accounts of the scope that could not be entered, as a clause for a message
    /// (empty when every account was): `; it may be one of 2 account(s) that could not be
    /// entered: 111… (sts:AssumeRole failed), …`.
    pub(super) fn unentered_accounts(&self) -> String {
        if self.unentered.is_empty() {
            return String::new();
        }
        let listed: Vec<String> = self
            .unentered
            .iter()
            .map(|(account, operation)| format!("{account}{}", failed_call(operation)))
            .collect();
        format!(
            "; it may be one of {} account(s) that could not be entered: {}",
            listed.len(),
            listed.join(", ")
        )
    }

    /// Why a resource of `account`, which has no session, could not be read with its owner's:
    /// the account is outside the scope, or its session could not be opened (naming the call).
    pub(super) fn unscanned(&self, account: &str) -> String {
        match self.unentered.get(account) {
            None => format!("account {account}, which is not scanned"),
            Some(operation) => format!(
                "account {account}, which could not be entered{}",
                failed_call(operation)
            ),
        }
    }

    /// The session of `account` if it is scanned, else `fallback`.
    pub(super) fn session_of<'s>(&'s self, account: &str, fallback: &'s Session) -> &'s Session {
        self.sessions.get(account).unwrap_or(fallback)
    }
}

/// ` (OPERATION failed)`, or nothing when the operation is not known.
pub(super) fn failed_call(operation: &str) -> String {
    if operation.is_empty() {
        String::new()
    } else {
        format!(" ({operation} failed)")
    }
}

/// `observed`, with `note` added to its error's message if it is one.
pub(super) fn with_note<T>(observed: Observed<T>, note: &str) -> Observed<T> {
    match observed {
        Observed::Error(mut error) => {
            error.message = format!("{}; {note}", error.message);
            Observed::Error(error)
        }
        ok => ok,
    }
}
