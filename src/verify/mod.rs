//! Integrity of CloudTrail's delivered logs: digest files, their signatures and chain, and
//! the log files they list (see `docs/reference/digest.md` for the facts relied on).
//!
//! This is the pure core `verify-logs` builds on: key names, the digest document, the
//! signed string, public keys by fingerprint, RSA PKCS#1 v1.5 / SHA-256 signatures, and
//! streaming log-file hashing. It does no I/O of its own beyond reading the bytes it is
//! given, so every verdict is testable offline.

pub mod chain;
pub mod digest;
pub mod keys;
pub mod log_file;
pub mod render;
pub mod result;
pub mod run;
pub mod store;
