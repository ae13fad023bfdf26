//! CloudTrail's public keys and digest signatures.
//!
//! A digest names its key by `digestPublicKeyFingerprint`: the hex MD5 of the key bytes as
//! `ListPublicKeys` returns them (PKCS#1 `RSAPublicKey` DER; SubjectPublicKeyInfo DER is
//! accepted too, fingerprinted over its own bytes). Keys rotate with overlapping validity
//! windows, so a key is chosen by fingerprint *and* by the digest's end time.
//!
//! The signature is RSASSA-PKCS1-v1_5 with SHA-256 over the signed string, hex-encoded in
//! the object's `signature` metadata; only `SHA256withRSA` is accepted.

use chrono::{DateTime, Utc};
use md5::{Digest as _, Md5};
use rsa::pkcs1::DecodeRsaPublicKey as _;
use rsa::pkcs8::DecodePublicKey as _;
use rsa::signature::Verifier as _;
use serde::Deserialize;

/// The only signature algorithm CloudTrail uses, and the only one accepted.
pub const SIGNATURE_ALGORITHM: &str = "SHA256withRSA";

#[derive(Debug, Clone)]
pub struct PublicKey {
    /// Lowercase hex MD5 of `der`.
    pub fingerprint: String,
    pub der: Vec<u8>,
    pub validity_start: Option<DateTime<Utc>>,
    pub validity_end: Option<DateTime<Utc>>,
    key: Option<rsa::RsaPublicKey>,
}

impl PublicKey {
    /// A key as `ListPublicKeys` (or a keys file) gives it. A key that does not parse is kept
    /// (its fingerprint may be named by digests) and fails each verification clearly.
    pub fn from_der(
        der: Vec<u8>,
        validity_start: Option<DateTime<Utc>>,
        validity_end: Option<DateTime<Utc>>,
    ) -> PublicKey {
        let fingerprint = hex::encode(Md5::digest(&der));
        let key = rsa::RsaPublicKey::from_pkcs1_der(&der)
            .or_else(|_| rsa::RsaPublicKey::from_public_key_der(&der))
            .ok();
        PublicKey {
            fingerprint,
            der,
            validity_start,
            validity_end,
            key,
        }
    }

    fn valid_at(&self, time: DateTime<Utc>) -> bool {
        self.validity_start.is_none_or(|start| start <= time)
            && self.validity_end.is_none_or(|end| time <= end)
    }

    /// Verifies a hex signature over `signed`.
    pub fn verify(&self, signed: &str, signature_hex: &str) -> Result<(), SignatureError> {
        let key = self
            .key
            .as_ref()
            .ok_or_else(|| SignatureError::UnusableKey {
                fingerprint: self.fingerprint.clone(),
            })?;
        let bytes =
            hex::decode(signature_hex.trim()).map_err(|_| SignatureError::MalformedSignature)?;
        let signature = rsa::pkcs1v15::Signature::try_from(bytes.as_slice())
            .map_err(|_| SignatureError::MalformedSignature)?;
        rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key.clone())
            .verify(signed.as_bytes(), &signature)
            .map_err(|_| SignatureError::Mismatch)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("signature verification failed")]
    Mismatch,
    #[error("signature verification failed: the signature is not a hex RSA signature")]
    MalformedSignature,
    #[error("Unable to load PKCS #1 key with fingerprint {fingerprint}")]
    UnusableKey { fingerprint: String },
    #[error("public key not found for fingerprint {fingerprint} at {at}")]
    KeyNotFound { fingerprint: String, at: String },
    #[error("signature algorithm `{0}` is not SHA256withRSA")]
    Algorithm(String),
}

/// The public keys of one source region.
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    keys: Vec<PublicKey>,
}

/// One entry of a `--public-keys FILE` (JSON array), the shape of `ListPublicKeys`' answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct KeyFileEntry {
    /// Base64 DER, as the AWS CLI prints `Value`.
    value: String,
    #[serde(default)]
    fingerprint: Option<String>,
    #[serde(default)]
    validity_start_time: Option<DateTime<Utc>>,
    #[serde(default)]
    validity_end_time: Option<DateTime<Utc>>,
}

/// A `--public-keys` file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyFileError(String);

impl KeyStore {
    pub fn new(keys: Vec<PublicKey>) -> KeyStore {
        KeyStore { keys }
    }

    /// Reads keys saved from `aws cloudtrail list-public-keys --query PublicKeyList` (for
    /// offline and air-gapped verification). A stated fingerprint must match the key.
    pub fn from_json(text: &str) -> Result<KeyStore, KeyFileError> {
        KeyStore::parse_key_file(text).map_err(KeyFileError)
    }

    fn parse_key_file(text: &str) -> Result<KeyStore, String> {
        use base64::Engine as _;
        let entries: Vec<KeyFileEntry> = serde_json::from_str(text).map_err(|e| {
            format!("not a list of public keys ({{\"Value\", \"Fingerprint\", \"ValidityStartTime\", \"ValidityEndTime\"}}): {e}")
        })?;
        let mut keys = Vec::with_capacity(entries.len());
        for (index, entry) in entries.into_iter().enumerate() {
            let der = base64::engine::general_purpose::STANDARD
                .decode(entry.value.trim())
                .map_err(|e| format!("key {index}: Value is not base64: {e}"))?;
            let key = PublicKey::from_der(der, entry.validity_start_time, entry.validity_end_time);
            if let Some(stated) = entry.fingerprint {
                if !stated.eq_ignore_ascii_case(&key.fingerprint) {
                    return Err(format!(
                        "key {index}: Fingerprint {stated} does not match the key (MD5 {})",
                        key.fingerprint
                    ));
                }
            }
            keys.push(key);
        }
        Ok(KeyStore { keys })
    }

    /// Adds keys (e.g. those valid when backfill digests were signed).
    pub fn extend(&mut self, other: KeyStore) {
        self.keys.extend(other.keys);
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key with this fingerprint valid at `at` (windows overlap at rotation).
    pub fn find(&self, fingerprint: &str, at: DateTime<Utc>) -> Result<&PublicKey, SignatureError> {
        self.keys
            .iter()
            .filter(|k| k.fingerprint.eq_ignore_ascii_case(fingerprint))
            .find(|k| k.valid_at(at))
            .ok_or_else(|| SignatureError::KeyNotFound {
                fingerprint: fingerprint.to_owned(),
                at: at.to_rfc3339(),
            })
    }

    /// Verifies a digest's signature: the metadata algorithm, the key by fingerprint and
    /// time, then RSA PKCS#1 v1.5 / SHA-256 over the signed string.
    pub fn verify_digest(
        &self,
        digest: &super::digest::Digest,
        end_time: DateTime<Utc>,
        signature_hex: &str,
        signature_algorithm: &str,
    ) -> Result<(), SignatureError> {
        if signature_algorithm != SIGNATURE_ALGORITHM {
            return Err(SignatureError::Algorithm(signature_algorithm.to_owned()));
        }
        if let Some(stated) = &digest.document.digest_signature_algorithm {
            if stated != SIGNATURE_ALGORITHM {
                return Err(SignatureError::Algorithm(stated.clone()));
            }
        }
        self.find(&digest.document.digest_public_key_fingerprint, end_time)?
            .verify(&digest.signed_string(), signature_hex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1::DecodeRsaPrivateKey as _;
    use rsa::signature::{SignatureEncoding as _, Signer as _};

    fn test_key(name: &str) -> rsa::RsaPrivateKey {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/verify")
            .join(name);
        let pem = std::fs::read_to_string(path).expect("test key");
        rsa::RsaPrivateKey::from_pkcs1_pem(&pem).expect("PKCS#1 PEM")
    }

    fn public_der(key: &rsa::RsaPrivateKey) -> Vec<u8> {
        use rsa::pkcs1::EncodeRsaPublicKey as _;
        key.to_public_key()
            .to_pkcs1_der()
            .expect("DER")
            .as_bytes()
            .to_vec()
    }

    fn sign(key: &rsa::RsaPrivateKey, text: &str) -> String {
        let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone());
        hex::encode(signer.sign(text.as_bytes()).to_bytes())
    }

    #[test]
    fn fingerprint_is_the_md5_of_the_der_key() {
        let der = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/verify/test-key.pub.der"),
        )
        .expect("der");
        // `md5sum tests/data/verify/test-key.pub.der`
        assert_eq!(
            PublicKey::from_der(der, None, None).fingerprint,
            "b0b386e5b553d5b10ad3f685268593df"
        );
    }

    #[test]
    fn signatures_verify_only_with_the_right_key_text_and_algorithm() {
        let private = test_key("test-key.pem");
        let key = PublicKey::from_der(public_der(&private), None, None);
        let text = "2026-01-20T09:01:31Z\nb/k\nabc\nnull";
        let signature = sign(&private, text);
        assert_eq!(key.verify(text, &signature), Ok(()));
        assert_eq!(
            key.verify("2026-01-20T09:01:31Z\nb/k\nabd\nnull", &signature),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            key.verify(text, "zz"),
            Err(SignatureError::MalformedSignature)
        );
        // A second key presented under the first key's fingerprint: the signature fails.
        let other = test_key("other-key.pem");
        let forged = sign(&other, text);
        assert_eq!(key.verify(text, &forged), Err(SignatureError::Mismatch));
        // An SPKI-encoded key is accepted, with its own fingerprint.
        use rsa::pkcs8::EncodePublicKey as _;
        let spki = private
            .to_public_key()
            .to_public_key_der()
            .expect("SPKI")
            .as_bytes()
            .to_vec();
        let spki_key = PublicKey::from_der(spki, None, None);
        assert_ne!(spki_key.fingerprint, key.fingerprint);
        assert_eq!(spki_key.verify(text, &signature), Ok(()));
        let garbage = PublicKey::from_der(b"not a key".to_vec(), None, None);
        assert!(matches!(
            garbage.verify(text, &signature),
            Err(SignatureError::UnusableKey { .. })
        ));
    }

    #[test]
    fn keys_are_chosen_by_fingerprint_and_validity() {
        use base64::Engine as _;
        let private = test_key("test-key.pem");
        let der = public_der(&private);
        let value = base64::engine::general_purpose::STANDARD.encode(&der);
        let text = format!(
            r#"[{{"Value":"{value}","Fingerprint":"B0B386E5B553D5B10AD3F685268593DF","ValidityStartTime":"2026-01-01T00:00:00Z","ValidityEndTime":"2026-02-01T00:00:00Z"}}]"#
        );
        let store = KeyStore::from_json(&text).expect("keys file");
        let inside = "2026-01-20T00:00:00Z".parse().expect("time");
        let after = "2026-03-01T00:00:00Z".parse().expect("time");
        assert!(store
            .find("b0b386e5b553d5b10ad3f685268593df", inside)
            .is_ok());
        assert!(matches!(
            store.find("b0b386e5b553d5b10ad3f685268593df", after),
            Err(SignatureError::KeyNotFound { .. })
        ));
        assert!(store
            .find("00000000000000000000000000000000", inside)
            .is_err());
        let wrong = text.replace("B0B386E5", "FFFFFFFF");
        assert!(KeyStore::from_json(&wrong)
            .expect_err("mismatch")
            .to_string()
            .contains("does not match"));
        assert!(KeyStore::from_json("{}").is_err());
        assert!(KeyStore::from_json(r#"[{"Value":"%%%"}]"#).is_err());
    }

    #[test]
    fn a_digest_is_verified_over_its_exact_bytes() {
        use std::io::Write as _;
        let private = test_key("test-key.pem");
        let store = KeyStore::new(vec![PublicKey::from_der(public_der(&private), None, None)]);
        let raw = r#"{"digestStartTime":"2026-01-20T08:01:31Z","digestEndTime":"2026-01-20T09:01:31Z","digestS3Bucket":"b","digestS3Object":"k","digestPublicKeyFingerprint":"b0b386e5b553d5b10ad3f685268593df","digestSignatureAlgorithm":"SHA256withRSA","previousDigestSignature":null,"logFiles":[]}"#;
        let gzip = |text: &str| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(text.as_bytes()).expect("gzip");
            e.finish().expect("gzip")
        };
        let digest = super::super::digest::Digest::from_gzip(&gzip(raw)).expect("digest");
        let signature = sign(&private, &digest.signed_string());
        let end = "2026-01-20T09:01:31Z".parse().expect("time");
        assert_eq!(
            store.verify_digest(&digest, end, &signature, "SHA256withRSA"),
            Ok(())
        );
        assert!(matches!(
            store.verify_digest(&digest, end, &signature, "SHA1withRSA"),
            Err(SignatureError::Algorithm(_))
        ));
        // Re-serialised JSON (same meaning, other bytes) no longer verifies.
        let edited = digest_with_space(raw);
        let edited = super::super::digest::Digest::from_gzip(&gzip(&edited)).expect("digest");
        assert_eq!(
            store.verify_digest(&edited, end, &signature, "SHA256withRSA"),
            Err(SignatureError::Mismatch)
        );
    }

    fn digest_with_space(raw: &str) -> String {
        raw.replacen(',', ", ", 1)
    }
}
