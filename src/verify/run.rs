//! One `verify-logs` run: find where the trail's digests are, get the public keys, list,
//! fetch and walk every source region's chains, then hash every log file the valid digests
//! list — all concurrently under one bound (see [`super::store::Store`]).
//!
//! Order of work: keys first (a region whose keys cannot be had is reported, not guessed),
//! then per source region: one listing, every listed digest fetched at once, the pure chain
//! walk ([`super::chain::walk`]) asking for any object outside the listing, then the logs.

use super::chain::{self, DigestStatus, Fetched, Interval, Listed, ObjectRef, Walk};
use super::digest::DigestKey;
use super::keys::{KeyStore, PublicKey};
use super::store::{LogOutcome, Store};
use crate::inventory::{FileTally, IntegrityOutcome, LogIntegrity};
use crate::progress::FileProgress;
use chrono::{DateTime, Duration, Utc};
use futures::future::join_all;
use std::collections::HashMap;

/// Which trail, and where its files are.
#[derive(Debug, Clone)]
pub struct Target {
    pub trail_arn: String,
    pub trail_name: String,
    pub home_region: String,
    /// Whose logs: `--account-id`, else the trail's account.
    pub account: String,
    /// `--s3-bucket`; otherwise `DescribeTrails` says.
    pub bucket: Option<String>,
    /// `--s3-prefix`; with `--s3-bucket`, none unless given.
    pub prefix: Option<String>,
    /// `--organization-id`: the organization layout `AWSLogs/o-…/ACCOUNT/`. Without it, both
    /// layouts are looked for in the bucket.
    pub organization_id: Option<String>,
    /// `--region`: only these source regions (default: every one found in the bucket).
    pub source_regions: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The verdict on one log file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogStatus {
    Valid,
    Invalid(String),
    NotFound,
    Unreadable(String),
}

impl LogStatus {
    /// The status as reports name it.
    pub fn label(&self) -> &'static str {
        match self {
            LogStatus::Valid => "valid",
            LogStatus::Invalid(_) => "invalid",
            LogStatus::NotFound => "not_found",
            LogStatus::Unreadable(_) => "unreadable",
        }
    }

    /// Why the file is not valid (`None` when it is).
    pub fn reason(&self) -> Option<String> {
        match self {
            LogStatus::Valid => None,
            LogStatus::Invalid(reason) | LogStatus::Unreadable(reason) => Some(reason.clone()),
            LogStatus::NotFound => Some("not found".to_owned()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct LogResult {
    pub object: ObjectRef,
    /// The digest that lists it.
    pub digest: ObjectRef,
    pub status: LogStatus,
}

#[derive(Debug, Clone)]
pub struct DigestResult {
    pub object: ObjectRef,
    pub backfill: bool,
    pub status: DigestStatus,
    /// `digestStartTime` / `digestEndTime` as written, when the digest could be read.
    pub start: Option<String>,
    pub end: Option<String>,
    /// How many log files it lists (checked only when the digest is valid: the list of an
    /// invalid digest cannot be trusted).
    pub log_files: usize,
}

/// One source region under one layout.
#[derive(Debug, Clone)]
pub struct Source {
    /// `[prefix/]AWSLogs/[o-…/]ACCOUNT/`
    pub base: String,
    pub region: String,
    /// Why this region could not be verified (its keys or its listing failed).
    pub error: Option<String>,
    pub digests: Vec<DigestResult>,
    pub logs: Vec<LogResult>,
    pub intervals: Vec<Interval>,
}

impl Source {
    fn new(base: String, region: String) -> Source {
        Source {
            base,
            region,
            error: None,
            digests: Vec::new(),
            logs: Vec::new(),
            intervals: Vec::new(),
        }
    }

    /// A source region that could not be verified, and why.
    fn failed(base: String, region: String, error: String) -> Source {
        Source {
            error: Some(error),
            ..Source::new(base, region)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Verification {
    pub trail_arn: String,
    pub window: Window,
    pub bucket: String,
    pub prefix: Option<String>,
    /// `--public-keys FILE` or `cloudtrail:ListPublicKeys`.
    pub keys_origin: String,
    pub sources: Vec<Source>,
}

/// Public keys: from a file for every region, or asked of CloudTrail per source region.
pub enum Keys {
    File(KeyStore),
    CloudTrail,
}

/// Runs a verification. Only a failure to find the trail or to list the bucket's top level
/// is an error; everything else is recorded where it happened.
pub async fn verify(
    store: &Store,
    target: &Target,
    window: Window,
    keys: &Keys,
    progress: &FileProgress,
) -> Result<Verification, String> {
    let (bucket, prefix) = match &target.bucket {
        Some(bucket) => (bucket.clone(), target.prefix.clone()),
        None => trail_location(store, target).await?,
    };
    let root = crate::inventory::log_key_prefix(prefix.as_deref());
    let bases = match &target.organization_id {
        Some(org) => vec![format!("{root}{org}/{}/", target.account)],
        None => {
            let folders = store
                .folders(&bucket, &root)
                .await
                .map_err(|e| format!("cannot list s3://{bucket}/{root}: {e}"))?;
            let mut bases = Vec::new();
            for folder in folders {
                // S3 answers prefixes under the one asked; anything else is ignored.
                let Some(name) = folder.strip_prefix(&root) else {
                    continue;
                };
                let name = name.trim_end_matches('/');
                if name == target.account {
                    bases.push(folder.clone());
                } else if name.starts_with("o-") {
                    bases.push(format!("{folder}{}/", target.account));
                }
            }
            bases
        }
    };

    // Every (layout, source region) with digests, narrowed to --region.
    let mut pairs = Vec::new();
    let mut region_errors = Vec::new();
    for base in &bases {
        let digest_root = format!("{base}CloudTrail-Digest/");
        match store.folders(&bucket, &digest_root).await {
            Ok(folders) => {
                for folder in folders {
                    let Some(region) = folder.strip_prefix(&digest_root) else {
                        continue;
                    };
                    let region = region.trim_end_matches('/').to_owned();
                    let wanted = target
                        .source_regions
                        .as_ref()
                        .is_none_or(|regions| regions.contains(&region));
                    if wanted && crate::inventory::is_region_name(&region) {
                        pairs.push((base.clone(), region));
                    }
                }
            }
            Err(e) => region_errors.push(Source::failed(
                base.clone(),
                String::new(),
                format!("cannot list s3://{bucket}/{digest_root}: {e}"),
            )),
        }
    }

    // Keys first, once per source region.
    let mut regions: Vec<String> = pairs.iter().map(|(_, r)| r.clone()).collect();
    regions.sort();
    regions.dedup();
    let key_window = (window.start, window.end + Duration::hours(2));
    let region_keys: HashMap<String, Result<KeyStore, String>> = match keys {
        Keys::File(store_of_file) => regions
            .iter()
            .map(|r| (r.clone(), Ok(store_of_file.clone())))
            .collect(),
        Keys::CloudTrail => join_all(regions.iter().map(|region| async {
            let keys = list_public_keys(store, region, key_window).await;
            (region.clone(), keys)
        }))
        .await
        .into_iter()
        .collect(),
    };

    let mut sources = join_all(pairs.into_iter().map(|(base, region)| {
        let found_keys = region_keys
            .get(&region)
            .cloned()
            .unwrap_or_else(|| Err("no keys".to_owned()));
        let bucket = bucket.clone();
        async move {
            match found_keys {
                Ok(region_keys) => {
                    let more_keys = matches!(keys, Keys::CloudTrail);
                    let place = Place {
                        bucket: &bucket,
                        base,
                        region,
                    };
                    verify_source(
                        store,
                        target,
                        window,
                        place,
                        region_keys,
                        more_keys,
                        progress,
                    )
                    .await
                }
                Err(e) => Source::failed(base, region, e),
            }
        }
    }))
    .await;
    sources.extend(region_errors);
    sources.sort_by(|a, b| (&a.base, &a.region).cmp(&(&b.base, &b.region)));
    Ok(Verification {
        trail_arn: target.trail_arn.clone(),
        window,
        bucket,
        prefix,
        keys_origin: match keys {
            Keys::File(_) => "--public-keys".to_owned(),
            Keys::CloudTrail => "cloudtrail:ListPublicKeys".to_owned(),
        },
        sources,
    })
}

/// Where one source region's digests are.
struct Place<'a> {
    bucket: &'a str,
    base: String,
    region: String,
}

/// The trail's bucket and prefix, from `DescribeTrails` in its home region.
async fn trail_location(
    store: &Store,
    target: &Target,
) -> Result<(String, Option<String>), String> {
    let client = store.clients().cloudtrail(&target.home_region);
    crate::aws::api::cloudtrail::trail_location(&client, &target.trail_arn, &target.home_region)
        .await
}

/// The source region's public keys valid in `[from, to]`, every page.
async fn list_public_keys(
    store: &Store,
    region: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<KeyStore, String> {
    let client = store.clients().cloudtrail(region);
    let observed = crate::aws::api::cloudtrail::public_keys(&client, from, to)
        .await
        .map(|keys| {
            keys.into_iter()
                .map(|key| PublicKey::from_der(key.der, key.valid_from, key.valid_to))
                .collect::<Vec<_>>()
        });
    let keys = match observed {
        crate::inventory::Observed::Ok(keys) => keys,
        crate::inventory::Observed::Error(e) => {
            return Err(format!("no public keys for {region}: {e}"))
        }
    };
    if keys.is_empty() {
        return Err(format!(
            "no public keys for {region}: cloudtrail:ListPublicKeys returned none for {} to {}",
            from.format("%Y-%m-%dT%H:%M:%SZ"),
            to.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    Ok(KeyStore::new(keys))
}

/// Backfill digests are signed when generated, possibly long after the window: the keys
/// valid then are asked for too (one more call covering every generation time, ± 1 h).
async fn extend_keys_for_backfill(
    store: &Store,
    region: &str,
    fetched: &HashMap<ObjectRef, Fetched>,
    keys: &mut KeyStore,
) {
    let generated: Vec<DateTime<Utc>> = fetched
        .values()
        .filter_map(|f| match f {
            Fetched::Found {
                backfill_generation: Some(time),
                ..
            } => DateTime::parse_from_rfc3339(time)
                .ok()
                .map(|t| t.with_timezone(&Utc)),
            _ => None,
        })
        .collect();
    let (Some(first), Some(last)) = (generated.iter().min(), generated.iter().max()) else {
        return;
    };
    let window = (*first - Duration::hours(1), *last + Duration::hours(1));
    match list_public_keys(store, region, window).await {
        Ok(more) => keys.extend(more),
        // The digests needing them then fail with "public key not found", each on its own.
        Err(e) => tracing::info!(region, error = %e, "keys for backfill digests"),
    }
}

/// The listing marker: the key a digest ending at `time` would have (the AWS CLI's choice,
/// one minute before the start, so the digest covering the start is listed).
fn digest_key_at(prefix: &str, target: &Target, region: &str, time: DateTime<Utc>) -> String {
    format!(
        "{prefix}{}/{}_CloudTrail-Digest_{region}_{}_{}_{}.json.gz",
        time.format("%Y/%m/%d"),
        target.account,
        target.trail_name,
        target.home_region,
        time.format("%Y%m%dT%H%M%SZ")
    )
}

/// Fetches digests concurrently (the store bounds how many at once) into `fetched`.
async fn fetch_digests(
    store: &Store,
    objects: Vec<ObjectRef>,
    fetched: &mut HashMap<ObjectRef, Fetched>,
    progress: &FileProgress,
) {
    let results = join_all(objects.into_iter().map(|object| async move {
        let outcome = store.digest(&object).await;
        progress.done(1);
        (object, outcome)
    }))
    .await;
    fetched.extend(results);
}

/// Lists, fetches and walks one source region's standard and backfill chains, then hashes
/// the log files of every valid digest.
async fn verify_source(
    store: &Store,
    target: &Target,
    window: Window,
    place: Place<'_>,
    mut keys: KeyStore,
    more_keys: bool,
    progress: &FileProgress,
) -> Source {
    let Place {
        bucket,
        base,
        region,
    } = place;
    let mut source = Source::new(base, region);
    let prefix = format!("{}CloudTrail-Digest/{}/", source.base, source.region);
    let last_end = window.end + Duration::hours(1);
    let last_day = last_end.format("%Y/%m/%d").to_string();
    let marker = digest_key_at(
        &prefix,
        target,
        &source.region,
        window.start - Duration::minutes(1),
    );
    let listing = store
        .keys(bucket, &prefix, &marker, |key| {
            key.get(prefix.len()..prefix.len() + 10)
                .is_some_and(|day| day > last_day.as_str())
        })
        .await;
    let keys_listed = match listing {
        Ok(keys) => keys,
        Err(e) => {
            source.error = Some(format!("cannot list s3://{bucket}/{prefix}: {e}"));
            return source;
        }
    };
    let listed: Vec<Listed> = keys_listed
        .into_iter()
        .filter_map(|key| {
            let parsed = DigestKey::parse(&key)?;
            let ours = parsed.account == target.account
                && parsed.source_region == source.region
                && parsed.trail_name == target.trail_name
                && parsed.home_region == target.home_region
                && parsed.end_time >= window.start
                && parsed.end_time <= last_end;
            ours.then(|| Listed {
                object: ObjectRef {
                    bucket: bucket.to_owned(),
                    key,
                },
                key: parsed,
            })
        })
        .collect();
    progress.add_total(listed.len() as u64);
    let mut fetched: HashMap<ObjectRef, Fetched> = HashMap::new();
    fetch_digests(
        store,
        listed.iter().map(|l| l.object.clone()).collect(),
        &mut fetched,
        progress,
    )
    .await;
    if more_keys {
        extend_keys_for_backfill(store, &source.region, &fetched, &mut keys).await;
    }

    // The log files of the valid digests, each with the digest that lists it.
    let mut listed_logs = Vec::new();
    for backfill in [false, true] {
        let chain_listed: Vec<Listed> = listed
            .iter()
            .filter(|l| l.key.backfill == backfill)
            .cloned()
            .collect();
        if chain_listed.is_empty() {
            continue;
        }
        let report = loop {
            match chain::walk(&chain_listed, &fetched, &keys, window.start) {
                Walk::Done(report) => break report,
                Walk::Need(objects) => {
                    progress.add_total(objects.len() as u64);
                    fetch_digests(store, objects, &mut fetched, progress).await;
                }
            }
        };
        source.intervals.extend(report.intervals);
        for verdict in report.digests {
            let document = verdict.digest.as_ref().map(|d| &d.document);
            source.digests.push(DigestResult {
                backfill: DigestKey::parse(&verdict.object.key).is_some_and(|k| k.backfill),
                start: document.map(|d| d.digest_start_time.clone()),
                end: document.map(|d| d.digest_end_time.clone()),
                log_files: document.map_or(0, |d| d.log_files.len()),
                object: verdict.object.clone(),
                status: verdict.status.clone(),
            });
            // The list of an invalid digest cannot be trusted: its logs are not judged by it.
            if verdict.status != DigestStatus::Valid {
                continue;
            }
            for entry in verdict
                .digest
                .into_iter()
                .flat_map(|d| d.document.log_files)
            {
                listed_logs.push((entry, verdict.object.clone()));
            }
        }
    }

    progress.add_total(listed_logs.len() as u64);
    source.logs = join_all(listed_logs.into_iter().map(|(entry, digest)| async move {
        let object = ObjectRef {
            bucket: entry.s3_bucket,
            key: entry.s3_object,
        };
        let outcome = store.hash_log(&object).await;
        progress.done(1);
        LogResult {
            status: judge_log(&entry.hash_algorithm, &entry.hash_value, outcome),
            object,
            digest,
        }
    }))
    .await;
    source
}

/// A log file's verdict: the digest's hash against the hash of its decompressed bytes.
fn judge_log(algorithm: &str, expected: &str, outcome: LogOutcome) -> LogStatus {
    match outcome {
        LogOutcome::NotFound => LogStatus::NotFound,
        LogOutcome::Unreadable(message) => LogStatus::Unreadable(message),
        LogOutcome::Corrupt(e) => LogStatus::Invalid(e.to_string()),
        LogOutcome::Hashed(_) if algorithm != "SHA-256" => {
            LogStatus::Invalid(format!("hash algorithm `{algorithm}` is not SHA-256"))
        }
        LogOutcome::Hashed(hash) if hash.eq_ignore_ascii_case(expected) => LogStatus::Valid,
        LogOutcome::Hashed(_) => LogStatus::Invalid("hash value doesn't match".to_owned()),
    }
}

impl Verification {
    pub fn digests(&self) -> impl Iterator<Item = &DigestResult> {
        self.sources.iter().flat_map(|s| &s.digests)
    }

    pub fn logs(&self) -> impl Iterator<Item = &LogResult> {
        self.sources.iter().flat_map(|s| &s.logs)
    }

    /// (gaps, stretches of missing digests) over every source.
    pub fn interval_counts(&self) -> (usize, usize) {
        let intervals = self.sources.iter().flat_map(|s| &s.intervals);
        let holes = intervals
            .clone()
            .filter(|i| matches!(i, Interval::Hole { .. }))
            .count();
        (intervals.count() - holes, holes)
    }

    /// The time range the valid digests cover, clamped to the requested window.
    pub fn found_range(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let parse = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        let valid = self.digests().filter(|d| d.status == DigestStatus::Valid);
        let (mut first, mut last) = (None::<DateTime<Utc>>, None::<DateTime<Utc>>);
        for digest in valid {
            if let (Some(start), Some(end)) = (parse(&digest.start), parse(&digest.end)) {
                first = Some(first.map_or(start, |f| f.min(start)));
                last = Some(last.map_or(end, |l| l.max(end)));
            }
        }
        Some((first?.max(self.window.start), last?.min(self.window.end)))
    }

    /// The overall verdict.
    pub fn outcome(&self) -> IntegrityOutcome {
        let digests_bad = self
            .digests()
            .any(|d| matches!(d.status, DigestStatus::Invalid(_) | DigestStatus::NotFound));
        let logs_bad = self
            .logs()
            .any(|l| matches!(l.status, LogStatus::Invalid(_) | LogStatus::NotFound));
        let holes = self.interval_counts().1 > 0;
        let unreadable = self
            .digests()
            .any(|d| matches!(d.status, DigestStatus::Unreadable(_)))
            || self
                .logs()
                .any(|l| matches!(l.status, LogStatus::Unreadable(_)))
            || self.sources.iter().any(|s| s.error.is_some());
        if digests_bad || logs_bad || holes {
            IntegrityOutcome::Invalid
        } else if unreadable {
            IntegrityOutcome::Incomplete
        } else if self.digests().next().is_none() {
            IntegrityOutcome::NoDigests
        } else {
            IntegrityOutcome::Valid
        }
    }
}

impl Verification {
    /// Counts of (standard digests, backfill digests, log files).
    pub fn tallies(&self) -> (FileTally, FileTally, FileTally) {
        let verification = self;
        let (mut standard, mut backfill, mut logs) = (
            FileTally::default(),
            FileTally::default(),
            FileTally::default(),
        );
        for digest in verification.digests() {
            let tally = if digest.backfill {
                &mut backfill
            } else {
                &mut standard
            };
            tally.total += 1;
            match digest.status {
                DigestStatus::Valid => tally.valid += 1,
                DigestStatus::Invalid(_) => tally.invalid += 1,
                DigestStatus::NotFound => tally.not_found += 1,
                DigestStatus::Unreadable(_) => tally.unreadable += 1,
            }
        }
        for log in verification.logs() {
            logs.total += 1;
            match log.status {
                LogStatus::Valid => logs.valid += 1,
                LogStatus::Invalid(_) => logs.invalid += 1,
                LogStatus::NotFound => logs.not_found += 1,
                LogStatus::Unreadable(_) => logs.unreadable += 1,
            }
        }
        (standard, backfill, logs)
    }

    /// The evidence a scan records (rule TW118): counts, and the first problems by name.
    pub fn evidence(&self) -> LogIntegrity {
        const MAX_PROBLEMS: usize = 20;
        let (digest_files, backfill_digest_files, log_files) = self.tallies();
        let mut problems: Vec<String> = Vec::new();
        for source in &self.sources {
            if let Some(error) = &source.error {
                problems.push(format!(
                    "source region {} ({}): {error}",
                    source.region, source.base
                ));
            }
            for digest in source
                .digests
                .iter()
                .filter(|d| d.status != DigestStatus::Valid)
            {
                problems.push(format!(
                    "{}: {}",
                    digest.object,
                    digest.status.reasons().join("; ")
                ));
            }
            for log in &source.logs {
                if let Some(reason) = log.status.reason() {
                    problems.push(format!("{}: {reason}", log.object));
                }
            }
            for interval in &source.intervals {
                if let Interval::Hole { from, to } = interval {
                    problems.push(format!(
                        "{}: digest files missing between {} and {}",
                        source.region,
                        from.format("%Y-%m-%dT%H:%M:%SZ"),
                        to.format("%Y-%m-%dT%H:%M:%SZ")
                    ));
                }
            }
        }
        let (gaps, missing_digest_intervals) = self.interval_counts();
        problems.truncate(MAX_PROBLEMS);
        LogIntegrity {
            window_start: self.window.start,
            window_end: self.window.end,
            outcome: self.outcome(),
            digest_files,
            backfill_digest_files,
            log_files,
            gaps,
            missing_digest_intervals,
            problems,
            public_keys: self.keys_origin.clone(),
        }
    }
}
