//! `verify-logs` against real signed digest chains in the emulator: the whole catalogue of
//! docs/reference/digest.md §4, each case in its own bucket.
//!
//! Chains are made as CloudTrail makes them (reference §6): logs gzipped with the digest
//! listing the SHA-256 of their decompressed bytes; digests signed with RSA PKCS#1 v1.5 /
//! SHA-256 over the exact signing string with a test key, uploaded gzipped with the signature
//! in `x-amz-meta-signature`.

use crate::emulator::{block_on, Moto};
use aws_config::SdkConfig;
use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPublicKey as _};
use rsa::signature::{SignatureEncoding as _, Signer as _};
use serde_json::{json, Value};
use sha2::Digest as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

const ACCOUNT: &str = "111122223333";
const HOME: &str = "us-east-1";
const TRAIL: &str = "main";
pub(crate) const TRAIL_ARN: &str = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main";

fn test_key(name: &str) -> rsa::RsaPrivateKey {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/verify")
        .join(name);
    rsa::RsaPrivateKey::from_pkcs1_pem(&std::fs::read_to_string(path).expect("test key"))
        .expect("PKCS#1 PEM")
}

fn public_der(key: &rsa::RsaPrivateKey) -> Vec<u8> {
    key.to_public_key()
        .to_pkcs1_der()
        .expect("DER")
        .as_bytes()
        .to_vec()
}

fn fingerprint(key: &rsa::RsaPrivateKey) -> String {
    hex::encode(md5::Md5::digest(public_der(key)))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// One made digest, before upload.
#[derive(Clone)]
pub(crate) struct Made {
    key: String,
    raw: String,
    signature: String,
    algorithm: String,
    generation: Option<String>,
}

/// A chain of hourly digests for one source region, each listing `logs_per_digest` logs.
pub(crate) struct Chain {
    bucket: String,
    digests: Vec<Made>,
    /// (key, gzip body)
    logs: Vec<(String, Vec<u8>)>,
}

/// How to make a chain; the hooks make the negative cases.
pub(crate) struct Plan<'a> {
    bucket: &'a str,
    /// `AWSLogs/ACCOUNT/` or `AWSLogs/o-…/ACCOUNT/`, after an optional prefix.
    base: String,
    region: &'a str,
    pub(crate) hours: usize,
    pub(crate) logs_per_digest: usize,
    /// Indices with no previous digest (a starting digest: logging restarted).
    starting: Vec<usize>,
    backfill: bool,
    /// Edits digest `i`'s document before it is signed.
    tweak: &'a dyn Fn(usize, &mut Value),
    /// The key that signs digest `i`.
    signer: &'a dyn Fn(usize) -> rsa::RsaPrivateKey,
    /// Continue a chain made earlier (bucket change): digest 0 points to its last.
    after: Option<&'a Made>,
    /// Hour of the first digest's end (1 → 01:01:31) on 2026-01-20, unless `origin` is set.
    first_hour: usize,
    /// Whose files (the key names and the digests' awsAccountId).
    account: &'a str,
    trail: &'a str,
    /// The day and time the hours count from (default: 2026-01-20T00:01:31Z).
    origin: chrono::DateTime<chrono::Utc>,
}

impl<'a> Plan<'a> {
    pub(crate) fn new(bucket: &'a str) -> Plan<'a> {
        Plan {
            bucket,
            base: format!("AWSLogs/{ACCOUNT}/"),
            region: HOME,
            hours: 6,
            logs_per_digest: 2,
            starting: Vec::new(),
            backfill: false,
            tweak: &|_, _| {},
            signer: &|_| test_key("test-key.pem"),
            after: None,
            first_hour: 1,
            account: ACCOUNT,
            trail: TRAIL,
            origin: chrono::DateTime::parse_from_rfc3339("2026-01-20T00:01:31Z")
                .expect("time")
                .to_utc(),
        }
    }

    /// `hours` hourly digests of `account`'s trail `trail`, the first ending an hour after
    /// `origin`.
    pub(crate) fn for_trail(
        bucket: &'a str,
        account: &'a str,
        trail: &'a str,
        origin: chrono::DateTime<chrono::Utc>,
        hours: usize,
    ) -> Plan<'a> {
        Plan {
            base: format!("AWSLogs/{account}/"),
            account,
            trail,
            origin,
            hours,
            ..Plan::new(bucket)
        }
    }

    pub(crate) fn make(&self) -> Chain {
        let mut chain = Chain {
            bucket: self.bucket.to_owned(),
            digests: Vec::new(),
            logs: Vec::new(),
        };
        let region = self.region;
        let (account, trail) = (self.account, self.trail);
        let iso = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        for i in 0..self.hours {
            let hour = self.first_hour + i;
            let end_time = self.origin + chrono::Duration::hours(hour as i64);
            let start_time = end_time - chrono::Duration::hours(1);
            let (end, start) = (iso(end_time), iso(start_time));
            let stamp = end_time.format("%Y%m%dT%H%M%SZ");
            let day = end_time.format("%Y/%m/%d");
            let suffix = if self.backfill { "_backfill" } else { "" };
            let key = format!(
                "{}CloudTrail-Digest/{region}/{day}/{account}_CloudTrail-Digest_{region}_{trail}_{HOME}_{stamp}{suffix}.json.gz",
                self.base
            );
            let mut log_entries = Vec::new();
            for n in 0..self.logs_per_digest {
                let event_time = iso(start_time + chrono::Duration::minutes(n as i64));
                let body = format!(
                    r#"{{"Records":[{{"eventVersion":"1.09","eventTime":"{event_time}","eventName":"DescribeTrails","awsRegion":"{region}","n":{n}}}]}}"#
                );
                let log_key = format!(
                    "{}CloudTrail/{region}/{}/{account}_CloudTrail_{region}_{}{n:02}Z_{}{n:04}.json.gz",
                    self.base,
                    start_time.format("%Y/%m/%d"),
                    start_time.format("%Y%m%dT%H"),
                    if self.backfill { "BACKFILLlate" } else { "AbCdEfGhIjKl" }
                );
                log_entries.push(json!({
                    "s3Bucket": self.bucket,
                    "s3Object": log_key,
                    "hashValue": sha256(body.as_bytes()),
                    "hashAlgorithm": "SHA-256",
                    "newestEventTime": event_time,
                    "oldestEventTime": event_time,
                }));
                chain.logs.push((log_key, gzip(body.as_bytes())));
            }
            let previous = if self.starting.contains(&i) {
                None
            } else if i == 0 {
                self.after
            } else {
                chain.digests.last()
            };
            let previous_bucket = match (i, self.after) {
                (0, Some(_)) => json!(null),
                _ => json!(self.bucket),
            };
            let mut document = json!({
                "awsAccountId": account,
                "digestStartTime": start,
                "digestEndTime": end,
                "digestS3Bucket": self.bucket,
                "digestS3Object": key,
                "digestPublicKeyFingerprint": fingerprint(&test_key("test-key.pem")),
                "digestSignatureAlgorithm": "SHA256withRSA",
                "newestEventTime": end,
                "oldestEventTime": start,
                "previousDigestS3Bucket": null,
                "previousDigestS3Object": null,
                "previousDigestHashValue": null,
                "previousDigestHashAlgorithm": null,
                "previousDigestSignature": null,
                "logFiles": log_entries,
            });
            if let Some(previous) = previous {
                let bucket_of_previous = if previous_bucket.is_null() {
                    // The chain continues from another bucket: its bucket is in its own JSON.
                    serde_json::from_str::<Value>(&previous.raw).expect("json")["digestS3Bucket"]
                        .clone()
                } else {
                    previous_bucket.clone()
                };
                document["previousDigestS3Bucket"] = bucket_of_previous;
                document["previousDigestS3Object"] = json!(previous.key);
                document["previousDigestHashValue"] = json!(sha256(previous.raw.as_bytes()));
                document["previousDigestHashAlgorithm"] = json!("SHA-256");
                document["previousDigestSignature"] = json!(previous.signature);
            }
            (self.tweak)(i, &mut document);
            let raw = serde_json::to_string(&document).expect("json");
            let signed = format!(
                "{}\n{}/{}\n{}\n{}",
                document["digestEndTime"].as_str().expect("end"),
                self.bucket,
                key,
                sha256(raw.as_bytes()),
                document["previousDigestSignature"]
                    .as_str()
                    .unwrap_or("null")
            );
            let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((self.signer)(i));
            let signature = hex::encode(signer.sign(signed.as_bytes()).to_bytes());
            chain.digests.push(Made {
                key,
                raw,
                signature,
                algorithm: "SHA256withRSA".to_owned(),
                generation: self
                    .backfill
                    .then(|| iso(end_time + chrono::Duration::minutes(90))),
            });
        }
        chain
    }
}

fn s3(config: &SdkConfig) -> aws_sdk_s3::Client {
    crate::emulator::seed::s3(config)
}

pub(crate) async fn create_bucket(config: &SdkConfig, bucket: &str) {
    crate::emulator::seed::bucket(config, bucket).await;
}

async fn put(
    config: &SdkConfig,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
    metadata: &[(&str, &str)],
) {
    let mut request = s3(config)
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(body.into());
    for (name, value) in metadata {
        request = request.metadata(*name, *value);
    }
    request.send().await.expect("put object");
}

async fn delete(config: &SdkConfig, bucket: &str, key: &str) {
    s3(config)
        .delete_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .expect("delete object");
}

async fn upload_digest(config: &SdkConfig, bucket: &str, digest: &Made) {
    let mut metadata = vec![
        ("signature", digest.signature.as_str()),
        ("signature-algorithm", digest.algorithm.as_str()),
    ];
    if let Some(generation) = &digest.generation {
        metadata.push(("backfill-generation-timestamp", generation.as_str()));
    }
    put(
        config,
        bucket,
        &digest.key,
        gzip(digest.raw.as_bytes()),
        &metadata,
    )
    .await;
}

pub(crate) async fn upload(config: &SdkConfig, chain: &Chain) {
    for (key, body) in &chain.logs {
        put(config, &chain.bucket, key, body.clone(), &[]).await;
    }
    for digest in &chain.digests {
        upload_digest(config, &chain.bucket, digest).await;
    }
}

/// The keys file of `--public-keys`: the test key, valid through 2026.
pub(crate) fn keys_file(directory: &Path) -> PathBuf {
    use base64::Engine as _;
    let path = directory.join("keys.json");
    let value =
        base64::engine::general_purpose::STANDARD.encode(public_der(&test_key("test-key.pem")));
    std::fs::write(
        &path,
        json!([{
            "Value": value,
            "Fingerprint": fingerprint(&test_key("test-key.pem")),
            "ValidityStartTime": "2026-01-01T00:00:00Z",
            "ValidityEndTime": "2026-12-31T00:00:00Z",
        }])
        .to_string(),
    )
    .expect("keys file");
    path
}

/// Runs `verify-logs --format json` on a bucket over 01:00–06:00 (unless `extra` gives a
/// window); returns (exit code, the
/// JSON result, stderr).
fn verify(moto: &Moto, keys: &Path, bucket: &str, extra: &[&str]) -> (i32, Value, String) {
    let keys = keys.to_str().expect("utf-8 path");
    let mut args = vec![
        "verify-logs",
        "--trail",
        TRAIL_ARN,
        "--s3-bucket",
        bucket,
        "--public-keys",
        keys,
        "--format",
        "json",
    ];
    if !extra.contains(&"--start") {
        args.extend([
            "--start",
            "2026-01-20T01:00:00Z",
            "--end",
            "2026-01-20T06:00:00Z",
        ]);
    }
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = moto.run(&args);
    let result = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("verify-logs JSON ({e}): {stdout}\nstderr: {stderr}"));
    (code, result, stderr)
}

/// The status of each digest file, by its hour (01…06), `(backfill)` marked with a `b`.
fn digest_statuses(result: &Value) -> Vec<(String, String)> {
    let mut statuses: Vec<(String, String)> = result["digest_files"]
        .as_array()
        .expect("digest_files")
        .iter()
        .map(|d| {
            let object = d["object"].as_str().expect("object");
            let stamp = object
                .rsplit('_')
                .find(|part| part.starts_with("20260120T"))
                .unwrap_or(object);
            let hour = stamp.get(9..11).unwrap_or("??");
            let backfill = if d["backfill"] == json!(true) {
                "b"
            } else {
                ""
            };
            (
                format!("{hour}{backfill}"),
                d["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect();
    statuses.sort();
    statuses
}

fn reasons_of(result: &Value, hour: &str) -> String {
    result["digest_files"]
        .as_array()
        .expect("digest_files")
        .iter()
        .filter(|d| {
            d["object"]
                .as_str()
                .is_some_and(|o| o.contains(&format!("20260120T{hour}0131Z")))
        })
        .map(|d| d["reasons"].to_string())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Asserts that a digest's reasons (by hour) mention `text`.
fn assert_reason(result: &Value, hour: &str, text: &str) {
    let reasons = reasons_of(result, hour);
    assert!(
        reasons.contains(text),
        "digest {hour}: {text:?} not in {reasons}"
    );
}

fn summary(result: &Value, what: &str) -> (u64, u64, u64, u64) {
    let s = &result["summary"][what];
    let n = |k: &str| s[k].as_u64().expect("count");
    (n("total"), n("valid"), n("invalid"), n("not_found"))
}

fn log_statuses(result: &Value) -> Vec<String> {
    result["log_files"]
        .as_array()
        .expect("log_files")
        .iter()
        .filter(|l| l["status"] != json!("valid"))
        .map(|l| {
            format!(
                "{} {}",
                l["status"].as_str().unwrap_or(""),
                l["reason"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn all_valid(hours: usize) -> Vec<(String, String)> {
    (1..=hours)
        .map(|h| (format!("{h:02}"), "valid".to_owned()))
        .collect()
}

#[test]
fn valid_chains_and_every_tampering_of_the_catalogue() {
    let moto = Moto::start(&[]);
    let directory = tempfile::tempdir().expect("temp dir");
    let keys = keys_file(directory.path());
    let config = block_on(moto.config(HOME));

    // A valid chain: 6 digests, 12 logs, exit 0; the text output is the familiar summary.
    block_on(async {
        create_bucket(&config, "valid-chain").await;
        upload(&config, &Plan::new("valid-chain").make()).await;
    });
    let (code, result, stderr) = verify(&moto, &keys, "valid-chain", &[]);
    assert_eq!(code, 0, "valid chain: {result}\n{stderr}");
    assert_eq!(digest_statuses(&result), all_valid(6));
    assert_eq!(summary(&result, "log_files"), (12, 12, 0, 0));
    assert_eq!(result["outcome"], "valid");
    assert_eq!(result["found"]["start"], "2026-01-20T01:00:00Z");
    assert_eq!(result["found"]["end"], "2026-01-20T06:00:00Z");
    let keys_arg = keys.to_str().expect("path");
    let text_run = |extra: &[&str]| {
        let mut args = vec![
            "verify-logs",
            "--trail",
            TRAIL_ARN,
            "--s3-bucket",
            "valid-chain",
            "--start",
            "2026-01-20T01:00:00Z",
            "--end",
            "2026-01-20T06:00:00Z",
            "--public-keys",
            keys_arg,
        ];
        args.extend_from_slice(extra);
        moto.run(&args)
    };
    let (code, text, _) = text_run(&[]);
    assert_eq!(code, 0);
    assert!(
        text.contains("Results requested for 2026-01-20T01:00:00Z to 2026-01-20T06:00:00Z"),
        "{text}"
    );
    assert!(text.contains("6/6 digest files valid\n"), "{text}");
    assert!(text.contains("12/12 log files valid\n"), "{text}");
    assert!(
        !text.contains("\tvalid"),
        "valid files are listed only with -v: {text}"
    );
    let (_, verbose, _) = text_run(&["-v"]);
    assert_eq!(
        verbose.matches("Digest file\ts3://valid-chain/").count(),
        6,
        "{verbose}"
    );
    assert_eq!(
        verbose.matches("Log file\ts3://valid-chain/").count(),
        12,
        "{verbose}"
    );

    // A tampered log, a log with a second gzip member appended, a deleted log.
    block_on(async {
        create_bucket(&config, "bad-logs").await;
        let chain = Plan::new("bad-logs").make();
        upload(&config, &chain).await;
        let (tampered, _) = &chain.logs[2];
        put(
            &config,
            "bad-logs",
            tampered,
            gzip(b"{\"Records\":[]}"),
            &[],
        )
        .await;
        let (appended, body) = &chain.logs[5];
        let mut two_members = body.clone();
        two_members.extend(gzip(b"{\"Records\":[{\"eventName\":\"Injected\"}]}"));
        put(&config, "bad-logs", appended, two_members, &[]).await;
        delete(&config, "bad-logs", &chain.logs[8].0).await;
    });
    let (code, result, _) = verify(&moto, &keys, "bad-logs", &[]);
    assert_eq!(code, 3, "{result}");
    assert_eq!(digest_statuses(&result), all_valid(6));
    assert_eq!(summary(&result, "log_files"), (12, 9, 2, 1));
    let mut bad = log_statuses(&result);
    bad.sort();
    assert_eq!(
        bad,
        [
            "invalid hash value doesn't match",
            "invalid unexpected data after end of compressed stream",
            "not_found not found",
        ]
    );

    // A deleted digest: reported, and its logs cannot be judged; the chain resumes below it.
    // Two consecutive deleted digests: the first is "not found" and the hole covers the
    // second (the AWS CLI reports only one).
    block_on(async {
        create_bucket(&config, "deleted-digests").await;
        let chain = Plan::new("deleted-digests").make();
        upload(&config, &chain).await;
        delete(&config, "deleted-digests", &chain.digests[4].key).await;
        delete(&config, "deleted-digests", &chain.digests[2].key).await;
        delete(&config, "deleted-digests", &chain.digests[1].key).await;
    });
    let (code, result, _) = verify(&moto, &keys, "deleted-digests", &[]);
    assert_eq!(code, 3, "{result}");
    let expected: Vec<(String, String)> = [
        ("01", "valid"),
        ("03", "not_found"),
        ("04", "valid"),
        ("05", "not_found"),
        ("06", "valid"),
    ]
    .iter()
    .map(|(h, s)| (h.to_string(), s.to_string()))
    .collect();
    assert_eq!(digest_statuses(&result), expected);
    let holes: Vec<&Value> = result["intervals"]
        .as_array()
        .expect("intervals")
        .iter()
        .filter(|i| i["kind"] == "missing_digests")
        .collect();
    assert_eq!(holes.len(), 1, "{result}");
    assert_eq!(holes[0]["from"], "2026-01-20T01:01:31Z");
    assert_eq!(
        holes[0]["to"], "2026-01-20T02:01:31Z",
        "the hour of the second deleted digest"
    );
    assert_eq!(
        summary(&result, "log_files").0,
        6,
        "logs of the 3 remaining valid digests"
    );

    // An edited digest under its old signature; stripped metadata; a wrong metadata
    // algorithm; a previous-hash and a previous-signature that do not match the older
    // digest (signed correctly, so only the strict link check sees them).
    block_on(async {
        create_bucket(&config, "edited").await;
        let tweak = |i: usize, d: &mut Value| match i {
            2 => d["previousDigestHashValue"] = json!(sha256(b"not the previous digest")),
            4 => d["previousDigestSignature"] = json!("00".repeat(256)),
            _ => {}
        };
        let mut chain = Plan {
            tweak: &tweak,
            ..Plan::new("edited")
        }
        .make();
        // Digest 06: a log hash edited, the signature kept.
        chain.digests[5].raw =
            chain.digests[5]
                .raw
                .replacen("\"hashValue\":\"", "\"hashValue\":\"0", 1);
        // Digest 04: the algorithm in its metadata is not SHA256withRSA.
        chain.digests[3].algorithm = "SHA1withRSA".to_owned();
        upload(&config, &chain).await;
        // Digest 01: metadata stripped.
        put(
            &config,
            "edited",
            &chain.digests[0].key,
            gzip(chain.digests[0].raw.as_bytes()),
            &[],
        )
        .await;
    });
    let (code, result, _) = verify(&moto, &keys, "edited", &[]);
    assert_eq!(code, 3, "{result}");
    assert_reason(&result, "06", "signature verification failed");
    assert_reason(&result, "04", "is not SHA256withRSA");
    assert_reason(&result, "01", "signature metadata missing");
    assert_reason(&result, "02", "does not match the previousDigestHashValue");
    assert_reason(&result, "04", "does not match the previousDigestSignature");
    assert_eq!(
        digest_statuses(&result)
            .iter()
            .filter(|(_, s)| s == "valid")
            .map(|(h, _)| h.as_str())
            .collect::<Vec<_>>(),
        ["03", "05"]
    );

    // A key other than the fingerprint's signs a digest; a digest names a fingerprint with no
    // key; a digest's log names an algorithm other than SHA-256; a digest lists no logs.
    block_on(async {
        create_bucket(&config, "keys-and-algorithms").await;
        let tweak = |i: usize, d: &mut Value| match i {
            1 => d["digestPublicKeyFingerprint"] = json!("00112233445566778899aabbccddeeff"),
            2 => d["logFiles"][0]["hashAlgorithm"] = json!("MD5"),
            3 => d["logFiles"] = json!([]),
            _ => {}
        };
        let signer = |i: usize| {
            test_key(if i == 4 {
                "other-key.pem"
            } else {
                "test-key.pem"
            })
        };
        let chain = Plan {
            tweak: &tweak,
            signer: &signer,
            ..Plan::new("keys-and-algorithms")
        }
        .make();
        upload(&config, &chain).await;
    });
    let (code, result, _) = verify(&moto, &keys, "keys-and-algorithms", &[]);
    assert_eq!(code, 3, "{result}");
    assert_reason(&result, "05", "signature verification failed");
    assert_reason(&result, "02", "public key not found");
    assert_reason(&result, "02", "00112233445566778899aabbccddeeff");
    assert!(
        log_statuses(&result).contains(&"invalid hash algorithm `MD5` is not SHA-256".to_owned()),
        "{:?}",
        log_statuses(&result)
    );
    let empty = result["digest_files"]
        .as_array()
        .expect("digests")
        .iter()
        .find(|d| d["object"].as_str().is_some_and(|o| o.contains("T040131Z")))
        .expect("digest 04");
    assert_eq!(empty["status"], "valid", "an empty digest is valid");
    assert_eq!(empty["log_files"], 0);
}

#[test]
fn gaps_moves_windows_backfill_buckets_and_layouts() {
    let moto = Moto::start(&[("TRAILWARDEN_DENY_S3", "/denied-log/.*(T0300Z|T020131Z)")]);
    let directory = tempfile::tempdir().expect("temp dir");
    let keys = keys_file(directory.path());
    let config = block_on(moto.config(HOME));

    // Logging stopped and restarted: a starting digest mid-range is a gap, not tampering.
    block_on(async {
        create_bucket(&config, "gap").await;
        let chain = Plan {
            starting: vec![0, 3],
            ..Plan::new("gap")
        }
        .make();
        upload(&config, &chain).await;
    });
    let (code, result, _) = verify(&moto, &keys, "gap", &[]);
    assert_eq!(code, 0, "a gap is reported but is not invalid: {result}");
    assert_eq!(digest_statuses(&result), all_valid(6));
    let gaps: Vec<&Value> = result["intervals"]
        .as_array()
        .expect("intervals")
        .iter()
        .filter(|i| i["kind"] == "gap")
        .collect();
    assert_eq!(gaps.len(), 1, "{result}");
    assert_eq!(gaps[0]["from"], "2026-01-20T03:01:31Z");
    assert_eq!(gaps[0]["to"], "2026-01-20T03:01:31Z");

    // A digest copied to another key and deleted: missing where the chain points, and the
    // copy is reported as moved (the AWS CLI skips the copy silently).
    block_on(async {
        create_bucket(&config, "copied").await;
        let chain = Plan::new("copied").make();
        upload(&config, &chain).await;
        let original = &chain.digests[2];
        let copy_key = original.key.replace("T030131Z", "T031531Z");
        let copied = Made {
            key: copy_key,
            ..original.clone()
        };
        upload_digest(&config, "copied", &copied).await;
        delete(&config, "copied", &original.key).await;
    });
    let (code, result, _) = verify(&moto, &keys, "copied", &[]);
    assert_eq!(code, 3, "{result}");
    let moved = result["digest_files"]
        .as_array()
        .expect("digests")
        .iter()
        .find(|d| d["object"].as_str().is_some_and(|o| o.contains("T031531Z")))
        .expect("the copy is reported");
    assert_eq!(moved["status"], "invalid");
    assert!(moved["reasons"]
        .to_string()
        .contains("has been moved from its original location"));
    assert!(digest_statuses(&result).contains(&("03".into(), "not_found".into())));

    // A narrow window inside one digest's hour: exactly the digest covering it.
    let (code, narrow, _) = verify(
        &moto,
        &keys,
        "copied",
        &[
            "--start",
            "2026-01-20T01:30:00Z",
            "--end",
            "2026-01-20T01:45:00Z",
        ],
    );
    assert_eq!(code, 0, "{narrow}");
    assert_eq!(
        digest_statuses(&narrow),
        [("02".to_owned(), "valid".to_owned())]
    );
    assert_eq!(narrow["found"]["start"], "2026-01-20T01:30:00Z");

    // Backfill digests (their own chain, signed when generated), beside standard ones.
    block_on(async {
        create_bucket(&config, "backfill").await;
        upload(&config, &Plan::new("backfill").make()).await;
        let late = Plan {
            backfill: true,
            hours: 2,
            first_hour: 2,
            ..Plan::new("backfill")
        }
        .make();
        upload(&config, &late).await;
    });
    let (code, result, _) = verify(&moto, &keys, "backfill", &[]);
    assert_eq!(code, 0, "{result}");
    assert_eq!(summary(&result, "backfill_digest_files"), (2, 2, 0, 0));
    assert_eq!(summary(&result, "digest_files"), (6, 6, 0, 0));
    assert_eq!(summary(&result, "log_files"), (16, 16, 0, 0));
    // Backfill without its generation timestamp cannot be checked: invalid format.
    block_on(async {
        let mut late = Plan {
            backfill: true,
            hours: 1,
            first_hour: 5,
            ..Plan::new("backfill")
        }
        .make();
        late.digests[0].generation = None;
        upload(&config, &late).await;
    });
    let (code, result, _) = verify(&moto, &keys, "backfill", &[]);
    assert_eq!(code, 3, "{result}");
    assert_reason(&result, "05", "backfill-generation-timestamp");

    // The trail moved to another bucket mid-chain: the chain is followed into the old one.
    block_on(async {
        create_bucket(&config, "old-bucket").await;
        create_bucket(&config, "new-bucket").await;
        let old = Plan {
            hours: 3,
            ..Plan::new("old-bucket")
        }
        .make();
        upload(&config, &old).await;
        let last_old = old.digests.last().expect("digest").clone();
        let new = Plan {
            hours: 3,
            first_hour: 4,
            after: Some(&last_old),
            ..Plan::new("new-bucket")
        }
        .make();
        upload(&config, &new).await;
    });
    // Also one request at a time: the old bucket's location is asked while its first digest
    // waits to be fetched.
    for extra in [&[][..], &["--max-concurrency", "1"][..]] {
        let (code, result, _) = verify(&moto, &keys, "new-bucket", extra);
        assert_eq!(code, 0, "{extra:?}: {result}");
        assert_eq!(digest_statuses(&result), all_valid(6));
        assert!(result["digest_files"]
            .to_string()
            .contains("s3://old-bucket/AWSLogs/"));
    }

    // Organization layout AWSLogs/o-…/ACCOUNT/ with a prefix: found without being told, and
    // when told.
    block_on(async {
        create_bucket(&config, "org-trail").await;
        let chain = Plan {
            base: format!("audit/AWSLogs/o-abcdefghij/{ACCOUNT}/"),
            ..Plan::new("org-trail")
        }
        .make();
        upload(&config, &chain).await;
    });
    for extra in [
        &["--s3-prefix", "audit"][..],
        &["--s3-prefix", "audit", "--organization-id", "o-abcdefghij"][..],
    ] {
        let (code, result, _) = verify(&moto, &keys, "org-trail", extra);
        assert_eq!(code, 0, "{extra:?}: {result}");
        assert_eq!(digest_statuses(&result), all_valid(6));
        assert_eq!(
            result["sources"][0]["base"],
            format!("audit/AWSLogs/o-abcdefghij/{ACCOUNT}/")
        );
    }

    // Several source regions of a multi-region trail in one run; --region narrows.
    block_on(async {
        create_bucket(&config, "multi-region").await;
        upload(&config, &Plan::new("multi-region").make()).await;
        upload(
            &config,
            &Plan {
                region: "eu-west-1",
                ..Plan::new("multi-region")
            }
            .make(),
        )
        .await;
    });
    let (code, result, _) = verify(&moto, &keys, "multi-region", &[]);
    assert_eq!(code, 0, "{result}");
    assert_eq!(summary(&result, "digest_files"), (12, 12, 0, 0));
    assert_eq!(result["sources"].as_array().map(Vec::len), Some(2));
    let (_, result, _) = verify(&moto, &keys, "multi-region", &["--region", "eu-west-1"]);
    assert_eq!(summary(&result, "digest_files"), (6, 6, 0, 0));
    assert_eq!(result["sources"][0]["source_region"], "eu-west-1");

    // AccessDenied on one log and on one digest: those are unreadable (the digest's logs
    // cannot be judged), the rest is verified, exit 4.
    block_on(async {
        create_bucket(&config, "denied-log").await;
        upload(&config, &Plan::new("denied-log").make()).await;
    });
    let (code, result, _) = verify(&moto, &keys, "denied-log", &[]);
    assert_eq!(code, 4, "{result}");
    assert_eq!(summary(&result, "log_files"), (10, 9, 0, 0));
    assert_eq!(result["summary"]["log_files"]["unreadable"], 1);
    assert_eq!(summary(&result, "digest_files"), (6, 5, 0, 0));
    assert_eq!(result["summary"]["digest_files"]["unreadable"], 1);
    assert_reason(&result, "02", "AccessDenied");
    assert!(
        log_statuses(&result)[0].contains("AccessDenied"),
        "{:?}",
        log_statuses(&result)
    );
    assert_eq!(result["outcome"], "incomplete");

    // Nothing in the window: no proof, exit 3.
    let (code, result, _) = verify(
        &moto,
        &keys,
        "gap",
        &["--start", "2025-01-01", "--end", "2025-01-02"],
    );
    assert_eq!(code, 3, "{result}");
    assert_eq!(result["outcome"], "no_digests");

    // A bucket that does not exist: one line, exit 1.
    let keys_arg = keys.to_str().expect("path");
    let (code, stdout, stderr) = moto.run(&[
        "verify-logs",
        "--trail",
        TRAIL_ARN,
        "--s3-bucket",
        "no-such-bucket",
        "--start",
        "2026-01-20T01:00:00Z",
        "--public-keys",
        keys_arg,
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("NoSuchBucket"), "{stderr}");
}

#[test]
fn keys_from_list_public_keys_and_bad_input() {
    use base64::Engine as _;
    let directory = tempfile::tempdir().expect("temp dir");
    // Two keys, one per page: the right one is on the second page.
    let served = directory.path().join("served-keys.json");
    let encode =
        |name: &str| base64::engine::general_purpose::STANDARD.encode(public_der(&test_key(name)));
    std::fs::write(
        &served,
        json!([
            {"Value": encode("other-key.pem"), "ValidityStartTime": 1_767_225_600, "ValidityEndTime": 4_102_444_800_i64},
            {"Value": encode("test-key.pem"), "ValidityStartTime": 1_767_225_600, "ValidityEndTime": 4_102_444_800_i64},
        ])
        .to_string(),
    )
    .expect("served keys");
    let moto = Moto::start(&[("TRAILWARDEN_PUBLIC_KEYS", served.to_str().expect("path"))]);
    let config = block_on(moto.config(HOME));
    block_on(async {
        create_bucket(&config, "listed-keys").await;
        upload(&config, &Plan::new("listed-keys").make()).await;
    });
    let base = [
        "verify-logs",
        "--trail",
        TRAIL_ARN,
        "--s3-bucket",
        "listed-keys",
        "--start",
        "2026-01-20T01:00:00Z",
        "--end",
        "2026-01-20T06:00:00Z",
        "--format",
        "json",
    ];
    let (code, stdout, stderr) = moto.run(&base);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let result: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(result["public_keys"], "cloudtrail:ListPublicKeys");
    assert_eq!(summary(&result, "digest_files"), (6, 6, 0, 0));
    let asked: Vec<Value> = moto
        .requests()
        .into_iter()
        .filter(|r| r["action"] == "ListPublicKeys")
        .collect();
    assert_eq!(asked.len(), 2, "both pages of keys were read");
    assert!(
        asked.iter().all(|r| r["region"] == HOME),
        "keys asked in the source region"
    );

    // Bad input: one clear line, exit 2, nothing on stdout.
    let keys = keys_file(directory.path());
    let keys = keys.to_str().expect("path");
    let garbage = directory.path().join("garbage.json");
    std::fs::write(&garbage, "{\"not\": \"keys\"}").expect("write");
    for (args, expected) in [
        (
            vec![
                "verify-logs",
                "--trail",
                "arn:aws:s3:::bucket",
                "--start",
                "1d",
            ],
            "unexpected service",
        ),
        (
            vec![
                "verify-logs",
                "--trail",
                "arn:aws:cloudtrail:us-east-1:111122223333:user/x",
                "--start",
                "1d",
            ],
            "trail/NAME",
        ),
        (
            vec!["verify-logs", "--trail", TRAIL_ARN, "--start", "yesterday"],
            "is not a time",
        ),
        (
            vec![
                "verify-logs",
                "--trail",
                TRAIL_ARN,
                "--start",
                "2026-01-20",
                "--end",
                "2026-01-19",
            ],
            "is not before --end",
        ),
        (
            vec![
                "verify-logs",
                "--trail",
                TRAIL_ARN,
                "--start",
                "1d",
                "--s3-bucket",
                "Bad_Bucket",
            ],
            "not an S3 bucket name",
        ),
        (
            vec![
                "verify-logs",
                "--trail",
                TRAIL_ARN,
                "--start",
                "1d",
                "--organization-id",
                "org-1",
            ],
            "not an organization id",
        ),
        (
            vec![
                "verify-logs",
                "--trail",
                TRAIL_ARN,
                "--start",
                "1d",
                "--region",
                "mars-1",
            ],
            "not a region name",
        ),
        (
            vec![
                "verify-logs",
                "--trail",
                TRAIL_ARN,
                "--start",
                "1d",
                "--public-keys",
                garbage.to_str().expect("p"),
            ],
            "not a list of public keys",
        ),
        (
            vec![
                "verify-logs",
                "--trail",
                TRAIL_ARN,
                "--start",
                "1d",
                "--s3-prefix",
                "x",
            ],
            "--s3-bucket",
        ),
    ] {
        let (code, stdout, stderr) = moto.run(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let _ = keys;
}

/// A served keys file for the emulator's `ListPublicKeys`: the test key, valid a year either
/// side of now.
pub(crate) fn served_keys(directory: &Path) -> PathBuf {
    use base64::Engine as _;
    let now = chrono::Utc::now().timestamp();
    let path = directory.join("served-now.json");
    let value =
        base64::engine::general_purpose::STANDARD.encode(public_der(&test_key("test-key.pem")));
    std::fs::write(
        &path,
        json!([{"Value": value, "ValidityStartTime": now - 31_536_000, "ValidityEndTime": now + 31_536_000}])
            .to_string(),
    )
    .expect("served keys");
    path
}

#[test]
fn a_scan_proves_each_trails_chain_over_its_window() {
    use crate::emulator::seed;
    let directory = tempfile::tempdir().expect("temp dir");
    let served = served_keys(directory.path());
    let moto = Moto::start(&[("TRAILWARDEN_PUBLIC_KEYS", served.to_str().expect("path"))]);
    let config = block_on(moto.config(HOME));
    // Five hourly digests ending 5 h to 1 h ago.
    let origin = chrono::Utc::now() - chrono::Duration::hours(6);
    let chain = block_on(async {
        seed::bucket(&config, "proved-trail-logs").await;
        let arn = seed::trail(
            &config,
            seed::TrailSpec::multi_region("proved", "proved-trail-logs"),
        )
        .await;
        assert_eq!(
            arn,
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/proved"
        );
        let chain = Plan::for_trail(
            "proved-trail-logs",
            crate::emulator::ACCOUNT,
            "proved",
            origin,
            5,
        )
        .make();
        upload(&config, &chain).await;
        chain
    });
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "--regions",
            "us-east-1",
            "--rules",
            "TW118",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = moto.run(&args);
        let report: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("report ({e}): {stdout}\n{stderr}"));
        let finding = crate::emulator::finding(
            &report,
            "TW118",
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/proved",
        )
        .clone();
        (code, finding)
    };

    let (code, finding) = scan(&["--verify-logs-window", "6h"]);
    assert_eq!(finding["status"], "PASS", "{finding}");
    assert_eq!(code, 0);
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.contains("5/5 digest files valid, 10/10 log files valid")),
        "{finding}"
    );

    // verify-logs on its own finds the bucket with DescribeTrails and the keys with
    // ListPublicKeys: nothing but the ARN and the window is needed.
    let (code, stdout, stderr) = moto.run(&[
        "verify-logs",
        "--trail",
        "arn:aws:cloudtrail:us-east-1:123456789012:trail/proved",
        "--start",
        "6h",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let result: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(result["bucket"], "proved-trail-logs");
    assert_eq!(summary(&result, "digest_files"), (5, 5, 0, 0));
    assert_eq!(summary(&result, "log_files"), (10, 10, 0, 0));

    // Without the option nothing is verified, and it says so (never PASS).
    let (_, finding) = scan(&[]);
    assert_eq!(finding["status"], "NOT_APPLICABLE", "{finding}");

    // One log altered: the scan fails the trail and names the file.
    block_on(put(
        &config,
        "proved-trail-logs",
        &chain.logs[3].0,
        gzip(b"{\"Records\":[]}"),
        &[],
    ));
    let (code, finding) = scan(&["--verify-logs-window", "6h"]);
    assert_eq!(finding["status"], "FAIL", "{finding}");
    assert_eq!(code, 3);
    let message = finding["message"].as_str().unwrap_or_default();
    assert!(message.contains("hash value doesn't match"), "{message}");
    assert!(message.contains(&chain.logs[3].0), "{message}");
}
