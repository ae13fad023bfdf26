//! trailwarden: a read-only compliance scanner for AWS CloudTrail.
//!
//! Data flows one way (see ARCHITECTURE.md): scope → collect → [`inventory::Inventory`] →
//! [`engine::evaluate`] → findings → [`report`] and the exit-code gate.

pub mod analysis;
pub mod aws;
pub mod checks;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod config;
pub mod demo;
pub mod docs;
pub mod engine;
pub mod inventory;
pub mod output;
pub mod progress;
pub mod redact;
pub mod report;
pub mod rule;
pub mod scope;
pub mod terraform;
pub mod verify;
