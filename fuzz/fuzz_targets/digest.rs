//! Digest files on arbitrary bytes: the gzip + JSON reader and the key-name parser never
//! panic; a digest that parses yields its signed string and hash, and a key that parses
//! names a 12-digit account.

#![no_main]

use libfuzzer_sys::fuzz_target;
use trailwarden::verify::digest::{Digest, DigestKey};
use trailwarden::verify::log_file::{gunzip_single_member, hash_gzip_stream};

fuzz_target!(|data: &[u8]| {
    if let Ok(digest) = Digest::from_gzip(data) {
        let signed = digest.signed_string();
        assert!(signed.contains(&digest.hash_hex()));
    }
    // The streaming and in-memory gunzip agree on what they accept.
    let streamed = hash_gzip_stream(data).map(|(_, length)| length);
    let whole = gunzip_single_member(data).map(|bytes| bytes.len() as u64);
    assert_eq!(streamed.is_ok(), whole.is_ok(), "{streamed:?} vs {whole:?}");
    if let (Ok(a), Ok(b)) = (streamed, whole) {
        assert_eq!(a, b);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(key) = DigestKey::parse(text) {
            assert_eq!(key.account.len(), 12);
        }
    }
});
