//! The snapshot loader on arbitrary text: it never panics (every problem is a
//! `SnapshotError`), and a snapshot it accepts serializes to text it accepts again, equal.

#![no_main]

use libfuzzer_sys::fuzz_target;
use trailwarden::inventory::Inventory;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(inventory) = Inventory::from_json(text, "fuzz") {
        let written = inventory.to_json().expect("an accepted snapshot serializes");
        let again = Inventory::from_json(&written, "fuzz again").expect("a written snapshot loads");
        assert_eq!(inventory, again);
    }
});
