//! One module per AWS service: one function per read-only call, its answer turned into the
//! inventory's model and its failure into an observation.

pub mod cloudtrail;
pub mod cloudwatch;
pub mod config_recorders;
pub mod kms;
pub mod logs;
pub mod organizations;
pub mod regions;
pub mod s3;
pub mod sns;
pub mod sts;
