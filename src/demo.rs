//! The built-in sample organization for `trailwarden demo`: a realistic estate with
//! compliant and non-compliant trails, compiled into the binary (fixtures/demo/organization.json).

use crate::inventory::{Inventory, SnapshotError};

const DEMO_SNAPSHOT: &str = include_str!("../fixtures/demo/organization.json");

pub fn inventory() -> Result<Inventory, SnapshotError> {
    Inventory::from_json(DEMO_SNAPSHOT, "built-in demo organization")
}
