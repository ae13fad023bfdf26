//! The only place that knows the AWS SDK: the SDK configuration, the clients of a run (each
//! carrying the read-only guard and the answer checks), how a failed call becomes an
//! observation error, the in-flight limits, the read-only allowlist, and under `api/` one
//! module per service with one function per read-only call, turning answers into the
//! inventory's model.

pub mod answers;
pub mod api;
pub mod clients;
pub mod failure;
pub mod guard;
pub mod limits;
pub mod permissions;
pub mod sdk_config;

use chrono::{DateTime, Utc};

/// Smithy timestamp → chrono; `None` for a time chrono cannot represent.
pub fn timestamp(time: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(time.secs(), time.subsec_nanos())
}
