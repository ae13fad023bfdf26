//! One `verify-logs` run: find where the trail's digests are, get the public keys, list,
//! fetch and walk every source region's chains, then hash every log file the valid digests
//! list — all concurrently under one bound (see [`super::store::Store`]).
//!
//! Order of work: keys first (a region whose keys cannot be had is reported, not guessed),
//! then per source region: one listing, every listed digest fetched at once, the pure chain
//! walk ([`super::chain::walk`]) asking for any object outside the listing, then the logs.

use super::chain::{self, DigestStatus, Fetched, Listed, ObjectRef, Walk};
use super::digest::DigestKey;
use super::keys::{KeyStore, PublicKey};
use super::result::{
    DigestResult, Keys, LogResult, LogStatus, Source, Target, Verification, Window,
};
use super::store::{LogOutcome, Store};
use crate::progress::FileProgress;
use chrono::{DateTime, Duration, Utc};
use futures::future::join_all;
use std::collections::HashMap;

/// Why a verification could not run at all: the trail or its bucket's top level could not
/// be found or listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct VerifyError(String);

/// Runs a verification. Only a failure to find the trail or to list the bucket's top level
/// is an error; everything else is recorded where it happened.
pub async fn verify(
    store: &Store,
    target: &Target,
    window: Window,
    keys: &Keys,
    progress: &FileProgress,
) -> Result<Verification, VerifyError> {
    run_verification(store, target, window, keys, progress)
        .await
        .map_err(VerifyError)
}

async fn run_verification(
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
        trail_arn: target.trail.arn.clone(),
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
    let client = store.clients().cloudtrail(&target.trail.home_region);
    crate::aws::api::cloudtrail::trail_location(
        &client,
        &target.trail.arn,
        &target.trail.home_region,
    )
    .await
    .map_err(|e| e.to_string())
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
        target.trail.name,
        target.trail.home_region,
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
                && parsed.trail_name == target.trail.name
                && parsed.home_region == target.trail.home_region
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
