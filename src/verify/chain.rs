//! The digest chain, walked newest to oldest over digests already fetched.
//!
//! Fetching is the I/O layer's job (concurrent, bounded). The walker is pure: given the
//! listed digest keys and the fetched objects, it either returns every verdict, or names the
//! objects it still needs (a pointer out of the listing: another bucket, a moved digest).
//! The I/O layer fetches those and calls it again; each round adds objects, so it ends.
//!
//! Stricter than the AWS CLI:
//! - a link holds only if the newer digest's `previousDigestSignature` is the older digest's
//!   signature AND its `previousDigestHashValue` is the SHA-256 of the older digest's bytes;
//! - after a missing digest, the walk resumes at the next listed older digest, and if that
//!   one does not end where the missing one began, the hole is reported too (so two
//!   consecutive deleted digests are both reported, where the AWS CLI reports one).

use super::digest::{Digest, DigestKey};
use super::keys::KeyStore;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// An S3 object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    pub bucket: String,
    pub key: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// What fetching a digest object gave.
#[derive(Debug, Clone)]
pub enum Fetched {
    Found {
        /// The object body (gzip).
        body: Vec<u8>,
        /// `x-amz-meta-signature`, `x-amz-meta-signature-algorithm`.
        signature: Option<String>,
        signature_algorithm: Option<String>,
        /// `x-amz-meta-backfill-generation-timestamp` (backfill digests only): when the
        /// digest was signed, so the key valid then is the one to use.
        backfill_generation: Option<String>,
    },
    NotFound,
    /// AccessDenied or another error: reported for this object, the walk goes on.
    Unreadable(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestStatus {
    Valid,
    /// Every reason it is not valid (format, signature, moved, broken link…).
    Invalid(Vec<String>),
    NotFound,
    Unreadable(String),
}

impl DigestStatus {
    /// The status as reports name it.
    pub fn label(&self) -> &'static str {
        match self {
            DigestStatus::Valid => "valid",
            DigestStatus::Invalid(_) => "invalid",
            DigestStatus::NotFound => "not_found",
            DigestStatus::Unreadable(_) => "unreadable",
        }
    }

    /// Why the digest is not valid (empty when it is).
    pub fn reasons(&self) -> Vec<String> {
        match self {
            DigestStatus::Valid => Vec::new(),
            DigestStatus::Invalid(reasons) => reasons.clone(),
            DigestStatus::NotFound => vec!["not found".to_owned()],
            DigestStatus::Unreadable(message) => vec![message.clone()],
        }
    }
}

/// The verdict on one digest of the chain.
#[derive(Debug, Clone)]
pub struct DigestVerdict {
    pub object: ObjectRef,
    pub status: DigestStatus,
    /// The parsed digest, when it could be read (its log files are then verified).
    pub digest: Option<Digest>,
}

/// Something between two digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interval {
    /// A starting digest (no previous): logging or validation stopped and restarted.
    Gap {
        older_end: String,
        newer_start: String,
    },
    /// Digests missing whose keys are unknown: the chain does not reach back in time.
    Hole {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

#[derive(Debug, Clone)]
pub struct ChainReport {
    pub digests: Vec<DigestVerdict>,
    pub intervals: Vec<Interval>,
}

pub enum Walk {
    Done(ChainReport),
    /// Fetch these, add them, walk again.
    Need(Vec<ObjectRef>),
}

/// A listed digest key.
#[derive(Debug, Clone)]
pub struct Listed {
    pub object: ObjectRef,
    pub key: DigestKey,
}

/// Digests arrive about hourly; a hole is reported when the chain misses more than this.
const DIGEST_INTERVAL_SLACK: i64 = 90;

/// Walks the chain of `listed` (one source region, one kind: standard or backfill) from the
/// newest down to the digest covering `start`.
pub fn walk(
    listed: &[Listed],
    fetched: &HashMap<ObjectRef, Fetched>,
    keys: &KeyStore,
    start: DateTime<Utc>,
) -> Walk {
    let mut listed: Vec<&Listed> = listed.iter().collect();
    listed.sort_by_key(|l| std::cmp::Reverse(l.key.end_time));
    let mut report = ChainReport {
        digests: Vec::new(),
        intervals: Vec::new(),
    };
    // Listed digests not yet visited, newest first.
    let mut position = 0;
    let mut current: Option<(ObjectRef, Option<DateTime<Utc>>)> = listed
        .first()
        .map(|l| (l.object.clone(), Some(l.key.end_time)));
    // The newer digest's claims about the one being visited.
    let mut expected: Option<(String, Option<String>, Option<String>)> = None;
    let mut visited = std::collections::HashSet::new();
    while let Some((object, listed_end)) = current.take() {
        if !visited.insert(object.clone()) {
            // A pointer loop: refuse to walk it twice.
            break;
        }
        if let Some(index) = listed.iter().position(|l| l.object == object) {
            position = position.max(index + 1);
        }
        let Some(outcome) = fetched.get(&object) else {
            return Walk::Need(vec![object]);
        };
        let end_of_this = listed_end.or_else(|| DigestKey::parse(&object.key).map(|k| k.end_time));
        let (verdict, previous, this_start) = judge(&object, outcome, keys, expected.take());
        // Only a digest that parsed can point further back.
        let readable = verdict.digest.is_some();
        report.digests.push(verdict);
        let this_start = this_start.or_else(|| end_of_this.map(|end| end - Duration::hours(1)));
        if this_start.is_some_and(|s| s < start) {
            break;
        }
        match previous {
            Some((pointer, claims)) if readable => {
                expected = Some(claims);
                current = Some((pointer, None));
            }
            _ => {
                // A starting digest (gap), or one that could not be read: resume at the next
                // listed older digest, and say what lies between.
                let next = listed[position..]
                    .iter()
                    .find(|l| end_of_this.is_none_or(|end| l.key.end_time < end));
                let Some(next) = next else { break };
                let newer_start = report
                    .digests
                    .last()
                    .and_then(|v| v.digest.as_ref())
                    .map(|d| d.document.digest_start_time.clone());
                match (readable, newer_start) {
                    (true, Some(newer_start)) => report.intervals.push(Interval::Gap {
                        older_end: next.key.end_time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                        newer_start,
                    }),
                    _ => {
                        if let Some(begin) = this_start {
                            if (begin - next.key.end_time).num_minutes()
                                > DIGEST_INTERVAL_SLACK - 60
                            {
                                report.intervals.push(Interval::Hole {
                                    from: next.key.end_time,
                                    to: begin,
                                });
                            }
                        }
                    }
                }
                current = Some((next.object.clone(), Some(next.key.end_time)));
            }
        }
    }
    // Listed digests the chain never reached (a copy under another key, an injected file)
    // are judged on their own: nothing listed in range goes unreported.
    let mut need = Vec::new();
    for orphan in listed
        .iter()
        .filter(|l| !visited.contains(&l.object) && l.key.end_time >= start)
    {
        match fetched.get(&orphan.object) {
            Some(outcome) => report
                .digests
                .push(judge(&orphan.object, outcome, keys, None).0),
            None => need.push(orphan.object.clone()),
        }
    }
    if !need.is_empty() {
        return Walk::Need(need);
    }
    Walk::Done(report)
}

type Claims = (String, Option<String>, Option<String>);

/// Judges one fetched digest against the newer digest's claims (its signature, and the
/// hash and signature the newer one recorded for it). Returns the verdict, the pointer to
/// the previous digest with the claims for it, and this digest's start time.
fn judge(
    object: &ObjectRef,
    outcome: &Fetched,
    keys: &KeyStore,
    claims: Option<Claims>,
) -> (
    DigestVerdict,
    Option<(ObjectRef, Claims)>,
    Option<DateTime<Utc>>,
) {
    let verdict = |status, digest| DigestVerdict {
        object: object.clone(),
        status,
        digest,
    };
    let (body, signature, algorithm, backfill_generation) = match outcome {
        Fetched::NotFound => return (verdict(DigestStatus::NotFound, None), None, None),
        Fetched::Unreadable(message) => {
            return (
                verdict(DigestStatus::Unreadable(message.clone()), None),
                None,
                None,
            )
        }
        Fetched::Found {
            body,
            signature,
            signature_algorithm,
            backfill_generation,
        } => (body, signature, signature_algorithm, backfill_generation),
    };
    let digest = match Digest::from_gzip(body) {
        Ok(digest) => digest,
        Err(e) => {
            return (
                verdict(DigestStatus::Invalid(vec![e.to_string()]), None),
                None,
                None,
            )
        }
    };
    let mut problems = Vec::new();
    let document = &digest.document;
    if document.digest_s3_bucket != object.bucket || document.digest_s3_object != object.key {
        problems.push(format!(
            "has been moved from its original location s3://{}/{}",
            document.digest_s3_bucket, document.digest_s3_object
        ));
    }
    let end_time = DateTime::parse_from_rfc3339(&document.digest_end_time)
        .map(|t| t.with_timezone(&Utc))
        .ok();
    let start_time = DateTime::parse_from_rfc3339(&document.digest_start_time)
        .map(|t| t.with_timezone(&Utc))
        .ok();
    // The key must be valid when the digest was signed: at its end time, or for a backfill
    // digest (delivered later) at its generation time.
    let backfill = DigestKey::parse(&object.key).is_some_and(|k| k.backfill);
    let signed_at = match (backfill, backfill_generation) {
        (false, _) => end_time,
        (true, Some(generated)) => match DateTime::parse_from_rfc3339(generated) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                problems.push(format!(
                    "invalid format: backfill-generation-timestamp `{generated}` is not a time"
                ));
                None
            }
        },
        (true, None) => {
            problems.push(
                "invalid format: backfill digest without backfill-generation-timestamp metadata"
                    .into(),
            );
            None
        }
    };
    match (signature, algorithm, end_time) {
        (Some(signature), Some(algorithm), Some(end)) => {
            if let Some(at) = signed_at.or((!backfill).then_some(end)) {
                if let Err(e) = keys.verify_digest(&digest, at, signature, algorithm) {
                    problems.push(e.to_string());
                }
            }
        }
        (_, _, None) => problems.push(format!(
            "invalid format: digestEndTime `{}` is not a time",
            document.digest_end_time
        )),
        _ => problems.push("signature metadata missing (signature, signature-algorithm)".into()),
    }
    if let Some((newer, hash, previous_signature)) = claims {
        if hash.as_deref() != Some(digest.hash_hex().as_str()) {
            problems.push(format!(
                "its SHA-256 does not match the previousDigestHashValue of {newer}"
            ));
        }
        if previous_signature.as_deref() != signature.as_deref() {
            problems.push(format!(
                "its signature does not match the previousDigestSignature of {newer}"
            ));
        }
    }
    if document
        .previous_digest_hash_algorithm
        .as_deref()
        .is_some_and(|a| a != "SHA-256")
    {
        problems.push("previousDigestHashAlgorithm is not SHA-256".into());
    }
    let previous = match (
        &document.previous_digest_s3_bucket,
        &document.previous_digest_s3_object,
    ) {
        (Some(bucket), Some(key)) => Some((
            ObjectRef {
                bucket: bucket.clone(),
                key: key.clone(),
            },
            (
                object.to_string(),
                document.previous_digest_hash_value.clone(),
                document.previous_digest_signature.clone(),
            ),
        )),
        _ => None,
    };
    let status = if problems.is_empty() {
        DigestStatus::Valid
    } else {
        DigestStatus::Invalid(problems)
    };
    (verdict(status, Some(digest)), previous, start_time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::keys::PublicKey;
    use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPublicKey as _};
    use rsa::signature::{SignatureEncoding as _, Signer as _};
    use std::io::Write as _;

    const BUCKET: &str = "trail-logs";
    const FINGERPRINT: &str = "b0b386e5b553d5b10ad3f685268593df";

    fn private_key(name: &str) -> rsa::RsaPrivateKey {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/verify")
            .join(name);
        rsa::RsaPrivateKey::from_pkcs1_pem(&std::fs::read_to_string(path).expect("key"))
            .expect("PEM")
    }

    fn store() -> KeyStore {
        let der = private_key("test-key.pem")
            .to_public_key()
            .to_pkcs1_der()
            .expect("DER")
            .as_bytes()
            .to_vec();
        KeyStore::new(vec![PublicKey::from_der(der, None, None)])
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).expect("gzip");
        e.finish().expect("gzip")
    }

    fn key_at(hour: u32) -> String {
        format!("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/01/20/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20260120T{hour:02}0131Z.json.gz")
    }

    /// One digest: its key, raw JSON and signature.
    struct Made {
        key: String,
        raw: String,
        signature: String,
    }

    /// Signed hourly digests ending at 01:01:31, 02:01:31, …; `starting` hours have no
    /// previous digest (a gap before them).
    fn chain(hours: &[u32], starting: &[u32]) -> Vec<Made> {
        let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(private_key("test-key.pem"));
        let mut made: Vec<Made> = Vec::new();
        for &hour in hours {
            let key = key_at(hour);
            let previous = made.last().filter(|_| !starting.contains(&hour));
            let (pb, po, ph, ps) = match previous {
                Some(p) => (
                    format!("\"{BUCKET}\""),
                    format!("\"{}\"", p.key),
                    format!(
                        "\"{}\"",
                        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(p.raw.as_bytes()))
                    ),
                    format!("\"{}\"", p.signature),
                ),
                None => ("null".into(), "null".into(), "null".into(), "null".into()),
            };
            let raw = format!(
                r#"{{"awsAccountId":"111122223333","digestStartTime":"2026-01-20T{:02}:01:31Z","digestEndTime":"2026-01-20T{hour:02}:01:31Z","digestS3Bucket":"{BUCKET}","digestS3Object":"{key}","digestPublicKeyFingerprint":"{FINGERPRINT}","digestSignatureAlgorithm":"SHA256withRSA","previousDigestS3Bucket":{pb},"previousDigestS3Object":{po},"previousDigestHashValue":{ph},"previousDigestHashAlgorithm":"SHA-256","previousDigestSignature":{ps},"logFiles":[]}}"#,
                hour - 1
            );
            let digest = Digest::from_gzip(&gzip(raw.as_bytes())).expect("digest");
            let signature = hex::encode(signer.sign(digest.signed_string().as_bytes()).to_bytes());
            made.push(Made {
                key,
                raw,
                signature,
            });
        }
        made
    }

    fn object(key: &str) -> ObjectRef {
        ObjectRef {
            bucket: BUCKET.into(),
            key: key.into(),
        }
    }

    fn store_of(made: &[Made]) -> (Vec<Listed>, HashMap<ObjectRef, Fetched>) {
        let listed = made
            .iter()
            .map(|m| Listed {
                object: object(&m.key),
                key: DigestKey::parse(&m.key).expect("key"),
            })
            .collect();
        let fetched = made
            .iter()
            .map(|m| {
                (
                    object(&m.key),
                    Fetched::Found {
                        body: gzip(m.raw.as_bytes()),
                        signature: Some(m.signature.clone()),
                        signature_algorithm: Some("SHA256withRSA".into()),
                        backfill_generation: None,
                    },
                )
            })
            .collect();
        (listed, fetched)
    }

    fn start() -> DateTime<Utc> {
        "2026-01-20T00:30:00Z".parse().expect("time")
    }

    fn done(walk: Walk) -> ChainReport {
        match walk {
            Walk::Done(report) => report,
            Walk::Need(objects) => panic!("needs {objects:?}"),
        }
    }

    fn statuses(report: &ChainReport) -> Vec<String> {
        report
            .digests
            .iter()
            .map(|d| match &d.status {
                DigestStatus::Valid => "valid".to_owned(),
                DigestStatus::NotFound => "not found".to_owned(),
                DigestStatus::Unreadable(m) => format!("unreadable: {m}"),
                DigestStatus::Invalid(reasons) => format!("invalid: {}", reasons.join("; ")),
            })
            .collect()
    }

    fn delete(listed: &mut Vec<Listed>, fetched: &mut HashMap<ObjectRef, Fetched>, hour: u32) {
        let key = key_at(hour);
        listed.retain(|l| l.object.key != key);
        fetched.insert(object(&key), Fetched::NotFound);
    }

    #[test]
    fn a_valid_chain_is_valid_newest_first() {
        let (listed, fetched) = store_of(&chain(&[1, 2, 3, 4], &[]));
        let report = done(walk(&listed, &fetched, &store(), start()));
        assert_eq!(statuses(&report), ["valid"; 4]);
        assert_eq!(report.digests[0].object.key, key_at(4));
        assert!(report.intervals.is_empty());
    }

    #[test]
    fn deleted_digests_are_each_reported() {
        let (mut listed, mut fetched) = store_of(&chain(&[1, 2, 3, 4, 5], &[]));
        delete(&mut listed, &mut fetched, 4);
        let report = done(walk(&listed, &fetched, &store(), start()));
        assert_eq!(
            statuses(&report),
            ["valid", "not found", "valid", "valid", "valid"]
        );
        assert!(report.intervals.is_empty(), "{:?}", report.intervals);

        // Two consecutive deletions: the pointer names one, the hole names the other.
        let (mut listed, mut fetched) = store_of(&chain(&[1, 2, 3, 4, 5], &[]));
        delete(&mut listed, &mut fetched, 4);
        delete(&mut listed, &mut fetched, 3);
        let report = done(walk(&listed, &fetched, &store(), start()));
        assert_eq!(statuses(&report), ["valid", "not found", "valid", "valid"]);
        assert_eq!(
            report.intervals,
            [Interval::Hole {
                from: "2026-01-20T02:01:31Z".parse().expect("time"),
                to: "2026-01-20T03:01:31Z".parse().expect("time"),
            }]
        );
    }

    #[test]
    fn tampering_breaks_the_signature_or_the_link() {
        // Edited digest, old signature kept.
        let made = chain(&[1, 2, 3], &[]);
        let (listed, mut fetched) = store_of(&made);
        let edited = made[1]
            .raw
            .replacen("\"logFiles\":[]", "\"logFiles\": []", 1);
        fetched.insert(
            object(&made[1].key),
            Fetched::Found {
                body: gzip(edited.as_bytes()),
                signature: Some(made[1].signature.clone()),
                signature_algorithm: Some("SHA256withRSA".into()),
                backfill_generation: None,
            },
        );
        let report = done(walk(&listed, &fetched, &store(), start()));
        let found = statuses(&report);
        assert!(
            found[1].contains("signature verification failed"),
            "{found:?}"
        );
        assert!(found[1].contains("previousDigestHashValue"), "{found:?}");
        assert_eq!(found[0], "valid");

        // Stripped metadata; wrong algorithm.
        let (listed, mut fetched) = store_of(&made);
        fetched.insert(
            object(&made[2].key),
            Fetched::Found {
                body: gzip(made[2].raw.as_bytes()),
                signature: None,
                signature_algorithm: None,
                backfill_generation: None,
            },
        );
        fetched.insert(
            object(&made[0].key),
            Fetched::Found {
                body: gzip(made[0].raw.as_bytes()),
                signature: Some(made[0].signature.clone()),
                signature_algorithm: Some("SHA1withRSA".into()),
                backfill_generation: None,
            },
        );
        let found = statuses(&done(walk(&listed, &fetched, &store(), start())));
        assert!(found[0].contains("signature metadata missing"), "{found:?}");
        assert!(found[2].contains("SHA1withRSA"), "{found:?}");

        // Signed with another key under the right fingerprint.
        let other = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(private_key("other-key.pem"));
        let (listed, mut fetched) = store_of(&made);
        let digest = Digest::from_gzip(&gzip(made[2].raw.as_bytes())).expect("digest");
        fetched.insert(
            object(&made[2].key),
            Fetched::Found {
                body: gzip(made[2].raw.as_bytes()),
                signature: Some(hex::encode(
                    other.sign(digest.signed_string().as_bytes()).to_bytes(),
                )),
                signature_algorithm: Some("SHA256withRSA".into()),
                backfill_generation: None,
            },
        );
        let found = statuses(&done(walk(&listed, &fetched, &store(), start())));
        assert!(
            found[0].contains("signature verification failed"),
            "{found:?}"
        );
        // …and the older digest's recorded previousDigestSignature no longer matches.
        assert_eq!(found[1], "valid");
    }

    #[test]
    fn gaps_moves_and_unfetched_pointers() {
        // Logging stopped and restarted: a starting digest at 03:01:31.
        let (listed, fetched) = store_of(&chain(&[1, 2, 3, 4], &[3]));
        let report = done(walk(&listed, &fetched, &store(), start()));
        assert_eq!(statuses(&report), ["valid"; 4]);
        assert_eq!(
            report.intervals,
            [Interval::Gap {
                older_end: "2026-01-20T02:01:31Z".into(),
                newer_start: "2026-01-20T02:01:31Z".into(),
            }]
        );

        // A digest copied to another key and deleted from its own.
        let made = chain(&[1, 2, 3], &[]);
        let (mut listed, mut fetched) = store_of(&made);
        let copy = "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/01/20/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20260120T020132Z.json.gz";
        delete(&mut listed, &mut fetched, 2);
        listed.push(Listed {
            object: object(copy),
            key: DigestKey::parse(copy).expect("key"),
        });
        fetched.insert(
            object(copy),
            Fetched::Found {
                body: gzip(made[1].raw.as_bytes()),
                signature: Some(made[1].signature.clone()),
                signature_algorithm: Some("SHA256withRSA".into()),
                backfill_generation: None,
            },
        );
        let found = statuses(&done(walk(&listed, &fetched, &store(), start())));
        assert_eq!(found[1], "not found", "{found:?}");
        assert_eq!(found.len(), 4, "the copy is judged too: {found:?}");
        assert!(found[3].contains("has been moved"), "{found:?}");

        // A pointer to an object not fetched yet: the walker asks for it.
        let (listed, mut fetched) = store_of(&chain(&[1, 2], &[]));
        fetched.remove(&object(&key_at(1)));
        match walk(&listed, &fetched, &store(), start()) {
            Walk::Need(objects) => assert_eq!(objects, [object(&key_at(1))]),
            Walk::Done(_) => panic!("the walk needs the older digest"),
        }

        // The walk stops at the digest covering the start.
        let (listed, fetched) = store_of(&chain(&[1, 2, 3, 4], &[]));
        let narrow = "2026-01-20T02:30:00Z".parse().expect("time");
        let report = done(walk(&listed, &fetched, &store(), narrow));
        assert_eq!(
            report.digests.len(),
            2,
            "04:01:31 and 03:01:31 (covers 02:30)"
        );
    }
}
