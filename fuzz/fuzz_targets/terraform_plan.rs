//! The Terraform plan converter on arbitrary text (a plan is untrusted input from a pull
//! request): it never panics, every refusal is a `PlanError`, and what it accepts evaluates
//! with every rule; a finding about a value that is unknown or not in the plan is never PASS.

#![no_main]

use libfuzzer_sys::fuzz_target;
use trailwarden::engine::{evaluate, Catalog, Selection};
use trailwarden::rule::Status;
use trailwarden::terraform::{convert, PlanOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = PlanOptions {
        account_id: Some("123456789012".to_owned()),
        tf_dir: Some("/nonexistent".into()),
    };
    let Ok(converted) = convert(text, &options) else {
        return;
    };
    let catalog = Catalog::builtin().expect("the catalog");
    for inventory in std::iter::once(&converted.planned).chain(converted.prior.as_ref()) {
        let evaluation = evaluate(inventory, &catalog, &Selection::all(), &[], inventory.collected_at)
            .expect("every rule runs over a converted plan");
        for finding in &evaluation.findings {
            if finding.message.contains("known only after apply") {
                assert_ne!(finding.status, Status::Pass, "{finding:?}");
            }
        }
    }
});
