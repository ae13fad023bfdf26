//! Reusable analysers that rules build on. Each answers one question about observed data
//! and says why, so findings can show their reasoning.

pub mod bucket_exposure;
pub mod data_events;
pub mod event_selectors;
pub mod filter_pattern;
pub mod monitoring;
pub mod policy;
pub mod retention;
pub mod trail_coverage;
mod truth;

pub use truth::Truth;
