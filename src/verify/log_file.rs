//! Log files and gzip: a log file's `hashValue` is the SHA-256 of its *decompressed* bytes,
//! and nothing may follow the first gzip member (a second member would let an attacker
//! append records that a careless reader includes).
//!
//! Hashing streams: bytes are gunzipped and hashed as they arrive, so a file is never held
//! in memory whole.

use sha2::{Digest as _, Sha256};
use std::io::Read;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum GunzipError {
    #[error("invalid format: {0}")]
    Corrupt(String),
    #[error("unexpected data after end of compressed stream")]
    TrailingData,
}

/// Gunzips and hashes a stream: the lowercase hex SHA-256 of the decompressed bytes, and
/// their length. Fails on corrupt gzip or on any byte after the first member.
pub fn hash_gzip_stream(mut reader: impl Read) -> Result<(String, u64), GunzipError> {
    let corrupt = |e: std::io::Error| GunzipError::Corrupt(e.to_string());
    let mut hasher = Sha256::new();
    let mut length = 0u64;
    // `GzDecoder` (not `MultiGzDecoder`) stops at the end of the first member; the bytes
    // after it stay in the underlying reader, which is checked below.
    let mut decoder = flate2::bufread::GzDecoder::new(std::io::BufReader::new(&mut reader));
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = decoder.read(&mut buffer).map_err(corrupt)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        length += read as u64;
    }
    let mut rest = decoder.into_inner();
    let mut probe = [0u8; 1];
    if rest.read(&mut probe).map_err(corrupt)? > 0 {
        return Err(GunzipError::TrailingData);
    }
    Ok((hex::encode(hasher.finalize()), length))
}

/// Gunzips one member held in memory (digest files are small), refusing trailing data.
pub fn gunzip_single_member(body: &[u8]) -> Result<Vec<u8>, GunzipError> {
    let mut decoder = flate2::bufread::GzDecoder::new(body);
    let mut out = Vec::new();
    decoder
        .read_to_end(&mut out)
        .map_err(|e| GunzipError::Corrupt(e.to_string()))?;
    if !decoder.into_inner().is_empty() {
        return Err(GunzipError::TrailingData);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).expect("gzip");
        encoder.finish().expect("gzip")
    }

    #[test]
    fn the_hash_is_over_the_decompressed_bytes() {
        // The AWS CLI's fixture: SHA-256 of `{}`.
        let (hash, length) = hash_gzip_stream(gzip(b"{}").as_slice()).expect("valid");
        assert_eq!(
            hash,
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert_eq!(length, 2);
        // Large, streamed through several buffers.
        let big = vec![b'x'; 1_000_000];
        let (hash, length) = hash_gzip_stream(gzip(&big).as_slice()).expect("valid");
        assert_eq!(hash, hex::encode(Sha256::digest(&big)));
        assert_eq!(length, 1_000_000);
    }

    #[test]
    fn trailing_members_and_garbage_are_refused() {
        let mut appended = gzip(b"{\"Records\":[]}");
        appended.extend(gzip(b"{\"Records\":[{\"eventName\":\"Forged\"}]}"));
        assert_eq!(
            hash_gzip_stream(appended.as_slice()).err(),
            Some(GunzipError::TrailingData)
        );
        assert_eq!(
            gunzip_single_member(&appended).err(),
            Some(GunzipError::TrailingData)
        );
        let mut junk = gzip(b"{}");
        junk.push(0);
        assert_eq!(
            hash_gzip_stream(junk.as_slice()).err(),
            Some(GunzipError::TrailingData)
        );
        assert!(matches!(
            hash_gzip_stream(&b"not gzip at all"[..]),
            Err(GunzipError::Corrupt(_))
        ));
        let truncated = &gzip(b"{\"Records\":[]}")[..10];
        assert!(matches!(
            hash_gzip_stream(truncated),
            Err(GunzipError::Corrupt(_))
        ));
    }
}
