//! Digest files: where they are (key layout), what they say (the JSON document), and the
//! exact string their signature covers.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

/// A digest object's key, parsed:
/// `[prefix/]AWSLogs/[o-id/]ACCOUNT/CloudTrail-Digest/SRC/YYYY/MM/DD/ACCOUNT_CloudTrail-Digest_SRC_TRAIL_HOME_YYYYMMDDTHHMMSSZ[_backfill].json.gz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestKey {
    pub account: String,
    pub source_region: String,
    pub trail_name: String,
    pub home_region: String,
    /// The digest's end time, from the file name.
    pub end_time: DateTime<Utc>,
    pub backfill: bool,
}

impl DigestKey {
    /// Parses a key; `None` when it is not a digest key (another trail's files are digest
    /// keys too: the caller filters on trail, account and regions).
    pub fn parse(key: &str) -> Option<DigestKey> {
        let file = key.rsplit('/').next()?;
        let stem = file.strip_suffix(".json.gz")?;
        let (stem, backfill) = match stem.strip_suffix("_backfill") {
            Some(stem) => (stem, true),
            None => (stem, false),
        };
        let (rest, timestamp) = stem.rsplit_once('_')?;
        let end_time = parse_compact_time(timestamp)?;
        let (account, rest) = rest.split_once("_CloudTrail-Digest_")?;
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // SRC_TRAIL_HOME: regions never contain `_`; trail names may.
        let (source_region, rest) = rest.split_once('_')?;
        let (trail_name, home_region) = rest.rsplit_once('_')?;
        if source_region.is_empty() || trail_name.is_empty() || home_region.is_empty() {
            return None;
        }
        Some(DigestKey {
            account: account.to_owned(),
            source_region: source_region.to_owned(),
            trail_name: trail_name.to_owned(),
            home_region: home_region.to_owned(),
            end_time,
            backfill,
        })
    }
}

/// `20260120T090131Z` → a UTC time.
pub fn parse_compact_time(text: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|naive| Utc.from_utc_datetime(&naive))
}

/// The digest document. Fields are kept as delivered (strings verbatim), because the signed
/// string uses `digestEndTime` exactly as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestDocument {
    pub aws_account_id: Option<String>,
    pub digest_start_time: String,
    pub digest_end_time: String,
    #[serde(rename = "digestS3Bucket")]
    pub digest_s3_bucket: String,
    #[serde(rename = "digestS3Object")]
    pub digest_s3_object: String,
    pub digest_public_key_fingerprint: String,
    pub digest_signature_algorithm: Option<String>,
    #[serde(rename = "previousDigestS3Bucket")]
    pub previous_digest_s3_bucket: Option<String>,
    #[serde(rename = "previousDigestS3Object")]
    pub previous_digest_s3_object: Option<String>,
    pub previous_digest_hash_value: Option<String>,
    pub previous_digest_hash_algorithm: Option<String>,
    /// Required, but `null` on a starting digest: the field must be present.
    #[serde(deserialize_with = "required_nullable")]
    pub previous_digest_signature: Option<String>,
    #[serde(default)]
    pub log_files: Vec<LogFileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogFileEntry {
    #[serde(rename = "s3Bucket")]
    pub s3_bucket: String,
    #[serde(rename = "s3Object")]
    pub s3_object: String,
    pub hash_value: String,
    pub hash_algorithm: String,
}

fn required_nullable<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(d)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DigestFormatError {
    #[error("invalid format: not gzip ({0})")]
    NotGzip(String),
    #[error("invalid format: unexpected data after end of compressed stream")]
    TrailingData,
    #[error("invalid format: {0}")]
    Json(String),
}

/// A fetched digest: its decompressed bytes (exactly as stored: they are what is hashed and
/// signed) and the document they hold.
#[derive(Debug, Clone)]
pub struct Digest {
    pub raw: Vec<u8>,
    pub document: DigestDocument,
}

impl Digest {
    /// Gunzips (one member only) and parses a digest object's body.
    pub fn from_gzip(body: &[u8]) -> Result<Digest, DigestFormatError> {
        let raw = super::log_file::gunzip_single_member(body).map_err(|e| match e {
            super::log_file::GunzipError::TrailingData => DigestFormatError::TrailingData,
            super::log_file::GunzipError::Corrupt(message) => DigestFormatError::NotGzip(message),
        })?;
        let document =
            serde_json::from_slice(&raw).map_err(|e| DigestFormatError::Json(e.to_string()))?;
        Ok(Digest { raw, document })
    }

    /// Lowercase hex SHA-256 of the decompressed bytes.
    pub fn hash_hex(&self) -> String {
        hex::encode(Sha256::digest(&self.raw))
    }

    /// The string the digest's signature covers.
    pub fn signed_string(&self) -> String {
        signed_string(
            &self.document.digest_end_time,
            &self.document.digest_s3_bucket,
            &self.document.digest_s3_object,
            &self.hash_hex(),
            self.document.previous_digest_signature.as_deref(),
        )
    }
}

/// `END\nBUCKET/OBJECT\nHASH\nPREVIOUS-SIGNATURE`, with the literal `null` for a starting
/// digest (what AWS's Java implementation and the AWS CLI sign and verify).
pub fn signed_string(
    end_time: &str,
    bucket: &str,
    object: &str,
    hash_hex: &str,
    previous_signature: Option<&str>,
) -> String {
    format!(
        "{end_time}\n{bucket}/{object}\n{hash_hex}\n{}",
        previous_signature.unwrap_or("null")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_aws_cli_test_vector() {
        let hash = hex::encode(Sha256::digest(b"abc"));
        assert_eq!(
            signed_string("a", "b", "c", &hash, None),
            "a\nb/c\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\nnull"
        );
    }

    #[test]
    fn digest_keys_are_parsed_standard_backfill_and_org() {
        let key = DigestKey::parse("logs/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/01/20/111122223333_CloudTrail-Digest_eu-west-1_org_trail_us-east-1_20260120T090131Z.json.gz")
            .expect("digest key");
        assert_eq!(key.account, "111122223333");
        assert_eq!(key.source_region, "eu-west-1");
        assert_eq!(key.trail_name, "org_trail");
        assert_eq!(key.home_region, "us-east-1");
        assert_eq!(key.end_time.to_rfc3339(), "2026-01-20T09:01:31+00:00");
        assert!(!key.backfill);
        let backfill = DigestKey::parse("AWSLogs/o-abc123/111122223333/CloudTrail-Digest/us-east-1/2026/01/20/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20260120T090131Z_backfill.json.gz")
            .expect("backfill key");
        assert!(backfill.backfill);
        for junk in [
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/20/111122223333_CloudTrail_us-east-1_20260120T0900Z_abc.json.gz",
            "file_backfill_other.json.gz",
            "111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_2026-01-20.json.gz",
            "12345_CloudTrail-Digest_us-east-1_t_us-east-1_20260120T090131Z.json.gz",
        ] {
            assert_eq!(DigestKey::parse(junk), None, "{junk}");
        }
        assert_eq!(parse_compact_time("20261340T000000Z"), None);
    }

    #[test]
    fn digest_documents_need_their_fields() {
        let gzip = |text: &str| {
            use std::io::Write as _;
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(text.as_bytes()).expect("gzip");
            encoder.finish().expect("gzip")
        };
        let starting = r#"{"awsAccountId":"111122223333","digestStartTime":"2026-01-20T08:01:31Z","digestEndTime":"2026-01-20T09:01:31Z","digestS3Bucket":"b","digestS3Object":"k","digestPublicKeyFingerprint":"00","digestSignatureAlgorithm":"SHA256withRSA","previousDigestS3Bucket":null,"previousDigestS3Object":null,"previousDigestHashValue":null,"previousDigestHashAlgorithm":null,"previousDigestSignature":null,"logFiles":[]}"#;
        let digest = Digest::from_gzip(&gzip(starting)).expect("valid");
        assert_eq!(digest.raw, starting.as_bytes(), "bytes kept exactly");
        assert!(digest.signed_string().ends_with("\nnull"));
        let without_previous = starting.replace(",\"previousDigestSignature\":null", "");
        assert!(matches!(
            Digest::from_gzip(&gzip(&without_previous)),
            Err(DigestFormatError::Json(_))
        ));
        assert!(matches!(
            Digest::from_gzip(starting.as_bytes()),
            Err(DigestFormatError::NotGzip(_))
        ));
        let mut two_members = gzip(starting);
        two_members.extend(gzip("{}"));
        assert_eq!(
            Digest::from_gzip(&two_members).err(),
            Some(DigestFormatError::TrailingData)
        );
    }
}
